"""Who a provider is: the details as typed, and recognising a provider the portal already knows.

Pure: no Flask, no session; refusals with a stable code and a Dutch message."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal.access.rules import check_email
from portal.agreements.constants import (
    ProviderKind,
)
from portal.identifiers import check_agb, check_iban, check_kvk
from portal.refusals import Refusal
from portal.text import check_one_line

# What the providers table holds of a name.
PROVIDER_NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class KnownProvider:
    """A provider already in the portal, as the matching below sees it."""

    id: int
    kind: ProviderKind
    name: str
    iban: str
    kvk: str | None = None
    has_login: bool = False


def _name_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name or "")
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return "".join(ch if ch.isalnum() else " " for ch in plain).split()


def same_person_name(a: str, b: str) -> bool:
    """Do two spellings name the same person? Case, accents and punctuation do not count, and
    the shorter may leave out given names or write them as initials ('M. de Boer',
    'Marieke de Boer', 'Marieke Johanna de Boer'); the surname must be there in full."""
    words_a, words_b = _name_words(a), _name_words(b)
    short, long = sorted((words_a, words_b), key=len)
    if not short:
        return False
    if short == long:
        return True
    if len(short) < 2 or short[-1] != long[-1]:
        return False
    rest = list(long[:-1])
    for word in short[:-1]:
        match = next((w for w in rest if w == word or (len(word) == 1 and w.startswith(word))
                      or (len(w) == 1 and word.startswith(w))), None)
        if match is None:
            return False
        rest.remove(match)
    return True


def check_provider_fields(kind: ProviderKind, name: str | None, iban: str | None,
                          kvk: str | None, agb: str | None,
                          email: str | None) -> tuple[dict[str, Any], list[Refusal]]:
    """A provider's details as typed (the wizard, the provider signing): the cleaned values and
    every refusal at once - a name, a valid IBAN, KvK and AGB (required for an organisation),
    an e-mail address when given; name and e-mail address on one line (portal.text)."""
    refusals = check_one_line({"name": name, "email": email})
    broken = {r.field for r in refusals}
    # str or None each; a value that was refused is None (read them only without refusals)
    values: dict[str, Any] = {"name": (name or "").strip(),
                              "email": (email or "").strip().lower() or None}
    if "name" in broken:
        pass  # the line break is what to fix first
    elif not values["name"]:
        refusals.append(Refusal("name_missing", "Vul de naam van de zorgverlener in.", "name"))
    elif len(values["name"]) > PROVIDER_NAME_MAX_LENGTH:
        refusals.append(Refusal("name_too_long", "Deze naam is te lang. Gebruik ten hoogste "
                                f"{PROVIDER_NAME_MAX_LENGTH} tekens.", "name"))
    values["iban"], found = check_iban(iban or "")
    refusals += found
    for field, value, check in (("kvk", kvk, check_kvk), ("agb", agb, check_agb)):
        if value:
            values[field], found = check(value)
            refusals += found
        else:
            values[field] = None
    if kind == ProviderKind.ORGANISATIE:
        if not kvk:
            refusals.append(Refusal("kvk_missing", "Vul het KvK-nummer van de organisatie in.",
                                    "kvk"))
        if not agb:
            refusals.append(Refusal("agb_missing", "Vul de AGB-code van de organisatie in.", "agb"))
    if values["email"] and "email" not in broken:
        refusals += check_email(values["email"])
    return values, refusals


def match_provider(kind: ProviderKind, name: str, iban: str, kvk: str | None,
                   known: Sequence[KnownProvider]) -> tuple[KnownProvider | None, list[Refusal]]:
    """Is the 'new' provider one the portal already knows? Then the agreement is made with that
    provider (who may have a login, and whose hours are counted together), not with a copy.

    An organisation is the same when its KvK number is; a person when the IBAN and the name are
    (see same_person_name). An IBAN that belongs to a provider of another kind, or to a person
    with another name, or to an organisation with another KvK number, is refused: probably a
    typing error, and an agreement must never land with someone else. The messages do not
    reveal who the IBAN belongs to. (None, []): a new provider.
    """
    def first(rows: list[KnownProvider]) -> KnownProvider:
        return sorted(rows, key=lambda p: (not p.has_login, p.id))[0]

    if kind == ProviderKind.ORGANISATIE and kvk:
        same_kvk = [p for p in known if p.kind == ProviderKind.ORGANISATIE and p.kvk == kvk]
        if same_kvk:
            return first(same_kvk), []
    same_iban = [p for p in known if p.iban == iban]
    if not same_iban:
        return None, []
    same_kind = [p for p in same_iban if p.kind == kind]
    if not same_kind:
        if kind == ProviderKind.PERSOON:
            return None, [Refusal("iban_of_organisation", "Dit IBAN hoort bij een zorginstelling "
                                  "die al bekend is in het portaal. Maakt u de overeenkomst met "
                                  "een zorginstelling? Kies dan het model 'Zorgovereenkomst met "
                                  "een zorginstelling'. Anders: controleer het IBAN.", "iban")]
        return None, [Refusal("iban_of_person", "Dit IBAN hoort bij een persoon die al "
                              "zorgverlener is in het portaal, niet bij een organisatie. "
                              "Controleer het IBAN, of kies een ander model.", "iban")]
    if kind == ProviderKind.PERSOON:
        named = [p for p in same_kind if same_person_name(p.name, name)]
        if named:
            return first(named), []
        return None, [Refusal("iban_other_name", "Dit IBAN is in het portaal al bekend bij een "
                              "zorgverlener met een andere naam. Controleer de naam en het IBAN. "
                              "Kloppen ze allebei? Neem dan contact op met het betaalkantoor.",
                              "iban")]
    fitting = [p for p in same_kind if not p.kvk or not kvk or p.kvk == kvk]
    if fitting:
        return first(fitting), []
    return None, [Refusal("iban_other_kvk", "Dit IBAN is in het portaal al bekend bij een "
                          "zorginstelling met een ander KvK-nummer. Controleer het KvK-nummer en "
                          "het IBAN.", "kvk")]
