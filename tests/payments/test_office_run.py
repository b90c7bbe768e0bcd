"""The office's run: preview_next_run, execute_run (screen and CLI), list_runs, run_details."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.claims.constants import ClaimStatus
from portal.payments.models import PaymentItem, PaymentRun
from portal.payments.rules import run_fingerprint
from portal.payments.service import (
    execute_run,
    list_runs,
    preview_next_run,
    run_candidates,
    run_details,
)
from portal.refusals import Refused
from tests import factories as f
from tests.payments.builders import make_approved_claim
from tests.statements import recorded_statements

RUN_ON = dt.date(2026, 4, 10)
MARCH = dt.date(2026, 3, 1)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def office(db):
    return f.make_user(Role.BEHEERDER)


def test_preview_shows_approved_per_provider_and_counts_the_submitted_to_check(db, office):
    agreement = f.make_agreement()
    make_approved_claim(agreement, dt.date(2026, 2, 1), minutes=[60])
    make_approved_claim(f.make_agreement(), MARCH, status=ClaimStatus.INGEDIEND)

    preview = preview_next_run(RUN_ON)

    assert [(line.provider.id, line.claim_count, line.amount_cents) for line in preview.lines] == [
        (agreement.provider_id, 1, 6_000)]
    assert preview.total_cents == 6_000
    assert preview.to_check_count == 1
    assert not preview.is_empty
    assert count(db, PaymentRun) == 0


def test_preview_of_nothing_is_empty(db):
    assert preview_next_run(RUN_ON).is_empty


def _without_account(agreement):
    agreement.versions[0].iban = ""
    return agreement


def test_the_preview_reads_the_sheets_once_and_fingerprints_exactly_those(db, office):
    paid = make_approved_claim(f.make_agreement(), dt.date(2026, 2, 1))
    waits = make_approved_claim(_without_account(f.make_agreement()), dt.date(2026, 2, 1))
    submitted = make_approved_claim(f.make_agreement(), MARCH, status=ClaimStatus.INGEDIEND)

    with recorded_statements(selects_only=True) as statements:
        preview = preview_next_run(RUN_ON)

    assert len([s for s in statements if "FROM claims" in s]) == 1  # one read, one plan
    assert [h.claim_id for h in preview.held_back] == [waits.id]
    assert (preview.to_check_count, sum(line.claim_count for line in preview.lines)) == (1, 1)
    assert sorted(cid for cid, _status, _cents in preview.candidates) == sorted(
        [paid.id, waits.id, submitted.id])
    assert preview.fingerprint == run_fingerprint(preview.candidates)
    assert preview.fingerprint == run_fingerprint(run_candidates())  # what execution checks


def test_execute_run_plans_once_and_tells_what_it_left_for_later(db, office):
    make_approved_claim(f.make_agreement(), dt.date(2026, 2, 1))
    waits = make_approved_claim(_without_account(f.make_agreement()), dt.date(2026, 2, 1))

    with recorded_statements(selects_only=True) as statements:
        outcome = execute_run(office, RUN_ON)

    unpaid_reads = [s for s in statements if "FROM claims" in s and "payment_items" in s]
    assert len(unpaid_reads) == 1  # the locked read the run pays from; no second plan after it
    assert [h.claim_id for h in outcome.held_back] == [waits.id]
    assert "staat geen IBAN" in outcome.held_back[0].reason


def test_execute_run_checks_the_submitted_sheets_then_pays_them_with_the_approved(db, office):
    approved = make_approved_claim(f.make_agreement(), dt.date(2026, 2, 1))
    submitted = make_approved_claim(f.make_agreement(), MARCH, status=ClaimStatus.INGEDIEND)

    outcome = execute_run(office, RUN_ON)

    assert outcome.approved == [submitted.id]
    assert outcome.run is not None and outcome.run.executed_by_id == office.id
    assert sorted(i.claim_id for p in outcome.run.payments for i in p.items) == [
        approved.id, submitted.id]
    for claim in (approved, submitted):
        db.session.refresh(claim)
        assert claim.status == ClaimStatus.UITBETAALD


def test_executing_twice_pays_nothing_twice(db, office):
    make_approved_claim(f.make_agreement(), MARCH)
    assert execute_run(office, RUN_ON).run is not None
    second = execute_run(office, RUN_ON)
    assert (second.approved, second.run) == ([], None)
    assert count(db, PaymentRun) == 1 and count(db, PaymentItem) == 1


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT])
def test_only_the_payment_office_executes_a_run(db, role):
    claim = make_approved_claim(f.make_agreement(), MARCH, status=ClaimStatus.INGEDIEND)
    with pytest.raises(Refused) as refused:
        execute_run(f.make_user(role), RUN_ON)
    assert refused.value.codes == ["payment_run_not_allowed"]
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.INGEDIEND  # not even approved


def test_list_runs_newest_first_with_their_number_of_payments(db, office):
    make_approved_claim(f.make_agreement(), dt.date(2026, 2, 1))
    first = execute_run(office, dt.date(2026, 3, 5)).run
    make_approved_claim(f.make_agreement(), MARCH)
    make_approved_claim(f.make_agreement(), MARCH)
    second = execute_run(office, RUN_ON).run

    runs = list_runs()

    assert [(r.id, r.payment_count, r.total_cents) for r in runs] == [
        (second.id, 2, second.total_cents), (first.id, 1, first.total_cents)]


def test_run_details_name_the_provider_and_the_paid_sheets(db, office):
    provider = f.make_provider(name="Thuiszorg Test")
    claim = make_approved_claim(f.make_agreement(provider=provider), MARCH, minutes=[60, 30])
    run = execute_run(office, RUN_ON).run

    details = run_details(run.id)

    assert details.executed_by == office.name
    assert [(p.provider_name, p.amount_cents, p.reference) for p in details.payments] == [
        ("Thuiszorg Test", 9_000, run.payments[0].reference)]
    assert [(s.reference, s.month, s.amount_cents) for s in details.payments[0].sheets] == [
        (claim.reference, MARCH, 9_000)]
    assert details.sheet_count == 1
    assert run_details(run.id + 1000) is None


def test_the_run_page_shows_how_far_a_running_run_is_and_reloads_itself(db, office, client,
                                                                         login):
    """A run paying batch by batch (the command line) is 'bezig': its page shows what is paid
    of its total from the database and reloads itself (meta refresh, no script); its SEPA file
    waits until it is done."""
    make_approved_claim(f.make_agreement(), MARCH, minutes=[60, 30])
    run = execute_run(office, RUN_ON).run
    run.status, run.total_cents = "bezig", 18_000  # halfway: 9,000 of 18,000 paid
    db.session.commit()
    login(office)

    page = client.get(f"/betaalkantoor/betaalrondes/{run.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Deze betaalronde is nog bezig" in html
    assert '<progress id="voortgang-balk" max="100" value="50">' in html
    assert '<meta http-equiv="refresh" content="10">' in html
    assert client.get(f"/betaalkantoor/betaalrondes/{run.id}/sepa.xml").status_code == 409

    run.status = "uitgevoerd"
    db.session.commit()
    html = client.get(f"/betaalkantoor/betaalrondes/{run.id}").get_data(as_text=True)
    assert "nog bezig" not in html and 'http-equiv="refresh"' not in html
    assert client.get(f"/betaalkantoor/betaalrondes/{run.id}/sepa.xml").status_code == 200
