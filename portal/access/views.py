from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.access.forms import LoginForm
from portal.access.service import find_user_by_email, record, verify_password
from portal.extensions import limiter

bp = Blueprint("access", __name__)

WRONG_LOGIN = "Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw."


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
            session.clear()  # a new session at login
            login_user(user)
            session.permanent = True
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


@bp.get("/start")
@login_required
def home():
    return render_template("access/home.html")
