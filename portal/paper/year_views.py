"""The year-end statement (page and PDF) of a household, and a funder's end settlement (CSV
and PDF) for its case workers and the payment office. Thin: check, read overview.year_end,
render. A household's page is checked by household_view (a look on behalf is logged); the
settlement only by the funder's own consulent or the office (anyone else: 404)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from portal.access.constants import Role
from portal.budgets.models import Funder
from portal.dates import today
from portal.extensions import db
from portal.overview.year_end import funder_settlement, household_year, settlement_rows
from portal.paper.documents import NotAvailable
from portal.paper.views import _pdf
from portal.paper.year_documents import settlement_document, year_end_document
from portal.web import household_view

bp = Blueprint("yearend", __name__)

FIRST_YEAR = 2015  # the Wlz and today's pgb rules


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= today().year + 1:
        abort(404)
    return year


@bp.get("/huishoudens/<int:household_id>/jaaroverzicht/<int:year>")
@household_view(what="het jaaroverzicht")
def household(household_id: int, year: int):
    _household, figures = household_year(household_id, _year_or_404(year))
    years = list(range(today().year, max(FIRST_YEAR, today().year - 4) - 1, -1))
    return render_template("overview/year_end.html", figures=figures, household_id=household_id,
                           years=years)


@bp.get("/papier/huishoudens/<int:household_id>/jaaroverzicht-<int:year>.pdf")
@household_view(what="het jaaroverzicht (PDF)")
def household_pdf(household_id: int, year: int):
    try:
        doc = year_end_document(household_id, _year_or_404(year), today())
    except NotAvailable:
        abort(404)
    return _pdf(doc)


def _funder_or_404(funder_id: int) -> Funder:
    """The consulent of this funder or the payment office; anyone else: 404."""
    allowed = current_user.role == Role.BEHEERDER or (
        current_user.role == Role.CONSULENT and current_user.funder_id == funder_id)
    funder = db.session.get(Funder, funder_id) if allowed else None
    if funder is None:
        abort(404)
    return funder


@bp.get("/verstrekkers/<int:funder_id>/eindafrekening-<int:year>.csv")
@login_required
def settlement_csv(funder_id: int, year: int):
    funder = _funder_or_404(funder_id)
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(
        settlement_rows(funder_settlement(funder.id, _year_or_404(year))))
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (f'attachment; filename="eindafrekening-{year}-'
                                               f'{funder.id}.csv"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/verstrekkers/<int:funder_id>/eindafrekening-<int:year>.pdf")
@login_required
def settlement_pdf(funder_id: int, year: int):
    funder = _funder_or_404(funder_id)
    return _pdf(settlement_document(funder, _year_or_404(year), today()))
