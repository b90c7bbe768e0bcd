"""A consulent reads only the lines of an agreement paid from their own funder's budgets: on the
agreement page, on the review page and in the agreement PDF (one function: visible_lines); the
signed scan, which holds every line, only when all of them are their funder's
(can_download_document)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.agreements.constants import ModelKind, ProviderKind, VersionStatus
from portal.agreements.models import AgreementDocument
from portal.agreements.permissions import can_download_document, visible_lines
from portal.agreements.storage import store_document
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.extensions import db as _db
from portal.paper import documents
from tests import factories as f
from tests.paper.conftest import pdf_text

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def fixed_today(today_is):
    today_is(TODAY)


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
    assert "Budget van een andere financier" not in html


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


def attach_scan(w) -> AgreementDocument:
    """The signed scan of the version, as the paper route leaves it: it signs that version."""
    doc = store_document(w.agreement.id, b"%PDF-1.4\n% scan\n", "getekend.pdf", page_count=1,
                         uploaded_by_id=w.holder.id)
    w.version.document_id = doc.id
    _db.session.commit()
    return doc


def looks_logged(w) -> int:
    return _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.household_id == w.household.id))


def test_the_scan_of_a_version_with_another_funders_line_is_no_consulents(w):
    doc = attach_scan(w)
    assert not can_download_document(w.c_zorgkantoor, w.agreement, doc)
    assert not can_download_document(w.c_verzekeraar, w.agreement, doc)
    for who in (w.holder, w.provider_user, w.office):
        assert can_download_document(who, w.agreement, doc)


def test_the_scan_of_a_version_with_only_the_own_funders_lines_is_the_consulents(w):
    w.version.lines.remove(w.zvw_line)  # what is left: the Wlz line of the zorgkantoor
    doc = attach_scan(w)
    assert can_download_document(w.c_zorgkantoor, w.agreement, doc)
    assert not can_download_document(w.c_verzekeraar, w.agreement, doc)


def test_a_scan_that_signs_no_version_is_no_consulents(w):
    w.version.lines.remove(w.zvw_line)
    doc = attach_scan(w)
    w.version.document_id = None  # reworked after a refusal: the old scan signs nothing now
    assert not can_download_document(w.c_zorgkantoor, w.agreement, doc)
    assert can_download_document(w.holder, w.agreement, doc)


def test_consulent_gets_no_link_and_a_404_for_a_scan_with_another_funders_care(client, login, w):
    doc = attach_scan(w)
    login(w.c_zorgkantoor)
    html = client.get(f"/overeenkomsten/{w.agreement.id}").get_data(as_text=True)
    assert f"/documenten/{doc.id}" not in html and "getekend.pdf" not in html
    assert "U kunt deze scan niet openen" in html
    before = looks_logged(w)
    assert client.get(f"/overeenkomsten/{w.agreement.id}/documenten/{doc.id}").status_code == 404
    assert looks_logged(w) == before  # a refused download is no look


def test_the_budget_holder_gets_the_link_to_the_same_scan(client, login, w):
    doc = attach_scan(w)
    login(w.holder)
    html = client.get(f"/overeenkomsten/{w.agreement.id}").get_data(as_text=True)
    assert f"/documenten/{doc.id}" in html and "U kunt deze scan niet openen" not in html
    assert client.get(f"/overeenkomsten/{w.agreement.id}/documenten/{doc.id}").status_code == 200
