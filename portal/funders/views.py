"""The funder's case worker (consulent): review queue, review page, grants by form and by CSV.

Thin views: parse the form, call one service function, redirect with a message, or show the
form again with every refusal next to its field (status 422; nothing is written then).
A version the consulent's funder does not help pay answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import describe
from portal.access.constants import Role
from portal.access.service import log_access
from portal.agreements.constants import VersionStatus
from portal.budgets.models import Funder
from portal.dates import today
from portal.extensions import db
from portal.forms import apply_refusals, form_status
from portal.funders import csv_import, service
from portal.funders.forms import GrantForm, ImportForm, ReviewForm
from portal.pagination import page_number
from portal.refusals import AlreadyDone, Refused
from portal.web import roles_required, show_repeat

bp = Blueprint("funders", __name__)

consulent_only = roles_required(Role.CONSULENT)

# Refusal fields of the services that have another name on our forms.
FIELD_ALIASES = {"member": "bsn"}


def _funder() -> Funder:
    funder = db.session.get(Funder, current_user.funder_id)
    if funder is None:
        abort(404)
    return funder


@bp.get("/verstrekker")
@consulent_only
def queue():
    shown, rows = service.review_queue_page(current_user.funder_id,
                                            page_number(request.args.get("pagina")))
    return render_template("funders/queue.html", rows=rows, shown=shown, funder=_funder())


@bp.route("/verstrekker/beoordelen/<int:version_id>", methods=["GET", "POST"])
@consulent_only
def review(version_id: int):
    version = service.version_for_review(current_user, version_id)
    if version is None:
        abort(404)
    if request.method == "GET":  # the consulent's look goes into the budget holder's log
        agreement = version.agreement
        log_access(current_user, agreement.household_id,
                   describe.agreement(agreement.reference, agreement.provider.name),
                   object_type="agreement_version", object_id=version.id)
    form = ReviewForm()
    general: list[str] = []
    if form.validate_on_submit():
        decision = request.form.get("decision")
        if decision not in ("goedkeuren", "afkeuren"):
            general.append("Kies 'Goedkeuren' of 'Afkeuren'.")
        else:
            approve = decision == "goedkeuren"
            try:
                service.decide(current_user, version, approve=approve, reason=form.reason.data,
                               today=today())
            except AlreadyDone as done:
                return show_repeat(done, url_for("funders.review", version_id=version.id))
            except Refused as refused:
                general += apply_refusals(form, refused, FIELD_ALIASES)
            else:
                reference = version.agreement.reference
                if not approve:
                    flash(f"U heeft zorgovereenkomst {reference} afgekeurd. De budgethouder "
                          "krijgt een bericht met uw reden.")
                elif version.status == VersionStatus.TER_BEOORDELING:
                    flash(f"U heeft zorgovereenkomst {reference} goedgekeurd voor de budgetten "
                          "van uw organisatie. Een andere financier die meebetaalt, moet nog "
                          "beslissen.")
                else:
                    flash(f"U heeft zorgovereenkomst {reference} goedgekeurd.")
                return redirect(url_for("funders.queue"))
    status = form_status()
    view = service.review_view(version, current_user)
    return render_template("funders/review.html", view=view, form=form, general=general), status


@bp.get("/verstrekker/toekenningen")
@consulent_only
def grants():
    funder = _funder()
    return render_template("funders/grants.html", rows=service.funder_grants(funder.id),
                           funder=funder, last_year=today().year - 1)


@bp.route("/verstrekker/toekenningen/nieuw", methods=["GET", "POST"])
@consulent_only
def new_grant():
    funder = _funder()
    form = GrantForm(laws=service.laws_of_funder(funder))
    general: list[str] = []
    match = None
    lookup = request.form.get("action") == "opzoeken"
    if request.method == "POST" and lookup:
        if form.bsn.validate(form):
            try:
                match = service.find_member(current_user, form.bsn.data)
            except Refused as refused:
                general += apply_refusals(form, refused, FIELD_ALIASES)
        status = 200 if match else 422
        return render_template("funders/grant_new.html", form=form, funder=funder, match=match,
                               general=general), status
    if request.method == "POST" and form.validate():
        assert form.amount.data is not None  # validated: the amount is required
        grant = _register(form, form.amount.data, general)
        if grant is not None:
            flash(f"Het budget is geregistreerd voor {service.mask_name(grant.member.name)} "
                  f"(kenmerk {grant.decision_reference or 'zonder kenmerk'}). De budgethouder "
                  "krijgt een bericht.")
            return redirect(url_for("funders.grants"))
    status = form_status()
    return render_template("funders/grant_new.html", form=form, funder=funder, match=match,
                           general=general), status


def _register(form: GrantForm, amount: int, general: list[str]):
    """The grant, or None with the refusals put on the form."""
    # the form was validated: both dates are required
    assert form.period_start.data is not None and form.period_end.data is not None
    try:
        return service.register_grant_by_bsn(
            current_user, bsn=form.bsn.data, law=form.law.data,
            period_start=form.period_start.data, period_end=form.period_end.data,
            amount_cents=amount, care_kinds=list(form.care_kinds.data or []),
            decision_reference=form.decision_reference.data or "")
    except Refused as refused:
        general += apply_refusals(form, refused, FIELD_ALIASES)
        return None


@bp.route("/verstrekker/toekenningen/importeren", methods=["GET", "POST"])
@consulent_only
def import_grants():
    funder = _funder()
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.stream.read(csv_import.MAX_BYTES + 1)
        report = csv_import.import_grants(current_user, data)
        if report.ok:
            flash(f"{report.imported} toekenning(en) geïmporteerd. De budgethouders krijgen een "
                  "bericht.")
            return redirect(url_for("funders.grants"))
        form.file.errors = [*form.file.errors, *[r.message for r in report.file_refusals]]
        if report.row_errors:
            form.file.errors.append(
                f"{len(report.row_errors)} van de {report.rows_checked} regels kloppen niet. "
                "Er is niets geïmporteerd. Verbeter de regels hieronder en laad het hele bestand "
                "opnieuw.")
    status = form_status()
    return render_template("funders/grant_import.html", form=form, funder=funder, report=report,
                           columns=csv_import.COLUMNS, column_of=csv_import.column_of,
                           laws=service.laws_of_funder(funder)), status
