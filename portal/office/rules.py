"""Pure decisions of the payment office's pages: who still needs a login, what a login's state
is, and which funder a number or name on the command line means. No Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence

from portal.agreements.constants import VersionStatus
from portal.refusals import Refusal

# A provider needs a login once a budget holder shared an agreement with them (they must
# complete and sign it) and while an agreement is on its way or approved (they prepare hour
# sheets and follow payments). A draft the provider has not seen, or an ended one, does not.
LOGIN_NEEDED_STATUSES = frozenset({VersionStatus.GEDEELD, VersionStatus.ONDERTEKEND,
                                   VersionStatus.TER_BEOORDELING, VersionStatus.GOEDGEKEURD})

# How many of each kind 'Eerst te doen' shows (the rest is counted), and logins per page.
TODO_LIMIT = 20
ACCOUNTS_PER_PAGE = 25
SEARCH_MAX_LENGTH = 100


def account_state(active: bool, has_password: bool) -> tuple[str, str]:
    """(label, tone) of a login in the office's list."""
    if not active:
        return "Uitgezet", "error"
    if not has_password:
        return "Wacht op wachtwoord", "warn"
    return "Actief", "ok"


def page_number(text: str | None) -> int:
    """?pagina=... as a page number: anything that is no positive whole number is page 1."""
    cleaned = (text or "").strip()
    if not cleaned.isdigit() or len(cleaned) > 6:
        return 1
    return max(1, int(cleaned))


def match_funder(text: str | None, funders: Sequence[tuple[int, str]]
                 ) -> tuple[int | None, list[Refusal]]:
    """The funder `text` names - its number, or its exact name (capitals do not matter when
    only one funder has that name) - from (id, name) pairs; or a refusal that lists them all,
    so whoever typed it sees the numbers and names there are."""
    cleaned = (text or "").strip()
    if cleaned.isdigit():
        found = [fid for fid, _name in funders if str(fid) == cleaned.lstrip("0")]
    else:
        found = [fid for fid, name in funders if name == cleaned]
        if not found:
            found = [fid for fid, name in funders if name.casefold() == cleaned.casefold()]
    if len(found) == 1:
        return found[0], []
    if funders:
        listing = "\n".join(f"  {fid}  {name}" for fid, name in sorted(funders))
        known = f"Geef het nummer of de precieze naam van een van deze verstrekkers:\n{listing}"
    else:
        known = "Er zijn nog geen verstrekkers in het portaal."
    return None, [Refusal("funder_unknown", f"Er is geen verstrekker met het nummer of de naam "
                          f"'{cleaned}'. {known}", "funder")]
