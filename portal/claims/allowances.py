"""Use cases of the Wlz yearly allowances as claims (rules: claims.allowance_rules).

The budget holder (or someone who may act for them) asks for the vrij besteedbaar bedrag
(paid to the holder's own account) or gives a care provider a feestdagenuitkering (paid to
the provider). Either becomes a claim of its own kind, submitted at once (its amount reserved
on the member's Wlz budget under the grant's row lock), then checked by the office and paid by
the payment run like a sheet; the ledger check counts its lines like any other.

The grants of the member's year are locked first (budgets.service.lock_grants), so two
requests at the same moment are decided one after the other: the second finds the first.
Never commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from portal.access.models import User
from portal.access.permissions import (
    budget_holder_of,
    household_access,
    household_recipients,
    provider_recipients,
)
from portal.agreements.models import Agreement
from portal.budgets import service as budgets_service
from portal.budgets.constants import ALLOWANCE_LAWS, AllowanceKind, Law, Unit
from portal.budgets.models import AllowanceCap, AllowanceUse, Grant, Household, Member
from portal.budgets.rules import AllowanceFigures
from portal.claims import allowance_rules as rules
from portal.claims.constants import (
    ALLOWANCE_KINDS,
    CORRECTION_KINDS,
    ClaimKind,
    ClaimSource,
    ClaimStatus,
)
from portal.claims.models import Claim, ClaimLine
from portal.claims.rules import Action, PricedLine, Side
from portal.claims.service import _Notice, _set_lines, _transition
from portal.dates import first_of_month, now
from portal.extensions import db
from portal.identifiers import check_iban
from portal.money import format_euro
from portal.providers.models import Provider
from portal.refusals import Refusal, Refused, refuse_if

# What an allowance claim counts as: its kind per allowance.
KIND_OF = {AllowanceKind.VERANTWOORDINGSVRIJ: ClaimKind.VRIJ,
           AllowanceKind.FEESTDAGEN: ClaimKind.FEESTDAGEN}
ALLOWANCE_OF = {claim_kind: kind for kind, claim_kind in KIND_OF.items()}
NOT_COUNTED = (ClaimStatus.AFGEKEURD.value,)

NOT_ALLOWED = Refusal("not_allowed", "U mag voor dit budget geen uitkering aanvragen. Vraag de "
                      "budgethouder om een machtiging om te handelen.")


def _year_grants(member_id: int, year: int) -> list[Grant]:
    """The member's Wlz grants of `year`, locked in id order."""
    ids = db.session.scalars(select(Grant.id).where(
        Grant.member_id == member_id, Grant.law.in_([law.value for law in ALLOWANCE_LAWS]),
        Grant.period_start >= dt.date(year, 1, 1),
        Grant.period_start <= dt.date(year, 12, 31))).all()
    return list(budgets_service.lock_grants(ids).values()) if ids else []


def _allowance_claims(kinds=ALLOWANCE_KINDS):
    """Which claim lines are allowances of `kinds`: the allowance claims, and the corrections
    of them (claims.corrections: their lines keep the allowance as their kind of care)."""
    return or_(Claim.kind.in_([k.value for k in kinds]),
               and_(Claim.kind.in_([k.value for k in CORRECTION_KINDS]),
                    ClaimLine.care_kind.in_([ALLOWANCE_OF[k].value for k in kinds])))


# A line's amount with its claim's sign: a claim-back (of an allowance) takes off.
_SIGNED_CENTS = case((Claim.kind == ClaimKind.TERUGVORDERING.value, -ClaimLine.amount_cents),
                     else_=ClaimLine.amount_cents)


def _allowance_cents(grant_ids: Sequence[int], *, kinds=ALLOWANCE_KINDS, paid_only: bool = False,
                     agreement_id: int | None = None) -> int:
    """What allowance claims (not refused; with their corrections: a back-payment adds, a
    claim-back takes off) and old allowance uses took from these grants. With paid_only:
    those paid (a claim-back: netted), as the grant's paid total counts them."""
    if not grant_ids:
        return 0
    query = (select(func.coalesce(func.sum(_SIGNED_CENTS), 0))
             .join(Claim, Claim.id == ClaimLine.claim_id)
             .where(ClaimLine.grant_id.in_(grant_ids), _allowance_claims(kinds),
                    Claim.status.notin_(NOT_COUNTED)))
    if paid_only:
        query = query.where(Claim.status == ClaimStatus.UITBETAALD)
    if agreement_id is not None:
        query = query.where(Claim.agreement_id == agreement_id)
    cents = int(db.session.scalar(query) or 0)
    if agreement_id is None:
        uses = select(func.coalesce(func.sum(AllowanceUse.amount_cents), 0)).where(
            AllowanceUse.grant_id.in_(grant_ids),
            AllowanceUse.kind.in_([ALLOWANCE_OF[k].value for k in kinds]))
        cents += int(db.session.scalar(uses) or 0)
    return cents


def spent_from_budgets(grants: Sequence[Grant]) -> int:
    """Paid out from these grants for care (sheets and wages), allowances not counted (an
    allowance less what of it was claimed back and netted: _allowance_cents counts the
    corrections of allowance claims, the free amount's claim-back of free_claim_back too)."""
    ids = [g.id for g in grants]
    return sum(g.paid_cents for g in grants) - _allowance_cents(ids, paid_only=True)


@dataclass(frozen=True)
class _Acting:
    household: Household
    member: Member
    on_behalf_of: User | None


def _acting(actor: User, grant_id: int, today: dt.date) -> tuple[_Acting, Grant]:
    grant = db.session.get(Grant, grant_id) if grant_id is not None else None
    member = db.session.get(Member, grant.member_id) if grant is not None else None
    access = household_access(actor, member.household_id, today) if member else None
    if grant is None or member is None or access is None or not access.can_act:
        raise Refused(NOT_ALLOWED)
    household = db.session.get_one(Household, member.household_id)
    on_behalf = budget_holder_of(household.id) if access.on_behalf else None
    return _Acting(household, member, on_behalf), grant


def _line(day: dt.date, kind: AllowanceKind, cents: int, grant_id: int) -> PricedLine:
    # One line of one unit: the amount asked, from the member's Wlz budget.
    return PricedLine(day=day, care_kind=kind.value, unit=Unit.DAGDEEL, quantity=1,
                      tariff_cents=cents, amount_cents=cents, grant_id=grant_id)


def _submit(actor: User, acting: _Acting, claim: Claim, line: PricedLine, summary: str,
            notices) -> Claim:
    def effect() -> None:
        budgets_service.reserve({line.grant_id: line.amount_cents})
        _set_lines(claim, [line])

    return _transition(claim, Action.SUBMIT, Side.HOLDER, actor=actor,
                       on_behalf_of=acting.on_behalf_of, household_id=acting.household.id,
                       audit="allowance_asked", effect=effect, summary=summary,
                       submitted_by_id=actor.id, submitted_at=now(),
                       submitted_on_behalf_of_id=(acting.on_behalf_of.id
                                                  if acting.on_behalf_of else None),
                       notices=notices)


@dataclass(frozen=True)
class FreeVerdict:
    """May the vrij besteedbaar bedrag of a Wlz budget's year be asked now, and how much:
    the one answer both the allowances page and the request read (free_allowance_verdict)."""

    year: int
    spent_cents: int
    amount_cents: int
    earlier: int  # free-amount claims of that year and member (refused ones too)
    refusals: list[Refusal]

    @property
    def may_ask(self) -> bool:
        return not self.refusals


def free_allowance_verdict(household: Household, member_id: int, grants: Sequence[Grant],
                           grant: Grant, today: dt.date) -> FreeVerdict:
    """The rule (allowance_rules.check_free_allowance) on `grant`, one of the member's Wlz
    `grants` of its year: what was spent, what was asked before, the holder's account, what
    the budget can still pay. Writes nothing; the request calls it with the grants locked."""
    year = grant.period_start.year
    earlier = db.session.scalars(select(Claim.status).where(
        Claim.household_id == household.id, Claim.kind == ClaimKind.VRIJ,
        Claim.reference.like(f"VB-{year}-{member_id:06d}%"))).all()
    spent = spent_from_budgets(grants)
    refusals = rules.check_free_allowance(
        law=grant.law, year=year, today=today, spent_cents=spent,
        already_asked=any(s != ClaimStatus.AFGEKEURD for s in earlier),
        holder_iban_ok=bool(household.holder_iban and not check_iban(household.holder_iban)[1]),
        available_cents=grant.available_cents)
    return FreeVerdict(year, spent, rules.free_allowance_amount(spent), len(earlier), refusals)


def ask_free_allowance(actor: User, grant_id: int, today: dt.date) -> Claim:
    """The budget holder asks for the vrij besteedbaar bedrag of the grant's year: 1.5% of
    what was spent from the member's Wlz budgets so far (min EUR 250, max EUR 1,250), paid to
    the holder's own account by the next payment run."""
    acting, grant = _acting(actor, grant_id, today)
    year = grant.period_start.year
    grants = _year_grants(acting.member.id, year) if grant.law in ALLOWANCE_LAWS else [grant]
    grant = next(g for g in grants if g.id == grant_id)
    verdict = free_allowance_verdict(acting.household, acting.member.id, grants, grant, today)
    refuse_if(verdict.refusals)
    amount, spent = verdict.amount_cents, verdict.spent_cents
    suffix = f"-{verdict.earlier + 1}" if verdict.earlier else ""
    claim = Claim(reference=f"VB-{year}-{acting.member.id:06d}{suffix}", agreement_id=None,
                  household_id=acting.household.id, month=first_of_month(today),
                  kind=ClaimKind.VRIJ, source=ClaimSource.PORTAL, prepared_by_id=actor.id)
    return _submit(actor, acting, claim, _line(today, AllowanceKind.VERANTWOORDINGSVRIJ, amount,
                                               grant.id),
                   f"Vrij besteedbaar bedrag {year} aangevraagd voor {acting.member.name}: "
                   f"{format_euro(amount)} (1,5% van {format_euro(spent)} uitgegeven)",
                   lambda claim: [_Notice(household_recipients(acting.household.id),
                                          "allowance_asked",
                                          f"Vrij besteedbaar bedrag {year} aangevraagd",
                                          f"U krijgt {format_euro(amount)} op uw eigen rekening "
                                          "na de volgende betaling.")])


def holiday_care(household_id: int, year: int) -> dict[int, list[dt.date]]:
    """Per agreement of the household: the public holidays of `year` on which its hour sheets
    (handed in, not refused) have care. One query."""
    holidays = rules.public_holidays(year)
    result: dict[int, list[dt.date]] = defaultdict(list)
    for agreement_id, day in db.session.execute(
            select(Claim.agreement_id, ClaimLine.day).distinct()
            .join(ClaimLine, ClaimLine.claim_id == Claim.id)
            .join(Agreement, Agreement.id == Claim.agreement_id)
            .where(Agreement.household_id == household_id, Claim.kind == ClaimKind.UREN,
                   Claim.status.in_([ClaimStatus.INGEDIEND.value, ClaimStatus.GOEDGEKEURD.value,
                                     ClaimStatus.OPGESCHORT.value,
                                     ClaimStatus.UITBETAALD.value]),
                   ClaimLine.day.in_(list(holidays)))
            .order_by(Claim.agreement_id, ClaimLine.day)):
        assert agreement_id is not None  # joined on its agreement above
        result[agreement_id].append(day)
    return dict(result)


def holiday_cap(year: int) -> int | None:
    return db.session.scalar(select(AllowanceCap.cap_cents).where(
        AllowanceCap.law == Law.WLZ.value, AllowanceCap.kind == AllowanceKind.FEESTDAGEN.value,
        AllowanceCap.year == year))


def holiday_allowance_used(grant: Grant, agreement_id: int) -> int:
    """What the provider of an agreement got (or has in progress) as feestdagenuitkering from
    the member's Wlz budgets of the grant's year, corrections counted (the grants locked)."""
    grants = _year_grants(grant.member_id, grant.period_start.year)
    return _allowance_cents([g.id for g in grants], kinds={ClaimKind.FEESTDAGEN},
                            agreement_id=agreement_id)


def ask_holiday_allowance(actor: User, grant_id: int, agreement_id: int, amount_cents: int,
                          today: dt.date) -> Claim:
    """The budget holder gives the provider of an agreement a feestdagenuitkering of the
    grant's year, paid to the provider's account in the agreement by the next payment run."""
    acting, grant = _acting(actor, grant_id, today)
    agreement = db.session.get(Agreement, agreement_id) if agreement_id is not None else None
    if agreement is None or agreement.household_id != acting.household.id:
        raise Refused(Refusal("agreement_unknown", "Kies een zorgverlener met een "
                              "zorgovereenkomst.", "agreement"))
    year = grant.period_start.year
    grants = _year_grants(acting.member.id, year) if grant.law in ALLOWANCE_LAWS else [grant]
    grant = next(g for g in grants if g.id == grant_id)
    provider = db.session.get_one(Provider, agreement.provider_id)
    used = _allowance_cents([g.id for g in grants], kinds={ClaimKind.FEESTDAGEN},
                            agreement_id=agreement.id)
    refuse_if(rules.check_holiday_allowance(
        law=grant.law, year=year, today=today, amount_cents=amount_cents,
        cap_cents=holiday_cap(year), used_cents=used,
        holiday_days=len(holiday_care(acting.household.id, year).get(agreement.id, [])),
        provider_name=provider.name, available_cents=grant.available_cents))
    month = first_of_month(min(today, dt.date(year, 12, 31)))
    day = min(today, grant.period_end)
    claim = Claim(reference=f"FD-{month:%Y%m}-{agreement.id:06d}", agreement_id=agreement.id,
                  household_id=acting.household.id, month=month, kind=ClaimKind.FEESTDAGEN,
                  source=ClaimSource.PORTAL, prepared_by_id=actor.id)
    return _submit(actor, acting, claim, _line(day, AllowanceKind.FEESTDAGEN, amount_cents,
                                               grant.id),
                   f"Feestdagenuitkering {year} voor {provider.name}: {format_euro(amount_cents)}",
                   lambda claim: [_Notice(provider_recipients(agreement.provider_id),
                                          "allowance_asked",
                                          f"Feestdagenuitkering {year}",
                                          f"De budgethouder geeft u een feestdagenuitkering van "
                                          f"{format_euro(amount_cents)}. Het betaalkantoor "
                                          "betaalt die bij de volgende betaling.")])


# --------------------------------------------------------------------------- the figures


def allowance_status(grants: Sequence) -> dict[int, dict[AllowanceKind, AllowanceFigures]]:
    """Per Wlz grant (anything with id, law, period_start) and allowance: the year's cap, what
    is used (asked, not refused; old uses too) and what is left - the member's figures for
    that year, shared by two budgets of one member in one year.

    Vrij besteedbaar bedrag: the cap is what may be asked now (1.5% of what was spent, min
    EUR 250, max EUR 1,250; 0 while nothing was spent), or what was asked. Feestdagenuitkering:
    the yearly cap per provider x the providers who gave care on a public holiday that year
    (at least one); None while the cap of that year is not set. Corrections of allowance claims
    count (a claim-back from when it is recorded). Five queries."""
    wlz = [g for g in grants if g.law in ALLOWANCE_LAWS]
    if not wlz:
        return {}
    given = select(Grant.member_id).where(Grant.id.in_([g.id for g in wlz]))
    rows = db.session.execute(
        select(Grant.id, Grant.member_id, Grant.period_start, Grant.paid_cents, Member.household_id)
        .join(Member, Member.id == Grant.member_id)
        .where(Grant.member_id.in_(given), Grant.law.in_([law.value for law in ALLOWANCE_LAWS]))
    ).all()
    key_of = {gid: (member_id, start.year) for gid, member_id, start, _paid, _h in rows}
    household_of = {member_id: household for _g, member_id, _s, _p, household in rows}
    paid: dict[tuple[int, int], int] = defaultdict(int)
    for gid, _m, _s, cents, _h in rows:
        paid[key_of[gid]] += cents
    used: dict[tuple[tuple[int, int], AllowanceKind], int] = defaultdict(int)
    paid_allowances: dict[tuple[int, int], int] = defaultdict(int)
    for gid, care_kind, status, cents in db.session.execute(
            select(ClaimLine.grant_id, ClaimLine.care_kind, Claim.status,
                   func.sum(_SIGNED_CENTS))
            .join(Claim, Claim.id == ClaimLine.claim_id)
            .where(ClaimLine.grant_id.in_(list(key_of)), _allowance_claims(),
                   Claim.status.notin_(NOT_COUNTED))
            .group_by(ClaimLine.grant_id, ClaimLine.care_kind, Claim.status)):
        used[(key_of[gid], AllowanceKind(care_kind))] += int(cents)
        if status == ClaimStatus.UITBETAALD:
            paid_allowances[key_of[gid]] += int(cents)
    for gid, use_kind, cents in db.session.execute(
            select(AllowanceUse.grant_id, AllowanceUse.kind, func.sum(AllowanceUse.amount_cents))
            .where(AllowanceUse.grant_id.in_(list(key_of)))
            .group_by(AllowanceUse.grant_id, AllowanceUse.kind)):
        used[(key_of[gid], AllowanceKind(use_kind))] += int(cents)
        paid_allowances[key_of[gid]] += int(cents)
    years = {g.period_start.year for g in wlz}
    caps = dict(db.session.execute(select(AllowanceCap.year, AllowanceCap.cap_cents).where(
        AllowanceCap.law == Law.WLZ.value, AllowanceCap.kind == AllowanceKind.FEESTDAGEN.value,
        AllowanceCap.year.in_(years))).all())
    providers = _holiday_providers(set(household_of.values()), years)
    result: dict[int, dict[AllowanceKind, AllowanceFigures]] = {}
    for g in wlz:
        key = key_of.get(g.id)
        if key is None:
            continue
        year = key[1]
        vrij_used = used[(key, AllowanceKind.VERANTWOORDINGSVRIJ)]
        free = vrij_used or rules.free_allowance_amount(paid[key] - paid_allowances[key])
        table = caps.get(year)
        count = max(1, providers.get((household_of[key[0]], year), 0))
        result[g.id] = {
            AllowanceKind.VERANTWOORDINGSVRIJ: AllowanceFigures(
                AllowanceKind.VERANTWOORDINGSVRIJ, year, free, vrij_used),
            AllowanceKind.FEESTDAGEN: AllowanceFigures(
                AllowanceKind.FEESTDAGEN, year, None if table is None else table * count,
                used[(key, AllowanceKind.FEESTDAGEN)]),
        }
    return result


def _holiday_providers(household_ids: set[int], years: set[int]) -> dict[tuple[int, int], int]:
    """(household, year) -> how many of its agreements have care on a public holiday."""
    days = {day for year in years for day in rules.public_holidays(year)}
    if not household_ids or not days:
        return {}
    seen: dict[tuple[int, int], set[int]] = defaultdict(set)
    for household_id, agreement_id, day in db.session.execute(
            select(Agreement.household_id, Agreement.id, ClaimLine.day).distinct()
            .join(Claim, Claim.agreement_id == Agreement.id)
            .join(ClaimLine, ClaimLine.claim_id == Claim.id)
            .where(Agreement.household_id.in_(household_ids), Claim.kind == ClaimKind.UREN,
                   Claim.status.notin_([ClaimStatus.CONCEPT.value,
                                        ClaimStatus.WACHT_OP_AKKOORD.value,
                                        ClaimStatus.AFGEKEURD.value]),
                   ClaimLine.day.in_(sorted(days)))):
        seen[(household_id, day.year)].add(agreement_id)
    return {key: len(ids) for key, ids in seen.items()}


@dataclass(frozen=True)
class AllowanceClaimRow:
    """An allowance claim as the allowances page lists it."""

    id: int
    reference: str
    kind: ClaimKind
    status: ClaimStatus
    amount_cents: int
    payee: str
    asked_on: dt.date | None
    paid_on: dt.date | None


def household_allowance_claims(household_id: int, limit: int = 50) -> list[AllowanceClaimRow]:
    """The household's allowance claims, newest first (one query)."""
    rows = db.session.execute(
        select(Claim.id, Claim.reference, Claim.kind, Claim.status, Claim.total_cents,
               Provider.name, Claim.submitted_at, Claim.paid_on)
        .outerjoin(Agreement, Agreement.id == Claim.agreement_id)
        .outerjoin(Provider, Provider.id == Agreement.provider_id)
        .where(Claim.household_id == household_id,
               Claim.kind.in_([k.value for k in ALLOWANCE_KINDS]))
        .order_by(Claim.id.desc()).limit(limit)).all()
    return [AllowanceClaimRow(cid, ref, ClaimKind(kind), ClaimStatus(status), int(cents),
                              name or "Uw eigen rekening", at.date() if at else None, paid_on)
            for cid, ref, kind, status, cents, name, at, paid_on in rows]


def free_allowance_claim_back(grant: Grant) -> int:
    """What of a paid vrij besteedbaar bedrag is paid back because this budget ended before
    31 December (allowance_rules.claim_back_cents): only for the member's last Wlz budget of
    the year. 0 otherwise."""
    year = grant.period_start.year
    if grant.law not in ALLOWANCE_LAWS or grant.period_end >= dt.date(year, 12, 31):
        return 0
    later = db.session.scalar(select(func.count(Grant.id)).where(
        Grant.member_id == grant.member_id, Grant.law == grant.law,
        Grant.period_start > grant.period_end, Grant.period_start <= dt.date(year, 12, 31)))
    if later:
        return 0
    ids = list(db.session.scalars(select(Grant.id).where(
        Grant.member_id == grant.member_id, Grant.law == grant.law,
        Grant.period_start >= dt.date(year, 1, 1), Grant.period_start <= dt.date(year, 12, 31))))
    paid = _allowance_cents(ids, kinds={ClaimKind.VRIJ}, paid_only=True)
    return rules.claim_back_cents(paid, year, grant.period_end)


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class HolidayChoice:
    agreement_id: int
    provider_name: str
    days: list[dt.date]


@dataclass(frozen=True)
class AllowanceBudget:
    """One Wlz budget on the allowances page: its year's figures and what can be asked."""

    grant_id: int
    member_name: str
    year: int
    free: AllowanceFigures
    holiday: AllowanceFigures
    holiday_choices: list[HolidayChoice]
    claim_back_cents: int
    free_verdict: FreeVerdict  # what the request would answer now (the same rule)


@dataclass(frozen=True)
class AllowancePage:
    household_id: int
    holder_iban: str | None
    budgets: list[AllowanceBudget]
    claims: list[AllowanceClaimRow]


def allowance_page(household_id: int, today: dt.date) -> AllowancePage:
    """The household's Wlz budgets of this year and last year, with the allowance figures per
    year (used and left), the providers who worked on a public holiday, and the claims."""
    household = db.session.get(Household, household_id)
    grants = db.session.scalars(
        select(Grant).join(Member, Member.id == Grant.member_id)
        .where(Member.household_id == household_id,
               Grant.law.in_([law.value for law in ALLOWANCE_LAWS]),
               Grant.period_start >= dt.date(today.year - 1, 1, 1),
               Grant.period_start <= dt.date(today.year, 12, 31))
        .order_by(Grant.period_start.desc(), Grant.member_id)).all()
    figures = allowance_status(grants)
    names = dict(db.session.execute(select(Member.id, Member.name).where(
        Member.household_id == household_id)).all())
    providers = dict(db.session.execute(
        select(Agreement.id, Provider.name).join(Provider, Provider.id == Agreement.provider_id)
        .where(Agreement.household_id == household_id)).all())
    care = {year: holiday_care(household_id, year) for year in {g.period_start.year for g in grants}}
    of_year: dict[tuple[int, int], list[Grant]] = defaultdict(list)
    for grant in grants:
        of_year[(grant.member_id, grant.period_start.year)].append(grant)
    budgets = []
    for grant in grants:
        year = grant.period_start.year
        assert household is not None  # it has grants
        verdict = free_allowance_verdict(household, grant.member_id,
                                         of_year[(grant.member_id, year)], grant, today)
        choices = [HolidayChoice(aid, providers.get(aid, ""), days)
                   for aid, days in sorted(care[year].items())]
        budgets.append(AllowanceBudget(
            grant_id=grant.id, member_name=names.get(grant.member_id, ""), year=year,
            free=figures[grant.id][AllowanceKind.VERANTWOORDINGSVRIJ],
            holiday=figures[grant.id][AllowanceKind.FEESTDAGEN], holiday_choices=choices,
            claim_back_cents=free_allowance_claim_back(grant), free_verdict=verdict))
    return AllowancePage(household_id, household.holder_iban if household else None, budgets,
                         household_allowance_claims(household_id))
