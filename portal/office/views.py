"""The payment office's screens: payment runs (preview, execute, earlier runs, a run's
payments, its SEPA file), the submitted and suspended hour sheets (approve, suspend or refuse
one with a reason), the holders' open claim-backs (record one paid back by transfer), the
intake of paper hour sheets, and the logins (who still needs one, make one, turn one off or
on). Role: beheerder.
Long because: one blueprint holds every screen of the office, each view thin (parse, call one
use case, render or redirect); the use cases live in their own areas."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal import describe
from portal.access.constants import Role
from portal.access.forms import ConfirmForm
from portal.access.mail import mail_goes_out
from portal.access.rules import WELCOME_LINK_VALID
from portal.access.service import invite_user, log_access, send_welcome_again, set_account_active
from portal.agreements.models import Agreement
from portal.agreements.service import missing_maxima_refusals
from portal.budgets.service import holder_labels
from portal.claims import free_claim_back
from portal.claims.constants import ClaimStatus
from portal.claims.service import intake_paper_claim
from portal.database import parse_id
from portal.dates import format_day, format_dutch, month_days, now, parse_month, today
from portal.extensions import db
from portal.forms import apply_refusals, form_status
from portal.money import format_euro
from portal.office import accounts, service
from portal.office.forms import (
    AccountForm,
    DecisionForm,
    PaperLookupForm,
    RepaymentForm,
    RunForm,
    SearchForm,
    cell_name,
    sheet_form_class,
    sheet_lines,
)
from portal.pagination import page_number, paginate
from portal.payments import sepa
from portal.payments import service as payments_service
from portal.payments.ledger import differences_of, last_check
from portal.payments.models import PaymentRun
from portal.payments.rules import next_run_date
from portal.payments.service import check_submitted as check_submitted_sheets
from portal.payments.service import confirm_run, list_runs, preview_next_run, run_details
from portal.refusals import AlreadyDone, Refused
from portal.web import roles_required, show_repeat

bp = Blueprint("office", __name__, url_prefix="/betaalkantoor")

office_only = roles_required(Role.BEHEERDER)


# --------------------------------------------------------------------------- payment runs


def _runs_page(form: RunForm, errors: list[str], status: int = 200):
    """The preview of the next run, with its fingerprint in the form (always today's, also
    after a refused POST): the fingerprint of the very sheets the preview shows."""
    preview = preview_next_run(today())
    form.fingerprint.data = preview.fingerprint
    ledger = last_check()
    shown = preview.page(page_number(request.args.get("pagina")))
    return render_template("office/runs.html", form=form, errors=errors, preview=preview,
                           check_form=ConfirmForm(),
                           shown=shown, runs=list_runs(), ledger=ledger,
                           ledger_checked_at=format_day(ledger.checked_at.date()) if ledger else "",
                           ledger_differences=differences_of(ledger) if ledger else [],
                           maxima_missing=missing_maxima_refusals(today())), status


@bp.get("/betaalrondes")
@office_only
def payment_runs():
    return _runs_page(RunForm(), [])


@bp.post("/betaalrondes/controleren")
@office_only
def check_submitted():
    """Check the submitted sheets (and put the monthly wages due ready) before a run, so the
    confirmation lists them; then on to the confirmation."""
    if not ConfirmForm().validate_on_submit():
        return _runs_page(RunForm(), ["Het formulier is verlopen. Probeer het opnieuw."], 400)
    approved, suspended = check_submitted_sheets(current_user, today())
    flash(f"{len(approved)} urenbriefje(s) en maandlonen gecontroleerd en goedgekeurd"
          + (f"; {suspended} opgeschort met de reden." if suspended else "."))
    return redirect(url_for("office.confirm_run_page"), code=303)


def _confirm_page(form: RunForm, errors: list[str], status: int = 200):
    """The run to confirm, made now: exactly the sheets, transfers and total it pays, with the
    moment and fingerprint of that list in the form."""
    confirmation = confirm_run(now())
    form.fingerprint.data = confirmation.fingerprint
    form.confirmed_at.data = confirmation.confirmed_at.isoformat()
    page, offset = paginate(len(confirmation.sheets), page_number(request.args.get("pagina")),
                            CONFIRM_PAGE_SIZE)
    shown = confirmation.sheets[offset:offset + CONFIRM_PAGE_SIZE]
    return render_template("office/run_confirm.html", form=form, errors=errors,
                           confirmation=confirmation, page=page, sheets=shown,
                           holders=holder_labels(s.household_id for s in shown),
                           check_form=ConfirmForm(), next_run=next_run_date(today())), status


CONFIRM_PAGE_SIZE = 100


@bp.get("/betaalrondes/bevestigen")
@office_only
def confirm_run_page():
    return _confirm_page(RunForm(), [])


@bp.post("/betaalrondes")
@office_only
def execute():
    """Pay exactly the run the office confirmed: when a confirmed sheet changed (or the run
    was just executed: a second click), 409 and the confirmation as it is now."""
    form = RunForm()
    if not form.validate_on_submit():
        return _confirm_page(form, ["Het formulier is verlopen. Probeer het opnieuw."], 400)
    try:
        outcome = service.execute_confirmed_run(
            current_user, today(), form.fingerprint.data,
            service.parse_confirmed_at(form.confirmed_at.data))
    except AlreadyDone as done:
        return show_repeat(done, url_for("office.payment_run", run_id=done.subject_id))
    except Refused as refused:
        status = 409 if "run_changed" in refused.codes else 422
        return _confirm_page(form, [r.message for r in refused.refusals], status)
    for held in outcome.held_back:  # no valid IBAN in the agreement: left for a later run
        flash(f"Urenbriefje {held.claim_reference}: {held.reason}")
    run = outcome.run
    if run is None:
        flash("Er is niets te betalen.")
        return redirect(url_for("office.payment_runs"))
    counts = payments_service.run_counts([run.id])[run.id]  # as the run's page counts
    flash(f"Betaalronde {run.reference} is uitgevoerd: {counts.payments} betaling(en), "
          f"totaal {format_euro(run.total_cents)}. Dat is precies wat u bevestigde.")
    return redirect(url_for("office.payment_run", run_id=run.id))


@bp.get("/betaalrondes/<int:run_id>")
@office_only
def payment_run(run_id: int):
    details = run_details(run_id, page_number(request.args.get("pagina")))
    if details is None:
        abort(404)
    return render_template("office/run.html", details=details, run=details.run,
                           refresh_seconds=RUN_REFRESH_SECONDS)


# While a run pays batch by batch, its page reloads itself this often (meta refresh, no script).
RUN_REFRESH_SECONDS = 10


@bp.get("/betaalrondes/<int:run_id>/sepa.xml", endpoint="sepa")
@office_only
def sepa_file(run_id: int):
    run = db.session.get(PaymentRun, run_id)
    if run is None:
        abort(404)
    try:
        xml = sepa.build_sepa_xml(run, sepa.payer_from_config(current_app.config), today())
    except Refused as refused:
        details = run_details(run_id)
        assert details is not None  # the run was found above
        return render_template("office/run.html", details=details, run=details.run,
                               errors=[r.message for r in refused.refusals]), 409
    return Response(xml, mimetype=sepa.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{sepa.filename(run)}"',
        "Cache-Control": "no-store"})


# --------------------------------------------------------------------------- sheets to check


@bp.get("/urenbriefjes")
@office_only
def claims():
    """The submitted sheets (waiting for the check) and the suspended ones."""
    asked = request.args.get("status")
    pages = {status: service.claims_to_handle(
        status, page_number(request.args.get("pagina")) if asked == status.value else 1)
        for status in (ClaimStatus.INGEDIEND, ClaimStatus.OPGESCHORT)}
    return render_template("office/claims.html",
                           submitted_page=pages[ClaimStatus.INGEDIEND][0],
                           submitted=pages[ClaimStatus.INGEDIEND][1],
                           suspended_page=pages[ClaimStatus.OPGESCHORT][0],
                           suspended=pages[ClaimStatus.OPGESCHORT][1])


DECIDED = {
    ClaimStatus.GOEDGEKEURD: "Urenbriefje {ref} is goedgekeurd. Het wordt betaald in de volgende "
                             "betaalronde.",
    ClaimStatus.OPGESCHORT: "Urenbriefje {ref} is opgeschort. De budgethouder en de zorgverlener "
                            "hebben een bericht met uw reden.",
    ClaimStatus.AFGEKEURD: "Urenbriefje {ref} is afgekeurd. De budgethouder en de zorgverlener "
                           "hebben een bericht met uw reden; het bedrag is weer vrij in het budget.",
}


@bp.route("/urenbriefjes/<int:claim_id>", methods=["GET", "POST"])
@office_only
def claim(claim_id: int):
    """One sheet: its lines and history; approve, suspend or refuse it (with a reason)."""
    view = service.office_claim(claim_id)
    if view is None:
        abort(404)
    if request.method == "GET":
        log_access(current_user, view.household_id,
                   describe.sheet(view.claim.month, view.provider_name),
                   object_type="claim", object_id=view.claim.id)
    form = DecisionForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            decided = service.decide_claim(current_user, view.claim, request.form.get("besluit"),
                                           form.reason.data, today())
        except AlreadyDone as done:
            return show_repeat(done, url_for("office.claim", claim_id=claim_id))
        except Refused as refused:
            general = apply_refusals(form, refused)
        else:
            flash(DECIDED[ClaimStatus(decided.status)].format(ref=decided.reference))
            return redirect(url_for("office.claims"))
    status = form_status()
    return render_template("office/claim.html", view=view, form=form, general=general), status


# --------------------------------------------------------------------------- claim-backs paid back


@bp.get("/terugvorderingen")
@office_only
def claim_backs():
    """The holders' claim-backs of the free amount still open: no later payment to the holder
    to net them against, so the holder pays them back by bank transfer."""
    shown, rows = free_claim_back.open_claim_backs(page_number(request.args.get("pagina")))
    return render_template("office/claim_backs.html", page=shown, rows=rows)


@bp.route("/terugvorderingen/<int:claim_id>", methods=["GET", "POST"])
@office_only
def claim_back(claim_id: int):
    """One claim-back: record that the holder paid it back by bank transfer (the day received
    and the whole open amount, ticked as checked; claims.free_claim_back.record_repaid)."""
    item = free_claim_back.holder_claim_back(claim_id)
    if item is None:
        abort(404)
    form = RepaymentForm()
    general: list[str] = []
    if request.method == "GET":
        log_access(current_user, item.household_id, f"de terugvordering {item.reference}",
                   object_type="claim", object_id=item.claim_id)
        form.amount.data = item.amount_cents
    elif form.validate_on_submit():
        assert form.received_on.data is not None and form.amount.data is not None  # required
        try:
            free_claim_back.record_repaid(current_user, claim_id, form.received_on.data,
                                          form.amount.data, today())
        except AlreadyDone as done:
            return show_repeat(done, url_for("office.claim_back", claim_id=claim_id))
        except Refused as refused:
            general = apply_refusals(form, refused, {"status": ""})
        else:
            flash(f"Vastgelegd: terugvordering {item.reference} is terugbetaald "
                  f"({format_euro(form.amount.data)}). De budgethouder heeft een bericht.")
            return redirect(url_for("office.claim_backs"), code=303)
    return render_template("office/claim_back.html", item=item, form=form,
                           general=general), form_status()


# --------------------------------------------------------------------------- paper intake


@bp.route("/papier", methods=["GET", "POST"])
@office_only
def paper_intake():
    """Step 1: which sheet - by its printed reference, or agreement and month by hand."""
    form = PaperLookupForm()
    form.set_agreements(service.agreement_choices())
    if form.validate_on_submit():
        reference, agreement_id, month = form.chosen()
        if reference:
            try:
                agreement, month = service.find_agreement_for_reference(reference)
            except Refused as refused:
                form.reference.errors.extend(r.message for r in refused.refusals)
            else:
                agreement_id = agreement.id
        if agreement_id is not None and month is not None:
            return redirect(url_for("office.paper_sheet", agreement_id=agreement_id,
                                    month=f"{month:%Y-%m}"))
    status = form_status()
    return render_template("office/paper_lookup.html", form=form), status


def _sheet_context(agreement_id: int, month_text: str):
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        abort(404)
    try:
        month = parse_month(month_text)
    except Refused:
        abort(404)
    header = service.sheet_header(agreement, month)
    days = month_days(month)
    return agreement, header, days


@bp.route("/papier/<int:agreement_id>/<month>", methods=["GET", "POST"])
@office_only
def paper_sheet(agreement_id: int, month: str):
    """Step 2: the month's days x the agreement's kinds of care; submit = the holder's akkoord."""
    agreement, header, days = _sheet_context(agreement_id, month)
    if request.method == "GET":
        log_access(current_user, agreement.household_id,
                   describe.sheet(header.month, header.provider_name),
                   object_type="agreement", object_id=agreement.id)
    form = sheet_form_class(header.columns, days)()
    if request.method == "GET" and not form.received_on.data:
        form.received_on.data = today().isoformat()
    general: list[str] = []
    if form.validate_on_submit():
        lines, fields = sheet_lines(form, header.columns, days)
        received_on = form.received(today())
        if not form.errors:
            try:
                claim = intake_paper_claim(current_user, agreement, header.month, lines, today(),
                                           received_on=received_on)
            except Refused as refused:
                general = apply_refusals(form, refused, lines=fields)
            else:
                flash(f"Het papieren urenbriefje {claim.reference} is ingediend "
                      f"({format_euro(claim.total_cents)}).")
                return redirect(url_for("office.paper_intake"))
    status = form_status()
    rows = [(day, format_dutch(day, "EEEE d MMMM")) for day in days]
    return render_template("office/paper_sheet.html", form=form, header=header, rows=rows,
                           general=general, cell=_cell), status


def _cell(form, day, column):
    return form[cell_name(day, column)]


# --------------------------------------------------------------------------- logins


@bp.get("/inlogaccounts", endpoint="accounts")
@office_only
def accounts_page():
    """Who still needs a login, and every login (search, a page at a time, off / on)."""
    search = SearchForm(formdata=request.args)
    listing = accounts.list_accounts(search.zoek.data or "", page_number(request.args.get("pagina")),
                                     actor_id=current_user.id)
    return render_template("office/accounts.html", todo=accounts.accounts_todo(today()),
                           listing=listing, search=search, confirm=ConfirmForm())


def _optional_id(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.route("/inlogaccounts/nieuw", methods=["GET", "POST"])
@office_only
def new_account():
    """Make a login: the rules of `portal create-user`; the person chooses a password through
    the link in the welcome mail."""
    form = AccountForm()
    form.set_choices(accounts.link_choices())
    if request.method == "GET":
        prefill = accounts.prefill_for(_optional_id("zorgverlener"), _optional_id("huishouden"))
        form.role.data = prefill.role
        form.name.data = prefill.name
        form.email.data = prefill.email
        form.household.data = prefill.household_id
        form.provider.data = prefill.provider_id
    elif form.validate_on_submit():
        try:
            user = invite_user(current_user, email=form.email.data or "",
                               name=form.name.data or "", role=form.role.data or "",
                               household_id=form.household.data,
                               provider_id=form.provider.data, funder_id=form.funder.data,
                               link_for=_welcome_link)
        except Refused as refused:
            form.form_errors.extend(apply_refusals(form, refused))
        else:
            _flash_welcome(user, f"De inlog voor {user.name} is gemaakt")
            return redirect(url_for("office.accounts", zoek=user.email))
    status = form_status()
    return render_template("office/account_new.html", form=form,
                           welcome_days=WELCOME_LINK_VALID.days), status


def _welcome_link(token: str) -> str:
    return url_for("access.reset", token=token, _external=True)


def _flash_welcome(user, done: str) -> None:
    if mail_goes_out():
        flash(f"{done}. {user.name} krijgt een e-mail op {user.email} met een link om een "
              f"wachtwoord te kiezen. De link is {WELCOME_LINK_VALID.days} dagen geldig.")
    else:
        flash(f"{done}, maar het portaal kan geen e-mail versturen: er is geen mailserver "
              "ingesteld (PORTAL_MAIL_SERVER). Vraag de beheerder van de server om die in te "
              f"stellen. Daarna kiest {user.name} op de inlogpagina 'Wachtwoord vergeten' en "
              "krijgt een link.")


def _back_to_list():
    return redirect(url_for("office.accounts", zoek=request.form.get("zoek") or None,
                            pagina=page_number(request.form.get("pagina"))))


def _account_action(act, done):
    """A button on a login's row: act() (a use case on that login), then done(user) says what
    happened; a refusal is said instead; back to the same list page either way."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        user = act()
    except AlreadyDone as repeat:
        return show_repeat(repeat, _back_to_list().location)
    except Refused as refused:
        if "account_unknown" in refused.codes:
            abort(404)
        flash(refused.refusals[0].message)
    else:
        done(user)
    return _back_to_list()


@bp.post("/inlogaccounts/<int:user_id>/welkomstmail")
@office_only
def welcome_again(user_id: int):
    """'Welkomstmail opnieuw sturen': a new link for a login whose owner chose no password yet."""
    return _account_action(
        lambda: send_welcome_again(current_user, user_id, link_for=_welcome_link,
                                   seen=request.form.get("stand")),
        lambda user: _flash_welcome(user, f"De welkomstmail voor {user.name} is opnieuw "
                                          "verstuurd, met een nieuwe link. De link uit de eerdere "
                                          "e-mail werkt niet meer"))


def _set_active(user_id: int, active: bool):
    def done(user):
        if active:
            flash(f"De inlog van {user.name} staat weer aan. {user.name} kan weer inloggen.")
        else:
            flash(f"De inlog van {user.name} staat uit. {user.name} kan niet meer inloggen; wie "
                  "nu ingelogd is, is dat bij de volgende klik niet meer.")

    return _account_action(lambda: set_account_active(current_user, user_id, active), done)


@bp.post("/inlogaccounts/<int:user_id>/uitzetten")
@office_only
def disable_account(user_id: int):
    return _set_active(user_id, False)


@bp.post("/inlogaccounts/<int:user_id>/aanzetten")
@office_only
def enable_account(user_id: int):
    return _set_active(user_id, True)


# --------------------------------------------------------------------------- tasks first


@bp.context_processor
def office_tasks():
    """'Wat moet u doen?' at the top of the office's start page (office/_tasks.html): the
    sheets waiting for a decision and for the check, counted when the page asks."""
    return {"office_tasks": service.claims_waiting_counts}


# The corrections of paid claims have their own module, on this blueprint.
from portal.office import correction_views  # noqa: E402, F401
