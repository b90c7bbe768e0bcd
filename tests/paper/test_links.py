"""A download link next to each item, for exactly those who may download it (issue 5, Build 4).

Every page that shows an item shows its "... (PDF)" link, and every such link on the page
answers a PDF for that viewer. Where a document exists only for some items (an hour sheet for a
month an approved version governs, a letter for a refused sheet) the link is left out for the
others. Pages the viewer may not see answer 404, so nobody else ever sees the link. The
budget holder's menu leads to "Werken op papier"."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from portal.access.constants import Role, Scope
from portal.access.models import User
from portal.budgets.models import Household
from portal.dates import today
from tests.factories import (
    add,
    make_agreement,
    make_authorization,
    make_grant,
    make_member,
    make_user,
)

PDF_LINK = re.compile(r'<a class="pdf-link" href="([^"]+)">([^<]+) \(PDF\)</a>')


def pdf_links(html: str) -> dict[str, str]:
    """text -> href of every PDF link on a page (hrefs unescaped)."""
    return {text: href.replace("&amp;", "&") for href, text in PDF_LINK.findall(html)}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _assert_downloadable(client, links: dict[str, str]) -> None:
    assert links
    for text, href in links.items():
        response = client.get(href)
        assert response.status_code == 200, (text, href)
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")


def test_agreement_page_links_every_version(client, login, live_demo):
    login(live_demo.anna, "demo-wachtwoord")
    agreement = live_demo.agreement
    links = pdf_links(_page(client, f"/overeenkomsten/{agreement.id}"))
    assert set(links) == {f"Versie {v.number} printen" for v in agreement.versions}
    assert links[f"Versie {agreement.versions[0].number} printen"].endswith(
        f"/papier/overeenkomsten/{agreement.id}.pdf?versie={agreement.versions[0].number}")
    _assert_downloadable(client, links)


def test_agreement_page_and_pdf_are_404_for_another_budget_holder(client, login, live_demo):
    login(live_demo.pieter, "demo-wachtwoord")
    assert client.get(f"/overeenkomsten/{live_demo.agreement.id}").status_code == 404
    assert client.get(f"/papier/overeenkomsten/{live_demo.agreement.id}.pdf").status_code == 404


def test_the_wizard_check_step_offers_the_filled_model(client, login, db):
    from portal.agreements.constants import VersionStatus

    holder = make_user(Role.BUDGETHOUDER)
    member = make_member(db.session.get(Household, holder.household_id))
    draft = make_agreement(make_grant(member), status=VersionStatus.CONCEPT)
    login(holder)
    links = pdf_links(_page(client, f"/overeenkomsten/{draft.id}/stap/controleren"))
    name = "Download de ingevulde modelovereenkomst om op papier te ondertekenen"
    assert list(links) == [name]
    assert links[name].endswith(f"/papier/overeenkomsten/{draft.id}.pdf?versie=1")
    _assert_downloadable(client, links)

    client.post("/uitloggen")
    login(make_user(Role.BUDGETHOUDER))
    assert client.get(f"/overeenkomsten/{draft.id}/stap/controleren").status_code == 404
    assert client.get(links[name]).status_code == 404


def test_a_paid_sheet_links_its_paper_sheet_but_no_letter(client, login, live_demo):
    login(live_demo.anna, "demo-wachtwoord")
    links = pdf_links(_page(client, f"/urenbriefjes/{live_demo.paid.id}"))
    assert list(links) == ["Urenbriefje printen"]
    assert links["Urenbriefje printen"].endswith(
        f"/papier/urenbriefjes/{live_demo.agreement.id}/{live_demo.paid.month:%Y-%m}.pdf")
    _assert_downloadable(client, links)


def test_a_refused_sheet_also_links_the_letter(client, login, live_demo):
    login(live_demo.anna, "demo-wachtwoord")
    links = pdf_links(_page(client, f"/urenbriefjes/{live_demo.refused.id}"))
    assert set(links) == {"Urenbriefje printen", "Brief over de afwijzing printen"}
    assert links["Brief over de afwijzing printen"].endswith(
        f"/papier/afgekeurd/{live_demo.refused.id}.pdf")
    _assert_downloadable(client, links)


def test_the_office_and_the_provider_see_the_sheet_links_too(client, login, live_demo, db):
    from portal.agreements.models import Agreement

    provider = db.session.scalar(select(User).where(
        User.provider_id == db.session.get(Agreement, live_demo.refused.agreement_id).provider_id))
    for user, password in ((provider, "demo-wachtwoord"), (make_user(Role.BEHEERDER), None)):
        login(user, *([password] if password else []))
        links = pdf_links(_page(client, f"/urenbriefjes/{live_demo.refused.id}"))
        assert set(links) == {"Urenbriefje printen", "Brief over de afwijzing printen"}
        _assert_downloadable(client, links)
        client.post("/uitloggen")


def test_no_paper_sheet_link_for_a_month_no_approved_version_governs(client, login, db):
    """The page shows the sheet; the paper sheet does not exist (404), so there is no link."""
    from portal.claims.models import Claim

    holder = make_user(Role.BUDGETHOUDER)
    member = make_member(db.session.get(Household, holder.household_id))
    agreement = make_agreement(make_grant(member, year=2026),
                               starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 12, 31))
    claim = add(Claim(reference="UB-202603-T00001", agreement_id=agreement.id,
                      month=dt.date(2026, 3, 1)))
    login(holder)
    assert pdf_links(_page(client, f"/urenbriefjes/{claim.id}")) == {}
    assert client.get(f"/papier/urenbriefjes/{agreement.id}/2026-03.pdf").status_code == 404


def test_no_paper_sheet_link_for_a_fixed_monthly_wage(client, login, db):
    from portal.agreements.constants import ModelKind
    from portal.budgets.constants import CareKind, Unit
    from portal.claims.models import Claim

    holder = make_user(Role.BUDGETHOUDER)
    member = make_member(db.session.get(Household, holder.household_id))
    grant = make_grant(member, year=2026)
    agreement = make_agreement(grant, model=ModelKind.ARBEID, lines=[
        (grant, CareKind.HUISHOUDELIJKE_HULP, Unit.MAANDLOON, 120000, 8 * 60)])
    claim = add(Claim(reference="UB-202603-T00002", agreement_id=agreement.id,
                      month=dt.date(2026, 3, 1)))
    login(holder)
    assert pdf_links(_page(client, f"/urenbriefjes/{claim.id}")) == {}
    assert client.get(f"/papier/urenbriefjes/{agreement.id}/2026-03.pdf").status_code == 404


def test_claim_page_and_pdfs_are_404_for_another_budget_holder(client, login, live_demo):
    login(live_demo.pieter, "demo-wachtwoord")
    assert client.get(f"/urenbriefjes/{live_demo.refused.id}").status_code == 404
    assert client.get(f"/papier/afgekeurd/{live_demo.refused.id}.pdf").status_code == 404


def test_provider_payments_page_links_each_specification(client, login, live_demo, db):
    from portal.payments.models import Payment

    login(live_demo.provider_user, "demo-wachtwoord")
    links = pdf_links(_page(client, "/zorgverlener/betalingen"))
    payments = db.session.scalars(select(Payment).where(
        Payment.provider_id == live_demo.payment.provider_id)).all()
    assert set(links) == {f"Specificatie {p.reference} printen" for p in payments}
    assert links[f"Specificatie {live_demo.payment.reference} printen"].endswith(
        f"/papier/betalingen/{live_demo.payment.id}.pdf")
    _assert_downloadable(client, links)

    client.post("/uitloggen")
    login(make_user(Role.ZORGVERLENER))  # another provider: no payments, no links
    assert pdf_links(_page(client, "/zorgverlener/betalingen")) == {}
    assert client.get(f"/papier/betalingen/{live_demo.payment.id}.pdf").status_code == 404


def test_office_run_page_links_each_payment(client, login, live_demo, db):
    from portal.payments.models import Payment, PaymentRun

    run = db.session.get(PaymentRun, live_demo.payment.run_id)
    login(make_user(Role.BEHEERDER))
    links = pdf_links(_page(client, f"/betaalkantoor/betaalrondes/{run.id}"))
    payments = db.session.scalars(select(Payment).where(Payment.run_id == run.id)).all()
    assert set(links) == {f"Specificatie {p.reference} printen" for p in payments}
    _assert_downloadable(client, links)

    client.post("/uitloggen")
    login(live_demo.anna, "demo-wachtwoord")
    assert client.get(f"/betaalkantoor/betaalrondes/{run.id}").status_code in (403, 404)
    assert client.get(f"/papier/betalingen/{live_demo.payment.id}.pdf").status_code == 404


def test_start_page_links_the_statement(client, login, live_demo):
    login(live_demo.anna, "demo-wachtwoord")
    links = pdf_links(_page(client, f"/huishoudens/{live_demo.jansen.id}/budget"))
    assert list(links) == ["Budgetoverzicht van dit jaar printen"]
    assert links["Budgetoverzicht van dit jaar printen"].endswith(
        f"/papier/huishoudens/{live_demo.jansen.id}/budgetoverzicht.pdf")
    _assert_downloadable(client, links)


def test_a_viewing_advisor_gets_the_statement_link_and_the_pdf(client, login, live_demo):
    helper = make_user(Role.VERTEGENWOORDIGER)
    make_authorization(live_demo.jansen, helper, live_demo.anna, scope=Scope.BEKIJKEN,
                       starts_on=today(), ends_on=today())
    login(helper)
    links = pdf_links(_page(client, f"/huishoudens/{live_demo.jansen.id}/budget"))
    assert list(links) == ["Budgetoverzicht van dit jaar printen"]
    _assert_downloadable(client, links)


def test_start_page_and_statement_are_404_for_others(client, login, live_demo):
    login(live_demo.pieter, "demo-wachtwoord")
    assert client.get(f"/huishoudens/{live_demo.jansen.id}/budget").status_code == 404
    assert client.get(f"/papier/huishoudens/{live_demo.jansen.id}/budgetoverzicht.pdf").status_code == 404


def test_the_budget_holders_menu_leads_to_werken_op_papier(client, login, live_demo):
    login(live_demo.anna, "demo-wachtwoord")
    html = _page(client, f"/huishoudens/{live_demo.jansen.id}/budget")
    start = html.index('aria-label="Hoofdmenu"')
    nav = html[start:html.index("</nav>", start)]
    assert f'href="/huishoudens/{live_demo.jansen.id}/papier"' in nav and "Werken op papier" in nav
    _page(client, f"/huishoudens/{live_demo.jansen.id}/papier")

    client.post("/uitloggen")
    login(live_demo.provider_user, "demo-wachtwoord")
    html = _page(client, "/zorgverlener/betalingen")
    assert "Werken op papier" not in html
