"""The providers of care: a person (often a relative) or an organisation, and the households that
know them. Agreements, claims and payments point at these rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.agreements.constants import ProviderKind
from portal.dates import now
from portal.extensions import Model


class Provider(Model):
    """A care provider: a person (often a relative) or an organisation."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProviderKind] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # The IBAN the provider was registered with (and is recognised by). Payments go to the IBAN
    # of the agreement version (AgreementVersion.iban), never to this one.
    iban: Mapped[str] = mapped_column(String(34))
    kvk: Mapped[str | None] = mapped_column(String(8))
    agb: Mapped[str | None] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)


class ProviderLink(Model):
    """A provider known to a household: registered by someone acting for it, or found by the
    IBAN or KvK number it typed (providers.rules.match_provider). A new agreement is made only
    with a provider the household knows (agreements.review.check_provider_known); `iban` is the account the
    household gave for it, the IBAN a new agreement with them starts with."""

    __tablename__ = "household_providers"
    __table_args__ = (UniqueConstraint("household_id", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    iban: Mapped[str | None] = mapped_column(String(34))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
