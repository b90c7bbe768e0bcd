"""Pure decisions about sessions, passwords, authorisations and the two-step login."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

import pyotp

from portal.access.constants import TWO_STEP_ROLES, Role, Scope
from portal.dates import format_day
from portal.refusals import Refusal, repeat
from portal.text import check_one_line

# Sessions (portal.access.sessions): the defaults of PORTAL_SESSION_IDLE_MINUTES and
# PORTAL_SESSION_MAX_HOURS. The warning comes two minutes before the idle limit.
IDLE_LIMIT = dt.timedelta(minutes=15)
IDLE_WARNING = dt.timedelta(minutes=13)
IDLE_WARNING_BEFORE = IDLE_LIMIT - IDLE_WARNING
MAX_SESSION_AGE = dt.timedelta(hours=12)
# How often a session's "last seen" is written: not on every request.
SESSION_TOUCH_INTERVAL = dt.timedelta(minutes=1)
# A link to set a password: after "Wachtwoord vergeten" an hour; in the welcome mail of a login
# the payment office made, a week (the person may read their mail later). One kind of link (a
# signed token that carries its own validity), one page that opens it.
RESET_LINK_VALID = dt.timedelta(hours=1)
WELCOME_LINK_VALID = dt.timedelta(days=7)
LONGEST_LINK_VALID = WELCOME_LINK_VALID
MIN_PASSWORD_LENGTH = 10


def session_end_reason(started: dt.datetime, last_seen: dt.datetime, now: dt.datetime, *,
                       idle: dt.timedelta = IDLE_LIMIT,
                       max_age: dt.timedelta = MAX_SESSION_AGE) -> str | None:
    """Why a session is over at `now`: "max_age" (older than the absolute lifetime), "idle"
    (no activity recorded for longer than the idle lifetime), or None: it lives. Activity is
    recorded at most once a SESSION_TOUCH_INTERVAL, so the idle limit is never exceeded, but
    a session may end up to that interval earlier."""
    if now - started > max_age:
        return "max_age"
    if now - last_seen > idle:
        return "idle"
    return None


def session_needs_touch(last_seen: dt.datetime, now: dt.datetime) -> bool:
    return now - last_seen >= SESSION_TOUCH_INTERVAL


# The browser and system a User-Agent names, for "Waar bent u ingelogd": the first match wins
# (Edge and Opera also say Chrome; Chrome also says Safari; Android also says Linux).
_BROWSERS = [("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"), ("Chrome", "Chrome"),
             ("Chromium", "Chromium"), ("Safari", "Safari")]
_SYSTEMS = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"),
            ("CrOS", "ChromeOS"), ("Linux", "Linux")]
DEVICE_MAX_LENGTH = 120


FLASHES = "_flashes"


def merge_session_data(opened: dict[str, Any], ours: dict[str, Any],
                       stored: dict[str, Any]) -> dict[str, Any]:
    """What to store for a session that this request changed while other requests with the
    same cookie may have saved it meanwhile (a double click sends two at once).

    `opened` is what this request read, `ours` what it holds now, `stored` what is in the
    database now. Keys this request changed (or removed) take its value; every other key keeps
    the stored one. Notices (Flask's flashes) add up: the ones others added since this request
    opened the session stay, next to this request's own, so "Dit is al gedaan." is not lost
    when the request that made the change happens to save last."""
    merged = dict(stored)
    for key in opened.keys() | ours.keys():
        if key == FLASHES:
            continue
        if key not in ours:
            merged.pop(key, None)
        elif opened.get(key, _MISSING) != ours[key]:
            merged[key] = ours[key]
    theirs = [f for f in stored.get(FLASHES, []) if f not in opened.get(FLASHES, [])]
    flashes = theirs + [f for f in ours.get(FLASHES, []) if f not in theirs]
    if flashes:
        merged[FLASHES] = flashes
    else:
        merged.pop(FLASHES, None)
    return merged


_MISSING = object()


def describe_device(user_agent: str | None) -> str:
    """A short, plain description of a device ("Firefox op Windows") from its User-Agent."""
    text = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in text), None)
    system = next((name for key, name in _SYSTEMS if key in text), None)
    if browser and system:
        return f"{browser} op {system}"
    if browser or system:
        return browser or system or ""
    printable = "".join(ch for ch in text if ch.isprintable()).strip()
    return printable[:DEVICE_MAX_LENGTH] or "Onbekend apparaat"


def check_password_strength(password: str) -> list[Refusal]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Refusal("password_too_short", f"Kies een wachtwoord van minstens "
                        f"{MIN_PASSWORD_LENGTH} tekens.", "password")]
    return []


def link_validity(seconds: object) -> dt.timedelta:
    """How long a password link is valid: what the (signed) link says, at most a week; a link
    that says nothing (made before links carried it) an hour."""
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
        return min(dt.timedelta(seconds=seconds), LONGEST_LINK_VALID)
    return RESET_LINK_VALID


def link_expired(signed_at: dt.datetime, moment: dt.datetime, valid: dt.timedelta) -> bool:
    """Is a link signed at `signed_at` too old at `moment` (both aware)?"""
    return moment - signed_at > valid


def check_new_password(password: str, repeated: str) -> list[Refusal]:
    refusals = check_password_strength(password)
    if password != repeated:
        refusals.append(Refusal("password_mismatch", "De twee wachtwoorden zijn niet gelijk. "
                                "Typ hetzelfde wachtwoord twee keer.", "repeat"))
    return refusals


# What the users table holds (and what an e-mail address may be, RFC 5321).
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254


def check_email(email: str, field: str = "email") -> list[Refusal]:
    """A typed e-mail address (not empty): one address as email-validator reads it (no list
    of two, no IP address for a domain), not too long. Whether it exists is not checked."""
    from email_validator import EmailNotValidError, validate_email

    email = email.strip()
    if len(email) > EMAIL_MAX_LENGTH:
        return [Refusal("email_too_long", "Dit e-mailadres is te lang. Een e-mailadres heeft ten "
                        f"hoogste {EMAIL_MAX_LENGTH} tekens.", field)]
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return [Refusal("email_invalid", "Vul een geldig e-mailadres in, zoals "
                        "naam@voorbeeld.nl.", field)]
    return []


def check_new_user(email: str, password: str | None, role: str, name: str) -> list[Refusal]:
    """A new login. password None: the person sets it themselves (a login the payment office
    made: a link by e-mail), so there is nothing to check yet."""
    refusals = check_one_line({"email": email, "name": name})
    broken = {r.field for r in refusals}
    if "email" in broken:
        pass  # the line break is what to fix first
    elif not email.strip():
        refusals.append(Refusal("email_missing", "Vul het e-mailadres in, zoals "
                                "naam@voorbeeld.nl.", "email"))
    else:
        refusals += check_email(email)
    if password is not None:
        refusals += check_password_strength(password)
    if not role.strip():
        refusals.append(Refusal("role_missing", "Kies een rol: "
                                + ", ".join(r.value for r in Role) + ".", "role"))
    elif role not in {r.value for r in Role}:
        refusals.append(Refusal("role_unknown", "Deze rol bestaat niet. Kies uit: "
                                + ", ".join(r.value for r in Role) + ".", "role"))
    if "name" in broken:
        pass  # the line break is what to fix first
    elif not name.strip():
        refusals.append(Refusal("name_missing", "Vul een naam in.", "name"))
    elif len(name.strip()) > NAME_MAX_LENGTH:
        refusals.append(Refusal("name_too_long", "Deze naam is te lang. Gebruik ten hoogste "
                                f"{NAME_MAX_LENGTH} tekens.", "name"))
    return refusals


# The one thing an account of each role belongs to; other roles belong to none of them
# (representatives and advisors reach a household only through an authorisation).
ROLE_LINK = {Role.BUDGETHOUDER: "household", Role.ZORGVERLENER: "provider",
             Role.CONSULENT: "funder"}
# link -> (article, noun)
LINK_NOUNS = {"household": ("het", "huishouden"), "provider": ("de", "zorgverlener"),
              "funder": ("de", "verstrekker")}


def check_user_links(role: str, given: dict[str, int | None],
                     known: dict[str, bool]) -> list[Refusal]:
    """May an account of `role` belong to the given household / provider / funder?

    given: link -> the id asked for (None: not given); known: link -> that id exists. The role's
    own link is required and must exist; any other link is refused (a payment-office account
    with a household would see nothing of it, and say it did).
    """
    try:
        role = Role(role)
    except ValueError:
        return []  # check_new_user says role_unknown
    refusals = []
    for link, value in given.items():
        article, noun = LINK_NOUNS[link]
        if link == ROLE_LINK.get(role):
            if value is None:
                refusals.append(Refusal(f"{link}_missing", f"Een {role.label.lower()} hoort bij "
                                        f"een {noun}. Geef het nummer van {article} {noun} op.",
                                        link))
            elif not known.get(link):
                refusals.append(Refusal(f"{link}_unknown", f"Er is geen {noun} met nummer "
                                        f"{value}. Controleer het nummer.", link))
        elif value is not None:
            refusals.append(Refusal("link_not_allowed", f"Een account met de rol "
                                    f"{role.label.lower()} hoort niet bij een {noun}. Laat "
                                    f"{article} {noun} weg.", link))
    return refusals


def check_account_activity(*, actor_id: int, target_id: int, active: bool,
                           wanted: bool) -> list[Refusal]:
    """May the payment office turn this login off (wanted False) or on again (True)?

    Nobody turns off their own login (the office would lock itself out); a login that is
    already as wanted needs nothing.
    """
    if not wanted and actor_id == target_id:
        return [Refusal("own_account", "U kunt uw eigen inlog niet uitzetten. Vraag een collega "
                        "van het betaalkantoor om dat te doen.")]
    if active == wanted:  # a repeat: 'Dit is al gedaan', with how the login stands
        return [repeat("Deze inlog staat al aan." if wanted else "Deze inlog staat al uit.")]
    return []


def check_welcome_again(*, active: bool, has_password: bool, name: str,
                        sent_since_seen: bool = False) -> list[Refusal]:
    """May the payment office send a login's welcome mail again (the link expired, or the mail
    got lost)? Only while the person has not chosen a password, and only for a login that is on.
    sent_since_seen: it was sent again since the page the office clicked on was made: a
    repeat of that click.
    """
    if not active:
        return [Refusal("account_off", "Deze inlog staat uit. Zet de inlog eerst weer aan als "
                        f"{name} weer moet kunnen inloggen.")]
    if has_password:
        return [Refusal("password_already_chosen", f"{name} heeft al een wachtwoord gekozen. Is "
                        f"het wachtwoord vergeten? Dan kiest {name} op de inlogpagina "
                        "'Wachtwoord vergeten' en krijgt een nieuwe link.")]
    if sent_since_seen:
        return [repeat(f"De welkomstmail is net opnieuw naar {name} gestuurd, met een nieuwe "
                       "link.")]
    return []


# --- Authorisations (machtigingen) -------------------------------------------------------

MAX_AUTHORIZATION_YEARS = 5
GRANTEE_ROLES = frozenset({Role.VERTEGENWOORDIGER, Role.ADVISEUR})


@dataclass(frozen=True)
class Grantee:
    """The person a budget holder wants to authorise, as found by e-mail address."""

    user_id: int
    role: Role
    active: bool = True


def authorization_end_limit(today: dt.date) -> dt.date:
    """The latest end date of a new authorisation: five years from today."""
    try:
        return today.replace(year=today.year + MAX_AUTHORIZATION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_AUTHORIZATION_YEARS, day=28)


def check_new_authorization(*, grantor_id: int, grantee: Grantee | None, scope: str,
                            ends_on: dt.date | None, today: dt.date,
                            active_grantee_ids: set[int] | frozenset[int]) -> list[Refusal]:
    """May the budget holder (grantor) authorise this person from today until ends_on?

    A new authorisation starts today. `active_grantee_ids`: people who already have an
    authorisation for this household that is active today or starts later.
    """
    refusals: list[Refusal] = []
    if grantee is None or not grantee.active:
        refusals.append(Refusal(
            "grantee_unknown", "Wij vinden geen account met dit e-mailadres. Controleer het adres. "
            "De persoon heeft een account als vertegenwoordiger of adviseur nodig.", "email"))
    elif grantee.user_id == grantor_id:
        refusals.append(Refusal("grantee_is_self", "U kunt uzelf geen machtiging geven. Vul het "
                                "e-mailadres in van de persoon die u wilt machtigen.", "email"))
    elif grantee.role not in GRANTEE_ROLES:
        refusals.append(Refusal(
            "grantee_role_not_allowed", "Deze persoon kan geen machtiging krijgen. Alleen een "
            "vertegenwoordiger of een adviseur kan een machtiging krijgen.", "email"))
    elif grantee.user_id in active_grantee_ids:
        refusals.append(Refusal(
            "already_authorized", "Deze persoon heeft al een machtiging. Wilt u iets veranderen? "
            "Trek de machtiging dan eerst in en geef daarna een nieuwe.", "email"))
    if scope not in {s.value for s in Scope}:
        refusals.append(Refusal("scope_unknown", "Kies wat de persoon mag: alleen bekijken, of "
                                "bekijken en handelen.", "scope"))
    if ends_on is None:
        refusals.append(Refusal("end_missing", "Vul de datum in waarop de machtiging stopt.",
                                "ends_on"))
    elif ends_on < today:
        refusals.append(Refusal("end_in_past", "De einddatum ligt in het verleden. Kies vandaag "
                                "of een datum in de toekomst.", "ends_on"))
    elif ends_on > authorization_end_limit(today):
        refusals.append(Refusal(
            "end_too_far", f"Een machtiging duurt hoogstens {MAX_AUTHORIZATION_YEARS} jaar. Kies een "
            f"einddatum op of voor {format_day(authorization_end_limit(today))}.", "ends_on"))
    return refusals


def check_revoke(*, revoked: bool, ends_on: dt.date, today: dt.date) -> list[Refusal]:
    if revoked:  # a repeat: 'Dit is al gedaan'
        return [repeat("Deze machtiging is ingetrokken.")]
    if ends_on < today:
        return [Refusal("authorization_ended", "Deze machtiging is al gestopt. U hoeft niets "
                        "te doen.")]
    return []


# --- Two-step login (TOTP) ----------------------------------------------------------------

TOTP_PERIOD = 30
TOTP_VALID_WINDOW = 1  # also the previous and the next 30 seconds (clocks drift)
MAX_CODE_ATTEMPTS = 5
# After MAX_CODE_ATTEMPTS wrong codes in a row the login accepts no code for this long.
CODE_LOCK = dt.timedelta(minutes=15)
PENDING_LOGIN_VALID = dt.timedelta(minutes=5)


def two_step_required(role: Role) -> bool:
    return role in TWO_STEP_ROLES


def two_step_needed(role: Role, has_secret: bool) -> bool:
    """Does this login need a second step: required by the role, or turned on by the user."""
    return has_secret or two_step_required(role)


def normalize_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def totp_step(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // TOTP_PERIOD


def match_totp_step(secret: str, code: str | None, moment: dt.datetime,
                    last_step: int | None) -> int | None:
    """The time step the code belongs to (now, or one step before or after), or None.

    A code for a step at or before `last_step` was already used (or is older than one that
    was): it is refused, so an overheard code cannot be used again.
    """
    code = normalize_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    current = totp_step(moment)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * TOTP_PERIOD), code):
            return step
    return None


def pending_login_expired(started: dt.datetime | None, moment: dt.datetime) -> bool:
    return started is None or moment - started > PENDING_LOGIN_VALID


def code_lock_until(failures: int, now: dt.datetime) -> dt.datetime | None:
    """Until when a login is locked after `failures` wrong codes in a row (None: not)."""
    return now + CODE_LOCK if failures >= MAX_CODE_ATTEMPTS else None


def code_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and now < locked_until
