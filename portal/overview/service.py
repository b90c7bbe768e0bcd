"""Budget usage and prognosis of one household, per budget and as one integral total.
Long because: every read of the start page (budgets, what waits, paid figures) in one place.

Three queries, whatever the number of members, budgets, agreements, months or claims:

1. the household's current grants, joined with member and funder;
2. the approved agreement versions (with their lines) of every agreement that pays from
   one of those grants;
3. the monthly claim totals per grant, month of care and status (one GROUP BY).

Granted, paid and in progress come from the grant's own running totals (paid_cents,
reserved_cents); the history sums of query 3 only feed the chart and the pace.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select

from portal.agreements.constants import OPEN_STATUSES, VersionStatus
from portal.agreements.costs import cost_by_grant_cents
from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.agreements.periods import EVER_APPROVED, VersionPeriod, coverage
from portal.budgets.constants import Law, Unit
from portal.budgets.models import AllowanceUse, Funder, Grant, Member
from portal.budgets.rules import (
    BudgetUsage,
    HouseholdTotal,
    Verdict,
    budget_usage,
    budget_verdict,
    household_total,
    months_over,
    shortfall_cents,
    will_not_last,
)
from portal.claims import rules as claim_rules
from portal.claims.constants import RESERVED_STATUSES, ClaimKind, ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.claims.rules import first_claimable_month, submit_deadline
from portal.dates import add_months, first_of_month, format_day, last_of_month
from portal.dates import today as clock_today
from portal.extensions import db
from portal.providers.models import Provider

COUNTED_STATUSES = frozenset(RESERVED_STATUSES | {ClaimStatus.UITBETAALD})


@dataclass(frozen=True)
class MonthSpending:
    month: dt.date  # first day
    paid_cents: int
    in_progress_cents: int

    @property
    def cents(self) -> int:
        return self.paid_cents + self.in_progress_cents


@dataclass(frozen=True)
class GrantFacts:
    """What budgets.service.allowance_status reads of a grant, without loading the Grant again."""

    id: int
    law: Law
    period_start: dt.date
    amount_cents: int


@dataclass(frozen=True)
class BudgetRow:
    """One budget: member x law x period, with its figures and its monthly spending."""

    grant_id: int
    member_id: int
    member_name: str
    law: Law
    funder_name: str
    usage: BudgetUsage
    monthly: list[tuple[dt.date, int]]  # (month, paid + in progress) for a chart
    monthly_detail: list[MonthSpending] = field(default_factory=list)
    today: dt.date | None = None  # the day the figures are for (None: the period is current)

    @property
    def law_label(self) -> str:
        return self.law.label

    @property
    def period_start(self) -> dt.date:
        return self.usage.period_start

    @property
    def period_end(self) -> dt.date:
        return self.usage.period_end

    @property
    def will_not_last(self) -> bool:
        return will_not_last(self.usage)

    @property
    def last_year(self) -> bool:
        """An earlier budget, still shown while its sheets come in or are paid."""
        return self.today is not None and self.usage.period_end < self.today

    @property
    def when_label(self) -> str:
        """'' for a current budget; else what the start page says next to it."""
        if self.last_year:
            assert self.today is not None
            which = (f"budget van vorig jaar ({self.period_start.year})"
                     if self.period_end.year == self.today.year - 1 else
                     f"budget tot en met {format_day(self.period_end)}")
            return (f"{which}: urenbriefjes over die maanden kunnen nog worden ingediend of "
                    "worden nog betaald")
        if self.next_year:
            return f"budget vanaf {format_day(self.period_start)}"
        return ""

    @property
    def next_year(self) -> bool:
        """A budget granted for a period that has not begun."""
        return self.today is not None and self.usage.period_start > self.today

    @property
    def shortfall_cents(self) -> int:
        return shortfall_cents(self.usage)

    @property
    def verdict(self) -> Verdict:
        """The budget's verdict label (budgets.rules.budget_verdict on the day of the
        figures): the start page's card and the paper statement both read this one."""
        return budget_verdict(self.usage, self.today if self.today is not None else clock_today())

    @property
    def allowance_facts(self) -> GrantFacts:
        return GrantFacts(self.grant_id, self.law, self.usage.period_start,
                          self.usage.granted_cents)


@dataclass(frozen=True)
class HouseholdUsage:
    household_id: int
    today: dt.date
    rows: list[BudgetRow]
    total: HouseholdTotal
    monthly_total: list[tuple[dt.date, int]]  # all budgets together, per month

    @property
    def warnings(self) -> list[BudgetRow]:
        return [r for r in self.rows if r.will_not_last or r.usage.runout_month is not None]


def household_grant_rows(household_id: int, first: dt.date, last: dt.date, *,
                         in_progress: bool = False) -> Sequence[Any]:
    """The household's grants whose period overlaps [first, last], with member and funder;
    in_progress: also earlier grants that still have money in progress (being paid).

    One query. Each row: id, member_id, member_name, law, funder_name, period_start,
    period_end, amount_cents, paid_cents, reserved_cents; ordered by member, law, period.
    """
    return db.session.execute(
        select(Grant.id, Grant.member_id, Member.name.label("member_name"), Grant.law,
               Funder.name.label("funder_name"), Grant.period_start, Grant.period_end,
               Grant.amount_cents, Grant.paid_cents, Grant.reserved_cents)
        .join(Member, Member.id == Grant.member_id)
        .join(Funder, Funder.id == Grant.funder_id)
        .where(Member.household_id == household_id, Grant.period_start <= last,
               (Grant.period_end >= first) | (Grant.reserved_cents > 0) if in_progress
               else Grant.period_end >= first)
        .order_by(Member.id, Grant.law, Grant.period_start, Grant.id)
    ).all()


def monthly_claim_totals(grant_ids: list[int], first: dt.date | None = None,
                         last: dt.date | None = None) -> Sequence[Any]:
    """The claim totals per grant, agreement, month of care, status (COUNTED_STATUSES) and kind
    (an hour sheet or a monthly wage).

    One GROUP BY. Rows: (grant_id, agreement_id, month, status, kind, cents); only the months of care
    in [first, last] when given, else every month.
    """
    query = (
        select(ClaimLine.grant_id, Claim.agreement_id, Claim.month, Claim.status, Claim.kind,
               func.sum(ClaimLine.amount_cents))
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .where(ClaimLine.grant_id.in_(grant_ids),
               Claim.status.in_([s.value for s in COUNTED_STATUSES]))
        .group_by(ClaimLine.grant_id, Claim.agreement_id, Claim.month, Claim.status,
                  Claim.kind)
    )
    if first is not None:
        query = query.where(Claim.month >= first)
    if last is not None:
        query = query.where(Claim.month <= last)
    return db.session.execute(query).all()


def spending_of(status: str, kind: str, cents: int | None) -> tuple[int, int] | None:
    """Where a row of monthly_claim_totals counts in a month's spending: (0 paid or 1 in
    progress, cents). A claim-back counts once netted, as paid money given back (negative);
    before that it is in neither (None)."""
    if kind == ClaimKind.TERUGVORDERING:
        return (0, -int(cents or 0)) if status == ClaimStatus.UITBETAALD else None
    return (0 if status == ClaimStatus.UITBETAALD else 1), int(cents or 0)


def household_usage(household_id: int, today: dt.date) -> HouseholdUsage:
    """Usage and prognosis of the household's budgets: those running `today`, those granted
    for later, and earlier ones while sheets of their months can still be handed in or paid
    (BudgetRow.last_year / next_year say which).

    Committed cost: what the approved agreement versions that govern days (see
    agreements.periods.coverage) will still cost each grant, in two parts:

    - the open months: months that are over, whose claim deadline (claims.rules.submit_deadline,
      6 + 4 weeks) has not passed, and for which the agreement has no submitted sheet yet (a
      concept, a sheet waiting for the budget holder or a refused one does not count): that care
      was given and will still be claimed, so it is in neither paid nor in progress. Only the
      lines a sheet claims count here (a fixed monthly wage is not claimed on a sheet);
    - from the start of the current month (or the grant's start, if later) to the end of the
      grant's period, cut at the version's last day.

    The open months are left out of the current pace (their spending is not known yet) and use
    up the budget first in the run-out month (budgets.rules.budget_usage). The price comes from
    agreements.costs.cost_by_grant_cents (the one home of the cost rule: weekly cost x days / 7,
    a fixed monthly wage once per calendar month touched, the capped tariff when topped up).
    """
    # 1. grants + member + funder: those running today, those granted for later (next year's
    # as soon as they are granted), and those that ended while sheets of their months can
    # still be handed in (claims.rules.first_claimable_month) or are still being paid.
    grant_rows = household_grant_rows(household_id, first_claimable_month(today), dt.date.max,
                                      in_progress=True)
    if not grant_rows:
        return HouseholdUsage(household_id, today, [], household_total([]), [])
    ids = [r.id for r in grant_rows]

    # 2. approved versions (all of them, per agreement, for coverage) and their lines
    agreements_paying = (
        select(AgreementVersion.agreement_id)
        .join(AgreementLine, AgreementLine.version_id == AgreementVersion.id)
        .where(AgreementLine.grant_id.in_(ids))
    )
    version_rows = db.session.execute(
        select(AgreementVersion.agreement_id, AgreementVersion.id, AgreementVersion.number,
               AgreementVersion.status, AgreementVersion.starts_on, AgreementVersion.ends_on,
               AgreementVersion.ended_on, AgreementLine.id.label("line_id"),
               AgreementLine.grant_id, AgreementLine.unit, AgreementLine.tariff_cents,
               AgreementLine.budget_tariff_cents, AgreementLine.weekly_quantity)
        .outerjoin(AgreementLine, AgreementLine.version_id == AgreementVersion.id)
        .where(AgreementVersion.agreement_id.in_(agreements_paying),
               AgreementVersion.status.in_([s.value for s in EVER_APPROVED]))
        .order_by(AgreementVersion.agreement_id, AgreementVersion.number, AgreementLine.id)
    ).all()
    versions: dict[int, dict[int, VersionPeriod]] = defaultdict(dict)
    # per version, per grant: the lines (rows carry grant_id, unit, tariff_cents,
    # budget_tariff_cents and weekly_quantity, what agreements.costs' functions read)
    lines: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in version_rows:
        versions[row.agreement_id][row.id] = VersionPeriod(row.number, row.status, row.starts_on,
                                                           row.ends_on, row.ended_on)
        if row.line_id is not None:
            lines[row.id][row.grant_id].append(row)

    # 3. monthly claim totals per grant, agreement, month of care and status
    spending: dict[int, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    submitted: set[tuple[int, dt.date]] = set()  # (agreement, month) with a sheet in the figures
    wage_months: set[tuple[int, dt.date]] = set()  # (agreement, month) with its wage put ready
    for grant_id, agreement_id, month, status, kind, cents in monthly_claim_totals(ids):
        counted = spending_of(status, kind, cents)
        if counted is None:
            continue
        spending[grant_id][month][counted[0]] += counted[1]
        if kind == ClaimKind.LOON:
            wage_months.add((agreement_id, month))
        elif kind == ClaimKind.UREN:  # an allowance claim is no sheet of that month
            submitted.add((agreement_id, month))

    # committed cost per grant, and the open months per grant
    this_month = first_of_month(today)
    claimable = sorted(m for m in (add_months(this_month, -k) for k in range(1, 5))
                       if submit_deadline(m) >= today)
    periods = {r.id: (r.period_start, r.period_end) for r in grant_rows}
    committed: dict[int, int] = defaultdict(int)
    open_months: dict[int, set[dt.date]] = defaultdict(set)
    for agreement_id, agreement_versions in versions.items():
        by_number = {v.number: vid for vid, v in agreement_versions.items()}
        governed = coverage(list(agreement_versions.values()))
        for vp, first, last in governed:
            for grant_id, grant_lines in lines[by_number[vp.number]].items():
                if grant_id not in periods:
                    continue
                g_start, g_end = periods[grant_id]
                committed[grant_id] += cost_by_grant_cents(
                    grant_lines, first, last, max(this_month, g_start), g_end).get(grant_id, 0)
                claimed_on_sheets = [ln for ln in grant_lines if ln.unit != Unit.MAANDLOON]
                for month in claimable:
                    if (agreement_id, month) in submitted or not claimed_on_sheets:
                        continue
                    start, end = max(month, g_start), min(last_of_month(month), g_end)
                    cost = cost_by_grant_cents(claimed_on_sheets, first, last, start,
                                               end).get(grant_id, 0) if start <= end else 0
                    if cost > 0:
                        committed[grant_id] += cost
                        open_months[grant_id].add(month)
                # A fixed monthly wage of a month that is over is owed until a run puts it
                # ready (claims.service.make_wage_claims), whatever the sheet deadlines.
                wages = [ln for ln in grant_lines if ln.unit == Unit.MAANDLOON]
                month = first_of_month(max(first, g_start))
                while wages and month < this_month:
                    if (agreement_id, month) not in wage_months:
                        start, end = max(month, g_start), min(last_of_month(month), g_end)
                        cost = cost_by_grant_cents(wages, first, last, start, end
                                                   ).get(grant_id, 0) if start <= end else 0
                        if cost > 0:
                            committed[grant_id] += cost
                            open_months[grant_id].add(month)
                    month = add_months(month, 1)

    rows: list[BudgetRow] = []
    month_totals: dict[dt.date, int] = defaultdict(int)
    for (grant_id, member_id, member_name, law, funder_name, start, end, amount, paid,
         reserved) in grant_rows:
        per_month = spending.get(grant_id, {})
        months = sorted(set(months_over(start, end, today)) | set(per_month))
        detail = [MonthSpending(m, per_month.get(m, [0, 0])[0], per_month.get(m, [0, 0])[1])
                  for m in months]
        usage = budget_usage(granted_cents=amount, paid_cents=paid, in_progress_cents=reserved,
                             committed_cents=committed.get(grant_id, 0), period_start=start,
                             period_end=end, monthly_spending={d.month: d.cents for d in detail},
                             today=today, open_months=open_months.get(grant_id, set()))
        for d in detail:
            month_totals[d.month] += d.cents
        rows.append(BudgetRow(grant_id=grant_id, member_id=member_id, member_name=member_name,
                              law=Law(law), funder_name=funder_name, usage=usage,
                              monthly=[(d.month, d.cents) for d in detail], monthly_detail=detail,
                              today=today))
    return HouseholdUsage(household_id=household_id, today=today, rows=rows,
                          # next year's budgets are shown, but not yet part of the total
                          total=household_total(r.usage for r in rows if not r.next_year),
                          monthly_total=sorted(month_totals.items()))


# --------------------------------------------------------------------------------------------
# What waits for someone: the start page's warnings besides the budgets themselves
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingAgreement:
    """A version of an agreement that the funder still has to review (ter beoordeling)."""

    agreement_id: int
    reference: str
    provider_name: str
    version_number: int
    starts_on: dt.date
    funder_names: str = ""  # "Gemeente Utrecht" or "Zorgkantoor X en Zorgverzekeraar Y"


@dataclass(frozen=True)
class WaitingSheet:
    """An hour sheet a provider prepared, waiting for the budget holder's approval."""

    claim_id: int
    reference: str
    provider_name: str
    month: dt.date
    total_cents: int
    agreement_id: int = 0


@dataclass(frozen=True)
class OpenAgreement:
    """A version on its way that is not at the funder: a concept, shared with the provider,
    signed by the provider (the budget holder signs next) or refused by the funder."""

    agreement_id: int
    reference: str
    provider_name: str
    version_number: int
    status: str


@dataclass(frozen=True)
class SheetElsewhere:
    """A sheet someone else is busy with: the provider (concept) or the office (submitted,
    being checked, approved and waiting for the payment run)."""

    claim_id: int
    reference: str
    provider_name: str
    month: dt.date
    total_cents: int
    status: str
    agreement_id: int = 0


@dataclass(frozen=True)
class Attention:
    agreements_waiting: list[WaitingAgreement]
    sheets_waiting: list[WaitingSheet]
    agreements_open: list[OpenAgreement] = field(default_factory=list)
    sheets_elsewhere: list[SheetElsewhere] = field(default_factory=list)


SHEETS_ELSEWHERE = (ClaimStatus.CONCEPT, ClaimStatus.INGEDIEND, ClaimStatus.OPGESCHORT,
                    ClaimStatus.GOEDGEKEURD)


def household_attention(household_id: int) -> Attention:
    """What waits for someone in one household's file (households_attention for one)."""
    return households_attention([household_id])[household_id]


def households_attention(household_ids) -> dict[int, Attention]:
    """Per household, what waits for someone in its file: agreement versions on their way (at
    the funder, with the provider, with the budget holder) and sheets waiting for the budget
    holder or being handled by the provider or the office. The one home of the start page's
    tasks and of the counts on 'Mijn klanten' (overview.files). Three queries, whatever the
    number of files."""
    ids = sorted(set(household_ids))
    found: dict[int, Attention] = {i: Attention([], []) for i in ids}
    if not ids:
        return found
    versions = db.session.execute(
        select(Agreement.id, Agreement.reference, Provider.name, AgreementVersion.number,
               AgreementVersion.starts_on, AgreementVersion.status, AgreementVersion.id,
               Agreement.household_id)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(Provider, Provider.id == Agreement.provider_id)
        .where(Agreement.household_id.in_(ids),
               AgreementVersion.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(AgreementVersion.starts_on, Agreement.id, AgreementVersion.number)).all()
    at_funder = [v for v in versions if v.status == VersionStatus.TER_BEOORDELING]
    funders: dict[int, list[str]] = defaultdict(list)
    if at_funder:
        for version_id, name in db.session.execute(
                select(AgreementLine.version_id, Funder.name).distinct()
                .join(Grant, Grant.id == AgreementLine.grant_id)
                .join(Funder, Funder.id == Grant.funder_id)
                .where(AgreementLine.version_id.in_([v[6] for v in at_funder]))
                .order_by(AgreementLine.version_id, Funder.name)):
            funders[version_id].append(name)
    for v in versions:
        attention = found[v.household_id]
        if v.status == VersionStatus.TER_BEOORDELING:
            attention.agreements_waiting.append(
                WaitingAgreement(*v[:5], funder_names=" en ".join(funders.get(v[6], []))))
        else:
            attention.agreements_open.append(OpenAgreement(v[0], v[1], v[2], v[3], str(v[5])))
    for row in db.session.execute(
            select(Claim.id, Claim.reference, Provider.name, Claim.month, Claim.total_cents,
                   Claim.status, Claim.agreement_id, Agreement.household_id, Claim.kind)
            .join(Agreement, Agreement.id == Claim.agreement_id)
            .join(Provider, Provider.id == Agreement.provider_id)
            .where(Agreement.household_id.in_(ids),
                   Claim.status.in_([s.value for s in (ClaimStatus.WACHT_OP_AKKOORD,
                                                       *SHEETS_ELSEWHERE)]))
            .order_by(Claim.month, Claim.id)):
        attention = found[row.household_id]
        shown = (*row[:4], claim_rules.claim_amount_cents(row.kind, row.total_cents))
        if row.status == ClaimStatus.WACHT_OP_AKKOORD:
            attention.sheets_waiting.append(WaitingSheet(*shown, agreement_id=row.agreement_id))
        else:
            attention.sheets_elsewhere.append(SheetElsewhere(
                *shown, status=str(row.status), agreement_id=row.agreement_id))
    return found


# --------------------------------------------------------------------------------------------
# Figures that appear on two pages: one function each
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaidFigures:
    """'Uitbetaald' of the budgets on the start page, and what it is made of. The start page's
    total and the explanation on Betalingen both read this (one home): the budgets' paid
    amount holds the sheets paid to providers and the Wlz allowances paid to the holder."""

    paid_cents: int        # every budget the start page counts in its total
    allowances_cents: int  # of which the yearly Wlz allowances (not paid to a provider)

    @property
    def providers_cents(self) -> int:
        return self.paid_cents - self.allowances_cents


def paid_figures(usage: HouseholdUsage) -> PaidFigures:
    """The paid figures of the budgets in the start page's total (usage.total: next year's
    budgets left out). One query: the allowance uses on those budgets, and what was paid
    from them to the holder's own account (the free amount, less a claim-back netted)."""
    ids = [r.grant_id for r in usage.rows if not r.next_year]
    if not ids:
        return PaidFigures(paid_cents=usage.total.paid_cents, allowances_cents=0)
    uses = (select(func.coalesce(func.sum(AllowanceUse.amount_cents), 0))
            .where(AllowanceUse.grant_id.in_(ids)).scalar_subquery())
    to_holder = (select(func.coalesce(func.sum(case(
        (Claim.kind == ClaimKind.TERUGVORDERING.value, -ClaimLine.amount_cents),
        else_=ClaimLine.amount_cents)), 0))
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .where(ClaimLine.grant_id.in_(ids), Claim.agreement_id.is_(None),
               Claim.status == ClaimStatus.UITBETAALD).scalar_subquery())
    used, paid_to_holder = db.session.execute(select(uses, to_holder)).one()
    allowances = int(used or 0) + int(paid_to_holder or 0)
    return PaidFigures(paid_cents=usage.total.paid_cents, allowances_cents=allowances)
