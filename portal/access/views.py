"""The pages of logging in and out, the two-step login, the account and its sessions, the
authorisations a budget holder gives, and the access log.

Long because: the login, two-step and account pages share one blueprint and its limits.
"""

from __future__ import annotations

import datetime as dt
import functools

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from portal import describe
from portal.access.authorizations import (
    grant_authorization,
    household_authorizations,
    represented_by,
    revoke_authorization,
)
from portal.access.constants import Role
from portal.access.forms import (
    AuthorizationForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from portal.access.models import User
from portal.access.rules import (
    IDLE_WARNING_BEFORE,
    MAX_CODE_ATTEMPTS,
    MIN_PASSWORD_LENGTH,
    WELCOME_LINK_VALID,
    authorization_end_limit,
    pending_login_expired,
    two_step_required,
)
from portal.access.service import (
    access_log,
    active_user,
    authenticate,
    change_password,
    find_user_by_email,
    has_usable_password,
    make_reset_token,
    record,
    reset_password,
    send_reset_link,
    user_for_reset_token,
    user_with_id,
)
from portal.access.session_store import (
    active_sessions,
    end_own_session,
    end_session,
    end_sessions_everywhere,
)
from portal.access.sessions import session
from portal.access.two_step import (
    WRONG_CODE,
    check_login_code,
    disable_two_step,
    enable_two_step,
    needs_two_step,
    new_totp_secret,
    totp_uri,
)
from portal.dates import format_day, now, today
from portal.extensions import limiter
from portal.forms import abort_if_not_allowed, apply_refusals, form_status
from portal.overview.files import files_attention
from portal.pagination import page_number
from portal.refusals import AlreadyDone, Refused
from portal.web import keep_writes_of_refusal, roles_required, safe_redirect_target, show_repeat

bp = Blueprint("access", __name__)

WRONG_LOGIN = "Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw."
# Where logout sends the browser to end the session elsewhere too: the identity provider's
# end-session address, set by a login through DigiD or eHerkenning (portal.identity).
LOGOUT_REDIRECT = "logout_redirect"


@bp.before_app_request
def say_why_the_session_ended():
    """The session the cookie named ended by itself (portal.access.sessions checks the idle
    and the absolute lifetime on the server): say so on the login page."""
    reason = getattr(session, "gone", None)
    if reason not in ("idle", "max_age") or request.endpoint == "static":
        return None
    session.gone = None
    if reason == "idle":
        minutes = int(current_app.permanent_session_lifetime.total_seconds() // 60)
        flash(f"U was {minutes} minuten niet actief. Voor uw veiligheid bent u uitgelogd. "
              "Log opnieuw in.")
    else:
        hours = int(current_app.config["PORTAL_SESSION_MAX_AGE"].total_seconds() // 3600)
        flash(f"U was {hours} uur ingelogd. Voor uw veiligheid bent u uitgelogd. Log opnieuw in.")
    return redirect(url_for("access.login"))


@bp.app_context_processor
def idle_settings():
    idle = current_app.permanent_session_lifetime
    return {"idle_limit_seconds": int(idle.total_seconds()),
            "idle_warning_seconds": int((idle - IDLE_WARNING_BEFORE).total_seconds())}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("access.home"))
    return redirect(url_for("access.login"))


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(WRONG_LOGIN)
        elif needs_two_step(user):
            # Password OK, but not logged in yet: the session only remembers who is halfway.
            logout_user()
            session.clear()
            session.regenerate()
            session[PENDING_USER] = user.id
            session[PENDING_SINCE] = now().isoformat()
            session[PENDING_ATTEMPTS] = 0
            return redirect(url_for("access.login_code" if user.totp_secret
                                    else "access.login_setup"))
        else:
            _complete_login(user, two_step=False)
            return redirect(url_for("access.home"))
    status = form_status()
    return render_template("access/login.html", form=form), status


def _complete_login(user: User, *, two_step: bool) -> None:
    session.clear()  # a new session at login: nothing of the anonymous one survives
    session.regenerate()  # ... and a new id (portal.access.sessions)
    login_user(user)
    session[TWO_STEP_DONE] = two_step
    generate_csrf()  # the new session's form token now, not as a write of the first page
    record("login", actor=user, household_id=user.household_id,
           summary="Ingelogd in twee stappen" if two_step else "Ingelogd")


@bp.post("/uitloggen")
@login_required
def logout():
    """Ends the session on the server: every copy of the cookie gets the login page."""
    elsewhere = session.get(LOGOUT_REDIRECT)
    if session.row_id is not None:
        end_session(session.row_id, "logout", now())
    logout_user()
    session.clear()
    session.regenerate()
    flash("U bent uitgelogd.")
    return redirect(elsewhere or url_for("access.login"))


@bp.post("/sessie-verlengen")
@login_required
def keep_alive():
    """The 'Blijf ingelogd' button of the idle warning: renews the session ('last seen').
    Without JavaScript back to the page; from static/js/session.js (fetch, JSON) the page stays
    and gets a fresh CSRF token for its forms, as a kept-alive page may outlive the first."""
    session.touch = True
    if request.accept_mimetypes.best == "application/json":
        from flask import jsonify

        return jsonify(csrf_token=generate_csrf())
    return redirect(safe_redirect_target(request.referrer) or url_for("access.home"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            # By e-mail (PORTAL_MAIL_SERVER); in development without a server, to the log.
            send_reset_link(user, url_for("access.reset", token=make_reset_token(user),
                                          _external=True))
        # The same answer whether the address is known or not.
        flash("Als dit e-mailadres bij ons bekend is, krijgt u een e-mail met een link. "
              "De link is een uur geldig.")
        return redirect(url_for("access.login"))
    status = form_status()
    return render_template("access/forgot.html", form=form), status


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset(token: str):
    """A link to set a password: a new one after 'Wachtwoord vergeten', or the first one of a
    login the payment office made (the welcome mail)."""
    user = user_for_reset_token(token)
    if user is None:
        return render_template("access/reset_invalid.html",
                               welcome_days=WELCOME_LINK_VALID.days), 404
    first = not has_usable_password(user)
    two_step = two_step_required(user.role)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.password.data, form.repeat.data)
        except Refused as refused:
            for r in refused.refusals:
                getattr(form, r.field or "password").errors.append(r.message)
        else:
            if first:
                flash("Uw wachtwoord is opgeslagen. Log nu in met uw e-mailadres en wachtwoord."
                      + (" Daarna stelt u het inloggen in twee stappen in." if two_step else ""))
            else:
                flash("Uw wachtwoord is veranderd. Log in met uw nieuwe wachtwoord.")
            return redirect(url_for("access.login"))
    status = form_status()
    return render_template("access/reset.html", form=form, first=first, name=user.name,
                           two_step=two_step, min_length=MIN_PASSWORD_LENGTH), status


@bp.route("/account/wachtwoord", methods=["GET", "POST"], endpoint="change_password")
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password_page():
    """'Wachtwoord wijzigen': the current password, then the new one twice."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user._get_current_object(), form.current.data,
                            form.password.data, form.repeat.data)
        except Refused as refused:
            form.form_errors.extend(apply_refusals(form, refused))
        else:
            # Every session of this login ended (the service); this device goes on with a new
            # id, so also a copy of its old cookie gets the login page.
            session.regenerate()
            flash("Uw wachtwoord is gewijzigd. Log voortaan in met uw nieuwe wachtwoord. "
                  "Was u ook op een ander apparaat ingelogd? Daar moet u opnieuw inloggen.")
            return redirect(url_for("access.change_password"))
    status = form_status()
    return render_template("access/change_password.html", form=form,
                           min_length=MIN_PASSWORD_LENGTH), status


@bp.get("/account/sessies")
@login_required
def sessions():
    """'Waar bent u ingelogd': the user's live sessions; end one, or all (others)."""
    idle = current_app.permanent_session_lifetime
    max_age = current_app.config["PORTAL_SESSION_MAX_AGE"]
    listing = active_sessions(current_user, current_id=session.row_id, now=now(), idle=idle,
                              max_age=max_age)
    return render_template("access/sessions.html", listing=listing, form=ConfirmForm(),
                           others=sum(1 for s in listing if not s.current),
                           idle_minutes=int(idle.total_seconds() // 60),
                           max_hours=int(max_age.total_seconds() // 3600))


@bp.post("/account/sessies/<int:session_id>/uitloggen")
@login_required
def end_one_session(session_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if session_id == session.row_id:  # this device: the ordinary logout
        return logout()
    try:
        end_own_session(current_user, session_id, now=now())
    except Refused as refused:
        abort_if_not_allowed(refused)
        flash(refused.refusals[0].message)
    else:
        flash("U bent uitgelogd op dat apparaat.")
    return redirect(url_for("access.sessions"))


@bp.post("/account/sessies/overal-uitloggen")
@login_required
def end_all_sessions():
    """'Overal uitloggen': on every other device, or (ook_hier) on this one too."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    here_too = request.form.get("ook_hier") == "ja"
    ended = end_sessions_everywhere(current_user, keep=None if here_too else session.row_id,
                                    now=now())
    if here_too:
        logout_user()
        session.clear()
        session.regenerate()
        flash("U bent overal uitgelogd, ook hier.")
        return redirect(url_for("access.login"))
    flash("U bent uitgelogd op alle andere apparaten." if ended
          else "U was nergens anders ingelogd.")
    return redirect(url_for("access.sessions"))


@bp.get("/start")
@login_required
def home():
    """After login: the first page of the user's menu (the start page of their role)."""
    from portal.navigation import menu

    items = menu()
    if items:
        return redirect(items[0]["href"])
    return render_template("access/home.html")




# --- Two-step login -----------------------------------------------------------------------

PENDING_USER = "pending_user_id"
PENDING_SINCE = "pending_since"
PENDING_ATTEMPTS = "pending_attempts"
PENDING_SECRET = "pending_totp_secret"
SETUP_SECRET = "setup_totp_secret"
TWO_STEP_DONE = "two_step_done"
WRONG_CODE_MESSAGE = WRONG_CODE.message


@bp.before_app_request
def require_two_step():
    """A logged-in user who needs the second step but has not done it in this session (the
    role became a two-step role, or the session is older) logs in again."""
    if not current_user.is_authenticated or request.endpoint == "static":
        return None
    if needs_two_step(current_user) and not session.get(TWO_STEP_DONE):
        logout_user()
        session.clear()
        flash("Log opnieuw in. Voor uw account is inloggen in twee stappen nodig.")
        return redirect(url_for("access.login"))
    return None


def _pending_user() -> User | None:
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not user_id or pending_login_expired(dt.datetime.fromisoformat(since) if since else None,
                                            now()):
        return None
    return active_user(user_id)


def _restart_login(message: str):
    session.clear()
    flash(message)
    return redirect(url_for("access.login"))


def _wrong_code(form: CodeForm, message: str = WRONG_CODE_MESSAGE):
    """Count a wrong code while setting up the app (in the session, which lives on the
    server); after too many the half-done login is thrown away."""
    session[PENDING_ATTEMPTS] = session.get(PENDING_ATTEMPTS, 0) + 1
    if session[PENDING_ATTEMPTS] >= MAX_CODE_ATTEMPTS:
        return _restart_login("U heeft te vaak een verkeerde code ingevuld. Log opnieuw in met "
                              "uw e-mailadres en wachtwoord.")
    form.code.errors.append(message)
    return None


def _pending_key() -> str:
    return f"code:{session.get(PENDING_USER)}"


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_pending_key)
def login_code():
    """Step two: the 6-digit code from the authenticator app."""
    if current_user.is_authenticated:
        return redirect(url_for("access.home"))
    user = _pending_user()
    if user is None or not user.totp_secret:
        return _restart_login("Log in met uw e-mailadres en wachtwoord.")
    form = CodeForm()
    if form.validate_on_submit():
        try:
            check_login_code(user, form.code.data, now=now())
        except Refused as refused:
            keep_writes_of_refusal()  # the wrong code counts on the login (server side)
            if "code_locked" in refused.codes:
                return _restart_login(refused.refusals[0].message)
            form.form_errors.extend(apply_refusals(form, refused))
        else:
            _complete_login(user, two_step=True)
            return redirect(url_for("access.home"))
    status = form_status()
    return render_template("access/login_code.html", form=form), status


def _qr_svg(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=4, svgclass="qr", lineclass="qr-line")
    # The QR code is an image for the eye; the same secret is written out next to it.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR-code voor uw '
                              'authenticator-app" ', 1))


def _setup_context(email: str, secret: str) -> dict:
    uri = totp_uri(email, secret)
    return {"secret": secret, "secret_groups": " ".join(secret[i:i + 4]
                                                        for i in range(0, len(secret), 4)),
            "qr": _qr_svg(uri)}


@bp.route("/inloggen/instellen", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_setup():
    """Step two for a role that needs it but has no app yet: set it up before anything else."""
    if current_user.is_authenticated:
        return redirect(url_for("access.home"))
    user = _pending_user()
    if user is None or user.totp_secret:
        return _restart_login("Log in met uw e-mailadres en wachtwoord.")
    secret = session.get(PENDING_SECRET) or new_totp_secret()
    session[PENDING_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            enable_two_step(user, secret, form.code.data, now=now())
        except Refused as refused:
            restart = _wrong_code(form, refused.refusals[0].message)
            if restart is not None:
                return restart
        else:
            _complete_login(user, two_step=True)
            flash("Inloggen in twee stappen staat aan. U bent ingelogd.")
            return redirect(url_for("access.home"))
    status = form_status()
    return render_template("access/login_setup.html", form=form,
                           **_setup_context(user.email, secret)), status


@bp.route("/account/inloggen-in-twee-stappen", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def two_step():
    """Turn the two-step login on (anyone) or off (roles that do not need it)."""
    form = CodeForm()
    if current_user.totp_secret:
        if request.method == "POST":  # already on: nothing to confirm
            return redirect(url_for("access.two_step"))
        return render_template("access/two_step.html", form=form, on=True,
                               required=two_step_required(current_user.role))
    secret = session.get(SETUP_SECRET) or new_totp_secret()
    session[SETUP_SECRET] = secret
    if form.validate_on_submit():
        try:
            enable_two_step(current_user, secret, form.code.data, now=now())
        except Refused as refused:
            for r in refused.refusals:
                form.code.errors.append(r.message)
        else:
            session.pop(SETUP_SECRET, None)
            session[TWO_STEP_DONE] = True
            flash("Inloggen in twee stappen staat aan. Vanaf nu vragen wij bij het inloggen ook "
                  "een code uit uw app.")
            return redirect(url_for("access.two_step"))
    status = form_status()
    return render_template("access/two_step.html", form=form, on=False, required=False,
                           **_setup_context(current_user.email, secret)), status


@bp.post("/account/inloggen-in-twee-stappen/uitzetten")
@login_required
@limiter.limit("10 per minute")
def two_step_off():
    form = CodeForm()
    if not current_user.totp_secret:
        return redirect(url_for("access.two_step"))
    if form.validate_on_submit():
        try:
            disable_two_step(current_user, form.code.data, now=now())
        except Refused as refused:
            keep_writes_of_refusal()  # a wrong code counts towards the lock-out
            for r in refused.refusals:
                form.code.errors.append(r.message)
        else:
            flash("Inloggen in twee stappen staat uit.")
            return redirect(url_for("access.two_step"))
    return render_template("access/two_step.html", form=form, on=True,
                           required=two_step_required(current_user.role)), 422


# --- Authorisations (machtigingen) ----------------------------------------------------------


def own_household(view):
    """Only the budget holder of this household (not a representative): anyone else 404."""

    @functools.wraps(view)
    @login_required
    def wrapper(household_id: int, *args, **kwargs):
        if current_user.role != Role.BUDGETHOUDER or current_user.household_id != household_id:
            abort(404)
        return view(household_id, *args, **kwargs)

    return wrapper


@bp.route("/huishoudens/<int:household_id>/machtigingen", methods=["GET", "POST"])
@own_household
def authorizations(household_id: int):
    form = AuthorizationForm()
    if form.validate_on_submit():
        try:
            auth = grant_authorization(current_user, household_id, email=form.email.data,
                                       scope=form.scope.data, ends_on=form.ends_on.data,
                                       today=today())
        except Refused as refused:
            form.form_errors.extend(apply_refusals(form, refused))
        else:
            grantee = user_with_id(auth.grantee_id)
            flash(f"{grantee.name} heeft nu een machtiging tot en met {format_day(auth.ends_on)}.")
            return redirect(url_for("access.authorizations", household_id=household_id))
    listing = household_authorizations(household_id, today())
    status = form_status()
    return render_template("access/authorizations.html", form=form, listing=listing,
                           revoke_form=ConfirmForm(), household_id=household_id,
                           max_end=authorization_end_limit(today())), status


@bp.post("/huishoudens/<int:household_id>/machtigingen/<int:authorization_id>/intrekken")
@own_household
def revoke(household_id: int, authorization_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        auth = revoke_authorization(current_user, authorization_id, now=now())
    except AlreadyDone as done:
        return show_repeat(done, url_for("access.authorizations", household_id=household_id))
    except Refused as refused:
        abort_if_not_allowed(refused)
        flash(refused.refusals[0].message)
        return redirect(url_for("access.authorizations", household_id=household_id))
    if auth.household_id != household_id:  # pragma: no cover - the service checked the owner
        abort(404)
    grantee = user_with_id(auth.grantee_id)
    flash(f"De machtiging van {grantee.name} is ingetrokken. {grantee.name} kan uw gegevens "
          "niet meer zien.")
    return redirect(url_for("access.authorizations", household_id=household_id))


@bp.get("/mijn-klanten")
@roles_required(Role.VERTEGENWOORDIGER, Role.ADVISEUR)
def represented():
    day = today()
    listing = represented_by(current_user, day)
    start = "overview.household" if "overview.household" in current_app.view_functions else None
    open_now = [a.household_id for a in listing.current if a.starts_on <= day]
    return render_template("access/represented.html", listing=listing, start_endpoint=start,
                           attention=files_attention(open_now), today=day)


@bp.get("/huishoudens/<int:household_id>/inzage")
@own_household
def my_log(household_id: int):
    log = access_log(household_id, page_number(request.args.get("pagina")))
    return render_template("access/my_log.html", log=log, household_id=household_id,
                           entries=[(e, describe_event(e)) for e in log.entries])


def describe_event(entry) -> str:
    """What happened, in plain Dutch (portal.describe), for one log entry."""
    return describe.describe_event(entry.action, entry.object_type, entry.summary, entry.detail,
                                   page_name=_page_name)


def _page_name(path: str) -> str:
    """An old event's path ('/huishoudens/3/budget') as the page's menu name."""
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        endpoint = None
    return describe.page_for_endpoint(endpoint)
