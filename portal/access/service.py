"""Logins: accounts, passwords, password and welcome links, logins made by the payment office.

The other rooms of access: audit.py (the audit log and the access log; its writers are
imported from here by every area), authorizations.py (machtigingen), two_step.py (the TOTP
login), session_store.py (the sessions on the server), sessions.py (Flask's side of them)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import column as sa_column
from sqlalchemy import func, select
from sqlalchemy import table as sa_table

# The audit log is a room of its own (audit.py); every area records through these names.
from portal.access.audit import HELPER_ROLES as HELPER_ROLES
from portal.access.audit import ON_BEHALF_ROLES as ON_BEHALF_ROLES
from portal.access.audit import LogEntry as LogEntry
from portal.access.audit import LogPage as LogPage
from portal.access.audit import access_log as access_log
from portal.access.audit import as_local as as_local
from portal.access.audit import log_access as log_access
from portal.access.audit import record
from portal.access.audit import record_many as record_many
from portal.access.audit import stored_timezone as stored_timezone
from portal.access.constants import Role
from portal.access.models import (
    User,
    password_fingerprint,
)
from portal.access.permissions import require_office
from portal.access.rules import (
    MIN_PASSWORD_LENGTH,
    RESET_LINK_VALID,
    WELCOME_LINK_VALID,
    check_account_activity,
    check_new_password,
    check_new_user,
    check_user_links,
    check_welcome_again,
    link_expired,
    link_validity,
    two_step_required,
)
from portal.access.session_store import end_sessions
from portal.database import parse_id
from portal.dates import now
from portal.extensions import db
from portal.refusals import Refusal, Refused, refuse_if
from portal.text import clean_text

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


# A login the payment office made has no password until its owner sets one through the link in
# the welcome mail: its hash is this marker and random characters (never an argon2 hash, so no
# password matches it; the random part makes the link's fingerprint of the hash unique).
UNUSABLE_PASSWORD_PREFIX = "!"


def unusable_password_hash() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(24)


def has_usable_password(user: User) -> bool:
    return not user.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX)


def verify_password(user: User, password: str) -> bool:
    if not has_usable_password(user):
        _verify(_dummy_hash(), password or "")  # as long as a wrong password takes
        return False
    return _verify(user.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash made with the current cost, of a password nobody has (made once per cost)."""
    hasher = _hasher()
    key = id(hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(pyotp.random_base32())
    return _dummy_hashes[key]


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail address and password, or None.

    Always one argon2 verification - against a dummy hash when no active account has this
    address - so the time a login takes does not tell whether an account exists.
    """
    user = find_user_by_email(email or "")
    if user is None or not user.is_active:
        _verify(_dummy_hash(), password or "")
        return None
    return user if verify_password(user, password or "") else None


def load_user(user_id: str) -> User | None:
    """The user of a session (Flask-Login's user loader; User.get_id made `user_id`). The
    session itself lives on the server (portal.access.sessions): logging out, a new password
    and a login turned off end it there. A login that is off loads as nobody anyway."""
    return active_user(user_id)


def user_with_id(user_id: int) -> User:
    """The login a row points at (a foreign key, so it exists)."""
    return db.session.get_one(User, user_id)


def find_user(user_id: int | str | None, *, lock: bool = False) -> User | None:
    """The login with this id; lock: locked and read again (SELECT ... FOR UPDATE)."""
    known_id = parse_id(user_id)
    if known_id is None:
        return None
    if lock:
        return db.session.get(User, known_id, with_for_update=True, populate_existing=True)
    return db.session.get(User, known_id)


def active_user(user_id: int | str | None) -> User | None:
    """The login with this id, if it is on (not turned off by the payment office)."""
    user = find_user(user_id)
    return user if user is not None and user.is_active else None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


# The tables an account links to, by name: they belong to higher floors (budgets, agreements),
# which access does not import.
LINK_TABLES = {"household": "households", "provider": "providers", "funder": "funders"}


def _row_exists(table_name: str, row_id: int) -> bool:
    if parse_id(row_id) is None:  # no id of ours, and too large for the database driver
        return False
    rows = sa_table(table_name, sa_column("id"))
    return db.session.scalar(select(rows.c.id).where(rows.c.id == row_id)) is not None


def create_user(email: str, password: str | None, role: str, name: str, *,
                household_id: int | None = None, provider_id: int | None = None,
                funder_id: int | None = None, totp_secret: str | None = None) -> User:
    """A new login: the command line's `create-user` (with a password) and the payment office's
    page (password None: no usable password until the person sets one through a link)."""
    email, name = clean_text(email) or "", clean_text(name) or ""  # the command line's too
    refusals = check_new_user(email, password, role, name)
    if not any(r.field == "email" for r in refusals) and find_user_by_email(email) is not None:
        refusals.append(Refusal("email_taken", "Er is al een account met dit e-mailadres. Zoek het "
                                "op bij de inlogaccounts, of gebruik een ander e-mailadres.",
                                "email"))
    given = {"household": household_id, "provider": provider_id, "funder": funder_id}
    known = {link: _row_exists(LINK_TABLES[link], value) for link, value in given.items()
             if value is not None}
    refusals += check_user_links(role, given, known)
    if refusals:
        raise Refused(refusals)
    user = User(email=email.strip().lower(), name=name.strip(), role=Role(role),
                password_hash=(unusable_password_hash() if password is None
                               else hash_password(password)), household_id=household_id,
                provider_id=provider_id, funder_id=funder_id, totp_secret=totp_secret)
    db.session.add(user)
    db.session.flush()
    return user


# Password links: a signed token that carries the user id, a fingerprint of the current
# password hash and how long it is valid (an hour after "Wachtwoord vergeten", a week in the
# welcome mail of a new login). Once the password changed it no longer matches: a one-time
# link without a table of tokens.
def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User, valid: dt.timedelta = RESET_LINK_VALID) -> str:
    return _reset_serializer().dumps({"u": user.id, "h": password_fingerprint(user.password_hash),
                                      "v": int(valid.total_seconds())})


def user_for_reset_token(token: str) -> User | None:
    try:
        data, signed_at = _reset_serializer().loads(token, return_timestamp=True)
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if link_expired(signed_at, now(), link_validity(data.get("v"))):
        return None
    user = active_user(data["u"])
    if user is None or password_fingerprint(user.password_hash) != data.get("h"):
        return None
    return user


def send_reset_link(user: User, link: str) -> bool:
    """Mail the link to set a new password (access.mail: the SMTP server in production, the log
    in development). Sent from a thread: the reset page answers as fast for a known address as
    for an unknown one."""
    from portal.access.mail import send_mail

    return send_mail(user.email, "Nieuw wachtwoord instellen voor het PGB-portaal",
                     f"Beste {user.name},\n\n"
                     "U heeft gevraagd om een nieuw wachtwoord voor het PGB-portaal. Met deze link "
                     f"stelt u een nieuw wachtwoord in:\n\n{link}\n\n"
                     "De link is een uur geldig en werkt maar een keer. Heeft u dit niet gevraagd? "
                     "Dan hoeft u niets te doen: uw wachtwoord blijft hetzelfde.\n", wait=False)


LINK_NOT_WORKING = Refusal("reset_link_invalid", "Deze link werkt niet meer. Een link werkt maar "
                           "een keer en is een beperkte tijd geldig. Vraag via 'Wachtwoord "
                           "vergeten' een nieuwe link aan.")


def reset_password(token: str, password: str, repeated: str) -> User:
    """Set the password through a link: a new one after 'Wachtwoord vergeten', or the first
    one of a login the payment office made."""
    user = user_for_reset_token(token)
    if user is None:
        raise Refused(LINK_NOT_WORKING)
    refusals = check_new_password(password, repeated)
    if refusals:
        raise Refused(refusals)
    first = not has_usable_password(user)
    user.password_hash = hash_password(password)
    end_sessions(user.id, "password")
    record("password_set" if first else "password_reset", actor=user,
           household_id=user.household_id,
           summary="Wachtwoord ingesteld" if first else "Wachtwoord opnieuw ingesteld")
    db.session.flush()
    return user


WRONG_CURRENT_PASSWORD = Refusal("current_password_wrong", "Uw huidige wachtwoord klopt niet. "
                                 "Typ het wachtwoord waarmee u nu inlogt.", "current")


def change_password(user: User, current: str, password: str, repeated: str) -> User:
    """'Wachtwoord wijzigen': the current password, then a new one twice (the same rules as a
    reset). Every link to set a password that is still out stops working, and every session
    of the login ends; the page gives the device that changed it a new one (a new id)."""
    refusals = [] if verify_password(user, current or "") else [WRONG_CURRENT_PASSWORD]
    refusals += check_new_password(password or "", repeated or "")
    refuse_if(refusals)
    user.password_hash = hash_password(password)
    end_sessions(user.id, "password")
    record("password_changed", actor=user, household_id=user.household_id,
           summary="Wachtwoord gewijzigd")
    db.session.flush()
    return user


# --- Logins made by the payment office ----------------------------------------------------------


def _welcome_text(user: User, link: str) -> str:
    validity = f"{WELCOME_LINK_VALID.days} dagen"
    two_step = ("\n\nVoor uw rol logt u in twee stappen in. Na uw wachtwoord stelt u een "
                "authenticator-app in (bijvoorbeeld op uw telefoon); die geeft u bij elke keer "
                "inloggen een code van 6 cijfers." if two_step_required(Role(user.role)) else "")
    return (f"Beste {user.name},\n\n"
            "Het betaalkantoor heeft een inlog voor u gemaakt in het PGB-portaal, als "
            f"{Role(user.role).label.lower()}. Uw inlognaam is uw e-mailadres: {user.email}.\n\n"
            "Kies eerst een wachtwoord (minstens "
            f"{MIN_PASSWORD_LENGTH} tekens) met deze link:\n\n{link}\n\n"
            f"De link is {validity} geldig en werkt maar een keer. Is de link verlopen? Kies dan "
            "op de inlogpagina 'Wachtwoord vergeten': u krijgt een nieuwe link." + two_step +
            "\n\nHeeft u geen inlog gevraagd? Dan hoeft u niets te doen. Zonder wachtwoord kan "
            "niemand met deze inlog inloggen.\n")


def invite_user(actor: User, *, email: str, name: str, role: str,
                household_id: int | None = None, provider_id: int | None = None,
                funder_id: int | None = None, link_for: Callable[[str], str]) -> User:
    """The payment office makes a login: the same rules and refusals as `portal create-user`,
    but without a password. Once the transaction commits, the person gets a welcome mail with
    a link (valid WELCOME_LINK_VALID) to choose one; a role that logs in in two steps sets up
    its app at the first login. `link_for(token)` makes the link's address. Audit-logged."""
    require_office(actor, "inlogaccounts beheren", system=False)
    user = create_user(email or "", None, role or "", name or "", household_id=household_id,
                       provider_id=provider_id, funder_id=funder_id)
    record("account_created", actor=actor, household_id=user.household_id, object_type="user",
           object_id=user.id, summary=f"Inlog gemaakt voor {user.name} "
           f"({Role(user.role).label.lower()}, {user.email})",
           detail={"user_id": user.id, "role": user.role, "provider_id": user.provider_id,
                   "funder_id": user.funder_id})
    _send_welcome(user, link_for)
    return user


def _send_welcome(user: User, link_for: Callable[[str], str]) -> None:
    from portal.access.mail import send_after_commit

    link = link_for(make_reset_token(user, WELCOME_LINK_VALID))
    send_after_commit(db.session(), user.email, "Uw inlog voor het PGB-portaal",
                      _welcome_text(user, link))


def _office_target(actor: User, user_id: int) -> User:
    """The login the payment office acts on (only the office; an unknown id is refused)."""
    require_office(actor, "inlogaccounts beheren", system=False)
    # Locked and read again: two changes of one login at the same moment are decided one
    # after the other (the second of two identical ones: 'Dit is al gedaan').
    target = find_user(user_id, lock=True)
    if target is None or target.is_machine:  # an API key's account is the key's, not a login
        raise Refused(Refusal("account_unknown", "Deze inlog bestaat niet."))
    return target


def welcome_state(user: User) -> str:
    """A short fingerprint of the login's current welcome link (its unusable password hash):
    what a page showed, so the button that sends the welcome mail again can say which link it
    replaces."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def send_welcome_again(actor: User, user_id: int, *, link_for: Callable[[str], str],
                       seen: str | None = None) -> User:
    """The payment office sends the welcome mail of a login again, with a new link (valid
    WELCOME_LINK_VALID), for someone whose link expired or whose mail got lost. The link in the
    earlier mail stops working: the login gets a new unusable password hash, which the links
    carry a fingerprint of. Only before a password was chosen. Audit-logged.

    A compare-and-set: the login's row is locked and read again; `seen` (welcome_state of the
    page the office clicked on) no longer matching means the mail was just sent again by an
    identical click: 'Dit is al gedaan', no second mail."""
    target = _office_target(actor, user_id)
    refuse_if(check_welcome_again(active=target.is_active_account,
                                  has_password=has_usable_password(target), name=target.name,
                                  sent_since_seen=bool(seen) and seen != welcome_state(target)))
    target.password_hash = unusable_password_hash()
    record("welcome_sent_again", actor=actor, household_id=target.household_id,
           object_type="user", object_id=target.id,
           summary=f"Welkomstmail opnieuw gestuurd aan {target.name} ({target.email})",
           detail={"user_id": target.id})
    db.session.flush()
    _send_welcome(target, link_for)
    return target


def set_account_active(actor: User, user_id: int, active: bool) -> User:
    """The payment office turns a login off (someone left the organisation) or on again. A login
    that is off cannot log in, and every session of it ends (turned on again, it logs in
    anew). Nobody turns off their own. Audit-logged."""
    target = _office_target(actor, user_id)
    refuse_if(check_account_activity(actor_id=actor.id, target_id=target.id,
                                     active=target.is_active_account, wanted=active))
    target.is_active_account = active
    if not active:
        end_sessions(target.id, "account_off")
    what = "weer aangezet" if active else "uitgezet"
    record("account_enabled" if active else "account_disabled", actor=actor,
           household_id=target.household_id, object_type="user", object_id=target.id,
           summary=f"Inlog van {target.name} ({target.email}) {what}",
           detail={"user_id": target.id})
    db.session.flush()
    return target


