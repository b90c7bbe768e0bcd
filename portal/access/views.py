from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from portal.access.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from portal.access.rules import IDLE_LIMIT, IDLE_WARNING, session_expired
from portal.access.service import (
    find_user_by_email,
    make_reset_token,
    record,
    reset_password,
    user_for_reset_token,
    verify_password,
)
from portal.dates import now
from portal.extensions import limiter
from portal.refusals import Refused

bp = Blueprint("access", __name__)

WRONG_LOGIN = "Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw."


@bp.before_app_request
def end_idle_session():
    """Log out after 15 minutes without activity (the cookie's lifetime says the same)."""
    if not current_user.is_authenticated or request.endpoint == "static":
        return None
    moment = now()
    last = session.get("last_seen")
    if session_expired(dt.datetime.fromisoformat(last) if last else None, moment):
        logout_user()
        session.clear()
        flash("U was 15 minuten niet actief. Voor uw veiligheid bent u uitgelogd. Log opnieuw in.")
        return redirect(url_for("access.login"))
    session["last_seen"] = moment.isoformat()
    return None


@bp.app_context_processor
def idle_settings():
    return {"idle_limit_seconds": int(IDLE_LIMIT.total_seconds()),
            "idle_warning_seconds": int(IDLE_WARNING.total_seconds())}


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
        user = find_user_by_email(form.email.data)
        if user is None or not user.is_active or not verify_password(user, form.password.data):
            form.password.errors.append(WRONG_LOGIN)
        else:
            session.clear()  # a new session at login: nothing of the anonymous one survives
            login_user(user)
            session.permanent = True
            session["last_seen"] = now().isoformat()
            record("login", actor=user, household_id=user.household_id, summary="Ingelogd")
            return redirect(url_for("access.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("access/login.html", form=form), status


@bp.post("/uitloggen")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("U bent uitgelogd.")
    return redirect(url_for("access.login"))


@bp.post("/sessie-verlengen")
@login_required
def keep_alive():
    """The 'Blijf ingelogd' button of the idle warning: any request renews the session."""
    return redirect(request.referrer or url_for("access.home"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            link = url_for("access.reset", token=make_reset_token(user), _external=True)
            # Development: the link goes to the log. Production sends it by e-mail.
            current_app.logger.warning("Link om het wachtwoord opnieuw in te stellen voor %s: %s",
                                       user.email, link)
        # The same answer whether the address is known or not.
        flash("Als dit e-mailadres bij ons bekend is, krijgt u een e-mail met een link. "
              "De link is een uur geldig.")
        return redirect(url_for("access.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("access/forgot.html", form=form), status


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset(token: str):
    if user_for_reset_token(token) is None:
        return render_template("access/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.password.data, form.repeat.data)
        except Refused as refused:
            for r in refused.refusals:
                getattr(form, r.field or "password").errors.append(r.message)
        else:
            flash("Uw wachtwoord is veranderd. Log in met uw nieuwe wachtwoord.")
            return redirect(url_for("access.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("access/reset.html", form=form), status


@bp.get("/start")
@login_required
def home():
    """After login: the first page of the user's menu (the start page of their role)."""
    from portal.navigation import menu

    items = menu()
    if items:
        return redirect(items[0]["href"])
    return render_template("access/home.html")


