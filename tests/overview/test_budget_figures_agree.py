"""Figures that agree (issue 11): a budget's figures on every page and document that shows
them come from one function. The inventory of every such total, and where each one's function
lives, is in tests/overview/test_figures_agree.py.

For each total two tests: (a) the pages show the same figure for the same data; (b) with the
one function made to answer a marker value, every page shows the marker (so none of them
computes the figure another way). PDFs are read as their HTML (the document's own template,
captured where it would go to WeasyPrint).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest

from portal.access.constants import Role
from portal.budgets import rules as budget_rules
from portal.budgets.constants import AllowanceKind, Law
from portal.budgets.models import AllowanceUse, Household
from portal.budgets.rules import AllowanceFigures, Verdict
from portal.money import format_euro
from portal.overview import service as usage_service
from portal.overview import year_end
from portal.paper import views as paper_views
from portal.paper.pdf import render_html
from tests import factories as f

TODAY = dt.date(2026, 6, 15)


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("&nbsp;", " ")


def euro(cents: int) -> str:
    return plain(format_euro(cents))


@dataclasses.dataclass
class File:
    household: Household
    holder: object
    advisor: object
    consulent: object
    grant: object
    agreement: object


@pytest.fixture
def file(db, today_is):
    """Anna's Wlz budget of 2026: paid, in progress, an agreement that still costs, a free
    amount used; an advisor she authorised; the zorgkantoor's consulent."""
    today_is(TODAY)
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    household = db.session.get(Household, holder.household_id)
    grant = f.make_grant(f.make_member(household, name="Anna Jansen"), law=Law.WLZ,
                         period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31),
                         amount_cents=6_000_000)
    agreement = f.make_agreement(grant, f.make_provider(name="Piet Zorg"))
    f.add(AllowanceUse(grant_id=grant.id, kind=AllowanceKind.VERANTWOORDINGSVRIJ,
                       amount_cents=25_000, spent_on=dt.date(2026, 3, 2)))
    grant.paid_cents = 2_025_000  # as the ledger keeps them (sheets paid and the free amount)
    grant.reserved_cents = 48_000
    advisor = f.make_user(Role.ADVISEUR, name="Per Saldo")
    f.make_authorization(household, advisor, holder)
    consulent = f.make_user(Role.CONSULENT, funder_id=grant.funder_id)
    db.session.flush()
    return File(household, holder, advisor, consulent, grant, agreement)


@pytest.fixture
def documents(monkeypatch):
    """PDFs asked for in the test come back as their HTML (the same template and view-model
    as the PDF), so the test reads the document's text."""
    def render(doc):
        html = render_html(doc.template, {"doc": doc})
        return html, html.encode()

    monkeypatch.setattr(paper_views, "render_document", render)


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return plain(response.get_data(as_text=True))


def budget_pages(client, login, file: File) -> dict[str, str]:
    """Every page and document that shows the budget's figures, as the holder and as her
    advisor in her file."""
    hid = file.household.id
    pages = {}
    for who, user in (("holder", file.holder), ("advisor", file.advisor)):
        login(user)
        pages[f"start page ({who})"] = get(client, f"/huishoudens/{hid}/budget")
        pages[f"statement ({who})"] = get(client,
                                          f"/papier/huishoudens/{hid}/budgetoverzicht.pdf")
    login(file.holder)
    pages["what-if"] = get(client, f"/huishoudens/{hid}/budget?overeenkomst={file.agreement.id}")
    return pages


def year_pages(client, login, file: File) -> dict[str, str]:
    hid, fid = file.household.id, file.grant.funder_id
    login(file.holder)
    pages = {"year-end page": get(client, f"/huishoudens/{hid}/jaaroverzicht/2026"),
             "year-end PDF": get(client, f"/papier/huishoudens/{hid}/jaaroverzicht-2026.pdf")}
    login(file.consulent)
    pages["settlement PDF"] = get(client, f"/verstrekkers/{fid}/eindafrekening-2026.pdf")
    rows = list(csv.reader(io.StringIO(get(client, f"/verstrekkers/{fid}/eindafrekening-2026.csv")),
                           delimiter=";"))
    # the CSV writes euros with a point: shown here as the pages write them
    pages["settlement CSV"] = " ".join(
        euro(int(cell.replace(".", ""))) if cell.replace(".", "").lstrip("-").isdigit()
        and "." in cell else cell for row in rows for cell in row)
    return pages


def assert_on_every_page(pages: dict[str, str], *texts: str) -> None:
    missing = {name: [t for t in texts if t not in text] for name, text in pages.items()}
    assert not {name: m for name, m in missing.items() if m}


# ------------------------------------------------------------------------ (a) the same figure


def test_the_budget_figures_agree_on_every_page(client, login, file, documents):
    granted, paid, busy = 6_000_000, 2_025_000, 48_000
    pages = budget_pages(client, login, file)
    assert_on_every_page({k: v for k, v in pages.items() if k != "what-if"},
                         euro(granted), euro(paid), euro(busy), euro(granted - paid - busy),
                         "Genoeg tot 31 december 2026")
    committed = usage_service.household_usage(file.household.id, TODAY).rows[0].usage
    assert_on_every_page(pages, euro(committed.committed_cents))


def test_available_and_unspent_agree_with_the_year_end_and_the_settlement(
        client, login, file, documents):
    available = euro(6_000_000 - 2_025_000 - 48_000)
    years = year_pages(client, login, file)
    assert_on_every_page(budget_pages(client, login, file) | years, available)
    # where the scope differs, the year-end page and its PDF say how
    assert_on_every_page({k: v for k, v in years.items() if k.startswith("year-end")},
                         "Niet besteed is wat op de budgetpagina &lsquo;Beschikbaar&rsquo; heet")


# ---------------------------------------------------- (b) every page takes it from the function


def test_granted_paid_in_progress_and_committed_come_from_budget_usage(
        client, login, file, documents, monkeypatch):
    real = usage_service.budget_usage

    def marked(**kw):
        return dataclasses.replace(real(**kw), granted_cents=811_111_111, paid_cents=222_222_222,
                                   in_progress_cents=3_333_333, committed_cents=444_444)

    monkeypatch.setattr(usage_service, "budget_usage", marked)
    pages = budget_pages(client, login, file)
    assert_on_every_page({k: v for k, v in pages.items() if k != "what-if"},
                         "€ 8.111.111,11", "€ 2.222.222,22", "€ 33.333,33",
                         "€ 5.855.555,56")  # available, from the marked three
    assert_on_every_page(pages, "€ 4.444,44")  # what the agreements still cost


def test_available_and_unspent_come_from_one_function(client, login, file, documents,
                                                      monkeypatch):
    monkeypatch.setattr(budget_rules, "available_cents", lambda granted, paid, busy: 7_654_321)
    pages = budget_pages(client, login, file) | year_pages(client, login, file)
    assert_on_every_page({k: v for k, v in pages.items() if k != "what-if"}, "€ 76.543,21")
    committed = usage_service.household_usage(file.household.id, TODAY).rows[0].usage
    # the what-if's "today" column: what is left at the end = available - committed
    assert euro(7_654_321 - committed.committed_cents) in pages["what-if"]


def test_the_verdict_comes_from_one_function(client, login, file, documents, monkeypatch):
    monkeypatch.setattr(usage_service, "budget_verdict",
                        lambda usage, today: Verdict("short", "Merkteken-oordeel"))
    pages = budget_pages(client, login, file)
    assert_on_every_page({k: v for k, v in pages.items() if k != "what-if"}, "Merkteken-oordeel")


def test_the_year_figures_come_from_one_function(client, login, file, documents, monkeypatch):
    real = year_end._year_figures

    def marked(year, where):
        figures = real(year, where)
        for g in figures.grants:
            g.granted_cents, g.in_progress_cents = 912_345_678, 1_212_121
        return figures

    monkeypatch.setattr(year_end, "_year_figures", marked)
    assert_on_every_page(year_pages(client, login, file), "€ 9.123.456,78", "€ 12.121,21")


def test_allowance_used_and_left_come_from_one_function(client, login, file, documents,
                                                        monkeypatch):
    hid = file.household.id
    real = budget_rules.AllowanceFigures
    monkeypatch.setattr(AllowanceFigures, "left_cents", property(
        lambda self: 98_765 if self.cap_cents is not None else None))
    login(file.holder)
    pages = {"start page": get(client, f"/huishoudens/{hid}/budget"),
             "statement": get(client, f"/papier/huishoudens/{hid}/budgetoverzicht.pdf"),
             "allowances": get(client, f"/huishoudens/{hid}/uitkeringen")}
    assert real is AllowanceFigures
    assert_on_every_page(pages, "€ 987,65", "€ 250,00")
