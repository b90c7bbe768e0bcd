from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.extensions import Model
from portal.payments.constants import RunStatus


class PaymentRun(Model):
    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    run_on: Mapped[dt.date]
    status: Mapped[RunStatus] = mapped_column(String(20), default=RunStatus.UITGEVOERD)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    # The fingerprint of the office's preview this run executed (None: a run from the command
    # line): the same preview executed again is a repeat (office.service.execute_previewed_run).
    preview_fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)

    payments: Mapped[list[Payment]] = relationship(back_populates="run", order_by="Payment.id")


class Payment(Model):
    """One transfer in one run: to one provider, to the IBAN in the agreement; or (the Wlz
    vrij besteedbaar bedrag, the one payment to a budget holder) to a household's own
    account (households.holder_iban). Exactly one of provider_id and household_id is set."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),
                      CheckConstraint("(provider_id IS NULL) <> (household_id IS NULL)",
                                      name="one_payee"),
                      Index("ix_payments_provider_id_run_id", "provider_id", "run_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    iban: Mapped[str] = mapped_column(String(34))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(40), unique=True)

    run: Mapped[PaymentRun] = relationship(back_populates="payments")
    items: Mapped[list[PaymentItem]] = relationship(back_populates="payment")


class PaymentItem(Model):
    """A claim paid by a payment. claim_id is unique: no claim can ever be paid twice. Append-only
    (the database refuses UPDATE and DELETE), so the record of a payment cannot be undone."""

    __tablename__ = "payment_items"
    # One payment's sheets in order, a page at a time (providers.pages.payment_lines).
    __table_args__ = (Index("ix_payment_items_payment_id_claim_id", "payment_id", "claim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    payment: Mapped[Payment] = relationship(back_populates="items")


class LedgerCheck(Model):
    """The outcome of one ledger check (payments.ledger.check_and_record): when, how many
    grants, and every difference found (a list of dicts: grant id, label, what, column,
    history). The office's start page warns while the last one found a difference."""

    __tablename__ = "ledger_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[dt.datetime] = mapped_column(default=now)
    grant_count: Mapped[int] = mapped_column(default=0)
    difference_count: Mapped[int] = mapped_column(default=0)
    differences: Mapped[list] = mapped_column(JSON, default=list)
