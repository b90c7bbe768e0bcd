"""API keys and the answers kept for Idempotency-Key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.dates import now
from portal.extensions import Model


class ApiKey(Model):
    """A key for one organisation's software. Only the SHA-256 of the token is kept.

    The key acts through its own account (`user_id`): a login that cannot log in (no password,
    turned off) with the organisation's role and link, so the pages' permission functions
    decide what the key may see and do, exactly as for a person of that organisation.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    owner_kind: Mapped[str] = mapped_column(String(20))  # provider | funder | office
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("funders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise it
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_on: Mapped[dt.date]
    revoked_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)


class IdempotentAnswer(Model):
    """The first answer to a write sent with an Idempotency-Key, per API key."""

    __tablename__ = "api_idempotent_answers"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
