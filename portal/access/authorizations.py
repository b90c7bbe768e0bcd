"""Authorisations (machtigingen): the budget holder lets a named person see, or act on, their
file; granted, revoked and listed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from portal.access.audit import as_local, record, stored_timezone
from portal.access.constants import Role, Scope
from portal.access.models import Authorization, User
from portal.access.rules import (
    Grantee,
    check_new_authorization,
    check_revoke,
)
from portal.access.service import find_user_by_email
from portal.dates import format_day
from portal.extensions import db
from portal.messages.service import notify
from portal.refusals import Refusal, Refused, refuse_if


def _require_budget_holder(actor: User, household_id: int) -> None:
    """Only the budget holder themselves grants or revokes: a representative may not pass
    access on. Anyone else is told nothing (the edge answers 404)."""
    if actor is None or actor.role != Role.BUDGETHOUDER or actor.household_id != household_id:
        raise Refused(Refusal("not_allowed", "U mag de machtigingen van dit huishouden niet "
                              "beheren."))


def _authorization_is_current(auth: Authorization, today: dt.date) -> bool:
    """Active today, or starting later: it still counts as 'this person has a machtiging'."""
    return auth.revoked_at is None and auth.ends_on >= today


def grant_authorization(actor: User, household_id: int, *, email: str, scope: str,
                        ends_on: dt.date | None, today: dt.date) -> Authorization:
    """The budget holder lets the person with this e-mail address see (or act on) their file
    from today until `ends_on`. Audit-logged; the person gets a message."""
    _require_budget_holder(actor, household_id)
    found = find_user_by_email(email or "")
    grantee = None if found is None else Grantee(found.id, Role(found.role), found.is_active)
    current = db.session.scalars(
        select(Authorization.grantee_id).where(Authorization.household_id == household_id,
                                               Authorization.revoked_at.is_(None),
                                               Authorization.ends_on >= today)
    ).all()
    refuse_if(check_new_authorization(grantor_id=actor.id, grantee=grantee, scope=scope,
                                      ends_on=ends_on, today=today,
                                      active_grantee_ids=set(current)))
    assert found is not None and ends_on is not None
    auth = Authorization(household_id=household_id, grantee_id=found.id, granted_by_id=actor.id,
                         scope=Scope(scope), starts_on=today, ends_on=ends_on)
    db.session.add(auth)
    db.session.flush()
    scope_label = Scope(scope).label.lower()
    record("authorization_granted", actor=actor, household_id=household_id,
           object_type="authorization", object_id=auth.id,
           summary=f"Machtiging gegeven aan {found.name} ({scope_label}) tot en met "
                   f"{format_day(ends_on)}",
           detail={"grantee_id": found.id, "scope": scope, "ends_on": ends_on.isoformat()})
    notify([found.id], "machtiging", f"{actor.name} heeft u een machtiging gegeven",
           f"{actor.name} heeft u gemachtigd: {scope_label}. De machtiging geldt tot en met "
           f"{format_day(ends_on)}. U vindt {actor.name} bij 'Mijn klanten'.")
    return auth


def revoke_authorization(actor: User, authorization_id: int, *, now: dt.datetime) -> Authorization:
    """The budget holder ends an authorisation at once: from the next request on, the person
    has no access any more. Audit-logged; the person gets a message."""
    # Compare-and-set: the authorisation's row is locked and read again, so two revocations
    # at the same moment are decided one after the other (the second: 'Dit is al gedaan').
    auth = db.session.get(Authorization, authorization_id, with_for_update=True,
                          populate_existing=True)
    if auth is None:
        raise Refused(Refusal("not_allowed", "Deze machtiging bestaat niet."))
    _require_budget_holder(actor, auth.household_id)
    refuse_if(check_revoke(revoked=auth.revoked_at is not None, ends_on=auth.ends_on,
                           today=now.date()))
    grantee = db.session.get_one(User, auth.grantee_id)
    auth.revoked_at = now
    record("authorization_revoked", actor=actor, household_id=auth.household_id,
           object_type="authorization", object_id=auth.id,
           summary=f"Machtiging van {grantee.name} ingetrokken",
           detail={"grantee_id": grantee.id})
    notify([grantee.id], "machtiging", f"{actor.name} heeft uw machtiging ingetrokken",
           f"U kunt het dossier van {actor.name} niet meer bekijken. Heeft u vragen? "
           f"Neem dan contact op met {actor.name}.")
    db.session.flush()
    return auth


@dataclass(frozen=True)
class AuthorizationRow:
    """One authorisation as a page shows it."""

    id: int
    household_id: int
    person_name: str  # the grantee (budget holder's page) or the budget holder (grantee's page)
    person_email: str
    scope: Scope
    starts_on: dt.date
    ends_on: dt.date
    revoked_on: dt.date | None
    active: bool

    @property
    def ended_on(self) -> dt.date:
        return self.revoked_on or self.ends_on

    @property
    def status(self) -> str:
        """One of portal.vocabulary.AUTHORISATION's statuses."""
        return "ingetrokken" if self.revoked_on else "geldt" if self.active else "afgelopen"


@dataclass(frozen=True)
class AuthorizationList:
    current: list[AuthorizationRow]
    ended: list[AuthorizationRow]


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else as_local(moment, stored_timezone()).date()


def _split(rows: list[AuthorizationRow]) -> AuthorizationList:
    return AuthorizationList(current=[r for r in rows if r.revoked_on is None and r.active],
                             ended=[r for r in rows if not (r.revoked_on is None and r.active)])


def household_authorizations(household_id: int, today: dt.date) -> AuthorizationList:
    """Every authorisation of a household with the grantee's name: current and ended. One query."""
    rows = db.session.execute(
        select(Authorization, User.name, User.email)
        .join(User, User.id == Authorization.grantee_id)
        .where(Authorization.household_id == household_id)
        .order_by(Authorization.ends_on.desc(), Authorization.id.desc())
    ).all()
    return _split([
        AuthorizationRow(a.id, a.household_id, name, email, Scope(a.scope), a.starts_on,
                         a.ends_on, _local_date(a.revoked_at),
                         a.revoked_at is None and a.ends_on >= today)
        for a, name, email in rows])


def represented_by(user: User, today: dt.date) -> AuthorizationList:
    """The people who authorised `user` (a representative or advisor): current ones (active
    today or starting later) and ended ones. Two queries, whatever the number."""
    rows = db.session.scalars(
        select(Authorization).where(Authorization.grantee_id == user.id)
        .order_by(Authorization.ends_on.desc(), Authorization.id.desc())
    ).all()
    household_ids = {a.household_id for a in rows}
    holders: dict[int | None, User] = {}
    if household_ids:
        for user_row in db.session.scalars(
                select(User).where(User.household_id.in_(household_ids),
                                   User.role == Role.BUDGETHOUDER).order_by(User.id.desc())):
            holders[user_row.household_id] = user_row  # the lowest id wins, as budget_holder_of
    result = []
    for a in rows:
        holder = holders.get(a.household_id)
        result.append(AuthorizationRow(
            a.id, a.household_id, holder.name if holder else f"Huishouden {a.household_id}",
            holder.email if holder else "", Scope(a.scope), a.starts_on,
            a.ends_on, _local_date(a.revoked_at), a.revoked_at is None and a.ends_on >= today))
    return _split(result)
