"""The payment office's page of API keys: make one (the token is shown once), revoke one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.forms import ConfirmForm
from portal.agreements.constants import ProviderKind
from portal.api import service
from portal.api.constants import OwnerKind
from portal.api.forms import KeyForm
from portal.budgets.models import Funder
from portal.dates import today
from portal.extensions import db
from portal.forms import apply_refusals
from portal.providers.models import Provider
from portal.refusals import Refused
from portal.web import roles_required

bp = Blueprint("api_keys", __name__, url_prefix="/betaalkantoor/api-sleutels")


def owner_choices() -> list[tuple[str, str]]:
    organisations = db.session.execute(select(Provider.id, Provider.name).where(
        Provider.kind == ProviderKind.ORGANISATIE).order_by(Provider.name)).all()
    funders = db.session.execute(select(Funder.id, Funder.name).order_by(Funder.name)).all()
    return ([(f"provider:{i}", f"Zorgorganisatie: {name}") for i, name in organisations]
            + [(f"funder:{i}", f"Financier: {name}") for i, name in funders]
            + [("office", "Het betaalkantoor zelf")])


def _page(form: KeyForm, token: str | None = None, status: int = 200):
    response = render_template("office/api_keys.html", form=form, token=token,
                               keys=service.key_rows(today()), confirm=ConfirmForm())
    return response, status, {"Cache-Control": "no-store"}


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def index():
    form = KeyForm()
    form.set_owners(owner_choices())
    if not form.is_submitted():
        return _page(form)
    if form.validate():
        kind, number = form.owner_parts()
        try:
            _key, token = service.create_api_key(
                current_user, label=form.label.data or "", owner_kind=kind,
                provider_id=number if kind == OwnerKind.PROVIDER else None,
                funder_id=number if kind == OwnerKind.FUNDER else None,
                scopes=list(form.scopes.data or []), expires_on=form.expires_on.data,
                today=today())
        except Refused as refused:
            form.form_errors.extend(apply_refusals(form, refused))
        else:
            return _page(_fresh(), token)
    return _page(form, status=422)


def _fresh() -> KeyForm:
    form = KeyForm(formdata=None)
    form.set_owners(owner_choices())
    return form


@bp.post("/<int:key_id>/intrekken")
@roles_required(Role.BEHEERDER)
def revoke(key_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("api_keys.index"))
    try:
        key = service.revoke_api_key(current_user, key_id)
    except Refused as refused:
        if "not_found" in refused.codes:
            abort(404)
        flash(refused.refusals[0].message)
        return redirect(url_for("api_keys.index"))
    flash(f"De sleutel '{key.label}' is ingetrokken. Hij werkt vanaf nu niet meer.")
    return redirect(url_for("api_keys.index"))
