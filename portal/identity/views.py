"""'Inloggen met DigiD' and 'Inloggen met eHerkenning': to the identity provider and back.

A login that succeeds ends in access.views._complete_login, the same function that finishes a
password login (a new session, the audit line). A refused one shows a Dutch page, writes an
audit line and makes no session.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_login import current_user

from portal.access.service import record
from portal.access.two_step import needs_two_step
from portal.access.views import LOGOUT_REDIRECT, _complete_login
from portal.dates import now
from portal.extensions import db, limiter
from portal.identity.client import (
    LoginFailed,
    authorize_redirect,
    end_session_url,
    schemes,
    verified_claims,
)
from portal.identity.rules import read_identity, refusal
from portal.identity.service import login_for, record_refused
from portal.refusals import Refused

bp = Blueprint("identity", __name__)

UNKNOWN = ("unknown_person", "unknown_organisation")


def _scheme(name: str) -> dict:
    scheme = schemes().get(name)
    if scheme is None:
        abort(404)
    return scheme


@bp.get("/inloggen/<any(digid, eherkenning):name>")
@limiter.limit("20 per minute")
def start(name: str):
    """To the identity provider's login page (nothing of the person in the address)."""
    scheme = _scheme(name)
    if current_user.is_authenticated:
        return redirect(url_for("access.home"))
    try:
        return authorize_redirect(name, url_for("identity.back", name=name, _external=True))
    except LoginFailed as failed:
        return _refused(scheme, failed.code)


@bp.get("/inloggen/<any(digid, eherkenning):name>/terug")
@limiter.limit("20 per minute")
def back(name: str):
    """Back from the identity provider: verify, find the login, start the session."""
    scheme = _scheme(name)
    try:
        claims = verified_claims(name)
    except LoginFailed as failed:
        return _refused(scheme, failed.code)
    identity, refusals = read_identity(scheme, claims)
    if identity is None:
        return _refused(scheme, refusals[0].code)
    try:
        user = login_for(scheme, identity, now=now())
    except Refused as refused:
        code = refused.codes[0]
        if code in UNKNOWN:
            return _refused(scheme, code, template="identity/unknown.html")
        return _refused(scheme, code)
    # The identity provider logged the person in at the required level of assurance (DigiD
    # Midden and eHerkenning EH3 are two-factor by default): that is the second step too.
    _complete_login(user, two_step=needs_two_step(user))
    record("login_external", actor=user, household_id=user.household_id,
           summary=f"Ingelogd met {scheme['label']}",
           detail={"scheme": name, "loa": identity.loa})
    elsewhere = end_session_url(name, url_for("access.login", _external=True))
    if elsewhere:
        session[LOGOUT_REDIRECT] = elsewhere
    return redirect(url_for("access.home"))


def _refused(scheme: dict, code: str, template: str = "identity/refused.html"):
    """The Dutch page of a refused login; its audit line is committed although the answer is
    an error (the request's own commit only follows a success)."""
    record_refused(scheme, code)
    db.session.commit()
    return render_template(template, scheme=scheme, code=code,
                           message=refusal(code, scheme["label"]).message), 403


@bp.app_context_processor
def login_buttons():
    """The login page's buttons: the configured schemes, DigiD first."""
    return {"identity_schemes": [(name, scheme["label"], scheme["test_provider"])
                                 for name, scheme in schemes().items()]}
