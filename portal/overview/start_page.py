"""The view-model of "Mijn budget": every figure, sentence and chart coordinate computed here,
so the template only displays. No Flask and no queries: it takes what the services returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal

from portal.agreements.titles import AgreementTitle
from portal.budgets.constants import ALLOWANCE_IN_A_SENTENCE, AllowanceKind
from portal.budgets.rules import AllowanceFigures, HouseholdTotal, Verdict
from portal.dates import (
    add_months,
    first_of_month,
    format_day,
    format_dutch,
    format_month,
    months_between,
)
from portal.money import format_euro
from portal.overview.service import Attention, BudgetRow, HouseholdUsage, MonthSpending

# A link to another area's page, or None while that page does not exist yet.
LinkFor = Callable[..., str | None]

CHART_WIDTH = 640
CHART_HEIGHT = 220
CHART_TOP = 10      # room above the highest bar
CHART_BOTTOM = 30   # room for the month labels
CHART_GAP = 6       # between bars


@dataclass(frozen=True)
class Notice:
    """One warning at the top of the page."""

    kind: str  # budget | agreement | sheet | allowance (for tests and CSS)
    text: str
    link_href: str | None = None
    link_text: str | None = None


@dataclass(frozen=True)
class Bar:
    label: str        # short month, under the bar
    x: int
    y: int
    width: int
    height: int
    text_x: int       # centre of the bar, for the label
    title: str        # "maart 2026: € 1.234,56" (a tooltip; the table carries the same)
    forecast: bool = False  # a month still to come: what the agreements are expected to cost
    amount: str = ""  # the amount in whole euros above the bar ("1.235"), "" when too narrow


@dataclass(frozen=True)
class ForecastMonth:
    """A month still to come and what the active agreements are expected to cost in it."""

    month: dt.date
    cents: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline_y: int
    label_y: int
    bars: list[Bar]
    aria_label: str
    caption: str
    rows: list[MonthSpending]   # the table alternative: the same numbers
    table_id: str
    forecast: list[ForecastMonth] = field(default_factory=list)
    budget_line_y: int | None = None  # the budget per month, as a horizontal line
    budget_line_text: str = ""        # "Budget per maand: € 2.000,00"
    title: str = ""                   # the SVG's <title>
    description: str = ""             # the SVG's <desc>: every figure the picture shows

    @property
    def title_id(self) -> str:
        return f"{self.table_id}-titel"

    @property
    def description_id(self) -> str:
        return f"{self.table_id}-uitleg"


@dataclass(frozen=True)
class AllowanceLine:
    text: str
    close_to_cap: bool


@dataclass(frozen=True)
class BudgetCard:
    row: BudgetRow
    heading: str           # "Wlz (Zorgkantoor Midden-Nederland)"
    period: str            # "1 januari 2026 tot en met 31 december 2026"
    committed_label: str   # "Kosten actieve zorgovereenkomsten tot en met 31 december 2026"
    runout_text: str | None
    allowances: list[AllowanceLine]
    chart: Chart | None
    verdict: Verdict | None = None


@dataclass(frozen=True)
class MemberSection:
    member_id: int
    name: str
    cards: list[BudgetCard]


@dataclass(frozen=True)
class StartPage:
    household_id: int
    today: dt.date
    notices: list[Notice]
    members: list[MemberSection]
    rows: list[BudgetRow]
    total: HouseholdTotal
    total_runout_text: str | None
    total_chart: Chart | None
    tasks: Tasks | None = None

    @property
    def has_budgets(self) -> bool:
        return bool(self.rows)

    @property
    def show_total(self) -> bool:
        """One budget: its card says it all; the household total would repeat the figures."""
        return len(self.rows) > 1


def _short_month(month: dt.date) -> str:
    return format_dutch(month, "MMM").rstrip(".")


def _whole_euros(cents: int) -> str:
    return format_decimal((cents + 50) // 100, locale="nl_NL")


def forecast_months(row: BudgetRow, today: dt.date) -> list[ForecastMonth]:
    """What the active agreements still cost (the prognosis, usage.committed_cents), spread
    evenly over the months from this month to the end of the budget's period (the last month
    takes the rounding). None for a budget whose period is over or has not begun."""
    if row.last_year or row.next_year or row.usage.committed_cents <= 0:
        return []
    first = max(first_of_month(today), first_of_month(row.period_start))
    count = months_between(first, first_of_month(row.period_end))
    if count <= 0:
        return []
    each = row.usage.committed_cents // count
    result = [ForecastMonth(add_months(first, i), each) for i in range(count)]
    result[-1] = ForecastMonth(result[-1].month,
                               row.usage.committed_cents - each * (count - 1))
    return result


def budget_per_month(row: BudgetRow) -> int:
    """The granted amount spread over the months of the period: the chart's budget line."""
    months = months_between(first_of_month(row.period_start), first_of_month(row.period_end))
    return row.usage.granted_cents // max(1, months)


def build_chart(months: Sequence[MonthSpending], subject: str, table_id: str, *,
                forecast: Sequence[ForecastMonth] = (),
                per_month_cents: int | None = None) -> Chart | None:
    """Bars of paid + in progress per month, then the forecast months (what the agreements are
    expected to cost), and the budget per month as a line; scaled to the highest of them.
    None: no months."""
    forecast = [f for f in forecast if f.month > (months[-1].month if months else dt.date.min)]
    if not months and not forecast:
        return None
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height
    values = [(m.month, m.cents, False) for m in months] + [(f.month, f.cents, True)
                                                              for f in forecast]
    highest = max([v for _m, v, _f in values] + [per_month_cents or 0])
    slot = CHART_WIDTH // len(values)
    width = max(2, slot - CHART_GAP)

    def height_of(cents: int) -> int:
        height = (cents * plot_height // highest) if highest > 0 else 0
        return 1 if cents > 0 and height == 0 else height  # spending is never invisible

    bars = []
    for i, (month, cents, is_forecast) in enumerate(values):
        height = height_of(cents)
        x = i * slot + CHART_GAP // 2
        title = (f"{format_month(month)}: verwacht {format_euro(cents)}" if is_forecast
                 else f"{format_month(month)}: {format_euro(cents)}")
        bars.append(Bar(label=_short_month(month), x=x, y=baseline - height, width=width,
                        height=height, text_x=x + width // 2, title=title, forecast=is_forecast,
                        amount=_whole_euros(cents) if slot >= 44 and cents > 0 else ""))
    first, last = values[0][0], values[-1][0]
    parts = [f"Staafdiagram: uitgaven per maand, {subject}, van {format_month(first)} tot en "
             f"met {format_month(last)}."]
    if months:
        top = max(months, key=lambda m: (m.cents, m.month))
        parts.append(f"Hoogste maand: {format_month(top.month)} met {format_euro(top.cents)}.")
    if forecast:
        parts.append(f"Lichte staven: wat de zorgovereenkomsten naar verwachting nog kosten, "
                     f"{format_euro(sum(f.cents for f in forecast))} tot en met "
                     f"{format_month(forecast[-1].month)}.")
    line_text = ""
    if per_month_cents:
        line_text = f"Budget per maand: {format_euro(per_month_cents)}"
        parts.append(f"De lijn is het budget per maand: {format_euro(per_month_cents)}.")
    parts.append("De tabel eronder geeft alle bedragen.")
    return Chart(width=CHART_WIDTH, height=CHART_HEIGHT, baseline_y=baseline,
                 label_y=CHART_HEIGHT - 8, bars=bars, aria_label=" ".join(parts),
                 caption=f"Uitgaven per maand: {subject}", rows=list(months), table_id=table_id,
                 forecast=list(forecast),
                 budget_line_y=(baseline - height_of(per_month_cents)) if per_month_cents
                 else None,
                 budget_line_text=line_text, title=f"Uitgaven per maand: {subject}",
                 description=" ".join(parts[1:]))


def runout_sentence(month: dt.date | None, whose: str = "uw budget") -> str | None:
    if month is None:
        return None
    return f"In dit tempo is {whose} op in {format_month(month)}."


def allowance_lines(figures: Mapping[AllowanceKind, AllowanceFigures]) -> list[AllowanceLine]:
    lines = []
    for kind in AllowanceKind:
        fig = figures.get(kind)
        if fig is None:
            continue
        if kind is AllowanceKind.VERANTWOORDINGSVRIJ and not fig.cap_cents:
            text = (f"{kind.label} {fig.year}: u kunt het aanvragen zodra er uit dit budget is "
                    "betaald.")
        elif fig.cap_cents is None:
            text = (f"{kind.label} {fig.year}: {format_euro(fig.used_cents)} gebruikt. Het "
                    "maximum is nog niet vastgesteld door het zorgkantoor.")
        else:
            text = (f"{kind.label} {fig.year}: {format_euro(fig.used_cents)} gebruikt van "
                    f"{format_euro(fig.cap_cents)}, nog {format_euro(fig.left_cents)} over.")
        lines.append(AllowanceLine(text=text, close_to_cap=fig.close_to_cap))
    return lines


def _budget_name(row: BudgetRow) -> str:
    return f"het {row.law_label}-budget van {row.member_name}"


def build_notices(usage: HouseholdUsage,
                  allowances: Mapping[int, Mapping[AllowanceKind, AllowanceFigures]],
                  holder_name: str | None = None) -> list[Notice]:
    """'Let op': a budget that will not last, an allowance near its cap. (What waits for
    someone is in the tasks above it, build_tasks.) holder_name: a helper reads the file."""
    you, your = ("U", "uw") if holder_name is None else (holder_name, "de")
    notices: list[Notice] = []
    for row in usage.warnings:
        parts = []
        if row.will_not_last:
            parts.append(f"Het {_budget_name(row)[4:]} is niet genoeg tot en met "
                         f"{format_day(row.period_end)}. De actieve zorgovereenkomsten kosten nog "
                         f"{format_euro(row.usage.committed_cents)}, er is "
                         f"{format_euro(row.usage.available_cents)} beschikbaar. {you} komt "
                         f"{format_euro(row.shortfall_cents)} tekort.")
        if row.usage.runout_month is not None:
            parts.append(f"In dit tempo is {_budget_name(row)} op in "
                         f"{format_month(row.usage.runout_month)}.")
        parts.append(f"Bespreek met {your} zorgverleners of {row.funder_name} wat er kan.")
        notices.append(Notice("budget", " ".join(parts), f"#budget-{row.grant_id}",
                              "Bekijk dit budget"))
    names = {r.grant_id: r.member_name for r in usage.rows}
    for grant_id, figures in allowances.items():
        for kind in AllowanceKind:
            fig = figures.get(kind)
            # the free amount is asked for once: it is never "almost used up"
            if fig is None or not fig.close_to_cap or kind is AllowanceKind.VERANTWOORDINGSVRIJ:
                continue
            notices.append(Notice(
                "allowance", f"{ALLOWANCE_IN_A_SENTENCE[kind].capitalize()} {fig.year} van "
                f"{names.get(grant_id, '')} is "
                f"bijna op: {format_euro(fig.used_cents)} gebruikt van "
                f"{format_euro(fig.cap_cents)}, nog {format_euro(fig.left_cents)} over. Wordt er "
                "meer uitgegeven, dan moet dat misschien worden terugbetaald."))
    return notices


@dataclass(frozen=True)
class Task:
    """One thing that waits: its sentence, and a link to the item itself (the sheet, the
    agreement), not to a list."""

    kind: str  # sheet | agreement (for tests and CSS)
    text: str
    link_href: str | None = None
    link_text: str | None = None
    reference: str = ""  # the item's reference, secondary text


@dataclass(frozen=True)
class Tasks:
    heading: str          # "Wat moet u doen?" / "Wat moet Anna de Vries doen?"
    mine: list[Task]      # waits for the budget holder (or whoever acts for them)
    others: list[Task]    # what others are doing
    nothing_text: str     # "U hoeft nu niets te doen."


# What a version on its way asks of the budget holder (None: someone else is busy with it).
_AGREEMENT_TASKS = {
    "concept": ("Maak de zorgovereenkomst af en deel haar met de zorgverlener: {title}.",
                "Naar de zorgovereenkomst"),
    "ondertekend": ("De zorgverlener heeft getekend. Controleer en onderteken: {title}.",
                    "Controleren en ondertekenen"),
    "afgekeurd": ("De zorgovereenkomst is afgekeurd. Lees waarom en pas haar aan: {title}.",
                  "Naar de zorgovereenkomst"),
}
_SHEETS_ELSEWHERE = {
    "concept": "{provider} vult het urenbriefje over {month} in: {title}.",
    "ingediend": "Het betaalkantoor controleert het urenbriefje over {month} ({amount}): {title}.",
    "opgeschort": "Het betaalkantoor kijkt het urenbriefje over {month} ({amount}) nog na: "
                  "{title}.",
    "goedgekeurd": "Het urenbriefje over {month} ({amount}) is goedgekeurd en wordt bij de "
                   "volgende betaalronde betaald: {title}.",
}


def build_tasks(attention: Attention, link_for: LinkFor,
                titles: Mapping[int, AgreementTitle], holder_name: str | None = None) -> Tasks:
    """'Wat moet u doen?': first what waits for the budget holder (a sheet to approve, an
    agreement to sign, finish or correct), each with a link to the item itself; then what
    others are doing (the funder reviews, the provider fills in, the office checks or pays).
    holder_name: the client's name when a helper reads the file (None: the holder reads)."""

    def title_of(agreement_id: int, provider_name: str) -> tuple[str, str]:
        found = titles.get(agreement_id)
        return (found.title, found.reference) if found else (f"Zorg door {provider_name}", "")

    mine: list[Task] = []
    for s in attention.sheets_waiting:
        title, _ref = title_of(s.agreement_id, s.provider_name)
        mine.append(Task("sheet", f"Het urenbriefje over {format_month(s.month)} "
                         f"({format_euro(s.total_cents)}) wacht op uw akkoord: {title}. Zonder "
                         "akkoord wordt het niet betaald.",
                         link_for("claims.show", claim_id=s.claim_id), "Bekijk het urenbriefje",
                         s.reference))
    others: list[Task] = []
    for a in attention.agreements_open:
        title, _ref = title_of(a.agreement_id, a.provider_name)
        href = link_for("agreements.show", agreement_id=a.agreement_id)
        if a.status in _AGREEMENT_TASKS:
            text, link_text = _AGREEMENT_TASKS[a.status]
            mine.append(Task("agreement", text.format(title=title), href, link_text, a.reference))
        else:  # gedeeld: with the provider
            others.append(Task("agreement", f"{a.provider_name} vult de zorgovereenkomst aan "
                               f"en ondertekent haar: {title}. Wilt u nog iets veranderen? "
                               "Dan kunt u haar terughalen.", href,
                               "Bekijk de zorgovereenkomst", a.reference))
    for w in attention.agreements_waiting:
        title, _ref = title_of(w.agreement_id, w.provider_name)
        who = w.funder_names or "De gemeente, het zorgkantoor of de zorgverzekeraar"
        others.append(Task("agreement", f"{who} beoordeelt de zorgovereenkomst (versie "
                           f"{w.version_number}, vanaf {format_day(w.starts_on)}): {title}.",
                           link_for("agreements.show", agreement_id=w.agreement_id),
                           "Bekijk de zorgovereenkomst", w.reference))
    for e in attention.sheets_elsewhere:
        title, _ref = title_of(e.agreement_id, e.provider_name)
        others.append(Task("sheet", _SHEETS_ELSEWHERE[e.status].format(
            provider=e.provider_name, month=format_month(e.month),
            amount=format_euro(e.total_cents), title=title),
            link_for("claims.show", claim_id=e.claim_id), "Bekijk het urenbriefje", e.reference))
    if holder_name is None:
        return Tasks("Wat moet u doen?", mine, others, "U hoeft nu niets te doen.")
    return Tasks(f"Wat moet {holder_name} doen?", mine, others,
                 f"{holder_name} hoeft nu niets te doen.")


def build_start_page(usage: HouseholdUsage, attention: Attention,
                     allowances: Mapping[int, Mapping[AllowanceKind, AllowanceFigures]],
                     link_for: LinkFor, titles: Mapping[int, AgreementTitle] | None = None,
                     holder_name: str | None = None) -> StartPage:
    sections: dict[int, MemberSection] = {}
    current = [r for r in usage.rows if not r.last_year and not r.next_year]
    for row in usage.rows:
        subject = f"{row.law_label}, {row.member_name}"
        in_period = row in current
        card = BudgetCard(
            row=row, heading=f"{row.law_label} ({row.funder_name})",
            period=f"{format_day(row.period_start)} tot en met {format_day(row.period_end)}",
            committed_label=("Nog te betalen voor actieve zorgovereenkomsten tot en met "
                             f"{format_day(row.period_end)}"),
            runout_text=runout_sentence(row.usage.runout_month,
                                        "uw budget" if holder_name is None else "het budget"),
            allowances=allowance_lines(allowances.get(row.grant_id, {})),
            chart=build_chart(row.monthly_detail, subject, f"tabel-budget-{row.grant_id}",
                              forecast=forecast_months(row, usage.today),
                              per_month_cents=budget_per_month(row) if in_period else None),
            verdict=row.verdict)
        section = sections.setdefault(row.member_id, MemberSection(row.member_id, row.member_name, []))
        section.cards.append(card)
    total_months = _sum_months([r.monthly_detail for r in usage.rows])
    total_forecast = _sum_forecast([forecast_months(r, usage.today) for r in current])
    return StartPage(
        household_id=usage.household_id, today=usage.today,
        notices=build_notices(usage, allowances, holder_name),
        members=list(sections.values()), rows=usage.rows, total=usage.total,
        total_runout_text=(None if usage.total.first_runout_month is None else
                           f"Het eerste budget dat op raakt, is in dit tempo op in "
                           f"{format_month(usage.total.first_runout_month)}."),
        total_chart=build_chart(total_months, "alle budgetten samen", "tabel-alle-budgetten",
                                forecast=total_forecast,
                                per_month_cents=sum(budget_per_month(r) for r in current) or None),
        tasks=build_tasks(attention, link_for, titles or {}, holder_name))


def _sum_forecast(series: Sequence[Sequence[ForecastMonth]]) -> list[ForecastMonth]:
    per_month: dict[dt.date, int] = {}
    for months in series:
        for m in months:
            per_month[m.month] = per_month.get(m.month, 0) + m.cents
    return [ForecastMonth(month, per_month[month]) for month in sorted(per_month)]


def _sum_months(series: Sequence[Sequence[MonthSpending]]) -> list[MonthSpending]:
    paid: dict[dt.date, int] = {}
    busy: dict[dt.date, int] = {}
    for months in series:
        for m in months:
            paid[m.month] = paid.get(m.month, 0) + m.paid_cents
            busy[m.month] = busy.get(m.month, 0) + m.in_progress_cents
    return [MonthSpending(month, paid[month], busy[month]) for month in sorted(paid)]
