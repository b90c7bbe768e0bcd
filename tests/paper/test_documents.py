"""Each document from the demo data: the HTML holds the data, the PDF text the key figures
(compared with format_euro's output, no-break space included), and the expected page count."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dates import format_day, format_month
from portal.money import format_euro
from portal.overview.service import household_usage
from portal.paper import documents
from portal.paper.service import download_name, render_document
from tests.paper.conftest import TODAY, page_count, pdf_text

OCTOBER = dt.date(2026, 10, 1)


def test_agreement_of_each_model_kind(demo, db):
    seen = set()
    for agreement in demo.agreements:
        doc = documents.agreement_document(agreement, TODAY)
        seen.add(doc.model)
        assert doc.reference == f"{agreement.reference}-V{len(agreement.versions)}"
    assert seen == {"familie", "zorginstelling", "opdracht"}

    family = next(a for a in demo.agreements if a.model == "familie")
    doc = documents.agreement_document(family, TODAY)
    html, pdf = render_document(doc)
    assert "Marieke de Boer" in html and "Anna Jansen" in html and "NL20INGB0001234567" in html
    assert "informeel tarief" in html  # the family model's own clauses
    text = pdf_text(pdf)
    assert format_euro(2200) in text  # the agreed tariff per hour
    assert "Persoonlijke verzorging" in text and doc.reference in text
    assert "Handtekening" in text
    assert page_count(pdf) == 2


def test_hour_sheet_carries_the_claim_reference(demo, db):
    agreement = demo.jansen_agreements[1]  # De Linde: two kinds of care, two budgets
    doc = documents.hour_sheet_document(agreement, OCTOBER, TODAY)
    assert doc.reference == f"UB-202610-{agreement.id:06d}"
    assert len(doc.days) == 31 and all(d.covered for d in doc.days)
    html, pdf = render_document(doc)
    assert html.count('<td class="hours">') == 32 * len(doc.kinds)
    text = pdf_text(pdf)
    assert doc.reference in text
    assert format_euro(6200) in text and format_euro(6800) in text
    assert "Verpleging" in text, text[:1500]
    assert "za\u00a031" in text  # 31 October 2026 is a Saturday; day labels never wrap
    assert format_day(doc.submit_by) in text
    assert page_count(pdf) == 2
    assert download_name(doc) == f"{doc.reference}.pdf"


def test_hour_sheet_needs_an_agreement_in_force(demo, db):
    with pytest.raises(documents.NotAvailable):
        documents.hour_sheet_document(demo.agreements[0], dt.date(2020, 1, 1), TODAY)


def test_statement_of_twelve_months(demo, db):
    usage = household_usage(demo.jansen.id, TODAY)
    doc = documents.statement_document(demo.jansen.id, dt.date(2026, 1, 1),
                                       dt.date(2026, 12, 1), TODAY)
    assert len(doc.months) == 12 and len(doc.members) == 3
    assert doc.granted_cents == usage.total.granted_cents
    expected_spent = sum(cents for month, cents in usage.monthly_total
                         if dt.date(2026, 1, 1) <= month <= dt.date(2026, 12, 1))
    assert doc.period_cents == expected_spent
    html, pdf = render_document(doc)
    text = pdf_text(pdf)
    for row in usage.rows:
        assert row.member_name in text
        assert format_euro(row.usage.available_cents) in text
        assert format_euro(row.usage.granted_cents) in text
    assert format_euro(usage.total.available_cents) in text
    assert format_euro(doc.period_cents) in text
    for month in doc.months:
        assert format_month(month.month) in text
        assert format_euro(month.cents) in text
    assert "<table" in html and html.count("<tr") < 12  # blocks per month, no long tables
    assert page_count(pdf) == 2


def test_statement_of_one_month_fits_on_one_page(demo, db):
    doc = documents.statement_document(demo.bakker.id, OCTOBER, OCTOBER, TODAY)
    html, pdf = render_document(doc)
    assert doc.title == "Budgetoverzicht oktober 2026"
    assert "Pieter Bakker" in html
    assert format_euro(doc.months[0].cents) in pdf_text(pdf)
    assert page_count(pdf) == 1


def test_payment_specification(demo, db):
    doc = documents.payment_spec_document(demo.payment, TODAY)
    html, pdf = render_document(doc)
    assert doc.lines and sum(line.amount_cents for line in doc.lines) == doc.amount_cents
    text = pdf_text(pdf)
    assert format_euro(doc.amount_cents) in text and doc.iban in text
    for line in doc.lines:
        assert line.claim_reference in html and format_euro(line.amount_cents) in text
    assert page_count(pdf) == 1


def test_refusal_letter_says_why_and_what_to_do(demo, db):
    claim = demo.refused
    doc = documents.refusal_letter_document(claim, TODAY)
    html, pdf = render_document(doc)
    text = pdf_text(pdf).replace("\n", " ")
    assert "vakantie" in text  # the office's reason
    assert "Wat kunt u doen?" in text and claim.reference in text
    assert format_euro(claim.total_cents) in text
    assert page_count(pdf) == 1


def test_refusal_letter_only_for_a_refused_claim(demo, db):
    from sqlalchemy import select

    from portal.claims.constants import ClaimStatus
    from portal.claims.models import Claim

    paid = db.session.scalars(select(Claim).where(Claim.status == ClaimStatus.UITBETAALD)).first()
    with pytest.raises(documents.NotAvailable):
        documents.refusal_letter_document(paid, TODAY)


def test_a_note_with_markup_on_an_hour_sheet_is_printed_as_text(demo, db):
    from sqlalchemy import select

    from portal.claims.models import Claim
    from portal.paper.pdf import render_pdf, url_fetcher

    agreement = demo.jansen_agreements[0]
    claim = db.session.scalar(select(Claim).where(Claim.agreement_id == agreement.id,
                                                  Claim.month == OCTOBER))
    claim.note = '<img src="file:///etc/passwd">'
    db.session.flush()
    seen = []
    fetcher = url_fetcher()
    original = fetcher.fetch
    fetcher.fetch = lambda url, headers=None: (seen.append(url), original(url, headers))[1]
    doc = documents.hour_sheet_document(agreement, OCTOBER, TODAY)
    html, pdf = render_pdf(doc.template, {"doc": doc}, fetcher=fetcher)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert '<img src="file:///etc/passwd">' in pdf_text(pdf)
    assert all(url.startswith("pgb-static:") for url in seen) and "file:///etc/passwd" not in seen


# --------------------------------------------------------------------------- December


DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def december_demo(db):
    """The demo loaded on 1 December: next year's budgets exist, and agreements without an end
    date have lines on this year's and next year's budgets."""
    from sqlalchemy import select

    from portal.agreements.models import Agreement
    from portal.demo.seed import seed_demo

    seed_demo(DECEMBER)
    return db.session.scalars(select(Agreement).order_by(Agreement.id)).all()


def test_december_hour_sheet_has_the_web_grids_columns_once(december_demo, db):
    from portal.claims.grid import sheet_columns

    november = dt.date(2026, 11, 1)
    two_years = 0
    for agreement in december_demo:
        lines = {(line.care_kind, line.grant_id) for v in agreement.versions for line in v.lines}
        two_years += len({g for _k, g in lines}) > len(sheet_columns(agreement, november))
        try:
            doc = documents.hour_sheet_document(agreement, november, DECEMBER)
        except documents.NotAvailable:
            continue
        columns = sheet_columns(agreement, november)
        assert [(k.care_kind, k.budget_label, k.tariff_cents) for k in doc.kinds] == [
            (c.care_label, c.budget_label, c.tariff_cents) for c in columns]
        labels = [(k.care_kind, k.budget_label) for k in doc.kinds]
        assert len(labels) == len(set(labels)), labels  # no column twice
        assert all("(2026)" in k.budget_label for k in doc.kinds)
        html, _pdf = render_document(doc)
        assert "(2027)" not in html
    assert two_years, "the demo in December has agreements on next year's budgets too"


def test_hour_sheet_leaves_out_a_fixed_monthly_wage(db):
    from portal.agreements.constants import ModelKind
    from portal.budgets.constants import CareKind, Unit
    from tests.factories import make_agreement, make_grant

    grant = make_grant(year=2026)
    agreement = make_agreement(grant, model=ModelKind.ARBEID, lines=[
        (grant, CareKind.HUISHOUDELIJKE_HULP, Unit.MAANDLOON, 120000, 8 * 60),
        (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 2500, 4 * 60)])
    doc = documents.hour_sheet_document(agreement, OCTOBER, TODAY)
    assert [k.care_kind for k in doc.kinds] == ["Individuele begeleiding"]
    html, _pdf = render_document(doc)
    assert "Huishoudelijke hulp" not in html and "maandloon" not in html


def test_agreement_lines_name_the_budgets_year(december_demo, db):
    """In December a line on this year's budget and one on next year's differ by the year."""
    seen_two_years = False
    for agreement in december_demo:
        doc = documents.agreement_document(agreement, DECEMBER)
        rows = [(r.care_kind, r.member_name, r.law, r.year, r.tariff_cents) for r in doc.lines]
        assert len(rows) == len(set(rows)), rows
        years = {r.year for r in doc.lines}
        if years == {2026, 2027}:
            seen_two_years = True
            html, pdf = render_document(doc)
            text = pdf_text(pdf)
            assert "2026 (" in text and "2027 (" in text
    assert seen_two_years
