"""Who may see or act on an hour sheet. Object checks as plain functions (no HTTP).

- the provider of the agreement (a ZORGVERLENER account of that provider) prepares sheets and
  hands them over; it never submits;
- the budget holder, or someone with an active 'handelen' authorisation (on behalf), edits,
  refuses or approves (= submits) them; someone with 'bekijken' only sees them;
- the payment office (BEHEERDER) checks submitted sheets.
A denied object should answer 404 at the edge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import budget_holder_of, household_access
from portal.agreements.models import Agreement
from portal.claims.models import Claim
from portal.claims.rules import Side
from portal.extensions import db


@dataclass(frozen=True)
class Acting:
    """How a user acts on an agreement's sheets: side, and on whose behalf (None = own)."""

    side: Side
    can_act: bool
    on_behalf_of: User | None = None


def _agreement(claim_or_agreement: Claim | Agreement) -> Agreement:
    if isinstance(claim_or_agreement, Agreement):
        return claim_or_agreement
    return db.session.get_one(Agreement, claim_or_agreement.agreement_id)


def acting_on(user: User | None, claim_or_agreement: Claim | Agreement,
              today: dt.date) -> Acting | None:
    """The side `user` is on for this agreement's sheets, or None when they have no access."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    agreement = _agreement(claim_or_agreement)
    if user.role == Role.ZORGVERLENER:
        if user.provider_id is not None and user.provider_id == agreement.provider_id:
            return Acting(Side.PROVIDER, can_act=True)
        return None
    if user.role == Role.BEHEERDER:
        return Acting(Side.OFFICE, can_act=True)
    access = household_access(user, agreement.household_id, today)
    if access is None:
        return None
    holder = budget_holder_of(agreement.household_id) if access.on_behalf else None
    return Acting(Side.HOLDER, can_act=access.can_act, on_behalf_of=holder)


def can_view_claim(user: User | None, claim: Claim, today: dt.date) -> bool:
    return acting_on(user, claim, today) is not None


def can_prepare_claim(user: User | None, agreement: Agreement, today: dt.date) -> bool:
    acting = acting_on(user, agreement, today)
    return acting is not None and acting.can_act and acting.side in (Side.PROVIDER, Side.HOLDER)


def can_approve_claim(user: User | None, claim: Claim, today: dt.date) -> bool:
    """The budget holder's akkoord (the submission). Never the provider."""
    acting = acting_on(user, claim, today)
    return acting is not None and acting.can_act and acting.side is Side.HOLDER


def can_check_claims(user: User | None) -> bool:
    """The payment office's check of submitted sheets."""
    return user is not None and getattr(user, "role", None) == Role.BEHEERDER
