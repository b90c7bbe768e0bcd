"""Error pages and absurd input: a failed unit of work ends in a Dutch page, never in Werkzeug's
English one, and an amount or id too large for the database is refused before it gets there."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import User
from portal.agreements import service as agreements_service
from portal.agreements.constants import EndKind, ModelKind, Relation
from portal.agreements.models import AgreementLine
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.budgets.models import Household
from portal.database import MAX_ID, parse_id
from portal.extensions import db as _db
from tests import factories as f

TODAY = dt.date(2026, 1, 15)
TOO_LARGE = "99999999999999999999"  # more than a 64-bit integer holds, in cents or not


def text(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", " ")


@pytest.fixture
def holder(db):
    household = f.make_household()
    user = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    _db.session.commit()  # into the test's savepoint: a request's rollback keeps it
    return user


@pytest.fixture
def unprotected(app, monkeypatch):
    """Let unhandled exceptions reach the error handler, as in production (tests propagate)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _fail_halfway(*_args, **_kwargs):
    """A unit of work that dies in a flush: the session then needs a rollback before any query."""
    _db.session.add(Household(id=2**70, name="te groot"))
    _db.session.flush()


def test_a_crash_halfway_shows_the_dutch_500_page_and_writes_nothing(
        client, login, holder, unprotected, monkeypatch):
    login(holder)
    monkeypatch.setattr("portal.overview.views.service.household_usage", _fail_halfway)
    before = _db.session.scalar(select(func.count()).select_from(Household))
    response = client.get(f"/huishoudens/{holder.household_id}/budget")
    assert response.status_code == 500
    page = text(response)
    assert '<html lang="nl"' in page and "Er ging iets mis" in page
    assert "Er is niets opgeslagen" in page
    assert holder.name in page  # the normal page header: the session was usable again
    assert "Internal Server Error" not in page
    assert _db.session.scalar(select(func.count()).select_from(Household)) == before


def test_the_500_page_never_fails_even_when_the_page_cannot_be_rendered(
        client, login, holder, unprotected, monkeypatch):
    login(holder)
    monkeypatch.setattr("portal.overview.views.service.household_usage", _fail_halfway)

    def broken_template(*_args, **_kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr("portal.render_template", broken_template)
    response = client.get(f"/huishoudens/{holder.household_id}/budget")
    assert response.status_code == 500
    page = text(response)
    assert '<html lang="nl">' in page and "<h1>Er ging iets mis</h1>" in page
    assert "Internal Server Error" not in page
    # Even this page says who runs the portal and how to reach them (PORTAL_ORG_*).
    config = client.application.config
    for setting in ("PORTAL_ORG_NAME", "PORTAL_ORG_PHONE", "PORTAL_ORG_EMAIL"):
        assert config[setting] in page, setting
    assert 'href="/toegankelijkheid"' in page and 'href="/contact"' in page


def test_a_404_still_renders_the_normal_page(client, login, holder):
    login(holder)
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in text(response) and holder.name in text(response)


def test_a_405_page_keeps_its_allow_header(client, login, holder):
    """RFC 9110: a 405 names the methods that do work, on every page, not only under /api/v1/."""
    login(holder)
    response = client.get("/berichten/alles-gelezen")
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "").split(", ")
    assert "GET" not in response.headers["Allow"].split(", ")
    assert "text/html" in response.content_type


def test_an_id_too_large_for_the_database_is_not_found(client, login, holder, unprotected):
    login(holder)
    assert client.get(f"/huishoudens/{TOO_LARGE}/budget").status_code == 404
    assert client.get(f"/overeenkomsten/{TOO_LARGE}").status_code == 404
    # the largest id the database holds is still an ordinary (unknown) id; one more is no id
    assert client.get(f"/huishoudens/{MAX_ID}/budget").status_code == 404
    assert client.get(f"/huishoudens/{MAX_ID + 1}/budget").status_code == 404


@pytest.mark.parametrize("value, expected", [
    ("7", 7), (" 42 ", 42), (7, 7), (str(MAX_ID), MAX_ID), (MAX_ID, MAX_ID),
    (str(MAX_ID + 1), None), (MAX_ID + 1, None), ("9999999999", None), (TOO_LARGE, None),
    ("0", None), (0, None), (-3, None), ("-3", None), ("", None), (None, None), ("x1", None),
    ("²", None), ("1.5", None), (True, None),
])
def test_parse_id_is_a_whole_number_an_id_column_holds_or_none(value, expected):
    assert parse_id(value) == expected


def test_a_tariff_too_large_is_refused_in_dutch_and_nothing_written(client, login, db,
                                                                     today_is):
    """The agreement wizard's care step, where 99999999999999999999 used to overflow on flush."""
    household = f.make_household()
    member = f.make_member(household)
    grant = f.make_grant(member, f.make_funder(FunderKind.ZORGKANTOOR), Law.WLZ,
                         amount_cents=2_000_000,
                         care_kinds=[CareKind.PERSOONLIJKE_VERZORGING.value])
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    provider = f.know_provider(household, f.make_provider()).provider_id
    agreement = agreements_service.create_draft(
        holder, household_id=household.id, provider_id=provider,
        model=ModelKind.OPDRACHT, relation=Relation.GEEN, starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 12, 31), end_kind=EndKind.EINDDATUM, days_per_week=2,
        lines=[LineInput(grant.id, CareKind.PERSOONLIJKE_VERZORGING, Unit.UUR, 6000, 240)],
        today=TODAY)
    _db.session.commit()
    today_is(TODAY)
    login(holder)
    p = f"g{grant.id}_persoonlijke_verzorging"
    response = client.post(f"/overeenkomsten/{agreement.id}/stap/zorg", data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": TOO_LARGE})
    assert response.status_code == 422
    page = text(response)
    assert "het hoogste bedrag dat u hier kunt invullen" in page
    assert f'value="{TOO_LARGE}"' in page  # what was typed stays
    _db.session.expire_all()
    lines = _db.session.scalars(select(AgreementLine).where(
        AgreementLine.version_id == agreement.versions[0].id)).all()
    assert [ln.tariff_cents for ln in lines] == [6000]


@pytest.mark.parametrize("method, path, data", [
    ("GET", "/betaalkantoor/inlogaccounts?zoek=x%00y", None),
    ("GET", "/betaalkantoor/inlogaccounts?zo%00ek=x", None),
    ("POST", "/betaalkantoor/inlogaccounts/nieuw",
     {"name": "Els\x00", "email": "els@example.nl", "role": "beheerder"}),
    ("GET", "/overeenkomsten/1/urenbriefje/2026-0%00", None),
])
def test_a_nul_character_anywhere_is_refused_in_dutch_before_any_view(client, login, db, method,
                                                                      path, data, unprotected):
    office = f.make_user(Role.BEHEERDER)
    _db.session.commit()
    login(office)
    users = _db.session.scalar(select(func.count()).select_from(User))
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert "een teken dat het portaal niet kan bewaren (een nul-teken)" in text(response)
    assert _db.session.scalar(select(func.count()).select_from(User)) == users
