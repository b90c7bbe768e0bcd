"""Mijn budget (overview.household) through the test client: figures, chart, table, warnings,
who may see it, and a fixed number of queries whatever the size of the household."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.agreements.constants import VersionStatus
from portal.budgets.constants import AllowanceKind, CareKind, Law, Unit
from portal.budgets.models import AllowanceCap, AllowanceUse
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.money import format_euro
from portal.overview.service import household_usage
from portal.overview.views import link_if_exists
from tests import factories as f
from tests.overview.test_usage import build_household, claim
from tests.statements import recorded_statements

D = dt.date
TODAY = D(2026, 6, 15)


@pytest.fixture(autouse=True)
def fixed_today(today_is):
    """The budget page, and every view's household check, take TODAY as today."""
    today_is(TODAY)


def page(client, household_id: int) -> str:
    response = client.get(f"/huishoudens/{household_id}/budget")
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\xa0", " ")


def eur(cents: int) -> str:
    return format_euro(cents).replace("\xa0", " ")


def jansen():
    """Anna (Wlz) and Daan (Jeugdwet, runs out in July), with sheets and something waiting."""
    household = f.make_household()
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    anna = f.make_member(household, name="Anna")
    daan = f.make_member(household, name="Daan")
    wlz = f.make_grant(anna, law=Law.WLZ, amount_cents=2_400_000, paid_cents=500_000,
                       reserved_cents=100_000)
    jeugd = f.make_grant(daan, law=Law.JEUGDWET, amount_cents=600_000, paid_cents=500_000)
    a1 = f.make_agreement(wlz, provider=f.make_provider(name="Marieke"),
                          lines=[(wlz, CareKind.PERSOONLIJKE_VERZORGING, Unit.UUR, 6000, 240)])
    a2 = f.make_agreement(jeugd, lines=[(jeugd, CareKind.LOGEEROPVANG, Unit.DAGDEEL, 7088, 2)])
    claim(a1, wlz, D(2026, 1, 1), ClaimStatus.UITBETAALD, 100_000)
    claim(a1, wlz, D(2026, 2, 1), ClaimStatus.UITBETAALD, 150_000)
    claim(a1, wlz, D(2026, 3, 1), ClaimStatus.GOEDGEKEURD, 100_000)
    claim(a1, wlz, D(2026, 5, 1), ClaimStatus.WACHT_OP_AKKOORD, 79_200)
    for m in range(1, 6):
        claim(a2, jeugd, D(2026, m, 1), ClaimStatus.UITBETAALD, 100_000)
    f.make_agreement(jeugd, provider=f.make_provider(name="Youssef"),
                     status=VersionStatus.TER_BEOORDELING)
    return household, holder, wlz, jeugd


def test_holder_sees_every_budget_the_total_and_the_prognosis(client, login, db):
    household, holder, wlz, jeugd = jansen()
    login(holder)
    html = page(client, household.id)
    usage = household_usage(household.id, TODAY)
    assert "<h1>Mijn budget</h1>" in html and "<title>Mijn budget - PGB-portaal</title>" in html
    for row in usage.rows:
        u = row.usage
        assert f"<th scope=\"row\">{row.member_name}, {row.law_label}</th>" in html
        for cents in (u.granted_cents, u.paid_cents, u.in_progress_cents, u.available_cents,
                      u.committed_cents):
            assert eur(cents) in html
    total = usage.total
    tfoot = html[html.index("<tfoot>"):html.index("</tfoot>")]
    for cents in (total.granted_cents, total.paid_cents, total.in_progress_cents,
                  total.available_cents, total.committed_cents):
        assert eur(cents) in tfoot
    assert "In dit tempo is uw budget op in juli 2026." in html
    assert "Het eerste budget dat op raakt, is in dit tempo op in juli 2026." in html
    assert '<h2 id="lid-' in html and ">Anna</h2>" in html and ">Daan</h2>" in html
    assert "Wlz (" in html and "Jeugdwet (" in html


def test_chart_is_an_svg_image_with_a_table_of_the_same_numbers(client, login, db):
    household, holder, wlz, jeugd = jansen()
    login(holder)
    html = page(client, household.id)
    assert html.count('role="img"') == 3  # two budgets and the total
    label = re.search(r'aria-label="(Staafdiagram: uitgaven per maand, Wlz, Anna[^"]*)"', html)
    assert label and "Hoogste maand: februari 2026 met € 1.500,00" in label.group(1)
    table = html[html.index(f'id="tabel-budget-{wlz.id}"'):]
    table = table[:table.index("</table>")]
    assert ">Uitgaven per maand: Wlz, Anna</caption>" in table
    assert '<th scope="col">Maand</th>' in table
    # Each cell carries its column's header for the phone's cards (portal/table_cards.py).
    assert re.search(r"maart 2026</th><td class=\"num\"[^>]*>€ 0,00</td>\s*"
                     r"<td class=\"num\"[^>]*>€ 1.000,00</td><td class=\"num\"[^>]*>€ 1.000,00</td>",
                     table)
    assert html.count("<summary>Bekijk als tabel</summary>") == 3


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def test_tasks_first_then_warnings(client, login, db):
    household, holder, wlz, jeugd = jansen()
    login(holder)
    html = page(client, household.id)
    tasks = html[html.index('<h2 id="taken">'):html.index('<h2 id="let-op">')]
    assert "Wat moet u doen?" in tasks
    mine, others = tasks.split('<h3 id="anderen">')
    # The sheet waiting for Anna's akkoord, linked to the sheet itself (not the list).
    sheet = db.session.scalars(select(Claim).where(
        Claim.status == ClaimStatus.WACHT_OP_AKKOORD)).one()
    assert "Het urenbriefje over mei 2026 (€ 792,00" in plain(mine)
    assert "wacht op uw akkoord: Zorg voor Anna door Marieke (Wlz)" in plain(mine)
    assert f'<a href="/urenbriefjes/{sheet.id}">Bekijk het urenbriefje</a>' in mine
    # What others do: the funder reviews Youssef's agreement.
    assert "beoordeelt de zorgovereenkomst" in others and "Zorg voor Daan door Youssef" in others
    warnings = html[html.index('<h2 id="let-op">'):html.index('<h2 id="alles-samen">')]
    assert "Het Jeugdwet-budget van Daan is niet genoeg tot en met 31 december 2026." in warnings
    assert "In dit tempo is het Jeugdwet-budget van Daan op in juli 2026." in warnings
    assert "Youssef" not in warnings and "Marieke" not in warnings  # not twice


def test_wlz_allowance_close_to_its_cap_is_a_warning_with_its_figures(client, login, db):
    """The holiday allowance has a yearly cap (per provider who worked on a holiday, at
    least one); the free amount is one claim a year, so it is never 'almost used up'."""
    household, holder, wlz, jeugd = jansen()
    # EUR 136 per provider; two of Anna's providers worked on a public holiday: EUR 272
    f.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026, cap_cents=13_600))
    # EUR 217.60 used of EUR 272 is exactly 80% (an old use, recorded before issue 16)
    f.add(AllowanceUse(grant_id=wlz.id, kind=AllowanceKind.FEESTDAGEN,
                       amount_cents=21_760, spent_on=D(2026, 3, 2)))
    login(holder)
    html = page(client, household.id)
    assert ("De feestdagenuitkering 2026 van Anna is bijna op: € 217,60 gebruikt van "
            "€ 272,00, nog € 54,40 over.") in html
    assert "Feestdagenuitkering 2026: € 217,60 gebruikt van € 272,00" in html
    assert "Vrij besteedbaar bedrag 2026: € 0,00 gebruikt van € 250,00" in html  # the minimum


def test_allowance_just_below_the_cap_warning_is_no_warning(client, login, db):
    household, holder, wlz, jeugd = jansen()
    f.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026, cap_cents=13_600))
    f.add(AllowanceUse(grant_id=wlz.id, kind=AllowanceKind.FEESTDAGEN,
                       amount_cents=21_759, spent_on=D(2026, 3, 2)))
    login(holder)
    html = page(client, household.id)
    assert "bijna op" not in html
    assert "Feestdagenuitkering 2026: € 217,59 gebruikt van € 272,00" in html


def test_links_only_to_pages_that_exist(app, db):
    with app.test_request_context():
        assert link_if_exists("no.such_page", household_id=1) is None
        assert link_if_exists("overview.household", household_id=3) == "/huishoudens/3/budget"


def test_household_without_budgets(client, login, db):
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    html = page(client, holder.household_id)
    assert "Er staat op dit moment geen budget op uw naam." in html
    assert 'role="img"' not in html and "Let op" not in html


def test_another_household_is_not_found(client, login, db):
    household, holder, wlz, jeugd = jansen()
    stranger = f.make_user(Role.BUDGETHOUDER)
    login(stranger)
    assert client.get(f"/huishoudens/{household.id}/budget").status_code == 404
    assert client.get("/huishoudens/999999/budget").status_code == 404


@pytest.mark.parametrize("role", [Role.ZORGVERLENER, Role.CONSULENT, Role.BEHEERDER,
                                  Role.VERTEGENWOORDIGER, Role.ADVISEUR])
def test_other_roles_without_authorisation_get_not_found(client, login, db, role):
    household, holder, wlz, jeugd = jansen()
    login(f.make_user(role))
    assert client.get(f"/huishoudens/{household.id}/budget").status_code == 404


def test_an_authorised_advisor_sees_the_page_and_the_look_is_logged(client, login, db):
    household, holder, wlz, jeugd = jansen()
    advisor = f.make_user(Role.ADVISEUR)
    f.make_authorization(household, advisor, holder)
    login(advisor)
    html = page(client, household.id)
    assert "<h1>Budget van " in html and "Mijn budget" not in html
    assert "Wat moet " in html  # the tasks name the client, not "u"
    logged = db.session.scalars(select(AuditEvent).where(
        AuditEvent.household_id == household.id, AuditEvent.actor_id == advisor.id,
        AuditEvent.action == "view")).all()
    assert [e.summary for e in logged] == ["de pagina 'Mijn budget'"]


def test_login_required(client, db):
    response = client.get("/huishoudens/1/budget")
    assert response.status_code == 302 and "/inloggen" in response.location


def test_budget_holder_lands_on_the_start_page_after_login(client, login, db):
    household, holder, wlz, jeugd = jansen()
    login(holder)
    response = client.get("/start")
    assert response.status_code == 302
    assert response.location.endswith(f"/huishoudens/{household.id}/budget")


def test_query_count_is_fixed_whatever_the_size_of_the_household(client, login, db, today_is):
    start, today = D(2025, 6, 1), D(2026, 5, 31)
    today_is(today)
    counts, charts = [], []
    for members, months in ((1, 1), (8, 12)):
        household = build_household(members=members, months=months, start=start)
        member = f.make_member(household)
        # a Wlz budget in both (the allowance figures read five more queries when there is one)
        f.make_grant(member, law=Law.WLZ, period_start=start, period_end=D(2026, 5, 31))
        holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
        db.session.flush()
        login(holder)
        with recorded_statements() as statements:
            response = client.get(f"/huishoudens/{household.id}/budget")
        assert response.status_code == 200
        counts.append(statements)
        charts.append(response.get_data(as_text=True).count('role="img"'))
        client.post("/uitloggen")
    small, big = counts
    assert charts == [1 + 2, 1 + 12 + 1]  # the total, every budget (the new Wlz one has no months)
    assert len(small) == len(big), (small, big)
    # 12, the what-if's choice of agreements, the Wlz allowance figures (claims.allowances
    # reads five), the tasks' human titles (agreements.titles) and what "Uitbetaald" holds
    # (paid_figures), one query each
    assert len(big) <= 18, big
