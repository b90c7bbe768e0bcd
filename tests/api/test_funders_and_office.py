"""A funder's software (grants, reviews) and the payment office's (runs, SEPA file)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from portal.access.constants import Role
from portal.agreements.constants import VersionStatus
from portal.agreements.models import FunderReview
from portal.budgets.models import Grant, Member
from portal.claims import service as claims_service
from portal.claims.models import Claim
from portal.extensions import db as database
from portal.payments.service import run_payments
from tests.api.conftest import TODAY, bearer, sheet
from tests.factories import make_agreement, make_grant, make_member, make_user


def grant_json(bsn: str, **over) -> dict:
    return {"bsn": bsn, "law": "wmo", "period_start": "2027-01-01", "period_end": "2027-12-31",
            "amount_cents": 1_000_000, "care_kinds": ["individuele_begeleiding"],
            "decision_reference": "B-1", **over}


def grant_count() -> int:
    return database.session.scalar(select(func.count()).select_from(Grant))


def test_grants_are_registered_all_or_nothing(client, world):
    token = world.key("funder")
    member = database.session.get(Member, world.grant.member_id)
    other = make_member()
    database.session.commit()
    before = grant_count()
    bad = client.post("/api/v1/grants", headers=bearer(token), json={"grants": [
        grant_json(member.bsn), grant_json(other.bsn, amount_cents=0)]})
    assert bad.status_code == 422
    problem = bad.get_json()
    assert problem["errors"][0]["pointer"] == "/grants/1/amount_cents"
    assert grant_count() == before  # the good row was not written either
    good = client.post("/api/v1/grants", headers=bearer(token), json={"grants": [
        grant_json(member.bsn), grant_json(other.bsn)]})
    assert good.status_code == 201
    assert len(good.get_json()["grant_ids"]) == 2 and grant_count() == before + 2
    # The same rules as the CSV import: the same period again overlaps.
    again = client.post("/api/v1/grants", headers=bearer(token),
                        json={"grants": [grant_json(member.bsn)]})
    assert again.status_code == 422 and grant_count() == before + 2


def test_an_unknown_bsn_points_at_the_bsn(client, world):
    answer = client.post("/api/v1/grants", headers=bearer(world.key("funder")),
                         json={"grants": [grant_json("111222333")]})
    assert answer.status_code == 422
    assert {e["pointer"] for e in answer.get_json()["errors"]} >= {"/grants/0/bsn"}


def _version_under_review(world):
    agreement = make_agreement(world.grant, world.provider, status=VersionStatus.TER_BEOORDELING,
                               household=None)
    database.session.commit()
    return agreement.versions[0]


def test_a_funder_reads_its_reviews_and_decides_once(client, world):
    version = _version_under_review(world)
    token = world.key("funder")
    queue = client.get("/api/v1/reviews", headers=bearer(token)).get_json()["items"]
    assert [r["version_id"] for r in queue] == [version.id]
    decided = client.post(f"/api/v1/reviews/{version.id}/decision", headers=bearer(token),
                          json={"decision": "approve"})
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == VersionStatus.GOEDGEKEURD.value
    again = client.post(f"/api/v1/reviews/{version.id}/decision", headers=bearer(token),
                        json={"decision": "approve"})
    # Refused, never a second decision: 409 once the transition says "already_done"; today
    # the agreements' rules say the version is no longer under review (wrong_status, 422).
    assert again.status_code in (409, 422), again.get_json()
    assert database.session.scalar(select(func.count()).select_from(FunderReview)) == 1


def test_the_review_list_is_paged_in_the_database(client, world, monkeypatch):
    """A page of reviews reads that page (and one more to know there is a next), never the
    funder's whole queue."""
    from portal.funders import service as funders_service

    built = []
    row = funders_service.QueueRow
    monkeypatch.setattr(funders_service, "QueueRow",
                        lambda **kw: built.append(kw["version_id"]) or row(**kw))
    versions = [_version_under_review(world) for _ in range(5)]
    token = world.key("funder")
    seen, cursor = [], None
    while True:
        answer = client.get("/api/v1/reviews", headers=bearer(token),
                            query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.get_json()
        seen += [r["version_id"] for r in answer.get_json()["items"]]
        cursor = answer.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(v.id for v in versions)
    assert len(built) <= 3 + 3 + 1  # each page: its 2 rows and the next one


def test_a_rejection_needs_a_reason(client, world):
    version = _version_under_review(world)
    answer = client.post(f"/api/v1/reviews/{version.id}/decision",
                         headers=bearer(world.key("funder")), json={"decision": "reject"})
    assert answer.status_code == 422
    assert database.session.get(type(version), version.id).status == VersionStatus.TER_BEOORDELING


def test_another_funders_review_is_not_found(client, world):
    other = make_agreement(make_grant(), world.provider, status=VersionStatus.TER_BEOORDELING)
    database.session.commit()
    answer = client.post(f"/api/v1/reviews/{other.versions[0].id}/decision",
                         headers=bearer(world.key("funder")), json={"decision": "approve"})
    assert answer.status_code == 404


def test_the_office_lists_runs_and_downloads_a_sepa_file(client, world):
    created = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                          headers=bearer(world.key())).get_json()["results"][0]["sheet"]
    claim = database.session.get(Claim, created["id"])
    holder = make_user(Role.BUDGETHOUDER, household_id=world.agreement.household_id)
    claims_service.approve_claim(holder, claim, TODAY)
    claims_service.office_approve(None, claim, TODAY)
    run = run_payments(None, TODAY)
    database.session.commit()
    token = world.key("office")
    runs = client.get("/api/v1/runs", headers=bearer(token)).get_json()
    assert [r["id"] for r in runs["items"]] == [run.id] and runs["next_cursor"] is None
    sepa = client.get(f"/api/v1/runs/{run.id}/sepa", headers=bearer(token))
    assert sepa.status_code == 200 and b"pain.001.001.03" in sepa.data
    assert client.get("/api/v1/runs/999999/sepa", headers=bearer(token)).status_code == 404
    assert dt.date.fromisoformat(runs["items"][0]["run_on"]) == TODAY
