from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agreements.constants import (
    EndKind,
    ModelKind,
    Relation,
    ReviewDecision,
    VersionStatus,
)
from portal.budgets.constants import CareKind, Law, Unit
from portal.dates import now
from portal.extensions import Model
from portal.providers.models import Provider


class Agreement(Model):
    """One agreement per budget holder (household) and provider at a time; its content lives in
    versions. A new one with the same provider only once the earlier one is over
    (rules.check_one_agreement, checked by the service with the provider's row locked)."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    model: Mapped[ModelKind] = mapped_column(String(20))
    relation: Mapped[Relation] = mapped_column(String(20), default=Relation.GEEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    provider: Mapped[Provider] = relationship()
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number"
    )


class AgreementVersion(Model):
    """One version of an agreement's content. Earlier versions are kept, never overwritten."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),
        CheckConstraint("days_per_week BETWEEN 0 AND 7", name="days_per_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    number: Mapped[int]
    status: Mapped[VersionStatus] = mapped_column(String(20), default=VersionStatus.CONCEPT,
                                                  index=True)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date | None]
    end_kind: Mapped[EndKind] = mapped_column(String(20), default=EndKind.EINDDATUM)
    days_per_week: Mapped[int] = mapped_column(default=0)
    # The account the payment office pays this version's hour sheets to: the provider's IBAN
    # as the household knew it when drafting, changed by the provider when signing. It belongs
    # to the agreement, not to the provider (who may work for several households).
    iban: Mapped[str | None] = mapped_column(String(34))
    notice_months: Mapped[int] = mapped_column(default=1)
    ended_on: Mapped[dt.date | None]  # set when the budget holder ends the agreement
    signed_by_holder_at: Mapped[dt.datetime | None]
    signed_by_provider_at: Mapped[dt.datetime | None]
    signed_on_paper: Mapped[bool] = mapped_column(default=False)
    # The budget holder pays the part of a tariff above the maximum from their own money.
    top_up: Mapped[bool] = mapped_column(default=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_documents.id"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # How often this version went to the funders (ter beoordeling); decisions count per round,
    # so a version reworked after a refusal is decided again by every funder.
    review_round: Mapped[int] = mapped_column(default=0, server_default="0")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    lines: Mapped[list[AgreementLine]] = relationship(
        back_populates="version", order_by="AgreementLine.id", cascade="all, delete-orphan"
    )
    # The budgets chosen in the wizard (a superset of the lines' grants: a budget is chosen
    # before its kinds of care are), so a draft saved right after choosing keeps the choice.
    chosen_grants: Mapped[list[ChosenGrant]] = relationship(
        order_by="ChosenGrant.grant_id", cascade="all, delete-orphan"
    )

    @property
    def chosen_grant_ids(self) -> list[int]:
        return sorted({c.grant_id for c in self.chosen_grants} | {ln.grant_id for ln in self.lines})


class ChosenGrant(Model):
    """A budget (grant) a version draws on, chosen in the wizard's budgets step."""

    __tablename__ = "agreement_version_grants"

    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"),
                                            primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), primary_key=True, index=True)


class AgreementLine(Model):
    """A kind of care in a version: tariff and unit, the grant that pays, and the weekly amount.

    weekly_quantity is in minutes for hourly care, a count of units for day parts and 24-hour
    stays, and the fixed minutes a week for a fixed monthly wage (whose tariff_cents is the wage).
    """

    __tablename__ = "agreement_lines"
    __table_args__ = (
        CheckConstraint("tariff_cents > 0", name="tariff_positive"),
        CheckConstraint("weekly_quantity >= 0", name="weekly_quantity"),
        UniqueConstraint("version_id", "care_kind", "grant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    care_kind: Mapped[CareKind] = mapped_column(String(40))
    unit: Mapped[Unit] = mapped_column(String(20))
    tariff_cents: Mapped[int] = mapped_column(BigInteger)
    weekly_quantity: Mapped[int] = mapped_column(default=0)
    # What the budget pays per unit when the tariff is above the maximum and the budget holder
    # tops up the difference (version.top_up). None: the budget pays tariff_cents.
    budget_tariff_cents: Mapped[int | None] = mapped_column(BigInteger)

    version: Mapped[AgreementVersion] = relationship(back_populates="lines")

    @property
    def tariff_for_budget_cents(self) -> int:
        return self.tariff_cents if self.budget_tariff_cents is None else self.budget_tariff_cents


class FunderReview(Model):
    """One funder's decision on one version in one review round, append-only (the database
    refuses UPDATE and DELETE).

    Each funder with a line in the version decides for its own budgets; the version is approved
    once every funder concerned approved, and refused as soon as one refused
    (agreements.rules.review_outcome).
    """

    __tablename__ = "agreement_reviews"
    __table_args__ = (UniqueConstraint("version_id", "funder_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"), index=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("funders.id"), index=True)
    round: Mapped[int]
    decision: Mapped[ReviewDecision] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=now)


class AgreementEvent(Model):
    """Status history of an agreement, append-only (the database refuses UPDATE and DELETE)."""

    __tablename__ = "agreement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_versions.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=now)


class AgreementDocument(Model):
    """An uploaded signed agreement (PDF), stored under a random name outside static/."""

    __tablename__ = "agreement_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=now)


class MaxTariff(Model):
    """A maximum tariff set by a funder (gemeenten set their own for Wmo and Jeugdwet).

    National maxima (Wlz) live in agreements/tariffs.py; rows here add or override per funder.
    """

    __tablename__ = "max_tariffs"
    __table_args__ = (
        UniqueConstraint("funder_id", "law", "year", "informal", "unit"),
        CheckConstraint("max_cents > 0", name="max_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("funders.id"))
    law: Mapped[Law] = mapped_column(String(20))
    year: Mapped[int]
    informal: Mapped[bool]
    unit: Mapped[Unit] = mapped_column(String(20))
    max_cents: Mapped[int] = mapped_column(BigInteger)
