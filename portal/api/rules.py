"""Pure checks of a new API key (no Flask, no session)."""

from __future__ import annotations

import datetime as dt
import hashlib

from portal.api.constants import MAX_VALID_DAYS, SCOPES_OF, ApiScope, OwnerKind
from portal.refusals import Refusal


def token_hash(token: str) -> str:
    """The stored form of a key: SHA-256 of the token. Tokens are 256 random bits, so a fast
    hash is right (nothing to guess); the hash lets the key be found in one indexed look-up."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_key(*, label: str, owner_kind: str, owner_known: bool, scopes: list[str],
                  expires_on: dt.date | None, today: dt.date) -> list[Refusal]:
    refusals: list[Refusal] = []
    if not label.strip():
        refusals.append(Refusal("label_missing", "Geef de sleutel een naam, bijvoorbeeld de naam "
                                "van het programma dat hem gebruikt.", "label"))
    elif len(label.strip()) > 100:
        refusals.append(Refusal("label_too_long", "Gebruik voor de naam ten hoogste 100 tekens.",
                                "label"))
    kind = OwnerKind(owner_kind) if owner_kind in OwnerKind._value2member_map_ else None
    if kind is None or not owner_known:
        refusals.append(Refusal("owner_unknown", "Kies de zorgorganisatie of financier waarvoor "
                                "de sleutel is.", "owner"))
    if not scopes:
        refusals.append(Refusal("scopes_missing", "Kies ten minste één recht voor de sleutel.",
                                "scopes"))
    elif kind is not None:
        allowed = {s.value for s in SCOPES_OF[kind]}
        wrong = [s for s in scopes if s not in allowed]
        if wrong:
            names = ", ".join(sorted(wrong))
            refusals.append(Refusal("scope_not_allowed", f"Deze rechten passen niet bij een "
                                    f"{kind.label.lower()}: {names}. Kies uit: "
                                    f"{', '.join(sorted(allowed))}.", "scopes"))
    if expires_on is None:
        refusals.append(Refusal("expires_missing", "Vul in tot wanneer de sleutel geldig is.",
                                "expires_on"))
    elif expires_on <= today:
        refusals.append(Refusal("expires_in_past", "Kies een einddatum na vandaag.", "expires_on"))
    elif (expires_on - today).days > MAX_VALID_DAYS:
        refusals.append(Refusal("expires_too_late", "Een sleutel is ten hoogste twee jaar geldig. "
                                "Kies een eerdere einddatum.", "expires_on"))
    return refusals


def scope_values() -> list[str]:
    return [s.value for s in ApiScope]
