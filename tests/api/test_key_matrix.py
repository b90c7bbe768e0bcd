"""Every API operation x its scope: a key without the scope gets 403 (before anything is read
or written); a key of another organisation with the scope gets 404 for an object that is not
its own, and sees none of it in a list. (Logins: tests/test_permission_matrix.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.agreements.constants import VersionStatus
from portal.claims.models import Claim
from portal.extensions import db as database
from tests.api.conftest import ALL_FUNDER, ALL_PROVIDER, bearer, sheet
from tests.factories import make_agreement

# (method, path, scope, kind of key); {ids} filled from the world.
OPERATIONS = [
    ("GET", "/api/v1/agreements", "claims:read", "provider"),
    ("GET", "/api/v1/agreements/{agreement}", "claims:read", "provider"),
    ("POST", "/api/v1/sheets", "claims:write", "provider"),
    ("GET", "/api/v1/sheets", "claims:read", "provider"),
    ("GET", "/api/v1/sheets/{sheet}", "claims:read", "provider"),
    ("GET", "/api/v1/payments", "payments:read", "provider"),
    ("POST", "/api/v1/grants", "grants:write", "funder"),
    ("GET", "/api/v1/reviews", "reviews:read", "funder"),
    ("POST", "/api/v1/reviews/{version}/decision", "reviews:write", "funder"),
    ("GET", "/api/v1/runs", "runs:read", "office"),
    ("GET", "/api/v1/runs/{run}/sepa", "runs:read", "office"),
]
ALL = {"provider": ALL_PROVIDER, "funder": ALL_FUNDER, "office": ["runs:read"]}
BODIES = {"/api/v1/sheets": "sheets", "/api/v1/grants": "grants"}


@pytest.fixture
def ids(client, world):
    created = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                          headers=bearer(world.key())).get_json()["results"][0]["sheet"]
    version = make_agreement(world.grant, world.provider,
                             status=VersionStatus.TER_BEOORDELING).versions[0]
    database.session.commit()
    return {"agreement": world.agreement.id, "sheet": created["id"], "version": version.id,
            "run": 999999}


def body_for(path: str, world) -> dict | None:
    if path == "/api/v1/sheets":
        return {"sheets": [sheet(world.agreement.id, "2026-10")]}
    if path == "/api/v1/grants":
        return {"grants": [{"bsn": "111222333", "law": "wmo", "period_start": "2027-01-01",
                            "period_end": "2027-12-31", "amount_cents": 100,
                            "care_kinds": ["individuele_begeleiding"]}]}
    if path.endswith("/decision"):
        return {"decision": "approve"}
    return None


@pytest.mark.parametrize("method, path, scope, kind", OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _s, _k in OPERATIONS])
def test_a_key_without_the_scope_gets_403(client, world, ids, method, path, scope, kind):
    others = [s for s in ALL[kind] if s != scope]
    # An office key has only one scope; a provider's key with every provider scope stands in.
    token = world.key(kind, others) if others else world.key("provider")
    claims_before = database.session.scalar(select(func.count()).select_from(Claim))
    answer = client.open(path.format(**ids), method=method, json=body_for(path, world),
                         headers=bearer(token))
    assert answer.status_code == 403, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == "scope_missing"
    assert database.session.scalar(select(func.count()).select_from(Claim)) == claims_before


OBJECT_OPERATIONS = [(m, p, s, k) for m, p, s, k in OPERATIONS if "{" in p and k != "office"]


@pytest.mark.parametrize("method, path, scope, kind", OBJECT_OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _s, _k in OBJECT_OPERATIONS])
def test_a_key_of_another_organisation_gets_404(client, world, ids, method, path, scope, kind):
    own = client.open(path.format(**ids), method=method, json=body_for(path, world),
                      headers=bearer(world.key(kind)))
    assert own.status_code == 200, own.get_data(as_text=True)
    database.session.rollback()  # the own key's decision undone: the other key asks the same
    other = client.open(path.format(**ids), method=method, json=body_for(path, world),
                        headers=bearer(world.key(kind, other=True)))
    assert other.status_code == 404
    assert other.get_json()["code"] == "not_found"


@pytest.mark.parametrize("path, kind", [("/api/v1/agreements", "provider"),
                                        ("/api/v1/sheets", "provider"),
                                        ("/api/v1/reviews", "funder")])
def test_a_list_shows_nothing_of_another_organisation(client, world, ids, path, kind):
    own = client.get(path, headers=bearer(world.key(kind))).get_json()["items"]
    other = client.get(path, headers=bearer(world.key(kind, other=True))).get_json()["items"]
    assert own
    own_ids = {item.get("id", item.get("version_id")) for item in own}
    assert not own_ids & {item.get("id", item.get("version_id")) for item in other}


def test_a_sheet_for_another_organisations_agreement_is_not_found(client, world):
    answer = client.post("/api/v1/sheets", json={"sheets": [sheet(world.other_agreement.id)]},
                         headers=bearer(world.key()))
    assert answer.get_json()["results"][0]["problem"]["status"] == 404
    assert database.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_every_api_operation_is_in_the_key_matrix_with_its_scope(app):
    """A new operation cannot slip past the matrix: each route of the API blueprint is a row
    here, with the scope its view asks for."""
    import re

    table = {(m, re.sub(r"\{\w+\}", "{}", p)): s for m, p, s, _k in OPERATIONS}
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            scope = app.view_functions[rule.endpoint]._api_scope
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes[(method, re.sub(r"<[^>]+>", "{}", rule.rule))] = scope
    assert routes == table
