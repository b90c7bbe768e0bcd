"""Hour-sheet screens: the budget holder's list, a sheet's page, and the sheet grid.

Long because: the list, the sheet page and the grid share a blueprint and the grid's errors.

Thin: parse the form, call ONE claims.service function, redirect with a message, or show the
form again with every refusal next to the cell it concerns (status 422, nothing written).

Access: load -> claims.permissions.acting_on -> act. No access at all answers 404; someone who
may see a sheet but not act on it (a view-only authorisation) gets 403 on acting pages, and the
service's own 'not_allowed' (a provider trying to submit) answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import dates, describe, web
from portal.access.constants import Role
from portal.access.service import log_access
from portal.agreements.models import Agreement
from portal.agreements.titles import agreement_titles
from portal.budgets.models import Household
from portal.budgets.service import holder_labels
from portal.claims import rules as claim_rules
from portal.claims import service
from portal.claims.constants import ClaimKind, ClaimStatus, status_kind, status_label
from portal.claims.corrections import corrections_of
from portal.claims.forms import ChooseSheetForm, RefuseForm, SheetForm, month_choices, sheet_form
from portal.claims.grid import Column, column_totals, day_label, month_weeks
from portal.claims.models import Claim
from portal.claims.permissions import Acting, acting_on
from portal.claims.rules import (
    HANDOVER_WEEKS,
    SUBMIT_WEEKS,
    Action,
    LineInput,
    PricedLine,
    Side,
    check_transition,
    is_draft_month,
    refusal_letter_exists,
)
from portal.dates import format_month, month_days, parse_month
from portal.extensions import db
from portal.forms import abort_if_not_allowed, apply_refusals, place_refusals
from portal.money import format_euro
from portal.pagination import page_number, paginate
from portal.payments import rules as payment_rules
from portal.payments.service import runs_of_claims
from portal.refusals import AlreadyDone, Refusal, Refused

bp = Blueprint("claims", __name__)



@bp.before_request
@login_required
def _login_first() -> None:
    """Every hour-sheet page needs a login: anonymous visitors go to the login page."""


@bp.app_template_filter("claim_status")
def _claim_status(status) -> ClaimStatus:
    """The status as the enum (with its Dutch label), also when the row gives a plain string."""
    return ClaimStatus(status)


@bp.app_template_filter("claim_tone")
def _claim_tone(status) -> str:
    return ClaimStatus(status).tone


@bp.app_template_filter("claim_state")
def _claim_state(claim) -> str:
    """A claim's status as people read it (a claim-back: 'te verrekenen', 'verrekend')."""
    return status_label(claim.kind, claim.status)


@bp.app_template_filter("claim_term_kind")
def _claim_term_kind(claim) -> str:
    """The glossary's kind of a claim's status tag (claims.constants.status_kind)."""
    return status_kind(claim.kind, claim.status)


@bp.app_template_filter("claim_kind")
def _claim_kind(kind) -> str:
    return ClaimKind(kind).label.lower()


@bp.app_template_filter("signed_cents")
def _signed_cents(claim) -> int:
    """A claim's amount with its sign: a claim-back is money back to the budget."""
    return claim_rules.claim_amount_cents(claim.kind, claim.total_cents)


# --------------------------------------------------------------------------- loading


def _log_look(acting: Acting, agreement: Agreement, object_type: str, object_id: int,
                   month: dt.date) -> None:
    """A look by anyone but the budget holder goes into the log the holder can read."""
    if request.method == "GET":
        log_access(current_user, agreement.household_id,
                   describe.sheet(month, agreement.provider.name),
                   on_behalf_of=acting.on_behalf_of, object_type=object_type, object_id=object_id)


def _acting(agreement: Agreement) -> Acting:
    acting = acting_on(current_user, agreement, dates.today())
    if acting is None:
        abort(404)
    return acting


def _load_claim(claim_id: int) -> tuple[Claim, Agreement, Acting]:
    if not current_user.is_authenticated:
        abort(404)
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.agreement_id is None:  # (a free amount: the allowances page)
        abort(404)
    agreement = db.session.get_one(Agreement, claim.agreement_id)
    return claim, agreement, _acting(agreement)


def _sheet_side(acting: Acting) -> Acting:
    """The grid is for the provider and the budget holder's side; others never see it."""
    if acting.side not in (Side.PROVIDER, Side.HOLDER):
        abort(404)
    if not acting.can_act:
        abort(403)
    return acting


def _month(text: str) -> dt.date:
    """The month in the address (JJJJ-MM); one the portal does not handle is no page."""
    try:
        return parse_month(text)
    except Refused:
        abort(404)


def _allowed(status, action: Action, side: Side) -> bool:
    return not check_transition(status, action, side)[1]


# --------------------------------------------------------------------------- refusals on the form


@dataclass
class ErrorItem:
    message: str
    anchor: str | None = None


def _sheet_errors(form, refusals: Sequence[Refusal], cells: Sequence) -> list[ErrorItem]:
    """Put each refusal on the cell or field it names (portal.forms.place_refusals: a rule's
    `lines[i].x` is `cells[i]`, the cell of line i); the rest goes to the summary only.

    Returns the error summary: sheet-wide refusals first, then every field with errors in the
    order of the page, each linking to its field.
    """
    items = [ErrorItem(r.message, _SUMMARY_ANCHORS.get(r.field or "")
                       or _SUMMARY_ANCHORS.get(r.code))
             for r in place_refusals(form, refusals, lines=cells)]
    for f in form:
        for message in f.errors:
            items.append(ErrorItem(message, f.id))
    return items


# Where a refusal that names no cell points to in the summary (by field, else by code).
_SUMMARY_ANCHORS = {"lines": "urenbriefje-rooster", "budget_insufficient": "budget-over"}


# --------------------------------------------------------------------------- the sheet grid


@dataclass
class BudgetLeft:
    label: str
    cents: int


@dataclass
class SheetPage:
    agreement: Agreement
    household: Household
    month: dt.date
    claim: Claim | None
    acting: Acting
    columns: list[Column]
    form: SheetForm
    totals: list = field(default_factory=list)
    total_cents: int = 0
    holder_cents: int = 0  # the budget holder's own share (bijbetaling) of the sheet
    budgets: list[BudgetLeft] | None = None
    errors: list[ErrorItem] = field(default_factory=list)
    # When the grid has no column: why there is nothing to fill in (the claim rules' words).
    empty_reasons: list[Refusal] = field(default_factory=list)
    # A new sheet for a month that cannot be started (rules.check_month_open): why not.
    closed: list[Refusal] = field(default_factory=list)

    @property
    def draft_month(self) -> bool:
        """The month is still running: the sheet can only be saved as a concept."""
        return is_draft_month(self.month, dates.today())

    @property
    def month_end(self) -> dt.date:
        return dates.last_of_month(self.month)

    @property
    def can_save_draft(self) -> bool:
        return self.claim is None or self.claim.status == ClaimStatus.CONCEPT

    @property
    def is_holder(self) -> bool:
        return self.acting.side is Side.HOLDER

    @property
    def weeks(self):
        return month_weeks(self.month)

    @property
    def colspan(self) -> int:
        return len(self.columns) + 1

    @property
    def title(self) -> str:
        return f"Urenbriefje {format_month(self.month)}"


def _page(agreement: Agreement, month: dt.date, claim: Claim | None, acting: Acting,
          formdata=None) -> SheetPage:
    columns = service.columns_for(agreement, month, claim)
    form = sheet_form(columns, month_days(month), formdata=formdata,
                      lines=claim.lines if claim is not None else (),
                      note=claim.note if claim is not None else "")
    household = db.session.get_one(Household, agreement.household_id)
    return SheetPage(agreement=agreement, household=household, month=month, claim=claim,
                     acting=acting, columns=columns, form=form,
                     empty_reasons=[] if columns else service.month_refusals(agreement, month))


def _fill_preview(page: SheetPage, lines, preview: service.SheetPreview | None) -> None:
    priced = preview.lines if preview is not None else []
    page.totals = column_totals(page.columns, priced)
    page.total_cents = preview.total_cents if preview is not None else 0
    page.holder_cents = sum(t.holder_cents for t in page.totals)
    if page.is_holder and preview is not None and preview.available_after is not None:
        seen: dict[int, str] = {}
        for column in page.columns:
            seen.setdefault(column.grant_id, column.budget_label)
        page.budgets = [BudgetLeft(label, preview.available_after[gid])
                        for gid, label in seen.items() if gid in preview.available_after]


def _preview(page: SheetPage, lines) -> service.SheetPreview:
    try:
        return service.preview_claim(current_user, page.agreement, page.month, lines,
                                     dates.today(), claim=page.claim)
    except Refused:
        abort(404)


def _render_sheet(page: SheetPage, status: int = 200):
    return render_template("claims/sheet.html", page=page, day_label=day_label), status


def _sheet_get(agreement: Agreement, month: dt.date, claim: Claim | None, acting: Acting):
    page = _page(agreement, month, claim, acting)
    lines, _cells = page.form.lines()
    _fill_preview(page, lines, _preview(page, lines) if lines or page.is_holder else None)
    return _render_sheet(page)


def _preview_json(page: SheetPage, lines):
    preview = _preview(page, lines)
    _fill_preview(page, lines, preview)
    return jsonify({
        "columns": [{"quantity": t.quantity_label, "amount": format_euro(t.amount_cents)}
                    for t in page.totals],
        "total": format_euro(page.total_cents),
        "budgets": [format_euro(b.cents) for b in page.budgets] if page.budgets is not None
        else None,
    })


def _sheet_post(agreement: Agreement, month: dt.date, claim: Claim | None, acting: Acting):
    page = _page(agreement, month, claim, acting, formdata=request.form)
    form = page.form
    valid = form.validate()
    lines, cells = form.lines()
    action = request.form.get("action", "bereken")
    if request.accept_mimetypes.best == "application/json":
        return _preview_json(page, lines)

    today = dates.today()
    if action == "bereken" or not valid:
        preview = _preview(page, lines)
        _fill_preview(page, lines, preview)
        refusals = preview.refusals
        if form.has_cell_errors():  # "fill in a day" next to a cell the user did fill in
            refusals = [r for r in refusals if r.code != "lines_missing"]
        page.errors = _sheet_errors(form, refusals, cells)
        return _render_sheet(page, 200 if action == "bereken" else 422)

    note = form.note.data or ""
    draft = action == "concept" or (action == "opslaan" and is_draft_month(month, today))
    try:
        if draft:
            result = service.save_draft(current_user, agreement, month, lines, today, note,
                                        claim=claim)
        elif action in ("opslaan", "klaarzetten") and claim is None:
            result = service.prepare_claim(current_user, agreement, month, lines, today, note)
        elif action in ("opslaan", "klaarzetten") and claim is not None:
            result = service.update_claim(current_user, claim, lines, today, note)
        elif action == "indienen" and claim is None:
            result = service.submit_own_claim(current_user, agreement, month, lines, today)
        else:
            abort(400)
    except Refused as refused:  # the service checked everything before writing anything
        abort_if_not_allowed(refused)
        _fill_preview(page, lines, _preview(page, lines))
        page.errors = _sheet_errors(form, refused.refusals, cells)
        return _render_sheet(page, 422)

    label = format_month(month)
    if draft:
        then = ("stuurt u het naar de budgethouder" if acting.side is Side.PROVIDER
                else "kunt u het indienen")
        flash(f"Het urenbriefje over {label} is als concept opgeslagen. U kunt het aanvullen; "
              f"als de maand voorbij is, {then}.")
    elif result.status == ClaimStatus.WACHT_OP_AKKOORD and acting.side is Side.PROVIDER:
        flash(f"Het urenbriefje over {label} staat klaar voor de budgethouder. De budgethouder "
              "controleert het en geeft akkoord of stuurt het terug.")
    elif result.status == ClaimStatus.INGEDIEND:
        flash(f"Het urenbriefje over {label} is ingediend. Het betaalkantoor controleert het nu.")
    else:
        flash(f"Het urenbriefje over {label} is opgeslagen. Het is nog niet ingediend.")
    return redirect(url_for("claims.show", claim_id=result.id))


@bp.route("/overeenkomsten/<int:agreement_id>/urenbriefje/<month_text>", methods=["GET", "POST"])
def new(agreement_id: int, month_text: str):
    """Fill in a new sheet for an agreement and month (provider or budget holder's side)."""
    if not current_user.is_authenticated:
        abort(404)
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        abort(404)
    month = _month(month_text)
    acting = _sheet_side(_acting(agreement))
    existing = db.session.scalar(select(Claim).where(Claim.agreement_id == agreement.id,
                                                     Claim.month == month,
                                                     Claim.kind == ClaimKind.UREN))
    if existing is not None:
        flash(f"Er is al een urenbriefje voor {format_month(month)} bij deze overeenkomst "
              f"({existing.reference}).")
        return redirect(url_for("claims.show", claim_id=existing.id))
    closed = service.month_open_refusals(agreement, month, dates.today(),
                                         provider=acting.side is Side.PROVIDER)
    if closed:  # a month the sheet list does not offer: explained, nothing to fill in
        page = _page(agreement, month, None, acting)
        page.columns, page.closed = [], closed
        return _render_sheet(page, 409)
    if request.method == "POST":
        return _sheet_post(agreement, month, None, acting)
    _log_look(acting, agreement, "agreement", agreement.id, month)
    return _sheet_get(agreement, month, None, acting)


@bp.route("/urenbriefjes/<int:claim_id>/wijzigen", methods=["GET", "POST"])
def edit(claim_id: int):
    claim, agreement, acting = _load_claim(claim_id)
    acting = _sheet_side(acting)
    action = Action.HAND_OVER if acting.side is Side.PROVIDER else Action.EDIT
    if request.method == "GET":
        refusals = check_transition(claim.status, action, acting.side)[1]
        if refusals:
            flash(refusals[0].message)
            return redirect(url_for("claims.show", claim_id=claim.id))
        _log_look(acting, agreement, "claim", claim.id, claim.month)
        return _sheet_get(agreement, claim.month, claim, acting)
    return _sheet_post(agreement, claim.month, claim, acting)


# --------------------------------------------------------------------------- one sheet


def _show(claim: Claim, agreement: Agreement, acting: Acting, *, refuse_form=None,
          errors: Sequence[ErrorItem] = (), status: int = 200, checking: bool = False):
    """A sheet's page; `checking`: the budget holder's check page before the akkoord (the
    hours, the amounts and the budget after, then the buttons at the end)."""
    columns = service.columns_for(agreement, claim.month, claim)
    rows = service.claim_line_rows(claim, columns)
    totals = [t for t in column_totals(columns, _stored_priced(claim)) if t.quantity]
    holder_cents = sum(t.holder_cents for t in totals)
    side = acting.side
    can = {
        "edit": acting.can_act and side in (Side.PROVIDER, Side.HOLDER) and _allowed(
            claim.status, Action.HAND_OVER if side is Side.PROVIDER else Action.EDIT, side),
        "approve": acting.can_act and side is Side.HOLDER and _allowed(claim.status,
                                                                       Action.SUBMIT, side),
        "refuse": acting.can_act and side is Side.HOLDER and _allowed(
            claim.status, Action.REFUSE_BY_HOLDER, side),
        "reopen": acting.can_act and side in (Side.PROVIDER, Side.HOLDER) and _allowed(
            claim.status, Action.REOPEN, side),
    }
    review = None
    budgets = None
    if can["approve"]:
        stored = [LineInput(day=line.day, care_kind=line.care_kind, quantity=line.quantity,
                            grant_id=line.grant_id, tariff_cents=line.tariff_cents)
                  for line in claim.lines]
        review = service.preview_claim(current_user, agreement, claim.month, stored,
                                       dates.today(), claim=claim)
        if review.available_after is not None:
            labels: dict[int, str] = {}
            for column in columns:
                labels.setdefault(column.grant_id, column.budget_label)
            budgets = [BudgetLeft(label, review.available_after[gid])
                       for gid, label in labels.items() if gid in review.available_after]
    household = db.session.get(Household, agreement.household_id)
    corrections = corrections_of(claim)
    corrected = (db.session.get(Claim, claim.corrects_claim_id)
                 if claim.corrects_claim_id else None)
    return render_template(
        "claims/show.html", claim=claim, agreement=agreement, household=household,
        corrections=corrections, corrected=corrected,
        runs=runs_of_claims([claim.id] + [c.id for c in corrections]),
        title=ClaimKind(claim.kind).label,
        sheet_printable=service.sheet_printable(agreement, claim.month),
        letter_printable=refusal_letter_exists(claim.status),
        acting=acting, rows=rows, totals=totals, holder_cents=holder_cents,
        history=service.claim_history(claim), can=can,
        review=review, budgets=budgets, refuse_form=refuse_form or RefuseForm(),
        errors=list(errors), is_holder=side is Side.HOLDER,
        is_wage=claim.kind == ClaimKind.LOON, days_in_month=len(dates.month_days(claim.month)),
        provider_home=url_for("providers.home") if side is Side.PROVIDER
        and "providers.home" in current_app.view_functions else None,
        checking=checking and can["approve"],
        expected_payment=payment_rules.expected_payment_date(
            str(claim.status), dates.today(), claim.paid_on),
    ), status


def _stored_priced(claim: Claim) -> list[PricedLine]:
    return [PricedLine(day=line.day, care_kind=line.care_kind, unit=line.unit,
                       quantity=line.quantity, tariff_cents=line.tariff_cents,
                       amount_cents=line.amount_cents, grant_id=line.grant_id,
                       holder_cents=line.holder_cents)
            for line in claim.lines]


@bp.route("/urenbriefjes/<int:claim_id>")
def show(claim_id: int):
    claim, agreement, acting = _load_claim(claim_id)
    _log_look(acting, agreement, "claim", claim.id, claim.month)
    return _show(claim, agreement, acting)


@bp.route("/urenbriefjes/<int:claim_id>/controleren")
def check(claim_id: int):
    """The budget holder checks the sheet before the akkoord: the hours, the amounts and what
    is left of the budget, with 'Akkoord en indienen' and 'Terugsturen' at the end. A sheet
    that cannot be approved now goes back to its page with the reason."""
    claim, agreement, acting = _load_claim(claim_id)
    if acting.side is not Side.HOLDER:
        abort(404)
    if not acting.can_act:
        abort(403)
    refusals = check_transition(claim.status, Action.SUBMIT, acting.side)[1]
    if refusals:
        flash(refusals[0].message)
        return redirect(url_for("claims.show", claim_id=claim.id))
    _log_look(acting, agreement, "claim", claim.id, claim.month)
    return _show(claim, agreement, acting, checking=True)


def _acting_post(claim_id: int) -> tuple[Claim, Agreement, Acting]:
    claim, agreement, acting = _load_claim(claim_id)
    if not acting.can_act:
        abort(403)
    return claim, agreement, acting


def _refused_on_show(claim_id: int, refused: Refused, refuse_form=None):
    form = refuse_form or RefuseForm()
    general = [ErrorItem(m) for m in apply_refusals(form, refused)]
    claim, agreement, acting = _load_claim(claim_id)
    errors = general + [ErrorItem(m, form.reason.id) for m in form.reason.errors]
    return _show(claim, agreement, acting, refuse_form=form, errors=errors, status=422,
                 checking=True)


@bp.post("/urenbriefjes/<int:claim_id>/akkoord")
def approve(claim_id: int):
    """The budget holder's akkoord: the submission and the payment order."""
    claim, _agreement, _acting_ = _acting_post(claim_id)
    try:
        service.approve_claim(current_user, claim, dates.today())
    except AlreadyDone as done:
        return web.show_repeat(done, url_for("claims.show", claim_id=claim.id))
    except Refused as refused:
        return _refused_on_show(claim_id, refused)
    flash(f"U heeft akkoord gegeven. Het urenbriefje over {format_month(claim.month)} is "
          "ingediend.")
    return redirect(url_for("claims.show", claim_id=claim.id, _anchor="wat-gebeurt-er-nu"))


@bp.post("/urenbriefjes/<int:claim_id>/afwijzen")
def refuse(claim_id: int):
    """The budget holder sends a provider's sheet back, with a reason."""
    claim, agreement, acting = _acting_post(claim_id)
    form = RefuseForm()
    if not form.validate():
        errors = [ErrorItem(m, form.reason.id) for m in form.reason.errors]
        return _show(claim, agreement, acting, refuse_form=form, errors=errors, status=422,
                     checking=True)
    try:
        service.refuse_by_holder(current_user, claim, form.reason.data, dates.today())
    except AlreadyDone as done:
        return web.show_repeat(done, url_for("claims.show", claim_id=claim.id))
    except Refused as refused:
        return _refused_on_show(claim_id, refused, form)
    flash(f"Het urenbriefje over {format_month(claim.month)} is teruggestuurd naar de "
          "zorgverlener, met uw reden.")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.post("/urenbriefjes/<int:claim_id>/heropenen")
def reopen(claim_id: int):
    """A refused sheet becomes a concept again, to correct it."""
    claim, _agreement, _acting_ = _acting_post(claim_id)
    try:
        service.reopen(current_user, claim, dates.today())
    except AlreadyDone as done:
        return web.show_repeat(done, url_for("claims.show", claim_id=claim.id))
    except Refused as refused:
        return _refused_on_show(claim_id, refused)
    flash("Het urenbriefje is opnieuw geopend. U kunt het nu verbeteren.")
    return redirect(url_for("claims.show", claim_id=claim.id))


# --------------------------------------------------------------------------- lists and choosing


@dataclass
class SheetRow:
    claim: Claim
    month_label: str
    provider_name: str
    agreement: Agreement


@dataclass
class AgreementSheets:
    agreement: Agreement
    rows: list[SheetRow]


def _household_agreements(household_id: int) -> list[Agreement]:
    return list(db.session.scalars(
        select(Agreement).where(Agreement.household_id == household_id)
        .options(selectinload(Agreement.provider)).order_by(Agreement.id)))


def _choose_form(options: Sequence[tuple[str, str]], today: dt.date, provider: bool = False
                 ) -> ChooseSheetForm:
    """options: (agreement id, label). A GET form: the choice is in the query string."""
    form = ChooseSheetForm(formdata=request.args if request.args else None)
    form.overeenkomst.choices = [("", "Kies een overeenkomst"), *options]
    form.maand.choices = [("", "Kies een maand"), *month_choices(today, provider)]
    return form


def _holder_options(agreements: Sequence[Agreement]) -> list[tuple[str, str]]:
    return [(str(a.id), f"{a.provider.name} ({a.reference})") for a in agreements]


@dataclass
class OpenMonths:
    """Per agreement: the months a new sheet can still be started for, with their deadlines."""

    agreement_id: int
    label: str
    months: list


def _open_months(agreements: Sequence[tuple[int, str]], provider: bool) -> list[OpenMonths]:
    today = dates.today()
    loaded = {a.id: a for a in db.session.scalars(
        select(Agreement).where(Agreement.id.in_([aid for aid, _label in agreements])))}
    return [OpenMonths(aid, label, service.open_months(loaded[aid], today, provider))
            for aid, label in agreements if aid in loaded]


def _choose(options: Sequence[tuple[str, str]], *, provider: bool, **template_args):
    """Show the months per agreement that can still be filled in, or go to the sheet of the
    chosen agreement and month (the form, for whoever types the choice)."""
    form = _choose_form(options, dates.today(), provider)
    if request.args and form.validate():
        return redirect(url_for("claims.new", agreement_id=int(form.overeenkomst.data),
                                month_text=form.maand.data))
    errors = [ErrorItem(m, f.id) for f in form for m in f.errors]
    open_months = _open_months([(int(value), label) for value, label in options], provider)
    return render_template("claims/choose.html", form=form, errors=errors,
                           open_months=open_months, provider=provider,
                           weeks=HANDOVER_WEEKS if provider else SUBMIT_WEEKS, **template_args)


@bp.route("/huishoudens/<int:household_id>/urenbriefjes")
@web.household_view()
def index(household_id: int):
    """Per agreement and month, the household's sheets; those waiting for akkoord first."""
    agreements = _household_agreements(household_id)
    by_id = {a.id: a for a in agreements}
    mine = Claim.agreement_id.in_(list(by_id))  # a household's agreements: a handful
    total = db.session.scalar(select(func.count(Claim.id)).where(mine)) if by_id else 0
    page, offset = paginate(int(total or 0), page_number(request.args.get("pagina")),
                            SHEETS_PAGE_SIZE)

    def rows_of(query) -> list[SheetRow]:
        return [SheetRow(claim=c, month_label=format_month(c.month),
                         provider_name=by_id[c.agreement_id].provider.name,
                         agreement=by_id[c.agreement_id])
                for c in db.session.scalars(query)] if by_id else []

    rows = rows_of(select(Claim).where(mine).order_by(Claim.month.desc(), Claim.id)
                   .limit(SHEETS_PAGE_SIZE).offset(offset))
    waiting = rows_of(select(Claim).where(mine, Claim.status == ClaimStatus.WACHT_OP_AKKOORD)
                      .order_by(Claim.month.desc(), Claim.id))
    per_agreement = [AgreementSheets(a, [r for r in rows if r.agreement.id == a.id])
                     for a in agreements]
    access = web.current_access()
    form = _choose_form(_holder_options(agreements), dates.today()) if access.can_act else None
    household = db.session.get(Household, household_id)
    open_months = _open_months([(a.id, label) for a, (_v, label) in
                                zip(agreements, _holder_options(agreements), strict=True)],
                               provider=False) if access.can_act else []
    return render_template("claims/index.html", household=household, waiting=waiting,
                           per_agreement=per_agreement, form=form, can_act=access.can_act,
                           page=page, titles=agreement_titles(by_id), open_months=open_months,
                           weeks=SUBMIT_WEEKS)


# The household's sheets a page, newest month first (the ones waiting for akkoord all above).
SHEETS_PAGE_SIZE = 50


@bp.route("/huishoudens/<int:household_id>/urenbriefjes/nieuw")
@web.household_view(act=True, what="de pagina 'Urenbriefje invullen'")
def start(household_id: int):
    """The budget holder's side chooses an agreement and a past month."""
    return _choose(_holder_options(_household_agreements(household_id)), provider=False,
                   household=db.session.get(Household, household_id),
                   action=url_for("claims.start", household_id=household_id),
                   back=url_for("claims.index", household_id=household_id))


@bp.route("/zorgverlener/urenbriefje")
@web.roles_required(Role.ZORGVERLENER)
def provider_start():
    """The provider chooses one of their agreements and a past month, then fills in the sheet."""
    rows = db.session.execute(
        select(Agreement.id, Agreement.reference, Agreement.household_id)
        .where(Agreement.provider_id == current_user.provider_id).order_by(Agreement.id)).all() \
        if current_user.provider_id is not None else []
    holders = holder_labels(household_id for _aid, _reference, household_id in rows)
    options = [(str(aid), f"{holders[household_id]} ({reference})")
               for aid, reference, household_id in rows]
    back = url_for("providers.home") if "providers.home" in current_app.view_functions else None
    return _choose(options, provider=True, household=None,
                   action=url_for("claims.provider_start"), back=back)
