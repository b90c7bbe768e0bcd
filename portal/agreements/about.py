"""The human title of an agreement for messages ("Zorg voor Daan door Youssef El Amrani
(Jeugdwet)"), read in one query. Meant to give way to the portal's one home for items' titles:
callers import `agreement_about` from here only."""

from __future__ import annotations

from sqlalchemy import select

from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.budgets.constants import Law
from portal.budgets.models import Grant, Member
from portal.extensions import db
from portal.messages.rules import agreement_title
from portal.providers.models import Provider


def agreement_about(agreement_id: int) -> str | None:
    """For whom (the members of the agreement's budgets), by whom (the provider), under which
    law; None for an unknown agreement."""
    rows = db.session.execute(
        select(Provider.name, Member.name, Grant.law)
        .select_from(Agreement).join(Provider, Provider.id == Agreement.provider_id)
        .outerjoin(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .outerjoin(AgreementLine, AgreementLine.version_id == AgreementVersion.id)
        .outerjoin(Grant, Grant.id == AgreementLine.grant_id)
        .outerjoin(Member, Member.id == Grant.member_id)
        .where(Agreement.id == agreement_id)
        .order_by(AgreementVersion.number, AgreementLine.id)).all()
    if not rows:
        return None
    return agreement_title([m for _, m, _ in rows if m], rows[0][0],
                           [Law(law).label for _, _, law in rows if law])
