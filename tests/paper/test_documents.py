"""Each document from the demo data: the HTML holds the data, the PDF text the key figures
(compared with format_euro's output, no-break space included), and the expected page count."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.agreements.constants import ModelKind
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
    assert seen == {m.value for m in ModelKind}  # the demo has an agreement of each model

    family = next(a for a in demo.agreements if a.model == "familie")
    doc = documents.agreement_document(family, TODAY)
    html, pdf = render_document(doc)
    assert "Marieke de Boer" in html and "Anna Jansen" in html and "NL20INGB0001234567" in html
    assert "informeel tarief" in html  # the family model's own clauses
    text = pdf_text(pdf)
    assert format_euro(2600) in text  # the agreed tariff per hour (above the maximum: a top-up)
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


def _allowance_uses(db, grant_ids, start, end) -> int:
    from sqlalchemy import func, select

    from portal.budgets.models import AllowanceUse

    return int(db.session.scalar(select(func.coalesce(func.sum(AllowanceUse.amount_cents), 0))
                                 .where(AllowanceUse.grant_id.in_(grant_ids),
                                        AllowanceUse.spent_on >= start,
                                        AllowanceUse.spent_on <= end)))


def test_statement_of_twelve_months(demo, db):
    from portal.claims.allowances import allowance_status
    from portal.overview.start_page import allowance_lines

    usage = household_usage(demo.jansen.id, TODAY)
    doc = documents.statement_document(demo.jansen.id, dt.date(2026, 1, 1),
                                       dt.date(2026, 12, 1), TODAY)
    assert len(doc.months) == 12 and len(doc.members) == 3
    assert doc.as_of == TODAY  # the running totals are today's
    # The figures of the start page, budget by budget, and the integral total.
    figures = [b for m in doc.members for b in m.budgets]
    assert [(b.granted_cents, b.paid_cents, b.in_progress_cents, b.available_cents,
             b.committed_cents, b.runout_month) for b in figures] == [
        (r.usage.granted_cents, r.usage.paid_cents, r.usage.in_progress_cents,
         r.usage.available_cents, r.usage.committed_cents, r.usage.runout_month)
        for r in usage.rows]
    assert (doc.granted_cents, doc.available_cents, doc.committed_cents,
            doc.first_runout_month) == (usage.total.granted_cents, usage.total.available_cents,
                                        usage.total.committed_cents,
                                        usage.total.first_runout_month)
    # Monthly spending: the claims by month of care, and the Wlz allowance spending.
    ids = [r.grant_id for r in usage.rows]
    allowance = _allowance_uses(db, ids, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # the Wlz allowances are claims now (issue 16): in the claims' monthly figures
    assert allowance == 0
    claims = sum(cents for month, cents in usage.monthly_total
                 if dt.date(2026, 1, 1) <= month <= dt.date(2026, 12, 1))
    assert doc.period_cents == claims + allowance and doc.allowance_cents == allowance
    # "Uitbetaald" of each budget (its period is this year) is what the months paid from it.
    for member in doc.members:
        for b in member.budgets:
            prefix = f"{member.name}, {b.law}"
            paid = sum(line.paid_cents for m in doc.months for line in m.lines
                       if line.label == prefix or line.label.startswith(prefix + ":"))
            assert paid == b.paid_cents, prefix
    html, pdf = render_document(doc)
    text = pdf_text(pdf)
    assert "Bedragen zoals ze bekend waren op 25 november 2026" in text
    for row in usage.rows:
        assert row.member_name in text
        assert format_euro(row.usage.available_cents) in text
        assert format_euro(row.usage.granted_cents) in text
    assert format_euro(usage.total.available_cents) in text
    assert format_euro(doc.period_cents) in text
    for b in figures:
        assert b.runout_label == (format_month(b.runout_month) if b.runout_month else "houdt het")
        assert b.runout_label in text
    allowance_texts = [line.text for figures in allowance_status(
        [r.allowance_facts for r in usage.rows]).values() for line in allowance_lines(figures)]
    assert allowance_texts
    for line in allowance_texts:  # the start page's words
        assert line in text.replace("\n", " ")
    assert "Vrij besteedbaar bedrag" in text
    for month in doc.months:
        assert format_month(month.month) in text
        assert format_euro(month.cents) in text if month.lines else "Geen uitgaven" in text
    assert "<table" in html and html.count("<tr") < 12  # blocks per month, no long tables
    assert page_count(pdf) == 3  # a letter's first page (window envelope), then the months


def test_statement_shows_the_run_out_month_as_its_own_figure(db):
    from portal.budgets.models import Household
    from portal.claims.models import Claim, ClaimLine
    from tests.factories import add, make_agreement, make_grant, make_member, make_user

    holder = make_user()
    member = make_member(db.session.get(Household, holder.household_id), name="Lotte Visser")
    grant = make_grant(member, year=2026, amount_cents=220_000, paid_cents=200_000)
    agreement = make_agreement(grant)
    for n in range(1, 11):  # January to October: EUR 200 a month, paid
        month = dt.date(2026, n, 1)
        claim = add(Claim(reference=f"UB-2026{n:02d}-R{agreement.id:05d}",
                          agreement_id=agreement.id, month=month, status="uitbetaald",
                          total_cents=20_000))
        add(ClaimLine(claim_id=claim.id, day=month, care_kind="individuele_begeleiding",
                      unit="uur", quantity=200, tariff_cents=6000, amount_cents=20_000,
                      grant_id=grant.id))
    doc = documents.statement_document(holder.household_id, dt.date(2026, 1, 1),
                                       dt.date(2026, 12, 1), TODAY)
    (budget,) = doc.members[0].budgets
    assert budget.runout_month == dt.date(2026, 12, 1) == doc.first_runout_month
    assert budget.runout_label == "december 2026"
    text = pdf_text(render_document(doc)[1])
    assert "Prognose: op in" in text and "december 2026" in text
    assert "eerste: december 2026" in text


def test_statement_keeps_the_monthly_heading_with_its_first_row(demo, db):
    doc = documents.statement_document(demo.jansen.id, dt.date(2026, 1, 1),
                                       dt.date(2026, 12, 1), TODAY)
    html, _pdf = render_document(doc)
    kept = html[html.index('<div class="keep">'):]
    assert kept.index("<h2>Uitgaven per maand</h2>") < kept.index('<div class="month-row">')
    assert [len(row) for row in doc.month_rows] == [2] * 6


def test_statement_over_two_budget_years_covers_every_month(db):
    """Loaded on 1 March 2026 the demo has ten months of sheets, in 2025 and 2026. A statement
    from October 2025 to February 2026 shows the spending of every month, from both years'
    budgets, and last year's budgets without a prognosis; amounts as known on 1 March."""
    from sqlalchemy import func, select

    from portal.budgets.models import Household
    from portal.claims.constants import ClaimKind
    from portal.claims.models import Claim, ClaimLine
    from portal.demo.seed import seed_demo
    from portal.overview.service import COUNTED_STATUSES

    march = dt.date(2026, 3, 1)
    seed_demo(march)
    jansen = db.session.scalar(select(Household).where(Household.name == "Jansen"))
    doc = documents.statement_document(jansen.id, dt.date(2025, 10, 1), dt.date(2026, 2, 1),
                                       march)
    assert [m.month for m in doc.months] == [dt.date(2025, 10, 1), dt.date(2025, 11, 1),
                                             dt.date(2025, 12, 1), dt.date(2026, 1, 1),
                                             dt.date(2026, 2, 1)]
    expected = dict(db.session.execute(
        select(Claim.month, func.sum(ClaimLine.amount_cents))
        .join(ClaimLine, ClaimLine.claim_id == Claim.id)
        .where(Claim.agreement_id.in_([a.id for a in jansen_agreements(db, jansen.id)]),
               Claim.month >= dt.date(2025, 10, 1), Claim.month <= dt.date(2026, 2, 1),
               Claim.status.in_([s.value for s in COUNTED_STATUSES]),
               # the demo's claim-back is not netted yet: it is in no month's spending
               Claim.kind != ClaimKind.TERUGVORDERING)
        .group_by(Claim.month)).all())
    assert all(expected.get(m.month) for m in doc.months[:3])  # 2025 had sheets
    for m in doc.months:
        claims_only = sum(line.cents for line in m.lines if ":" not in line.label)
        assert claims_only == int(expected.get(m.month, 0)), m.month
    years = {b.period_start.year: b for member in doc.members for b in member.budgets}
    assert set(years) == {2025, 2026}
    old = [b for member in doc.members for b in member.budgets if b.period_start.year == 2025]
    assert old and all(not b.prognosis and b.runout_label == "geen prognose" for b in old)
    assert doc.any_without_prognosis
    _html, pdf = render_document(doc)
    text = pdf_text(pdf)
    assert "Bedragen zoals ze bekend waren op 1 maart 2026" in text
    assert "geen prognose" in text
    assert "oktober 2025" in text and "februari 2026" in text


def _household_over_two_years(members: int, months: int):
    """A household whose members each have a Wlz budget in 2025 and 2026, an agreement on each
    with `months` of paid sheets, and an allowance use a month (factory rows: a known state)."""
    from portal.budgets.constants import AllowanceKind, Law, Unit
    from portal.budgets.models import AllowanceUse
    from portal.claims.constants import ClaimStatus
    from portal.claims.models import Claim, ClaimLine
    from portal.dates import add_months
    from tests import factories as f

    household = f.make_household()
    for _ in range(members):
        member = f.make_member(household)
        for year in (2025, 2026):
            grant = f.make_grant(member, law=Law.WLZ, year=year)
            agreement = f.make_agreement(grant)
            for m in range(months):
                month = add_months(dt.date(year, 1, 1), m)
                claim = f.add(Claim(reference=f"UB-T{f.seq():06d}", agreement_id=agreement.id,
                                    month=month, status=ClaimStatus.UITBETAALD, total_cents=100))
                f.add(ClaimLine(claim_id=claim.id, day=month, care_kind=grant.care_kinds[0],
                                unit=Unit.UUR, quantity=60, tariff_cents=100, amount_cents=100,
                                grant_id=grant.id))
                f.add(AllowanceUse(grant_id=grant.id, kind=AllowanceKind.VERANTWOORDINGSVRIJ,
                                   amount_cents=50, spent_on=month))
    return household


def test_statement_reads_through_a_fixed_number_of_queries(db):
    from tests.statements import recorded_statements

    small, big = _household_over_two_years(1, 1), _household_over_two_years(4, 12)
    db.session.flush()
    counts = []
    for household in (small, big):
        with recorded_statements(selects_only=True) as statements:
            doc = documents.statement_document(household.id, dt.date(2025, 7, 1),
                                               dt.date(2026, 6, 1), TODAY)
        counts.append(len(statements))
    assert sum(len(m.budgets) for m in doc.members) == 8
    assert doc.period_paid_cents == 4 * 12 * (100 + 50)  # Jul-Dec 2025 and Jan-Jun 2026
    assert counts[0] == counts[1] <= 14, counts  # 10 + the top-ups + 3 more allowance figures


def jansen_agreements(db, household_id):
    from sqlalchemy import select

    from portal.agreements.models import Agreement

    return db.session.scalars(select(Agreement).where(Agreement.household_id == household_id))


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
    # The "Budgethouder" column names the budget holder, not the household.
    holders = {"Jansen": "Anna Jansen", "Bakker": "Pieter Bakker"}
    assert {line.holder_name for line in doc.lines} == {
        holders[line.household_name] for line in doc.lines}
    for line in doc.lines:
        assert f"<td>{line.holder_name}</td>" in html
        assert f"<td>{line.household_name}</td>" not in html
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
