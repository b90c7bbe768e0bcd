from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, event, false, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.access.constants import Role, Scope
from portal.dates import now
from portal.extensions import Model

# The reserved address domain of an API key's own account (portal.api): a machine, not a
# person. Such an account is no login: not in the office's list, never turned on, no messages.
MACHINE_EMAIL_DOMAIN = "sleutels.pgb-portaal.invalid"


def machine_email(name: str) -> str:
    """The address of an API key's own account."""
    return f"{name}@{MACHINE_EMAIL_DOMAIN}"


def is_machine_email(email: str | None) -> bool:
    return (email or "").lower().endswith("@" + MACHINE_EMAIL_DOMAIN)


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(20))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step (unix time // 30) a code was accepted for: a code works once.
    totp_last_step: Mapped[int | None]
    # Wrong second-step codes since the last right one, and until when the login is locked
    # after too many (access.rules.MAX_CODE_ATTEMPTS): on the server, not in a cookie.
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_locked_until: Mapped[dt.datetime | None]
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # What the account belongs to, by role: a budget holder's household, a provider's
    # organisation or person record, a consulent's funder.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("funders.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    # DigiD or eHerkenning (portal/identity/): "digid:" or "eherkenning:" and a keyed hash
    # (HMAC with the secret key) of the BSN, or of the KvK number and the broker's person id.
    # Never the BSN itself: the household holds that (members.bsn), nobody else.
    external_id: Mapped[str | None] = mapped_column(String(100), index=True, unique=True)
    # The last login through DigiD or eHerkenning (the office's login page shows it).
    external_login_at: Mapped[dt.datetime | None]
    # The login's own choice (account page, off by default): one short mail without personal
    # data when something waits for it in the portal, at most once a day (waiting_mailed_on).
    mail_when_waiting: Mapped[bool] = mapped_column(default=False, server_default=false())
    waiting_mailed_on: Mapped[dt.date | None]

    @hybrid_property
    def is_machine(self) -> bool:
        """An API key's own account (MACHINE_EMAIL_DOMAIN), in Python and in SQL."""
        return is_machine_email(self.email)

    @is_machine.inplace.expression
    @classmethod
    def _is_machine_expression(cls):
        return func.lower(cls.email).endswith("@" + MACHINE_EMAIL_DOMAIN)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        """A login that may log in: turned on, and a person's (a machine account never is)."""
        return self.is_active_account and not self.is_machine

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session remembers. The session itself lives on the server (UserSession):
        a new password or a login turned off ends it there, for every copy of the cookie."""
        return str(self.id)


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash (never the hash itself) for a password link."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


class UserSession(Model):
    """A session on the server (portal.access.sessions). The browser's cookie carries only a
    random id; this row keeps its SHA-256 hash, so a copy of the table opens no session.

    A session without user_id is someone who has not logged in (yet): the login form's CSRF
    token, a half-done two-step login, a message for the next page. Ended sessions stay until
    `portal purge-sessions` removes them, so the account page can say why one ended."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    data: Mapped[str] = mapped_column(Text, default="")
    device: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    ended_at: Mapped[dt.datetime | None]
    # logout, login (a new session at login), password, account_off, ended_by_user, idle, max_age
    ended_reason: Mapped[str | None] = mapped_column(String(20))


class Authorization(Model):
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


class AuditEvent(Model):
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
