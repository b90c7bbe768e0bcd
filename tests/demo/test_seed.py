import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.agreements.constants import ModelKind, ReviewDecision, VersionStatus
from portal.agreements.models import Agreement, AgreementVersion, FunderReview
from portal.budgets import service as budgets_service
from portal.budgets.constants import FunderKind
from portal.budgets.models import Funder, Household
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
    months = set(db.session.scalars(select(Claim.month)).all())
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
    months = sorted(set(db.session.scalars(select(Claim.month)).all()))
    assert len(months) == 10 and months[-1] < today.replace(day=1)
    assert_grants_match_their_history(db.session)
    # Every kind of warning of the start page, read the way the start page reads them.
    jansen = db.session.scalar(select(Household.id).where(Household.name == "Jansen"))
    usage = overview.household_usage(jansen, today)
    allowances = budgets_service.allowance_status([row.allowance_facts for row in usage.rows])
    page = build_start_page(usage, overview.household_attention(jansen), allowances,
                            lambda *args, **kw: None)
    kinds = {}
    for notice in page.notices:
        kinds.setdefault(notice.kind, []).append(notice.text)
    assert set(kinds) == {"budget", "allowance"}
    # What waits: a sheet for Anna's akkoord first; the funder reviewing the change.
    assert [t.kind for t in page.tasks.mine][:1] == ["sheet"]
    assert any("beoordeelt de zorgovereenkomst" in t.text for t in page.tasks.others)
    assert any("Wmo" in text and "Sara Jansen" in text for text in kinds["budget"])
    assert any("Anna Jansen" in text for text in kinds["allowance"])


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
