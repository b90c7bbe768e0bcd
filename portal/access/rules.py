"""Pure decisions about sessions and passwords."""

from __future__ import annotations

import datetime as dt

from portal.access.constants import Role
from portal.refusals import Refusal

IDLE_LIMIT = dt.timedelta(minutes=15)
IDLE_WARNING = dt.timedelta(minutes=13)
RESET_LINK_VALID = dt.timedelta(hours=1)
MIN_PASSWORD_LENGTH = 10


def session_expired(last_seen: dt.datetime | None, now: dt.datetime) -> bool:
    """A session ends after 15 minutes without activity."""
    return last_seen is not None and now - last_seen > IDLE_LIMIT


def check_password_strength(password: str) -> list[Refusal]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Refusal("password_too_short", f"Kies een wachtwoord van minstens "
                        f"{MIN_PASSWORD_LENGTH} tekens.", "password")]
    return []


def check_new_password(password: str, repeated: str) -> list[Refusal]:
    refusals = check_password_strength(password)
    if password != repeated:
        refusals.append(Refusal("password_mismatch", "De twee wachtwoorden zijn niet gelijk. "
                                "Typ hetzelfde wachtwoord twee keer.", "repeat"))
    return refusals


def check_new_user(email: str, password: str, role: str, name: str) -> list[Refusal]:
    refusals = []
    if "@" not in email or "." not in email.rsplit("@", 1)[-1] or " " in email.strip():
        refusals.append(Refusal("email_invalid", "Vul een geldig e-mailadres in, zoals "
                                "naam@voorbeeld.nl.", "email"))
    refusals += check_password_strength(password)
    if role not in {r.value for r in Role}:
        refusals.append(Refusal("role_unknown", "Deze rol bestaat niet. Kies uit: "
                                + ", ".join(r.value for r in Role) + ".", "role"))
    if not name.strip():
        refusals.append(Refusal("name_missing", "Vul een naam in.", "name"))
    return refusals
