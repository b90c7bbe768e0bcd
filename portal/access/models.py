from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.access.constants import Role, Scope
from portal.dates import now
from portal.extensions import db


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(20))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step (unix time // 30) a code was accepted for: a code works once.
    totp_last_step: Mapped[int | None]
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # What the account belongs to, by role: a budget holder's household, a provider's
    # organisation or person record, a consulent's funder.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("funders.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session remembers: the id and a fingerprint of the password hash, so that a
        new password ends every other session of this login at its next request (load_user)."""
        return f"{self.id}-{password_fingerprint(self.password_hash)}"


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash (never the hash itself) for the session cookie."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


class Authorization(db.Model):
    """A machtiging: a budget holder lets a named person see (or act on) their file."""

    __tablename__ = "authorizations"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    grantee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scope: Mapped[Scope] = mapped_column(String(20))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    revoked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=now)


class AuditEvent(db.Model):
    """Append-only: who did or saw what, on whose behalf. Never updated or deleted: the check
    below stops it in a session; the database's triggers refuse it from any code or SQL."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_household_id_at", "household_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    detail: Mapped[dict | None] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _audit_append_only(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("The audit log is append-only: events are never changed.")
