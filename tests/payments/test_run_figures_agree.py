"""Figures that agree (issue 11): a payment run's total and counts, and a payment's total, on
every page and file that shows them. The inventory is in tests/overview/test_figures_agree.py.

(a) the pages and files show the same figure for the same run; (b) with the one function (or
the one stored figure) made to answer a marker value, every page shows the marker. The SEPA
file is the exception by design: the bank checks its control sum against its own transfers,
so the file adds up the payments itself; (a) proves it agrees with the pages.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree
from sqlalchemy import select

from portal.access.constants import Role
from portal.dates import add_months, first_of_month
from portal.dates import today as real_today
from portal.money import format_euro
from portal.paper import views as paper_views
from portal.paper.pdf import render_html
from portal.payments import rules as payment_rules
from portal.payments import service as payments_service
from portal.payments.models import Payment, PaymentRun
from tests import factories as f
from tests.payments.builders import make_approved_claim

MONTH = first_of_month(add_months(real_today(), -1))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("&nbsp;", " ")


def euro(cents: int) -> str:
    return plain(format_euro(cents))


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return plain(response.get_data(as_text=True))


@pytest.fixture
def documents(monkeypatch):
    """PDFs come back as their HTML (the document's own template and view-model)."""
    def render(doc):
        html = render_html(doc.template, {"doc": doc})
        return html, html.encode()

    monkeypatch.setattr(paper_views, "render_document", render)


@pytest.fixture
def world(db):
    """Two providers with approved sheets (one has two): a run of two transfers, three sheets."""
    household = f.make_household(name="Jansen")
    grant = f.make_grant(f.make_member(household, name="Anna Jansen"), year=MONTH.year,
                         period_start=dt.date(MONTH.year, 1, 1),
                         period_end=dt.date(MONTH.year, 12, 31))
    f.make_user(Role.BUDGETHOUDER, household_id=household.id, name="Anna Jansen")
    linde = f.make_provider(name="Thuiszorg De Linde", iban="NL39RABO0300065264")
    piet = f.make_provider(name="Piet Zorg", iban="NL91ABNA0417164300")
    first = f.make_agreement(grant, linde, household=household)
    second = f.make_agreement(grant, piet, household=household)
    sheets = [make_approved_claim(first, MONTH, minutes=[120, 60]),
              make_approved_claim(second, MONTH, minutes=[60]),
              make_approved_claim(second, add_months(MONTH, -1), minutes=[240])]
    return {"office": f.make_user(Role.BEHEERDER, name="Sandra Mulder"), "sheets": sheets,
            "linde": f.make_user(Role.ZORGVERLENER, provider_id=linde.id)}


def confirm_and_execute(client, login, world) -> tuple[dict[str, str], PaymentRun]:
    login(world["office"])
    pages = {"runs page": get(client, "/betaalkantoor/betaalrondes"),
             "confirmation": get(client, "/betaalkantoor/betaalrondes/bevestigen")}
    form = {name: re.search(rf'name="{name}"[^>]*value="([^"]+)"',
                            pages["confirmation"]).group(1)
            for name in ("fingerprint", "confirmed_at")}
    response = client.post("/betaalkantoor/betaalrondes", data=form)
    assert response.status_code == 302
    run = payments_service.db.session.scalar(select(PaymentRun))
    pages["run page"] = get(client, f"/betaalkantoor/betaalrondes/{run.id}")  # with the flash
    pages["earlier runs"] = get(client, "/betaalkantoor/betaalrondes")
    return pages, run


def sepa_figures(client, run) -> tuple[str, str]:
    doc = etree.fromstring(client.get(f"/betaalkantoor/betaalrondes/{run.id}/sepa.xml").data)
    header = doc.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    return header.find("p:CtrlSum", NS).text, header.find("p:NbOfTxs", NS).text


# ------------------------------------------------------------------------ (a) the same figure


def test_a_runs_total_and_counts_agree_from_preview_to_sepa_file(client, login, world):
    total = sum(s.total_cents for s in world["sheets"])
    pages, run = confirm_and_execute(client, login, world)
    assert run.total_cents == total
    assert euro(total) in pages["runs page"] and euro(total) in pages["confirmation"]
    assert "3 urenbriefjes</strong>" in pages["confirmation"]
    assert "2 overboekingen</strong>" in pages["confirmation"]
    assert f"2 betaling(en), totaal {euro(total)}. Dat is precies wat u bevestigde." in \
        pages["run page"]
    assert "2 (3 urenbriefjes)" in pages["run page"] and euro(total) in pages["run page"]
    assert re.search(rf'"Betalingen">2</td>\s*<td[^>]*><span class="money">{euro(total)}<',
                     pages["earlier runs"])
    assert sepa_figures(client, run) == (f"{total // 100}.{total % 100:02d}", "2")


def test_a_payments_total_agrees_on_the_providers_pages_and_the_specification(
        client, login, world, documents):
    confirm_and_execute(client, login, world)
    payment = payments_service.db.session.scalar(
        select(Payment).where(Payment.provider_id == world["linde"].provider_id))
    amount = euro(world["sheets"][0].total_cents)
    assert payment.amount_cents == world["sheets"][0].total_cents
    office_run = get(client, f"/betaalkantoor/betaalrondes/{payment.run_id}")
    login(world["linde"])
    pages = {"office run page": office_run,
             "Betalingen": get(client, "/zorgverlener/betalingen"),
             "payment page": get(client, f"/zorgverlener/betalingen/{payment.id}"),
             "specification": get(client, f"/papier/betalingen/{payment.id}.pdf")}
    assert {name: amount in text for name, text in pages.items()} == dict.fromkeys(pages, True)


# ---------------------------------------------------- (b) every page takes it from the function


def test_the_runs_total_before_it_is_paid_comes_from_run_total(client, login, world,
                                                                 monkeypatch):
    monkeypatch.setattr(payment_rules, "run_total", lambda payments: 987_654_321)
    login(world["office"])
    for url in ("/betaalkantoor/betaalrondes", "/betaalkantoor/betaalrondes/bevestigen"):
        assert "€ 9.876.543,21" in get(client, url), url


def test_a_runs_counts_come_from_run_counts(client, login, world, monkeypatch):
    real = payments_service.run_counts

    def marked(run_ids):
        return {run_id: payments_service.RunCounts(77, 88, counts.paid_cents)
                for run_id, counts in real(run_ids).items()}

    monkeypatch.setattr(payments_service, "run_counts", marked)
    pages, _run = confirm_and_execute(client, login, world)
    assert "77 betaling(en), totaal" in pages["run page"]
    assert "77 (88 urenbriefjes)" in pages["run page"]
    assert '"Betalingen">77</td>' in pages["earlier runs"]


def test_the_run_and_its_payments_are_shown_as_stored_never_summed_again(
        client, login, world, documents, db):
    _pages, run = confirm_and_execute(client, login, world)
    payment = db.session.scalar(select(Payment).where(
        Payment.provider_id == world["linde"].provider_id))
    run.total_cents, payment.amount_cents = 555_555_555, 4_444_444
    db.session.commit()
    assert "€ 5.555.555,55" in get(client, f"/betaalkantoor/betaalrondes/{run.id}")
    assert "€ 5.555.555,55" in get(client, "/betaalkantoor/betaalrondes")
    login(world["linde"])
    for url in ("/zorgverlener/betalingen", f"/zorgverlener/betalingen/{payment.id}",
                f"/papier/betalingen/{payment.id}.pdf"):
        assert "€ 44.444,44" in get(client, url), url
