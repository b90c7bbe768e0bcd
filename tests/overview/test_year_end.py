"""Issue 16: the year-end statement of a household (page and tagged PDF) and a funder's end
settlement (CSV and PDF): granted, paid per provider and per kind of care, allowances, the
holder's own share (top-ups), unspent."""

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from portal.access.constants import Role
from portal.agreements.constants import ModelKind
from portal.budgets.constants import CareKind, Law, Unit
from portal.claims import allowances
from portal.claims.rules import LineInput
from portal.claims.service import submit_own_claim
from portal.overview.year_end import funder_settlement, household_year, settlement_rows
from portal.payments.service import execute_run
from tests import factories as f
from tests.ledger import assert_ledger_agrees
from tests.paper.test_accessibility import structure_types

D = dt.date


@pytest.fixture
def year(db, travel):
    household = f.make_household(holder_iban="NL09RABO0417164301")
    member = f.make_member(household, name="Anna Jaar")
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=4_000_000)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    piet = f.make_agreement(grant, f.make_provider(name="Piet Zorg"))
    # Marieke's agreed tariff (EUR 30) is above what the budget pays (EUR 24.44): a top-up.
    marieke = f.make_agreement(grant, f.make_provider(name="Marieke Familie"), ModelKind.FAMILIE,
                               lines=[(grant, CareKind.PERSOONLIJKE_VERZORGING, Unit.UUR, 3000,
                                       4 * 60)])
    from portal.agreements.models import AgreementLine
    from portal.extensions import db as database
    line = database.session.query(AgreementLine).filter_by(version_id=marieke.versions[0].id).one()
    line.budget_tariff_cents = 2444
    travel(D(2026, 3, 10))
    submit_own_claim(holder, piet, D(2026, 2, 1), [LineInput(D(2026, 2, 2),
                     CareKind.INDIVIDUELE_BEGELEIDING.value, 240)], D(2026, 3, 10))
    submit_own_claim(holder, marieke, D(2026, 2, 1), [LineInput(D(2026, 2, 3),
                     CareKind.PERSOONLIJKE_VERZORGING.value, 120)], D(2026, 3, 10))
    execute_run(None, D(2026, 3, 10))
    allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 11))
    execute_run(None, D(2026, 3, 12))
    assert_ledger_agrees()
    return household, grant, holder


def test_the_figures_per_provider_kind_of_care_allowance_and_top_up(year):
    household, grant, _holder = year
    _household, figures = household_year(household.id, 2026)
    assert [(a.label, a.cents) for a in figures.by_provider] == [
        ("Budgethouder (eigen rekening)", 25_000), ("Marieke Familie", 4_888),
        ("Piet Zorg", 24_000)]
    assert [(a.label, a.cents) for a in figures.by_care_kind] == [
        ("Individuele begeleiding", 24_000), ("Persoonlijke verzorging", 4_888)]
    assert [(a.label, a.cents) for a in figures.allowances] == [
        ("Vrij besteedbaar bedrag", 25_000)]
    assert figures.top_up_cents == 6_000 - 4_888
    (g,) = figures.grants
    assert (g.granted_cents, g.paid_cents, g.care_cents, g.unspent_cents) == (
        4_000_000, 53_888, 28_888, 4_000_000 - 53_888)
    assert household_year(household.id, 2025)[1].grants == []


def test_the_page_and_the_tagged_pdf(year, client, login):
    household, _grant, holder = year
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/jaaroverzicht/2026").get_data(as_text=True)
    assert "Jaaroverzicht 2026" in html and "Piet Zorg" in html and "Uw eigen bijdrage" in html
    pdf = client.get(f"/papier/huishoudens/{household.id}/jaaroverzicht-2026.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    root = PdfReader(io.BytesIO(pdf.data)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "nl"
    assert {"/Table", "/TH"} <= structure_types(pdf.data)  # tables with header cells
    assert client.get(f"/huishoudens/{household.id}/jaaroverzicht/1999").status_code == 404
    stranger = f.make_user(Role.BUDGETHOUDER)
    login(stranger)
    assert client.get(f"/papier/huishoudens/{household.id}/jaaroverzicht-2026.pdf"
                      ).status_code == 404


def test_the_end_settlement_as_csv_for_the_funders_case_worker_only(year, client, login):
    _household, grant, _holder = year
    rows = settlement_rows(funder_settlement(grant.funder_id, 2026))
    assert rows[0][:3] == ["beschikking", "gezinslid", "bsn"]
    assert rows[1][1] == "Anna Jaar" and rows[1][6:11] == [
        "40000.00", "288.88", "250.00", "0.00", "39461.12"]
    login(f.make_user(Role.CONSULENT, funder_id=grant.funder_id))
    response = client.get(f"/verstrekkers/{grant.funder_id}/eindafrekening-2026.csv")
    assert response.status_code == 200
    got = list(csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))
    assert got == rows
    pdf = client.get(f"/verstrekkers/{grant.funder_id}/eindafrekening-2026.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    login(f.make_user(Role.CONSULENT))  # another funder's case worker
    assert client.get(f"/verstrekkers/{grant.funder_id}/eindafrekening-2026.csv"
                      ).status_code == 404


def test_a_name_that_looks_like_a_formula_is_kept_text(db):
    member = f.make_member(name="=SUM(A1)")
    grant = f.make_grant(member, law=Law.WLZ)
    rows = settlement_rows(funder_settlement(grant.funder_id, 2026))
    assert rows[1][1] == "'=SUM(A1)"
