"""The agreement screens through the test client: every page, every form (good and bad), the
404 matrix, the wizard step by step, both signatures, the paper route and its downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from portal.access.constants import Role, Scope
from portal.agreements import changing, funder_review, service, signing
from portal.agreements.constants import EndKind, ModelKind, Relation, VersionStatus
from portal.agreements.models import Agreement, AgreementDocument, AgreementLine, AgreementVersion
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.extensions import db as _db
from portal.providers.models import Provider
from tests import factories as f
from tests.agreements.conftest import TODAY, count, text
from tests.check_pages import checked_token

D = dt.date
OMA_IBAN = "NL44RABO0123456789"  # not the factories' default IBAN: a provider of her own

pytestmark = pytest.mark.usefixtures("fixed_today")


class World:
    def __init__(self):
        self.household = f.make_household()
        self.member = f.make_member(self.household, name="Sara Proef")
        self.zorgkantoor = f.make_funder(FunderKind.ZORGKANTOOR)
        self.grant = f.make_grant(self.member, self.zorgkantoor, Law.WLZ, amount_cents=2_000_000,
                                  care_kinds=[CareKind.PERSOONLIJKE_VERZORGING.value,
                                              CareKind.VERPLEGING.value])
        self.provider = f.make_provider(name="Piet Zorg")
        self.holder = f.make_user(Role.BUDGETHOUDER, household_id=self.household.id)
        self.provider_user = f.make_user(Role.ZORGVERLENER, provider_id=self.provider.id)
        self.consulent = f.make_user(Role.CONSULENT, funder_id=self.zorgkantoor.id)
        self.other_consulent = f.make_user(Role.CONSULENT)
        self.other_holder = f.make_user(Role.BUDGETHOUDER)
        self.other_provider_user = f.make_user(Role.ZORGVERLENER)
        self.viewer = f.make_user(Role.ADVISEUR)
        f.make_authorization(self.household, self.viewer, self.holder, Scope.BEKIJKEN)
        settle()

    def line(self, **kw) -> LineInput:
        values = dict(grant_id=self.grant.id, care_kind=CareKind.PERSOONLIJKE_VERZORGING,
                      unit=Unit.UUR, tariff_cents=6000, weekly_quantity=240)
        values.update(kw)
        return LineInput(**values)

    def draft(self, **kw) -> Agreement:
        values = dict(household_id=self.household.id, provider_id=self.provider.id,
                      model=ModelKind.OPDRACHT, relation=Relation.GEEN, starts_on=D(2026, 2, 1),
                      ends_on=D(2026, 12, 31), end_kind=EndKind.EINDDATUM, days_per_week=2,
                      lines=[self.line()], today=TODAY)
        values.update(kw)
        f.know_provider(self.household, values["provider_id"])
        agreement = service.create_draft(self.holder, **values)
        settle()
        return agreement

    def shared(self) -> Agreement:
        agreement = self.draft()
        signing.share(self.holder, agreement.versions[0], TODAY)
        settle()
        return agreement

    def approved(self) -> Agreement:
        agreement = self.shared()
        version = agreement.versions[0]
        signing.provider_sign(self.provider_user, version, TODAY)
        signing.holder_sign(self.holder, version, TODAY)
        funder_review.review(self.consulent, version, approve=True, reason=None, today=TODAY)
        settle()
        return agreement


def settle() -> None:
    """Commit the set-up (into the test's savepoint): a refused request rolls back only its own
    work, as in production, not what the test built before it."""
    _db.session.commit()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def step_url(agreement, step: str) -> str:
    return f"/overeenkomsten/{agreement.id}/stap/{step}"


# ---------------------------------------------------------------------------------------------
# List and detail; who sees what
# ---------------------------------------------------------------------------------------------


def test_index_lists_agreements_with_status_and_history(w, client, login):
    agreement = w.approved()
    login(w.holder)
    response = client.get(f"/huishoudens/{w.household.id}/overeenkomsten")
    assert response.status_code == 200
    page = text(response)
    assert "Piet Zorg" in page and agreement.reference in page
    assert "Overeenkomst van opdracht" in page
    assert "Goedgekeurd, nog niet begonnen" in page  # starts 1 February, today 15 January
    assert "Wacht op beoordeling" in page  # the history
    assert "Nieuwe zorgovereenkomst maken" in page


def test_index_for_view_only_helper_has_no_new_button(w, client, login):
    login(w.viewer)
    response = client.get(f"/huishoudens/{w.household.id}/overeenkomsten")
    assert response.status_code == 200
    assert "Nieuwe zorgovereenkomst maken" not in text(response)


@pytest.mark.parametrize("who", ["other_holder", "provider_user", "consulent"])
def test_index_of_another_household_is_404(w, client, login, who):
    login(getattr(w, who))
    assert client.get(f"/huishoudens/{w.household.id}/overeenkomsten").status_code == 404


@pytest.mark.parametrize("who, status", [
    ("holder", 200), ("viewer", 200), ("provider_user", 200), ("consulent", 200),
    ("other_holder", 404), ("other_provider_user", 404), ("other_consulent", 404),
])
def test_show_matrix(w, client, login, who, status):
    agreement = w.approved()
    login(getattr(w, who))
    response = client.get(f"/overeenkomsten/{agreement.id}")
    assert response.status_code == status
    if status == 200:
        page = text(response)
        assert "Versie 1" in page and "Persoonlijke verzorging" in page and "Sara Proef" in page


def test_show_keeps_earlier_versions_visible(w, client, login):
    agreement = w.approved()
    changing.propose_change(w.holder, agreement, starts_on=D(2026, 3, 1), ends_on=D(2026, 12, 31),
                           end_kind=EndKind.EINDDATUM, days_per_week=2,
                           lines=[w.line(tariff_cents=6500)], today=TODAY)
    login(w.holder)
    page = text(client.get(f"/overeenkomsten/{agreement.id}"))
    assert "Versie 2" in page and "Versie 1" in page
    assert "€ 60,00" in page and "€ 65,00" in page


def test_unknown_agreement_is_404(w, client, login):
    login(w.holder)
    assert client.get("/overeenkomsten/999999").status_code == 404


def test_pages_need_login(w, client):
    agreement = w.draft()
    response = client.get(f"/overeenkomsten/{agreement.id}")
    assert response.status_code == 302 and "/inloggen" in response.location


# ---------------------------------------------------------------------------------------------
# The wizard
# ---------------------------------------------------------------------------------------------


def test_new_model_step_good_and_bad(w, client, login):
    login(w.holder)
    url = f"/huishoudens/{w.household.id}/overeenkomsten/nieuw"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={})
    assert bad.status_code == 422
    assert "Kies een model overeenkomst." in text(bad)
    good = client.post(url, data={"model": "familie"})
    assert good.status_code == 302 and "model=familie" in good.location


def test_new_agreement_for_view_only_helper_is_refused(w, client, login):
    login(w.viewer)
    assert client.get(f"/huishoudens/{w.household.id}/overeenkomsten/nieuw").status_code == 403


def test_provider_step_asks_only_what_applies(w, client, login):
    login(w.holder)
    base = f"/huishoudens/{w.household.id}/overeenkomsten/nieuw/zorgverlener"
    organisation = text(client.get(base + "?model=zorginstelling"))
    assert "KvK-nummer" in organisation and "AGB-code" in organisation
    assert "Wat is de zorgverlener van" not in organisation
    family = text(client.get(base + "?model=familie"))
    assert "KvK-nummer" not in family and "Wat is de zorgverlener van" in family
    assert client.get(base + "?model=onzin").status_code == 302


def test_provider_step_refuses_bad_iban_and_writes_nothing(w, client, login):
    login(w.holder)
    before = (count(Provider), count(Agreement))
    response = client.post(
        f"/huishoudens/{w.household.id}/overeenkomsten/nieuw/zorgverlener?model=familie",
        data={"name": "Oma Proef", "iban": "NL00BANK0000000000", "relation": "grootouder"})
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="iban-error"[^>]*>[^<]*IBAN', page)
    assert 'aria-invalid="true"' in page
    assert 'value="Oma Proef"' in page  # what was typed stays
    assert (count(Provider), count(Agreement)) == before


def test_provider_step_family_needs_a_relation(w, client, login):
    login(w.holder)
    before = count(Agreement)
    response = client.post(
        f"/huishoudens/{w.household.id}/overeenkomsten/nieuw/zorgverlener?model=familie",
        data={"name": "Oma Proef", "iban": "NL91ABNA0417164300", "relation": ""})
    assert response.status_code == 422
    assert "Kies wat de zorgverlener is" in text(response)
    assert count(Agreement) == before


def wizard_start(w, client, model="familie", relation="grootouder") -> Agreement:
    response = client.post(
        f"/huishoudens/{w.household.id}/overeenkomsten/nieuw/zorgverlener?model={model}",
        data={"name": "Oma Proef", "iban": OMA_IBAN, "relation": relation,
              "email": "oma@example.nl"})
    assert response.status_code == 302, text(response)
    agreement = _db.session.scalar(select(Agreement).where(
        Agreement.household_id == w.household.id).order_by(Agreement.id.desc()).limit(1))
    assert response.location.endswith(step_url(agreement, "budgetten"))
    return agreement


def test_a_step_shows_no_errors_on_first_arrival_only_after_a_save(w, client, login):
    """Finding 5: a red 'Nog niet in orde' box on first arrival at a step. Now a step says
    what is wrong after the user saved it (or came from the check step's list), not before."""
    login(w.holder)
    agreement = wizard_start(w, client)
    first = text(client.get(step_url(agreement, "budgetten")))  # no budget chosen yet
    assert "error-summary" not in first and "Nog niet in orde" not in first
    response = client.post(step_url(agreement, "budgetten"), data={"grants": [w.grant.id]})
    p = f"g{w.grant.id}_persoonlijke_verzorging"
    arrival = text(client.get(response.location))
    assert "error-summary" not in arrival
    saved = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "30,00"})
    after = text(client.get(saved.location))
    assert "Nog niet in orde" in after and f'id="{p}-tariff_cents-error"' in after
    again = text(client.get(step_url(agreement, "zorg")))  # the marker is used once
    assert "error-summary" not in again
    from_check = text(client.get(step_url(agreement, "zorg") + "?fout=1"))
    assert f'id="{p}-tariff_cents-error"' in from_check
    check = text(client.get(step_url(agreement, "controleren")))
    assert "/stap/zorg?fout=1" in check


def test_wizard_from_start_to_share(w, client, login):
    login(w.holder)
    agreement = wizard_start(w, client)
    version = agreement.versions[0]
    assert version.status == VersionStatus.CONCEPT
    assert version.starts_on == D(2026, 2, 1)  # first of next month until the period step

    # Budgets: only grants of this household in the period.
    other = f.make_grant(f.make_member(), law=Law.WMO)
    page = text(client.get(step_url(agreement, "budgetten")))
    assert "Sara Proef" in page and f'value="{other.id}"' not in page
    response = client.post(step_url(agreement, "budgetten"), data={"grants": [w.grant.id]})
    assert response.status_code == 302 and response.location.endswith(step_url(agreement, "zorg"))

    # Care: only the kinds the grant allows; tariff above the (informal Wlz) maximum.
    page = text(client.get(response.location))
    assert "Persoonlijke verzorging" in page and "Huishoudelijke hulp" not in page
    assert ">vast maandloon<" not in page  # only for employment
    p = f"g{w.grant.id}_persoonlijke_verzorging"
    response = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "30,00"})
    assert response.status_code == 302 and response.location.endswith(step_url(agreement, "zorg"))
    page = text(client.get(step_url(agreement, "zorg")))
    assert "hoger dan het maximum van € 24,44" in page
    assert f'id="{p}-tariff_cents-error"' in page
    assert "Ik betaal het deel van het tarief boven het maximum zelf" in page
    response = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "30,00", "top_up": "y"})
    assert response.location.endswith(step_url(agreement, "uren"))
    line = _db.session.scalar(select(AgreementLine).where(AgreementLine.version_id == version.id))
    assert (line.tariff_cents, line.budget_tariff_cents) == (3000, 2444)

    # Hours: quarters of an hour.
    response = client.post(step_url(agreement, "uren"), data={"lines-0-weekly_quantity": "4:30"})
    assert response.location.endswith(step_url(agreement, "periode"))
    # Saved afresh: the old line row is deleted (on SQLite the new one may get its id again).
    assert sa_inspect(line).was_deleted
    assert agreement.versions[0].lines[0].weekly_quantity == 270

    # Period.
    response = client.post(step_url(agreement, "periode"), data={
        "starts_on": "2026-03-01", "end_kind": "einddatum", "ends_on": "2026-12-31"})
    assert response.location.endswith(step_url(agreement, "controleren"))

    # Check: cost next to what is available, then share.
    page = text(client.get(step_url(agreement, "controleren")))
    assert "Kosten tot einde periode" in page and "€ 20.000,00" in page
    assert "Delen met zorgverlener" in page
    response = client.post(f"/overeenkomsten/{agreement.id}/delen")
    assert response.status_code == 302
    assert agreement.versions[0].status == VersionStatus.GEDEELD


def test_save_as_concept_returns_to_the_agreement(w, client, login):
    login(w.holder)
    agreement = wizard_start(w, client)
    response = client.post(step_url(agreement, "budgetten"),
                           data={"grants": [w.grant.id], "action": "concept"})
    assert response.status_code == 302
    assert response.location.endswith(f"/overeenkomsten/{agreement.id}")


def test_budget_step_needs_one_budget(w, client, login):
    login(w.holder)
    agreement = wizard_start(w, client)
    response = client.post(step_url(agreement, "budgetten"), data={})
    assert response.status_code == 422
    assert "Kies minstens één budget." in text(response)


def test_care_step_bad_tariff_is_refused_and_nothing_written(w, client, login):
    login(w.holder)
    agreement = w.draft()
    p = f"g{w.grant.id}_persoonlijke_verzorging"
    before = count(AgreementLine)
    response = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "veel"})
    assert response.status_code == 422
    assert "is geen bedrag" in text(response)
    assert 'value="veel"' in text(response)
    zero = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "0"})
    assert zero.status_code == 422
    assert "hoger is dan € 0,00" in text(zero)
    assert count(AgreementLine) == before
    assert agreement.versions[0].lines[0].tariff_cents == 6000


def test_care_step_monthly_wage_only_for_employment(w, client, login):
    login(w.holder)
    agreement = w.draft(model=ModelKind.ARBEID)
    page = text(client.get(step_url(agreement, "zorg")))
    assert ">vast maandloon<" in page
    hours = text(client.get(step_url(agreement, "uren")))
    assert "Hoeveel dagen per week" in hours and "loonadministratie" in hours


def test_hours_step_good_and_bad(w, client, login):
    login(w.holder)
    agreement = w.draft()
    bad = client.post(step_url(agreement, "uren"), data={"lines-0-weekly_quantity": "vier"})
    assert bad.status_code == 422
    assert "uren:minuten" in text(bad)
    assert agreement.versions[0].lines[0].weekly_quantity == 240
    odd = client.post(step_url(agreement, "uren"), data={"lines-0-weekly_quantity": "4:10"})
    assert odd.status_code == 302 and odd.location.endswith(step_url(agreement, "uren"))
    assert "hele kwartieren" in text(client.get(step_url(agreement, "uren")))
    good = client.post(step_url(agreement, "uren"), data={"lines-0-weekly_quantity": "4,25"})
    assert good.location.endswith(step_url(agreement, "periode"))
    assert agreement.versions[0].lines[0].weekly_quantity == 255


def test_period_step_end_before_start_is_refused(w, client, login):
    login(w.holder)
    agreement = w.draft()
    response = client.post(step_url(agreement, "periode"), data={
        "starts_on": "2026-05-01", "end_kind": "einddatum", "ends_on": "2026-04-01"})
    assert response.status_code == 422
    assert "De einddatum ligt voor de begindatum" in text(response)
    assert agreement.versions[0].starts_on == D(2026, 2, 1)
    bad_date = client.post(step_url(agreement, "periode"), data={
        "starts_on": "2026-02-30", "end_kind": "geen"})
    assert bad_date.status_code == 422
    assert "Vul een bestaande datum in" in text(bad_date)


def test_share_refused_when_incomplete(w, client, login):
    login(w.holder)
    agreement = w.draft(lines=[])
    page = text(client.get(step_url(agreement, "controleren")))
    assert "Voeg minstens één soort zorg toe" in page
    response = client.post(f"/overeenkomsten/{agreement.id}/delen")
    assert response.status_code == 422
    assert agreement.versions[0].status == VersionStatus.CONCEPT


@pytest.mark.parametrize("who", ["other_holder", "provider_user", "viewer"])
def test_wizard_steps_of_another_are_404(w, client, login, who):
    agreement = w.draft()
    login(getattr(w, who))
    assert client.get(step_url(agreement, "zorg")).status_code == 404
    assert client.post(f"/overeenkomsten/{agreement.id}/delen").status_code == 404
    assert agreement.versions[0].status == VersionStatus.CONCEPT


def test_shared_version_is_not_editable_in_the_wizard(w, client, login):
    agreement = w.shared()
    login(w.holder)
    response = client.get(step_url(agreement, "zorg"))
    assert response.status_code == 302 and response.location.endswith(f"/overeenkomsten/{agreement.id}")


# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------


def test_provider_signs_with_a_new_iban_and_holder_sees_it(w, client, login):
    agreement = w.shared()
    login(w.provider_user)
    url = f"/overeenkomsten/{agreement.id}/ondertekenen-zorgverlener"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"name": "Piet Zorg", "iban": "NL00", "action": "controleren"})
    assert bad.status_code == 422 and 'id="iban-error"' in text(bad)
    details = {"name": "Piet Zorg", "iban": "NL20INGB0001234567"}
    check = client.post(url, data={**details, "action": "controleren"})
    assert check.status_code == 200 and "Controleer de overeenkomst" in text(check)
    token = checked_token(check)
    no_agree = client.post(url, data={**details, "action": "ondertekenen",
                                      "gecontroleerd": token})
    assert no_agree.status_code == 422
    assert "Vink aan" in text(no_agree)
    assert agreement.versions[0].signed_by_provider_at is None
    good = client.post(url, data={**details, "action": "ondertekenen", "agree": "y",
                                  "gecontroleerd": token})
    assert good.status_code == 302
    assert agreement.versions[0].signed_by_provider_at is not None

    client.post("/uitloggen")
    login(w.holder)
    page = text(client.get(f"/overeenkomsten/{agreement.id}/ondertekenen"))
    assert "<mark>NL20INGB0001234567</mark>" in page and "NL91ABNA0417164300" in page
    refused = client.post(f"/overeenkomsten/{agreement.id}/ondertekenen",
                          data={"gecontroleerd": checked_token(page)})
    assert refused.status_code == 422
    assert agreement.versions[0].status == VersionStatus.GEDEELD
    signed = client.post(f"/overeenkomsten/{agreement.id}/ondertekenen",
                         data={"agree": "y", "gecontroleerd": checked_token(page)})
    assert signed.status_code == 302
    assert agreement.versions[0].status == VersionStatus.TER_BEOORDELING


@pytest.mark.parametrize("who", ["other_provider_user", "holder", "other_holder"])
def test_provider_sign_page_only_for_the_provider(w, client, login, who):
    agreement = w.shared()
    login(getattr(w, who))
    url = f"/overeenkomsten/{agreement.id}/ondertekenen-zorgverlener"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"name": "X", "iban": "NL20INGB0001234567",
                                  "agree": "y"}).status_code == 404
    assert agreement.versions[0].signed_by_provider_at is None


@pytest.mark.parametrize("who", ["provider_user", "other_holder", "viewer"])
def test_holder_sign_only_for_the_acting_holder(w, client, login, who):
    agreement = w.shared()
    signing.provider_sign(w.provider_user, agreement.versions[0], TODAY)
    login(getattr(w, who))
    url = f"/overeenkomsten/{agreement.id}/ondertekenen"
    assert client.post(url, data={"agree": "y"}).status_code == 404
    assert agreement.versions[0].status == VersionStatus.GEDEELD


# ---------------------------------------------------------------------------------------------
# Paper route
# ---------------------------------------------------------------------------------------------


def test_upload_renamed_exe_is_refused_next_to_the_file_field(w, client, login):
    agreement = w.draft()
    login(w.holder)
    before = count(AgreementDocument)
    response = client.post(f"/overeenkomsten/{agreement.id}/papier", data={
        "file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "overeenkomst.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="file-error"[^>]*>Dit bestand is geen PDF', page)
    assert count(AgreementDocument) == before
    assert agreement.versions[0].status == VersionStatus.CONCEPT


def test_upload_without_a_file_is_refused(w, client, login):
    agreement = w.draft()
    login(w.holder)
    response = client.post(f"/overeenkomsten/{agreement.id}/papier", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Kies het PDF-bestand" in text(response)


def test_upload_a_signed_pdf_and_download_it(w, client, login):
    agreement = w.draft()
    login(w.holder)
    assert client.get(f"/overeenkomsten/{agreement.id}/papier").status_code == 200
    data = pdf_bytes(2)
    response = client.post(f"/overeenkomsten/{agreement.id}/papier", data={
        "file": (io.BytesIO(data), "getekend.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    version = agreement.versions[0]
    assert version.status == VersionStatus.TER_BEOORDELING and version.signed_on_paper
    doc = _db.session.scalar(select(AgreementDocument).where(
        AgreementDocument.agreement_id == agreement.id))
    page = text(client.get(f"/overeenkomsten/{agreement.id}"))
    assert "getekend.pdf" in page and "2 pagina" in page
    download = client.get(f"/overeenkomsten/{agreement.id}/documenten/{doc.id}")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    # The PDF as stored: written again by qpdf after the checks (tests/security/test_v12_files).
    assert hashlib.sha256(download.data).hexdigest() == doc.sha256
    assert len(PdfReader(io.BytesIO(download.data)).pages) == 2


@pytest.mark.parametrize("who, status", [
    ("provider_user", 200), ("consulent", 200), ("other_holder", 404),
    ("other_provider_user", 404), ("other_consulent", 404),
])
def test_download_matrix(w, client, login, who, status):
    agreement = w.draft()
    version = agreement.versions[0]
    signing.attach_signed_paper(w.holder, agreement, pdf_bytes(), "scan.pdf", TODAY)
    doc_id = version.document_id
    login(getattr(w, who))
    assert client.get(f"/overeenkomsten/{agreement.id}/documenten/{doc_id}").status_code == status


def test_consulent_gets_the_link_to_a_scan_of_only_its_own_funders_care(w, client, login):
    agreement = w.draft()
    signing.attach_signed_paper(w.holder, agreement, pdf_bytes(), "scan.pdf", TODAY)
    doc_id = agreement.versions[0].document_id
    login(w.consulent)
    page = text(client.get(f"/overeenkomsten/{agreement.id}"))
    assert f"/overeenkomsten/{agreement.id}/documenten/{doc_id}" in page and "scan.pdf" in page
    assert "U kunt deze scan niet openen" not in page


def test_a_wrong_document_id_is_404_before_any_look_is_logged(w, client, login, monkeypatch):
    """The answer's rollback would drop such a row anyway; the look is written only once the
    document is known to be there and the user's to have."""
    from portal.agreements import views

    agreement = w.draft()
    signing.attach_signed_paper(w.holder, agreement, pdf_bytes(), "scan.pdf", TODAY)
    doc_id = agreement.versions[0].document_id
    settle()
    looks = []
    monkeypatch.setattr(views, "log_access", lambda *a, **kw: looks.append(kw["object_id"]))
    login(w.consulent)
    url = f"/overeenkomsten/{agreement.id}/documenten/"
    assert client.get(url + str(doc_id + 1000)).status_code == 404
    assert looks == []
    assert client.get(url + str(doc_id)).status_code == 200
    assert looks == [agreement.id]  # the download itself is a look


def test_document_of_another_agreement_is_404(w, client, login):
    agreement = w.draft()
    signing.attach_signed_paper(w.holder, agreement, pdf_bytes(), "scan.pdf", TODAY)
    doc_id = agreement.versions[0].document_id
    mine = f.make_agreement(f.make_grant(f.make_member(f.make_household())))
    holder = f.make_user(Role.BUDGETHOUDER, household_id=mine.household_id)
    login(holder)
    assert client.get(f"/overeenkomsten/{mine.id}/documenten/{doc_id}").status_code == 404


def test_upload_of_another_household_is_404(w, client, login):
    agreement = w.draft()
    login(w.other_holder)
    response = client.post(f"/overeenkomsten/{agreement.id}/papier", data={
        "file": (io.BytesIO(pdf_bytes()), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 404
    assert agreement.versions[0].status == VersionStatus.CONCEPT


def test_too_large_request_gets_the_413_page(w, client, login, app):
    agreement = w.draft()
    login(w.holder)
    big = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)  # raw: no temporary file in the client
    response = client.post(f"/overeenkomsten/{agreement.id}/papier", data=big,
                           content_type="multipart/form-data; boundary=grens")
    assert response.status_code == 413
    assert "Het bestand is te groot" in text(response)


# ---------------------------------------------------------------------------------------------
# Ending and changing
# ---------------------------------------------------------------------------------------------


def test_end_good_and_bad(w, client, login):
    agreement = w.approved()
    login(w.holder)
    url = f"/overeenkomsten/{agreement.id}/beeindigen"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"ended_on": "2025-12-31"})
    assert bad.status_code == 422
    assert "De einddatum ligt in het verleden" in text(bad)
    assert service.approved_version(agreement) is not None
    good = client.post(url, data={"ended_on": "2026-06-30"})
    assert good.status_code == 302
    assert agreement.versions[0].status == VersionStatus.BEEINDIGD
    assert agreement.versions[0].ended_on == D(2026, 6, 30)


@pytest.mark.parametrize("who", ["provider_user", "other_holder", "viewer"])
def test_end_by_others_is_404(w, client, login, who):
    agreement = w.approved()
    login(getattr(w, who))
    response = client.post(f"/overeenkomsten/{agreement.id}/beeindigen",
                           data={"ended_on": "2026-06-30"})
    assert response.status_code == 404
    assert agreement.versions[0].status == VersionStatus.GOEDGEKEURD


def test_extension_is_approved_at_once(w, client, login):
    agreement = w.approved()
    login(w.holder)
    url = f"/overeenkomsten/{agreement.id}/wijzigen"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"starts_on": "2026-03-01", "end_kind": "geen",
                                      "lines-0-tariff_cents": "60,00", "lines-0-weekly_quantity": "4:00"})
    assert response.status_code == 302, text(response)
    assert [v.status for v in agreement.versions] == [VersionStatus.VERVANGEN,
                                                       VersionStatus.GOEDGEKEURD]


def test_the_change_page_asks_its_dates_in_three_fields(w, client, login):
    """No "Bijvoorbeeld 1-3-2026" over a browser date picker (mm/dd/yyyy): dag, maand, jaar."""
    agreement = w.approved()
    login(w.holder)
    url = f"/overeenkomsten/{agreement.id}/wijzigen"
    page = text(client.get(url))
    assert 'type="date"' not in page and "1-3-2026" not in page
    for name in ("starts_on", "ends_on"):
        assert all(f'name="{name}-{part}"' in page for part in ("dag", "maand", "jaar"))
    response = client.post(url, data={
        "starts_on-dag": "1", "starts_on-maand": "3", "starts_on-jaar": "2026",
        "end_kind": "einddatum", "ends_on-dag": "31", "ends_on-maand": "12", "ends_on-jaar": "2026",
        "lines-0-tariff_cents": "65,00", "lines-0-weekly_quantity": "4:00"})
    assert response.status_code == 302, text(response)
    assert (agreement.versions[-1].starts_on, agreement.versions[-1].ends_on) == (
        D(2026, 3, 1), D(2026, 12, 31))


def test_tariff_change_becomes_a_concept_to_sign(w, client, login):
    agreement = w.approved()
    login(w.holder)
    response = client.post(f"/overeenkomsten/{agreement.id}/wijzigen", data={
        "starts_on": "2026-03-01", "end_kind": "einddatum", "ends_on": "2026-12-31",
        "lines-0-tariff_cents": "65,00", "lines-0-weekly_quantity": "4:00"})
    assert response.status_code == 302
    assert response.location.endswith(step_url(agreement, "controleren"))
    assert agreement.versions[-1].status == VersionStatus.CONCEPT
    assert agreement.versions[-1].lines[0].tariff_cents == 6500


@pytest.mark.parametrize("typed, shown", [
    # Not on the first of a month: the rule's refusal.
    ({"starts_on": "2026-03-15"}, ["eerste dag van een maand"]),
    # No amount, no quantity: the fields' own refusals, next to them, what was typed kept.
    ({"lines-0-tariff_cents": "veel", "lines-0-weekly_quantity": "vier"},
     ['id="lines-0-tariff_cents-error">&#39;veel&#39; is geen bedrag',
      'id="lines-0-weekly_quantity-error">Schrijf de uren als uren:minuten',
      'href="#lines-0-tariff_cents"',  # the error summary links to the field
      'value="veel"', 'value="vier"']),
])
def test_a_refused_change_says_why_and_writes_nothing(w, client, login, typed, shown):
    agreement = w.approved()
    login(w.holder)
    before = count(AgreementVersion)
    response = client.post(f"/overeenkomsten/{agreement.id}/wijzigen", data={
        "starts_on": "2026-03-01", "end_kind": "einddatum", "ends_on": "2026-12-31",
        "lines-0-tariff_cents": "65,00", "lines-0-weekly_quantity": "4:00", **typed})
    assert response.status_code == 422
    page = text(response)
    for snippet in shown:
        assert snippet in page
    assert count(AgreementVersion) == before


# ---------------------------------------------------------------------------------------------
# The chosen budgets are part of the draft; budgets from before the period is chosen
# ---------------------------------------------------------------------------------------------


def test_budgets_saved_as_concept_stay_chosen(w, client, login):
    login(w.holder)
    agreement = wizard_start(w, client)
    response = client.post(step_url(agreement, "budgetten"),
                           data={"grants": [w.grant.id], "action": "concept"})
    assert response.location.endswith(f"/overeenkomsten/{agreement.id}")
    assert agreement.versions[0].lines == []  # no kind of care yet, only the budget
    page = text(client.get(step_url(agreement, "budgetten")))
    assert re.search(rf'<input checked[^>]*value="{w.grant.id}"', page)
    care = text(client.get(step_url(agreement, "zorg")))  # no ?budget= needed
    assert "Persoonlijke verzorging" in care and "Kies eerst voor wie" not in care


def test_unchoosing_a_budget_removes_it_and_its_kinds_of_care(w, client, login):
    login(w.holder)
    agreement = w.draft()
    response = client.post(step_url(agreement, "budgetten"), data={"grants": []})
    assert response.status_code == 422  # at least one budget
    # Another budget: the same member's other grants under this law and funder are years of
    # the same budget (one choice), so this one is a sister's.
    sister = f.make_member(w.household, name="Lotte Proef")
    other = f.make_grant(sister, w.zorgkantoor, Law.WLZ, care_kinds=[CareKind.VERPLEGING.value])
    settle()
    client.post(step_url(agreement, "budgetten"), data={"grants": [other.id]})
    version = agreement.versions[0]
    assert version.chosen_grant_ids == [other.id] and version.lines == []


def test_last_months_budget_is_offered_before_the_period_is_chosen(w, client, login):
    # Today is 15 January 2026; the draft starts on 1 February until the period step.
    last_year = f.make_grant(w.member, w.zorgkantoor, Law.WLZ, year=2025)
    long_ago = f.make_grant(w.member, w.zorgkantoor, Law.WLZ, year=2024)
    settle()
    login(w.holder)
    agreement = wizard_start(w, client)
    page = text(client.get(step_url(agreement, "budgetten")))
    # One budget, granted for two years: one choice, by its first year offered.
    assert f'value="{last_year.id}"' in page and f'value="{w.grant.id}"' not in page
    assert "toegekend voor 2025 en 2026" in page
    assert f'value="{long_ago.id}"' not in page  # care that long ago can no longer be claimed
    assert "2024" not in page
    assert "vanaf 1 oktober 2025" in page
