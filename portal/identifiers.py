"""Checks of Dutch identifiers: BSN (11-test), IBAN, KvK and AGB numbers. Pure functions."""

from __future__ import annotations

import functools

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.nl import bsn as stdnum_bsn

from portal.refusals import Refusal


def check_bsn(value: str, field: str = "bsn") -> tuple[str | None, list[Refusal]]:
    """9 digits (spaces, dots and dashes between them are fine) that pass the 11-test."""
    compact = "".join(ch for ch in str(value) if not (ch.isspace() or ch in ".-"))
    try:
        if not (len(compact) <= 9 and compact.isascii() and compact.isdigit()):
            raise ValidationError()
        return stdnum_bsn.validate(compact), []
    except ValidationError:
        return None, [Refusal("bsn_invalid", "Dit burgerservicenummer klopt niet. Controleer de 9 "
                              "cijfers op het paspoort of de zorgpas.", field)]


@functools.lru_cache(maxsize=65_536)
def _valid_iban(text: str) -> str | None:
    """The IBAN compact, or None when it is not valid. Cached: a payment run checks the
    account of every sheet (300,000 at national scale), and most share a few accounts."""
    try:
        if len(text) > 60 or not text.isascii():  # an IBAN has at most 34 characters
            raise ValidationError()
        return stdnum_iban.validate(text)
    except ValidationError:
        return None


def check_iban(value: str, field: str = "iban") -> tuple[str | None, list[Refusal]]:
    valid = _valid_iban(str(value))
    if valid is None:
        return None, [Refusal("iban_invalid", "Dit IBAN-nummer klopt niet. Neem het over van de "
                              "bankpas of een bankafschrift, bijvoorbeeld NL91 ABNA 0417 1643 00.",
                              field)]
    return valid, []


def _eight_digits(value: str) -> str | None:
    compact = "".join(ch for ch in str(value) if not ch.isspace())
    return compact if len(compact) == 8 and compact.isascii() and compact.isdigit() else None


def check_kvk(value: str, field: str = "kvk") -> tuple[str | None, list[Refusal]]:
    compact = _eight_digits(value)
    if compact is None:
        return None, [Refusal("kvk_invalid", "Een KvK-nummer heeft 8 cijfers. U vindt het op het "
                              "uittreksel van de Kamer van Koophandel.", field)]
    return compact, []


def check_agb(value: str, field: str = "agb") -> tuple[str | None, list[Refusal]]:
    compact = _eight_digits(value)
    if compact is None:
        return None, [Refusal("agb_invalid", "Een AGB-code heeft 8 cijfers. De zorgverlener kan "
                              "hem opzoeken in het AGB-register.", field)]
    return compact, []


def mask_bsn(bsn: str | None) -> str:
    """Show only the last three digits where a BSN is not needed in full."""
    if not bsn:
        return ""
    return "*****" + bsn[-3:]
