"""Reading for the budget holder's "Betalingen" page: what the household's providers were paid,
per provider and month of care, and which sheets are not paid yet; then what was paid to the
budget holder's own account (the Wlz free amount) and what the holder must pay back (its
claim-back, claims.free_claim_back). Writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.agreements.models import Agreement
from portal.claims.constants import ClaimKind, ClaimStatus, status_key, status_label
from portal.claims.models import Claim
from portal.claims.rules import claim_amount_cents
from portal.extensions import db
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.providers.models import Provider


@dataclass(frozen=True)
class HouseholdPaidSheet:
    """One paid hour sheet: the transfer it was paid in, on which day, with which reference."""

    claim_id: int
    claim_reference: str
    month: dt.date
    amount_cents: int  # what this sheet was paid (a transfer may pay several sheets)
    paid_on: dt.date
    payment_reference: str


@dataclass(frozen=True)
class PaidMonth:
    month: dt.date
    sheets: list[HouseholdPaidSheet]

    @property
    def amount_cents(self) -> int:
        return sum(s.amount_cents for s in self.sheets)


@dataclass(frozen=True)
class ProviderPaid:
    provider_id: int
    provider_name: str
    months: list[PaidMonth]  # newest month of care first

    @property
    def amount_cents(self) -> int:
        return sum(m.amount_cents for m in self.months)


@dataclass(frozen=True)
class UnpaidSheet:
    claim_id: int
    reference: str
    provider_name: str
    month: dt.date
    status: ClaimStatus
    total_cents: int
    refusal_reason: str | None


@dataclass(frozen=True)
class HolderItem:
    """A claim paid to (or, a claim-back, netted against a payment to) the budget holder's own
    account: its status, paid date, the transfer's reference and id (its specification)."""

    claim_id: int
    reference: str
    kind: ClaimKind
    status: ClaimStatus
    status_key: str  # the vocabulary's key (claims.constants.status_key)
    status_label: str
    amount_cents: int  # with its sign: a claim-back is money the holder pays back
    paid_on: dt.date | None
    payment_id: int | None
    payment_reference: str | None
    explanation: str | None  # a claim-back's reason, in plain words

    @property
    def is_open_claim_back(self) -> bool:
        return self.kind is ClaimKind.TERUGVORDERING and self.status is ClaimStatus.GOEDGEKEURD

    @property
    def tone(self) -> str:
        return "warn" if self.is_open_claim_back else self.status.tone


HOLDER_ITEMS_SHOWN = 50


@dataclass(frozen=True)
class HouseholdPayments:
    providers: list[ProviderPaid]
    unpaid: list[UnpaidSheet]
    to_holder: list[HolderItem] = field(default_factory=list)  # newest first

    @property
    def to_pay_back(self) -> list[HolderItem]:
        """Claim-backs not netted yet: what the holder must still pay back."""
        return [item for item in self.to_holder if item.is_open_claim_back]

    @property
    def to_pay_back_cents(self) -> int:
        return -sum(item.amount_cents for item in self.to_pay_back)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.providers)


def household_payments(household_id: int) -> HouseholdPayments:
    """Per provider and month of care, the sheets paid for this household; then the sheets not
    paid yet with their status; then the claims of the holder's own account. Three queries,
    whatever the history.

    Only this household's sheets are shown: a transfer to a provider can also pay sheets of
    other households, so the amount shown is each sheet's own, never the transfer's total.
    """
    paid_rows = db.session.execute(
        select(Provider.id, Provider.name, Claim.id, Claim.reference, Claim.month,
               PaymentItem.amount_cents, PaymentRun.run_on, Payment.reference)
        .select_from(PaymentItem)
        .join(Payment, Payment.id == PaymentItem.payment_id)
        .join(PaymentRun, PaymentRun.id == Payment.run_id)
        .join(Claim, Claim.id == PaymentItem.claim_id)
        .join(Agreement, Agreement.id == Claim.agreement_id)
        .join(Provider, Provider.id == Agreement.provider_id)
        .where(Agreement.household_id == household_id)
        .order_by(Provider.name, Provider.id, Claim.month.desc(), PaymentRun.run_on, Claim.id)
    ).all()
    providers: dict[int, ProviderPaid] = {}
    for provider_id, provider_name, claim_id, claim_ref, month, cents, run_on, pay_ref in paid_rows:
        provider = providers.setdefault(provider_id, ProviderPaid(provider_id, provider_name, []))
        if not provider.months or provider.months[-1].month != month:
            provider.months.append(PaidMonth(month, []))
        provider.months[-1].sheets.append(HouseholdPaidSheet(claim_id, claim_ref, month, int(cents), run_on,
                                                    pay_ref))

    unpaid = [UnpaidSheet(claim_id, reference, provider_name, month, ClaimStatus(status),
                          int(total), reason)
              for claim_id, reference, provider_name, month, status, total, reason
              in db.session.execute(
                  select(Claim.id, Claim.reference, Provider.name, Claim.month, Claim.status,
                         Claim.total_cents, Claim.refusal_reason)
                  .join(Agreement, Agreement.id == Claim.agreement_id)
                  .join(Provider, Provider.id == Agreement.provider_id)
                  .where(Agreement.household_id == household_id,
                         Claim.status != ClaimStatus.UITBETAALD)
                  .order_by(Claim.month.desc(), Provider.name, Claim.id))]
    return HouseholdPayments(providers=list(providers.values()), unpaid=unpaid,
                             to_holder=holder_items(household_id))


def holder_items(household_id: int, limit: int = HOLDER_ITEMS_SHOWN) -> list[HolderItem]:
    """The claims paid to the budget holder's own account (no agreement: the free amount and
    its claim-backs), newest first, with the transfer that paid or netted them. One query."""
    rows = db.session.execute(
        select(Claim.id, Claim.reference, Claim.kind, Claim.status, Claim.total_cents,
               Claim.paid_on, Payment.id, Payment.reference, Claim.correction_reason)
        .outerjoin(PaymentItem, PaymentItem.claim_id == Claim.id)
        .outerjoin(Payment, Payment.id == PaymentItem.payment_id)
        .where(Claim.household_id == household_id, Claim.agreement_id.is_(None))
        .order_by(Claim.id.desc()).limit(limit)).all()
    return [HolderItem(cid, reference, ClaimKind(kind), ClaimStatus(status),
                       status_key(kind, status, netted=payment_id is not None),
                       status_label(kind, status, netted=payment_id is not None),
                       claim_amount_cents(kind, cents), paid_on,
                       payment_id, payment_reference, reason)
            for cid, reference, kind, status, cents, paid_on, payment_id, payment_reference,
            reason in rows]
