"""The payment office's screens through the test client: runs, a run's page, the SEPA file,
paper intake. Every page for the office, 404 for everyone else, good and bad POSTs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.claims.constants import ClaimSource, ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.dates import add_months, first_of_month, format_day
from portal.dates import now as real_now
from portal.dates import today as real_today
from portal.payments.models import Payment, PaymentItem, PaymentRun
from tests import factories as f
from tests.payments.builders import make_approved_claim

# The screens use the real 'today': the sheet's month is last month (over, and in time).
MONTH = first_of_month(add_months(real_today(), -1))
PREVIOUS = first_of_month(add_months(MONTH, -1))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def office(db):
    return f.make_user(Role.BEHEERDER, name="Sandra Mulder")


@pytest.fixture
def world(db):
    household = f.make_household(name="Jansen")
    grant = f.make_grant(f.make_member(household, name="Anna Jansen"), year=MONTH.year,
                         period_start=dt.date(PREVIOUS.year, 1, 1),
                         period_end=dt.date(MONTH.year, 12, 31))
    provider = f.make_provider(name="Thuiszorg De Linde", iban="NL39RABO0300065264")
    agreement = f.make_agreement(grant, provider, household=household)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id, name="Anna Jansen")
    return {"grant": grant, "provider": provider, "agreement": agreement, "holder": holder}


@pytest.fixture
def approved(world):
    return make_approved_claim(world["agreement"], PREVIOUS, minutes=[120, 60])  # EUR 180


# --------------------------------------------------------------------------- who may see

OFFICE_PAGES = ["/betaalkantoor/betaalrondes", "/betaalkantoor/papier"]


@pytest.mark.parametrize("path", OFFICE_PAGES)
@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT,
                                  Role.ADVISEUR, Role.VERTEGENWOORDIGER])
def test_other_roles_get_404(client, login, db, path, role):
    login(f.make_user(role))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", OFFICE_PAGES)
def test_anonymous_is_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_other_roles_cannot_execute_a_run_or_see_a_run(client, login, db, office, approved):
    run = make_run(db, office)
    login(f.make_user(Role.ZORGVERLENER))
    assert client.post("/betaalkantoor/betaalrondes").status_code == 404
    assert client.get(f"/betaalkantoor/betaalrondes/{run.id}").status_code == 404
    assert client.get(f"/betaalkantoor/betaalrondes/{run.id}/sepa.xml").status_code == 404
    assert count(db, PaymentRun) == 1


def make_run(db, office):
    from portal.payments.service import execute_run

    return execute_run(office, real_today()).run


# --------------------------------------------------------------------------- payment runs


def test_runs_page_previews_the_next_run_per_provider(client, login, office, approved, world):
    make_approved_claim(f.make_agreement(), MONTH, status=ClaimStatus.INGEDIEND)
    login(office)
    html = page(client.get("/betaalkantoor/betaalrondes"))
    assert "<h1>Betaalrondes</h1>" in html
    row = re.search(r"<th scope=\"row\">Thuiszorg De Linde</th>(.*?)</tr>", html, re.S).group(1)
    assert "NL39RABO0300065264" in row and ">1<" in row and "180,00" in row
    assert "Er is ook 1 ingediend urenbriefje." in " ".join(html.split())
    assert "Betaalronde voorbereiden" in html and "Ingediende urenbriefjes controleren" in html


def test_nothing_to_pay_shows_no_button(client, login, office, db):
    login(office)
    html = page(client.get("/betaalkantoor/betaalrondes"))
    assert "geen goedgekeurde urenbriefjes" in html
    assert "Betaalronde uitvoeren" not in html
    assert "nog geen betaalrondes" in html


def confirmed(client) -> dict[str, str]:
    """The run form as the office's browser sends it from the confirmation page: the moment
    and the fingerprint of the run it confirmed."""
    html = page(client.get("/betaalkantoor/betaalrondes/bevestigen"))
    fingerprint = re.search(r'<input[^>]*name="fingerprint"[^>]*value="([0-9a-f]+)"', html)
    confirmed_at = re.search(r'<input[^>]*name="confirmed_at"[^>]*value="([^"]+)"', html)
    assert fingerprint and confirmed_at, "the run form carries what the office confirmed"
    return {"fingerprint": fingerprint.group(1), "confirmed_at": confirmed_at.group(1)}


def test_the_runs_page_leads_to_a_confirmation_not_to_a_payment(client, login, db, office,
                                                                approved):
    login(office)
    html = page(client.get("/betaalkantoor/betaalrondes"))
    assert 'href="/betaalkantoor/betaalrondes/bevestigen"' in html
    assert "Betaalronde uitvoeren" not in html  # no one-click run
    check = page(client.get("/betaalkantoor/betaalrondes/bevestigen"))
    assert approved.reference in check and "Anna Jansen" in check and "180,00" in check
    assert check.index(approved.reference) < check.index("Betaalronde uitvoeren")
    assert count(db, PaymentRun) == 0  # looking pays nothing


def test_execute_pays_and_redirects_to_the_run_a_second_post_pays_nothing(
        client, login, db, office, approved):
    login(office)
    form = confirmed(client)
    first = client.post("/betaalkantoor/betaalrondes", data=form)
    assert first.status_code == 302
    run = db.session.scalar(select(PaymentRun))
    assert first.headers["Location"].endswith(f"/betaalkantoor/betaalrondes/{run.id}")
    assert run.executed_by_id == office.id
    db.session.refresh(approved)
    assert approved.status == ClaimStatus.UITBETAALD

    second = client.post("/betaalkantoor/betaalrondes", data=form)  # double-click
    assert second.status_code == 303  # a repeat: back to the run it already made
    assert second.headers["Location"].endswith(f"/betaalkantoor/betaalrondes/{run.id}")
    shown = page(client.get(second.headers["Location"]))
    assert f"Dit is al gedaan. Betaalronde {run.reference} is uitgevoerd." in shown
    assert (count(db, PaymentRun), count(db, Payment)) == (1, 1)


@pytest.mark.parametrize("later_status", [ClaimStatus.GOEDGEKEURD, ClaimStatus.INGEDIEND])
def test_a_sheet_approved_or_submitted_after_the_confirmation_waits_for_the_next_run(
        client, login, db, office, approved, world, later_status):
    """What is executed is what was confirmed: the confirmed sheet is paid, the later one
    not (it stays where it is, for the next run)."""
    login(office)
    form = confirmed(client)
    later = make_approved_claim(world["agreement"], MONTH, minutes=[60], status=later_status,
                                decided_at=real_now() + dt.timedelta(seconds=1))
    db.session.commit()

    response = client.post("/betaalkantoor/betaalrondes", data=form)

    assert response.status_code == 302
    run = db.session.scalar(select(PaymentRun))
    assert run.total_cents == approved.total_cents == 18000
    db.session.refresh(approved)
    db.session.refresh(later)
    assert (approved.status, later.status) == (ClaimStatus.UITBETAALD, later_status)
    assert count(db, PaymentItem) == 1


@pytest.mark.parametrize("change", ["amount", "refused"])
def test_a_confirmed_sheet_that_changed_refuses_the_run(client, login, db, office, approved,
                                                        world, change):
    login(office)
    form = confirmed(client)
    if change == "amount":
        approved.total_cents += 100
    else:  # the same number of sheets, but another one
        approved.status = ClaimStatus.AFGEKEURD
        make_approved_claim(f.make_agreement(), MONTH)
    db.session.commit()
    response = client.post("/betaalkantoor/betaalrondes", data=form)
    assert response.status_code == 409
    assert "Een urenbriefje uit de betaalronde die u bevestigde, is veranderd" in page(response)
    assert count(db, PaymentRun) == 0
    if change == "refused":  # the page's new confirmation runs the new list
        assert client.post("/betaalkantoor/betaalrondes",
                           data=confirmed(client)).status_code == 302


def test_a_post_without_the_confirmation_pays_nothing(client, login, db, office, approved):
    login(office)
    at = real_now().isoformat()
    for data in ({}, {"fingerprint": "0" * 32, "confirmed_at": at}, {"confirmed_at": at},
                 {"fingerprint": confirmed(client)["fingerprint"]}):
        assert client.post("/betaalkantoor/betaalrondes", data=data).status_code == 409
    assert count(db, PaymentRun) == 0


def test_a_sheet_approved_while_the_run_runs_rolls_the_run_back(client, login, db, office,
                                                                approved, world, monkeypatch):
    """The second check: what the run actually paid. Here the first check is fooled (another
    transaction approves a sheet right after it, as can happen on PostgreSQL)."""
    from portal.office import service

    login(office)
    form = confirmed(client)
    stale = service.confirmed_candidates(service.parse_confirmed_at(form["confirmed_at"]))
    make_approved_claim(world["agreement"], MONTH)
    db.session.commit()
    monkeypatch.setattr(service, "confirmed_candidates", lambda _at: stale)

    response = client.post("/betaalkantoor/betaalrondes", data=form)

    assert response.status_code == 409
    assert (count(db, PaymentRun), count(db, PaymentItem)) == (0, 0)
    db.session.refresh(approved)
    assert approved.status == ClaimStatus.GOEDGEKEURD


def test_an_agreement_without_a_valid_iban_waits_and_everyone_else_is_paid(
        client, login, db, office, world):
    world["agreement"].versions[0].iban = "NL00GEEN0000000000"
    claim = make_approved_claim(world["agreement"], PREVIOUS)
    submitted = make_approved_claim(f.make_agreement(), MONTH, status=ClaimStatus.INGEDIEND)
    db.session.commit()
    login(office)
    preview = page(client.get("/betaalkantoor/betaalrondes"))
    assert "Niet in deze betaalronde" in preview and claim.reference in preview
    assert "Niet betaald aan Thuiszorg De Linde" in preview
    checked = client.post("/betaalkantoor/betaalrondes/controleren",
                          data={})  # the submitted sheet first
    assert checked.status_code == 303 and checked.headers["Location"].endswith("/bevestigen")
    response = client.post("/betaalkantoor/betaalrondes", data=confirmed(client))
    assert response.status_code == 302
    shown = page(client.get(response.headers["Location"]))
    assert f"Urenbriefje {claim.reference}: Niet betaald aan Thuiszorg De Linde" in shown
    db.session.refresh(claim)
    db.session.refresh(submitted)
    assert (claim.status, submitted.status) == (ClaimStatus.GOEDGEKEURD, ClaimStatus.UITBETAALD)
    assert count(db, PaymentRun) == 1 and count(db, PaymentItem) == 1


def test_the_run_page_lists_its_payments_and_sheets(client, login, db, office, approved):
    run = make_run(db, office)
    login(office)
    html = page(client.get(f"/betaalkantoor/betaalrondes/{run.id}"))
    assert f"Betaalronde {run.reference}" in html
    assert run.payments[0].reference in html and "Thuiszorg De Linde" in html
    assert approved.reference in html and "180,00" in html
    assert "Sandra Mulder" in html
    assert "SEPA-bestand downloaden" in html
    listing = page(client.get("/betaalkantoor/betaalrondes"))
    assert f'href="/betaalkantoor/betaalrondes/{run.id}"' in listing


def test_an_unknown_run_is_404(client, login, db, office):
    login(office)
    assert client.get("/betaalkantoor/betaalrondes/999999").status_code == 404
    assert client.get("/betaalkantoor/betaalrondes/999999/sepa.xml").status_code == 404


def test_the_sepa_file_downloads_as_xml_attachment(client, login, db, office, approved):
    run = make_run(db, office)
    login(office)
    response = client.get(f"/betaalkantoor/betaalrondes/{run.id}/sepa.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{run.reference}.xml"'
    doc = etree.fromstring(response.data)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert doc.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", ns).text == "180.00"


def test_without_the_offices_account_the_sepa_file_is_refused(client, login, db, office,
                                                             approved, app, monkeypatch):
    run = make_run(db, office)
    monkeypatch.setitem(app.config, "PORTAL_PAYER_IBAN", None)
    login(office)
    response = client.get(f"/betaalkantoor/betaalrondes/{run.id}/sepa.xml")
    assert response.status_code == 409
    assert "PORTAL_PAYER_IBAN" in page(response)


# --------------------------------------------------------------------------- paper intake


def sheet_url(agreement, month=MONTH) -> str:
    return f"/betaalkantoor/papier/{agreement.id}/{month:%Y-%m}"


def test_lookup_by_printed_reference_opens_the_grid(client, login, db, office, world):
    login(office)
    assert client.get("/betaalkantoor/papier").status_code == 200
    reference = f"ub-{MONTH:%Y%m}-{world['agreement'].id:06d}"
    response = client.post("/betaalkantoor/papier", data={"reference": reference})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(sheet_url(world["agreement"]))


def test_lookup_by_agreement_and_month(client, login, db, office, world):
    login(office)
    html = page(client.get("/betaalkantoor/papier"))
    assert world["agreement"].reference in html and "Thuiszorg De Linde" in html
    response = client.post("/betaalkantoor/papier", data={
        "agreement": str(world["agreement"].id), "month": f"{MONTH:%Y-%m}"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(sheet_url(world["agreement"]))


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Vul het kenmerk van het urenbriefje in, of kies de zorgovereenkomst en de maand."),
    ({"reference": "AB-12"}, "is geen kenmerk van een urenbriefje"),
    ({"reference": "UB-202603-999999"}, "hoort geen zorgovereenkomst"),
    ({"agreement": "", "month": "2026-03"}, "Kies de zorgovereenkomst van het urenbriefje."),
    ({"agreement": "999999", "month": "2026-03"}, "Kies een zorgovereenkomst uit de lijst."),
    ({"agreement": "AGREEMENT", "month": "maart"}, "is geen maand"),
])
def test_a_bad_lookup_is_422_with_the_message_next_to_the_field(client, login, db, office, world,
                                                                 data, message):
    if data.get("agreement") == "AGREEMENT":
        data = {**data, "agreement": str(world["agreement"].id)}
    login(office)
    response = client.post("/betaalkantoor/papier", data=data)
    assert response.status_code == 422
    html = page(response)
    assert message in html
    assert 'aria-invalid="true"' in html


def test_the_grid_has_a_labelled_input_per_day_and_kind_of_care(client, login, db, office, world):
    login(office)
    response = client.get(sheet_url(world["agreement"]))
    assert response.status_code == 200
    html = page(response)
    assert f"UB-{MONTH:%Y%m}-{world['agreement'].id:06d}" in html
    assert "Individuele begeleiding (Wmo 2015, Anna Jansen; uren)" in html
    assert html.count('class="input input--cell"') == len(
        [d for d in range(1, 32) if _exists(MONTH, d)])
    assert f'<label class="visually-hidden" for="d02_k0">Individuele begeleiding (Wmo 2015, ' \
           f'Anna Jansen; uren) op {format_day(MONTH.replace(day=2))}</label>' in html


def _exists(month, day) -> bool:
    try:
        month.replace(day=day)
    except ValueError:
        return False
    return True


def test_a_good_paper_sheet_is_submitted_on_the_holders_behalf(client, login, db, office, world):
    login(office)
    response = client.post(sheet_url(world["agreement"]), data={"d02_k0": "2:30", "d03_k0": "1,5",
                                                                "d04_k0": "0", "d05_k0": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/betaalkantoor/papier")
    claim = db.session.scalar(select(Claim))
    assert (claim.status, claim.source, claim.total_cents) == (
        ClaimStatus.INGEDIEND, ClaimSource.PAPER, 24_000)  # 4 h x EUR 60
    assert claim.submitted_on_behalf_of_id == world["holder"].id
    assert [(line.day.day, line.quantity) for line in claim.lines] == [(2, 150), (3, 90)]
    followed = client.get(response.headers["Location"])
    assert f"Het papieren urenbriefje {claim.reference} is ingediend" in page(followed)


def test_a_cell_that_is_no_time_is_422_next_to_the_cell_and_writes_nothing(
        client, login, db, office, world):
    login(office)
    before = (count(db, Claim), count(db, ClaimLine))
    response = client.post(sheet_url(world["agreement"]), data={"d02_k0": "twee", "d03_k0": "1"})
    assert response.status_code == 422
    html = page(response)
    assert "&#39;twee&#39; is geen aantal uren" in html
    assert 'id="d02_k0-error"' in html and 'aria-describedby="d02_k0-error"' in html
    assert 'value="twee"' in html and 'value="1"' in html  # what was typed stays
    assert (count(db, Claim), count(db, ClaimLine)) == before


def test_a_claim_rule_refusal_lands_on_its_cell(client, login, db, office, world):
    login(office)
    response = client.post(sheet_url(world["agreement"]), data={"d02_k0": "1", "d03_k0": "0:50"})
    assert response.status_code == 422
    html = page(response)
    assert "Uren schrijft u in hele kwartieren" in html
    assert 'id="d03_k0-error"' in html and 'href="#d03_k0"' in html
    assert count(db, Claim) == 0


def test_an_empty_sheet_and_a_second_sheet_are_refused_for_the_whole_sheet(
        client, login, db, office, world):
    login(office)
    empty = client.post(sheet_url(world["agreement"]), data={})
    assert empty.status_code == 422
    assert "Vul minstens één dag in" in page(empty)
    assert client.post(sheet_url(world["agreement"]), data={"d02_k0": "1"}).status_code == 302
    again = client.post(sheet_url(world["agreement"]), data={"d04_k0": "1"})
    assert again.status_code == 422
    assert "Er is al een urenbriefje" in page(again)
    assert count(db, Claim) == 1


def test_a_month_not_over_is_refused(client, login, db, office, world):
    login(office)
    this_month = first_of_month(real_today())
    response = client.post(sheet_url(world["agreement"], this_month), data={"d01_k0": "1"})
    assert response.status_code == 422
    assert "is nog niet voorbij" in page(response)
    assert count(db, Claim) == 0


def test_unknown_agreement_or_bad_month_in_the_url_is_404(client, login, db, office, world):
    login(office)
    assert client.get("/betaalkantoor/papier/999999/2026-03").status_code == 404
    assert client.get(f"/betaalkantoor/papier/{world['agreement'].id}/maart").status_code == 404


def test_other_roles_cannot_open_or_post_a_paper_sheet(client, login, db, world):
    login(world["holder"])
    assert client.get(sheet_url(world["agreement"])).status_code == 404
    assert client.post(sheet_url(world["agreement"]), data={"d02_k0": "1"}).status_code == 404
    assert count(db, Claim) == 0


def test_office_start_page_warns_of_a_wlz_year_without_national_maxima(db, client, login, office,
                                                                         today_is):
    """Issue 16, finding 6: a Wlz budget in 2027 while 2027's national maxima are unknown."""
    from portal.budgets.constants import Law

    today_is(dt.date(2026, 12, 6), "portal.office.views")
    f.make_grant(law=Law.WLZ, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31))
    login(office)
    text = page(client.get("/betaalkantoor/betaalrondes"))
    assert "De maximumtarieven voor 2027 zijn nog niet vastgesteld" in text
    assert "portal set-max-tariff" in text
    assert "voor 2026" not in text  # 2026 has its maxima (the tests' table)
