"""portal.payments.household.household_payments: paid per provider and month, unpaid sheets."""

from __future__ import annotations

import datetime as dt

from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.payments.household import household_payments
from portal.payments.service import run_payments
from tests import factories as f
from tests.payments.builders import make_approved_claim

D = dt.date


def test_paid_per_provider_and_month_with_day_and_reference_then_the_unpaid(db):
    household = f.make_household()
    grant = f.make_grant(f.make_member(household), amount_cents=5_000_000)
    linde = f.make_agreement(grant, provider=f.make_provider(name="De Linde"))
    bram = f.make_agreement(grant, provider=f.make_provider(name="Bram"))
    # another household with the same provider: paid in the same transfer, never shown here
    other_grant = f.make_grant(amount_cents=5_000_000)
    other = f.make_agreement(other_grant, provider=db.session.get(type(linde.provider),
                                                                   linde.provider_id))
    march_l = make_approved_claim(linde, D(2026, 3, 1), minutes=[120])
    march_b = make_approved_claim(bram, D(2026, 3, 1), minutes=[60])
    make_approved_claim(other, D(2026, 3, 1), minutes=[600])
    first = run_payments(None, D(2026, 4, 8))
    april_l = make_approved_claim(linde, D(2026, 4, 1), minutes=[180])
    second = run_payments(None, D(2026, 5, 8))
    waiting = make_approved_claim(linde, D(2026, 5, 1), status=ClaimStatus.WACHT_OP_AKKOORD)
    refused = make_approved_claim(bram, D(2026, 4, 1), status=ClaimStatus.AFGEKEURD)
    refused.refusal_reason = "Uren in een vakantieweek."
    db.session.flush()

    result = household_payments(household.id)
    assert [p.provider_name for p in result.providers] == ["Bram", "De Linde"]
    bram_paid, linde_paid = result.providers
    assert [m.month for m in linde_paid.months] == [D(2026, 4, 1), D(2026, 3, 1)]
    april, march = linde_paid.months
    assert [(s.claim_reference, s.amount_cents, s.paid_on) for s in april.sheets] == \
        [(april_l.reference, april_l.total_cents, D(2026, 5, 8))]
    assert [(s.claim_reference, s.amount_cents, s.paid_on) for s in march.sheets] == \
        [(march_l.reference, march_l.total_cents, D(2026, 4, 8))]
    assert april.sheets[0].payment_reference.startswith(second.reference)
    assert march.sheets[0].payment_reference.startswith(first.reference)
    assert linde_paid.amount_cents == march_l.total_cents + april_l.total_cents
    assert [s.claim_reference for m in bram_paid.months for s in m.sheets] == [march_b.reference]
    assert result.paid_cents == march_l.total_cents + april_l.total_cents + march_b.total_cents

    assert [(u.reference, u.status, u.provider_name) for u in result.unpaid] == [
        (waiting.reference, ClaimStatus.WACHT_OP_AKKOORD, "De Linde"),
        (refused.reference, ClaimStatus.AFGEKEURD, "Bram"),
    ]
    assert result.unpaid[1].refusal_reason == "Uren in een vakantieweek."


def test_nothing_paid_nothing_open(db):
    result = household_payments(f.make_household().id)
    assert result.providers == [] and result.unpaid == [] and result.paid_cents == 0


def test_unpaid_lists_every_status_but_paid(db):
    household = f.make_household()
    grant = f.make_grant(f.make_member(household))
    for i, status in enumerate(ClaimStatus):
        agreement = f.make_agreement(grant)
        f.add(Claim(reference=f"UB-T{f.seq():06d}", agreement_id=agreement.id,
                    month=D(2026, 1 + i, 1), status=status, total_cents=100))
    statuses = {u.status for u in household_payments(household.id).unpaid}
    assert statuses == set(ClaimStatus) - {ClaimStatus.UITBETAALD}
