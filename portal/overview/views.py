"""Mijn budget: the budget holder's start page (read-only)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from portal.agreements.titles import agreement_titles
from portal.claims import allowances as claims_allowances
from portal.dates import today
from portal.navigation import client_file
from portal.overview import service
from portal.overview.start_page import build_start_page
from portal.overview.what_if import what_if_page
from portal.web import household_view

bp = Blueprint("overview", __name__)


def link_if_exists(endpoint: str, **values) -> str | None:
    """The URL of another area's page, or None while that page is not built yet."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.get("/huishoudens/<int:household_id>/budget")
@household_view()
def household(household_id: int):
    day = today()
    usage = service.household_usage(household_id, day)
    attention = service.household_attention(household_id)
    # used and left of the Wlz allowances: the one home, as on the page Uitkeringen
    allowances = claims_allowances.allowance_status([row.allowance_facts for row in usage.rows])
    agreement_ids = ([s.agreement_id for s in attention.sheets_waiting]
                     + [s.agreement_id for s in attention.sheets_elsewhere]
                     + [a.agreement_id for a in attention.agreements_open]
                     + [a.agreement_id for a in attention.agreements_waiting])
    authority = client_file()
    page = build_start_page(usage, attention, allowances, link_if_exists,
                            agreement_titles(agreement_ids),
                            authority.holder_name if authority else None)
    return render_template("overview/household.html", page=page,
                           what_if=what_if_page(household_id, usage.rows, request.args, day),
                           paid=service.paid_figures(usage),
                           payments_href=link_if_exists("payments.household",
                                                        household_id=household_id))
