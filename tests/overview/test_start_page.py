"""portal.overview.start_page: the view-model (chart geometry, sentences, notices). No database."""

from __future__ import annotations

import datetime as dt

from portal.agreements.titles import AgreementTitle
from portal.budgets.constants import AllowanceKind, Law
from portal.budgets.rules import AllowanceFigures, budget_usage, household_total
from portal.overview.service import (
    Attention,
    BudgetRow,
    HouseholdUsage,
    MonthSpending,
    OpenAgreement,
    WaitingAgreement,
    WaitingSheet,
)
from portal.overview.start_page import (
    CHART_HEIGHT,
    CHART_WIDTH,
    allowance_lines,
    build_chart,
    build_start_page,
    runout_sentence,
)

D = dt.date
TODAY = D(2026, 6, 15)


def months(*cents: int, paid: bool = True) -> list[MonthSpending]:
    return [MonthSpending(D(2026, i + 1, 1), c if paid else 0, 0 if paid else c)
            for i, c in enumerate(cents)]


def row(grant_id=1, member_id=1, name="Anna", law=Law.WLZ, granted=1_200_000, paid=0,
        in_progress=0, committed=0, detail=()) -> BudgetRow:
    usage = budget_usage(granted_cents=granted, paid_cents=paid, in_progress_cents=in_progress,
                         committed_cents=committed, period_start=D(2026, 1, 1),
                         period_end=D(2026, 12, 31),
                         monthly_spending={m.month: m.cents for m in detail}, today=TODAY)
    return BudgetRow(grant_id=grant_id, member_id=member_id, member_name=name, law=law,
                     funder_name="Zorgkantoor", usage=usage,
                     monthly=[(m.month, m.cents) for m in detail], monthly_detail=list(detail))


def plain(text: str) -> str:
    """Babel writes a no-break space after the euro sign; compare with plain spaces."""
    return text.replace("\xa0", " ")


def no_links(endpoint, **values):
    return None


def all_links(endpoint, **values):
    return f"/{endpoint}/{next(iter(values.values()))}"


def test_chart_scales_bars_to_the_highest_month_and_keeps_small_months_visible():
    chart = build_chart(months(100_000, 50_000, 0, 1), "Wlz, Anna", "t1")
    plot = CHART_HEIGHT - 10 - 30
    assert [b.height for b in chart.bars] == [plot, plot // 2, 0, 1]
    assert all(b.y + b.height == chart.baseline_y for b in chart.bars)
    assert all(b.x >= 0 and b.x + b.width <= CHART_WIDTH for b in chart.bars)
    assert [b.label for b in chart.bars] == ["jan", "feb", "mrt", "apr"]
    assert plain(chart.bars[0].title) == "januari 2026: € 1.000,00"
    assert "Hoogste maand: januari 2026 met € 1.000,00" in plain(chart.aria_label)
    assert "van januari 2026 tot en met april 2026" in plain(chart.aria_label)
    assert chart.rows == months(100_000, 50_000, 0, 1) and chart.table_id == "t1"


def test_chart_of_months_without_spending_and_no_chart_without_months():
    chart = build_chart(months(0, 0), "Wmo, Sara", "t2")
    assert [b.height for b in chart.bars] == [0, 0]
    assert build_chart([], "Wmo, Sara", "t3") is None


def test_runout_sentence():
    assert runout_sentence(D(2026, 9, 1)) == "In dit tempo is uw budget op in september 2026."
    assert runout_sentence(None) is None


def test_allowance_lines_say_used_cap_and_left_and_flag_close_to_cap():
    lines = allowance_lines({
        AllowanceKind.VERANTWOORDINGSVRIJ: AllowanceFigures(AllowanceKind.VERANTWOORDINGSVRIJ, 2026,
                                                            72_000, 57_600),
        AllowanceKind.FEESTDAGEN: AllowanceFigures(AllowanceKind.FEESTDAGEN, 2026, None, 5_000),
    })
    assert plain(lines[0].text) == ("Vrij besteedbaar bedrag 2026: € 576,00 gebruikt van € 720,00, "
                             "nog € 144,00 over.")
    assert lines[0].close_to_cap is True
    assert "maximum is nog niet vastgesteld" in lines[1].text and lines[1].close_to_cap is False


def test_notices_for_a_short_budget_and_allowances_and_tasks_for_what_waits():
    short = row(grant_id=2, member_id=2, name="Daan", law=Law.JEUGDWET, granted=600_000,
                paid=500_000, committed=300_000, detail=months(100_000, 100_000, 100_000,
                                                                100_000, 100_000))
    fine = row(grant_id=1)
    usage = HouseholdUsage(7, TODAY, [fine, short], household_total([fine.usage, short.usage]), [])
    attention = Attention(
        [WaitingAgreement(3, "ZO-1", "Youssef", 2, D(2026, 7, 1), "Gemeente Utrecht")],
        [WaitingSheet(4, "UB-1", "Marieke", D(2026, 5, 1), 79_200, agreement_id=5)])
    # The free amount is asked for once (a claim): never "almost used up"; the holiday
    # allowance per provider can be (issue 16).
    allowances = {1: {AllowanceKind.VERANTWOORDINGSVRIJ: AllowanceFigures(
        AllowanceKind.VERANTWOORDINGSVRIJ, 2026, 72_000, 72_000),
        AllowanceKind.FEESTDAGEN: AllowanceFigures(AllowanceKind.FEESTDAGEN, 2026, 27_200,
                                                   25_000)}}
    titles = {5: AgreementTitle("Zorg voor Anna door Marieke (Wlz)", "ZO-5")}
    page = build_start_page(usage, attention, allowances, all_links, titles)
    assert [n.kind for n in page.notices] == ["budget", "allowance"]
    budget, allowance = page.notices
    assert budget.text.startswith("Het Jeugdwet-budget van Daan is niet genoeg tot en met "
                                  "31 december 2026.")
    assert "U komt € 2.000,00 tekort." in plain(budget.text)
    assert "In dit tempo is het Jeugdwet-budget van Daan op in juli 2026." in budget.text
    assert budget.link_href == "#budget-2"
    assert "De feestdagenuitkering 2026 van Anna is bijna op" in allowance.text
    # What waits for the holder, first, with a link to the sheet itself.
    tasks = page.tasks
    assert tasks.heading == "Wat moet u doen?"
    [sheet] = tasks.mine
    assert plain(sheet.text).startswith("Het urenbriefje over mei 2026 (€ 792,00) wacht op uw "
                                        "akkoord: Zorg voor Anna door Marieke (Wlz).")
    assert sheet.link_href == "/claims.show/4" and sheet.reference == "UB-1"
    [agreement] = tasks.others
    assert agreement.text.startswith("Gemeente Utrecht beoordeelt de zorgovereenkomst")
    assert "Youssef" in agreement.text and agreement.link_href == "/agreements.show/3"
    assert [m.name for m in page.members] == ["Anna", "Daan"]
    assert page.total_runout_text == "Het eerste budget dat op raakt, is in dit tempo op in juli 2026."


def test_a_draft_with_the_provider_says_the_holder_can_take_it_back():
    usage = HouseholdUsage(7, TODAY, [row(grant_id=1)], household_total([row(grant_id=1).usage]),
                           [])
    attention = Attention([], [], [OpenAgreement(3, "ZO-3", "Youssef", 1, "gedeeld")])
    titles = {3: AgreementTitle("Zorg voor Daan door Youssef (Jeugdwet)", "ZO-3")}
    [shared] = build_start_page(usage, attention, {}, all_links, titles).tasks.others
    assert shared.text == ("Youssef vult de zorgovereenkomst aan en ondertekent haar: Zorg voor "
                           "Daan door Youssef (Jeugdwet). Wilt u nog iets veranderen? Dan kunt "
                           "u haar terughalen.")
    assert shared.link_href == "/agreements.show/3"  # where the "Terughalen" link is


def test_nothing_to_do_says_so_and_names_the_client_for_a_helper():
    usage = HouseholdUsage(7, TODAY, [], household_total([]), [])
    own = build_start_page(usage, Attention([], []), {}, no_links).tasks
    assert (own.heading, own.mine, own.nothing_text) == ("Wat moet u doen?", [],
                                                         "U hoeft nu niets te doen.")
    theirs = build_start_page(usage, Attention([], []), {}, no_links,
                              holder_name="Anna de Vries").tasks
    assert theirs.heading == "Wat moet Anna de Vries doen?"
    assert theirs.nothing_text == "Anna de Vries hoeft nu niets te doen."


def test_no_link_while_the_other_page_does_not_exist():
    usage = HouseholdUsage(7, TODAY, [], household_total([]), [])
    page = build_start_page(usage, Attention([], [WaitingSheet(4, "UB-1", "M", D(2026, 5, 1), 1)]),
                            {}, no_links)
    assert page.tasks.mine[0].link_href is None
    assert page.has_budgets is False and page.total_chart is None


def test_total_chart_adds_the_months_of_all_budgets():
    a = row(grant_id=1, detail=months(100, 200))
    b = row(grant_id=2, member_id=2, detail=months(10, 20, 30, paid=False))
    usage = HouseholdUsage(7, TODAY, [a, b], household_total([a.usage, b.usage]), [])
    page = build_start_page(usage, Attention([], []), {}, no_links)
    assert [(m.paid_cents, m.in_progress_cents) for m in page.total_chart.rows] == \
        [(100, 10), (200, 20), (0, 30)]
    assert [len(s.cards) for s in page.members] == [1, 1]
    assert page.members[0].cards[0].heading == "Wlz (Zorgkantoor)"
