import datetime as dt

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
    assert versions.count(VersionStatus.GOEDGEKEURD) == 4
    assert VersionStatus.TER_BEOORDELING in versions
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


def test_demo_has_a_back_payment_and_a_claim_back_with_their_reasons(demo_db, client, login):
    """Issue 16: the office corrected two paid sheets; the next run pays one and nets the
    other, and both show on the sheet's page."""
    from portal.access.service import find_user_by_email
    from portal.claims.constants import ClaimKind
    from portal.dates import add_months, first_of_month
    from portal.payments.ledger import check_ledger
    from portal.payments.service import execute_run

    corrections = demo_db.session.scalars(select(Claim).where(
        Claim.corrects_claim_id.is_not(None)).order_by(Claim.kind)).all()
    assert [(c.kind, c.status) for c in corrections] == [
        (ClaimKind.NABETALING, ClaimStatus.GOEDGEKEURD),
        (ClaimKind.TERUGVORDERING, ClaimStatus.GOEDGEKEURD)]
    assert all(c.correction_reason for c in corrections)
    assert {c.month for c in corrections} == {first_of_month(add_months(DEMO_DAY, -4))}
    assert check_ledger()[1] == []
    from portal.demo.seed import DEMO_PASSWORD

    login(find_user_by_email(ANNA.email), DEMO_PASSWORD)
    page = client.get(f"/urenbriefjes/{corrections[1].corrects_claim_id}").get_data(as_text=True)
    assert "Correcties" in page and corrections[1].reference in page

    execute_run(None, DEMO_DAY)  # Youssef's submitted sheet is approved and paid: netted
    demo_db.session.expire_all()
    assert {c.status for c in corrections} == {ClaimStatus.UITBETAALD}
    assert check_ledger()[1] == []


def test_the_demo_has_an_allowance_claim_of_each_kind(db):
    """Issue 16: the demo shows a feestdagenuitkering and a verantwoordingsvrij bedrag."""
    seed_demo(dt.date(2027, 3, 10))
    kinds = set(db.session.scalars(select(Claim.kind).where(Claim.kind.in_(["vrij", "feestdagen"]))))
    assert kinds == {"vrij", "feestdagen"}
    assert_grants_match_their_history(db.session)


def test_in_january_last_years_budget_is_still_being_paid(db):
    from portal.budgets.models import Household
    from portal.overview.service import household_usage

    seed_demo(dt.date(2027, 1, 8))
    jansen = db.session.scalar(select(Household).where(Household.name == "Jansen"))
    rows = household_usage(jansen.id, dt.date(2027, 1, 8)).rows
    assert any(r.last_year and r.period_start.year == 2026 and r.usage.in_progress_cents
               for r in rows)
    kinds = set(db.session.scalars(select(Claim.kind).where(Claim.kind == "feestdagen")))
    assert kinds == {"feestdagen"}
