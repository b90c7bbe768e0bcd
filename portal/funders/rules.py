"""Pure decisions about funders: which funder a number or name typed on the command line
means. No Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence

from portal.refusals import Refusal


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
        known = f"Geef het nummer of de precieze naam van een van deze financiers:\n{listing}"
    else:
        known = "Er zijn nog geen financiers in het portaal."
    return None, [Refusal("funder_unknown", f"Er is geen financier met het nummer of de naam "
                          f"'{cleaned}'. {known}", "funder")]
