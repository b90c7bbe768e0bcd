"""What counts as typed text: every text field of every form passes through `clean_text`
(portal.forms.BaseForm), so a name, reason or reference of only invisible characters is empty,
and the rules that ask for one refuse it.

One-line fields (names, e-mail addresses, references, subjects: every text field that is not a
TextAreaField, the provider's details, the CSV import's values, create-user) refuse line breaks,
tabs and other control characters (`check_one_line`): such a value would start a line of its
own in a log, a CSV file or a mail header. Multi-line fields (reasons, notes) keep them.
Whatever still reaches a log or the audit log goes through `one_line` (escaped).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import overload

from portal.refusals import Refusal

# Kept inside a text: a new line and a tab (a reason may have several lines).
KEPT_CONTROLS = frozenset("\n\r\t")

ONE_LINE_MESSAGE = ("Gebruik geen regeleinden, tabs of andere stuurtekens in dit veld. Zet alles "
                    "op één regel.")


@overload
def clean_text(value: str) -> str: ...
@overload
def clean_text(value: None) -> None: ...
def clean_text(value: str | None) -> str | None:
    """`value` without invisible format characters (zero-width space, BOM, direction marks) and
    control characters, and without spaces at its ends. None stays None."""
    if value is None or not isinstance(value, str):
        return value
    kept = "".join(ch for ch in value
                   if ch in KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf"))
    return kept.strip()


def _breaks_a_line(ch: str) -> bool:
    """A control character (CR, LF, TAB, NEL, ...) or a line or paragraph separator."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


# Exactly the characters _breaks_a_line names: Unicode category Cc (U+0000-U+001F and
# U+007F-U+009F), Zl (U+2028) and Zp (U+2029); one regular expression instead of a category
# lookup per character (a payment run writes tens of thousands of audit lines).
_LINE_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_one_line(value: str | None) -> bool:
    return not value or _LINE_BREAK.search(value) is None


def check_one_line(values: Mapping[str, str | None]) -> list[Refusal]:
    """A refusal for each field (name -> value as typed) that holds a line break, a tab or
    another control character."""
    return [Refusal("not_one_line", ONE_LINE_MESSAGE, field)
            for field, value in values.items() if not is_one_line(value)]


def one_line(text: str) -> str:
    """`text` for one line of a log: line breaks, tabs and other control characters escaped
    (\\n, \\r, \\t, \\x1b, \\u2028), so a value can never start a line of its own."""
    if is_one_line(text):
        return text
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(
        escapes.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        if _breaks_a_line(ch) else ch for ch in text)
