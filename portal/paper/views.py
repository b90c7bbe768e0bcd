"""Downloads of every paper document, and the budget holder's choice "ik werk op papier".

Each download makes the same permission check as the item it belongs to (agreement, hour
sheet, household, payment); anyone else gets 404. The PDF is made on request, not stored.
The `portal paper-run` command lives in paper/cli.py; portal/cli.py gathers it.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import describe
from portal.access.constants import Role
from portal.access.permissions import household_access
from portal.access.service import log_access
from portal.agreements.models import Agreement
from portal.agreements.permissions import can_view_agreement
from portal.budgets import service as budgets_service
from portal.budgets.models import Household
from portal.claims.models import Claim
from portal.claims.permissions import acting_on, can_view_claim
from portal.dates import add_months, first_of_month, parse_month, today
from portal.extensions import db
from portal.forms import apply_refusals, form_status
from portal.paper import documents
from portal.paper.claim_spec import claim_spec_document
from portal.paper.forms import PAPER, PaperForm
from portal.paper.service import download_name, render_document
from portal.payments.models import Payment, PaymentItem
from portal.refusals import Refused
from portal.web import current_access, household_view

bp = Blueprint("paper", __name__, cli_group=None)


def _pdf(doc):
    _html, pdf = render_document(doc)
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf",
                         as_attachment="download" in request.args,
                         download_name=download_name(doc))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _log_on_behalf(household_id: int, what: str, object_type: str, object_id: int) -> None:
    """A look at a household's document by anyone but the budget holder is logged."""
    log_access(current_user, household_id, describe.document(what), object_type=object_type,
               object_id=object_id, action="document_viewed")


def _get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _document_or_404(build, *args):
    try:
        return build(*args)
    except documents.NotAvailable:
        abort(404)


@bp.get("/papier/overeenkomsten/<int:agreement_id>.pdf")
@login_required
def agreement_pdf(agreement_id: int):
    agreement = _get_or_404(Agreement, agreement_id)
    if not can_view_agreement(current_user, agreement, today()):
        abort(404)
    version = None
    if request.args.get("versie", "").isdigit():
        version = next((v for v in agreement.versions
                        if v.number == int(request.args["versie"])), None)
        if version is None:
            abort(404)
    doc = _document_or_404(documents.agreement_document, agreement, today(), version, current_user)
    _log_on_behalf(agreement.household_id, doc.reference, "agreement", agreement.id)
    return _pdf(doc)


@bp.get("/papier/urenbriefjes/<int:agreement_id>/<month>.pdf")
@login_required
def hour_sheet_pdf(agreement_id: int, month: str):
    agreement = _get_or_404(Agreement, agreement_id)
    if acting_on(current_user, agreement, today()) is None:
        abort(404)
    try:
        first = parse_month(month)
    except Refused:
        abort(404)
    doc = _document_or_404(documents.hour_sheet_document, agreement, first, today())
    _log_on_behalf(agreement.household_id, doc.reference, "agreement", agreement.id)
    return _pdf(doc)


@bp.get("/papier/huishoudens/<int:household_id>/budgetoverzicht.pdf")
@household_view(what="het budgetoverzicht (PDF)")
def statement_pdf(household_id: int):
    """?van=JJJJ-MM&tot=JJJJ-MM; default: January of this year up to this month."""
    now = today()
    try:
        start = parse_month(request.args["van"]) if request.args.get("van") else \
            first_of_month(now).replace(month=1)
        end = parse_month(request.args["tot"]) if request.args.get("tot") else first_of_month(now)
    except Refused:
        abort(404)
    if end < start or end > add_months(start, 23):
        abort(404)
    doc = _document_or_404(documents.statement_document, household_id, start, end, now)
    return _pdf(doc)


@bp.get("/papier/betalingen/<int:payment_id>.pdf")
@login_required
def payment_spec_pdf(payment_id: int):
    """A provider's transfer: for the office and that provider. A transfer to a budget
    holder's own account (the free amount): for the office and whoever may see the
    household (a look on behalf is logged)."""
    payment = _get_or_404(Payment, payment_id)
    if not can_view_payment(current_user, payment):
        abort(404)
    doc = documents.payment_spec_document(payment, today())
    households = ([payment.household_id] if payment.household_id is not None
                  else _households_paid(payment))  # it names each household's sheets
    for household_id in households:
        _log_on_behalf(household_id, doc.reference, "payment", payment.id)
    return _pdf(doc)


def can_view_payment(user, payment: Payment) -> bool:
    """The payment office; the provider paid; for a payment to a budget holder's own account,
    whoever has access to that household today."""
    if user.role == Role.BEHEERDER:
        return True
    if payment.household_id is not None:
        return household_access(user, payment.household_id, today()) is not None
    return user.role == Role.ZORGVERLENER and user.provider_id == payment.provider_id


def _households_paid(payment: Payment) -> list[int]:
    return sorted(set(db.session.scalars(
        select(Agreement.household_id).join(Claim, Claim.agreement_id == Agreement.id)
        .join(PaymentItem, PaymentItem.claim_id == Claim.id)
        .where(PaymentItem.payment_id == payment.id))))


@bp.get("/papier/afgekeurd/<int:claim_id>.pdf")
@login_required
def refusal_letter_pdf(claim_id: int):
    claim = _get_or_404(Claim, claim_id)
    if not can_view_claim(current_user, claim, today()):
        abort(404)
    doc = _document_or_404(documents.refusal_letter_document, claim, today())
    agreement = db.session.get_one(Agreement, claim.agreement_id)
    _log_on_behalf(agreement.household_id, doc.reference, "claim", claim.id)
    return _pdf(doc)


@bp.get("/papier/specificatie/<int:claim_id>.pdf")
@login_required
def claim_spec_pdf(claim_id: int):
    """The specification of a monthly wage or a correction, for whoever may see the claim."""
    claim = _get_or_404(Claim, claim_id)
    if not can_view_claim(current_user, claim, today()):
        abort(404)
    doc = _document_or_404(claim_spec_document, claim, today())
    agreement = db.session.get_one(Agreement, claim.agreement_id)
    _log_on_behalf(agreement.household_id, doc.reference, "claim", claim.id)
    return _pdf(doc)


@bp.route("/huishoudens/<int:household_id>/papier", methods=["GET", "POST"])
@household_view(act=True, what="de pagina 'Werken op papier'")
def settings(household_id: int):
    household = _get_or_404(Household, household_id)
    form = PaperForm()
    if request.method == "GET":
        form.choice.data = PAPER if household.works_on_paper else "online"
    general: list[str] = []
    if form.validate_on_submit():
        try:
            budgets_service.set_works_on_paper(current_user, household_id,
                                               form.choice.data == PAPER, today())
        except Refused as refused:
            general = apply_refusals(form, refused)
        else:
            flash("Uw keuze is opgeslagen: u krijgt elke maand uw overzicht en urenbriefjes per "
                  "post." if form.choice.data == PAPER else
                  "Uw keuze is opgeslagen: u werkt online.")
            return redirect(url_for("paper.settings", household_id=household_id))
    return render_template("paper/settings.html", form=form, household=household,
                           general=general, access=current_access(),
                           month=first_of_month(today())), form_status()

