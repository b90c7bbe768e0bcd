"""A care organisation's software: agreements, hour sheets in bulk, their status, payments."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from portal.access.models import User
from portal.budgets.models import Member
from portal.claims.constants import ClaimSource, ClaimStatus
from portal.claims.models import Claim
from portal.extensions import db as database
from tests.api.conftest import bearer, sheet


def test_agreements_name_the_budget_holder_and_never_a_bsn_or_budget(client, world):
    answer = client.get("/api/v1/agreements", headers=bearer(world.key()))
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert [a["id"] for a in items] == [world.agreement.id]  # not the other organisation's
    assert items[0]["holder_name"] == "Marieke Test"
    text = answer.get_data(as_text=True)
    member = database.session.get(Member, world.grant.member_id)
    assert member.bsn not in text
    assert str(world.grant.amount_cents) not in text and "amount" not in text


def test_bulk_sheets_are_answered_each_on_their_own(client, world):
    body = {"sheets": [
        sheet(world.agreement.id),                       # fine
        sheet(world.agreement.id, "2026-12"),            # the month has not ended
        sheet(world.other_agreement.id),                 # another organisation's: not found
        {**sheet(world.agreement.id), "month": "2026-13"},  # no month
    ]}
    answer = client.post("/api/v1/sheets", json=body, headers=bearer(world.key()))
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert [r["outcome"] for r in results] == ["created", "refused", "refused", "refused"]
    created = results[0]["sheet"]
    assert created["status"] == ClaimStatus.WACHT_OP_AKKOORD.value  # waits for the holder
    assert created["total_cents"] == 2 * 2 * 6000
    assert results[1]["problem"]["code"] == "month_not_over"
    assert results[1]["problem"]["errors"][0]["pointer"] == "/sheets/1/month"
    assert results[2]["problem"]["status"] == 404
    assert results[2]["problem"]["errors"][0]["pointer"] == "/sheets/2/agreement_id"
    assert results[3]["problem"]["code"] == "month_invalid"
    claim = database.session.get(Claim, created["id"])
    assert claim.source == ClaimSource.API and claim.submitted_at is None
    assert database.session.scalar(select(func.count()).select_from(Claim)) == 1


def test_a_refused_line_points_at_its_field(client, world):
    body = {"sheets": [sheet(world.agreement.id, days=(2,), minutes=25)]}  # not a quarter
    result = client.post("/api/v1/sheets", json=body,
                         headers=bearer(world.key())).get_json()["results"][0]
    pointers = [e["pointer"] for e in result["problem"]["errors"]]
    assert "/sheets/0/lines/0/quantity" in pointers or "/sheets/0/lines/0/day" in pointers


def test_a_second_sheet_for_the_same_month_is_refused_with_the_rules_code(client, world):
    token = world.key()
    client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                headers=bearer(token))
    again = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                        headers=bearer(token)).get_json()["results"][0]
    assert again["problem"]["code"] == "duplicate_sheet"


def test_problems_in_english_with_accept_language(client, world):
    body = {"sheets": [sheet(world.agreement.id, "2026-12")]}
    nl = client.post("/api/v1/sheets", json=body, headers=bearer(world.key())).get_json()
    en = client.post("/api/v1/sheets", json=body, headers=bearer(
        world.key(), **{"Accept-Language": "en"})).get_json()
    assert nl["results"][0]["problem"]["title"] == "Geweigerd"
    assert en["results"][0]["problem"]["title"] == "Refused"
    assert en["results"][0]["problem"]["code"] == "month_not_over"
    invalid = client.post("/api/v1/sheets", json={"sheets": [{"month": "2026-11"}]},
                          headers=bearer(world.key(), **{"Accept-Language": "en"}))
    assert invalid.status_code == 422 and invalid.mimetype == "application/problem+json"
    problem = invalid.get_json()
    assert problem["title"] == "Refused"
    assert {e["pointer"] for e in problem["errors"]} >= {"/sheets/0/agreement_id",
                                                          "/sheets/0/lines"}


def test_a_sheet_shows_its_status_and_refusal_reason(client, world):
    token = world.key()
    created = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                          headers=bearer(token)).get_json()["results"][0]["sheet"]
    claim = database.session.get(Claim, created["id"])
    claim.status, claim.refusal_reason = ClaimStatus.AFGEKEURD, "Handtekening ontbreekt."
    claim.refusal_codes = ["office_refused"]
    database.session.flush()
    shown = client.get(f"/api/v1/sheets/{claim.id}", headers=bearer(token)).get_json()
    assert shown["status"] == "afgekeurd"
    assert shown["refusal_reason"] == "Handtekening ontbreekt."
    assert shown["refusal_codes"] == ["office_refused"]
    assert "Handtekening ontbreekt." in shown["status_text"]
    other = client.get(f"/api/v1/sheets/{claim.id}", headers=bearer(world.key(other=True)))
    assert other.status_code == 404


def test_the_api_never_submits_for_the_budget_holder(client, world):
    """Whatever the body says, a prepared sheet waits for the akkoord in the portal."""
    body = {"sheets": [{**sheet(world.agreement.id), "status": "ingediend", "submit": True}]}
    answer = client.post("/api/v1/sheets", json=body, headers=bearer(world.key()))
    assert answer.status_code == 422  # unknown fields are refused, not silently obeyed
    assert database.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_lists_are_paged_by_an_opaque_cursor(client, world):
    token = world.key()
    months = ["2026-10", "2026-11"]  # earlier months are past the provider's six weeks
    client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id, m) for m in months]},
                headers=bearer(token))
    seen, cursor = [], None
    for _ in range(5):
        query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = client.get("/api/v1/sheets" + query, headers=bearer(token)).get_json()
        seen += [s["month"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == months
    assert client.get("/api/v1/sheets?limit=201", headers=bearer(token)).status_code == 422
    bad = client.get("/api/v1/sheets?cursor=nonsense", headers=bearer(token))
    assert bad.status_code == 422 and bad.get_json()["code"] == "cursor_invalid"


def test_idempotency_key_does_a_write_once(client, world):
    token = world.key()
    body = {"sheets": [sheet(world.agreement.id)]}
    first = client.post("/api/v1/sheets", json=body,
                        headers=bearer(token, **{"Idempotency-Key": "run-1"}))
    again = client.post("/api/v1/sheets", json=body,
                        headers=bearer(token, **{"Idempotency-Key": "run-1"}))
    assert first.status_code == again.status_code == 200
    assert json.loads(again.get_data()) == json.loads(first.get_data())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert database.session.scalar(select(func.count()).select_from(Claim)) == 1
    other = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id, "2026-10")]},
                        headers=bearer(token, **{"Idempotency-Key": "run-1"}))
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"


def test_payments_list_the_organisations_specifications(client, world):
    from portal.claims import service as claims_service
    from portal.payments.service import run_payments
    from tests.api.conftest import TODAY

    token = world.key()
    created = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                          headers=bearer(token)).get_json()["results"][0]["sheet"]
    claim = database.session.get(Claim, created["id"])
    holder = database.session.scalar(select(User).where(User.name == "Marieke Test"))
    claims_service.approve_claim(holder, claim, TODAY)
    claims_service.office_approve(None, claim, TODAY)
    run_payments(None, TODAY)
    database.session.flush()
    payments = client.get("/api/v1/payments", headers=bearer(token)).get_json()["items"]
    assert len(payments) == 1
    assert payments[0]["lines"][0]["claim_reference"] == claim.reference
    assert payments[0]["total_cents"] == created["total_cents"]
    shown = client.get(f"/api/v1/sheets/{claim.id}", headers=bearer(token)).get_json()
    assert shown["status"] == "uitbetaald" and shown["payment_reference"]
    none = client.get("/api/v1/payments", headers=bearer(world.key(other=True))).get_json()
    assert none["items"] == []


def test_field_errors_in_dutch_by_default_and_english_on_request(client, world):
    """marshmallow's own field messages follow the same language choice as the titles."""
    body = {"sheets": [{"month": "2026-11", "agreement_id": "twaalf",
                        "lines": [{"day": "gisteren", "care_kind": "", "quantity": 60}],
                        "extra": 1}]}
    nl = client.post("/api/v1/sheets", json=body, headers=bearer(world.key()))
    en = client.post("/api/v1/sheets", json=body,
                     headers=bearer(world.key(), **{"Accept-Language": "en"}))
    assert nl.status_code == en.status_code == 422
    dutch = {e["pointer"]: e["detail"] for e in nl.get_json()["errors"]}
    english = {e["pointer"]: e["detail"] for e in en.get_json()["errors"]}
    assert dutch["/sheets/0/agreement_id"] == "Dit is geen geldig geheel getal."
    assert dutch["/sheets/0/lines/0/day"] == "Dit is geen geldige datum (JJJJ-MM-DD)."
    assert dutch["/sheets/0/lines/0/care_kind"] == "De lengte moet tussen 1 en 40 tekens zijn."
    assert dutch["/sheets/0/extra"] == "Dit veld kennen wij niet."
    assert english["/sheets/0/agreement_id"] == "Not a valid integer."
    assert english["/sheets/0/extra"] == "Unknown field."
    assert nl.headers["Content-Language"] == "nl" and en.headers["Content-Language"] == "en"
    missing = client.post("/api/v1/sheets", json={"sheets": [{}]}, headers=bearer(world.key()))
    assert {e["detail"] for e in missing.get_json()["errors"]} == {"Dit veld is verplicht."}
    too_many = client.get("/api/v1/sheets?limit=999", headers=bearer(world.key())).get_json()
    assert too_many["errors"][0]["detail"] == \
        "Dit moet groter dan of gelijk aan 1 en kleiner dan of gelijk aan 200 zijn."
