"""A consulent reads only the lines of an agreement paid from their own funder's budgets: on the
agreement page, on the review page and in the agreement PDF (one function: visible_lines)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.agreements.constants import ModelKind, ProviderKind, VersionStatus
from portal.agreements.permissions import visible_lines
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.extensions import db as _db
from portal.paper import documents
from tests import factories as f
from tests.paper.conftest import pdf_text

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def fixed_today(today_is):
    today_is(TODAY, "portal.agreements.views", "portal.paper.views")


class World:
    """Thuiszorg Proef cares for Anna (Wlz, the zorgkantoor) and her daughter Sara (Zvw, the
    insurer) under one agreement."""

    def __init__(self, status=VersionStatus.GOEDGEKEURD):
        household = f.make_household("Proef")
        self.household = household
        anna = f.make_member(household, "Anna Proef")
        sara = f.make_member(household, "Sara Proef")
        self.zorgkantoor = f.make_funder(FunderKind.ZORGKANTOOR, "Zorgkantoor Proef")
        self.verzekeraar = f.make_funder(FunderKind.ZORGVERZEKERAAR, "Verzekeraar Proef")
        wlz = f.make_grant(anna, self.zorgkantoor, Law.WLZ)
        zvw = f.make_grant(sara, self.verzekeraar, Law.ZVW)
        self.provider = f.make_provider(ProviderKind.ORGANISATIE, "Thuiszorg Proef")
        self.agreement = f.make_agreement(
            wlz, self.provider, ModelKind.ZORGINSTELLING, status=status, lines=[
                (wlz, CareKind.PERSOONLIJKE_VERZORGING, Unit.UUR, 6200, 240),
                (zvw, CareKind.VERPLEGING, Unit.UUR, 6800, 120)])
        self.version = self.agreement.versions[0]
        self.wlz_line, self.zvw_line = self.version.lines
        self.holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
        self.provider_user = f.make_user(Role.ZORGVERLENER, provider_id=self.provider.id)
        self.c_zorgkantoor = f.make_user(Role.CONSULENT, funder_id=self.zorgkantoor.id)
        self.c_verzekeraar = f.make_user(Role.CONSULENT, funder_id=self.verzekeraar.id)
        self.office = f.make_user(Role.BEHEERDER)
        _db.session.commit()


@pytest.fixture
def w(db):
    return World()


def test_a_consulent_reads_only_the_lines_of_its_own_funder(w):
    assert visible_lines(w.c_zorgkantoor, w.version) == [w.wlz_line]
    assert visible_lines(w.c_verzekeraar, w.version) == [w.zvw_line]
    # with the grants the caller has already: the same answer
    funders = {w.wlz_line.grant_id: w.zorgkantoor.id, w.zvw_line.grant_id: w.verzekeraar.id}
    assert visible_lines(w.c_zorgkantoor, w.version, funders) == [w.wlz_line]


@pytest.mark.parametrize("who", ["holder", "provider_user", "office"])
def test_everyone_else_who_may_see_the_agreement_reads_every_line(w, who):
    assert visible_lines(getattr(w, who), w.version) == [w.wlz_line, w.zvw_line]


def test_agreement_page_of_a_consulent_leaves_out_the_other_funders_line(client, login, w):
    login(w.c_zorgkantoor)
    html = client.get(f"/overeenkomsten/{w.agreement.id}").get_data(as_text=True)
    assert "Persoonlijke verzorging" in html and "Anna Proef" in html
    assert "Verpleging" not in html and "Sara Proef" not in html and "68,00" not in html


def test_agreement_page_of_the_budget_holder_shows_every_line(client, login, w):
    login(w.holder)
    html = client.get(f"/overeenkomsten/{w.agreement.id}").get_data(as_text=True)
    assert "Persoonlijke verzorging" in html and "Verpleging" in html and "Sara Proef" in html


def test_review_page_shows_only_the_own_funders_lines_and_cost(client, login, db):
    w = World(status=VersionStatus.TER_BEOORDELING)
    login(w.c_verzekeraar)
    html = client.get(f"/verstrekker/beoordelen/{w.version.id}").get_data(as_text=True)
    assert "Verpleging" in html and "Sara Proef" in html
    assert "Persoonlijke verzorging" not in html and "Anna Proef" not in html
    assert "€\xa0136,00" in html  # 2 hours x EUR 68.00 a week: the Zvw line alone
    assert "Budget van een andere verstrekker" not in html


def test_agreement_document_of_a_consulent_has_only_the_own_funders_lines(w):
    doc = documents.agreement_document(w.agreement, TODAY, viewer=w.c_zorgkantoor)
    assert [row.care_kind for row in doc.lines] == ["Persoonlijke verzorging"]
    assert doc.members == ["Anna Proef"]
    full = documents.agreement_document(w.agreement, TODAY, viewer=w.holder)
    assert [row.care_kind for row in full.lines] == ["Persoonlijke verzorging", "Verpleging"]


def test_agreement_pdf_of_a_consulent_leaves_out_the_other_funders_line(client, login, w):
    login(w.c_zorgkantoor)
    response = client.get(f"/papier/overeenkomsten/{w.agreement.id}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Persoonlijke verzorging" in text and "Anna Proef" in text
    assert "Verpleging" not in text and "Sara Proef" not in text
