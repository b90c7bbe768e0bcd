"""The provider's pages: what they show, and what a provider never sees (budgets, a BSN,
another provider's data)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.access.constants import Role
from portal.agreements.constants import ProviderKind
from portal.budgets.constants import Law
from portal.claims.constants import ClaimStatus
from portal.extensions import db as _db
from portal.identifiers import mask_bsn
from portal.money import format_euro
from portal.payments.service import run_payments
from tests import factories as f
from tests.payments.builders import make_approved_claim
from tests.statements import recorded_statements


@pytest.fixture
def world(db):
    """An organisation with agreements with two households; another provider beside it."""
    org = f.make_provider(ProviderKind.ORGANISATIE, name="Thuiszorg Test B.V.",
                          iban="NL39RABO0300065264")
    member_a = f.make_member(f.make_household("Jansen"), bsn=f.valid_bsn())
    member_b = f.make_member(f.make_household("Bakker"), bsn=f.valid_bsn())
    grant_a = f.make_grant(member_a, amount_cents=4_812_345)
    grant_b = f.make_grant(member_b, amount_cents=1_234_567)
    a = f.make_agreement(grant_a, org)
    b = f.make_agreement(grant_b, org)
    other = f.make_provider(name="Andere Zorg")
    member_c = f.make_member(f.make_household("Visser"))
    c = f.make_agreement(f.make_grant(member_c), other)
    paid = make_approved_claim(a, dt.date(2026, 2, 1))
    make_approved_claim(c, dt.date(2026, 2, 1))
    run = run_payments(None, dt.date(2026, 3, 4))
    refused = make_approved_claim(b, dt.date(2026, 2, 1), status=ClaimStatus.AFGEKEURD)
    refused.refusal_reason = "Op 2 februari staan dubbele uren."
    _db.session.flush()
    users = [f.make_user(Role.ZORGVERLENER, provider_id=org.id) for _ in range(2)]
    return dict(org=org, a=a, b=b, c=c, paid=paid, refused=refused, run=run, users=users,
                members=[member_a, member_b], grants=[grant_a, grant_b], other=other)


def test_home_lists_all_agreements_of_the_organisation_with_payment_status(client, login, world):
    for user in world["users"]:  # every account of the organisation sees all its agreements
        login(user)
        html = client.get("/zorgverlener").get_data(as_text=True)
        # No budget holder login in these households: named by the household until there is.
        assert "Huishouden Jansen" in html and "Huishouden Bakker" in html
        assert world["a"].reference in html and world["b"].reference in html
        payment = next(p for p in world["run"].payments if p.provider_id == world["org"].id)
        assert f"Uitbetaald op 4 maart 2026 met kenmerk {payment.reference}" in html
        assert "Afgekeurd" in html and "Op 2 februari staan dubbele uren." in html
        client.post("/uitloggen")


def test_payments_page_specifies_each_run(client, login, world):
    login(world["users"][0])
    response = client.get("/zorgverlener/betalingen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    payment = next(p for p in world["run"].payments if p.provider_id == world["org"].id)
    assert payment.reference in html and world["run"].reference in html
    assert world["paid"].reference in html and "februari 2026" in html
    assert format_euro(payment.amount_cents) in html
    assert "**** 5264" in html and "NL39RABO0300065264" not in html


@pytest.mark.parametrize("path", ["/zorgverlener", "/zorgverlener/betalingen"])
def test_a_provider_never_sees_budgets_a_bsn_or_another_provider(client, login, world, path):
    login(world["users"][0])
    html = client.get(path).get_data(as_text=True)
    for grant in world["grants"]:
        assert format_euro(grant.amount_cents) not in html
        assert format_euro(grant.available_cents) not in html
    for member in world["members"]:
        # neither in full nor masked (the masked form's last three digits alone could be
        # part of any reference number on the page)
        assert member.bsn not in html and mask_bsn(member.bsn) not in html
    assert "Huishouden Visser" not in html and world["c"].reference not in html
    assert "Andere Zorg" not in html


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.CONSULENT, Role.BEHEERDER,
                                  Role.VERTEGENWOORDIGER])
@pytest.mark.parametrize("path", ["/zorgverlener", "/zorgverlener/betalingen"])
def test_other_roles_get_404(client, login, db, role, path):
    login(f.make_user(role))
    assert client.get(path).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/zorgverlener")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_provider_without_anything_sees_a_plain_explanation(client, login, db):
    login(f.make_user(Role.ZORGVERLENER))
    assert "U heeft nog geen zorgovereenkomsten" in client.get("/zorgverlener").get_data(as_text=True)
    assert "Er is nog niets aan u betaald" in client.get("/zorgverlener/betalingen").get_data(
        as_text=True)


def _count_queries(client, path) -> int:
    """SELECTs of one page view (savepoints and the like are not reads)."""
    with recorded_statements(selects_only=True) as selects:
        assert client.get(path).status_code == 200
    return len(selects)


@pytest.mark.parametrize("path", ["/zorgverlener", "/zorgverlener/betalingen"])
def test_pages_read_through_a_fixed_number_of_queries(client, login, world, path):
    login(world["users"][0])
    before = _count_queries(client, path)
    for month in (3, 4, 5):
        make_approved_claim(world["a"], dt.date(2026, month, 1))
        make_approved_claim(world["b"], dt.date(2026, month, 1))
    run_payments(None, dt.date(2026, 6, 3))
    assert _count_queries(client, path) == before


def test_a_provider_sees_the_budget_holder_by_name_and_the_care_by_title(client, login, db):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna de Vries")
    household = _db.session.get(f.Household, holder.household_id)
    grant = f.make_grant(f.make_member(household, name="Daan de Vries"), law=Law.JEUGDWET)
    provider = f.make_provider(name="Youssef El Amrani")
    f.make_agreement(grant, provider)
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    html = client.get("/zorgverlener").get_data(as_text=True)
    assert "Anna de Vries" in html and "Huishouden" not in html
    assert "Zorg voor Daan door Youssef El Amrani (Jeugdwet)" in html


def test_the_provider_start_page_says_what_to_do_first(client, login, db):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna de Vries")
    household = _db.session.get(f.Household, holder.household_id)
    grant = f.make_grant(f.make_member(household, name="Daan de Vries"), law=Law.JEUGDWET)
    provider = f.make_provider(name="Youssef El Amrani")
    from portal.agreements.constants import VersionStatus

    shared = f.make_agreement(grant, provider, status=VersionStatus.GEDEELD)
    approved = f.make_agreement(grant, provider)
    waiting = make_approved_claim(approved, dt.date(2026, 2, 1),
                                  status=ClaimStatus.WACHT_OP_AKKOORD)
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    html = client.get("/zorgverlener").get_data(as_text=True)
    tasks = html[html.index('<h2 id="taken">'):]
    mine, others = tasks.split("Waar anderen mee bezig zijn")
    assert "Anna de Vries deelde een zorgovereenkomst met u" in mine
    assert f'href="/overeenkomsten/{shared.id}/ondertekenen-zorgverlener"' in mine
    assert "Anna de Vries geeft akkoord op het urenbriefje over februari 2026" in others
    assert f'href="/urenbriefjes/{waiting.id}"' in others


def test_the_payments_page_shows_upcoming_payments_and_hours_and_rates_per_line(
        client, login, db):
    """Finding 9: when will I be paid, and for what. An approved sheet is listed with the
    next run's date; a paid one with its hours and rate per kind of care."""
    from portal.dates import format_day
    from portal.dates import today as real_today
    from portal.payments.rules import next_run_date

    provider = f.make_provider(name="Zorg Op Maat")
    agreement = f.make_agreement(f.make_grant(), provider)
    paid = make_approved_claim(agreement, dt.date(2026, 3, 1), minutes=[120, 90])
    run_payments(f.make_user(Role.BEHEERDER), dt.date(2026, 4, 2))
    waiting = make_approved_claim(agreement, dt.date(2026, 4, 1), minutes=[60])
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    html = client.get("/zorgverlener/betalingen").get_data(as_text=True).replace("\xa0", " ")
    upcoming = html[html.index("Verwachte betalingen"):html.index('id="betaald-titel"')]
    assert waiting.reference in upcoming and paid.reference not in upcoming
    assert format_day(next_run_date(real_today())) in upcoming
    line = paid.lines[0]
    spec = html[html.index('id="betaald-titel"'):]
    assert paid.reference in spec, spec[:3000]
    tariff = format_euro(line.tariff_cents).replace("\xa0", " ")
    assert re.search(rf"Individuele begeleiding: 3:30 uur x <span[^>]*>{re.escape(tariff)}</span>",
                     spec)


def test_tasks_on_a_later_page_of_agreements_still_show_first(client, login, db, monkeypatch):
    """The start page is paged (issue 14); what waits is read from the agreements that have
    something waiting, so a sheet on page 2 is still the first thing the provider reads."""
    from portal.providers import pages as provider_pages

    monkeypatch.setattr(provider_pages, "AGREEMENTS_PAGE_SIZE", 1)
    provider = f.make_provider(name="Youssef El Amrani")
    for name in ("Anna de Vries", "Bert Bos"):
        holder = f.make_user(Role.BUDGETHOUDER, name=name)
        household = _db.session.get(f.Household, holder.household_id)
        grant = f.make_grant(f.make_member(household, name=f"Kind {name}"), law=Law.JEUGDWET)
        agreement = f.make_agreement(grant, provider)
    waiting = make_approved_claim(agreement, dt.date(2026, 2, 1),
                                  status=ClaimStatus.WACHT_OP_AKKOORD)
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    html = client.get("/zorgverlener").get_data(as_text=True)
    assert "pagina 1 van 2" in html
    tasks = html[html.index('<h2 id="taken">'):]
    assert f'href="/urenbriefjes/{waiting.id}"' in tasks
    assert provider_pages.agreements_with_tasks(provider.id) == [agreement.id]
