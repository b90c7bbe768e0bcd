"""Who may see or act on a household's file. Used by every area's permissions and services.

A budget holder owns their household's file. A representative or advisor reaches it only
through an authorisation (machtiging) that is active today: started, not ended, not revoked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.sql.elements import ColumnElement

from portal.access.constants import Role, Scope
from portal.access.models import Authorization, User
from portal.database import id_in
from portal.extensions import db
from portal.refusals import Refusal, Refused


@dataclass(frozen=True)
class HouseholdAccess:
    household_id: int
    can_act: bool
    on_behalf: bool  # True when the user is not the budget holder (log it, say "namens")


def is_office(actor: User | None, *, system: bool = True) -> bool:
    """Is `actor` the payment office? None is the system itself (the command line, a job, the
    demo seed), which counts as the office unless `system` is False (a person must act)."""
    if actor is None:
        return system
    return actor.role == Role.BEHEERDER


def is_office_or(actor: User | None, role: Role) -> bool:
    """Is `actor` the payment office (or the system itself, see is_office), or a person with
    `role` (a consulent, say)?"""
    return is_office(actor) or (actor is not None and actor.role == role)


def require_office(actor: User | None, what: str, *, system: bool = True,
                   code: str = "not_allowed") -> None:
    """The one check of 'only the payment office may do this': Refused ("Alleen het
    betaalkantoor kan <what>.") for anyone else; None, the system itself, passes unless
    `system` is False (see is_office)."""
    if not is_office(actor, system=system):
        raise Refused(Refusal(code, f"Alleen het betaalkantoor kan {what}."))


def active_login(role: Role, *criteria) -> ColumnElement[bool]:
    """The condition on User: a login of `role` that can log in (the payment office did not
    turn it off), meeting `criteria` (User.provider_id == ...). The one definition of 'has a
    login', for the queries that ask who still needs one and who gets a message. An API key's
    own account (User.is_machine) is never a login, even turned on."""
    return and_(User.role == role, User.is_active_account.is_(True), ~User.is_machine, *criteria)


def provider_recipients(provider_id: int) -> list[int]:
    """Who is told about a care provider's agreements, sheets and payments: its logins that can
    log in (a login turned off, and an API key's own account, gets no messages)."""
    return list(db.session.scalars(select(User.id).where(
        active_login(Role.ZORGVERLENER, User.provider_id == provider_id)).order_by(User.id)))


def providers_recipients(provider_ids) -> dict[int, list[int]]:
    """provider_recipients of many providers in one query (a batch of a bulk job): per
    provider id, its logins' ids in order; a provider without any is left out."""
    found: dict[int, list[int]] = {}
    for user_id, provider_id in db.session.execute(
            select(User.id, User.provider_id).where(active_login(
                Role.ZORGVERLENER, id_in(User.provider_id, provider_ids))).order_by(User.id)):
        assert provider_id is not None  # selected by provider id
        found.setdefault(provider_id, []).append(user_id)
    return found


def household_recipients(household_id: int) -> list[int]:
    """Who is told about a household's agreements, sheets and payments: its budget holder's
    logins that can log in."""
    return list(db.session.scalars(select(User.id).where(
        active_login(Role.BUDGETHOUDER, User.household_id == household_id)).order_by(User.id)))


def authorization_is_active(auth: Authorization, today: dt.date) -> bool:
    return auth.revoked_at is None and auth.starts_on <= today <= auth.ends_on


def household_access(user: User | None, household_id: int, today: dt.date) -> HouseholdAccess | None:
    """The access `user` has to a household's file today, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.BUDGETHOUDER and user.household_id == household_id:
        return HouseholdAccess(household_id, can_act=True, on_behalf=False)
    if user.role not in (Role.VERTEGENWOORDIGER, Role.ADVISEUR, Role.BUDGETHOUDER):
        return None
    auths = db.session.scalars(
        select(Authorization).where(Authorization.household_id == household_id,
                                    Authorization.grantee_id == user.id)
    ).all()
    active = [a for a in auths if authorization_is_active(a, today)]
    if not active:
        return None
    return HouseholdAccess(household_id, can_act=any(a.scope == Scope.HANDELEN for a in active),
                           on_behalf=True)


def budget_holder_of(household_id: int) -> User | None:
    return db.session.scalar(
        select(User).where(User.household_id == household_id, User.role == Role.BUDGETHOUDER)
        .order_by(User.id).limit(1)
    )


def budget_holder_names(household_ids) -> dict[int, str]:
    """Per household: the budget holder's name (the first budget holder account, as
    budget_holder_of). One query."""
    ids = sorted(set(household_ids))
    names: dict[int, str] = {}
    if ids:
        for household_id, name in db.session.execute(
                select(User.household_id, User.name)
                .where(User.household_id.in_(ids), User.role == Role.BUDGETHOUDER)
                .order_by(User.id)):
            if household_id is not None:  # never: the query asks for these households
                names.setdefault(household_id, name)
    return names


@dataclass(frozen=True)
class FileAuthority:
    """On what authority someone works in another person's file today: whose file it is,
    whether they may act or only look, and until when (the last day of the widest active
    authorisation). The bar above a client's file says this."""

    household_id: int
    holder_name: str
    can_act: bool
    ends_on: dt.date


def file_authority(user: User | None, household_id: int, today: dt.date) -> FileAuthority | None:
    """The authority `user` has in household `household_id`'s file on behalf of its budget
    holder, or None (no authorisation active today, or it is the user's own file). Two queries."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role not in (Role.VERTEGENWOORDIGER, Role.ADVISEUR, Role.BUDGETHOUDER):
        return None
    if user.role == Role.BUDGETHOUDER and user.household_id == household_id:
        return None
    active = [a for a in db.session.scalars(
        select(Authorization).where(Authorization.household_id == household_id,
                                    Authorization.grantee_id == user.id))
        if authorization_is_active(a, today)]
    if not active:
        return None
    acting = [a for a in active if a.scope == Scope.HANDELEN]
    holder = budget_holder_of(household_id)
    return FileAuthority(household_id, holder.name if holder else f"huishouden {household_id}",
                         can_act=bool(acting), ends_on=max(a.ends_on for a in acting or active))
