"""Rate limits per API key (issue 13): a key over its limit gets 429 as problem details with
Retry-After; another key goes on. The limiter is off in every other test: this file enables it
in an app of its own, on a database of its own, and puts the shared limiter back afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.api.service import create_api_key
from portal.dates import today
from portal.extensions import db as database
from portal.extensions import limiter
from tests.conftest import TEST_CONFIG, make_test_app


@pytest.fixture
def limited_app(tmp_path, monkeypatch):
    for name in ("enabled", "_headers_enabled", "_storage", "_limiter", "_header_mapping"):
        monkeypatch.setattr(limiter, name, getattr(limiter, name, None), raising=False)
    monkeypatch.setitem(TEST_CONFIG, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(TEST_CONFIG, "API_RATE_LIMIT", "3 per minute")
    app = make_test_app(f"sqlite:///{tmp_path / 'limits.sqlite3'}", tmp_path)
    with app.app_context():
        from portal.migrate import upgrade

        upgrade()
        tokens = []
        for label in ("Sleutel A", "Sleutel B"):
            _key, token = create_api_key(None, label=label, scopes=["runs:read"],
                                         expires_on=today() + dt.timedelta(days=30),
                                         today=today(),
                                         owner_kind="office")
            tokens.append(token)
        database.session.commit()
    yield app, tokens
    with app.app_context():
        database.session.remove()
        database.engine.dispose()


def test_a_key_over_its_limit_gets_429_with_retry_after_and_another_key_goes_on(limited_app):
    app, (first, second) = limited_app
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/runs",
                          headers={"Authorization": f"Bearer {first}"}).status_code == 200
    over = client.get("/api/v1/runs", headers={"Authorization": f"Bearer {first}"})
    assert over.status_code == 429
    assert over.mimetype == "application/problem+json"
    assert over.get_json()["code"] == "rate_limited"
    assert over.get_json()["title"] == "Te veel verzoeken"
    assert 0 < int(over.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/runs",
                      headers={"Authorization": f"Bearer {second}"}).status_code == 200
