"""API keys: made by the office, hashed, scoped, with an end date, revocable, every call logged."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.api.cli import create_api_key_command
from portal.api.models import ApiKey
from portal.api.service import create_api_key, revoke_api_key
from portal.refusals import Refused
from tests.api.conftest import TODAY, bearer
from tests.factories import make_user


def test_a_key_is_stored_as_the_sha256_of_its_token_only(db, world):
    token = world.key()
    key = db.session.scalar(select(ApiKey).order_by(ApiKey.id.desc()))
    assert key.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([(k.prefix, k.token_hash, k.label) for k in
                              db.session.scalars(select(ApiKey))])
    assert key.prefix == token[:12] and len(token) > 40


def test_the_keys_account_cannot_log_in_and_has_the_organisations_role(db, world):
    world.key()
    key = db.session.scalar(select(ApiKey).order_by(ApiKey.id.desc()))
    account = db.session.get(User, key.user_id)
    assert (account.role, account.provider_id, account.is_active) == (
        Role.ZORGVERLENER, world.provider.id, False)


@pytest.mark.parametrize("kind, scopes, code", [
    ("provider", ["grants:write"], "scope_not_allowed"),
    ("funder", ["claims:write"], "scope_not_allowed"),
    ("provider", [], "scopes_missing"),
])
def test_scopes_must_fit_the_organisation(db, world, kind, scopes, code):
    with pytest.raises(Refused) as refused:
        world.key(kind, scopes)
    assert code in refused.value.codes


@pytest.mark.parametrize("expires_on, code", [
    (TODAY, "expires_in_past"), (TODAY + dt.timedelta(days=800), "expires_too_late")])
def test_a_key_has_an_end_date_within_two_years(db, world, expires_on, code):
    with pytest.raises(Refused) as refused:
        world.key(expires_on=expires_on)
    assert code in refused.value.codes


def test_only_the_office_makes_keys(db, world):
    with pytest.raises(Refused) as refused:
        create_api_key(make_user(Role.ZORGVERLENER, provider_id=world.provider.id),
                       label="x", owner_kind="provider", provider_id=world.provider.id,
                       scopes=["claims:read"], expires_on=dt.date(2027, 1, 1), today=TODAY)
    assert refused.value.codes == ["not_allowed"]


def test_a_revoked_key_answers_401_and_a_second_revoke_is_already_done(client, db, world):
    token = world.key()
    assert client.get("/api/v1/agreements", headers=bearer(token)).status_code == 200
    key = db.session.scalar(select(ApiKey).order_by(ApiKey.id.desc()))
    revoke_api_key(None, key.id)
    db.session.commit()  # as the request that revoked it would
    answer = client.get("/api/v1/agreements", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(Refused) as refused:
        revoke_api_key(None, key.id)
    assert refused.value.codes == ["already_done"]


def test_an_expired_key_answers_401(client, db, world, today_is):
    token = world.key(expires_on=dt.date(2026, 12, 31))
    today_is(dt.date(2027, 1, 1), "portal.api.views")
    assert client.get("/api/v1/agreements", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer pgb_unknown", "Basic abc"])
def test_no_valid_key_answers_401(client, world, header):
    assert client.get("/api/v1/agreements", headers={"Authorization": header}).status_code == 401


def test_every_call_is_in_the_audit_log_with_key_and_organisation(client, db, world):
    token = world.key(scopes=["claims:read"])
    client.get(f"/api/v1/agreements/{world.agreement.id}", headers=bearer(token))
    client.post("/api/v1/sheets", json={"sheets": []}, headers=bearer(token))  # 403: no scope
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_call")
                                     .order_by(AuditEvent.id)))
    assert [e.detail["status"] for e in events] == [200, 403]
    assert all("API-sleutel Test provider" in e.summary and "van organisatie Thuiszorg Test"
               in e.summary for e in events)
    # The look at the agreement is in its household's access log (the holder reads it).
    assert events[0].household_id == world.agreement.household_id


def test_the_office_page_makes_a_key_and_shows_it_once(client, db, login, world):
    login(make_user(Role.BEHEERDER))
    page = client.post("/betaalkantoor/api-sleutels", data={
        "label": "Planning", "owner": f"provider:{world.provider.id}",
        "scopes": ["claims:read", "claims:write"], "expires_on": "2027-06-30"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = db.session.scalar(select(ApiKey).where(ApiKey.label == "Planning"))
    token = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert hashlib.sha256(token.encode()).hexdigest() == key.token_hash
    assert page.headers["Cache-Control"] == "no-store"
    again = client.get("/betaalkantoor/api-sleutels").get_data(as_text=True)
    assert token not in again and key.prefix in again
    assert 'name="expires_on-dag"' in again and 'type="date"' not in again
    assert client.get("/api/v1/agreements", headers=bearer(token)).status_code == 200
    revoked = client.post(f"/betaalkantoor/api-sleutels/{key.id}/intrekken")
    assert revoked.status_code == 302
    assert client.get("/api/v1/agreements", headers=bearer(token)).status_code == 401


def test_the_office_page_says_what_is_wrong_in_dutch(client, login, world):
    login(make_user(Role.BEHEERDER))
    page = client.post("/betaalkantoor/api-sleutels", data={
        "label": "", "owner": f"funder:{world.funder.id}", "scopes": ["claims:write"],
        "expires_on": "2026-01-01"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Geef de sleutel een naam" in html and "passen niet bij een financier" in html
    assert "Kies een einddatum na vandaag" in html


def test_create_api_key_command_prints_the_token_once(app, db, world):
    result = app.test_cli_runner().invoke(create_api_key_command, [
        "--naam", "Zaaksysteem", "--financier", str(world.funder.id), "--recht", "grants:write",
        "--tot", "2027-06-30"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    key = db.session.scalar(select(ApiKey).where(ApiKey.label == "Zaaksysteem"))
    assert key.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert key.scopes == ["grants:write"] and key.funder_id == world.funder.id


def test_create_api_key_command_refuses_in_dutch(app, db, world):
    result = app.test_cli_runner().invoke(create_api_key_command, [
        "--naam", "X", "--zorgverlener", str(world.provider.id), "--recht", "runs:read",
        "--tot", "2027-06-30"])
    assert result.exit_code == 1 and "scope_not_allowed" in result.output

