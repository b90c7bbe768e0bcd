"""The claim lifecycle through the services, on the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent, User
from portal.agreements.constants import ProviderKind, VersionStatus
from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant, Household
from portal.claims import approval, service
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimEvent, ClaimLine
from portal.claims.permissions import can_approve_claim, can_prepare_claim, can_view_claim
from portal.claims.rules import LineInput
from portal.extensions import db as database
from portal.messages.models import Message
from portal.refusals import AlreadyDone, Refused
from tests.factories import (
    add,
    make_agreement,
    make_authorization,
    make_grant,
    make_member,
    make_provider,
    make_user,
)

D = dt.date
MARCH = D(2026, 3, 1)
TODAY = D(2026, 4, 10)
IB = CareKind.INDIVIDUELE_BEGELEIDING.value
PV = CareKind.PERSOONLIJKE_VERZORGING.value


@dataclass
class World:
    grant: Grant
    agreement: Agreement
    holder: User
    provider_user: User
    office: User


def make_world(amount_cents=100_000, provider_kind=ProviderKind.PERSOON) -> World:
    grant = make_grant(amount_cents=amount_cents)
    provider = make_provider(provider_kind)
    agreement = make_agreement(grant, provider)  # individuele begeleiding, EUR 60 an hour
    return World(grant=grant, agreement=agreement,
                 holder=make_user(Role.BUDGETHOUDER, household_id=agreement.household_id),
                 provider_user=make_user(Role.ZORGVERLENER, provider_id=provider.id),
                 office=make_user(Role.BEHEERDER))


@pytest.fixture
def w(db) -> World:
    return make_world()


def hours(day: int, minutes: int, care: str = IB, **kw) -> LineInput:
    return LineInput(D(2026, 3, day), care, minutes, **kw)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def messages_for(db, user: User) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.user_id == user.id)))


def refused_codes(excinfo) -> list[str]:
    return excinfo.value.codes


# ------------------------------------------------------------------ the happy path


def test_full_lifecycle_provider_prepares_holder_approves_office_approves_paid(db, w):
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH,
                                  [hours(2, 120), hours(3, 90)], TODAY, note="maart")
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    assert claim.handed_over_on == TODAY
    assert claim.reference == f"UB-202603-{w.agreement.id:06d}"
    assert claim.total_cents == 12_000 + 9_000
    assert [(line.day.day, line.quantity, line.amount_cents) for line in claim.lines] == \
        [(2, 120, 12_000), (3, 90, 9_000)]
    assert [m.kind for m in messages_for(db, w.holder)] == ["claim_waiting"]

    service.approve_claim(w.holder, claim, TODAY)
    assert claim.status == ClaimStatus.INGEDIEND
    assert claim.submitted_by_id == w.holder.id and claim.submitted_at is not None
    assert db.session.get(Grant, w.grant.id).reserved_cents == 21_000
    assert "claim_submitted" in [m.kind for m in messages_for(db, w.provider_user)]

    service.office_approve(w.office, claim, TODAY)
    assert claim.status == ClaimStatus.GOEDGEKEURD

    service.mark_paid([claim], D(2026, 4, 12))
    assert claim.status == ClaimStatus.UITBETAALD and claim.paid_on == D(2026, 4, 12)

    events = db.session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                                .order_by(ClaimEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "wacht_op_akkoord"), ("wacht_op_akkoord", "ingediend"),
        ("ingediend", "goedgekeurd"), ("goedgekeurd", "uitbetaald")]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "claim",
                                                                 AuditEvent.object_id == claim.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["claim.prepare", "claim.submit", "claim.office_approve", "claim.paid"]
    assert service.find_by_reference(claim.reference.lower()) is claim
    assert service.find_by_reference("UB-209901-000001") is None


def test_holder_prepares_concept_then_approves_it(db, w):
    claim = service.prepare_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    assert claim.status == ClaimStatus.CONCEPT and claim.handed_over_on is None
    service.update_claim(w.holder, claim, [hours(2, 60), hours(4, 45)], TODAY, note="aangevuld")
    assert claim.total_cents == 6000 + 4500 and claim.note == "aangevuld"
    assert claim.status == ClaimStatus.CONCEPT
    service.approve_claim(w.holder, claim, TODAY)
    assert claim.status == ClaimStatus.INGEDIEND
    assert db.session.get(Grant, w.grant.id).reserved_cents == 10_500


def test_submit_own_claim_reserves_and_notifies_provider(db, w):
    claim = service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    assert claim.status == ClaimStatus.INGEDIEND
    assert service.claim_shares(claim) == {w.grant.id: 6000}
    assert db.session.get(Grant, w.grant.id).reserved_cents == 6000
    assert [m.kind for m in messages_for(db, w.provider_user)] == ["claim_submitted"]


def test_submit_own_claim_exactly_remaining_budget_allowed(db):
    w = make_world(amount_cents=12_000)
    claim = service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 120)], TODAY)
    assert claim.status == ClaimStatus.INGEDIEND
    assert db.session.get(Grant, w.grant.id).available_cents == 0


def test_submit_own_claim_over_budget_refused_nothing_written(db):
    w = make_world(amount_cents=11_999)
    with pytest.raises(Refused) as excinfo:
        service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 120)], TODAY)
    assert refused_codes(excinfo) == ["budget_insufficient"]
    assert count(db, Claim) == 0 and count(db, ClaimEvent) == 0
    assert db.session.get(Grant, w.grant.id).reserved_cents == 0


def test_sheet_over_two_grants_each_must_cover_its_share(db):
    member = make_member()
    g1 = make_grant(member, amount_cents=100_000)
    g2 = make_grant(member, amount_cents=5_000)
    agreement = make_agreement(g1, lines=[(g1, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 240),
                                          (g2, CareKind.PERSOONLIJKE_VERZORGING, Unit.UUR, 5000, 60)])
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    with pytest.raises(Refused) as excinfo:
        service.submit_own_claim(holder, agreement, MARCH, [hours(2, 60), hours(3, 75, PV)], TODAY)
    assert refused_codes(excinfo) == ["budget_insufficient"]
    claim = service.submit_own_claim(holder, agreement, MARCH, [hours(2, 60), hours(3, 60, PV)],
                                     TODAY)
    assert service.claim_shares(claim) == {g1.id: 6000, g2.id: 5000}
    assert db.session.get(Grant, g2.id).available_cents == 0


# ------------------------------------------------------------------ who may act


def test_provider_can_never_submit(db, w):
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.approve_claim(w.provider_user, claim, TODAY)
    assert refused_codes(excinfo) == ["not_allowed"]
    with pytest.raises(Refused) as excinfo:
        service.submit_own_claim(w.provider_user, w.agreement, D(2026, 2, 1),
                                 [LineInput(D(2026, 2, 2), IB, 60)], TODAY)
    assert refused_codes(excinfo) == ["not_allowed"]
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    assert not can_approve_claim(w.provider_user, claim, TODAY)
    assert can_view_claim(w.provider_user, claim, TODAY)


def test_strangers_may_not_prepare_or_see(db, w):
    other_provider = make_user(Role.ZORGVERLENER)
    other_holder = make_user(Role.BUDGETHOUDER)
    for stranger in (other_provider, other_holder):
        assert not can_prepare_claim(stranger, w.agreement, TODAY)
        with pytest.raises(Refused) as excinfo:
            service.prepare_claim(stranger, w.agreement, MARCH, [hours(2, 60)], TODAY)
        assert refused_codes(excinfo) == ["not_allowed"]
    claim = service.prepare_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    assert not can_view_claim(other_holder, claim, TODAY)
    assert can_view_claim(w.holder, claim, TODAY)


def test_representative_with_handelen_approves_on_behalf(db, w):
    household = db.session.get(Household, w.agreement.household_id)
    rep = make_user(Role.VERTEGENWOORDIGER)
    make_authorization(household, rep, w.holder, scope=Scope.HANDELEN)
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    service.approve_claim(rep, claim, TODAY)
    assert claim.submitted_by_id == rep.id and claim.submitted_on_behalf_of_id == w.holder.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.submit"))
    assert event.actor_id == rep.id and event.on_behalf_of_id == w.holder.id


def test_representative_who_may_only_look_cannot_approve(db, w):
    household = db.session.get(Household, w.agreement.household_id)
    rep = make_user(Role.VERTEGENWOORDIGER)
    make_authorization(household, rep, w.holder, scope=Scope.BEKIJKEN)
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    assert can_view_claim(rep, claim, TODAY)
    with pytest.raises(Refused) as excinfo:
        service.approve_claim(rep, claim, TODAY)
    assert refused_codes(excinfo) == ["not_allowed"]


def test_only_office_checks_claims(db, w):
    claim = service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.office_approve(w.holder, claim, TODAY)
    assert refused_codes(excinfo) == ["not_allowed"]
    service.office_approve(None, claim, TODAY)  # the system (payment run) may
    assert claim.status == ClaimStatus.GOEDGEKEURD


# ------------------------------------------------------------------ refusals and corrections


def test_holder_refuses_provider_sheet_provider_corrects(db, w):
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.refuse_by_holder(w.holder, claim, " ", TODAY)
    assert refused_codes(excinfo) == ["reason_missing"]
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD

    service.refuse_by_holder(w.holder, claim, "Op 2 maart was je er niet.", TODAY)
    assert claim.status == ClaimStatus.CONCEPT
    assert claim.refusal_reason == "Op 2 maart was je er niet."
    assert "claim_refused" in [m.kind for m in messages_for(db, w.provider_user)]

    service.update_claim(w.provider_user, claim, [hours(3, 60)], D(2026, 4, 20))
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    assert claim.handed_over_on == D(2026, 4, 20)
    assert [line.day for line in claim.lines] == [D(2026, 3, 3)]
    assert count(db, ClaimLine) == 1


def test_office_refuse_releases_reservation_and_reopen(db, w):
    claim = service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    assert db.session.get(Grant, w.grant.id).reserved_cents == 6000
    service.office_refuse(w.office, claim, "Geen handtekening.", TODAY)
    assert claim.status == ClaimStatus.AFGEKEURD
    assert db.session.get(Grant, w.grant.id).reserved_cents == 0
    assert "claim_refused" in [m.kind for m in messages_for(db, w.holder)]
    assert "claim_refused" in [m.kind for m in messages_for(db, w.provider_user)]

    service.reopen(w.holder, claim, TODAY)
    assert claim.status == ClaimStatus.CONCEPT
    service.approve_claim(w.holder, claim, TODAY)
    assert db.session.get(Grant, w.grant.id).reserved_cents == 6000


def test_office_suspend_then_approve(db, w):
    claim = service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    service.office_suspend(w.office, claim, "We controleren de uren.", TODAY)
    assert claim.status == ClaimStatus.OPGESCHORT
    assert db.session.get(Grant, w.grant.id).reserved_cents == 6000  # still in behandeling
    service.office_approve(w.office, claim, TODAY)
    assert claim.status == ClaimStatus.GOEDGEKEURD


def test_wrong_status_refused(db, w):
    claim = service.submit_own_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.reopen(w.holder, claim, TODAY)
    assert refused_codes(excinfo) == ["status_not_allowed"]
    with pytest.raises(Refused) as excinfo:
        service.mark_paid([claim], TODAY)
    assert refused_codes(excinfo) == ["status_not_allowed"]
    assert claim.status == ClaimStatus.INGEDIEND


def test_a_second_akkoord_is_a_repeat_and_reserves_nothing_more(db, w):
    """The sheet is already where the akkoord takes it: 'Dit is al gedaan', nothing written."""
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    service.approve_claim(w.holder, claim, TODAY)
    reserved = db.session.get(Grant, w.grant.id).reserved_cents
    events = len(service.claim_history(claim))
    with pytest.raises(AlreadyDone) as excinfo:
        service.approve_claim(w.holder, claim, TODAY)
    assert refused_codes(excinfo) == ["already_done"]
    assert excinfo.value.message == ("Dit is al gedaan. Het urenbriefje heeft nu de status "
                                     "'Ingediend'.")
    assert db.session.get(Grant, w.grant.id).reserved_cents == reserved
    assert len(service.claim_history(claim)) == events


# ------------------------------------------------------------------ the claim checks in the service


def test_duplicate_sheet_refused(db, w):
    service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.prepare_claim(w.holder, w.agreement, MARCH, [hours(3, 60)], TODAY)
    assert refused_codes(excinfo) == ["duplicate_sheet"]
    # another month is another sheet
    other = service.prepare_claim(w.holder, w.agreement, D(2026, 2, 1),
                                  [LineInput(D(2026, 2, 3), IB, 60)], TODAY)
    assert other.reference.startswith("UB-202602-")


def test_refused_prepare_writes_nothing(db, w):
    with pytest.raises(Refused) as excinfo:
        service.prepare_claim(w.provider_user, w.agreement, MARCH,
                              [hours(2, 60), hours(3, 10), hours(4, 60, PV)], D(2026, 3, 31))
    assert set(refused_codes(excinfo)) == {"month_not_over", "quantity_invalid",
                                           "care_kind_not_agreed"}
    assert count(db, Claim) == 0 and count(db, ClaimLine) == 0 and count(db, ClaimEvent) == 0
    assert count(db, Message) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.object_type == "claim")) == 0


def test_refused_update_keeps_old_lines(db, w):
    claim = service.prepare_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused):
        service.update_claim(w.holder, claim, [hours(2, 61)], TODAY)
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert [(line.quantity, line.amount_cents) for line in claim.lines] == [(60, 6000)]
    assert claim.total_cents == 6000


def test_agreement_not_approved_in_service(db):
    grant = make_grant()
    agreement = make_agreement(grant, status=VersionStatus.TER_BEOORDELING)
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    with pytest.raises(Refused) as excinfo:
        service.prepare_claim(holder, agreement, MARCH, [hours(2, 60)], TODAY)
    assert refused_codes(excinfo) == ["agreement_not_approved"]


def test_provider_handover_deadline(db, w):
    # 6 weeks after 31 March is 12 May
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)],
                                  D(2026, 5, 12))
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    with pytest.raises(Refused) as excinfo:
        service.prepare_claim(w.provider_user, w.agreement, D(2026, 2, 1),
                              [LineInput(D(2026, 2, 2), IB, 60)], D(2026, 4, 12))
    assert refused_codes(excinfo) == ["too_late"]  # February: deadline 11 April


def test_holder_submit_deadline(db, w):
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.approve_claim(w.holder, claim, D(2026, 6, 10))
    assert refused_codes(excinfo) == ["too_late"]
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    service.approve_claim(w.holder, claim, D(2026, 6, 9))
    assert claim.status == ClaimStatus.INGEDIEND


def test_approve_over_budget_refused_nothing_written(db):
    w = make_world(amount_cents=5_000)
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(2, 60)], TODAY)
    events_before = count(db, ClaimEvent)
    with pytest.raises(Refused) as excinfo:
        service.approve_claim(w.holder, claim, TODAY)
    assert refused_codes(excinfo) == ["budget_insufficient"]
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    assert db.session.get(Grant, w.grant.id).reserved_cents == 0
    assert count(db, ClaimEvent) == events_before


def test_24_hours_across_sheets_of_a_person(db):
    """One person works for two households; their hours on one day add up."""
    provider = make_provider(ProviderKind.PERSOON)
    a1 = make_agreement(make_grant(), provider)
    a2 = make_agreement(make_grant(), provider)
    h1 = make_user(Role.BUDGETHOUDER, household_id=a1.household_id)
    h2 = make_user(Role.BUDGETHOUDER, household_id=a2.household_id)
    first = service.submit_own_claim(h1, a1, MARCH, [hours(2, 20 * 60)], TODAY)
    service.prepare_claim(h2, a2, MARCH, [hours(2, 4 * 60)], TODAY)  # exactly 24:00
    claim2 = service.find_by_reference(f"UB-202603-{a2.id:06d}")
    with pytest.raises(Refused) as excinfo:
        service.update_claim(h2, claim2, [hours(2, 4 * 60 + 15)], TODAY)
    assert refused_codes(excinfo) == ["day_over_24_hours"]
    # a refused sheet no longer counts
    service.office_refuse(None, first, "Dubbel gedeclareerd.", TODAY)
    service.update_claim(h2, claim2, [hours(2, 4 * 60 + 15)], TODAY)
    assert claim2.lines[0].quantity == 255


def test_24_hours_organisation_counts_per_agreement(db):
    provider = make_provider(ProviderKind.ORGANISATIE)
    a1 = make_agreement(make_grant(), provider)
    a2 = make_agreement(make_grant(), provider)
    h1 = make_user(Role.BUDGETHOUDER, household_id=a1.household_id)
    h2 = make_user(Role.BUDGETHOUDER, household_id=a2.household_id)
    service.prepare_claim(h1, a1, MARCH, [hours(2, 24 * 60)], TODAY)
    claim = service.prepare_claim(h2, a2, MARCH, [hours(2, 24 * 60)], TODAY)
    assert claim.status == ClaimStatus.CONCEPT


def _new_version(agreement: Agreement, grant: Grant, starts_on: dt.date, tariff: int) -> None:
    old = db_session_versions(agreement)
    for v in old:
        v.status = VersionStatus.VERVANGEN
    version = add(AgreementVersion(agreement_id=agreement.id, number=len(old) + 1,
                                   status=VersionStatus.GOEDGEKEURD, starts_on=starts_on,
                                   ends_on=grant.period_end))
    add(AgreementLine(version_id=version.id, grant_id=grant.id,
                      care_kind=CareKind.INDIVIDUELE_BEGELEIDING, unit=Unit.UUR,
                      tariff_cents=tariff, weekly_quantity=240))


def db_session_versions(agreement: Agreement) -> list[AgreementVersion]:
    return list(database.session.scalars(select(AgreementVersion)
                                         .where(AgreementVersion.agreement_id == agreement.id)))


def test_approve_rechecks_tariff_of_governing_version(db, w):
    claim = service.prepare_claim(w.provider_user, w.agreement, MARCH, [hours(20, 60)], TODAY)
    _new_version(w.agreement, w.grant, D(2026, 3, 16), 6500)  # approved after the sheet
    with pytest.raises(Refused) as excinfo:
        service.approve_claim(w.holder, claim, TODAY)
    assert refused_codes(excinfo) == ["tariff_differs"]
    # the provider prepares it again: priced at the new tariff
    service.update_claim(w.provider_user, claim, [hours(20, 60)], TODAY)
    assert claim.total_cents == 6500
    service.approve_claim(w.holder, claim, TODAY)
    assert claim.status == ClaimStatus.INGEDIEND


def test_approve_all_submitted_suspends_what_no_longer_holds(db):
    ok = make_world()
    bad = make_world()
    good_claim = service.submit_own_claim(ok.holder, ok.agreement, MARCH, [hours(2, 60)], TODAY)
    bad_claim = service.submit_own_claim(bad.holder, bad.agreement, MARCH, [hours(2, 60)], TODAY)
    for v in db_session_versions(bad.agreement):
        v.status = VersionStatus.AFGEKEURD  # e.g. the approval was withdrawn
    db.session.flush()
    approved = approval.approve_all_submitted(TODAY)
    assert approved == [good_claim.id]
    assert good_claim.status == ClaimStatus.GOEDGEKEURD
    assert bad_claim.status == ClaimStatus.OPGESCHORT
    assert bad_claim.refusal_codes == ["agreement_not_approved"]
    assert "claim_suspended" in [m.kind for m in messages_for(db, bad.holder)]


def test_mark_paid_requires_approved(db, w):
    claim = service.prepare_claim(w.holder, w.agreement, MARCH, [hours(2, 60)], TODAY)
    with pytest.raises(Refused) as excinfo:
        service.mark_paid([claim], TODAY)
    assert refused_codes(excinfo) == ["status_not_allowed"]
    assert claim.paid_on is None


def test_preview_shows_holder_what_is_left_and_never_the_provider(db, w):
    lines = [hours(2, 60), hours(3, 10)]
    seen = service.preview_claim(w.holder, w.agreement, MARCH, lines, TODAY)
    assert [r.code for r in seen.refusals] == ["quantity_invalid"]
    assert seen.total_cents == 6000
    assert seen.available_after == {w.grant.id: 100_000 - 6000}
    provider_view = service.preview_claim(w.provider_user, w.agreement, MARCH, lines, TODAY)
    assert provider_view.available_after is None
    assert [r.code for r in provider_view.refusals] == ["quantity_invalid"]
    assert count(db, Claim) == 0


def test_a_fixed_monthly_wage_read_from_the_database_is_not_claimed_by_the_hour(db):
    """The agreement's units come back from the database as text; the wage rule must still
    recognise a fixed monthly wage (it is paid each month by itself, never on a sheet)."""
    grant = make_grant(amount_cents=500_000)
    provider = make_provider()
    agreement = make_agreement(grant, provider, lines=[
        (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.MAANDLOON, 180_000, 8 * 60)])
    database.session.expire_all()  # read the lines again, as a later request would
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    with pytest.raises(Refused) as excinfo:
        service.prepare_claim(holder, agreement, MARCH, [hours(2, 60)], TODAY)
    assert refused_codes(excinfo) == ["monthly_wage_not_claimable"]
    assert count(db, Claim) == 0


def test_sheet_rounds_once_per_line_on_screen_in_the_ledger_and_in_the_transfer(db):
    """Finding 5: 31 days of 0:15 at EUR 22.98 is 7:45 x 22.98 = EUR 178.10 everywhere (the
    preview, the stored sheet, the reservation, the payment), not 31 x 5.75 = EUR 178.25."""
    from portal.payments.service import run_payments
    from tests.factories import make_agreement as agreement_with

    grant = make_grant(amount_cents=100_000)
    agreement = agreement_with(grant, make_provider(),
                               lines=[(grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 2298, 60)])
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    lines = [hours(day, 15) for day in range(1, 32)]
    assert service.preview_claim(holder, agreement, MARCH, lines, TODAY).total_cents == 17_810
    claim = service.submit_own_claim(holder, agreement, MARCH, lines, TODAY)
    assert claim.total_cents == 17_810 == sum(line.amount_cents for line in claim.lines)
    assert database.session.get(Grant, grant.id).reserved_cents == 17_810
    service.office_approve(make_user(Role.BEHEERDER), claim, TODAY)
    run = run_payments(None, TODAY)
    assert [p.amount_cents for p in run.payments] == [17_810]
    assert database.session.get(Grant, grant.id).paid_cents == 17_810
