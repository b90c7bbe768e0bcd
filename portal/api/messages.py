"""marshmallow's field and validator messages in Dutch: the one home of that translation.

marshmallow speaks English; the API answers in Dutch unless the caller asks for English
(Accept-Language: en), as it does for the titles. Each English message (a template of
marshmallow's, with its values filled in) is matched here and said again in Dutch.
"""

from __future__ import annotations

import re

_OPS = {"greater than or equal to": "groter dan of gelijk aan", "greater than": "groter dan",
        "less than or equal to": "kleiner dan of gelijk aan", "less than": "kleiner dan"}
_OP = "(" + "|".join(re.escape(op) for op in _OPS) + ")"

# (English message as a regular expression, Dutch message with the same groups).
_DUTCH: list[tuple[re.Pattern[str], str]] = [(re.compile(f"^{english}$"), dutch) for english, dutch in [
    (r"Missing data for required field\.", "Dit veld is verplicht."),
    (r"Field may not be null\.", "Dit veld mag niet leeg (null) zijn."),
    (r"Unknown field\.", "Dit veld kennen wij niet."),
    (r"Invalid input type\.", "Hier hoort een object ({{...}})."),
    (r"Invalid type\.", "Dit is niet het goede soort waarde."),
    (r"Invalid value\.", "Deze waarde klopt niet."),
    (r"Invalid input\.", "Deze waarde klopt niet."),
    (r"Not a valid integer\.", "Dit is geen geldig geheel getal."),
    (r"Not a valid number\.", "Dit is geen geldig getal."),
    (r"Number too large\.", "Dit getal is te groot."),
    (r"Not a valid string\.", "Dit is geen tekst."),
    (r"Not a valid utf-8 string\.", "Dit is geen geldige tekst (UTF-8)."),
    (r"Not a valid boolean\.", "Dit is geen true of false."),
    (r"Not a valid date\.", "Dit is geen geldige datum (JJJJ-MM-DD)."),
    (r"Not a valid datetime\.", "Dit is geen geldig tijdstip (ISO 8601)."),
    (r"Not a valid list\.", "Hier hoort een lijst ([...])."),
    (r"Not a valid mapping type\.", "Hier hoort een object ({{...}})."),
    (r"Not a valid email address\.", "Dit is geen geldig e-mailadres."),
    (r"String does not match expected pattern\.", "Deze tekst heeft niet de goede vorm."),
    (r"Must be one of: (.*)\.", "Dit moet een van deze waarden zijn: {0}."),
    (r"Length must be between (\S+) and (\S+)\.", "De lengte moet tussen {0} en {1} tekens zijn."),
    (r"Length must be (\S+)\.", "De lengte moet {0} zijn."),
    (r"Shorter than minimum length (\S+)\.", "Dit is korter dan de minimale lengte {0}."),
    (r"Longer than maximum length (\S+)\.", "Dit is langer dan de maximale lengte {0}."),
    (rf"Must be {_OP} (\S+) and {_OP} (\S+)\.", "Dit moet {0} {1} en {2} {3} zijn."),
    (rf"Must be {_OP} (\S+)\.", "Dit moet {0} {1} zijn."),
]]


def dutch(message: str) -> str:
    """marshmallow's English message in Dutch; one we do not know yet keeps its English words
    after a Dutch sentence, so the caller still learns what is wrong."""
    for pattern, template in _DUTCH:
        found = pattern.match(message)
        if found:
            return template.format(*(_OPS.get(g, g) for g in found.groups()))
    return f"Deze waarde klopt niet ({message})"
