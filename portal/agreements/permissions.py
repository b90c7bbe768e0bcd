"""Who may see or act on a care agreement.

- The budget holder, and whoever has an active authorisation for the household: view; acting
  (drafting, signing, ending) needs the budget holder's own account or scope 'handelen'.
- A provider: only the agreements they are the provider of.
- A consulent: only agreements with a line on a grant their funder funds; reviewing a version
  needs a line of THAT version on such a grant. Of a version a consulent reads only the lines
  paid from their own funder's budgets (visible_lines): a funder sees only the budgets it funds.
  So the signed scan of a version (which holds all its lines) is theirs to download only when
  every line of that version is paid from their own funder's budgets (can_download_document).
- The payment office (beheerder): view, for support, payments and paper intake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TypeGuard

from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import HouseholdAccess, household_access
from portal.agreements.constants import Party
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementLine,
    AgreementVersion,
)
from portal.budgets.models import Grant
from portal.extensions import db


def holder_access(user: User | None, agreement: Agreement, today: dt.date) -> HouseholdAccess | None:
    return household_access(user, agreement.household_id, today)


def can_act_as_holder(user: User | None, agreement: Agreement, today: dt.date) -> bool:
    access = holder_access(user, agreement, today)
    return access is not None and access.can_act


def is_agreement_provider(user: User | None, agreement: Agreement) -> bool:
    return (user is not None and user.role == Role.ZORGVERLENER and user.provider_id is not None
            and user.provider_id == agreement.provider_id)


def funder_ids_of_version(version: AgreementVersion) -> set[int]:
    grant_ids = {line.grant_id for line in version.lines}
    if not grant_ids:
        return set()
    return set(db.session.scalars(select(Grant.funder_id).where(Grant.id.in_(grant_ids))))


def funder_ids_of_agreement(agreement: Agreement) -> set[int]:
    return set(db.session.scalars(
        select(Grant.funder_id).join(AgreementLine, AgreementLine.grant_id == Grant.id)
        .join(AgreementVersion, AgreementVersion.id == AgreementLine.version_id)
        .where(AgreementVersion.agreement_id == agreement.id)
    ))


def _is_consulent(user: User | None) -> TypeGuard[User]:
    return user is not None and user.role == Role.CONSULENT and user.funder_id is not None


def can_review(user: User | None, version: AgreementVersion) -> bool:
    """A consulent of a funder that funds one of this version's lines' grants."""
    return _is_consulent(user) and user.funder_id in funder_ids_of_version(version)


def visible_lines(user: User | None, version: AgreementVersion,
                  grant_funders: Mapping[int, int] | None = None) -> list[AgreementLine]:
    """The lines of `version` that `user` may read, for every page and document that shows them.

    A consulent reads only the lines paid from a budget of their own funder (a funder sees only
    the budgets it funds: not another funder's care, tariffs, member or law). Everyone else who
    may see the agreement at all (check can_view_agreement first) reads every line.
    `grant_funders` (grant id -> funder id) saves the query when the caller has the grants.
    """
    lines = list(version.lines)
    if not _is_consulent(user):
        return lines
    if grant_funders is None:
        ids = {line.grant_id for line in lines}
        grant_funders = dict(db.session.execute(
            select(Grant.id, Grant.funder_id).where(Grant.id.in_(ids))).all()) if ids else {}
    return [line for line in lines if grant_funders.get(line.grant_id) == user.funder_id]


def can_download_document(user: User | None, agreement: Agreement, doc: AgreementDocument,
                          grant_funders: Mapping[int, int] | None = None) -> bool:
    """May `user` download this uploaded document of `agreement` (check can_view_agreement first)?

    An uploaded signed scan shows every line of the version it signs, so a consulent may have
    it only when visible_lines hides none of them: every line of that version is paid from
    their own funder's budgets. A scan that signs no version (any more: a version reworked after
    a refusal drops it) shows lines nobody can check, so a consulent does not get it either.
    Everyone else who may see the agreement may download its documents.
    `grant_funders` (grant id -> funder id) saves the query when the caller has the grants.
    """
    if doc.agreement_id != agreement.id:
        return False
    if not _is_consulent(user):
        return True
    version = next((v for v in agreement.versions if v.document_id == doc.id), None)
    if version is None:
        return False
    return len(visible_lines(user, version, grant_funders)) == len(version.lines)


def can_view_agreement(user: User | None, agreement: Agreement, today: dt.date) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.BEHEERDER:
        return True
    if is_agreement_provider(user, agreement):
        return True
    if _is_consulent(user):
        return user.funder_id in funder_ids_of_agreement(agreement)
    return holder_access(user, agreement, today) is not None


def parties_of(user: User | None, agreement: Agreement, version: AgreementVersion | None,
               today: dt.date) -> frozenset[Party]:
    """The parts `user` plays for this agreement (and version), for the transition table."""
    parties = set()
    if can_act_as_holder(user, agreement, today):
        parties.add(Party.HOLDER)
    if is_agreement_provider(user, agreement):
        parties.add(Party.PROVIDER)
    if version is not None and can_review(user, version):
        parties.add(Party.CONSULENT)
    return frozenset(parties)
