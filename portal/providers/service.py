"""Use cases for providers: registering one, linking it to a household, and who has a login.
They add and flush, never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import or_, select

from portal import dates
from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import (
    active_login,
    household_access,
)
from portal.access.service import record
from portal.agreements import rules
from portal.agreements.changes import (
    NOT_ALLOWED,
)
from portal.agreements.constants import (
    ProviderKind,
)
from portal.extensions import db
from portal.providers.models import Provider, ProviderLink
from portal.providers.rules import (
    KnownProvider,
    check_provider_fields,
)
from portal.refusals import Refusal, Refused, refuse_if


def _providers_with_login(provider_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(provider_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(User.provider_id).where(  # a login turned off is none
        active_login(Role.ZORGVERLENER, User.provider_id.in_(ids)))))


def provider_has_login(provider_id: int) -> bool:
    """Can the provider log in to the portal (one query)? Providers registered by a budget
    holder have no login until the payment office makes one."""
    return bool(_providers_with_login([provider_id]))


def provider_login_notice(provider: Provider) -> rules.Notice | None:
    """'X has no login yet; on Delen the payment office makes one' (one query), or None."""
    return rules.provider_login_notice(provider.name, provider_has_login(provider.id),
                                       provider.email)


def _known_providers(iban: str | None, kvk: str | None) -> list[KnownProvider]:
    """Providers of the portal with this IBAN or (organisations) this KvK number. Two queries."""
    conditions = [Provider.iban == iban] if iban else []
    if kvk:
        conditions.append(Provider.kvk == kvk)
    if not conditions:
        return []
    rows = db.session.scalars(select(Provider).where(or_(*conditions)).order_by(Provider.id)).all()
    logins = _providers_with_login(p.id for p in rows)
    return [KnownProvider(p.id, ProviderKind(p.kind), p.name, p.iban, p.kvk, p.id in logins)
            for p in rows]


def _link_provider(household_id: int, provider: Provider, iban: str | None,
                   actor: User | None) -> ProviderLink:
    """The household knows this provider from now on, with this IBAN (None: the provider's)."""
    link = db.session.scalar(select(ProviderLink).where(
        ProviderLink.household_id == household_id, ProviderLink.provider_id == provider.id))
    if link is None:
        link = ProviderLink(household_id=household_id, provider_id=provider.id,
                            iban=iban or provider.iban, added_by_id=actor.id if actor else None)
        db.session.add(link)
    elif iban:
        link.iban = iban
    db.session.flush()
    return link


def create_provider(actor: User, *, kind, name: str, iban: str, kvk: str | None = None,
                    agb: str | None = None, email: str | None = None,
                    household_id: int | None = None, today: dt.date | None = None) -> Provider:
    """Register a care provider (person or organisation); IBAN, KvK and AGB are checked.

    The provider is registered for `household_id` (default: the budget holder's own household),
    which then knows it and can make an agreement with it (check_provider_known).
    """
    if actor is None or actor.role not in (Role.BUDGETHOUDER, Role.VERTEGENWOORDIGER,
                                           Role.ADVISEUR, Role.BEHEERDER):
        raise Refused(Refusal("not_allowed", "U mag geen zorgverleners toevoegen."))
    if household_id is not None:
        access = household_access(actor, household_id, today or dates.today())
        if access is None or not access.can_act:
            raise Refused(NOT_ALLOWED)
    else:
        household_id = actor.household_id
    try:
        kind = ProviderKind(kind)
    except ValueError:
        raise Refused(Refusal("provider_kind_invalid", "Kies of de zorgverlener een persoon of "
                              "een organisatie is.", "kind")) from None
    values, refusals = check_provider_fields(kind, name, iban, kvk, agb, email)
    refuse_if(refusals)
    provider = Provider(kind=kind, **values)
    db.session.add(provider)
    db.session.flush()
    if household_id is not None:
        _link_provider(household_id, provider, provider.iban, actor)
    record("provider.create", actor=actor, household_id=household_id,
           object_type="provider", object_id=provider.id,
           summary=f"Zorgverlener {provider.name} toegevoegd")
    return provider
