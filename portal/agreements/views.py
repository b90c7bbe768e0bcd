"""Screens of care agreements: the list, one agreement with its versions, the new-agreement
wizard (one step per page, the draft saved at every step), signing by both parties, the paper
route, changes and ending.

Long because: one blueprint for the wizard's steps, signing, paper and changes (one URL space).

Thin views: parse the form, call one service function, redirect with a message, or show the
page again with the refusals next to the fields (status 422, nothing written). Load -> check
permission -> act; an agreement that is not yours answers 404.
"""

from __future__ import annotations

import io
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import describe
from portal.access.constants import Role
from portal.access.service import log_access
from portal.agreements import changing, forms, funder_review, rules, service, signing
from portal.agreements.constants import (
    EndKind,
    ModelKind,
    ProviderKind,
    Relation,
    VersionStatus,
)
from portal.agreements.lifecycle import EDITABLE, available_actions
from portal.agreements.models import Agreement, AgreementDocument, AgreementVersion
from portal.agreements.permissions import (
    can_act_as_holder,
    can_download_document,
    can_view_agreement,
    is_agreement_provider,
)
from portal.agreements.presenters import (
    _agreement_view,
    _budget_label,
    _care_rows,
    _grant_label,
    _grants_by_id,
    _hours_label,
    _version_view,
    first_year_lines,
    first_years,
    next_step,
    sign_check,
    years_of,
)
from portal.agreements.reads import (
    cost_overview,
    events_of,
    grants_to_offer,
    household_agreements,
    load_agreement,
    provider_changes,
)
from portal.agreements.rules import LineInput
from portal.agreements.storage import DocumentDamaged, open_document
from portal.agreements.titles import agreement_titles
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant
from portal.dates import format_day, today
from portal.extensions import db
from portal.forms import abort_if_not_allowed, apply_refusals, form_status
from portal.headers import as_uploaded_file
from portal.providers.service import provider_has_login, provider_login_notice
from portal.refusals import AlreadyDone, Refused
from portal.web import household_view, show_repeat

bp = Blueprint("agreements", __name__)

STEPS = [
    ("model", "Model"),
    ("zorgverlener", "Zorgverlener"),
    ("budgetten", "Budgetten"),
    ("zorg", "Soorten zorg en tarieven"),
    ("uren", "Uren per week"),
    ("periode", "Periode"),
    ("controleren", "Controleren en delen"),
]
STEP_NAMES = [s for s, _ in STEPS]


# ---------------------------------------------------------------------------------------------
# Loading and permissions
# ---------------------------------------------------------------------------------------------


def _load(agreement_id: int, *, log: bool = True) -> Agreement:
    """The agreement, if the user may see it; else 404 (not a hint that it exists).
    A GET is logged as a look; `log=False` leaves that to a caller that checks more first."""
    agreement = load_agreement(agreement_id)
    if agreement is None or not can_view_agreement(current_user, agreement, today()):
        abort(404)
    if log and request.method == "GET":
        _log_look(agreement)
    return agreement


def _log_look(agreement: Agreement) -> None:
    """A look by anyone but the budget holder goes into the household's access log."""
    log_access(current_user, agreement.household_id,
               describe.agreement(agreement.reference, agreement.provider.name),
               object_type="agreement", object_id=agreement.id)


def _load_for_holder(agreement_id: int) -> Agreement:
    agreement = _load(agreement_id)
    if not can_act_as_holder(current_user, agreement, today()):
        abort(404)
    return agreement


def _editable_version(agreement: Agreement) -> AgreementVersion | None:
    version = service.open_version(agreement)
    return version if version is not None and version.status in EDITABLE else None


# ---------------------------------------------------------------------------------------------
# Refusals onto forms
# ---------------------------------------------------------------------------------------------


def _posted():
    return request.form if request.method == "POST" else None


def _has_errors(form) -> bool:
    return any(f.errors for f in form)


# ---------------------------------------------------------------------------------------------
# List and detail
# ---------------------------------------------------------------------------------------------


@bp.get("/huishoudens/<int:household_id>/overeenkomsten")
@household_view()
def index(household_id: int):
    day = today()
    agreements = household_agreements(household_id)
    events = events_of(a.id for a in agreements)
    grants: dict[int, Grant] = {}
    views = [_agreement_view(a, grants, day, events[a.id]) for a in agreements]
    from flask import g

    return render_template("agreements/index.html", household_id=household_id, views=views,
                           can_act=g.access.can_act,
                           titles=agreement_titles(a.id for a in agreements))


@bp.get("/overeenkomsten/<int:agreement_id>")
@login_required
def show(agreement_id: int):
    agreement = _load(agreement_id)
    day = today()
    grants = _grants_by_id(agreement.household_id)
    # A consulent sees of the other funders that they decided, not who or why.
    seen_by_funder = current_user.funder_id if current_user.role == Role.CONSULENT else None
    view = _agreement_view(agreement, grants, day,
                           events_of([agreement.id],
                                             seen_by_funder=seen_by_funder)[agreement.id],
                           with_versions=True)
    funders = {gid: g.funder_id for gid, g in grants.items()}
    # A scan a consulent may not download (it holds other funders' lines) is named, not linked.
    documents = [(d, can_download_document(current_user, agreement, d, funders))
                 for d in db.session.scalars(select(AgreementDocument).where(
                     AgreementDocument.agreement_id == agreement.id)
                     .order_by(AgreementDocument.id))]
    holder = can_act_as_holder(current_user, agreement, day)
    provider = is_agreement_provider(current_user, agreement)
    open_version = service.open_version(agreement)
    actions = _actions(agreement, open_version, holder, provider)
    changes = provider_changes(open_version) if open_version is not None else {}
    return render_template("agreements/show.html", view=view, documents=documents,
                           actions=actions, changes=changes, holder=holder,
                           is_provider=provider,
                           review_states=funder_review.review_states(
                               agreement.versions, seen_by_funder=seen_by_funder),
                           next=next_step(agreement, open_version, holder=holder,
                                          provider=provider),
                           # a consulent reads their own funder's reason in the decisions
                           funder_view=seen_by_funder is not None)


def _actions(agreement: Agreement, open_version: AgreementVersion | None, holder: bool,
             provider: bool) -> dict[str, bool]:
    return available_actions(
        holder=holder, provider=provider,
        open_status=VersionStatus(open_version.status) if open_version is not None else None,
        provider_signed=open_version is not None and open_version.signed_by_provider_at is not None,
        approved=service.approved_version(agreement) is not None,
        ended=any(v.status == VersionStatus.BEEINDIGD for v in agreement.versions))


@bp.get("/overeenkomsten/<int:agreement_id>/documenten/<int:document_id>")
@login_required
def document(agreement_id: int, document_id: int):
    agreement = _load(agreement_id, log=False)
    doc = db.session.get(AgreementDocument, document_id)
    if doc is None or not can_download_document(current_user, agreement, doc):
        abort(404)
    _log_look(agreement)  # only once the document is there and theirs to have
    try:
        data = open_document(doc)
    except DocumentDamaged:
        current_app.logger.exception("Document %s of agreement %s cannot be served", doc.id,
                                     agreement.id)
        abort(404)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=doc.original_name)
    response.headers["Cache-Control"] = "private, no-store"
    return as_uploaded_file(response)


# ---------------------------------------------------------------------------------------------
# The wizard: a new agreement (model, provider), then the steps of the draft
# ---------------------------------------------------------------------------------------------


@bp.route("/huishoudens/<int:household_id>/overeenkomsten/nieuw", methods=["GET", "POST"])
@household_view(act=True, what="de pagina 'Nieuwe zorgovereenkomst'")
def new(household_id: int):
    form = forms.ModelForm()
    if form.validate_on_submit():
        return redirect(url_for("agreements.new_provider", household_id=household_id,
                                model=form.model.data))
    status = form_status()
    return render_template("agreements/new_model.html", form=form, household_id=household_id,
                           steps=_steps_nav(None, "model"), general=[]), status


@bp.route("/huishoudens/<int:household_id>/overeenkomsten/nieuw/zorgverlener",
          methods=["GET", "POST"])
@household_view(act=True, what="de pagina 'Nieuwe zorgovereenkomst'")
def new_provider(household_id: int):
    """Step 2: a provider the household knows (whose earlier agreement is over) or a new one.
    Two forms on one page (no JavaScript needed); `wie` says which one was sent."""
    try:
        model = ModelKind(request.args.get("model", ""))
    except ValueError:
        flash("Kies eerst het model van de overeenkomst.")
        return redirect(url_for("agreements.new", household_id=household_id))
    day = today()
    known = service.household_providers(household_id, day)
    choosable = [(k.provider.id, k.provider.name) for k in known if k.current is None]
    sent_known = request.method == "POST" and request.form.get("wie") == "bekend" and choosable
    posted = _posted()
    form = forms.new_provider_form(model, formdata=None if sent_known else posted)
    known_form = (forms.known_provider_form(model, choosable,
                                            formdata=posted if sent_known else None)
                  if choosable else None)
    active = known_form if sent_known and known_form is not None else form
    general: list[str] = []
    links: list[tuple[str, str]] = []
    if request.method == "POST" and active.validate_on_submit():
        relation = active.relation.data if "relation" in active._fields else None
        if sent_known:
            details: dict = {"provider_id": active.provider.data}
        else:
            details = {f: active[f].data for f in ("name", "iban", "kvk", "agb", "email")
                       if f in active._fields}
        try:
            started = service.start_agreement(current_user, household_id=household_id,
                                              model=model, relation=relation, today=day,
                                              **details)
        except Refused as refused:
            general = apply_refusals(active, refused, {"provider_id": ""})
            if isinstance(refused, service.AgreementExists):
                links.append(("Naar de overeenkomst die u al heeft",
                              url_for("agreements.show", agreement_id=refused.agreement_id)))
        else:
            agreement = started.agreement
            if started.provider_known and not sent_known:
                flash(f"{agreement.provider.name} is al bekend in het portaal als zorgverlener. De "
                      "overeenkomst is met deze zorgverlener gemaakt, met de gegevens die al "
                      "bekend zijn; er is geen tweede zorgverlener bijgekomen.")
            flash(f"Het concept {agreement.reference} is opgeslagen. U kunt later verder gaan.")
            return redirect(_step_url(agreement, "budgetten"))
    status = form_status()
    return render_template("agreements/new_provider.html", form=form, known_form=known_form,
                           active=active, household_id=household_id, model=model,
                           blocked=[k for k in known if k.current is not None], general=general,
                           links=links, steps=_steps_nav(None, "zorgverlener")), status


def _step_url(agreement: Agreement, step: str) -> str:
    return url_for("agreements.step", agreement_id=agreement.id, step=step)


def _steps_nav(agreement: Agreement | None, current: str) -> list[dict]:
    nav = []
    for name, label in STEPS:
        href = _step_url(agreement, name) if agreement is not None else None
        nav.append({"name": name, "label": label, "href": href, "current": name == current})
    return nav


def _next_step(step: str) -> str:
    return STEP_NAMES[min(STEP_NAMES.index(step) + 1, len(STEP_NAMES) - 1)]


def _current_lines(version: AgreementVersion) -> list[LineInput]:
    return [LineInput(ln.grant_id, CareKind(ln.care_kind), Unit(ln.unit), ln.tariff_cents,
                      ln.weekly_quantity) for ln in version.lines]


def _current_values(version: AgreementVersion) -> dict:
    agreement = version.agreement
    return {"starts_on": version.starts_on, "ends_on": version.ends_on,
            "end_kind": EndKind(version.end_kind), "days_per_week": version.days_per_week,
            "lines": _current_lines(version), "top_up": bool(version.top_up),
            "model": ModelKind(agreement.model), "relation": Relation(agreement.relation)}


def _step_of(refusal_field: str | None) -> str:
    if not refusal_field:
        return "controleren"
    if refusal_field == "model":
        return "model"
    if refusal_field in ("relation", "kvk", "agb", "provider_id", "name", "iban", "email"):
        return "zorgverlener"
    if refusal_field in ("starts_on", "ends_on"):
        return "periode"
    if refusal_field in ("days_per_week", "week_total"):
        return "uren"
    if refusal_field == "lines":
        return "zorg"
    if refusal_field == "grants":
        return "budgetten"
    if refusal_field.startswith("lines-"):
        part = refusal_field.rsplit("-", 1)[-1]
        return {"grant_id": "budgetten", "weekly_quantity": "uren"}.get(part, "zorg")
    return "controleren"


def _grant_aliases(version_lines: list[LineInput]) -> dict[str, str]:
    """The budget step has one field for the lines' budgets: 'grants'."""
    return {"lines": "grants", **{f"lines-{i}-grant_id": "grants"
                                  for i in range(len(version_lines))}}


@bp.route("/overeenkomsten/<int:agreement_id>/stap/<step>", methods=["GET", "POST"])
@login_required
def step(agreement_id: int, step: str):
    if step not in STEP_NAMES:
        abort(404)
    agreement = _load_for_holder(agreement_id)
    version = _editable_version(agreement)
    if version is None:
        flash("Deze overeenkomst is geen concept meer en kan hier niet gewijzigd worden.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    handler = STEP_HANDLERS[step]
    return handler(agreement, version)


def _save(agreement: Agreement, version: AgreementVersion, form, changes: dict, step: str,
          **places):
    """update_draft with the current values and this step's changes; then go on or stay."""
    values = {**_current_values(version), **changes}
    if version.number > 1:
        values.pop("model")
        values.pop("relation")
    try:
        service.update_draft(current_user, version, today=today(), **values)
    except Refused as refused:
        return apply_refusals(form, refused, **places)
    if request.form.get("action") == "concept":
        flash(f"Het concept {agreement.reference} is opgeslagen. U kunt later verder gaan waar u "
              "gebleven was.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    outstanding = [r for r in service.draft_verdict(version, today()).refusals if _step_of(r.field) == step]
    if outstanding and step != "controleren":
        flash("Opgeslagen. Er is nog iets niet in orde op deze pagina: zie de meldingen.")
        session[_CHECKED] = f"{agreement.id}:{step}"  # the next GET shows what is wrong
        return redirect(_step_url(agreement, step))
    flash("Opgeslagen.")
    return redirect(_step_url(agreement, _next_step(step)))


# Errors only after submit: a step shows what is still wrong with the draft when the user
# saved it and something was left (the marker in the session), or came from the check step's
# list of what is not in order (?fout=1) - not on a first arrival.
_CHECKED = "agreement_step_checked"


def _after_submit(agreement: Agreement, step: str) -> bool:
    marked = session.pop(_CHECKED, None) == f"{agreement.id}:{step}"
    return marked or request.args.get("fout") == "1"


def _render_step(template: str, agreement, version, step: str, form, general: list[str],
                 places: dict | None = None, verdict=None, **context):
    """Show a step. On GET, what is still wrong with the draft for this step shows next to the
    fields (the verdict of the rules; pass it when the step has it already). `places`: where
    apply_refusals puts the rules' line refusals, when not on the form's own line fields."""
    verdict = verdict or service.draft_verdict(version, today())
    if request.method == "GET" and _after_submit(agreement, step):
        mine = [r for r in verdict.refusals if _step_of(r.field) == step]
        general = general + apply_refusals(form, mine, **(places or {}))
    status = form_status()
    return render_template(template, agreement=agreement, version=version, form=form,
                           general=general, steps=_steps_nav(agreement, step), step=step,
                           notices=verdict.notices, model=ModelKind(agreement.model),
                           **context), status


def _step_model(agreement: Agreement, version: AgreementVersion):
    form = forms.ModelForm(data={"model": agreement.model})
    general: list[str] = []
    if request.method == "POST":
        if version.number > 1:
            return redirect(_step_url(agreement, "zorgverlener"))
        if form.validate_on_submit():
            result = _save(agreement, version, form, {"model": ModelKind(form.model.data)}, "model")
            if not isinstance(result, list):
                return result
            general = result
    return _render_step("agreements/step_model.html", agreement, version, "model", form, general)


def _step_provider(agreement: Agreement, version: AgreementVersion):
    model = ModelKind(agreement.model)
    form = forms.relation_form(model, data={"relation": agreement.relation})
    general: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        changes = {}
        if "relation" in form._fields:
            general = apply_refusals(form, rules.check_relation_choice(model, form.relation.data))
            if not _has_errors(form):
                changes["relation"] = Relation(form.relation.data)
        if not _has_errors(form):
            result = _save(agreement, version, form, changes, "zorgverlener")
            if not isinstance(result, list):
                return result
            general = result
    return _render_step("agreements/step_provider.html", agreement, version, "zorgverlener", form,
                        general, provider=agreement.provider,
                        login_notice=provider_login_notice(agreement.provider))


def _step_grants(agreement: Agreement, version: AgreementVersion):
    """Each budget (member x law x funder) is one choice, by its first grant offered; the
    service draws on the grants of the years the agreement's dates cover."""
    grants, first = grants_to_offer(version, today())
    offered = first_years(grants)
    budget_of = {g.id: head.id for head in offered for g in years_of(head, grants)}
    checked = sorted({budget_of[g] for g in version.chosen_grant_ids if g in budget_of})
    # On POST only what was sent counts (no box ticked is an answer too, not "as before").
    form = forms.GrantsForm(formdata=_posted(), data={"grants": checked})
    form.grants.choices = forms.options((g.id, _budget_label(g, years_of(g, grants)))
                                        for g in offered)
    general: list[str] = []
    aliases = _grant_aliases(_current_lines(version))
    if request.method == "POST" and form.validate_on_submit():
        picked = {budget_of.get(g, g) for g in form.grants.data}
        years = [g for g in grants if budget_of.get(g.id) in picked]
        lines = [ln for ln in _current_lines(version) if budget_of.get(ln.grant_id) in picked]
        starts_on = rules.start_in_periods(
            version.starts_on, [(g.period_start, g.period_end) for g in years], today())
        result = _save(agreement, version, form, {"lines": lines, "grant_ids": sorted(picked),
                                                  "starts_on": starts_on},
                       "budgetten", aliases=aliases)
        if not isinstance(result, list):
            return result
        general = result
    return _render_step("agreements/step_grants.html", agreement, version, "budgetten", form,
                        general, {"aliases": aliases}, has_grants=bool(grants), first=first)


def _step_care(agreement: Agreement, version: AgreementVersion):
    current = _current_lines(version)
    by_id = _grants_by_id(agreement.household_id)
    grants = first_years([by_id[i] for i in version.chosen_grant_ids if i in by_id])
    if not grants:
        flash("Kies eerst voor wie en uit welk budget de zorg betaald wordt.")
        return redirect(_step_url(agreement, "budgetten"))
    rows = _care_rows(grants)
    data: dict = {"top_up": bool(version.top_up)}
    data.update({_prefix(ln): forms.care_line(ln) for ln in current})
    form = forms.care_form(ModelKind(agreement.model), rows, data=data)
    general: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        weekly = {_prefix(ln): ln.weekly_quantity for ln in current}
        chosen = [(gid, kind) for gid, kind, _ in rows
                  if form[forms.care_prefix(gid, kind)].care_kind.data]
        lines = [_care_line(gid, kind, form, weekly) for gid, kind in chosen]
        if not lines:
            general.append("Kies minstens één soort zorg en vul het tarief in.")
        else:
            result = _save(agreement, version, form, {"lines": lines,
                                                      "top_up": bool(form.top_up.data)},
                           "zorg", lines=[form[forms.care_prefix(*c)] for c in chosen])
            if not isinstance(result, list):
                return result
            general = result
    return _render_care(agreement, version, form, general, current, grants, rows)


def _prefix(line: LineInput) -> str:
    return forms.care_prefix(line.grant_id, line.care_kind.value)


def _care_line(grant_id: int, kind: str, form, weekly: dict[str, int]) -> LineInput:
    """A ticked row of the care step as a line; the hours as they were (the next step)."""
    p = forms.care_prefix(grant_id, kind)
    row = form[p]
    return LineInput(grant_id, CareKind(kind), Unit(row.unit.data), row.tariff_cents.data,
                     weekly.get(p, 0))


def _render_care(agreement, version, form, general, current, grants, rows):
    verdict = service.draft_verdict(version, today())
    maxima = {}
    for t in verdict.tariffs:
        if t.maximum_cents is not None and t.index < len(current):
            maxima[_prefix(current[t.index])] = (t.maximum_cents, t.maximum_year)
    show_top_up = bool(version.top_up) or any(r.code == "tariff_above_maximum"
                                              for r in verdict.refusals)
    groups = [(g, [(forms.care_prefix(g.id, k), lbl) for gid, k, lbl in rows if gid == g.id])
              for g in grants]
    return _render_step("agreements/step_care.html", agreement, version, "zorg", form, general,
                        {"lines": [form._fields.get(_prefix(ln)) for ln in current]},
                        verdict=verdict,
                        groups=groups, grant_label=_budget_label, maxima=maxima,
                        show_top_up=show_top_up, minimum_wage=service.minimum_wage(version))


def _step_hours(agreement: Agreement, version: AgreementVersion):
    grants = _grants_by_id(agreement.household_id)
    current = first_year_lines(_current_lines(version), grants)
    if not current:
        flash("Kies eerst de soorten zorg en de tarieven.")
        return redirect(_step_url(agreement, "zorg"))
    labels = [_hours_label(ln, grants) for ln in current]
    form = forms.hours_form(ModelKind(agreement.model), current, labels,
                            data={"lines": forms.quantity_data(current),
                                  "days_per_week": version.days_per_week})
    general: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        lines = [replace(ln, weekly_quantity=entry.weekly_quantity.data)
                 for ln, entry in zip(current, form.lines, strict=True)]
        changes: dict = {"lines": lines}
        if "days_per_week" in form._fields:
            changes["days_per_week"] = form.days_per_week.data
        result = _save(agreement, version, form, changes, "uren")
        if not isinstance(result, list):
            return result
        general = result
    units = [ln.unit.value for ln in current]
    return _render_step("agreements/step_hours.html", agreement, version, "uren", form, general,
                        units=units)


def _step_period(agreement: Agreement, version: AgreementVersion):
    form = forms.PeriodForm(data={"starts_on": version.starts_on, "ends_on": version.ends_on,
                                  "end_kind": version.end_kind})
    general: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        ends_on = form.ends_on.data if form.end_kind.data != EndKind.GEEN else None
        result = _save(agreement, version, form, {
            "starts_on": form.starts_on.data, "ends_on": ends_on,
            "end_kind": EndKind(form.end_kind.data)}, "periode")
        if not isinstance(result, list):
            return result
        general = result
    return _render_step("agreements/step_period.html", agreement, version, "periode", form,
                        general)


def _step_check(agreement: Agreement, version: AgreementVersion, status: int | None = None,
                form=None, general: list[str] | None = None):
    day = today()
    verdict = service.draft_verdict(version, day)
    grants = _grants_by_id(agreement.household_id)
    outstanding = [{"message": r.message,
                    "href": url_for("agreements.step", agreement_id=agreement.id,
                                    step=_step_of(r.field), fout=1)}
                   for r in verdict.refusals]
    costs = cost_overview(version, day)
    return render_template(
        "agreements/step_check.html", agreement=agreement, version=version,
        form=form or forms.ConfirmForm(), general=general or [],
        steps=_steps_nav(agreement, "controleren"), step="controleren",
        view=_version_view(version, grants, day), outstanding=outstanding,
        notices=verdict.notices, costs=costs, grant_label=_grant_label,
        login_notice=provider_login_notice(agreement.provider),
        model=ModelKind(agreement.model), relation=Relation(agreement.relation),
    ), status or (form_status())


STEP_HANDLERS = {
    "model": _step_model, "zorgverlener": _step_provider, "budgetten": _step_grants,
    "zorg": _step_care, "uren": _step_hours, "periode": _step_period,
    "controleren": _step_check,
}


@bp.post("/overeenkomsten/<int:agreement_id>/delen")
@login_required
def share(agreement_id: int):
    agreement = _load_for_holder(agreement_id)
    version = service.open_version(agreement)
    form = forms.ConfirmForm()
    if version is None:
        abort(404)
    if form.validate_on_submit():
        try:
            signing.share(current_user, version, today())
        except AlreadyDone as done:
            return show_repeat(done, url_for("agreements.show", agreement_id=agreement.id))
        except Refused as refused:
            abort_if_not_allowed(refused)
            return _step_check(agreement, version, 422, form, [r.message for r in refused.refusals])
        name = agreement.provider.name
        if provider_has_login(agreement.provider_id):
            flash(f"De overeenkomst is gedeeld met {name}. De zorgverlener vult zijn gegevens "
                  "aan en ondertekent. Daarna ondertekent u.")
        else:
            flash(f"De overeenkomst is gedeeld met {name}. {name} heeft nog geen inlog: het "
                  "betaalkantoor heeft een bericht gekregen en maakt die aan. Daarna vult de "
                  "zorgverlener zijn gegevens aan en ondertekent, en dan ondertekent u.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return _step_check(agreement, version, 422, form, ["Probeer het opnieuw."])


@bp.route("/overeenkomsten/<int:agreement_id>/terughalen", methods=["GET", "POST"])
@login_required
def withdraw(agreement_id: int):
    """Take a shared version back from the provider: a check page first (what happens), then
    back to a concept - to correct it in the wizard ('aanpassen') or to leave it."""
    agreement = _load_for_holder(agreement_id)
    version = service.open_version(agreement)
    back = url_for("agreements.show", agreement_id=agreement.id)
    # A POST on a concept is answered by the service (a repeat: 'Dit is al gedaan').
    allowed = {VersionStatus.GEDEELD} | ({VersionStatus.CONCEPT} if request.method == "POST"
                                         else set())
    if version is None or version.status not in allowed:
        flash("Er is nu niets om terug te halen bij de zorgverlener.")
        return redirect(back)
    form = forms.ConfirmForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            signing.withdraw(current_user, version, today())
        except AlreadyDone as done:
            return show_repeat(done, back)
        except Refused as refused:
            abort_if_not_allowed(refused)
            general = [r.message for r in refused.refusals]
        else:
            name = agreement.provider.name
            if request.form.get("action") == "aanpassen":
                flash(f"De overeenkomst is teruggehaald bij {name} en is weer een concept. Pas "
                      "aan wat nodig is en deel hem daarna opnieuw. We hebben "
                      f"{name} een bericht gestuurd.")
                return redirect(_step_url(agreement, "controleren"))
            flash(f"De overeenkomst is teruggehaald bij {name} en is weer een concept. We hebben "
                  f"{name} een bericht gestuurd.")
            return redirect(back)
    grants = _grants_by_id(agreement.household_id)
    return render_template("agreements/withdraw.html", agreement=agreement, form=form,
                           general=general, view=_version_view(version, grants, today()),
                           provider=agreement.provider,
                           provider_signed=version.signed_by_provider_at is not None
                           ), 422 if general else 200


# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------


@bp.route("/overeenkomsten/<int:agreement_id>/ondertekenen-zorgverlener", methods=["GET", "POST"])
@login_required
def provider_sign(agreement_id: int):
    """The provider's signature in two pages, without JavaScript: GET, the details to complete;
    POST 'controleren', the check page (what will be signed with the details typed, the sign
    button at the end); POST 'ondertekenen' signs exactly what that page showed (its token),
    and 'aanpassen' goes back to the details. Only the last POST writes."""
    agreement = _load(agreement_id)
    if not is_agreement_provider(current_user, agreement):
        abort(404)
    version = service.open_version(agreement)
    if (version is None or version.status != VersionStatus.GEDEELD
            or version.signed_by_provider_at is not None):
        flash("Er is nu niets om te ondertekenen.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    organisation = agreement.provider.kind == ProviderKind.ORGANISATIE
    action = request.form.get("action", "controleren") if request.method == "POST" else ""
    form = forms.provider_sign_form(organisation, data=signing.signing_details(version))
    if request.method == "GET" or action == "aanpassen":
        return _provider_sign_page(agreement, version, form, [], checking=False), 200
    form.validate_on_submit()
    if action != "ondertekenen":
        form.agree.errors = []  # the box is ticked on the check page, not before
    if not _details_valid(form):
        return _provider_sign_page(agreement, version, form, [], checking=False), 422
    changes = {f: form[f].data for f in ("name", "iban", "email", "kvk", "agb")
               if f in form._fields}
    if action != "ondertekenen":  # the check page: the details checked, nothing written
        wrong = signing.provider_details_refusals(version, changes)
        general = apply_refusals(form, wrong)
        return _provider_sign_page(agreement, version, form, general,
                                   checking=not wrong), 422 if wrong else 200
    if form.agree.errors:
        return _provider_sign_page(agreement, version, form, [], checking=True), 422
    try:
        signing.provider_sign(current_user, version, today(), changes,
                              checked=request.form.get("gecontroleerd", ""))
    except AlreadyDone as done:
        return show_repeat(done, url_for("agreements.show", agreement_id=agreement.id))
    except Refused as refused:
        general = apply_refusals(form, refused)
        return _provider_sign_page(agreement, version, form, general,
                                   checking=_details_valid(form)), 422
    flash("U heeft de overeenkomst ondertekend.")
    return redirect(url_for("agreements.show", agreement_id=agreement.id,
                            _anchor="wat-gebeurt-er-nu"))


def _details_valid(form) -> bool:
    """The provider's details (and the form's token) have no error; the akkoord box may."""
    return not form.form_errors and not any(
        f.errors for name, f in form._fields.items() if name != "agree")


def _provider_sign_page(agreement: Agreement, version: AgreementVersion, form,
                        general: list[str], *, checking: bool) -> str:
    details = [(form[f].label.text, f, form[f].data or "") for f in
               ("name", "iban", "email", "kvk", "agb") if f in form._fields]
    return render_template("agreements/provider_sign.html", agreement=agreement, form=form,
                           general=general, checking=checking, details=details,
                           check=sign_check(version, today(), with_budgets=False))


@bp.route("/overeenkomsten/<int:agreement_id>/ondertekenen", methods=["GET", "POST"])
@login_required
def holder_sign(agreement_id: int):
    """GET: the budget holder's check page (what will be signed, the cost and each budget
    after it, the sign button at the end). POST: signs exactly the version that page showed
    (its token, agreements.checked); then the agreement's page says what happens next."""
    agreement = _load_for_holder(agreement_id)
    version = service.open_version(agreement)
    if (version is None or version.status != VersionStatus.GEDEELD
            or version.signed_by_provider_at is None):
        flash("Er is nu niets om te ondertekenen.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = forms.SignForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            signing.holder_sign(current_user, version, today(),
                                checked=request.form.get("gecontroleerd", ""))
        except AlreadyDone as done:
            return show_repeat(done, url_for("agreements.show", agreement_id=agreement.id))
        except Refused as refused:
            general = apply_refusals(form, refused)
        else:
            flash("U heeft de overeenkomst ondertekend.")
            return redirect(url_for("agreements.show", agreement_id=agreement.id,
                                    _anchor="wat-gebeurt-er-nu"))
    return _holder_check_page(agreement, version, form, general), form_status()


def _holder_check_page(agreement: Agreement, version: AgreementVersion, form,
                       general: list[str]) -> str:
    return render_template("agreements/holder_sign.html", agreement=agreement, form=form,
                           general=general, view=_version_view(
                               version, _grants_by_id(agreement.household_id), today()),
                           check=sign_check(version, today(), with_budgets=True),
                           grant_label=_grant_label, changes=provider_changes(version),
                           provider=agreement.provider)


# ---------------------------------------------------------------------------------------------
# Paper: upload the signed scan
# ---------------------------------------------------------------------------------------------


@bp.route("/overeenkomsten/<int:agreement_id>/papier", methods=["GET", "POST"])
@login_required
def upload(agreement_id: int):
    agreement = _load_for_holder(agreement_id)
    form = forms.UploadForm()
    general: list[str] = []
    if form.validate_on_submit():
        storage = form.file.data
        try:
            signing.attach_signed_paper(current_user, agreement, storage.read(),
                                        storage.filename, today())
        except AlreadyDone as done:
            return show_repeat(done, url_for("agreements.show", agreement_id=agreement.id))
        except Refused as refused:
            general = apply_refusals(form, refused)
        else:
            flash("De ondertekende overeenkomst is ontvangen. De verstrekker beoordeelt hem nu.")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    status = form_status()
    return render_template("agreements/upload.html", agreement=agreement, form=form,
                           general=general), status


# ---------------------------------------------------------------------------------------------
# Ending and changing
# ---------------------------------------------------------------------------------------------


@bp.route("/overeenkomsten/<int:agreement_id>/beeindigen", methods=["GET", "POST"])
@login_required
def end(agreement_id: int):
    agreement = _load_for_holder(agreement_id)
    version = service.approved_version(agreement)
    if version is None:
        flash("Alleen een goedgekeurde overeenkomst kan beëindigd worden.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = forms.EndForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            changing.end_agreement(current_user, agreement, form.ended_on.data, today())
        except AlreadyDone as done:
            return show_repeat(done, url_for("agreements.show", agreement_id=agreement.id))
        except Refused as refused:
            general = apply_refusals(form, refused)
        else:
            flash("De overeenkomst is beëindigd. De zorgverlener en de verstrekker krijgen "
                  "een bericht.")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    status = form_status()
    return render_template("agreements/end.html", agreement=agreement, form=form,
                           general=general, version=version), status


@bp.route("/overeenkomsten/<int:agreement_id>/wijzigen", methods=["GET", "POST"])
@login_required
def change(agreement_id: int):
    agreement = _load_for_holder(agreement_id)
    try:  # the rule's own refusal (agreements.rules.check_may_change)
        base = changing.changeable_base(current_user, agreement, today())
    except Refused as refused:
        abort_if_not_allowed(refused)
        flash(" ".join(r.message for r in refused.refusals))
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    general: list[str] = []
    steps_post = request.method == "POST" and request.form.get("wie") == "stappen"
    if steps_post:
        result = _change_in_steps(agreement)
        if not isinstance(result, list):
            return result
        general = result
    current = _current_lines(base)
    form = _change_form(agreement, base, current, formdata=None if steps_post else _posted())
    if not steps_post and form.validate_on_submit():
        result = _propose_change(agreement, base, form, current)
        if not isinstance(result, list):
            return result
        general = result
    status = form_status()
    return render_template("agreements/change.html", agreement=agreement, form=form,
                           general=general, base=base, n_lines=len(current),
                           units=[ln.unit.value for ln in current]), status


def _change_in_steps(agreement: Agreement):
    """A budget or a kind of care added or removed: a concept copy, edited in the steps.
    A redirect, or the messages for the error summary."""
    if not forms.ConfirmForm().validate_on_submit():
        return ["Probeer het opnieuw."]
    try:
        version = changing.start_change(current_user, agreement, today())
    except Refused as refused:
        abort_if_not_allowed(refused)
        return [r.message for r in refused.refusals]
    flash(f"De wijziging is opgeslagen als concept (versie {version.number}), vanaf "
          f"{format_day(version.starts_on)}. Kies nu de budgetten, de soorten zorg, "
          "de uren en de periode. Tot de nieuwe versie is goedgekeurd, geldt de huidige.")
    return redirect(_step_url(agreement, "budgetten"))


def _change_form(agreement: Agreement, base: AgreementVersion, current: list[LineInput],
                 formdata):
    grants = _grants_by_id(agreement.household_id)
    labels = [(f"Tarief in euro: {ln.care_kind.label.lower()} ({ln.unit.label})",
               _hours_label(ln, grants)) for ln in current]
    data = {"starts_on": rules.default_start(today()), "ends_on": base.ends_on,
            "end_kind": base.end_kind, "days_per_week": base.days_per_week,
            "lines": forms.quantity_data(current)}
    return forms.change_form(ModelKind(agreement.model), current, labels, data=data,
                             formdata=formdata)


def _propose_change(agreement: Agreement, base: AgreementVersion, form,
                    current: list[LineInput]):
    """The new version from the change form: a redirect, or the messages for the summary."""
    lines = [replace(ln, tariff_cents=entry.tariff_cents.data,
                     weekly_quantity=entry.weekly_quantity.data)
             for ln, entry in zip(current, form.lines, strict=True)]
    ends_on = form.ends_on.data if form.end_kind.data != EndKind.GEEN else None
    days = form.days_per_week.data if "days_per_week" in form._fields else base.days_per_week
    try:
        version = changing.propose_change(
            current_user, agreement, starts_on=form.starts_on.data, ends_on=ends_on,
            end_kind=form.end_kind.data, days_per_week=days, lines=lines, today=today(),
            top_up=bool(base.top_up))
    except Refused as refused:
        return apply_refusals(form, refused)
    if version.status == VersionStatus.GOEDGEKEURD:
        flash("De overeenkomst is verlengd. Een verlenging hoeft niet opnieuw beoordeeld te "
              "worden.")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    flash(f"De wijziging is opgeslagen als concept (versie {version.number}). Controleer hem "
          "en deel hem met de zorgverlener. Tot de nieuwe versie is goedgekeurd, geldt de "
          "huidige.")
    return redirect(_step_url(agreement, "controleren"))


@bp.context_processor
def _labels() -> dict:
    return {
        "status_labels": {s.value: s.label for s in VersionStatus},
        "model_labels": {m.value: m.label for m in ModelKind},
        "relation_labels": {r.value: r.label for r in Relation},
        "field_labels": {"name": "Naam", "iban": "IBAN", "email": "E-mailadres",
                         "kvk": "KvK-nummer", "agb": "AGB-code"},
    }
