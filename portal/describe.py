"""Plain Dutch for the access log "Wie heeft mijn gegevens bekeken of gewijzigd".

One home for the wording, in two halves:
- the names of what a page shows, which every loader passes to access.service.log_access:
  `sheet`, `agreement`, `page`, `document` ("urenbriefje oktober 2026 van Marieke de Boer");
- `describe_event`: the line the budget holder reads for one audit event - a look ("Bekeek
  urenbriefje oktober 2026 van Marieke de Boer"), a step of an hour sheet ("Keurde urenbriefje
  oktober 2026 (UB-202610-000001) goed. Status nu: Goedgekeurd"), or the summary the service
  wrote itself (those are Dutch already). Never a path, a method or a status code.

Status names are the Dutch labels of the claims area's own enum (ClaimStatus), read from its
constants module (plain enums, no services), so a label is written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from portal.claims.constants import ClaimStatus
from portal.claims.rules import parse_reference
from portal.dates import format_month
from portal.navigation import ITEMS  # the menu names live with the menu

# --------------------------------------------------------------------------- what a page shows


def sheet(month: dt.date, provider_name: str) -> str:
    return f"urenbriefje {format_month(month)} van {provider_name}"


def agreement(reference: str, provider_name: str) -> str:
    return f"zorgovereenkomst {reference} met {provider_name}"


def page(label: str) -> str:
    return f"de pagina '{label}'"


SOME_PAGE = "een pagina van uw dossier"


def page_for_endpoint(endpoint: str | None) -> str:
    """A page of the file by its menu name ("de pagina 'Mijn budget'"), for a look at it and for
    an old event's path; a page the menu does not name is 'een pagina van uw dossier'."""
    label = next((item.label for item in ITEMS if item.endpoint == endpoint), None)
    return page(label) if label else SOME_PAGE


def document(name: str) -> str:
    """A PDF: 'de PDF van zorgovereenkomst ZO-2026-000001'."""
    return f"de PDF van {name}"


# --------------------------------------------------------------------------- one event in words

# claim.<action> -> (the verb phrase around the sheet's name, whether the new status adds to it).
CLAIM_ACTIONS = {
    "prepare": ("Maakte {sheet}", True),
    "hand_over": ("Stuurde {sheet} naar de budgethouder", False),
    "update": ("Wijzigde {sheet}", True),
    "submit": ("Gaf akkoord op {sheet} en diende het in", False),
    "paper_intake": ("Voerde het papieren {sheet} in", True),
    "refuse_by_holder": ("Stuurde {sheet} terug naar de zorgverlener", False),
    "office_approve": ("Keurde {sheet} goed", False),
    "office_suspend": ("Schortte {sheet} op om het te controleren", False),
    "office_refuse": ("Keurde {sheet} af", False),
    "reopen": ("Opende {sheet} opnieuw om het te verbeteren", False),
    "paid": ("Betaalde {sheet}", False),
}


def status_label(value: str | None) -> str | None:
    """'goedgekeurd' -> 'Goedgekeurd'; None (or an unknown code) stays as it is."""
    if value is None:
        return None
    try:
        return ClaimStatus(value).label
    except ValueError:
        return value


def _sheet_name(reference: str | None) -> str:
    parsed = parse_reference(reference) if reference else None
    if parsed is None:
        return f"urenbriefje {reference}" if reference else "een urenbriefje"
    _agreement_id, month = parsed
    return f"urenbriefje {format_month(month)} ({reference})"


def _describe_claim(step: str, detail: dict | None, summary: str) -> str:
    detail = detail or {}
    template = CLAIM_ACTIONS.get(step)
    if template is None:  # a step this page does not know: the status change in words
        to = status_label(detail.get("to"))
        if not to:
            return summary or f"Veranderde {_sheet_name(detail.get('reference'))}"
        return f"Veranderde {_sheet_name(detail.get('reference'))}. Status nu: {to}"
    phrase, with_status = template
    text = phrase.format(sheet=_sheet_name(detail.get("reference")))
    to = status_label(detail.get("to"))
    if with_status and to:
        text += f". Status nu: {to}"
    if detail.get("reason"):
        text += f". Reden: {detail['reason']}"
    return text


def _legacy_page(summary: str, action: str, page_name: Callable[[str], str] | None) -> str:
    """Events written before looks were named: 'GET /huishoudens/3/budget'."""
    _method, _, path = summary.partition(" ")
    name = page_name(path) if page_name is not None else SOME_PAGE
    return f"Bekeek {name}" if action == "view" else f"Deed iets op {name}"


def describe_event(action: str, object_type: str | None, summary: str, detail: dict | None = None,
                   *, page_name: Callable[[str], str] | None = None) -> str:
    """One audit event as the budget holder reads it in the log.

    `page_name` turns an old event's path into a page name (the view passes the app's routes).
    """
    if action in ("view", "act"):
        if summary.startswith(("GET /", "POST /")):
            return _legacy_page(summary, action, page_name)
        return f"Bekeek {summary}" if action == "view" else f"Deed iets op {summary}"
    if action == "document_viewed":  # a PDF; older events say "PDF bekeken: <reference>"
        if summary.startswith("PDF bekeken: "):
            return f"Bekeek {document(summary.removeprefix('PDF bekeken: '))}"
        return f"Bekeek {summary}"
    if action.startswith("claim."):
        return _describe_claim(action.removeprefix("claim."), detail, summary)
    return summary or "Iets in uw dossier veranderd"
