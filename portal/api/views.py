"""/api/v1/: the JSON API, described by the OpenAPI 3.1 document flask-smorest generates.

Long because: every /api/v1 resource sits in one blueprint so the OpenAPI document is whole;
its plumbing is next door (paging.py, idempotency.py, document.py).

Load -> check the key and its scope -> check the object with the pages' own permission
function (a denied object answers 404) -> call the same use case as the page. A refusal
becomes RFC 9457 problem details with the rules' codes (portal/api/problems.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect

import flask_smorest
from flask import Blueprint, Flask, Response, current_app, g, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from portal.access.models import User
from portal.access.permissions import budget_holder_names
from portal.access.service import record
from portal.agreements.constants import VersionStatus
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.permissions import is_agreement_provider, visible_lines
from portal.agreements.reads import effective_status
from portal.api import office_views, problems, schemas
from portal.api.constants import ApiScope
from portal.api.document import PortalApi, operations_for_docs
from portal.api.idempotency import IDEMPOTENCY_HEADER, idempotent
from portal.api.models import ApiKey
from portal.api.paging import decode_cursor, encode_cursor, page, rows_after_cursor
from portal.api.service import describe, key_for_token
from portal.budgets.constants import CareKind
from portal.budgets.models import Funder, Grant
from portal.claims import service as claims_service
from portal.claims.constants import ClaimSource, ClaimStatus
from portal.claims.models import Claim
from portal.claims.permissions import can_view_claim
from portal.claims.rules import LineInput
from portal.dates import format_month, parse_month, today
from portal.extensions import csrf, db, limiter
from portal.funders import csv_import
from portal.funders import service as funders_service
from portal.payments import sepa
from portal.payments import service as payments_service
from portal.payments.models import PaymentRun
from portal.providers import pages as providers_pages
from portal.refusals import Refused

VERSION_PREFIX = "/api/v1"
DEFAULT_RATE_LIMIT = "600 per minute"
SECURITY_SCHEME = "bearerAuth"


blp = flask_smorest.Blueprint(
    "api", __name__, url_prefix=VERSION_PREFIX,
    description="Hour sheets, agreements, payments, grants, reviews and payment runs.")
pages = Blueprint("api_pages", __name__, url_prefix=VERSION_PREFIX)


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _rate_bucket() -> str:
    """Limits count per key (the hash of the token sent), not per address."""
    header = request.headers.get("Authorization", "")
    return "api:" + hashlib.sha256(header.encode()).hexdigest()[:32]


limiter.limit(_rate_limit, key_func=_rate_bucket)(blp)


def register(app: Flask) -> None:
    """Called by portal.register_blueprints instead of app.register_blueprint."""
    app.config.setdefault("API_TITLE", "PGB-portaal API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", VERSION_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = PortalApi(app, spec_kwargs={"info": {
        "description": "The PGB-portaal for the software of care organisations, funders and "
                       "the payment office: the same rules as the pages."}})
    api.spec.components.security_scheme(SECURITY_SCHEME, {"type": "http", "scheme": "bearer"})
    # flask-smorest's English `openapi` command group: the document is at /api/v1/openapi.json,
    # and every `portal` command speaks Dutch.
    app.cli.commands.pop("openapi", None)
    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.register_blueprint(office_views.bp)
    csrf.exempt(blp)
    app.extensions["portal-api"] = api
    app.before_request(_routing_problem)


def _routing_problem():
    """An address under /api/v1/ that matches no operation (404) or not with this method (405,
    with its Allow header): problem details too, not the pages' HTML error page."""
    error = request.routing_exception
    if isinstance(error, HTTPException) and request.path.startswith(VERSION_PREFIX + "/"):
        allow = dict(error.get_headers()).get("Allow")
        return problems.problem(error.code or 404, headers={"Allow": allow} if allow else None)
    return None


# --------------------------------------------------------------------------- keys and scopes


def operation(scope: ApiScope, *, statuses=(401, 403, 429), object_status: bool = False):
    """Document and guard an operation: the scope it needs (checked before anything else by
    _authenticate) and the problem responses it can give."""

    def decorator(view):
        view._api_scope = scope.value
        _summary, _, rest = inspect.cleandoc(view.__doc__ or "").partition("\n\n")
        description = (rest.strip() + "\n\n" if rest.strip() else "") + \
            f"Needs the scope `{scope.value}`."
        wrapped = blp.doc(security=[{SECURITY_SCHEME: []}], description=description)(view)
        for status in (*statuses, *((404,) if object_status else ())):
            wrapped = blp.alt_response(status, schema=schemas.Problem,
                                       content_type=problems.MEDIA_TYPE)(wrapped)
        return wrapped

    return decorator


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" else None


@blp.before_request
def _authenticate():
    key = key_for_token(_bearer(), today())
    if key is None:
        return problems.problem(401, headers={"WWW-Authenticate": 'Bearer realm="pgb-portaal"'})
    g.api_key = key
    g.api_actor = db.session.get(User, key.user_id)
    view = current_app.view_functions.get(request.endpoint or "")
    scope = getattr(view, "_api_scope", None)
    if scope is None or scope not in key.scopes:
        return problems.problem(403)
    return None


@blp.after_request
def _audit(response: Response) -> Response:
    """Every call with a valid key goes into the audit log: "API-sleutel X van organisatie Y:
    GET /api/v1/... (200)". A refused call is logged too, after its work was rolled back."""
    key: ApiKey | None = g.get("api_key")
    if key is None:
        return response
    what = g.get("api_what") or f"{request.method} {request.path}"
    summary = f"{describe(key)}: {what} ({response.status_code})"
    if response.status_code >= 400:
        db.session.rollback()
    record("api_call", actor=g.api_actor, household_id=g.get("api_household"),
           object_type="api_key", object_id=key.id, summary=summary[:1000],
           detail={"method": request.method, "path": request.path,
                   "status": response.status_code})
    if response.status_code >= 400:
        db.session.commit()
    return response


@blp.errorhandler(Refused)
def _refused(refused: Refused):
    return problems.response(problems.refused_body(refused))


def _http_error(error: HTTPException):
    code = error.code or 500
    errors = None
    data = getattr(error, "data", None) or {}
    if code == 422 and "messages" in data:
        errors = problems.validation_errors(data["messages"])
    if code >= 500:
        db.session.rollback()
    detail = getattr(error, "dutch", None) if not problems.english() else None
    allow = dict(error.get_headers()).get("Allow")
    return problems.problem(code, detail=detail, errors=errors,
                            headers={"Allow": allow} if allow else None)


# Per status too: Flask prefers the app's handler for a status (the pages' HTML error page)
# over a blueprint's handler for every HTTPException.
blp.register_error_handler(HTTPException, _http_error)
for _status in (400, 403, 404, 405, 413, 429, 500):
    blp.register_error_handler(_status, _http_error)


def _not_found():
    return problems.problem(404)


# --------------------------------------------------------------------------- agreements


def _shown(agreements: list[Agreement], on: dt.date) -> dict[int, AgreementVersion]:
    """Per agreement the version a provider reads (none for a concept not yet shared)."""
    return {a.id: providers_pages.shown_version(a, on) for a in agreements
            if any(v.status != VersionStatus.CONCEPT for v in a.versions)}


def _grant_periods(versions) -> dict[int, tuple[dt.date, dt.date]]:
    ids = {line.grant_id for v in versions for line in v.lines}
    return {gid: (start, end) for gid, start, end in db.session.execute(
        select(Grant.id, Grant.period_start, Grant.period_end).where(Grant.id.in_(ids)))
    } if ids else {}


def _agreement_json(agreement: Agreement, shown: AgreementVersion, holder: str, actor: User,
                    periods: dict[int, tuple[dt.date, dt.date]], on: dt.date) -> dict:
    """What a provider's software reads of an agreement: never a BSN or a budget figure."""
    status = effective_status(shown, on)
    return {"id": agreement.id, "reference": agreement.reference, "holder_name": holder,
            "model": str(agreement.model), "status": str(status), "status_label": status.label,
            "starts_on": shown.starts_on, "ends_on": shown.ended_on or shown.ends_on,
            "care": [{"care_kind": str(line.care_kind), "care_label": CareKind(line.care_kind).label,
                      "unit": str(line.unit), "tariff_cents": line.tariff_cents,
                      "grant_id": line.grant_id, "period_start": periods[line.grant_id][0],
                      "period_end": periods[line.grant_id][1]}
                     for line in visible_lines(actor, shown)]}


def _agreement_rows(agreements: list[Agreement], actor: User, on: dt.date) -> list[dict]:
    """The rows of these agreements, in a fixed number of queries."""
    shown = _shown(agreements, on)
    holders = budget_holder_names(a.household_id for a in agreements)
    periods = _grant_periods(shown.values())
    return [_agreement_json(a, shown[a.id], holders.get(a.household_id, ""), actor, periods, on)
            for a in agreements if a.id in shown]


def _provider_agreements_query():
    return (select(Agreement).where(Agreement.provider_id == g.api_actor.provider_id)
            .options(selectinload(Agreement.versions)))


@blp.route("/agreements", methods=["GET"])
@operation(ApiScope.CLAIMS_READ)
@blp.arguments(schemas.ListQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.AgreementPage)
def list_agreements(limit: int, cursor: str | None):
    """The care organisation's agreements, with the budget holder's name."""
    found = rows_after_cursor(_provider_agreements_query(), Agreement.id, limit, cursor)
    rows = _agreement_rows(found[:limit], g.api_actor, today())
    # The position after the last agreement read, shown or not (a concept is skipped).
    return {"items": rows,
            "next_cursor": encode_cursor(found[limit - 1].id) if len(found) > limit else None}


@blp.route("/agreements/<int:agreement_id>", methods=["GET"])
@operation(ApiScope.CLAIMS_READ, object_status=True)
@blp.response(200, schemas.Agreement)
def get_agreement(agreement_id: int):
    """One agreement of the care organisation."""
    agreement = db.session.scalar(_provider_agreements_query().where(Agreement.id == agreement_id))
    if agreement is None or not is_agreement_provider(g.api_actor, agreement):
        return _not_found()
    rows = _agreement_rows([agreement], g.api_actor, today())
    if not rows:
        return _not_found()
    g.api_household = agreement.household_id
    g.api_what = f"zorgovereenkomst {agreement.reference} gelezen"
    return rows[0]


# --------------------------------------------------------------------------- hour sheets


def _sheet_json(claim: Claim, payment_reference: str | None) -> dict:
    status = ClaimStatus(claim.status)
    shown = providers_pages.payment_status(status, paid_on=claim.paid_on,
                                             payment_reference=payment_reference,
                                             refusal_reason=claim.refusal_reason)
    return {"id": claim.id, "reference": claim.reference, "agreement_id": claim.agreement_id,
            "month": claim.month.strftime("%Y-%m"), "status": status.value,
            "status_text": shown.text + (f": {shown.reason}" if shown.reason else ""),
            "total_cents": claim.total_cents, "refusal_codes": list(claim.refusal_codes or []),
            "refusal_reason": claim.refusal_reason, "paid_on": claim.paid_on,
            "payment_reference": payment_reference,
            "lines": [{"day": ln.day, "care_kind": str(ln.care_kind), "quantity": ln.quantity,
                       "tariff_cents": ln.tariff_cents, "amount_cents": ln.amount_cents,
                       "grant_id": ln.grant_id} for ln in claim.lines]}


# A sheet's fields in the rules' refusals -> the fields of the API's JSON.
SHEET_FIELDS = {"maand": "month", "agreement": "agreement_id", "submitted": "", "status": ""}


def _prepare_one(index: int, data: dict, agreements: dict[int, Agreement], on: dt.date) -> dict:
    base = f"/sheets/{index}"
    agreement = agreements.get(data["agreement_id"])
    if agreement is None or not is_agreement_provider(g.api_actor, agreement):
        return {"index": index, "outcome": "refused", "problem": problems.body(
            404, "not_found", errors=[{"code": "not_found", "pointer": f"{base}/agreement_id",
                                       "detail": problems.general("not_found")}])}
    try:
        month = parse_month(data["month"], field="month")
        lines = [LineInput(day=ln["day"], care_kind=ln["care_kind"], quantity=ln["quantity"],
                           grant_id=ln.get("grant_id")) for ln in data["lines"]]
        with db.session.begin_nested():
            claim = claims_service.prepare_claim(g.api_actor, agreement, month, lines, on,
                                                 data.get("note") or "", source=ClaimSource.API)
    except Refused as refused:
        return {"index": index, "outcome": "refused",
                "problem": problems.refused_body(refused, base, SHEET_FIELDS)}
    return {"index": index, "outcome": "created", "sheet": _sheet_json(claim, None)}


@blp.route("/sheets", methods=["POST"])
@idempotent
@operation(ApiScope.CLAIMS_WRITE)
@blp.arguments(schemas.SheetsIn)
@blp.response(200, schemas.SheetsOut)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                      **IDEMPOTENCY_HEADER["Idempotency-Key"]}])
def prepare_sheets(body: dict):
    """Prepare hour sheets in bulk, each answered on its own.

    Every sheet goes through the same rules as the web form; a prepared sheet waits for the
    budget holder's akkoord in the portal (the API never submits for the budget holder).
    """
    ids = {s["agreement_id"] for s in body["sheets"]}
    agreements = {a.id: a for a in db.session.scalars(
        select(Agreement).where(Agreement.id.in_(ids)).options(selectinload(Agreement.versions)))}
    on = today()
    results = [_prepare_one(i, s, agreements, on) for i, s in enumerate(body["sheets"])]
    created = sum(1 for r in results if r["outcome"] == "created")
    g.api_what = (f"{created} urenbriefje(s) klaargezet, "
                  f"{len(results) - created} geweigerd")
    return {"created": created, "refused": len(results) - created, "results": results}


def _provider_claims():
    return (select(Claim).join(Agreement, Agreement.id == Claim.agreement_id)
            .where(Agreement.provider_id == g.api_actor.provider_id)
            .options(selectinload(Claim.lines)))


@blp.route("/sheets", methods=["GET"])
@operation(ApiScope.CLAIMS_READ)
@blp.arguments(schemas.ListQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.SheetPage)
def list_sheets(limit: int, cursor: str | None):
    """The organisation's hour sheets with their status and refusal reasons."""
    claims = rows_after_cursor(_provider_claims(), Claim.id, limit, cursor)
    references = providers_pages.payment_references([c.id for c in claims[:limit]])
    rows = [_sheet_json(c, references.get(c.id)) for c in claims]
    return page(rows, limit, lambda r: r["id"])


@blp.route("/sheets/<int:sheet_id>", methods=["GET"])
@operation(ApiScope.CLAIMS_READ, object_status=True)
@blp.response(200, schemas.Sheet)
def get_sheet(sheet_id: int):
    """One hour sheet: status, refusal reasons, payment."""
    claim = db.session.scalar(_provider_claims().where(Claim.id == sheet_id))
    if claim is None or not can_view_claim(g.api_actor, claim, today()):
        return _not_found()
    g.api_what = f"urenbriefje {claim.reference} ({format_month(claim.month)}) gelezen"
    g.api_household = db.session.get_one(Agreement, claim.agreement_id).household_id
    return _sheet_json(claim, providers_pages.payment_references([claim.id]).get(claim.id))


# --------------------------------------------------------------------------- payments


@blp.route("/payments", methods=["GET"])
@operation(ApiScope.PAYMENTS_READ)
@blp.arguments(schemas.ListQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.PaymentPage)
def list_payments(limit: int, cursor: str | None):
    """Transfers to the organisation, each with its specification (which sheets)."""
    specs = providers_pages.payment_specifications_after(
        g.api_actor.provider_id, decode_cursor(cursor) or 0, limit + 1)
    rows = [{"id": s.payment_id, "run_reference": s.run_reference, "run_on": s.run_on,
             "payment_reference": s.payment_reference, "iban_masked": s.iban_masked,
             "total_cents": s.total_cents,
             "lines": [{"claim_reference": ln.claim_reference, "holder_name": ln.holder_name,
                        "month": ln.month.strftime("%Y-%m"), "amount_cents": ln.amount_cents}
                       for ln in s.lines]} for s in specs]
    return page(rows, limit, lambda r: r["id"])


# --------------------------------------------------------------------------- funders


# The grant rules' fields -> the API's JSON fields.
GRANT_FIELDS = {"amount": "amount_cents", "member": "bsn"}


@blp.route("/grants", methods=["POST"])
@idempotent
@operation(ApiScope.GRANTS_WRITE, statuses=(401, 403, 422, 429))
@blp.arguments(schemas.GrantsIn)
@blp.response(201, schemas.GrantsOut)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                      **IDEMPOTENCY_HEADER["Idempotency-Key"]}])
def register_grants(body: dict):
    """Register grants of the funder, all or none (the rules of the form and the CSV import)."""
    funder = db.session.get_one(Funder, g.api_actor.funder_id)
    rows = [csv_import.GrantRow(line=i, bsn="".join(ch for ch in r["bsn"] if ch.isdigit()),
                                law=r["law"], period_start=r["period_start"],
                                period_end=r["period_end"], amount_cents=r["amount_cents"],
                                care_kinds=tuple(r["care_kinds"]),
                                decision_reference=r.get("decision_reference") or "")
            for i, r in enumerate(body["grants"])]
    errors, member_ids = csv_import.check_parsed_rows(rows, funder)
    grants: list[Grant] = []
    if not errors:
        grants, errors = csv_import.register_rows(g.api_actor, funder, rows, member_ids,
                                                  source="de API")
    if errors:
        found = [e for error in errors for e in problems.refusal_errors(
            list(error.refusals), f"/grants/{error.line}", GRANT_FIELDS)]
        return problems.problem(422, "refused", errors=found)
    g.api_what = f"{len(grants)} toekenning(en) geregistreerd"
    return {"grant_ids": [grant.id for grant in grants]}


def _review_json(row: funders_service.QueueRow) -> dict:
    return {"version_id": row.version_id, "agreement_reference": row.agreement_reference,
            "version_number": row.version_number, "household_name": row.household_name,
            "provider_name": row.provider_name, "model": str(row.model),
            "starts_on": row.starts_on, "signed_on": row.signed_on}


@blp.route("/reviews", methods=["GET"])
@operation(ApiScope.REVIEWS_READ)
@blp.arguments(schemas.ListQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.ReviewPage)
def list_reviews(limit: int, cursor: str | None):
    """Agreements that draw on the funder's budgets and wait for its decision."""
    rows = funders_service.review_queue(g.api_actor.funder_id, limit=limit + 1,
                                        after_id=decode_cursor(cursor) or 0)
    return page([_review_json(r) for r in rows], limit, lambda r: r["version_id"])


@blp.route("/reviews/<int:version_id>/decision", methods=["POST"])
@idempotent
@operation(ApiScope.REVIEWS_WRITE, statuses=(401, 403, 409, 422, 429), object_status=True)
@blp.arguments(schemas.DecisionIn)
@blp.response(200, schemas.DecisionOut)
def decide_review(body: dict, version_id: int):
    """Approve or reject an agreement for the funder's own budgets (a reason with a reject)."""
    version = funders_service.version_for_review(g.api_actor, version_id)
    if version is None:
        return _not_found()
    version = funders_service.decide(g.api_actor, version, approve=body["decision"] == "approve",
                                     reason=body.get("reason"), today=today())
    g.api_household = version.agreement.household_id
    g.api_what = f"beoordeling van versie {version.number} van {version.agreement.reference}"
    status = VersionStatus(version.status)
    return {"version_id": version.id, "status": status.value, "status_label": status.label}


# --------------------------------------------------------------------------- payment office


@blp.route("/runs", methods=["GET"])
@operation(ApiScope.RUNS_READ)
@blp.arguments(schemas.ListQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.RunPage)
def list_runs(limit: int, cursor: str | None):
    """Payment runs, newest first."""
    runs = payments_service.list_runs(limit + 1, by_id=True, before_id=decode_cursor(cursor))
    rows = [{"id": r.id, "reference": r.reference, "run_on": r.run_on,
             "payment_count": r.payment_count, "total_cents": r.total_cents} for r in runs]
    return page(rows, limit, lambda r: r["id"])


@blp.route("/runs/<int:run_id>/sepa", methods=["GET"])
@operation(ApiScope.RUNS_READ, statuses=(401, 403, 409, 429), object_status=True)
@blp.response(200, content_type=sepa.MEDIA_TYPE, description="The SEPA credit-transfer file "
              "(pain.001.001.03).")
def run_sepa(run_id: int):
    """A run's SEPA file, checked against the official schema."""
    run = db.session.get(PaymentRun, run_id)
    if run is None:
        return _not_found()
    xml = sepa.build_sepa_xml(run, sepa.payer_from_config(current_app.config), today())
    g.api_what = f"SEPA-bestand van betaalronde {run.reference}"
    return Response(xml, mimetype=sepa.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{sepa.filename(run)}"',
        "Cache-Control": "no-store"})


# --------------------------------------------------------------------------- documentation


@pages.get("/docs")
def docs():
    """A readable page of every operation, made on the server from the same document."""
    spec = current_app.extensions["portal-api"].spec.to_dict()
    return render_template("api/docs.html", operations=operations_for_docs(spec),
                           scopes=list(ApiScope), spec=spec)

