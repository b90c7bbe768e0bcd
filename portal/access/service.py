"""Accounts, passwords and the audit log."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.access.rules import RESET_LINK_VALID, check_new_password, check_new_user
from portal.extensions import db
from portal.refusals import Refusal, Refused

_hashers: dict[bool, PasswordHasher] = {
    False: PasswordHasher(),
    # Tests only: a tiny cost so hundreds of logins do not take minutes.
    True: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}



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


# Password reset: a signed token that carries the user id and a fingerprint of the current
# password hash. It expires after an hour, and once the password changed it no longer
# matches: a one-time link without a table of tokens.
def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "h": user.password_hash[-16:]})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=int(RESET_LINK_VALID.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or user.password_hash[-16:] != data.get("h"):
        return None
    return user


def reset_password(token: str, password: str, repeated: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise Refused(Refusal("reset_link_invalid", "Deze link werkt niet meer. Een link is een uur "
                              "geldig en werkt maar een keer. Vraag een nieuwe link aan."))
    refusals = check_new_password(password, repeated)
    if refusals:
        raise Refused(refusals)
    user.password_hash = hash_password(password)
    record("password_reset", actor=user, household_id=user.household_id,
           summary="Wachtwoord opnieuw ingesteld")
    db.session.flush()
    return user
