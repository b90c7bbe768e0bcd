# Over 500 lines: accounts, two-step login and authorisations share the audit writers here.
"""Accounts, passwords, authorisations, the two-step login and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.orm import aliased

from portal.access.constants import Role, Scope
from portal.access.models import (
    AuditEvent,
    Authorization,
    User,
    UserSession,
    password_fingerprint,
)
from portal.access.permissions import budget_holder_of, require_office
from portal.access.rules import (
    MIN_PASSWORD_LENGTH,
    RESET_LINK_VALID,
    WELCOME_LINK_VALID,
    Grantee,
    check_account_activity,
    check_new_authorization,
    check_new_password,
    check_new_user,
    check_revoke,
    check_user_links,
    check_welcome_again,
    code_lock_until,
    code_locked,
    link_expired,
    link_validity,
    match_totp_step,
    two_step_needed,
    two_step_required,
)
from portal.database import bulk_insert, parse_id
from portal.dates import TZ, format_day, now
from portal.dates import now as dates_now
from portal.extensions import db
from portal.messages.service import notify
from portal.pagination import Page, paginate
from portal.refusals import Refusal, Refused, refuse_if
from portal.text import clean_text, one_line

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


# People who reach a household's file only through its budget holder's authorisation.
HELPER_ROLES = frozenset({Role.VERTEGENWOORDIGER, Role.ADVISEUR})
# ... and whose looks at another household's file are therefore on that holder's behalf.
ON_BEHALF_ROLES = HELPER_ROLES | {Role.BUDGETHOUDER}


def record(action: str, *, actor: User | None, on_behalf_of: User | None = None,
           household_id: int | None = None, object_type: str | None = None,
           object_id: int | None = None, summary: str = "", detail: dict | None = None) -> AuditEvent:
    """Append an event to the audit log (in the caller's transaction). The summary is one
    line, whatever a name in it holds (portal.text.one_line)."""
    event = AuditEvent(action=action, actor_id=actor.id if actor else None,
                       on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
                       household_id=household_id, object_type=object_type, object_id=object_id,
                       summary=one_line(summary), detail=detail)
    db.session.add(event)
    return event


def record_many(events: list[dict]) -> None:
    """Many audit events in one bulk insert (a payment run's): each a dict of `record`'s
    keyword arguments, with actor_id / on_behalf_of_id instead of the users. Each summary is
    one line, as in `record`."""
    moment = dates_now()
    rows = [{"action": e["action"], "actor_id": e.get("actor_id"),
             "on_behalf_of_id": e.get("on_behalf_of_id"), "household_id": e.get("household_id"),
             "object_type": e.get("object_type"), "object_id": e.get("object_id"),
             "summary": one_line(e.get("summary", "")), "detail": e.get("detail"),
             "at": moment}
            for e in events]
    if rows:
        bulk_insert(AuditEvent, rows)


def log_access(actor: User | None, household_id: int, what: str, *,
               on_behalf_of: User | None = None, object_type: str | None = None,
               object_id: int | None = None, action: str = "view") -> AuditEvent | None:
    """The one way a page writes a look into the access log the budget holder reads.

    Every loader that shows a household's objects calls this with what it shows, in plain
    Dutch ("urenbriefje oktober 2026 van Marieke de Boer", see portal.describe). It
    writes nothing (returns None) for the budget holder's own look and for anonymous users;
    everyone else - representative, advisor, provider, consulent, payment office - is logged.
    A representative or advisor reaches the file only through the holder's authorisation, so
    their look is on the holder's behalf ("namens"); pass `on_behalf_of` when it is known.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.role == Role.BUDGETHOUDER and actor.household_id == household_id:
        return None
    if on_behalf_of is None and actor.role in ON_BEHALF_ROLES:
        on_behalf_of = budget_holder_of(household_id)
    return record(action, actor=actor, on_behalf_of=on_behalf_of, household_id=household_id,
                  object_type=object_type, object_id=object_id, summary=what)


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


# --- Authorisations (machtigingen) -------------------------------------------------------


def _require_budget_holder(actor: User, household_id: int) -> None:
    """Only the budget holder themselves grants or revokes: a representative may not pass
    access on. Anyone else is told nothing (the edge answers 404)."""
    if actor is None or actor.role != Role.BUDGETHOUDER or actor.household_id != household_id:
        raise Refused(Refusal("not_allowed", "U mag de machtigingen van dit huishouden niet "
                              "beheren."))


def _authorization_is_current(auth: Authorization, today: dt.date) -> bool:
    """Active today, or starting later: it still counts as 'this person has a machtiging'."""
    return auth.revoked_at is None and auth.ends_on >= today


def grant_authorization(actor: User, household_id: int, *, email: str, scope: str,
                        ends_on: dt.date | None, today: dt.date) -> Authorization:
    """The budget holder lets the person with this e-mail address see (or act on) their file
    from today until `ends_on`. Audit-logged; the person gets a message."""
    _require_budget_holder(actor, household_id)
    found = find_user_by_email(email or "")
    grantee = None if found is None else Grantee(found.id, Role(found.role), found.is_active)
    current = db.session.scalars(
        select(Authorization.grantee_id).where(Authorization.household_id == household_id,
                                               Authorization.revoked_at.is_(None),
                                               Authorization.ends_on >= today)
    ).all()
    refuse_if(check_new_authorization(grantor_id=actor.id, grantee=grantee, scope=scope,
                                      ends_on=ends_on, today=today,
                                      active_grantee_ids=set(current)))
    assert found is not None and ends_on is not None
    auth = Authorization(household_id=household_id, grantee_id=found.id, granted_by_id=actor.id,
                         scope=Scope(scope), starts_on=today, ends_on=ends_on)
    db.session.add(auth)
    db.session.flush()
    scope_label = Scope(scope).label.lower()
    record("authorization_granted", actor=actor, household_id=household_id,
           object_type="authorization", object_id=auth.id,
           summary=f"Machtiging gegeven aan {found.name} ({scope_label}) tot en met "
                   f"{format_day(ends_on)}",
           detail={"grantee_id": found.id, "scope": scope, "ends_on": ends_on.isoformat()})
    notify([found.id], "machtiging", f"{actor.name} heeft u een machtiging gegeven",
           f"{actor.name} heeft u gemachtigd: {scope_label}. De machtiging geldt tot en met "
           f"{format_day(ends_on)}. U vindt {actor.name} bij 'Mijn klanten'.")
    return auth


def revoke_authorization(actor: User, authorization_id: int, *, now: dt.datetime) -> Authorization:
    """The budget holder ends an authorisation at once: from the next request on, the person
    has no access any more. Audit-logged; the person gets a message."""
    # Compare-and-set: the authorisation's row is locked and read again, so two revocations
    # at the same moment are decided one after the other (the second: 'Dit is al gedaan').
    auth = db.session.get(Authorization, authorization_id, with_for_update=True,
                          populate_existing=True)
    if auth is None:
        raise Refused(Refusal("not_allowed", "Deze machtiging bestaat niet."))
    _require_budget_holder(actor, auth.household_id)
    refuse_if(check_revoke(revoked=auth.revoked_at is not None, ends_on=auth.ends_on,
                           today=now.date()))
    grantee = db.session.get(User, auth.grantee_id)
    auth.revoked_at = now
    record("authorization_revoked", actor=actor, household_id=auth.household_id,
           object_type="authorization", object_id=auth.id,
           summary=f"Machtiging van {grantee.name} ingetrokken",
           detail={"grantee_id": grantee.id})
    notify([grantee.id], "machtiging", f"{actor.name} heeft uw machtiging ingetrokken",
           f"U kunt het dossier van {actor.name} niet meer bekijken. Heeft u vragen? "
           f"Neem dan contact op met {actor.name}.")
    db.session.flush()
    return auth


@dataclass(frozen=True)
class AuthorizationRow:
    """One authorisation as a page shows it."""

    id: int
    household_id: int
    person_name: str  # the grantee (budget holder's page) or the budget holder (grantee's page)
    person_email: str
    scope: Scope
    starts_on: dt.date
    ends_on: dt.date
    revoked_on: dt.date | None
    active: bool

    @property
    def ended_on(self) -> dt.date:
        return self.revoked_on or self.ends_on


@dataclass(frozen=True)
class AuthorizationList:
    current: list[AuthorizationRow]
    ended: list[AuthorizationRow]


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else as_local(moment, stored_timezone()).date()


def _split(rows: list[AuthorizationRow]) -> AuthorizationList:
    return AuthorizationList(current=[r for r in rows if r.revoked_on is None and r.active],
                             ended=[r for r in rows if not (r.revoked_on is None and r.active)])


def household_authorizations(household_id: int, today: dt.date) -> AuthorizationList:
    """Every authorisation of a household with the grantee's name: current and ended. One query."""
    rows = db.session.execute(
        select(Authorization, User.name, User.email)
        .join(User, User.id == Authorization.grantee_id)
        .where(Authorization.household_id == household_id)
        .order_by(Authorization.ends_on.desc(), Authorization.id.desc())
    ).all()
    return _split([
        AuthorizationRow(a.id, a.household_id, name, email, Scope(a.scope), a.starts_on,
                         a.ends_on, _local_date(a.revoked_at),
                         a.revoked_at is None and a.ends_on >= today)
        for a, name, email in rows])


def represented_by(user: User, today: dt.date) -> AuthorizationList:
    """The people who authorised `user` (a representative or advisor): current ones (active
    today or starting later) and ended ones. Two queries, whatever the number."""
    rows = db.session.scalars(
        select(Authorization).where(Authorization.grantee_id == user.id)
        .order_by(Authorization.ends_on.desc(), Authorization.id.desc())
    ).all()
    household_ids = {a.household_id for a in rows}
    holders: dict[int, User] = {}
    if household_ids:
        for holder in db.session.scalars(
                select(User).where(User.household_id.in_(household_ids),
                                   User.role == Role.BUDGETHOUDER).order_by(User.id.desc())):
            holders[holder.household_id] = holder  # the lowest id wins, as budget_holder_of
    result = []
    for a in rows:
        holder = holders.get(a.household_id)
        result.append(AuthorizationRow(
            a.id, a.household_id, holder.name if holder else f"Huishouden {a.household_id}",
            holder.email if holder else "", Scope(a.scope), a.starts_on,
            a.ends_on, _local_date(a.revoked_at), a.revoked_at is None and a.ends_on >= today))
    return _split(result)


# --- The access log: who saw or changed my file -------------------------------------------

LOG_PAGE_SIZE = 50


def stored_timezone() -> dt.tzinfo:
    """The time zone of naive moments read back from the database.

    Columns are 'timestamp without time zone': SQLite keeps the Amsterdam wall time the
    portal wrote; PostgreSQL converts an aware moment to its session time zone (often UTC),
    which psycopg reports on the connection.
    """
    dbapi = db.session.connection().connection.dbapi_connection
    zone = getattr(getattr(dbapi, "info", None), "timezone", None)
    return zone if isinstance(zone, dt.tzinfo) else TZ


def as_local(moment: dt.datetime, stored: dt.tzinfo = TZ) -> dt.datetime:
    """A stored moment in Europe/Amsterdam (naive values are in `stored`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=stored)
    return moment.astimezone(TZ)


@dataclass(frozen=True)
class LogEntry:
    at: dt.datetime  # Europe/Amsterdam
    actor_name: str
    actor_role: Role
    on_behalf_of_name: str | None
    action: str
    object_type: str | None
    summary: str
    detail: dict | None = None

    @property
    def who(self) -> str:
        if self.on_behalf_of_name:
            return f"{self.actor_name} namens {self.on_behalf_of_name}"
        return f"{self.actor_name} ({self.actor_role.label.lower()})"


@dataclass(frozen=True)
class LogPage(Page):
    entries: list[LogEntry]


def access_log(household_id: int, page: int = 1, per_page: int = LOG_PAGE_SIZE) -> LogPage:
    """Every audit event on the household by someone other than its budget holder, newest
    first, a page at a time. Three queries, whatever the page or the history."""
    holder_ids = select(User.id).where(User.household_id == household_id,
                                       User.role == Role.BUDGETHOUDER).scalar_subquery()
    condition = and_(AuditEvent.household_id == household_id, AuditEvent.actor_id.is_not(None),
                     AuditEvent.actor_id.not_in(holder_ids))
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(condition)) or 0
    shown, offset = paginate(total, page, per_page)
    actor = aliased(User)
    behalf = aliased(User)
    rows = db.session.execute(
        select(AuditEvent, actor.name, actor.role, behalf.name)
        .join(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(behalf, behalf.id == AuditEvent.on_behalf_of_id)
        .where(condition)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset(offset)
    ).all()
    holder = budget_holder_of(household_id) if rows else None
    stored = stored_timezone()
    entries = []
    for event, actor_name, actor_role, behalf_name in rows:
        role = Role(actor_role)
        if behalf_name is None and role in HELPER_ROLES and holder is not None:
            # A representative or advisor reaches this file only through the holder's
            # authorisation: whatever they see or do, they do on the holder's behalf.
            behalf_name = holder.name
        entries.append(LogEntry(as_local(event.at, stored), actor_name, role, behalf_name,
                                event.action, event.object_type, event.summary, event.detail))
    return LogPage(**asdict(shown), entries=entries)


# --- Two-step login (TOTP) ----------------------------------------------------------------

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
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id,
               (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step, totp_failures=0, totp_locked_until=None)
        .execution_options(synchronize_session=False)).rowcount == 1
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


# --- Sessions on the server (the store behind portal.access.sessions) ---------------------

SESSION_KEPT_AFTER_END = dt.timedelta(days=30)


def hash_session_token(token: str) -> str:
    """What the database keeps of a session cookie: its SHA-256 (the token has 256 random bits,
    so no salt or slow hash is needed, and a copy of the table opens no session)."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_session(token: str) -> UserSession | None:
    return db.session.scalar(select(UserSession)
                             .where(UserSession.token_hash == hash_session_token(token)))


def start_session(token: str, *, user_id: int | None, data: str, device: str,
                  now: dt.datetime) -> UserSession:
    row = UserSession(token_hash=hash_session_token(token), user_id=user_id, data=data,
                      device=device, created_at=now, last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def store_session(session_id: int, data: str | None, now: dt.datetime) -> bool:
    """Write a live session's data (None: only 'last seen'); False when it ended meanwhile."""
    values: dict = {"last_seen_at": now}
    if data is not None:
        values["data"] = data
    return db.session.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1


def end_session(session_id: int, reason: str, now: dt.datetime | None = None) -> bool:
    """End one session (if it still lives): every copy of its cookie gets the login page."""
    return db.session.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=now or dates_now(), ended_reason=reason)
        .execution_options(synchronize_session=False)).rowcount == 1


def end_sessions(user_id: int, reason: str, *, keep: int | None = None,
                 now: dt.datetime | None = None) -> int:
    """End every live session of a login (but `keep`): logout everywhere, a new password, a
    login turned off. How many ended."""
    condition = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep)
    return db.session.execute(
        update(UserSession).where(*condition)
        .values(ended_at=now or dates_now(), ended_reason=reason)
        .execution_options(synchronize_session=False)).rowcount


@dataclass(frozen=True)
class ActiveSession:
    """A session as 'Waar bent u ingelogd' shows it (moments in Europe/Amsterdam)."""

    id: int
    device: str
    started: dt.datetime
    last_seen: dt.datetime
    current: bool


def active_sessions(user: User, *, current_id: int | None, now: dt.datetime,
                    idle: dt.timedelta, max_age: dt.timedelta) -> list[ActiveSession]:
    """The login's sessions that still live, the most recently used first. One query."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
               UserSession.last_seen_at >= now - idle, UserSession.created_at >= now - max_age)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).all()
    stored = stored_timezone() if rows else TZ
    return [ActiveSession(r.id, r.device, as_local(r.created_at, stored),
                          as_local(r.last_seen_at, stored), r.id == current_id) for r in rows]


SESSION_GONE = Refusal("session_gone", "Deze sessie is al beëindigd. U hoeft niets te doen.")


def end_own_session(user: User, session_id: int, *, now: dt.datetime) -> None:
    """The user ends one of their own sessions ('Waar bent u ingelogd'). Someone else's, or an
    unknown one, is refused as not allowed (the edge answers 404). Audit-logged."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise Refused(Refusal("not_allowed", "Deze sessie bestaat niet."))
    if not end_session(row.id, "ended_by_user", now):
        raise Refused(SESSION_GONE)
    record("session_ended", actor=user, household_id=user.household_id,
           object_type="session", object_id=row.id,
           summary=f"Uitgelogd op een apparaat ({row.device})")


def end_sessions_everywhere(user: User, *, keep: int | None, now: dt.datetime) -> int:
    """'Overal uitloggen': every session of the user but `keep` (None: this one too) ends.
    Audit-logged. How many ended."""
    ended = end_sessions(user.id, "ended_by_user", keep=keep, now=now)
    record("sessions_ended", actor=user, household_id=user.household_id,
           summary="Overal uitgelogd" if keep is None
           else "Uitgelogd op alle andere apparaten", detail={"ended": ended})
    return ended


def purge_sessions(now: dt.datetime, idle: dt.timedelta) -> int:
    """Remove what no longer counts: sessions of nobody (not logged in) idle longer than the
    idle limit, and every session last seen more than SESSION_KEPT_AFTER_END ago."""
    gone = or_(and_(UserSession.user_id.is_(None), UserSession.last_seen_at < now - idle),
               UserSession.last_seen_at < now - SESSION_KEPT_AFTER_END)
    return db.session.execute(delete(UserSession).where(gone)).rowcount
