"""The agreement use cases on the database: lifecycle, signing, paper, review, changes, ending."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent
from portal.agreements import changing, funder_review, service, signing, storage
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation, VersionStatus
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementLine,
    AgreementVersion,
    MaxTariff,
)
from portal.agreements.permissions import can_review, can_view_agreement
from portal.agreements.reads import effective_status, version_in_force
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.messages.models import Message
from portal.providers.models import Provider
from portal.providers.service import create_provider
from portal.refusals import AlreadyDone, Refused
from tests import factories as f

D = dt.date
TODAY = D(2026, 1, 15)
S = VersionStatus


class World:
    """One household with a Wmo grant, a provider, and the people around them."""

    def __init__(self):
        self.household = f.make_household()
        self.member = f.make_member(self.household)
        self.funder = f.make_funder(FunderKind.GEMEENTE)
        self.grant = f.make_grant(self.member, self.funder, Law.WMO, care_kinds=[
            CareKind.INDIVIDUELE_BEGELEIDING.value, CareKind.HUISHOUDELIJKE_HULP.value])
        self.provider = f.make_provider(ProviderKind.PERSOON, name="Piet Zorg")
        self.holder = f.make_user(Role.BUDGETHOUDER, household_id=self.household.id)
        self.provider_user = f.make_user(Role.ZORGVERLENER, provider_id=self.provider.id)
        self.consulent = f.make_user(Role.CONSULENT, funder_id=self.funder.id)
        self.other_consulent = f.make_user(Role.CONSULENT)
        self.other_provider_user = f.make_user(Role.ZORGVERLENER)

    def line(self, **kw) -> LineInput:
        values = dict(grant_id=self.grant.id, care_kind=CareKind.INDIVIDUELE_BEGELEIDING,
                      unit=Unit.UUR, tariff_cents=6000, weekly_quantity=240)
        values.update(kw)
        return LineInput(**values)

    def draft(self, actor=None, **kw) -> Agreement:
        values = dict(household_id=self.household.id, provider_id=self.provider.id,
                      model=ModelKind.OPDRACHT, relation=Relation.GEEN, starts_on=D(2026, 2, 1),
                      ends_on=D(2026, 12, 31), end_kind=EndKind.EINDDATUM, days_per_week=2,
                      lines=[self.line()], today=TODAY)
        values.update(kw)
        f.know_provider(self.household, values["provider_id"])
        return service.create_draft(actor or self.holder, **values)

    def approved(self, **kw) -> Agreement:
        agreement = self.draft(**kw)
        version = agreement.versions[0]
        signing.share(self.holder, version, TODAY)
        signing.provider_sign(self.provider_user, version, TODAY)
        signing.holder_sign(self.holder, version, TODAY)
        funder_review.review(self.consulent, version, approve=True, reason=None, today=TODAY)
        return agreement


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(folder))
    return folder


def counts(db) -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Agreement, AgreementVersion, AgreementLine, AgreementEvent,
                      AgreementDocument, AuditEvent, Message, Provider)}


def refused(fn, *args, **kw) -> list[str]:
    with pytest.raises(Refused) as info:
        fn(*args, **kw)
    return info.value.codes


def make_pdf(pages: int = 1, pad: int = 0) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if pad:  # in the document information (an attachment would be refused as active content)
        writer.add_metadata({"/Opvulling": "x" * pad})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_of_exact_size(size: int) -> bytes:
    pad = size
    for _ in range(5):
        data = make_pdf(pad=pad)
        if len(data) == size:
            return data
        pad -= len(data) - size
    raise AssertionError("could not make a PDF of the exact size")


# --- the whole digital lifecycle --------------------------------------------------------------

def test_every_step_taken_twice_is_a_repeat_that_writes_nothing(w, db):
    """The second of two identical steps (a double click, two requests at once) is answered
    'Dit is al gedaan' with the version's status: no second event, audit record or message."""
    version = w.draft().versions[0]

    def writes() -> tuple[int, int, int]:
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (AgreementEvent, AuditEvent, Message))

    steps = [(signing.share, w.holder, S.GEDEELD.label),
             (signing.provider_sign, w.provider_user, S.GEDEELD.label),
             (signing.holder_sign, w.holder, S.TER_BEOORDELING.label)]
    for step, actor, label in steps:
        step(actor, version, TODAY)
        before = writes()
        with pytest.raises(AlreadyDone) as info:
            step(actor, version, TODAY)
        assert info.value.message == ("Dit is al gedaan. De overeenkomst heeft nu de status "
                                      f"'{label}'.")
        assert writes() == before, step.__name__
    funder_review.review(w.consulent, version, approve=True, reason=None, today=TODAY)
    before = writes()
    assert refused(funder_review.review, w.consulent, version, approve=True, reason=None,
                   today=TODAY) == ["already_done"]
    assert writes() == before


def test_whole_lifecycle_concept_to_active(w, db):
    agreement = w.draft()
    version = agreement.versions[0]
    assert agreement.reference == f"ZO-2026-{agreement.id:06d}"
    assert version.status == S.CONCEPT and version.number == 1 and version.notice_months == 1

    signing.share(w.holder, version, TODAY)
    assert version.status == S.GEDEELD
    signing.provider_sign(w.provider_user, version, TODAY, changes={"iban": "NL02 ABNA 0123 4567 89"})
    assert version.status == S.GEDEELD and version.signed_by_provider_at is not None
    # The new IBAN is this agreement's; the provider's own row (shared by every household it
    # works for) keeps the IBAN it was registered with.
    assert version.iban == "NL02ABNA0123456789" and w.provider.iban == "NL91ABNA0417164300"
    assert effective_status(version, TODAY).value == "ondertekend_zorgverlener"
    signing.holder_sign(w.holder, version, TODAY)
    assert version.status == S.TER_BEOORDELING and version.signed_by_holder_at is not None
    funder_review.review(w.consulent, version, approve=True, reason=None, today=TODAY)
    assert version.status == S.GOEDGEKEURD and version.reviewed_by_id == w.consulent.id

    assert effective_status(version, D(2026, 1, 31)).value == "goedgekeurd"
    assert effective_status(version, D(2026, 2, 1)).value == "actief"
    assert version_in_force(agreement, D(2026, 1, 31)) is None
    assert version_in_force(agreement, D(2026, 2, 1)) is version

    events = db.session.scalars(select(AgreementEvent).where(
        AgreementEvent.agreement_id == agreement.id).order_by(AgreementEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "concept"), ("concept", "gedeeld"), ("gedeeld", "gedeeld"),
        ("gedeeld", "ondertekend"), ("ondertekend", "ter_beoordeling"),
        ("ter_beoordeling", "goedgekeurd")]
    assert "IBAN" in events[2].reason
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.household_id == w.household.id).order_by(AuditEvent.id)).all()
    assert actions == ["agreement.create", "agreement.share", "agreement.provider_sign",
                       "agreement.holder_sign", "agreement.approve"]

    def inbox(user):
        return db.session.scalars(select(Message.kind).where(Message.user_id == user.id)
                                  .order_by(Message.id)).all()
    assert inbox(w.provider_user) == ["agreement_shared", "agreement_submitted", "agreement_approved"]
    assert inbox(w.holder) == ["agreement_provider_signed", "agreement_approved"]
    assert inbox(w.consulent) == ["agreement_to_review"]
    assert inbox(w.other_consulent) == []
    approved = db.session.scalars(select(Message).where(
        Message.user_id == w.holder.id, Message.kind == "agreement_approved")).one()
    assert approved.sender == w.consulent.name
    assert approved.about.startswith("Zorg voor ") and w.provider.name in approved.about


def test_representative_with_handelen_acts_on_behalf_and_it_is_recorded(w, db):
    rep = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(w.household, rep, w.holder, Scope.HANDELEN)
    agreement = w.draft(actor=rep)
    event = db.session.scalar(select(AgreementEvent).where(AgreementEvent.agreement_id == agreement.id))
    assert event.actor_id == rep.id and event.on_behalf_of_id == w.holder.id
    signing.share(rep, agreement.versions[0], TODAY)
    assert agreement.versions[0].status == S.GEDEELD


def test_view_only_representative_and_strangers_may_not_draft(w, db):
    viewer = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(w.household, viewer, w.holder, Scope.BEKIJKEN)
    before = counts(db)
    for actor in (viewer, f.make_user(Role.BUDGETHOUDER), w.provider_user, w.consulent):
        assert refused(w.draft, actor=actor) == ["not_allowed"]
    assert counts(db) == before


# --- drafts -----------------------------------------------------------------------------------

def test_tariff_of_zero_refused_and_nothing_written(w, db):
    before = counts(db)
    assert "tariff_not_positive" in refused(w.draft, lines=[w.line(tariff_cents=0)])
    assert counts(db) == before
    w.draft(lines=[w.line(tariff_cents=1)])  # the boundary


def test_grant_of_another_household_refused(w, db):
    other = f.make_grant()
    assert refused(w.draft, lines=[w.line(grant_id=other.id)]) == ["grant_other_household"]


def test_one_agreement_per_household_and_provider(w, db):
    w.draft()
    assert refused(w.draft) == ["agreement_exists"]


def test_incomplete_concept_is_saved_but_not_shared(w, db):
    agreement = w.draft(lines=[], ends_on=None)
    version = agreement.versions[0]
    verdict = service.draft_verdict(version)
    assert {"no_lines", "end_missing"} <= {r.code for r in verdict.refusals}
    before = counts(db)
    assert set(refused(signing.share, w.holder, version, TODAY)) == {"no_lines", "end_missing"}
    assert version.status == S.CONCEPT and counts(db) == before
    service.update_draft(w.holder, version, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31),
                         end_kind=EndKind.EINDDATUM, days_per_week=2,
                         lines=[w.line(), w.line(care_kind=CareKind.HUISHOUDELIJKE_HULP)],
                         today=TODAY)
    assert len(version.lines) == 2
    signing.share(w.holder, version, TODAY)
    assert version.status == S.GEDEELD


def test_update_draft_keeps_line_keys_and_refuses_after_sharing(w, db):
    agreement = w.draft()
    version = agreement.versions[0]
    args = dict(starts_on=D(2026, 3, 1), ends_on=None, end_kind=EndKind.GEEN, days_per_week=3,
                lines=[w.line(weekly_quantity=300)], today=TODAY)
    service.update_draft(w.holder, version, **args)  # same (grant, care kind) as before
    assert [ln.weekly_quantity for ln in version.lines] == [300] and version.ends_on is None
    signing.share(w.holder, version, TODAY)
    assert refused(service.update_draft, w.holder, version, **args) == ["wrong_status"]
    assert refused(service.update_draft, w.provider_user, version, **args) == [
        "not_your_step", "wrong_status"]


def test_employment_with_relative_refused_at_sharing(w, db):
    agreement = w.draft(model=ModelKind.ARBEID, relation=Relation.OUDER)
    assert "employment_with_relative" in refused(signing.share, w.holder, agreement.versions[0], TODAY)


def test_zorginstelling_needs_organisation_provider(w, db):
    org = f.make_provider(ProviderKind.ORGANISATIE)
    agreement = w.draft(model=ModelKind.ZORGINSTELLING)
    assert refused(signing.share, w.holder, agreement.versions[0], TODAY) == [
        "provider_not_organisation"]
    ok = w.draft(model=ModelKind.ZORGINSTELLING, provider_id=org.id)
    signing.share(w.holder, ok.versions[0], TODAY)


# --- maximum tariffs from the database --------------------------------------------------------

def test_gemeente_maximum_refuses_unless_topped_up(w, db):
    f.add(MaxTariff(funder_id=w.funder.id, law=Law.WMO, year=2025, informal=False, unit=Unit.UUR,
                    max_cents=6500))  # 2025's maximum still holds in 2026
    over = w.draft(lines=[w.line(tariff_cents=6501)])
    assert refused(signing.share, w.holder, over.versions[0], TODAY) == ["tariff_above_maximum"]
    assert over.versions[0].lines[0].budget_tariff_cents is None

    other_provider = f.make_provider()
    topped = w.draft(provider_id=other_provider.id, lines=[w.line(tariff_cents=7000)], top_up=True)
    version = topped.versions[0]
    assert version.top_up and version.lines[0].budget_tariff_cents == 6500
    assert version.lines[0].tariff_for_budget_cents == 6500
    signing.share(w.holder, version, TODAY)

    third = f.make_provider()
    at_max = w.draft(provider_id=third.id, lines=[w.line(tariff_cents=6500)])
    signing.share(w.holder, at_max.versions[0], TODAY)


# --- signing order and parties ----------------------------------------------------------------

def test_holder_cannot_sign_before_the_provider(w, db):
    version = w.draft().versions[0]
    signing.share(w.holder, version, TODAY)
    assert refused(signing.holder_sign, w.holder, version, TODAY) == ["provider_not_signed"]
    assert refused(signing.provider_sign, w.other_provider_user, version, TODAY) == ["not_your_step"]
    assert refused(signing.provider_sign, w.holder, version, TODAY) == ["not_your_step"]


def test_provider_cannot_share_or_sign_a_concept(w, db):
    version = w.draft().versions[0]
    assert refused(signing.share, w.provider_user, version, TODAY) == ["not_your_step"]
    assert refused(signing.provider_sign, w.provider_user, version, TODAY) == ["wrong_status"]


def test_provider_changes_checked_and_nothing_written_on_refusal(w, db):
    version = w.draft().versions[0]
    signing.share(w.holder, version, TODAY)
    before = counts(db)
    codes = refused(signing.provider_sign, w.provider_user, version, TODAY,
                    changes={"iban": "NL00 FOUT", "password": "x"})
    assert set(codes) == {"iban_invalid", "change_not_allowed"}
    db.session.refresh(w.provider)
    assert w.provider.iban == "NL91ABNA0417164300" and version.signed_by_provider_at is None
    assert counts(db) == before


# --- review -----------------------------------------------------------------------------------

def _submitted(w):
    version = w.draft().versions[0]
    signing.share(w.holder, version, TODAY)
    signing.provider_sign(w.provider_user, version, TODAY)
    signing.holder_sign(w.holder, version, TODAY)
    return version


def test_consulent_of_another_funder_refused(w, db):
    version = _submitted(w)
    assert can_review(w.consulent, version) and not can_review(w.other_consulent, version)
    before = counts(db)
    assert refused(funder_review.review, w.other_consulent, version, approve=True, reason=None,
                   today=TODAY) == ["not_your_step"]
    assert refused(funder_review.review, w.holder, version, approve=True, reason=None,
                   today=TODAY) == ["not_your_step"]
    assert version.status == S.TER_BEOORDELING and counts(db) == before


def test_rejection_needs_a_reason_then_the_holder_reworks_the_same_version(w, db):
    version = _submitted(w)
    assert refused(funder_review.review, w.consulent, version, approve=False, reason="nee",
                   today=TODAY) == ["rejection_reason_too_short"]
    funder_review.review(w.consulent, version, approve=False, today=TODAY,
                   reason="Het aantal uren past niet bij de indicatie")
    assert version.status == S.AFGEKEURD
    assert version.rejection_reason == "Het aantal uren past niet bij de indicatie"
    message = db.session.scalar(select(Message).where(Message.user_id == w.holder.id,
                                                      Message.kind == "agreement_rejected"))
    assert "indicatie" in message.body

    service.update_draft(w.holder, version, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31),
                         end_kind=EndKind.EINDDATUM, days_per_week=2,
                         lines=[w.line(weekly_quantity=180)], today=TODAY)
    assert version.status == S.CONCEPT and version.number == 1
    assert version.signed_by_provider_at is None and version.signed_by_holder_at is None
    assert len(version.agreement.versions) == 1


# --- paper ------------------------------------------------------------------------------------

def test_paper_upload_counts_as_both_signatures(w, db, uploads):
    agreement = w.draft()
    data = make_pdf(pages=2)
    doc = signing.attach_signed_paper(w.holder, agreement, data, "C:\\scans\\overeenkomst.pdf", TODAY)
    version = agreement.versions[0]
    assert version.status == S.TER_BEOORDELING and version.signed_on_paper
    assert version.document_id == doc.id and doc.page_count == 2
    # Stored: the PDF as qpdf wrote it again after the checks (tests/security/test_v12_files).
    stored = storage.open_document(doc)
    assert doc.original_name == "overeenkomst.pdf" and doc.size_bytes == len(stored)
    assert doc.sha256 == hashlib.sha256(stored).hexdigest()
    assert os.listdir(uploads) == [doc.stored_name] and doc.stored_name != "overeenkomst.pdf"
    assert len(PdfReader(io.BytesIO(stored)).pages) == 2
    funder_review.review(w.consulent, version, approve=True, reason=None, today=TODAY)
    assert version.status == S.GOEDGEKEURD


def test_paper_upload_after_sharing_is_allowed(w, db, uploads):
    agreement = w.draft()
    signing.share(w.holder, agreement.versions[0], TODAY)
    signing.attach_signed_paper(w.holder, agreement, make_pdf(), "scan.pdf", TODAY)
    assert agreement.versions[0].status == S.TER_BEOORDELING


@pytest.mark.parametrize(("data", "code"), [
    (b"MZ\x90\x00\x03" + b"\x00" * 2000, "file_not_pdf"),  # a renamed .exe
    (b"%PDF-1.7\n this is not really a pdf", "file_broken"),
    (b"", "file_empty"),
    (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "file_too_large"),
])
def test_bad_uploads_refused_and_nothing_written(w, db, uploads, data, code):
    agreement = w.draft()
    before = counts(db)
    assert refused(signing.attach_signed_paper, w.holder, agreement, data, "overeenkomst.pdf",
                   TODAY) == [code]
    assert counts(db) == before
    assert agreement.versions[0].status == S.CONCEPT and not agreement.versions[0].signed_on_paper
    assert not uploads.exists() or os.listdir(uploads) == []


def test_size_limit_boundary_exactly_10_mb_accepted():
    exact = pdf_of_exact_size(storage.MAX_UPLOAD_BYTES)
    assert storage.check_pdf(exact).refusals == []
    assert [r.code for r in storage.check_pdf(exact + b"\n").refusals] == ["file_too_large"]


def test_paper_upload_refused_for_provider_and_for_approved_agreement(w, db, uploads):
    approved = w.approved()
    agreement = w.draft(provider_id=f.make_provider().id)
    assert refused(signing.attach_signed_paper, w.provider_user, agreement, make_pdf(), "a.pdf",
                   TODAY) == ["not_your_step"]
    assert refused(signing.attach_signed_paper, w.holder, approved, make_pdf(), "a.pdf",
                   TODAY) == ["wrong_status"]


def test_open_document_detects_tampering(w, db, uploads):
    doc = signing.attach_signed_paper(w.holder, w.draft(), make_pdf(), "a.pdf", TODAY)
    (uploads / doc.stored_name).write_bytes(b"%PDF-changed")
    with pytest.raises(storage.DocumentDamaged):
        storage.open_document(doc)


# --- changes ----------------------------------------------------------------------------------

def change_args(w, **kw):
    values = dict(starts_on=D(2026, 5, 1), ends_on=D(2026, 12, 31), end_kind=EndKind.EINDDATUM,
                  days_per_week=2, lines=[w.line()], today=D(2026, 4, 10))
    values.update(kw)
    return values


def test_extension_is_approved_at_once(w, db):
    agreement = w.approved()
    first = agreement.versions[0]
    w.grant.period_end = D(2027, 12, 31)
    second = changing.propose_change(w.holder, agreement, **change_args(w, ends_on=D(2027, 6, 30)))
    assert second.number == 2 and second.status == S.GOEDGEKEURD
    assert first.status == S.VERVANGEN
    assert version_in_force(agreement, D(2026, 4, 30)) is first
    assert version_in_force(agreement, D(2026, 5, 1)) is second
    assert version_in_force(agreement, D(2027, 6, 30)) is second
    assert version_in_force(agreement, D(2027, 7, 1)) is None


def test_change_in_the_work_needs_approval_and_old_version_governs_meanwhile(w, db):
    agreement = w.approved()
    first = agreement.versions[0]
    second = changing.propose_change(w.holder, agreement,
                                    **change_args(w, lines=[w.line(weekly_quantity=300)]))
    assert second.status == S.CONCEPT and first.status == S.GOEDGEKEURD
    assert version_in_force(agreement, D(2026, 6, 1)) is first
    assert refused(changing.propose_change, w.holder, agreement, **change_args(w)) == [
        "change_in_progress"]

    signing.share(w.holder, second, TODAY)
    signing.provider_sign(w.provider_user, second, TODAY)
    signing.holder_sign(w.holder, second, TODAY)
    funder_review.review(w.consulent, second, approve=True, reason=None, today=TODAY)
    assert second.status == S.GOEDGEKEURD and first.status == S.VERVANGEN
    assert version_in_force(agreement, D(2026, 4, 30)) is first
    assert version_in_force(agreement, D(2026, 5, 1)) is second
    assert [v.number for v in agreement.versions] == [1, 2]  # earlier versions kept


def test_change_must_start_on_first_of_month_and_nothing_written(w, db):
    agreement = w.approved()
    before = counts(db)
    assert refused(changing.propose_change, w.holder, agreement,
                   **change_args(w, starts_on=D(2026, 5, 2), days_per_week=3)) == [
        "change_not_first_of_month"]
    assert refused(changing.propose_change, w.provider_user, agreement,
                   **change_args(w, days_per_week=3)) == ["not_allowed"]
    assert "change_nothing" in refused(changing.propose_change, w.holder, agreement,
                                       **change_args(w))
    assert counts(db) == before


def test_change_needs_an_approved_version(w, db):
    agreement = w.draft()
    assert refused(changing.propose_change, w.holder, agreement, **change_args(w)) == [
        "no_approved_version", "change_in_progress"]


# --- ending -----------------------------------------------------------------------------------

def test_only_the_budget_holder_ends_an_agreement(w, db):
    agreement = w.approved()
    today = D(2026, 3, 10)
    assert refused(changing.end_agreement, w.provider_user, agreement, D(2026, 3, 31), today) == [
        "not_your_step"]
    assert refused(changing.end_agreement, w.holder, agreement, D(2026, 3, 9), today) == [
        "end_in_past"]
    version = changing.end_agreement(w.holder, agreement, D(2026, 3, 31), today)
    assert version.status == S.BEEINDIGD and version.ended_on == D(2026, 3, 31)
    assert effective_status(version, today).value == "opgezegd"
    assert version_in_force(agreement, D(2026, 3, 31)) is version
    assert version_in_force(agreement, D(2026, 4, 1)) is None
    # Ending it again is a repeat: 'Dit is al gedaan', nothing written.
    assert refused(changing.end_agreement, w.holder, agreement, D(2026, 3, 31), today) == [
        "already_done"]
    assert "agreement_ended" in refused(changing.propose_change, w.holder, agreement,
                                        **change_args(w, days_per_week=3))
    kinds = db.session.scalars(select(Message.kind).where(Message.user_id == w.provider_user.id)).all()
    assert "agreement_ended" in kinds


def test_ending_before_an_approved_change_starts_cuts_the_older_version_too(w, db):
    agreement = w.approved()
    second = changing.propose_change(w.holder, agreement,
                                    **change_args(w, lines=[w.line(weekly_quantity=300)]))
    signing.share(w.holder, second, TODAY)
    signing.provider_sign(w.provider_user, second, TODAY)
    signing.holder_sign(w.holder, second, TODAY)
    funder_review.review(w.consulent, second, approve=True, reason=None, today=TODAY)
    changing.end_agreement(w.holder, agreement, D(2026, 4, 20), D(2026, 4, 10))
    assert version_in_force(agreement, D(2026, 4, 20)) is agreement.versions[0]
    assert version_in_force(agreement, D(2026, 4, 21)) is None


# --- providers --------------------------------------------------------------------------------

def test_create_provider_checks_identifiers(w, db):
    before = counts(db)
    assert set(refused(create_provider, w.holder, kind=ProviderKind.ORGANISATIE,
                       name="Thuiszorg", iban="NL91ABNA0417164301")) == {
        "iban_invalid", "kvk_missing", "agb_missing"}
    assert refused(create_provider, w.holder, kind="persoon", name="Jan",
                   iban="NL91ABNA0417164300", kvk="123") == ["kvk_invalid"]
    assert refused(create_provider, w.provider_user, kind="persoon", name="Jan",
                   iban="NL91ABNA0417164300") == ["not_allowed"]
    assert counts(db) == before
    org = create_provider(w.holder, kind=ProviderKind.ORGANISATIE, name=" Thuiszorg ",
                                  iban="nl91 abna 0417 1643 00", kvk="1234 5678", agb="87654321",
                                  email="Info@Thuiszorg.nl")
    assert (org.name, org.iban, org.kvk, org.email) == (
        "Thuiszorg", "NL91ABNA0417164300", "12345678", "info@thuiszorg.nl")


# --- who may see ------------------------------------------------------------------------------

def test_view_permissions(w, db):
    agreement = w.draft()
    advisor = f.make_user(Role.ADVISEUR)
    lapsed = f.make_user(Role.ADVISEUR)
    f.make_authorization(w.household, advisor, w.holder)
    f.make_authorization(w.household, lapsed, w.holder, starts_on=D(2025, 1, 1),
                         ends_on=D(2025, 12, 31))
    allowed = {w.holder, w.provider_user, w.consulent, advisor, f.make_user(Role.BEHEERDER)}
    denied = {w.other_provider_user, w.other_consulent, lapsed, f.make_user(Role.BUDGETHOUDER)}
    for user in allowed:
        assert can_view_agreement(user, agreement, TODAY), user.role
    for user in denied:
        assert not can_view_agreement(user, agreement, TODAY), user.role
    assert not can_view_agreement(None, agreement, TODAY)


def test_pdf_without_pages_or_with_a_password_refused():
    empty = io.BytesIO()
    PdfWriter().write(empty)
    assert [r.code for r in storage.check_pdf(empty.getvalue()).refusals] == ["file_no_pages"]
    locked = PdfWriter()
    locked.add_blank_page(width=595, height=842)
    locked.encrypt("geheim")
    out = io.BytesIO()
    locked.write(out)
    assert [r.code for r in storage.check_pdf(out.getvalue()).refusals] == ["file_encrypted"]
    check = storage.check_pdf(make_pdf(pages=1))
    assert check.refusals == [] and check.page_count == 1


def test_chosen_budgets_are_kept_and_must_be_the_households(w, db):
    agreement = w.draft(lines=[])
    version = agreement.versions[0]
    assert version.chosen_grant_ids == []
    values = dict(starts_on=D(2026, 2, 1), ends_on=None, end_kind=EndKind.GEEN, days_per_week=0,
                  lines=[], today=TODAY)
    service.update_draft(w.holder, version, grant_ids=[w.grant.id], **values)
    assert version.chosen_grant_ids == [w.grant.id]
    service.update_draft(w.holder, version, **values)  # None: as before
    assert version.chosen_grant_ids == [w.grant.id]
    other = f.make_grant()
    assert refused(service.update_draft, w.holder, version, grant_ids=[w.grant.id, other.id],
                   **values) == ["grant_other_household"]
    assert version.chosen_grant_ids == [w.grant.id]


def test_a_change_draws_on_the_budgets_of_its_lines(w, db):
    agreement = w.approved()
    version = changing.propose_change(
        w.holder, agreement, starts_on=D(2026, 3, 1), ends_on=D(2026, 12, 31),
        end_kind=EndKind.EINDDATUM, days_per_week=2, lines=[w.line(tariff_cents=6500)],
        today=TODAY)
    assert version.chosen_grant_ids == [w.grant.id]


# ------------------------------------------------------------------ never one's own provider


def test_the_holder_is_never_their_own_provider_by_name(w, db):
    """Issue 16, finding 7: a family agreement with a provider carrying the holder's own name
    is refused before it is shared."""
    me = f.make_provider(ProviderKind.PERSOON, name=w.holder.name)
    agreement = w.draft(provider_id=me.id)
    with pytest.raises(Refused) as err:
        signing.share(w.holder, agreement.versions[0], TODAY)
    assert "provider_is_holder" in err.value.codes


def test_a_provider_iban_equal_to_the_holders_own_is_refused(w, db):
    from portal.budgets import service as budgets_service

    budgets_service.set_holder_iban(w.holder, w.household.id, "NL20 INGB 0001 2345 67")
    assert w.household.holder_iban == "NL20INGB0001234567"
    agreement = w.draft()
    version = agreement.versions[0]
    signing.share(w.holder, version, TODAY)
    with pytest.raises(Refused) as err:
        signing.provider_sign(w.provider_user, version, TODAY, {"iban": "NL20INGB0001234567"})
    assert err.value.codes == ["provider_iban_is_holders"]
    signing.provider_sign(w.provider_user, version, TODAY)  # its own account: fine


def test_the_holders_iban_is_checked_and_only_the_holder_sets_it(w, db):
    from portal.budgets import service as budgets_service

    with pytest.raises(Refused) as err:
        budgets_service.set_holder_iban(w.holder, w.household.id, "NL00 FOUT")
    assert err.value.codes == ["iban_invalid"]
    with pytest.raises(Refused):
        budgets_service.set_holder_iban(w.provider_user, w.household.id, "NL91ABNA0417164300")
    assert w.household.holder_iban is None
