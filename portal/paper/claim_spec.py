"""The specification of a claim the portal made itself - a monthly wage, or a correction
(back-payment, claim-back) - as a tagged PDF, like the papers of an hour sheet: what it pays,
for which month and agreement, why (a correction), and when it was paid or netted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from portal.agreements.models import Agreement
from portal.budgets.models import Household
from portal.claims import rules as claim_rules
from portal.claims.constants import ClaimKind, status_label
from portal.claims.models import Claim
from portal.claims.service import claim_line_rows
from portal.dates import month_days
from portal.extensions import db
from portal.paper.documents import NotAvailable, _qr, holder_name
from portal.payments.service import runs_of_claims
from portal.providers.models import Provider


@dataclass(frozen=True)
class SpecLine:
    care_label: str
    quantity_label: str
    tariff_cents: int
    amount_cents: int


@dataclass(frozen=True)
class ClaimSpecDocument:
    template = "claim_spec.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    kind: ClaimKind
    holder_name: str
    household_name: str
    provider_name: str
    agreement_reference: str
    month: dt.date
    status: str
    amount_cents: int  # with its sign: a claim-back is money back to the budget
    lines: list[SpecLine]
    paid_on: dt.date | None
    run_reference: str | None
    payment_reference: str | None
    reason: str | None
    corrected_reference: str | None


def claim_spec_document(claim: Claim, today: dt.date) -> ClaimSpecDocument:
    """The specification of a monthly wage or a correction (NotAvailable for an hour sheet:
    its papers are the sheet itself and the provider's payment specification)."""
    kind = ClaimKind(claim.kind)
    if kind is ClaimKind.UREN:
        raise NotAvailable("Een urenbriefje heeft zijn eigen papieren.")
    agreement = db.session.get_one(Agreement, claim.agreement_id)
    household = db.session.get_one(Household, agreement.household_id)
    provider = db.session.get_one(Provider, agreement.provider_id)
    days = len(month_days(claim.month))
    lines = [SpecLine(row.care_label,
                      f"{row.quantity} van {days} dagen" if kind is ClaimKind.LOON
                      else row.quantity_label, row.tariff_cents, row.amount_cents)
             for row in claim_line_rows(claim)]
    run = runs_of_claims([claim.id]).get(claim.id)
    corrected = db.session.get(Claim, claim.corrects_claim_id) if claim.corrects_claim_id else None
    return ClaimSpecDocument(
        title=f"Specificatie {kind.label.lower()} {claim.reference}",
        reference=claim.reference, made_on=today, qr=_qr(claim.reference), kind=kind,
        holder_name=holder_name(household), household_name=household.name,
        provider_name=provider.name, agreement_reference=agreement.reference,
        month=claim.month, status=status_label(kind, claim.status),
        amount_cents=claim_rules.claim_amount_cents(kind, claim.total_cents), lines=lines, paid_on=claim.paid_on,
        run_reference=run[0] if run else None, payment_reference=run[1] if run else None,
        reason=claim.correction_reason, corrected_reference=corrected.reference if corrected
        else None)
