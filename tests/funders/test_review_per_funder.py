"""Each funder decides only on its own budgets: a version that draws on budgets of two funders
is approved only when both approved, and refused as soon as one refuses.

Rules (pure), the service (through the real signing flow) and the pages (queue, review page,
agreement page)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.agreements import funder_review, service, signing
from portal.agreements.constants import (
    EndKind,
    ModelKind,
    ProviderKind,
    Relation,
    ReviewDecision,
    VersionStatus,
)
from portal.agreements.models import AgreementEvent, FunderReview
from portal.agreements.review import check_funder_decision, review_outcome
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.extensions import db as _db
from portal.funders.service import review_queue
from portal.messages.models import Message
from portal.providers.service import create_provider
from portal.refusals import Refused
from tests import factories as f
from tests.check_pages import checked_token, decide

D = dt.date
TODAY = D(2026, 1, 15)
A, B, C = 1, 2, 3
OK, NO = ReviewDecision.GOEDGEKEURD, ReviewDecision.AFGEKEURD
REASON = "Het aantal uren past niet bij de indicatie. Verlaag naar 3 uur per week."


# --------------------------------------------------------------------------- rules (pure)


def test_one_funder_approving_of_two_leaves_the_version_under_review():
    assert review_outcome({A, B}, {A: OK}) == VersionStatus.TER_BEOORDELING


def test_every_funder_approving_approves_the_version():
    assert review_outcome({A, B}, {A: OK, B: OK}) == VersionStatus.GOEDGEKEURD
    assert review_outcome({A}, {A: "goedgekeurd"}) == VersionStatus.GOEDGEKEURD


def test_one_refusal_refuses_the_version_whatever_the_others_did():
    assert review_outcome({A, B}, {B: NO}) == VersionStatus.AFGEKEURD
    assert review_outcome({A, B}, {A: OK, B: NO}) == VersionStatus.AFGEKEURD


def test_a_decision_of_a_funder_without_lines_does_not_count():
    assert review_outcome({A, B}, {A: OK, C: OK}) == VersionStatus.TER_BEOORDELING
    assert review_outcome({A}, {A: OK, C: NO}) == VersionStatus.GOEDGEKEURD
    assert review_outcome(set(), {C: OK}) == VersionStatus.TER_BEOORDELING


def test_a_funder_decides_once_and_only_on_what_it_pays():
    assert check_funder_decision(A, {A, B}, set()) == []
    assert check_funder_decision(A, {A, B}, {B}) == []
    assert [r.code for r in check_funder_decision(A, {A, B}, {A})] == [
        "funder_already_decided"]
    assert [r.code for r in check_funder_decision(C, {A, B}, set())] == [
        "funder_not_concerned"]
    assert [r.code for r in check_funder_decision(None, {A, B}, set())] == [
        "funder_not_concerned"]


# --------------------------------------------------------------------------- service


class World:
    """Sara has a Wmo budget (gemeente) and a Zvw budget (zorgverzekeraar); one agreement draws
    on both. A third funder pays nothing of it."""

    def __init__(self):
        self.household = f.make_household("Proef")
        self.member = f.make_member(self.household, name="Sara Proef")
        self.gemeente = f.make_funder(FunderKind.GEMEENTE, "Gemeente Proefstad")
        self.verzekeraar = f.make_funder(FunderKind.ZORGVERZEKERAAR, "Verzekeraar Proef")
        self.elders = f.make_funder(FunderKind.ZORGKANTOOR, "Zorgkantoor Elders")
        self.wmo = f.make_grant(self.member, self.gemeente, Law.WMO)
        self.zvw = f.make_grant(self.member, self.verzekeraar, Law.ZVW)
        self.holder = f.make_user(Role.BUDGETHOUDER, household_id=self.household.id,
                                  name="Anna Proef")
        self.provider = create_provider(self.holder, kind=ProviderKind.ORGANISATIE,
                                                name="Thuiszorg Proef", iban="NL91ABNA0417164300",
                                                kvk="12345678", agb="87654321")
        self.provider_user = f.make_user(Role.ZORGVERLENER, provider_id=self.provider.id)
        self.c_gemeente = f.make_user(Role.CONSULENT, funder_id=self.gemeente.id,
                                      name="Gea Gemeente")
        self.c_gemeente_2 = f.make_user(Role.CONSULENT, funder_id=self.gemeente.id)
        self.c_verzekeraar = f.make_user(Role.CONSULENT, funder_id=self.verzekeraar.id,
                                         name="Vera Verzekeraar")
        self.c_elders = f.make_user(Role.CONSULENT, funder_id=self.elders.id)
        agreement = service.create_draft(
            self.holder, household_id=self.household.id, provider_id=self.provider.id,
            model=ModelKind.ZORGINSTELLING, relation=Relation.GEEN, starts_on=D(2026, 2, 1),
            ends_on=D(2026, 12, 31), end_kind=EndKind.EINDDATUM, days_per_week=2, today=TODAY,
            lines=[LineInput(self.wmo.id, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 120),
                   LineInput(self.zvw.id, CareKind.VERPLEGING, Unit.UUR, 6800, 120)])
        self.agreement = agreement
        self.version = agreement.versions[0]
        self.submit()
        _db.session.commit()

    def submit(self):
        signing.share(self.holder, self.version, TODAY)
        signing.provider_sign(self.provider_user, self.version, TODAY)
        signing.holder_sign(self.holder, self.version, TODAY)

    def queue_ids(self, funder) -> list[int]:
        return [row.version_id for row in review_queue(funder.id)]


@pytest.fixture
def w(db):
    return World()


def _approve(user, version):
    return funder_review.review(user, version, approve=True, reason=None, today=TODAY)


def test_the_first_approval_of_two_funders_does_not_approve_the_version(w):
    _approve(w.c_gemeente, w.version)
    assert w.version.status == VersionStatus.TER_BEOORDELING
    assert w.queue_ids(w.gemeente) == []  # decided: no longer in the gemeente's queue
    assert w.queue_ids(w.verzekeraar) == [w.version.id]  # still waits for the insurer
    assert _db.session.scalar(select(func.count()).select_from(Message).where(
        Message.kind == "agreement_approved")) == 0  # nobody is told "approved" yet

    _approve(w.c_verzekeraar, w.version)
    assert w.version.status == VersionStatus.GOEDGEKEURD
    assert w.queue_ids(w.verzekeraar) == []
    assert w.version.reviewed_by_id == w.c_verzekeraar.id
    message = _db.session.scalar(select(Message).where(Message.user_id == w.holder.id,
                                                       Message.kind == "agreement_approved"))
    assert message is not None


def test_a_funder_that_decided_cannot_decide_again_not_even_another_consulent(w):
    _approve(w.c_gemeente, w.version)
    # The same decision again is a repeat ('Dit is al gedaan'); the other one is refused.
    for consulent, approve, code in ((w.c_gemeente, True, "already_done"),
                                     (w.c_gemeente_2, True, "already_done"),
                                     (w.c_gemeente_2, False, "funder_already_decided")):
        with pytest.raises(Refused) as info:
            funder_review.review(consulent, w.version, approve=approve, reason=REASON, today=TODAY)
        assert info.value.codes == [code]
    assert w.version.status == VersionStatus.TER_BEOORDELING
    assert _db.session.scalar(select(func.count()).select_from(FunderReview)) == 1


def test_a_consulent_of_a_funder_that_pays_nothing_cannot_decide(w):
    with pytest.raises(Refused) as info:
        _approve(w.c_elders, w.version)
    assert "not_your_step" in info.value.codes
    assert _db.session.scalar(select(func.count()).select_from(FunderReview)) == 0


def test_a_refusal_by_either_funder_refuses_and_the_reason_reaches_the_budget_holder(w):
    _approve(w.c_gemeente, w.version)
    funder_review.review(w.c_verzekeraar, w.version, approve=False, reason=REASON, today=TODAY)
    assert w.version.status == VersionStatus.AFGEKEURD
    assert w.version.rejection_reason == REASON
    message = _db.session.scalar(select(Message).where(Message.user_id == w.holder.id,
                                                       Message.kind == "agreement_rejected"))
    assert REASON in message.body and "Verzekeraar Proef" in message.subject
    assert w.queue_ids(w.gemeente) == w.queue_ids(w.verzekeraar) == []


def test_a_reworked_version_is_decided_again_by_every_funder(w):
    _approve(w.c_gemeente, w.version)
    funder_review.review(w.c_verzekeraar, w.version, approve=False, reason=REASON, today=TODAY)
    lines = [LineInput(w.wmo.id, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 90),
             LineInput(w.zvw.id, CareKind.VERPLEGING, Unit.UUR, 6800, 90)]
    service.update_draft(w.holder, w.version, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31),
                         end_kind=EndKind.EINDDATUM, days_per_week=2, lines=lines, today=TODAY)
    w.submit()
    assert w.version.status == VersionStatus.TER_BEOORDELING and w.version.review_round == 2
    # The gemeente's approval of round 1 no longer counts: it decides again.
    assert w.queue_ids(w.gemeente) == [w.version.id]
    assert w.queue_ids(w.verzekeraar) == [w.version.id]
    _approve(w.c_verzekeraar, w.version)
    assert w.version.status == VersionStatus.TER_BEOORDELING
    _approve(w.c_gemeente, w.version)
    assert w.version.status == VersionStatus.GOEDGEKEURD


def test_history_and_audit_log_say_who_decided_what_for_which_funder(w):
    _approve(w.c_gemeente, w.version)
    _approve(w.c_verzekeraar, w.version)
    events = _db.session.scalars(select(AgreementEvent).where(
        AgreementEvent.version_id == w.version.id).order_by(AgreementEvent.id)).all()
    decided = [(e.actor_id, e.to_status, e.reason) for e in events[-2:]]
    assert decided[0][0] == w.c_gemeente.id and decided[0][1] == VersionStatus.TER_BEOORDELING
    assert "Goedgekeurd door Gemeente Proefstad" in decided[0][2]
    assert "wacht nog op Verzekeraar Proef" in decided[0][2]
    assert decided[1][0] == w.c_verzekeraar.id and decided[1][1] == VersionStatus.GOEDGEKEURD
    assert "Goedgekeurd door Verzekeraar Proef" in decided[1][2]
    audit = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "agreement.approve").order_by(AuditEvent.id)).all()
    assert [(a.actor_id, a.detail["funder_id"], a.detail["outcome"]) for a in audit] == [
        (w.c_gemeente.id, w.gemeente.id, "ter_beoordeling"),
        (w.c_verzekeraar.id, w.verzekeraar.id, "goedgekeurd")]


def test_review_states_name_every_funder_and_its_decision(w):
    assert funder_review.review_states([w.version])[w.version.id] == [
        funder_review.FunderDecisionState(w.gemeente.id, "Gemeente Proefstad", None, None, None, None),
        funder_review.FunderDecisionState(w.verzekeraar.id, "Verzekeraar Proef", None, None, None,
                                    None)]
    _approve(w.c_gemeente, w.version)
    states = {s.funder_name: s for s in funder_review.review_states([w.version])[w.version.id]}
    assert states["Gemeente Proefstad"].decision == ReviewDecision.GOEDGEKEURD
    assert states["Gemeente Proefstad"].decided_by_name == "Gea Gemeente"
    assert states["Verzekeraar Proef"].decision is None
    assert states["Verzekeraar Proef"].label == "Nog niet beoordeeld"


# --------------------------------------------------------------------------- pages


def test_queue_shows_the_version_only_while_the_own_decision_is_missing(client, login, w):
    login(w.c_gemeente)
    assert w.agreement.reference in client.get("/verstrekker").get_data(as_text=True)
    response = decide(client, w.version.id, "goedkeuren")
    assert response.status_code == 302
    client.get(response.headers["Location"])  # the flash message is shown there
    assert w.agreement.reference not in client.get("/verstrekker").get_data(as_text=True)
    client.post("/uitloggen")
    login(w.c_verzekeraar)
    assert w.agreement.reference in client.get("/verstrekker").get_data(as_text=True)


def test_review_page_after_the_own_decision_shows_decisions_not_buttons(client, login, w):
    _approve(w.c_gemeente, w.version)
    _db.session.commit()
    login(w.c_gemeente_2)
    html = client.get(f"/verstrekker/beoordelen/{w.version.id}").get_data(as_text=True)
    assert "Besluiten van de verstrekkers" in html
    assert "<strong>Gemeente Proefstad</strong>: goedgekeurd" in html
    assert "<strong>Verzekeraar Proef</strong>: nog niet beoordeeld" in html
    assert "Uw organisatie heeft deze versie op" in html
    assert "Nu beslist nog Verzekeraar Proef" in html
    assert 'value="goedkeuren"' not in html


def test_deciding_again_through_the_page_is_refused_and_writes_nothing(client, login, w):
    login(w.c_gemeente_2)  # a colleague reads the check page; then the first one decides
    check = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                        data={"decision": "afkeuren", "reason": REASON})
    _approve(w.c_gemeente, w.version)
    _db.session.commit()
    before = _db.session.scalar(select(func.count()).select_from(FunderReview))
    response = client.post(f"/verstrekker/beoordelen/{w.version.id}/besluit",
                           data={"decision": "afkeuren", "reason": REASON,
                                 "gecontroleerd": checked_token(check)})
    assert response.status_code == 422
    assert "Uw organisatie heeft al over deze versie besloten" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(FunderReview)) == before
    _db.session.refresh(w.version)
    assert w.version.status == VersionStatus.TER_BEOORDELING


def test_a_consulent_of_an_unrelated_funder_gets_404(client, login, w):
    login(w.c_elders)
    assert client.get(f"/verstrekker/beoordelen/{w.version.id}").status_code == 404
    response = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                           data={"decision": "goedkeuren"})
    assert response.status_code == 404
    assert client.get(f"/overeenkomsten/{w.agreement.id}").status_code == 404
    assert _db.session.scalar(select(func.count()).select_from(FunderReview)) == 0


def test_agreement_page_shows_which_funders_decided(client, login, w):
    _approve(w.c_verzekeraar, w.version)
    _db.session.commit()
    login(w.holder)
    html = client.get(f"/overeenkomsten/{w.agreement.id}").get_data(as_text=True)
    assert "Besluit van de verstrekkers die meebetalen" in html
    assert "<strong>Verzekeraar Proef</strong>: goedgekeurd op" in html
    assert "<strong>Gemeente Proefstad</strong>: nog niet beoordeeld" in html


def test_a_consulent_sees_that_another_funder_refused_but_not_who_or_why(client, login, w):
    _approve(w.c_gemeente, w.version)
    funder_review.review(w.c_verzekeraar, w.version, approve=False, reason=REASON, today=TODAY)
    _db.session.commit()
    states = funder_review.review_states([w.version], seen_by_funder=w.gemeente.id)[w.version.id]
    assert [(s.funder_name, s.label, s.decided_by_name, s.reason) for s in states] == [
        ("Gemeente Proefstad", "Goedgekeurd", "Gea Gemeente", None),
        ("Verzekeraar Proef", "Afgekeurd", None, None)]
    login(w.c_gemeente_2)
    for page in (f"/verstrekker/beoordelen/{w.version.id}", f"/overeenkomsten/{w.agreement.id}"):
        html = client.get(page).get_data(as_text=True)
        assert "<strong>Verzekeraar Proef</strong>: afgekeurd" in html, page
        assert REASON not in html and "Vera Verzekeraar" not in html, page
    assert "door een medewerker van een andere verstrekker" in html  # the agreement's history
    client.post("/uitloggen")
    # The budget holder, who has to act on it, reads who refused and why.
    login(w.holder)
    html = client.get(f"/overeenkomsten/{w.agreement.id}").get_data(as_text=True)
    assert "<strong>Verzekeraar Proef</strong>: afgekeurd" in html and REASON in html
    assert "Vera Verzekeraar" in html
