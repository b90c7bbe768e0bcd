"""Builders for payment tests: approved claims with their amounts reserved on the grants.

They write the rows directly (a known state to start from) and reserve through
portal.budgets.service.reserve, as an approval would; the run under test goes through the
payments service.
"""

from __future__ import annotations

import datetime as dt

from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.budgets.service import reserve
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.extensions import db
from portal.money import spread_minutes_times_tariff
from tests import factories as f


def agreement_lines(agreement: Agreement) -> list[AgreementLine]:
    version = (db.session.query(AgreementVersion).filter_by(agreement_id=agreement.id)
               .order_by(AgreementVersion.number.desc()).first())  # the latest
    return list(version.lines)


def make_approved_claim(agreement: Agreement, month: dt.date = dt.date(2026, 3, 1), *,
                        minutes: list[int] | None = None,
                        status: ClaimStatus = ClaimStatus.GOEDGEKEURD,
                        decided_at: dt.datetime | None = None) -> Claim:
    """A claim with one line per agreement line per day (days 1, 2, ...), amounts reserved.

    minutes: the minutes worked on consecutive days, repeated for every line of the agreement.
    """
    minutes = minutes or [120]
    claim = f.add(Claim(reference=f"UB-T{f.seq():06d}", agreement_id=agreement.id, month=month,
                        status=status, total_cents=0, decided_at=decided_at))
    shares: dict[int, int] = {}
    total = 0
    for line in agreement_lines(agreement):
        # Rounded once per agreement line per month, as the claim rules price a sheet.
        amounts = spread_minutes_times_tariff(minutes, line.tariff_cents)
        for i, (qty, amount) in enumerate(zip(minutes, amounts, strict=True)):
            f.add(ClaimLine(claim_id=claim.id, day=month + dt.timedelta(days=i),
                            care_kind=line.care_kind, unit=line.unit, quantity=qty,
                            tariff_cents=line.tariff_cents, amount_cents=amount,
                            grant_id=line.grant_id))
            shares[line.grant_id] = shares.get(line.grant_id, 0) + amount
            total += amount
    claim.total_cents = total
    if status in (ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD, ClaimStatus.OPGESCHORT):
        reserve(shares)
    db.session.flush()
    db.session.refresh(claim)
    return claim
