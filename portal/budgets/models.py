from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.budgets import rules as budget_rules
from portal.budgets.constants import AllowanceKind, FunderKind, Law
from portal.dates import now
from portal.extensions import Model


class Household(Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    works_on_paper: Mapped[bool] = mapped_column(default=False)
    # The budget holder's own account: never a care provider's (agreements.rules.
    # check_not_own_provider); the Wlz free-to-spend amount is paid to it.
    holder_iban: Mapped[str | None] = mapped_column(String(34))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    members: Mapped[list[Member]] = relationship(back_populates="household", order_by="Member.id")


class Member(Model):
    """A family member who receives care; budgets are granted per member."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    bsn: Mapped[str] = mapped_column(String(9), unique=True)
    birth_date: Mapped[dt.date]

    household: Mapped[Household] = relationship(back_populates="members")


class Funder(Model):
    """Verstrekker: a gemeente, zorgkantoor or zorgverzekeraar."""

    __tablename__ = "funders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[FunderKind] = mapped_column(String(20))


class Grant(Model):
    """A toekenning / beschikking, with its own running totals.

    reserved_cents: submitted or approved claims not yet paid (in behandeling).
    paid_cents: paid out. Both change only through budgets.service under a row lock; the
    CHECK below makes it impossible for the available amount to go below zero.
    """

    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("reserved_cents >= 0", name="reserved_not_negative"),
        CheckConstraint("paid_cents >= 0", name="paid_not_negative"),
        CheckConstraint("reserved_cents + paid_cents <= amount_cents", name="available_not_negative"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("funders.id"), index=True)
    law: Mapped[Law] = mapped_column(String(20))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reserved_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    care_kinds: Mapped[list[str]] = mapped_column(JSON)  # CareKind values this grant may pay for
    decision_reference: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    member: Mapped[Member] = relationship()
    funder: Mapped[Funder] = relationship()

    @property
    def available_cents(self) -> int:
        return budget_rules.available_cents(self.amount_cents, self.paid_cents,
                                            self.reserved_cents)


class AllowanceUse(Model):
    """Spending of a Wlz yearly allowance (free-to-spend amount, holiday allowance)."""

    __tablename__ = "allowance_uses"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    kind: Mapped[AllowanceKind] = mapped_column(String(30))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    spent_on: Mapped[dt.date]
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)


class AllowanceCap(Model):
    """Yearly caps of allowances that are not a percentage (e.g. the holiday allowance)."""

    __tablename__ = "allowance_caps"
    __table_args__ = (UniqueConstraint("law", "kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law: Mapped[Law] = mapped_column(String(20))
    kind: Mapped[AllowanceKind] = mapped_column(String(30))
    year: Mapped[int]
    cap_cents: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
