"""Imports every area's models so the metadata is complete (for Alembic and create_all)."""

from portal.access.models import AuditEvent, Authorization, User  # noqa: F401
from portal.agreements.models import (  # noqa: F401
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementLine,
    AgreementVersion,
    ChosenGrant,
    FunderReview,
    MaxTariff,
)
from portal.api.models import ApiKey, IdempotentAnswer  # noqa: F401
from portal.budgets.models import AllowanceCap, AllowanceUse, Funder, Grant, Household, Member  # noqa: F401
from portal.claims.models import Claim, ClaimEvent, ClaimLine  # noqa: F401
from portal.messages.models import Message  # noqa: F401
from portal.payments.models import Payment, PaymentItem, PaymentRun  # noqa: F401
