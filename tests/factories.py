"""Builders for every model, for tests. They add and flush; the test's transaction rolls back.

They write rows directly (a known state to start from); the behaviour under test always goes
through the services and rules.
"""

from __future__ import annotations

import datetime as dt
import itertools

from portal.access.constants import Role, Scope
from portal.access.models import Authorization, User
from portal.access.service import hash_password
from portal.agreements.constants import ModelKind, ProviderKind, Relation, VersionStatus
from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.budgets.models import Funder, Grant, Household, Member
from portal.extensions import db
from portal.providers.models import Provider, ProviderLink

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def seq() -> int:
    return next(_seq)


def valid_bsn(n: int | None = None) -> str:
    """A 9-digit number that passes the 11-test, different for each n."""
    n = seq() if n is None else n
    base = 10_000_000 + n * 7
    while True:
        digits = [int(c) for c in f"{base:08d}"]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return f"{base:08d}{last}"
        base += 1


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_funder(kind: FunderKind = FunderKind.GEMEENTE, name: str | None = None) -> Funder:
    return add(Funder(name=name or f"{kind.label} {seq()}", kind=kind))


def make_household(name: str | None = None, **kw) -> Household:
    return add(Household(name=name or f"Huishouden {seq()}", **kw))


def make_member(household: Household | None = None, name: str | None = None, **kw) -> Member:
    household = household or make_household()
    kw.setdefault("birth_date", dt.date(2010, 5, 1))
    return add(Member(household_id=household.id, name=name or f"Lid {seq()}",
                      bsn=kw.pop("bsn", None) or valid_bsn(), **kw))


def make_grant(member: Member | None = None, funder: Funder | None = None, law: Law = Law.WMO,
               year: int = 2026, amount_cents: int = 1_200_000,
               care_kinds: list[str] | None = None, **kw) -> Grant:
    member = member or make_member()
    if funder is None:
        kind = {Law.WMO: FunderKind.GEMEENTE, Law.JEUGDWET: FunderKind.GEMEENTE,
                Law.WLZ: FunderKind.ZORGKANTOOR, Law.ZVW: FunderKind.ZORGVERZEKERAAR}[law]
        funder = make_funder(kind)
    kw.setdefault("period_start", dt.date(year, 1, 1))
    kw.setdefault("period_end", dt.date(year, 12, 31))
    return add(Grant(member_id=member.id, funder_id=funder.id, law=law, amount_cents=amount_cents,
                     care_kinds=care_kinds or [c.value for c in CareKind],
                     reserved_cents=kw.pop("reserved_cents", 0), paid_cents=kw.pop("paid_cents", 0),
                     **kw))


def make_provider(kind: ProviderKind = ProviderKind.PERSOON, name: str | None = None, **kw) -> Provider:
    if kind is ProviderKind.ORGANISATIE:
        kw.setdefault("kvk", "12345678")
        kw.setdefault("agb", "87654321")
    kw.setdefault("iban", "NL91ABNA0417164300")
    return add(Provider(kind=kind, name=name or f"Zorgverlener {seq()}", **kw))


def know_provider(household: Household | int, provider: Provider | int) -> ProviderLink:
    """The household knows this provider (as after registering it), so it can draft an
    agreement with it. Idempotent."""
    household_id = household if isinstance(household, int) else household.id
    provider = provider if isinstance(provider, Provider) else db.session.get(Provider, provider)
    link = db.session.query(ProviderLink).filter_by(household_id=household_id,
                                                    provider_id=provider.id).one_or_none()
    return link or add(ProviderLink(household_id=household_id, provider_id=provider.id,
                                    iban=provider.iban))


def make_agreement(grant: Grant | None = None, provider: Provider | None = None,
                   model: ModelKind = ModelKind.OPDRACHT, *,
                   status: VersionStatus = VersionStatus.GOEDGEKEURD,
                   starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                   lines: list[tuple] | None = None, relation: Relation = Relation.GEEN,
                   household: Household | None = None) -> Agreement:
    """An agreement with one version. lines: (grant, care_kind, unit, tariff_cents, weekly_qty)."""
    grant = grant or make_grant()
    provider = provider or make_provider()
    if household is None:
        household = db.session.get(Household, db.session.get(Member, grant.member_id).household_id)
    agreement = add(Agreement(reference=f"ZO-T{seq():06d}", household_id=household.id,
                              provider_id=provider.id, model=model, relation=relation))
    version = add(AgreementVersion(agreement_id=agreement.id, number=1, status=status,
                                   starts_on=starts_on or grant.period_start,
                                   ends_on=ends_on if ends_on is not None else grant.period_end,
                                   iban=provider.iban))
    for g, care_kind, unit, tariff, weekly in lines or [
        (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 4 * 60)
    ]:
        add(AgreementLine(version_id=version.id, grant_id=g.id, care_kind=care_kind, unit=unit,
                          tariff_cents=tariff, weekly_quantity=weekly))
    db.session.refresh(agreement)
    return agreement


def make_user(role: Role = Role.BUDGETHOUDER, *, email: str | None = None, name: str | None = None,
              **kw) -> User:
    if role is Role.BUDGETHOUDER and "household_id" not in kw:
        kw["household_id"] = make_household().id
    if role is Role.ZORGVERLENER and "provider_id" not in kw:
        kw["provider_id"] = make_provider().id
    if role is Role.CONSULENT and "funder_id" not in kw:
        kw["funder_id"] = make_funder().id
    if PASSWORD not in _hash_cache:
        _hash_cache[PASSWORD] = hash_password(PASSWORD)
    return add(User(email=email or f"user{seq()}@example.nl", name=name or f"Gebruiker {seq()}",
                    role=role, password_hash=_hash_cache[PASSWORD], **kw))


def make_authorization(household: Household, grantee: User, granted_by: User,
                       scope: Scope = Scope.BEKIJKEN, starts_on: dt.date | None = None,
                       ends_on: dt.date | None = None, **kw) -> Authorization:
    return add(Authorization(household_id=household.id, grantee_id=grantee.id,
                             granted_by_id=granted_by.id, scope=scope,
                             starts_on=starts_on or dt.date(2026, 1, 1),
                             ends_on=ends_on or dt.date(2027, 12, 31), **kw))
