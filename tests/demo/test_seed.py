import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from portal.agreements.constants import ModelKind, ReviewDecision, VersionStatus
from portal.agreements.models import Agreement, AgreementVersion, FunderReview
from portal.budgets.constants import FunderKind
from portal.budgets.models import Funder, Household
from portal.claims.allowances import allowance_status
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.demo.seed import ANNA, DEMO_LOGINS, seed_demo
from portal.overview import service as overview
from portal.overview.start_page import build_start_page
from portal.payments.models import Payment
from tests.conftest import DEMO_DAY
from tests.ledger import assert_grants_match_their_history


def _counts(db):
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_has_every_claim_status_and_a_change_awaiting_approval(db):
    assert seed_demo(dt.date(2026, 11, 25)) is True
    statuses = set(db.session.scalars(select(Claim.status)).all())
    assert statuses == {s.value for s in ClaimStatus}
    paid = db.session.scalar(select(func.count()).where(Claim.status == ClaimStatus.UITBETAALD))
    assert paid > len(statuses) * 3  # most sheets are paid
    versions = db.session.scalars(select(AgreementVersion.status)).all()
    # Every agreement's first version is approved; one change (Youssef's) waits for the funder.
    agreements = db.session.scalar(select(func.count()).select_from(Agreement))
    assert versions.count(VersionStatus.GOEDGEKEURD) == agreements
    assert versions.count(VersionStatus.TER_BEOORDELING) == 1
    assert len(versions) == agreements + 1
    assert db.session.scalar(select(func.count()).select_from(Payment)) > 0
    # De Linde's agreement with Anna draws on a Wlz and a Zvw budget: each funder approved it.
    linde = db.session.scalar(select(Agreement).join(Household).where(
        Household.name == "Jansen", Agreement.model == ModelKind.ZORGINSTELLING))
    decided = set(db.session.execute(
        select(Funder.kind, FunderReview.decision).join(Funder, Funder.id == FunderReview.funder_id)
        .where(FunderReview.version_id == linde.versions[0].id)).all())
    assert decided == {(FunderKind.ZORGKANTOOR, ReviewDecision.GOEDGEKEURD),
                       (FunderKind.ZORGVERZEKERAAR, ReviewDecision.GOEDGEKEURD)}
    # Each grant's running totals are what its sheets and allowance uses add up to.
    grants = assert_grants_match_their_history(db.session)
    assert any(g.paid_cents for g in grants) and any(g.reserved_cents for g in grants)


def test_demo_months_cover_the_last_ten_months(db):
    seed_demo(dt.date(2027, 3, 10))  # the window crosses a year: grants for both years
    months = set(db.session.scalars(select(Claim.month).where(Claim.kind == "uren")).all())
    assert min(months) == dt.date(2026, 5, 1) and max(months) == dt.date(2027, 2, 1)
    assert len(months) == 10


def test_seeding_again_changes_nothing(demo_db):
    db = demo_db  # the demo, seeded once for DEMO_DAY (tests/conftest.py)
    before = _counts(db)
    assert seed_demo(DEMO_DAY) is False
    assert _counts(db) == before


def test_every_demo_login_works(client, demo_db):
    from portal.demo.seed import DEMO_PASSWORD

    for demo in DEMO_LOGINS:
        response = client.post("/inloggen", data={"email": demo.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, demo.email
        client.post("/uitloggen")
    assert ANNA.totp_secret is None
    assert all(d.totp_secret for d in DEMO_LOGINS if d.role.value in ("consulent", "beheerder", "adviseur"))


@pytest.mark.parametrize("today", [
    dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 3, 1), dt.date(2026, 6, 30),
    dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 31), dt.date(2028, 2, 29),
])
def test_the_demo_loads_on_any_day_of_the_year(db, today):
    """The demo is relative to the day it is loaded: it must load on year ends and month ends too
    (in December the waiting change starts in January, on next year's budgets)."""
    assert seed_demo(today) is True
    change = db.session.scalars(select(AgreementVersion).where(
        AgreementVersion.status == VersionStatus.TER_BEOORDELING)).one()
    assert change.starts_on.day == 1 and change.starts_on > today
    months = sorted(set(db.session.scalars(select(Claim.month).where(Claim.kind == "uren"))))
    assert len(months) == 10 and months[-1] < today.replace(day=1)
    assert_grants_match_their_history(db.session)
    # Every kind of warning of the start page, read the way the start page reads them.
    jansen = db.session.scalar(select(Household.id).where(Household.name == "Jansen"))
    usage = overview.household_usage(jansen, today)
    allowances = allowance_status([row.allowance_facts for row in usage.rows])
    page = build_start_page(usage, overview.household_attention(jansen), allowances,
                            lambda *args, **kw: None)
    kinds = {}
    for notice in page.notices:
        kinds.setdefault(notice.kind, []).append(notice.text)
    # (the Wlz allowances are claims now, asked for once: no "almost used up" warning)
    assert set(kinds) == {"budget"}
    # What waits: a sheet for Anna's akkoord first; the funder reviewing the change.
    assert [t.kind for t in page.tasks.mine][:1] == ["sheet"]
    assert any("beoordeelt de zorgovereenkomst" in t.text for t in page.tasks.others)
    assert any("Wmo" in text and "Sara Jansen" in text for text in kinds["budget"])


def test_the_demo_api_keys_work_for_their_own_organisation(client, db):
    from portal.demo.seed import DEMO_API_KEYS

    seed_demo(dt.date(2026, 11, 25))
    linde = client.get("/api/v1/agreements",
                       headers={"Authorization": f"Bearer {DEMO_API_KEYS['linde']}"})
    assert linde.status_code == 200
    assert {a["holder_name"] for a in linde.get_json()["items"]} == {"Anna Jansen",
                                                                      "Pieter Bakker"}
    utrecht = client.get("/api/v1/reviews",
                         headers={"Authorization": f"Bearer {DEMO_API_KEYS['utrecht']}"})
    assert utrecht.status_code == 200 and len(utrecht.get_json()["items"]) == 1
    office = client.get("/api/v1/runs",
                        headers={"Authorization": f"Bearer {DEMO_API_KEYS['office']}"})
    assert office.status_code == 200 and office.get_json()["items"]


# ---------------------------------------------------------------------------------------------
# Issue 16: the money the rules owe, in the demo loaded in the middle of the year and in
# January (tests/demo/conftest.py: `demo_on`, the clock at that day).
# ---------------------------------------------------------------------------------------------


def _demo_user(email):
    from portal.access.service import find_user_by_email

    return find_user_by_email(email)


def _jansen_id(db):
    return db.session.scalar(select(Household.id).where(Household.name == "Jansen"))


def _anna_wlz(db, year):
    from portal.budgets.constants import Law
    from portal.budgets.models import Grant, Member

    return db.session.scalar(select(Grant).join(Member, Member.id == Grant.member_id).where(
        Member.name == "Anna Jansen", Grant.law == Law.WLZ.value,
        Grant.period_start == dt.date(year, 1, 1)))


def _page(client, login, email, url):
    from portal.demo.seed import DEMO_PASSWORD

    client.post("/uitloggen")
    login(_demo_user(email), DEMO_PASSWORD)
    response = client.get(url)
    assert response.status_code == 200, (email, url)
    return response.get_data(as_text=True)


def test_the_demo_pays_a_monthly_wage_holder_and_employee_see_it(demo_on, db, client, login):
    """Sanne Vermeulen is employed by Anna at a fixed monthly wage: every month that is over
    was paid by a payment run (the first pro rata), but last month's, which the office's next
    run puts ready."""
    from portal.claims.constants import ClaimKind
    from portal.claims.service import wages_due
    from portal.dates import add_months, first_of_month, last_of_month
    from portal.demo.seed import ANNA, SANNE
    from portal.demo.wages import WAGE_CENTS, wage_start
    from portal.providers.models import Provider

    day = demo_on
    agreement = db.session.scalar(select(Agreement).join(Provider).where(
        Provider.name == SANNE.name, Agreement.model == ModelKind.ARBEID))
    wages = db.session.scalars(select(Claim).where(Claim.agreement_id == agreement.id)
                               .order_by(Claim.month)).all()
    first = first_of_month(add_months(day, -10))
    last_paid = first_of_month(add_months(day, -2))
    assert [c.month for c in wages] == [add_months(first, n) for n in range(9)]
    assert [c.month for c in wages][-1] == last_paid
    assert {(c.kind, c.status) for c in wages} == {(ClaimKind.LOON, ClaimStatus.UITBETAALD)}
    assert all(c.paid_on and c.paid_on > last_of_month(c.month) for c in wages)
    days = last_of_month(first).day
    worked = days - wage_start(first).day + 1
    assert wages[0].total_cents == round(WAGE_CENTS * worked / days) < WAGE_CENTS
    assert {c.total_cents for c in wages[1:]} == {WAGE_CENTS}
    # Last month's wage: the office's next run puts it ready and pays it.
    assert [(w.agreement_id, w.month, w.amount_cents) for w in wages_due(day)] == [
        (agreement.id, first_of_month(add_months(day, -1)), WAGE_CENTS)]

    paid = wages[-1]
    for email in (ANNA.email, SANNE.email):
        page = _page(client, login, email, f"/urenbriefjes/{paid.id}")
        assert paid.reference in page and "Maandloon" in page, email
    payments = _page(client, login, SANNE.email, "/zorgverlener/betalingen")
    assert paid.reference in payments
    # the wage's line reads as days of the month (as on its own page), not as hours
    days = last_of_month(paid.month).day
    assert f"{days} van {days} dagen x" in payments and " uur x " not in payments


def test_the_demo_has_a_free_amount_claim(demo_on, db):
    """The vrij besteedbaar bedrag: this year's, or early in the year (nothing paid from
    this year's budget yet) last year's, asked for in its December; it waits for the next run
    and goes to Anna's own account."""
    from portal.claims.constants import ClaimKind

    day = demo_on
    free = db.session.scalars(select(Claim).where(Claim.kind == ClaimKind.VRIJ)).one()
    year = day.year if day.month > 1 else day.year - 1
    assert free.status == ClaimStatus.INGEDIEND and free.agreement_id is None
    assert free.reference.startswith(f"VB-{year}-")
    assert [line.grant_id for line in free.lines] == [_anna_wlz(db, year).id]
    assert 25_000 <= free.total_cents <= 125_000
    assert_grants_match_their_history(db.session)


def test_the_demo_has_a_holiday_allowance_claim(demo_on, db):
    """The feestdagenuitkering: for a provider who worked on a public holiday, from the Wlz
    budget of that year; it waits for the next run."""
    from portal.claims.constants import ClaimKind
    from portal.claims.models import ClaimLine

    holiday = db.session.scalars(select(Claim).where(Claim.kind == ClaimKind.FEESTDAGEN)).one()
    assert holiday.status == ClaimStatus.INGEDIEND and holiday.agreement_id is not None
    (line,) = holiday.lines
    grant = _anna_wlz(db, line.day.year)
    assert line.grant_id == grant.id and holiday.total_cents == 15_000
    worked = db.session.scalar(select(func.count()).select_from(ClaimLine).join(Claim).where(
        Claim.agreement_id == holiday.agreement_id, Claim.kind == "uren",
        ClaimLine.grant_id == grant.id))
    assert worked


def test_last_years_budget_is_shown_and_paid_while_its_december_is_paid(demo_on, db, client,
                                                                          login):
    """In January, Anna's budgets of last year stay on Mijn budget, marked as last year's,
    while December's sheets and wage are still being paid; the office's run pays them from
    last year's budget. In the middle of the year last year's are gone (all paid)."""
    from portal.claims.constants import ClaimKind
    from portal.dates import add_months, first_of_month
    from portal.demo.seed import ANNA
    from portal.overview.service import household_usage
    from portal.payments.ledger import check_ledger
    from portal.payments.service import execute_run

    day = demo_on
    rows = household_usage(_jansen_id(db), day).rows
    old = [r for r in rows if r.last_year]
    page = _page(client, login, ANNA.email, f"/huishoudens/{_jansen_id(db)}/budget")
    if day.month != 1:
        assert old == [] and "budget van vorig jaar" not in page
        return
    assert {r.period_start.year for r in old} == {day.year - 1}
    assert any(r.usage.in_progress_cents for r in old)
    assert f"budget van vorig jaar ({day.year - 1})" in page
    december = first_of_month(add_months(day, -1))
    assert december.year == day.year - 1
    waiting = db.session.scalars(select(Claim).where(
        Claim.month == december, Claim.status == ClaimStatus.GOEDGEKEURD)).all()
    assert waiting  # an approved December sheet, waiting for the run

    execute_run(None, day)  # the office's next run
    db.session.expire_all()
    paid = db.session.scalars(select(Claim).where(
        Claim.month == december, Claim.status == ClaimStatus.UITBETAALD)).all()
    assert {c.kind for c in paid} >= {ClaimKind.UREN, ClaimKind.LOON}
    assert {c.paid_on for c in paid} == {day}
    grants = {line.grant_id for c in paid for line in c.lines}
    assert grants and grants <= {r.grant_id for r in old}
    assert check_ledger()[1] == []


def test_the_demo_has_a_top_up(demo_on, db, client, login):
    """Marieke's tariff is above the Wlz informal maximum: Anna pays the difference herself
    (bijbetaling), recorded on every line of Marieke's sheets and shown on the sheet."""
    from portal.claims.models import ClaimLine
    from portal.demo.seed import ANNA
    from portal.providers.models import Provider

    sheets = db.session.scalars(select(Claim).join(Agreement).join(Provider).where(
        Provider.name == "Marieke de Boer", Claim.kind == "uren",
        Claim.status == ClaimStatus.UITBETAALD).order_by(Claim.month)).all()
    assert sheets
    top_ups = db.session.scalars(select(ClaimLine.holder_cents).where(
        ClaimLine.claim_id.in_([s.id for s in sheets]))).all()
    assert top_ups and all(cents > 0 for cents in top_ups)
    page = _page(client, login, ANNA.email, f"/urenbriefjes/{sheets[-1].id}")
    assert "Bijbetaling budgethouder" in page and "zelf" in page
    # Marieke's payments say the same: hours x her tariff, of which the budget paid part
    from portal.demo.seed import MARIEKE
    from portal.money import format_euro

    payments = _page(client, login, MARIEKE.email, "/zorgverlener/betalingen")
    last = sheets[-1]
    own = sum(line.holder_cents for line in last.lines)
    assert (f"waarvan uit het budget {format_euro(last.total_cents)} en door Anna Jansen zelf "
            f"{format_euro(own)}") in re.sub(r"<[^>]+>", "", payments)


def test_the_demo_has_a_back_payment_and_a_claim_back_with_their_reasons(demo_on, db, client,
                                                                         login):
    """The office corrected two paid sheets of four months ago: a back-payment and a
    claim-back, each with its reason, shown on the sheet's page; the next run pays the one
    and nets the other."""
    from portal.claims.constants import ClaimKind
    from portal.dates import add_months, first_of_month
    from portal.payments.ledger import check_ledger
    from portal.payments.service import execute_run

    corrections = db.session.scalars(select(Claim).where(
        Claim.corrects_claim_id.is_not(None)).order_by(Claim.kind)).all()
    assert [(c.kind, c.status) for c in corrections] == [
        (ClaimKind.NABETALING, ClaimStatus.GOEDGEKEURD),
        (ClaimKind.TERUGVORDERING, ClaimStatus.GOEDGEKEURD)]
    assert all(c.correction_reason for c in corrections)
    assert {c.month for c in corrections} == {first_of_month(add_months(demo_on, -4))}
    assert check_ledger()[1] == []
    page = _page(client, login, ANNA.email, f"/urenbriefjes/{corrections[1].corrects_claim_id}")
    assert "Correcties" in page and corrections[1].reference in page

    execute_run(None, demo_on)  # Youssef's submitted sheet is approved and paid: netted
    db.session.expire_all()
    assert {c.status for c in corrections} == {ClaimStatus.UITBETAALD}
    assert check_ledger()[1] == []


def test_the_allowances_page_offers_only_what_the_rule_allows(demo_on, db, client, login):
    """Found on the demo (issue 16): loaded on 15 June the Uitkeringen Wlz page offered last
    year's free amount, which the rule refused; loaded on 15 January it offered EUR 0,00.
    Every button it shows must be one the request accepts, and no amount of zero is offered."""
    from portal.claims.constants import ClaimKind

    day = demo_on
    household_id = _jansen_id(db)
    html = _page(client, login, ANNA.email, f"/huishoudens/{household_id}/uitkeringen")
    assert "0,00 aanvragen" not in html
    offered = re.findall(rf'action="/huishoudens/{household_id}/uitkeringen/(\d+)/vrij"', html)
    assert "nu niet aanvragen" in html  # a budget whose free amount cannot be asked says why
    if day.month == 1:
        assert offered == []
        assert "pas aanvragen als er uit uw budget is betaald" in html
    else:
        assert f"U kunt het vrij besteedbaar bedrag van {day.year - 1} alleen in" in html
    for grant_id in offered:
        response = client.post(f"/huishoudens/{household_id}/uitkeringen/{grant_id}/vrij")
        assert response.status_code == 303, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Claim.id)).where(
        Claim.kind == ClaimKind.VRIJ)) == 1 + len(offered)
