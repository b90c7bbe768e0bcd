"""The payment office's corrections of paid claims, on the office's blueprint: a paid hour
sheet by its quantities, a paid fixed monthly wage by its days and wage, a paid Wlz allowance
by its amount, each with a reason (claims.corrections). Thin: parse, call one use case,
render or redirect. Role: beheerder."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import describe
from portal.access.service import log_access
from portal.claims import corrections
from portal.claims.constants import ALLOWANCE_KINDS, ClaimKind
from portal.forms import apply_refusals, form_status
from portal.money import format_euro
from portal.office import service
from portal.office.forms import (
    AmountCorrectionForm,
    CorrectionForm,
    correction_quantities,
    wage_fixes,
)
from portal.office.views import bp, office_only
from portal.refusals import Refused


@bp.route("/urenbriefjes/<int:claim_id>/correctie", methods=["GET", "POST"])
@office_only
def correction(claim_id: int):
    """A paid sheet, wage or allowance found wrong: the right quantities (a wage: days and
    wage; an allowance: the amount) and the reason make a back-payment and/or a claim-back
    (claims.corrections); what was paid stays as it was."""
    view = service.office_claim(claim_id)
    if view is None:
        abort(404)
    if request.method == "GET":
        log_access(current_user, view.household_id, describe.sheet(view.claim.month,
                                                                   view.provider_name),
                   object_type="claim", object_id=view.claim.id)
    if view.claim.kind in ALLOWANCE_KINDS:
        return _allowance_correction(view)
    if view.claim.kind == ClaimKind.LOON:  # a paid wage: the right days and wage per line
        return _line_correction(view, corrections.wage_correction_rows(view.claim), wage_fixes,
                                corrections.correct_paid_wage, "office/correction_wage.html")
    return _line_correction(view, corrections.correction_rows(view.claim),
                            correction_quantities, corrections.correct_paid_claim,
                            "office/correction.html")


def _corrected(view: service.OfficeClaim, made: list) -> Response:
    told = ("De budgethouder heeft een bericht." if view.agreement is None else
            "De budgethouder en de zorgverlener hebben een bericht.")
    flash("Correctie vastgelegd: " + ", ".join(
        f"{ClaimKind(c.kind).label.lower()} {c.reference} van {format_euro(c.total_cents)}"
        for c in made) + ". " + told)
    return redirect(url_for("office.claim", claim_id=view.claim.id))


def _line_correction(view: service.OfficeClaim, rows: Sequence, parse: Callable,
                     correct: Callable, template: str):
    """A correction per line: `parse` reads the typed values per row (office.forms),
    `correct` is the use case that takes them (claims.corrections)."""
    form = CorrectionForm()
    general: list[str] = []
    line_errors: dict[str, str] = {}
    if form.validate_on_submit():
        values, line_errors = parse(rows, request.form)
        if not line_errors:
            try:
                made = correct(current_user, view.claim, values, form.reason.data or "")
            except Refused as refused:
                general = apply_refusals(form, refused)
            else:
                return _corrected(view, made)
    return render_template(template, view=view, rows=rows, form=form, general=general,
                           line_errors=line_errors,
                           typed=request.form if request.method == "POST" else {}
                           ), form_status()


def _allowance_correction(view: service.OfficeClaim):
    """A paid Wlz allowance found wrong: the right amount
    (claims.corrections.correct_paid_allowance)."""
    paid = corrections.allowance_correction(view.claim)
    form = AmountCorrectionForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            made = corrections.correct_paid_allowance(current_user, view.claim, form.amount.data,
                                                      form.reason.data or "")
        except Refused as refused:
            general = apply_refusals(form, refused)
        else:
            return _corrected(view, made)
    return render_template("office/correction_allowance.html", view=view, paid=paid,
                           form=form, general=general), form_status()
