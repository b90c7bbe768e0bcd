from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.budgets.constants import CareKind, Unit
from portal.claims.constants import ClaimKind, ClaimSource, ClaimStatus
from portal.dates import now
from portal.extensions import Model


class Claim(Model):
    """The model hour sheet: one agreement, one month. One sheet per agreement per month."""

    __tablename__ = "claims"
    __table_args__ = (
        # One sheet and one wage per agreement per month; corrections numbered 1, 2, ...
        UniqueConstraint("agreement_id", "month", "kind", "sequence"),
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        Index("ix_claims_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    # None only for a vrij besteedbaar bedrag (ClaimKind.VRIJ): paid to the budget holder.
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True)
    # The household of a Wlz allowance claim (claims.allowances); None for sheets and wages
    # (their agreement names the household).
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    month: Mapped[dt.date]  # first day of the month
    status: Mapped[ClaimStatus] = mapped_column(String(20), default=ClaimStatus.CONCEPT, index=True)
    kind: Mapped[ClaimKind] = mapped_column(String(20), default=ClaimKind.UREN,
                                            server_default=ClaimKind.UREN.value)
    # 0 for a sheet or wage; 1, 2, ... for the corrections of one kind of a month.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # A correction (kind nabetaling or terugvordering): the paid claim it corrects, and why.
    corrects_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[ClaimSource] = mapped_column(String(20), default=ClaimSource.PORTAL)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handed_over_on: Mapped[dt.date | None]  # provider -> budget holder (6-week deadline)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    refusal_codes: Mapped[list[str] | None] = mapped_column(JSON)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", order_by="ClaimLine.day", cascade="all, delete-orphan"
    )


class ClaimLine(Model):
    """One day and one kind of care. quantity: minutes for hourly care, units otherwise."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        UniqueConstraint("claim_id", "day", "care_kind", "grant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    day: Mapped[dt.date]
    care_kind: Mapped[CareKind] = mapped_column(String(40))
    unit: Mapped[Unit] = mapped_column(String(20))
    quantity: Mapped[int]
    tariff_cents: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # what the budget pays
    # What the budget holder pays the provider themselves (bijbetaling): the part of the
    # agreed tariff above what the budget pays. 0 without a top-up.
    holder_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)

    claim: Mapped[Claim] = relationship(back_populates="lines")


class ClaimEvent(Model):
    """Status history of a claim, append-only (the database refuses UPDATE and DELETE)."""

    __tablename__ = "claim_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=now)


class Repayment(Model):
    """A claim-back (kind terugvordering) the budget holder paid back by bank transfer to the
    payment office, recorded by the office (claims.free_claim_back.record_repaid): there was
    no later payment to net it against. One per claim-back (its compare-and-set)."""

    __tablename__ = "claim_repayments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="repayment_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    received_on: Mapped[dt.date]
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=now)
