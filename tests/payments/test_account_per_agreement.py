"""The IBAN belongs to the agreement, not to the provider (who works for several households):
a provider signing one household's agreement with a new IBAN changes only that agreement's
account, and each claim is paid to the IBAN of the agreement version it falls under. An
agreement without a valid IBAN does not stop the run for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.agreements import funder_review, signing
from portal.agreements import service as agreements
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation, VersionStatus
from portal.agreements.models import AgreementLine, AgreementVersion
from portal.agreements.reads import provider_changes
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.claims.constants import ClaimStatus
from portal.extensions import db as _db
from portal.payments.models import Payment, PaymentRun
from portal.payments.service import execute_run, held_back_claims, preview_run, run_payments
from portal.providers.service import create_provider
from tests import factories as f
from tests.payments.builders import make_approved_claim

D = dt.date
TODAY = D(2026, 1, 15)
RUN_ON = D(2026, 4, 10)
LINDE_IBAN = "NL39RABO0300065264"
NEW_IBAN = "NL20INGB0001234567"


def _approve_agreement(holder, provider_user, consulent, household, grant, *, found_by=None,
                       provider_id=None, new_iban=None):
    """Through the real flow: draft, share, the provider signs (maybe with a new IBAN), the
    budget holder signs, the funder approves."""
    if found_by is not None:
        agreement = agreements.start_agreement(holder, household_id=household.id,
                                               model=ModelKind.ZORGINSTELLING, relation=None,
                                               today=TODAY, **found_by).agreement
    else:
        agreement = agreements.create_draft(
            holder, household_id=household.id, provider_id=provider_id,
            model=ModelKind.ZORGINSTELLING, relation=Relation.GEEN, starts_on=D(2026, 2, 1),
            ends_on=None, end_kind=EndKind.GEEN, days_per_week=0, lines=[], today=TODAY)
    version = agreement.versions[0]
    agreements.update_draft(holder, version, starts_on=D(2026, 2, 1), ends_on=None,
                            end_kind=EndKind.GEEN, days_per_week=0, today=TODAY,
                            lines=[LineInput(grant.id, CareKind.HUISHOUDELIJKE_HULP, Unit.UUR,
                                             3000, 180)])
    signing.share(holder, version, TODAY)
    signing.provider_sign(provider_user, version, TODAY,
                             {"iban": new_iban} if new_iban else None)
    signing.holder_sign(holder, version, TODAY)
    funder_review.review(consulent, version, approve=True, reason=None, today=TODAY)
    return agreement


class TwoHouseholds:
    """De Linde works for Anna and for Pieter (who found it by its KvK number)."""

    def __init__(self):
        self.office = f.make_user(Role.BEHEERDER)
        self.gemeente = f.make_funder(FunderKind.GEMEENTE)
        self.consulent = f.make_user(Role.CONSULENT, funder_id=self.gemeente.id)
        self.jansen, self.bakker = f.make_household("Jansen"), f.make_household("Bakker")
        self.anna = f.make_user(Role.BUDGETHOUDER, household_id=self.jansen.id)
        self.pieter = f.make_user(Role.BUDGETHOUDER, household_id=self.bakker.id)
        self.g_anna = f.make_grant(f.make_member(self.jansen), self.gemeente, Law.WMO)
        self.g_pieter = f.make_grant(f.make_member(self.bakker), self.gemeente, Law.WMO)
        self.linde = create_provider(
            self.anna, kind=ProviderKind.ORGANISATIE, name="Thuiszorg De Linde",
            iban=LINDE_IBAN, kvk="30123456", agb="03012345")
        self.linde_user = f.make_user(Role.ZORGVERLENER, provider_id=self.linde.id)
        self.a_anna = _approve_agreement(self.anna, self.linde_user, self.consulent, self.jansen,
                                         self.g_anna, provider_id=self.linde.id)
        self.a_pieter = _approve_agreement(
            self.pieter, self.linde_user, self.consulent, self.bakker, self.g_pieter,
            found_by=dict(name="De Linde", iban=LINDE_IBAN, kvk="30123456", agb="03012345"),
            new_iban=NEW_IBAN)


@pytest.fixture
def two(db):
    return TwoHouseholds()


def test_a_new_iban_when_signing_one_households_agreement_changes_only_that_one(two):
    assert two.a_pieter.provider_id == two.linde.id  # one provider for both households
    assert two.a_pieter.versions[0].iban == NEW_IBAN
    assert two.a_anna.versions[0].iban == LINDE_IBAN
    _db.session.refresh(two.linde)
    assert two.linde.iban == LINDE_IBAN
    changes = provider_changes(two.a_pieter.versions[0])
    assert changes == {"iban": {"old": LINDE_IBAN, "new": NEW_IBAN}}  # highlighted for Pieter


def test_the_run_pays_each_claim_to_its_agreements_iban_one_payment_per_account(two):
    anna_claim = make_approved_claim(two.a_anna, D(2026, 3, 1))
    pieter_claim = make_approved_claim(two.a_pieter, D(2026, 3, 1))
    pieter_earlier = make_approved_claim(two.a_pieter, D(2026, 2, 1))
    assert sorted((line.iban, line.claim_count) for line in preview_run(RUN_ON)) == [
        (NEW_IBAN, 2), (LINDE_IBAN, 1)]

    run = run_payments(two.office, RUN_ON)

    paid = {p.iban: sorted(i.claim_id for i in p.items) for p in run.payments}
    assert paid == {LINDE_IBAN: [anna_claim.id],
                    NEW_IBAN: sorted([pieter_claim.id, pieter_earlier.id])}
    assert {p.provider_id for p in run.payments} == {two.linde.id}
    assert len({p.reference for p in run.payments}) == 2


def test_a_claim_is_paid_to_the_iban_of_the_version_it_falls_under(db):
    office = f.make_user(Role.BEHEERDER)
    grant = f.make_grant()
    provider = f.make_provider(iban=LINDE_IBAN)
    agreement = f.make_agreement(grant, provider, status=VersionStatus.VERVANGEN,
                                 ends_on=D(2026, 12, 31))
    old = agreement.versions[0]
    march = make_approved_claim(agreement, D(2026, 3, 1))
    april = make_approved_claim(agreement, D(2026, 4, 1))
    # From April a change governs, signed by the provider with another IBAN.
    new = f.add(AgreementVersion(agreement_id=agreement.id, number=2,
                                 status=VersionStatus.GOEDGEKEURD, starts_on=D(2026, 4, 1),
                                 ends_on=D(2026, 12, 31), iban=NEW_IBAN))
    for line in old.lines:
        f.add(AgreementLine(version_id=new.id, grant_id=line.grant_id, care_kind=line.care_kind,
                            unit=line.unit, tariff_cents=line.tariff_cents,
                            weekly_quantity=line.weekly_quantity))
    _db.session.refresh(agreement)

    run = run_payments(office, D(2026, 5, 10))

    assert {p.iban: [i.claim_id for i in p.items] for p in run.payments} == {
        LINDE_IBAN: [march.id], NEW_IBAN: [april.id]}


def test_one_agreement_without_a_valid_iban_is_left_for_the_next_run_everyone_else_paid(db):
    office = f.make_user(Role.BEHEERDER)
    household = f.make_household()
    grant = f.make_grant(f.make_member(household))
    good = f.make_agreement(grant, f.make_provider(name="Goed BV", iban=NEW_IBAN),
                            household=household)
    broken = f.make_agreement(grant, f.make_provider(name="Kapot BV", iban=LINDE_IBAN),
                              household=household)
    broken.versions[0].iban = "NL00GEEN0000000000"
    paid_claim = make_approved_claim(good, D(2026, 3, 1))
    waiting = make_approved_claim(broken, D(2026, 3, 1))
    submitted = make_approved_claim(broken, D(2026, 2, 1), status=ClaimStatus.INGEDIEND)

    held = held_back_claims()
    assert [h.claim_id for h in held] == [waiting.id]
    assert [line.provider.name for line in preview_run(RUN_ON)] == ["Goed BV"]

    outcome = execute_run(office, RUN_ON)

    assert [p.iban for p in outcome.run.payments] == [NEW_IBAN]
    assert [i.claim_id for i in outcome.run.payments[0].items] == [paid_claim.id]
    assert sorted(h.claim_id for h in outcome.held_back) == sorted([waiting.id, submitted.id])
    reason = outcome.held_back[0].reason
    assert "Kapot BV" in reason and broken.reference in reason and "niet geldig" in reason
    for claim, status in ((paid_claim, ClaimStatus.UITBETAALD),
                          (waiting, ClaimStatus.GOEDGEKEURD),
                          (submitted, ClaimStatus.GOEDGEKEURD)):  # checked, approved, waiting
        _db.session.refresh(claim)
        assert claim.status == status
    # Once the agreement has a valid IBAN, the next run pays what waited - once.
    broken.versions[0].iban = LINDE_IBAN
    later = execute_run(office, D(2026, 4, 11))
    assert held_back_claims() == [] and later.held_back == []
    assert sorted(i.claim_id for p in later.run.payments for i in p.items) == sorted(
        [waiting.id, submitted.id])
    assert _db.session.scalar(select(func.count()).select_from(PaymentRun)) == 2
    assert _db.session.scalar(select(func.count()).select_from(Payment)) == 2


def test_only_held_back_claims_make_no_run(db):
    office = f.make_user(Role.BEHEERDER)
    agreement = f.make_agreement()
    agreement.versions[0].iban = None
    claim = make_approved_claim(agreement, D(2026, 3, 1))
    assert run_payments(office, RUN_ON) is None
    assert [h.claim_id for h in held_back_claims()] == [claim.id]
    assert "staat geen IBAN" in held_back_claims()[0].reason
