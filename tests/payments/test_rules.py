"""Pure rules of a payment run: no database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.payments import rules
from portal.payments.rules import PayableClaim


def claim(claim_id, provider_id, amount, household_id=1, iban=None):
    return PayableClaim(claim_id=claim_id, provider_id=provider_id,
                        iban=iban or f"NL00BANK{provider_id:010d}", household_id=household_id,
                        amount_cents=amount)


def test_two_claims_of_one_provider_make_one_payment():
    payments = rules.group_into_payments([claim(2, 7, 10_000), claim(1, 7, 2_550)])
    assert len(payments) == 1
    assert payments[0].provider_id == 7
    assert payments[0].claim_ids == (1, 2)
    assert payments[0].amount_cents == 12_550
    assert payments[0].number == 1


def test_each_provider_gets_its_own_payment_numbered_in_provider_order():
    payments = rules.group_into_payments([claim(1, 9, 100), claim(2, 3, 200, iban="NL02X"),
                                          claim(3, 9, 300)])
    assert [(p.number, p.provider_id, p.claim_ids, p.amount_cents) for p in payments] == [
        (1, 3, (2,), 200), (2, 9, (1, 3), 400)]
    assert payments[0].iban == "NL02X"
    assert rules.run_total(payments) == 600


def test_nothing_to_group_gives_no_payments():
    assert rules.group_into_payments([]) == []
    assert rules.run_total([]) == 0


def test_claims_of_zero_euro_need_no_transfer():
    claims = [claim(1, 5, 0), claim(2, 6, 0), claim(3, 6, 1)]
    payments = rules.group_into_payments(claims)
    assert [(p.provider_id, p.claim_ids) for p in payments] == [(6, (3,))]
    assert [c.claim_id for c in rules.zero_claims(claims)] == [1, 2]


def test_reference_format():
    day = dt.date(2026, 11, 25)
    assert rules.run_reference(day, 1) == "PGB-20261125-0001"
    assert rules.payment_reference(day, 1, 3) == "PGB-20261125-0001-003"
    assert rules.payment_reference(day, 12345, 1001) == "PGB-20261125-12345-1001"


def test_references_differ_per_run_and_per_payment():
    day = dt.date(2026, 1, 5)
    refs = {rules.payment_reference(day, run, n) for run in (1, 2, 11) for n in (1, 2, 10)}
    assert len(refs) == 9


@pytest.mark.parametrize("run_number, payment_number", [(0, 1), (1, 0)])
def test_reference_numbers_start_at_one(run_number, payment_number):
    with pytest.raises(ValueError):
        rules.payment_reference(dt.date(2026, 1, 5), run_number, payment_number)


def test_claim_amounts_must_add_up_to_the_total():
    refusals = rules.check_claim_amounts(1, "UB-1", 10_000, {1: 6_000, 2: 3_999})
    assert [r.code for r in refusals] == ["claim_amount_mismatch"]
    assert "UB-1" in refusals[0].message and "opgeschort" in refusals[0].message


def test_claim_amounts_that_add_up_exactly_pass():
    assert rules.check_claim_amounts(1, "UB-1", 10_000, {1: 6_000, 2: 4_000}) == []


def test_a_negative_share_is_refused():
    refusals = rules.check_claim_amounts(1, "UB-1", 0, {1: 100, 2: -100})
    assert [r.code for r in refusals] == ["claim_share_negative"]


def test_a_share_of_zero_is_not_negative():
    assert rules.check_claim_amounts(1, "UB-1", 100, {1: 100, 2: 0}) == []


def test_an_agreement_without_a_valid_iban_cannot_be_paid():
    for iban in (None, "", " ", "NL91ABNA0417164301", "GEEN-IBAN"):
        refusals = rules.check_payment_account("Zorg BV", "ZO-2026-000001", iban)
        assert [r.code for r in refusals] == ["agreement_iban_invalid"], iban
        assert "Zorg BV" in refusals[0].message and "ZO-2026-000001" in refusals[0].message
        assert "volgende" in refusals[0].message or "eerste betaalronde" in refusals[0].message
    assert rules.check_payment_account("Zorg BV", "ZO-2026-000001", "NL91ABNA0417164300") == []
    # A sheet of zero euro is no transfer: it needs no account and is not held back.
    assert rules.check_payment_account("Zorg BV", "ZO-2026-000001", None, 0) == []
    assert rules.check_payment_account("Zorg BV", "ZO-2026-000001", None, 1) != []


def test_one_provider_paid_on_two_accounts_gets_one_payment_per_account():
    payments = rules.group_into_payments([claim(1, 7, 100, iban="NL20INGB0001234567"),
                                          claim(2, 7, 200, iban="NL91ABNA0417164300"),
                                          claim(3, 7, 300, iban="NL20INGB0001234567")])
    assert [(p.number, p.provider_id, p.iban, p.claim_ids, p.amount_cents) for p in payments] == [
        (1, 7, "NL20INGB0001234567", (1, 3), 400), (2, 7, "NL91ABNA0417164300", (2,), 200)]



@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 1_000_000)), max_size=30))
def test_grouping_pays_every_claim_once_and_each_provider_once(rows):
    claims = [claim(i + 1, provider, amount) for i, (provider, amount) in enumerate(rows)]
    payments = rules.group_into_payments(claims)
    paid = [cid for p in payments for cid in p.claim_ids]
    assert sorted(paid) == [c.claim_id for c in claims if c.amount_cents > 0]
    assert len({p.provider_id for p in payments}) == len(payments)
    assert [p.number for p in payments] == list(range(1, len(payments) + 1))
    assert all(p.amount_cents > 0 for p in payments)
    assert rules.run_total(payments) == sum(c.amount_cents for c in claims)
    zero = {c.claim_id for c in rules.zero_claims(claims)}
    assert zero.isdisjoint(paid) and len(zero) + len(paid) == len(claims)


def test_the_run_fingerprint_is_the_same_for_the_same_sheets_in_any_order():
    from portal.payments.rules import run_fingerprint

    sheets = [(3, "goedgekeurd", 12_000), (1, "ingediend", 4_500)]
    assert run_fingerprint(sheets) == run_fingerprint(list(reversed(sheets)))
    assert len(run_fingerprint(sheets)) == 32 and run_fingerprint([]) != run_fingerprint(sheets)


@pytest.mark.parametrize("changed", [
    [(3, "goedgekeurd", 12_000), (2, "ingediend", 4_500)],    # another sheet
    [(3, "goedgekeurd", 12_001), (1, "ingediend", 4_500)],    # another amount
    [(3, "goedgekeurd", 12_000), (1, "goedgekeurd", 4_500)],  # approved in between
    [(3, "goedgekeurd", 12_000)],                             # one sheet less
])
def test_the_run_fingerprint_changes_with_any_sheet_status_or_amount(changed):
    from portal.payments.rules import run_fingerprint

    assert run_fingerprint(changed) != run_fingerprint([(3, "goedgekeurd", 12_000),
                                                        (1, "ingediend", 4_500)])


# --------------------------------------------------------------------------- when runs are held


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 12, 7), dt.date(2026, 12, 8)),   # Monday -> Tuesday
    (dt.date(2026, 12, 4), dt.date(2026, 12, 7)),   # Friday -> Monday
    (dt.date(2026, 12, 5), dt.date(2026, 12, 7)),   # Saturday -> Monday
    (dt.date(2026, 12, 6), dt.date(2026, 12, 7)),   # Sunday -> Monday
])
def test_the_next_run_is_the_next_working_day(today, expected):
    assert rules.next_run_date(today) == expected


def test_the_expected_payment_date_follows_the_status():
    today = dt.date(2026, 12, 7)
    assert rules.expected_payment_date("ingediend", today) == dt.date(2026, 12, 8)
    assert rules.expected_payment_date("goedgekeurd", today) == dt.date(2026, 12, 8)
    assert rules.expected_payment_date("uitbetaald", today, dt.date(2026, 11, 2)) == \
        dt.date(2026, 11, 2)
    for status in ("concept", "wacht_op_akkoord", "opgeschort", "afgekeurd"):
        assert rules.expected_payment_date(status, today) is None


# --------------------------------------------------------------------------- claim-backs (issue 16)


def _claim(claim_id, provider_id, cents, iban="NL1"):
    from portal.payments.rules import PayableClaim

    return PayableClaim(claim_id=claim_id, provider_id=provider_id, iban=iban, household_id=1,
                        amount_cents=cents)


def test_a_claim_back_is_netted_against_the_providers_largest_payment():
    from portal.payments.rules import carried_over, group_into_payments

    claims = [_claim(1, 7, 10_000, "NL1"), _claim(2, 7, 30_000, "NL2"), _claim(3, 7, -5_000),
              _claim(4, 8, 2_000)]
    payments = group_into_payments(claims)
    assert [(p.provider_id, p.iban, p.claim_ids, p.amount_cents) for p in payments] == [
        (7, "NL1", (1,), 10_000), (7, "NL2", (2, 3), 25_000), (8, "NL1", (4,), 2_000)]
    assert carried_over(claims, payments) == []


def test_a_claim_back_never_makes_a_transfer_negative_or_empty():
    from portal.payments.rules import carried_over, group_into_payments

    for due in (4_999, 5_000):
        claims = [_claim(1, 7, due), _claim(2, 7, -5_000), _claim(3, 8, -1)]
        payments = group_into_payments(claims)
        assert [(p.claim_ids, p.amount_cents) for p in payments] == [((1,), due)]
        assert [c.claim_id for c in carried_over(claims, payments)] == [2, 3]
