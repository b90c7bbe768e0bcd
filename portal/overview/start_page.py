"""The view-model of "Mijn budget": every figure, sentence and chart coordinate computed here,
so the template only displays. No Flask and no queries: it takes what the services returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from portal.budgets.constants import ALLOWANCE_IN_A_SENTENCE, AllowanceKind
from portal.budgets.rules import AllowanceFigures, HouseholdTotal
from portal.dates import format_day, format_dutch, format_month
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

    @property
    def has_budgets(self) -> bool:
        return bool(self.rows)


def _short_month(month: dt.date) -> str:
    return format_dutch(month, "MMM").rstrip(".")


def build_chart(months: Sequence[MonthSpending], subject: str, table_id: str) -> Chart | None:
    """Bars of paid + in progress per month, scaled to the highest month. None: no months."""
    if not months:
        return None
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height
    highest = max(m.cents for m in months)
    slot = CHART_WIDTH // len(months)
    width = max(2, slot - CHART_GAP)
    bars = []
    for i, m in enumerate(months):
        height = (m.cents * plot_height // highest) if highest > 0 else 0
        if m.cents > 0 and height == 0:
            height = 1  # a month with spending is never invisible
        x = i * slot + CHART_GAP // 2
        bars.append(Bar(label=_short_month(m.month), x=x, y=baseline - height, width=width,
                        height=height, text_x=x + width // 2,
                        title=f"{format_month(m.month)}: {format_euro(m.cents)}"))
    first, last = months[0].month, months[-1].month
    top = max(months, key=lambda m: (m.cents, m.month))
    aria = (f"Staafdiagram: uitgaven per maand, {subject}, van {format_month(first)} tot en met "
            f"{format_month(last)}. Hoogste maand: {format_month(top.month)} met "
            f"{format_euro(top.cents)}. De tabel eronder geeft alle bedragen.")
    return Chart(width=CHART_WIDTH, height=CHART_HEIGHT, baseline_y=baseline,
                 label_y=CHART_HEIGHT - 8, bars=bars, aria_label=aria,
                 caption=f"Uitgaven per maand: {subject}", rows=list(months), table_id=table_id)


def runout_sentence(month: dt.date | None) -> str | None:
    if month is None:
        return None
    return f"In dit tempo is uw budget op in {format_month(month)}."


def allowance_lines(figures: Mapping[AllowanceKind, AllowanceFigures]) -> list[AllowanceLine]:
    lines = []
    for kind in AllowanceKind:
        fig = figures.get(kind)
        if fig is None:
            continue
        if fig.cap_cents is None:
            text = (f"{kind.label} {fig.year}: {format_euro(fig.used_cents)} gebruikt. Het "
                    "maximum is nog niet vastgesteld door het zorgkantoor.")
        else:
            text = (f"{kind.label} {fig.year}: {format_euro(fig.used_cents)} gebruikt van "
                    f"{format_euro(fig.cap_cents)}, nog {format_euro(fig.left_cents)} over.")
        lines.append(AllowanceLine(text=text, close_to_cap=fig.close_to_cap))
    return lines


def _budget_name(row: BudgetRow) -> str:
    return f"het {row.law_label}-budget van {row.member_name}"


def build_notices(usage: HouseholdUsage, attention: Attention,
                  allowances: Mapping[int, Mapping[AllowanceKind, AllowanceFigures]],
                  link_for: LinkFor) -> list[Notice]:
    notices: list[Notice] = []
    for row in usage.warnings:
        parts = []
        if row.will_not_last:
            parts.append(f"Het {_budget_name(row)[4:]} is niet genoeg tot en met "
                         f"{format_day(row.period_end)}. De actieve zorgovereenkomsten kosten nog "
                         f"{format_euro(row.usage.committed_cents)}, er is "
                         f"{format_euro(row.usage.available_cents)} beschikbaar. U komt "
                         f"{format_euro(row.shortfall_cents)} tekort.")
        if row.usage.runout_month is not None:
            parts.append(f"In dit tempo is {_budget_name(row)} op in "
                         f"{format_month(row.usage.runout_month)}.")
        parts.append("Bespreek met uw zorgverleners of de verstrekker wat u kunt doen.")
        notices.append(Notice("budget", " ".join(parts)))
    agreements_link = link_for("agreements.index", household_id=usage.household_id)
    for a in attention.agreements_waiting:
        notices.append(Notice(
            "agreement", f"De zorgovereenkomst met {a.provider_name} ({a.reference}, versie "
            f"{a.version_number}, vanaf {format_day(a.starts_on)}) wacht op beoordeling door de "
            "verstrekker. U hoeft nu niets te doen.",
            agreements_link, "Bekijk uw zorgovereenkomsten" if agreements_link else None))
    sheets_link = link_for("claims.index", household_id=usage.household_id)
    for s in attention.sheets_waiting:
        notices.append(Notice(
            "sheet", f"Het urenbriefje van {s.provider_name} over {format_month(s.month)} "
            f"({format_euro(s.total_cents)}, {s.reference}) wacht op uw akkoord. Keur het goed of "
            "af; zonder uw akkoord wordt het niet betaald.",
            sheets_link, "Naar uw urenbriefjes" if sheets_link else None))
    names = {r.grant_id: r.member_name for r in usage.rows}
    for grant_id, figures in allowances.items():
        for kind in AllowanceKind:
            fig = figures.get(kind)
            if fig is None or not fig.close_to_cap:
                continue
            notices.append(Notice(
                "allowance", f"{ALLOWANCE_IN_A_SENTENCE[kind].capitalize()} {fig.year} van "
                f"{names.get(grant_id, '')} is "
                f"bijna op: {format_euro(fig.used_cents)} gebruikt van "
                f"{format_euro(fig.cap_cents)}, nog {format_euro(fig.left_cents)} over. Geeft u "
                "meer uit, dan moet u dat misschien terugbetalen."))
    return notices


def build_start_page(usage: HouseholdUsage, attention: Attention,
                     allowances: Mapping[int, Mapping[AllowanceKind, AllowanceFigures]],
                     link_for: LinkFor) -> StartPage:
    sections: dict[int, MemberSection] = {}
    for row in usage.rows:
        subject = f"{row.law_label}, {row.member_name}"
        card = BudgetCard(
            row=row, heading=f"{row.law_label} ({row.funder_name})",
            period=f"{format_day(row.period_start)} tot en met {format_day(row.period_end)}",
            committed_label=("Nog te betalen voor actieve zorgovereenkomsten tot en met "
                             f"{format_day(row.period_end)}"),
            runout_text=runout_sentence(row.usage.runout_month),
            allowances=allowance_lines(allowances.get(row.grant_id, {})),
            chart=build_chart(row.monthly_detail, subject, f"tabel-budget-{row.grant_id}"))
        section = sections.setdefault(row.member_id, MemberSection(row.member_id, row.member_name, []))
        section.cards.append(card)
    total_months = _sum_months([r.monthly_detail for r in usage.rows])
    return StartPage(
        household_id=usage.household_id, today=usage.today,
        notices=build_notices(usage, attention, allowances, link_for),
        members=list(sections.values()), rows=usage.rows, total=usage.total,
        total_runout_text=(None if usage.total.first_runout_month is None else
                           f"Het eerste budget dat op raakt, is in dit tempo op in "
                           f"{format_month(usage.total.first_runout_month)}."),
        total_chart=build_chart(total_months, "alle budgetten samen", "tabel-alle-budgetten"))


def _sum_months(series: Sequence[Sequence[MonthSpending]]) -> list[MonthSpending]:
    paid: dict[dt.date, int] = {}
    busy: dict[dt.date, int] = {}
    for months in series:
        for m in months:
            paid[m.month] = paid.get(m.month, 0) + m.paid_cents
            busy[m.month] = busy.get(m.month, 0) + m.in_progress_cents
    return [MonthSpending(month, paid[month], busy[month]) for month in sorted(paid)]
