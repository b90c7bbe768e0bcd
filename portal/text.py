"""What counts as typed text: every text field of every form passes through `clean_text`
(access.forms.BaseForm), so a name, reason or reference of only invisible characters is empty,
and the rules that ask for one refuse it."""

from __future__ import annotations

import unicodedata

# Kept inside a text: a new line and a tab (a reason may have several lines).
KEPT_CONTROLS = frozenset("\n\r\t")


def clean_text(value: str | None) -> str | None:
    """`value` without invisible format characters (zero-width space, BOM, direction marks) and
    control characters, and without spaces at its ends. None stays None."""
    if value is None or not isinstance(value, str):
        return value
    kept = "".join(ch for ch in value
                   if ch in KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf"))
    return kept.strip()
