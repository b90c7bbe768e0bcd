"""Accounts, passwords and the audit log."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.extensions import db
from portal.refusals import Refusal, Refused

_hashers: dict[bool, PasswordHasher] = {
    False: PasswordHasher(),
    # Tests only: a tiny cost so hundreds of logins do not take minutes.
    True: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}

MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    fast = has_app_context() and bool(current_app.config.get("PORTAL_ARGON2_FAST"))
    return _hashers[fast]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def check_new_user(email: str, password: str, role: str, name: str) -> list[Refusal]:
    refusals = []
    if "@" not in email or "." not in email.rsplit("@", 1)[-1] or " " in email.strip():
        refusals.append(Refusal("email_invalid", "Vul een geldig e-mailadres in, zoals "
                                "naam@voorbeeld.nl.", "email"))
    if len(password) < MIN_PASSWORD_LENGTH:
        refusals.append(Refusal("password_too_short", f"Kies een wachtwoord van minstens "
                                f"{MIN_PASSWORD_LENGTH} tekens.", "password"))
    if role not in {r.value for r in Role}:
        refusals.append(Refusal("role_unknown", "Deze rol bestaat niet. Kies uit: "
                                + ", ".join(r.value for r in Role) + ".", "role"))
    if not name.strip():
        refusals.append(Refusal("name_missing", "Vul een naam in.", "name"))
    return refusals


def create_user(email: str, password: str, role: str, name: str, *, household_id: int | None = None,
                provider_id: int | None = None, funder_id: int | None = None,
                totp_secret: str | None = None) -> User:
    refusals = check_new_user(email, password, role, name)
    if not refusals and find_user_by_email(email) is not None:
        refusals.append(Refusal("email_taken", "Er is al een account met dit e-mailadres.", "email"))
    if role == Role.BUDGETHOUDER and household_id is None:
        refusals.append(Refusal("household_missing", "Een budgethouder hoort bij een huishouden.",
                                "household"))
    if role == Role.ZORGVERLENER and provider_id is None:
        refusals.append(Refusal("provider_missing", "Een zorgverlener-account hoort bij een "
                                "zorgverlener.", "provider"))
    if role == Role.CONSULENT and funder_id is None:
        refusals.append(Refusal("funder_missing", "Een consulent hoort bij een verstrekker.", "funder"))
    if refusals:
        raise Refused(refusals)
    user = User(email=email.strip().lower(), name=name.strip(), role=Role(role),
                password_hash=hash_password(password), household_id=household_id,
                provider_id=provider_id, funder_id=funder_id, totp_secret=totp_secret)
    db.session.add(user)
    db.session.flush()
    return user


def record(action: str, *, actor: User | None, on_behalf_of: User | None = None,
           household_id: int | None = None, object_type: str | None = None,
           object_id: int | None = None, summary: str = "", detail: dict | None = None) -> AuditEvent:
    """Append an event to the audit log (in the caller's transaction)."""
    event = AuditEvent(action=action, actor_id=actor.id if actor else None,
                       on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
                       household_id=household_id, object_type=object_type, object_id=object_id,
                       summary=summary, detail=detail)
    db.session.add(event)
    return event
