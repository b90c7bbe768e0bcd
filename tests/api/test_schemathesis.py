"""Every operation of the OpenAPI document, with data generated from the document itself
(schemathesis): no 500, every answer matches its documented status, media type and schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.api.conftest import sheet

OWNER_OF = {"/api/v1/grants": "funder", "/api/v1/reviews": "funder", "/api/v1/runs": "office"}


@pytest.fixture
def tokens(world):
    return {"provider": world.key(), "funder": world.key("funder"), "office": world.key("office")}


def _document() -> dict:
    """The document as the app serves it, read at collection time from an app of its own
    (schemathesis' pytest fixture loader does not run on pytest 9; the calls below go to the
    test session's app)."""
    import tempfile

    from portal import create_app

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(config={"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                         environ={"PORTAL_INSTANCE_DIR": instance})
        with app.test_client() as client:
            return client.get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


def _owner(path: str) -> str:
    return next((owner for prefix, owner in OWNER_OF.items() if path.startswith(prefix)),
                "provider")


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_document(case, app, tokens):
    """Every default check but one: positive_data_acceptance expects every schema-valid request
    to be accepted, but the rules refuse much that the schema allows (an unknown BSN, a month
    not over, a cursor we did not make) - those refusals are the API's point, answered 422."""
    case.operation.schema.app = app  # the session's app (the document came from another)
    case.call_and_validate(app=app, excluded_checks=[positive_data_acceptance],
                           headers={"Authorization": f"Bearer {tokens[_owner(case.path)]}"})


def test_the_document_is_openapi_3_1_with_every_operation(client, world):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    operations = {(m.upper(), p) for p, item in document["paths"].items() for m in item
                  if m in ("get", "post", "put", "patch", "delete")}
    assert operations == {
        ("GET", "/api/v1/agreements"), ("GET", "/api/v1/agreements/{agreement_id}"),
        ("POST", "/api/v1/sheets"), ("GET", "/api/v1/sheets"),
        ("GET", "/api/v1/sheets/{sheet_id}"), ("GET", "/api/v1/payments"),
        ("POST", "/api/v1/grants"), ("GET", "/api/v1/reviews"),
        ("POST", "/api/v1/reviews/{version_id}/decision"), ("GET", "/api/v1/runs"),
        ("GET", "/api/v1/runs/{run_id}/sepa")}
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(f"{m} {p}" in html for m, p in operations)
    assert "<script" not in html.split("</head>")[1]  # nothing that needs inline script


def test_a_sheet_example_is_accepted_by_the_document(client, world, tokens):
    """The README's shape of a sheet is what the document describes (a created sheet)."""
    answer = client.post("/api/v1/sheets", json={"sheets": [sheet(world.agreement.id)]},
                         headers={"Authorization": f"Bearer {tokens['provider']}"})
    assert answer.get_json()["results"][0]["outcome"] == "created"
