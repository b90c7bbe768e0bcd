"""The two-step login (TOTP): a secret per login, the code of 6 digits that proves it, a code
used once, and a lock after too many wrong codes."""

from __future__ import annotations

import datetime as dt

import pyotp
from sqlalchemy import update

from portal.access.audit import as_local, record, stored_timezone
from portal.access.constants import Role
from portal.access.models import User
from portal.access.rules import (
    code_lock_until,
    code_locked,
    match_totp_step,
    two_step_needed,
    two_step_required,
)
from portal.database import rowcount
from portal.dates import TZ
from portal.extensions import db
from portal.refusals import Refusal, Refused

TOTP_ISSUER = "PGB-portaal"


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(email: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def needs_two_step(user: User) -> bool:
    return two_step_needed(Role(user.role), bool(user.totp_secret))


def check_login_code(user: User, code: str | None, *, now: dt.datetime) -> None:
    """The second step: is this the user's current code, not used before? Marks it used, or
    raises Refused: WRONG_CODE, or "code_locked" (saying when to try again) once the login
    had MAX_CODE_ATTEMPTS wrong codes in a row. Counted on the login, not in a cookie; the
    edge keeps the count when it answers the refusal (portal.web.keep_writes_of_refusal).

    A code's time step is claimed by one conditional UPDATE whose row count decides, so of
    parallel requests with the same code exactly one gets in."""
    locked = _code_lock(user, now)
    if locked is not None:
        raise Refused(locked)
    step = (match_totp_step(user.totp_secret, code, now, user.totp_last_step)
            if user.totp_secret else None)
    if step is not None and _claim_code_step(user, step):
        return
    until = _count_wrong_code(user, now)
    if until is not None:
        record("two_step_locked", actor=user, household_id=user.household_id,
               summary="Inloggen geblokkeerd na te veel verkeerde codes")
        raise Refused(_locked_refusal(until))
    raise Refused(WRONG_CODE)


def _claim_code_step(user: User, step: int) -> bool:
    claimed = rowcount(db.session.execute(
        update(User)
        .where(User.id == user.id,
               (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step, totp_failures=0, totp_locked_until=None)
        .execution_options(synchronize_session=False))) == 1
    db.session.expire(user, ["totp_last_step", "totp_failures", "totp_locked_until"])
    return claimed


def _count_wrong_code(user: User, now: dt.datetime) -> dt.datetime | None:
    """One more wrong code; the moment the login is locked until, when this one locks it."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(totp_failures=User.totp_failures + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(user, ["totp_failures"])
    until = code_lock_until(user.totp_failures, now)
    if until is not None:
        db.session.execute(update(User).where(User.id == user.id)
                           .values(totp_failures=0, totp_locked_until=until)
                           .execution_options(synchronize_session=False))
        db.session.expire(user, ["totp_failures", "totp_locked_until"])
    return until


def _locked_refusal(until: dt.datetime) -> Refusal:
    return Refusal("code_locked", "U heeft te vaak een verkeerde code ingevuld. Voor uw "
                   f"veiligheid kunt u het om {until.astimezone(TZ):%H:%M} uur opnieuw "
                   "proberen.", "code")


def _code_lock(user: User, now: dt.datetime) -> Refusal | None:
    if user.totp_locked_until is None:
        return None
    until = as_local(user.totp_locked_until, stored_timezone())
    return _locked_refusal(until) if code_locked(until, now) else None


WRONG_CODE = Refusal("code_wrong", "De code klopt niet. Kijk in uw app en typ de code van 6 "
                     "cijfers die u nu ziet.", "code")


def enable_two_step(user: User, secret: str, code: str | None, *, now: dt.datetime) -> User:
    """Turn on the two-step login (or set it up for a role that needs it): the first code from
    the app proves that the app has the secret."""
    if not secret:
        raise Refused(WRONG_CODE)
    step = match_totp_step(secret, code, now, None)
    if step is None:
        raise Refused(WRONG_CODE)
    user.totp_secret = secret
    user.totp_last_step = step
    record("two_step_enabled", actor=user, household_id=user.household_id,
           summary="Inloggen in twee stappen aangezet")
    db.session.flush()
    return user


def disable_two_step(user: User, code: str | None, *, now: dt.datetime) -> User:
    """Turn the two-step login off: only for roles that do not need it, with a current code."""
    if two_step_required(Role(user.role)):
        raise Refused(Refusal("two_step_required", "Voor uw rol is inloggen in twee stappen "
                              "verplicht. U kunt het niet uitzetten."))
    check_login_code(user, code, now=now)
    user.totp_secret = None
    user.totp_last_step = None
    record("two_step_disabled", actor=user, household_id=user.household_id,
           summary="Inloggen in twee stappen uitgezet")
    db.session.flush()
    return user
