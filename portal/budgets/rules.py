"""Pure decisions about budgets: no Flask, no session. Plain data in, verdict out.

Long because: the prognosis and its what-if share the run-out rule and stay together.

- check_grant / check_member / check_household_name: what a funder or the back office can get
  wrong when registering; check_grant_end: a budget that ends earlier than granted.
- free_allowance_cap / check_allowance_use / allowance_figures: the Wlz yearly allowances.
- budget_usage / will_not_last / household_total: the usage figures and the prognosis;
  runout_month its run-out rule, what_if the budget page's what-if on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from portal.budgets.constants import (
    ALLOWANCE_LAWS,
    CLOSE_TO_CAP_PERCENT,
    FREE_ALLOWANCE_MAX_CENTS,
    FREE_ALLOWANCE_MIN_CENTS,
    FREE_ALLOWANCE_PERCENT,
    GRANT_AMOUNT_MAX_CENTS,
    LAWS_BY_FUNDER_KIND,
    OLDEST_AGE_YEARS,
    AllowanceKind,
    CareKind,
    FunderKind,
    Law,
)
from portal.dates import (
    add_months,
    check_date_range,
    first_of_month,
    format_day,
    format_month,
    months_between,
)
from portal.money import format_euro, percentage_of
from portal.refusals import Refusal

# --------------------------------------------------------------------------------------------
# Registering households, members and grants
# --------------------------------------------------------------------------------------------


def check_household_name(name: str) -> list[Refusal]:
    if not str(name or "").strip():
        return [Refusal("name_missing", "Vul de naam van het huishouden in, bijvoorbeeld "
                        "'Familie Jansen'.", "name")]
    if len(name.strip()) > 200:
        return [Refusal("name_too_long", "Deze naam is te lang. Gebruik ten hoogste 200 tekens.",
                        "name")]
    return []


def check_member(*, name: str, birth_date: dt.date, today: dt.date, household_known: bool,
                 bsn_refusals: Sequence[Refusal], bsn_taken: bool) -> list[Refusal]:
    """Checks of a new member. bsn_refusals: what portal.identifiers.check_bsn said."""
    refusals: list[Refusal] = []
    if not household_known:
        refusals.append(Refusal("household_unknown", "Dit huishouden bestaat niet. Kies een "
                                "bestaand huishouden of maak het eerst aan.", "household"))
    if not str(name or "").strip():
        refusals.append(Refusal("name_missing", "Vul de naam van het gezinslid in.", "name"))
    elif len(name.strip()) > 200:
        refusals.append(Refusal("name_too_long", "Deze naam is te lang. Gebruik ten hoogste "
                                "200 tekens.", "name"))
    refusals.extend(bsn_refusals)
    if bsn_taken:
        refusals.append(Refusal("bsn_taken", "Er is al een gezinslid met dit burgerservicenummer. "
                                "Controleer het nummer, of zoek het bestaande gezinslid op.", "bsn"))
    if birth_date > today:
        refusals.append(Refusal("birth_date_in_future", "De geboortedatum ligt in de toekomst. "
                                "Controleer de datum.", "birth_date"))
    elif birth_date < add_months(today, -12 * OLDEST_AGE_YEARS):
        refusals.append(Refusal("birth_date_implausible", f"De geboortedatum ligt meer dan "
                                f"{OLDEST_AGE_YEARS} jaar terug. Controleer het jaartal.",
                                "birth_date"))
    return refusals


@dataclass(frozen=True)
class GrantInput:
    """What a funder fills in for a toekenning."""

    law: str
    period_start: dt.date
    period_end: dt.date
    amount_cents: int
    care_kinds: Sequence[str]
    decision_reference: str = ""


def last_day_of_one_year(start: dt.date) -> dt.date:
    """The last day a period that starts on `start` may have: one year minus a day, i.e. the day
    before the same date next year. A start on 29 February has its anniversary on 1 March (there
    is no 29 February next year), so it may end on 28 February."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = dt.date(start.year + 1, 3, 1)
    return anniversary - dt.timedelta(days=1)


def periods_overlap(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def _period_refusals(data: GrantInput, law: Law | None) -> list[Refusal]:
    """A grant's period (its days the portal handles): forward, at most a year, a Wlz budget
    within one calendar year."""
    if data.period_end < data.period_start:
        return [Refusal("period_reversed", "De einddatum ligt voor de begindatum. Controleer "
                        "beide datums.", "period_end")]
    if data.period_end > last_day_of_one_year(data.period_start):
        return [Refusal("period_too_long", "Een toekenning duurt ten hoogste een jaar. Laat deze "
                        f"eindigen op of voor {format_day(last_day_of_one_year(data.period_start))}"
                        ", en registreer de periode daarna als nieuwe toekenning.", "period_end")]
    if law in ALLOWANCE_LAWS and data.period_start.year != data.period_end.year:
        return [Refusal("period_crosses_year", f"Een {law.label}-budget geldt per kalenderjaar. "
                        f"Laat de toekenning eindigen op 31 december {data.period_start.year} en "
                        "registreer het volgende jaar apart.", "period_end")]
    return []


def check_grant_end(*, period_start: dt.date, period_end: dt.date, ended_on: dt.date,
                    reason: str | None, last_care_day: dt.date | None) -> list[Refusal]:
    """May a budget end earlier than granted, on `ended_on` (care in kind, death)? Every
    reason. last_care_day: the last day of care claimed from it (sheets not refused), which
    must stay inside the budget."""
    refusals: list[Refusal] = []
    if not reason or not reason.strip():
        refusals.append(Refusal("reason_missing", "Schrijf op waarom het budget eerder stopt, "
                                "bijvoorbeeld zorg in natura of overlijden.", "reason"))
    if ended_on >= period_end:
        refusals.append(Refusal("grant_end_not_earlier", "Het budget loopt al tot "
                                f"{format_day(period_end)}. Kies een einddatum daarvoor.",
                                "ended_on"))
    elif ended_on < period_start:
        refusals.append(Refusal("grant_end_before_start", "De einddatum ligt voor het begin van "
                                f"het budget ({format_day(period_start)}).", "ended_on"))
    elif last_care_day is not None and last_care_day > ended_on:
        refusals.append(Refusal("grant_end_care_after", "Er is al zorg gedeclareerd tot "
                                f"{format_day(last_care_day)}. Kies een einddatum op of na die "
                                "dag, of laat die urenbriefjes eerst afkeuren.", "ended_on"))
    return refusals


def check_grant(data: GrantInput, *, member_known: bool, funder_kind: FunderKind | None,
                other_periods: Iterable[tuple[dt.date, dt.date]] = (),
                today: dt.date | None = None) -> list[Refusal]:
    """Every reason a grant cannot be registered, at once.

    funder_kind: None when the funder does not exist. other_periods: the periods of the
    member's existing grants under the same law from ANY funder (one budget per member per law
    at a time, whoever funds it). today: the period lies
    from 2000 up to ten years ahead (dates.check_date_range; None: up to dates.DATE_CEILING).
    """
    refusals: list[Refusal] = []
    dates_refused = (check_date_range(data.period_start, today, "period_start")
                     + check_date_range(data.period_end, today, "period_end"))
    if not member_known:
        refusals.append(Refusal("member_unknown", "Dit gezinslid bestaat niet. Controleer het "
                                "gezinslid of registreer het eerst.", "member"))
    if funder_kind is None:
        refusals.append(Refusal("funder_unknown", "Deze financier bestaat niet. Kies een "
                                "gemeente, zorgkantoor of zorgverzekeraar uit de lijst.", "funder"))
    law: Law | None = Law(data.law) if data.law in {w.value for w in Law} else None
    if law is None:
        refusals.append(Refusal("law_unknown", "Deze wet kennen we niet. Kies uit: "
                                + ", ".join(w.label for w in Law) + ".", "law"))
    elif funder_kind is not None and law not in LAWS_BY_FUNDER_KIND[FunderKind(funder_kind)]:
        allowed = sorted(w.label for w in LAWS_BY_FUNDER_KIND[FunderKind(funder_kind)])
        refusals.append(Refusal("law_not_funded", f"Een {FunderKind(funder_kind).label.lower()} "
                                f"verstrekt geen budget voor de {law.label}, alleen voor "
                                f"{' en '.join(allowed)}. Kies de juiste wet of financier.", "law"))

    if data.amount_cents <= 0:
        refusals.append(Refusal("amount_not_positive", "Het bedrag moet groter zijn dan "
                                f"{format_euro(0)}. Vul het toegekende bedrag in.", "amount"))
    elif data.amount_cents > GRANT_AMOUNT_MAX_CENTS:
        refusals.append(Refusal("amount_too_large", f"Het bedrag is hoger dan "
                                f"{format_euro(GRANT_AMOUNT_MAX_CENTS)}. Controleer of er geen "
                                "nul te veel staat.", "amount"))

    period_refused = dates_refused or _period_refusals(data, law)
    refusals += period_refused
    period_ok = not period_refused

    kinds = list(data.care_kinds or [])
    known = {c.value for c in CareKind}
    if not kinds:
        refusals.append(Refusal("care_kinds_empty", "Kies ten minste een zorgsoort waarvoor het "
                                "budget gebruikt mag worden.", "care_kinds"))
    unknown = sorted({str(k) for k in kinds} - known)
    if unknown:
        refusals.append(Refusal("care_kind_unknown", f"Deze zorgsoort kennen we niet: "
                                f"{', '.join(unknown)}. Kies uit: "
                                + ", ".join(c.label for c in CareKind) + ".", "care_kinds"))
    if len(kinds) != len(set(kinds)):
        refusals.append(Refusal("care_kind_twice", "U heeft een zorgsoort twee keer gekozen. "
                                "Kies elke zorgsoort één keer.", "care_kinds"))

    if len(data.decision_reference or "") > 60:
        refusals.append(Refusal("decision_reference_too_long", "Het kenmerk van de beschikking is "
                                "te lang. Gebruik ten hoogste 60 tekens.", "decision_reference"))

    if period_ok:
        for start, end in other_periods:
            if periods_overlap(data.period_start, data.period_end, start, end):
                refusals.append(Refusal(
                    "grant_overlaps",
                    f"Dit gezinslid heeft al een budget voor deze wet van {format_day(start)} "
                    f"tot en met {format_day(end)} (van deze of een andere financier). Een "
                    "gezinslid heeft per wet één budget tegelijk: pas de periode aan of wijzig "
                    "de bestaande toekenning.",
                    "period_start"))
                break
    return refusals


# --------------------------------------------------------------------------------------------
# Wlz yearly allowances
# --------------------------------------------------------------------------------------------


def free_allowance_cap(year_amount_cents: int) -> int:
    """Vrij besteedbaar bedrag: 1.5% of the budget, at least EUR 250, at most EUR 1,250 a
    year.

    The allowance is per member and calendar year: year_amount_cents is the sum of all the
    member's Wlz budgets of that year (a new indication mid-year gives a second budget, not a
    second allowance). A member with one budget for part of the year uses that amount; the
    minimum and maximum still apply.
    """
    share = percentage_of(year_amount_cents, FREE_ALLOWANCE_PERCENT)
    return max(FREE_ALLOWANCE_MIN_CENTS, min(FREE_ALLOWANCE_MAX_CENTS, share))


# Years a maximum (an allowance cap, a maximum tariff) can be set for: the Wlz exists since
# 2015; next year's figures are published before 1 January.
FIRST_TABLE_YEAR = 2015


def check_table_year(year: int, today: dt.date, field: str = "year") -> list[Refusal]:
    """A year for a table of maxima: from 2015 up to next year."""
    if not FIRST_TABLE_YEAR <= year <= today.year + 1:
        return [Refusal("year_invalid", f"{year} kan niet: kies een jaar van {FIRST_TABLE_YEAR} "
                        f"tot en met {today.year + 1}.", field)]
    return []


def check_allowance_cap(*, law: str, kind: str, year: int, cap_cents: int,
                        today: dt.date) -> list[Refusal]:
    """May the yearly cap of this allowance be set (by the payment office)? Every reason at once.

    Only the holiday allowance has a cap from the table; the free amount follows from the
    budgets (free_allowance_cap) and is never set by hand.
    """
    refusals: list[Refusal] = []
    if law not in {w.value for w in ALLOWANCE_LAWS}:
        refusals.append(Refusal("allowance_not_wlz", "Alleen Wlz-budgetten hebben een "
                                "feestdagenuitkering. Kies de Wlz (wlz).", "law"))
    if kind == AllowanceKind.VERANTWOORDINGSVRIJ:
        refusals.append(Refusal("allowance_cap_not_settable", "Het vrij besteedbaar bedrag "
                                "volgt uit de budgetten (1,5%, minimaal "
                                f"{format_euro(FREE_ALLOWANCE_MIN_CENTS)} en maximaal "
                                f"{format_euro(FREE_ALLOWANCE_MAX_CENTS)} per jaar): dat stelt u "
                                "niet in. Kies de feestdagenuitkering (feestdagen).", "kind"))
    elif kind not in {k.value for k in AllowanceKind}:
        refusals.append(Refusal("allowance_kind_unknown", "Deze uitkering kennen we niet. Kies de "
                                "feestdagenuitkering (feestdagen).", "kind"))
    refusals += check_table_year(year, today)
    if cap_cents <= 0:
        refusals.append(Refusal("amount_not_positive", "Het maximum moet groter zijn dan "
                                f"{format_euro(0)}.", "amount"))
    return refusals


@dataclass(frozen=True)
class AllowanceFigures:
    kind: AllowanceKind
    year: int
    cap_cents: int | None  # None: the funder has not set the cap for this year
    used_cents: int

    @property
    def left_cents(self) -> int | None:
        return None if self.cap_cents is None else max(0, self.cap_cents - self.used_cents)

    @property
    def close_to_cap(self) -> bool:
        """At least 80% of the cap is used (the start page warns)."""
        return is_close_to_cap(self.cap_cents, self.used_cents)


def is_close_to_cap(cap_cents: int | None, used_cents: int) -> bool:
    if cap_cents is None or cap_cents <= 0:
        return False
    return used_cents * 100 >= cap_cents * CLOSE_TO_CAP_PERCENT


def allowance_cap(law: str, kind: str, year_amount_cents: int,
                  table_cap_cents: int | None) -> int | None:
    """The yearly cap of an allowance for one member: the free amount follows from the sum of
    the member's Wlz budgets of that year, the holiday allowance comes from the AllowanceCap
    table (None when it has not been set for that year)."""
    if law not in ALLOWANCE_LAWS:
        return None
    if kind == AllowanceKind.VERANTWOORDINGSVRIJ:
        return free_allowance_cap(year_amount_cents)
    return table_cap_cents


def check_allowance_use(*, law: str, kind: str, amount_cents: int, spent_on: dt.date,
                        period_start: dt.date, period_end: dt.date, today: dt.date,
                        cap_cents: int | None, used_cents: int,
                        available_cents: int) -> list[Refusal]:
    """Every reason a use of a yearly allowance cannot be recorded, at once.

    cap_cents: from allowance_cap (None: not set). used_cents: earlier uses of this kind in the
    same year on any of the member's Wlz budgets of that year. available_cents: what the grant
    still has (it is paid from it).
    """
    refusals: list[Refusal] = []
    if law not in ALLOWANCE_LAWS:
        return [Refusal("allowance_not_wlz", "Een vrij besteedbaar bedrag of een "
                        "feestdagenuitkering hoort alleen bij een Wlz-budget. Kies het Wlz-budget.",
                        "grant")]
    kinds = {k.value for k in AllowanceKind}
    kind_ok = kind in kinds
    if not kind_ok:
        refusals.append(Refusal("allowance_kind_unknown", "Kies het vrij besteedbaar bedrag "
                                "of de feestdagenuitkering.", "kind"))
    if amount_cents <= 0:
        refusals.append(Refusal("amount_not_positive", "Het bedrag moet groter zijn dan "
                                f"{format_euro(0)}.", "amount"))
    if spent_on > today:
        refusals.append(Refusal("allowance_date_in_future", "De datum ligt in de toekomst. "
                                "Vul de datum in waarop het geld is uitgegeven.", "spent_on"))
    if not period_start <= spent_on <= period_end:
        refusals.append(Refusal("allowance_date_outside_period", "Deze datum valt buiten de "
                                f"periode van het budget ({format_day(period_start)} tot en met "
                                f"{format_day(period_end)}). Kies het budget van dat jaar.",
                                "spent_on"))
    if kind_ok and amount_cents > 0:
        label = AllowanceKind(kind).label.lower()
        if cap_cents is None:
            refusals.append(Refusal("allowance_cap_missing", f"De financier heeft het maximum "
                                    f"voor de {label} van {spent_on.year} nog niet vastgesteld. "
                                    "Vraag het zorgkantoor om het maximum, en probeer het daarna "
                                    "opnieuw.", "kind"))
        elif used_cents + amount_cents > cap_cents:
            left = max(0, cap_cents - used_cents)
            refusals.append(Refusal("allowance_cap_exceeded", f"Dit is meer dan er over is van het "
                                    f"{label} van {spent_on.year}: maximaal "
                                    f"{format_euro(cap_cents)}, al gebruikt "
                                    f"{format_euro(used_cents)}, nog over {format_euro(left)}. "
                                    "Verlaag het bedrag.", "amount"))
        if amount_cents > available_cents:
            refusals.append(Refusal("budget_insufficient", f"Er is niet genoeg budget over: nodig "
                                    f"{format_euro(amount_cents)}, beschikbaar "
                                    f"{format_euro(available_cents)}. Verlaag het bedrag.",
                                    "amount"))
    return refusals


# --------------------------------------------------------------------------------------------
# Usage and prognosis
# --------------------------------------------------------------------------------------------


def available_cents(granted_cents: int, paid_cents: int, in_progress_cents: int) -> int:
    """What is still available of a budget (or of budgets together): granted - paid - in
    progress. The one home of "Beschikbaar" (start page, budget statement, what-if) and of
    "Niet besteed" (year-end statement, end settlement): read through this module
    (`rules.available_cents`), so every page shows the same figure."""
    return granted_cents - paid_cents - in_progress_cents


@dataclass(frozen=True)
class BudgetUsage:
    """The figures of one budget (member x law x period), in cents.

    available = granted - paid - in_progress. committed: what the active agreements will still
    cost until the end of the period. runout_month: see budget_usage.
    """

    granted_cents: int
    paid_cents: int
    in_progress_cents: int
    committed_cents: int
    period_start: dt.date
    period_end: dt.date
    pace_cents: int | None  # average monthly spending of the months that are over; None: none over
    runout_month: dt.date | None
    # Months that are over whose care is still being claimed (in committed, not in the pace).
    open_months: tuple[dt.date, ...] = ()

    @property
    def available_cents(self) -> int:
        return available_cents(self.granted_cents, self.paid_cents, self.in_progress_cents)

    @property
    def used_percent(self) -> int:
        """Share of the grant paid or in progress, in whole percent (rounded down)."""
        if self.granted_cents <= 0:
            return 0
        return (self.paid_cents + self.in_progress_cents) * 100 // self.granted_cents


def months_over(period_start: dt.date, period_end: dt.date, today: dt.date) -> list[dt.date]:
    """The months of the period that are completely over on `today` (first days)."""
    first = first_of_month(period_start)
    last_over = add_months(first_of_month(today), -1)
    last = min(first_of_month(period_end), last_over)
    if last < first:
        return []
    return [add_months(first, i) for i in range(months_between(first, last))]


def current_pace(monthly_spending: Mapping[dt.date, int], period_start: dt.date,
                 period_end: dt.date, today: dt.date,
                 open_months: Collection[dt.date] = ()) -> int | None:
    """Average monthly spending over the months of the period that are over, rounded down.

    Spending of a month = paid + in progress of the claims for that month of care.
    open_months: months that are over but whose care is still being claimed (an agreement has
    no submitted sheet for it yet and its claim deadline has not passed, see
    overview.service). They are left out: their spending is not known yet, and counting them
    as zero would make the pace look slower than it is. A month that is over and not open
    counts as it is (zero when its deadline passed without a sheet). None when no month of the
    period is over and closed yet (no pace to speak of).
    """
    months = [m for m in months_over(period_start, period_end, today) if m not in open_months]
    if not months:
        return None
    total = sum(monthly_spending.get(m, 0) for m in months)
    return total // len(months)


def budget_usage(*, granted_cents: int, paid_cents: int, in_progress_cents: int,
                 committed_cents: int, period_start: dt.date, period_end: dt.date,
                 monthly_spending: Mapping[dt.date, int], today: dt.date,
                 open_months: Collection[dt.date] = ()) -> BudgetUsage:
    """The usage figures of one budget and the month in which it runs out.

    Current pace: the average monthly spending (paid + in progress, by the month of care of the
    claims) over the months of the period that are completely over and no longer open (see
    current_pace).

    Run-out month: the open months (care given, not claimed yet) and then every month from the
    current month on each cost the pace. The budget runs out in the first month whose projected
    spending no longer fits in what is available now: month index k = available // pace minus
    the number of open months, counted from the current month (index 0, also when the open
    months alone use up more than is available). So with nothing available and a pace above
    zero, it runs out this month. The answer is given only when that month is not after the
    last month of the period; otherwise (the budget lasts), and when there is no pace yet, or
    the pace is zero, or the period is over, it is None.
    """
    open_in_period = [m for m in months_over(period_start, period_end, today) if m in open_months]
    pace = current_pace(monthly_spending, period_start, period_end, today, open_in_period)
    available = available_cents(granted_cents, paid_cents, in_progress_cents)
    runout = runout_month(available, pace, period_end, today, len(open_in_period))
    return BudgetUsage(granted_cents=granted_cents, paid_cents=paid_cents,
                       in_progress_cents=in_progress_cents, committed_cents=committed_cents,
                       period_start=period_start, period_end=period_end, pace_cents=pace,
                       runout_month=runout, open_months=tuple(open_in_period))


def runout_month(available_cents: int, pace_cents: int | None, period_end: dt.date,
                 today: dt.date, open_count: int = 0) -> dt.date | None:
    """The month the budget runs out when every month costs `pace_cents`: the open months
    (care given, not claimed yet) first, then every month from the current one. Month index
    k = available // pace minus the open months, counted from the current month (index 0,
    also when the open months alone use up more than is available). None when that month
    is after the period's last month (the budget lasts), when there is no pace or it is
    zero, or when the period is over."""
    this_month = first_of_month(today)
    if not pace_cents or pace_cents <= 0 or this_month > first_of_month(period_end):
        return None
    # Compare the month index before making a date: a tiny pace on a large budget would
    # otherwise ask for a month thousands of years ahead (a date that cannot exist).
    months_left = months_between(this_month, first_of_month(period_end)) - 1
    index = max(0, max(0, available_cents) // pace_cents - open_count)
    return add_months(this_month, index) if index <= months_left else None


@dataclass(frozen=True)
class Projection:
    """What the active agreements will still cost a budget until the end of its period, what
    is left then (below zero: short), and the month it runs out at that cost."""

    committed_cents: int
    left_cents: int
    runout_month: dt.date | None


def what_if(usage: BudgetUsage, cost_now_cents: int, cost_changed_cents: int,
            today: dt.date) -> tuple[Projection, Projection]:
    """Today's projection of a budget and the one with one agreement changed (the what-if on
    the budget page: other hours per week or another tariff), before anything is saved.

    cost_now_cents / cost_changed_cents: what that agreement will still cost this budget
    until the end of the period as it is and as changed (agreements.costs, the one home of
    the cost rule). Both projections spend what the agreements will cost evenly over the
    months still to pay (the open months and those from this month to the period's end) and
    find the run-out month with the prognosis's own rule (runout_month). So moving hours to
    a more expensive kind of care shows at once how much sooner the budget is used up."""
    this_month = first_of_month(today)
    start = max(this_month, first_of_month(usage.period_start))
    end = first_of_month(usage.period_end)
    months = (months_between(start, end) if start <= end else 0) + len(usage.open_months)

    def project(committed: int) -> Projection:
        pace = -(-committed // months) if months and committed > 0 else 0  # rounded up
        return Projection(committed, usage.available_cents - committed,
                          runout_month(usage.available_cents, pace, usage.period_end, today,
                                       len(usage.open_months)))

    changed = max(0, usage.committed_cents - cost_now_cents + cost_changed_cents)
    return project(usage.committed_cents), project(changed)


def will_not_last(usage: BudgetUsage) -> bool:
    """The active agreements will cost more than is still available (warn the budget holder)."""
    return usage.committed_cents > usage.available_cents


def shortfall_cents(usage: BudgetUsage) -> int:
    """How much the active agreements cost beyond what is available (0 if it fits)."""
    return max(0, usage.committed_cents - usage.available_cents)


@dataclass(frozen=True)
class HouseholdTotal:
    """The integral picture: all budgets of the household together.

    The money of one law cannot pay care under another law, so a run-out month of the summed
    total would suggest a reserve that does not exist. Instead: first_runout_month is the
    earliest run-out month of any single budget, short_budgets counts the budgets that will not
    last, and shortfall_cents adds up each budget's own shortfall (a surplus in one budget does
    not make up for a shortfall in another).
    """

    granted_cents: int
    paid_cents: int
    in_progress_cents: int
    committed_cents: int
    first_runout_month: dt.date | None
    short_budgets: int
    shortfall_cents: int
    budget_count: int

    @property
    def available_cents(self) -> int:
        return available_cents(self.granted_cents, self.paid_cents, self.in_progress_cents)


def household_total(usages: Iterable[BudgetUsage]) -> HouseholdTotal:
    usages = list(usages)
    runouts = [u.runout_month for u in usages if u.runout_month is not None]
    return HouseholdTotal(
        granted_cents=sum(u.granted_cents for u in usages),
        paid_cents=sum(u.paid_cents for u in usages),
        in_progress_cents=sum(u.in_progress_cents for u in usages),
        committed_cents=sum(u.committed_cents for u in usages),
        first_runout_month=min(runouts) if runouts else None,
        short_budgets=sum(1 for u in usages if will_not_last(u)),
        shortfall_cents=sum(shortfall_cents(u) for u in usages),
        budget_count=len(usages),
    )


@dataclass(frozen=True)
class Verdict:
    """One budget's verdict in a few words, for a label next to it: the start page's cards and
    the paper statement say the same. kind: enough | short | runout | none (for CSS/tests)."""

    kind: str
    label: str


def budget_verdict(usage: BudgetUsage, today: dt.date) -> Verdict:
    """The verdict of one budget on `today`, from its usage and prognosis (budget_usage):

    - the active agreements cost more than is available: "€ 715,00 tekort";
    - else, at the current pace it runs out before the period ends: "Op in maart 2026";
    - else: "Genoeg tot 31 december 2026".

    A period that is over or has not begun has no prognosis: "Periode voorbij" / "Begint op ...".
    """
    if usage.period_end < today:
        return Verdict("none", "Periode voorbij")
    if usage.period_start > today:
        return Verdict("none", f"Begint op {format_day(usage.period_start)}")
    short = shortfall_cents(usage)
    if short > 0:
        return Verdict("short", f"{format_euro(short)} tekort")
    if usage.runout_month is not None:
        return Verdict("runout", f"In dit tempo op in {format_month(usage.runout_month)}")
    return Verdict("enough", f"Genoeg tot {format_day(usage.period_end)}")
