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
from portal.agreements.models import AgreementVersion
from portal.agreements.review import NO_DECISION, check_review, parse_decision
from portal.budgets.models import Funder, Grant
from portal.claims import free_claim_back
from portal.dates import format_day, today
from portal.extensions import db
from portal.forms import apply_refusals, form_status
from portal.funders import csv_import, service
from portal.funders.forms import EndGrantForm, GrantForm, ImportForm, ReviewForm
from portal.money import format_euro
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




def _version_to_review(version_id: int) -> AgreementVersion:
    """The version, if this consulent may review it (checked before anything is loaded
    further or written); else 404."""
    version = service.version_for_review(current_user, version_id)
    if version is None:
        abort(404)
    return version


@bp.route("/verstrekker/beoordelen/<int:version_id>", methods=["GET", "POST"])
@consulent_only
def review(version_id: int):
    """GET: the version to review, the decision form at the end. POST (a decision chosen):
    the check page of that decision, with the confirm button at the end; 'aanpassen' shows
    the review page again with the reason kept. Nothing is written here: the decision is
    taken by `decide`, the check page's POST."""
    version = _version_to_review(version_id)
    if request.method == "GET":  # the consulent's look goes into the budget holder's log
        agreement = version.agreement
        log_access(current_user, agreement.household_id,
                   describe.agreement(agreement.reference, agreement.provider.name),
                   object_type="agreement_version", object_id=version.id)
    form = ReviewForm()
    view = service.review_view(version, current_user)
    if request.method == "GET" or request.form.get("action") == "aanpassen":
        return _review_page(view, form, []), 200
    general: list[str] = []
    if form.validate_on_submit():
        decision = request.form.get("decision")
        approve = parse_decision(decision)
        if approve is None:
            general.append(NO_DECISION)
        elif view.awaiting_review:
            general += apply_refusals(form, check_review(approve, form.reason.data))
            if not general and not form.reason.errors:
                return render_template("funders/review_check.html", view=view, form=form,
                                       approve=approve, decision=decision), 200
        else:
            general.append("Over deze versie hoeft uw organisatie niet (meer) te beslissen.")
    return _review_page(view, form, general), form_status()


def _review_page(view, form, general: list[str]) -> str:
    return render_template("funders/review.html", view=view, form=form, general=general)


@bp.post("/verstrekker/beoordelen/<int:version_id>/besluit")
@consulent_only
def decide(version_id: int):
    """The decision the check page showed, for exactly the version it showed (its token);
    then the review page's confirmation panel says what happens next."""
    version = _version_to_review(version_id)
    form = ReviewForm()
    approve = parse_decision(request.form.get("decision"))
    general: list[str] = []
    valid = form.validate_on_submit()
    if valid and approve is None:
        general.append(NO_DECISION)
    elif valid and approve is not None:
        try:
            service.decide(current_user, version, approve=approve,
                           reason=form.reason.data, today=today(),
                           checked=request.form.get("gecontroleerd", ""))
        except AlreadyDone as done:
            return show_repeat(done, url_for("funders.review", version_id=version.id))
        except Refused as refused:
            general += apply_refusals(form, refused, FIELD_ALIASES)
        else:
            flash(f"U heeft zorgovereenkomst {version.agreement.reference} "
                  f"{'goedgekeurd' if approve else 'afgekeurd'}.")
            return redirect(url_for("funders.review", version_id=version.id,
                                    _anchor="wat-gebeurt-er-nu"))
    return _review_page(service.review_view(version, current_user), form, general), 422


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


@bp.route("/verstrekker/toekenningen/<int:grant_id>/beeindigen", methods=["GET", "POST"])
@consulent_only
def end_grant(grant_id: int):
    """A budget of the consulent's own funder ends earlier (care in kind, death); a Wlz
    budget's paid free amount is then partly claimed back (claims.free_claim_back)."""
    grant = db.session.get(Grant, grant_id)
    if grant is None or grant.funder_id != current_user.funder_id:
        abort(404)
    form = EndGrantForm()
    general: list[str] = []
    if request.method == "POST" and form.validate():
        assert form.ended_on.data is not None  # validated: the date is required
        try:
            claim_back = free_claim_back.end_budget_early(
                current_user, grant.id, form.ended_on.data, form.reason.data or "", today())
        except Refused as refused:
            general += apply_refusals(form, refused)
        else:
            message = f"Het budget stopt nu op {format_day(form.ended_on.data)}."
            if claim_back is not None:
                message += (" De budgethouder betaalt "
                            f"{format_euro(claim_back.total_cents)} van het vrij besteedbaar "
                            "bedrag terug en krijgt daarover een bericht.")
            flash(message)
            return redirect(url_for("funders.grants"))
    row = service.funder_grant(grant)
    return render_template("funders/grant_end.html", form=form, row=row,
                           general=general), form_status()


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
