"""Pure decisions about a login through DigiD or eHerkenning: what the verified ID token says,
whether its level of assurance is enough, and the keyed hash a login is found by.

No Flask, no database: plain data in, a verdict (or refusals with a code and Dutch text) out.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stdnum.nl import bsn as bsn_number

from portal.refusals import Refusal

DIGID = "digid"
EHERKENNING = "eherkenning"
EXTERNAL_LABELS = {DIGID: "DigiD", EHERKENNING: "eHerkenning"}

# Why a login through an identity provider was refused: the audit line's words (never the BSN).
REASONS = {
    "state_mismatch": "de terugkeer van de identity provider hoorde niet bij deze inlog (state)",
    "code_refused": "de inlogcode werd niet (meer) geaccepteerd (al gebruikt of verlopen)",
    "bad_signature": "de handtekening van het ID-token klopt niet",
    "wrong_issuer": "het ID-token komt van een andere uitgever (iss)",
    "wrong_audience": "het ID-token is niet voor dit portaal bedoeld (aud)",
    "wrong_nonce": "de nonce van het ID-token hoort niet bij deze inlog",
    "expired": "het ID-token is verlopen",
    "bad_token": "het ID-token is ongeldig",
    "no_id_token": "de identity provider gaf geen ID-token",
    "provider_unreachable": "de identity provider was niet bereikbaar",
    "cancelled": "de inlog is bij de identity provider afgebroken of geweigerd",
    "claim_missing": "het ID-token bevat het nummer niet",
    "claim_invalid": "het nummer in het ID-token is geen geldig nummer",
    "loa_too_low": "het betrouwbaarheidsniveau is te laag",
    "unknown_person": "dit burgerservicenummer hoort bij geen inlog",
    "unknown_organisation": "dit KvK-nummer hoort bij geen zorgaanbieder",
    "login_off": "de inlog staat uit",
}


def keyed_hash(key: str, kind: str, value: str) -> str:
    """HMAC-SHA256 of `value` with the portal's secret key, for `kind` ("bsn", ...): a login
    is found by it without the number being stored. Hex, 64 characters."""
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def digid_external_id(key: str, bsn: str) -> str:
    """What users.external_id holds for a person who logs in with DigiD."""
    return f"{DIGID}:{keyed_hash(key, 'bsn', bsn)}"


def eherkenning_external_id(key: str, kvk: str, subject: str) -> str:
    """users.external_id of one person of one organisation (the broker's person id, `sub`)."""
    return f"{EHERKENNING}:{keyed_hash(key, 'eherkenning', f'{kvk}|{subject}')}"


def scheme_of(external_id: str | None) -> str | None:
    return external_id.partition(":")[0] if external_id else None


def check_bsn(value: str | None) -> list[Refusal]:
    """A BSN typed on the command line or by the office: nine digits that pass the 11-test."""
    text = (value or "").strip()
    if not text.isdigit() or not bsn_number.is_valid(text):
        return [Refusal("bsn_invalid", "Dit is geen geldig burgerservicenummer. Een BSN heeft "
                        "9 cijfers en komt op uw paspoort, ID-kaart of rijbewijs.", "bsn")]
    return []


@dataclass(frozen=True)
class Identity:
    """Who the identity provider vouched for."""

    scheme: str
    subject: str  # the token's `sub`
    bsn: str | None = None
    kvk: str | None = None
    establishment: str | None = None
    name: str | None = None
    email: str | None = None
    loa: str | None = None


def refusal(code: str, label: str) -> Refusal:
    """The page's text for a refused login (the reason itself goes into the audit line)."""
    if code == "cancelled":
        return Refusal(code, f"U bent niet ingelogd: het inloggen met {label} is afgebroken. "
                       f"Wilt u toch inloggen? Kies opnieuw 'Inloggen met {label}'.")
    if code == "provider_unreachable":
        return Refusal(code, f"{label} is nu niet bereikbaar. U bent niet ingelogd. Probeer "
                       "het over een paar minuten opnieuw, of log in met uw e-mailadres en "
                       "wachtwoord.")
    if code == "loa_too_low":
        how = ("met de DigiD app of met een sms-controle" if label == "DigiD" else
               "met een eHerkenningsmiddel van niveau EH3 of hoger")
        return Refusal(code, f"U logde in met {label} op een te laag betrouwbaarheidsniveau. "
                       f"Voor het PGB-portaal is meer zekerheid nodig. Log opnieuw in {how}.")
    if code in ("claim_missing", "claim_invalid"):
        number = "burgerservicenummer (BSN)" if label == "DigiD" else "KvK-nummer"
        return Refusal(code, f"{label} gaf uw {number} niet (goed) door. U bent niet "
                       "ingelogd. Probeer het opnieuw. Lukt het weer niet? Neem dan contact op "
                       "met het betaalkantoor.")
    return Refusal(code, f"Wij konden uw inlog met {label} niet controleren. U bent niet "
                   f"ingelogd en er is niets opgeslagen. Kies opnieuw 'Inloggen met {label}'. "
                   "Lukt het weer niet? Neem dan contact op met het betaalkantoor.")


def loa_enough(value: object, levels: list[str], minimum: str) -> bool:
    """Is the level of assurance the token carries at least `minimum` (in `levels`, lowest
    first)? An unknown or missing level is not enough."""
    if not isinstance(value, str) or value not in levels:
        return False
    return levels.index(value) >= levels.index(minimum)


def _text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _name(claims: Mapping[str, Any]) -> str | None:
    name = _text(claims, "name")
    if name:
        return name
    parts = [_text(claims, "given_name"), _text(claims, "family_name")]
    return " ".join(p for p in parts if p) or None


def read_identity(scheme: Mapping[str, Any], claims: Mapping[str, Any]) -> tuple[Identity | None, list[Refusal]]:
    """The person (DigiD: a BSN) or organisation (eHerkenning: a KvK number, perhaps an
    establishment number) in verified ID token claims, and whether its level of assurance is
    at least the scheme's minimum. `scheme` is a configured scheme (portal.config)."""
    label, wanted = scheme["label"], scheme["claims"]
    if not loa_enough(claims.get(scheme["loa_claim"]), scheme["loa_levels"], scheme["loa_min"]):
        return None, [refusal("loa_too_low", label)]
    common = {"scheme": scheme["name"], "subject": _text(claims, "sub") or "",
              "name": _name(claims), "email": _text(claims, "email"),
              "loa": claims.get(scheme["loa_claim"])}
    if scheme["name"] == DIGID:
        bsn = _text(claims, wanted["bsn"])
        if bsn is None:
            return None, [refusal("claim_missing", label)]
        if check_bsn(bsn):
            return None, [refusal("claim_invalid", label)]
        return Identity(bsn=bsn, **common), []
    kvk = _text(claims, wanted["kvk"])
    if kvk is None:
        return None, [refusal("claim_missing", label)]
    establishment = _text(claims, wanted["establishment"])
    if not (len(kvk) == 8 and kvk.isdigit()) or (
            establishment is not None and not (len(establishment) == 12
                                               and establishment.isdigit())):
        return None, [refusal("claim_invalid", label)]
    if not common["subject"]:
        return None, [refusal("claim_missing", label)]
    return Identity(kvk=kvk, establishment=establishment, **common), []
