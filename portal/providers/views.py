"""The provider portal (zorgverlener): their agreements and sheets with payment status, and a
payment specification per payment run. Read-only pages; the signing pages and the hour-sheet
grid live in agreements/ and claims/ and are linked when they exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from portal import describe
from portal.access.constants import Role
from portal.access.service import log_access
from portal.dates import today
from portal.pagination import page_number
from portal.providers import pages
from portal.web import roles_required

bp = Blueprint("providers", __name__)


def link_to(endpoint: str, **values) -> str | None:
    """The URL of another area's page, or None while that page does not exist yet."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:  # that page takes other arguments than we expect: no link
        return None


@bp.get("/zorgverlener")
@roles_required(Role.ZORGVERLENER)
def home():
    shown, rows = pages.provider_agreements_page(current_user.provider_id, today(),
                                                 page_number(request.args.get("pagina")))
    # What waits is read over the provider's agreements that have something waiting, not
    # only this page's (and not every agreement of a large organisation).
    waiting = pages.agreements_with_tasks(current_user.provider_id)
    mine, others = pages.provider_tasks(
        rows if shown.pages <= 1
        else pages.provider_agreements(current_user.provider_id, today(), only=waiting)
        if waiting else [])

    def linked(tasks):
        return [{"text": t.text, "reference": t.reference, "link_text": t.link_text,
                 "link_href": link_to(t.endpoint, **t.link_args)} for t in tasks]

    return render_template("providers/home.html", rows=rows, shown=shown, link_to=link_to,
                           mine=linked(mine), others=linked(others))


@bp.get("/zorgverlener/betalingen")
@roles_required(Role.ZORGVERLENER)
def payments():
    listing = pages.provider_payments(current_user.provider_id,
                                        page_number(request.args.get("pagina")),
                                        request.args.get("zoek", ""))
    upcoming = pages.upcoming_payments(current_user.provider_id, today())
    return render_template("providers/payments.html", specs=listing.specs, listing=listing,
                           upcoming=upcoming)


@bp.get("/zorgverlener/betalingen/<int:payment_id>")
@roles_required(Role.ZORGVERLENER)
def payment(payment_id: int):
    """One payment's sheets, a page at a time, with a search (a large payment pays thousands)."""
    shown = pages.payment_lines(current_user.provider_id, payment_id,
                                page_number(request.args.get("pagina")),
                                request.args.get("zoek", ""))
    if shown is None:
        abort(404)
    what = describe.page(f"Betaling {shown.spec.payment_reference}")
    for household_id in sorted({line.household_id for line in shown.spec.lines}):
        log_access(current_user, household_id, what, object_type="payment",
                   object_id=payment_id)  # the page names each household's sheets
    return render_template("providers/payment.html", shown=shown, spec=shown.spec)
