"""The provider portal's read side: payment status in plain Dutch, masked IBAN, and the
queries that never reach another provider's data."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.budgets.models import Household
from portal.claims.constants import ClaimStatus
from portal.payments.service import run_payments
from portal.providers import pages
from tests import factories as f
from tests.payments.builders import make_approved_claim


@pytest.mark.parametrize(("status", "expected", "tone"), [
    (ClaimStatus.CONCEPT, "Concept", "neutral"),
    (ClaimStatus.WACHT_OP_AKKOORD, "Wacht op akkoord van de budgethouder", "warn"),
    # Finding 9: a date, not "binnenkort" (the next run after Friday 4 December: Monday).
    (ClaimStatus.INGEDIEND, "Ingediend, verwacht betaald op 7 december 2026", "neutral"),
    (ClaimStatus.OPGESCHORT, "Wordt nagekeken", "warn"),
    (ClaimStatus.GOEDGEKEURD, "Goedgekeurd, verwacht betaald op 7 december 2026", "ok"),
    (ClaimStatus.AFGEKEURD, "Afgekeurd", "error"),
])
def test_payment_status_in_the_words_everyone_reads_with_the_expected_date(status, expected,
                                                                            tone):
    result = pages.payment_status(status, today=dt.date(2026, 12, 4))
    assert (result.text, result.tone) == (expected, tone)


def test_paid_sheet_says_when_and_with_which_reference():
    result = pages.payment_status(ClaimStatus.UITBETAALD, paid_on=dt.date(2026, 3, 5),
                                    payment_reference="PGB-20260305-0001-001")
    assert result.text == "Uitbetaald op 5 maart 2026 met kenmerk PGB-20260305-0001-001"


def test_refused_sheet_carries_the_reason_and_a_sent_back_concept_says_so():
    refused = pages.payment_status(ClaimStatus.AFGEKEURD, refusal_reason="Dubbele uren op 3 maart.")
    assert refused.reason == "Dubbele uren op 3 maart."
    sent_back = pages.payment_status(ClaimStatus.CONCEPT, refusal_reason="Maandag klopt niet.")
    assert sent_back.text == "Concept: teruggestuurd door de budgethouder"
    assert sent_back.reason == "Maandag klopt niet."


@pytest.mark.parametrize(("iban", "masked"), [
    ("NL91ABNA0417164300", "**** 4300"), ("NL91 ABNA 0417 1643 00", "**** 4300"), ("", "")])
def test_iban_masked_except_the_last_four(iban, masked):
    assert pages.mask_iban(iban) == masked


def test_agreements_and_specifications_of_one_provider_only(db):
    provider = f.make_provider()
    other = f.make_provider()
    mine = f.make_agreement(provider=provider)
    theirs = f.make_agreement(provider=other)
    paid = make_approved_claim(mine, dt.date(2026, 2, 1))
    make_approved_claim(theirs, dt.date(2026, 2, 1))
    waiting = make_approved_claim(mine, dt.date(2026, 3, 1), status=ClaimStatus.WACHT_OP_AKKOORD)
    run = run_payments(None, dt.date(2026, 4, 2))

    rows = pages.provider_agreements(provider.id, dt.date(2026, 4, 10))
    assert [r.agreement_id for r in rows] == [mine.id]
    sheets = {s.claim_id: s for s in rows[0].sheets}
    assert set(sheets) == {paid.id, waiting.id}
    payment = next(p for p in run.payments if p.provider_id == provider.id)
    assert sheets[paid.id].status.text == (f"Uitbetaald op 2 april 2026 met kenmerk "
                                           f"{payment.reference}")
    assert sheets[waiting.id].status.text == "Wacht op akkoord van de budgethouder"

    specs = pages.payment_specifications(provider.id)
    assert len(specs) == 1
    assert specs[0].payment_reference == payment.reference
    assert specs[0].total_cents == paid.total_cents
    assert [ln.claim_reference for ln in specs[0].lines] == [paid.reference]
    assert specs[0].iban_masked == "**** 4300"
    household = db.session.get(Household, mine.household_id)
    assert [ln.holder_name for ln in specs[0].lines] == [f"Huishouden {household.name}"]
    f.make_user(Role.BUDGETHOUDER, name="Ria Proef", household_id=mine.household_id)
    specs = pages.payment_specifications(provider.id)
    assert [ln.holder_name for ln in specs[0].lines] == ["Ria Proef"]


def test_a_concept_not_yet_shared_is_not_shown_to_the_provider(db):
    from portal.agreements.constants import VersionStatus

    provider = f.make_provider()
    f.make_agreement(provider=provider, status=VersionStatus.CONCEPT)
    assert pages.provider_agreements(provider.id, dt.date(2026, 4, 1)) == []
    shared = f.make_agreement(provider=provider, status=VersionStatus.GEDEELD)
    assert [r.agreement_id for r in pages.provider_agreements(provider.id, dt.date(2026, 4, 1))] \
        == [shared.id]


def test_an_organisation_sees_its_agreements_a_page_at_a_time(db, client, login):
    provider = f.make_provider()
    made = [f.make_agreement(provider=provider) for _ in range(pages.AGREEMENTS_PAGE_SIZE + 1)]
    shown, rows = pages.provider_agreements_page(provider.id, dt.date(2026, 4, 1))
    assert (shown.total, shown.pages, len(rows)) == (len(made), 2, pages.AGREEMENTS_PAGE_SIZE)
    _shown, last = pages.provider_agreements_page(provider.id, dt.date(2026, 4, 1), page=2)
    assert len(last) == 1
    assert {r.agreement_id for r in rows + last} == {a.id for a in made}
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    html = client.get("/zorgverlener?pagina=2").get_data(as_text=True)
    assert "pagina 2 van 2" in html and f"agreement-{last[0].agreement_id}" in html
