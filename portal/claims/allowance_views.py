"""The budget holder's Wlz allowances page and the page of their own account (IBAN).

Thin: parse, call one use case (claims.allowances, budgets.service.set_holder_iban), render or
redirect. The budget holder or someone who may act for them (household_view(act=True)); a
look or an act on behalf goes into the access log.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from portal.budgets import service as budgets_service
from portal.claims import allowances
from portal.claims.allowance_rules import FREE_ALLOWANCE_PERCENT_TEXT
from portal.dates import today
from portal.forms import BaseForm, EuroField, apply_refusals, form_status
from portal.refusals import Refused
from portal.web import current_access, household_view

bp = Blueprint("allowances", __name__)

PAGE = "de pagina 'Uitkeringen Wlz'"
IBAN_PAGE = "de pagina 'Uw eigen rekeningnummer'"


class IbanForm(BaseForm):
    iban = StringField("Uw eigen rekeningnummer (IBAN)",
                       validators=[InputRequired("Vul uw IBAN in, bijvoorbeeld NL91 ABNA 0417 1643 00.")])


class FreeForm(BaseForm):
    pass


class HolidayForm(BaseForm):
    agreement = SelectField("Zorgverlener", coerce=int, validate_choice=False)
    amount = EuroField("Bedrag in euro", validators=[InputRequired("Vul een bedrag in.")])


def _page(household_id: int, holiday_forms=None, errors=(), status=200):
    page = allowances.allowance_page(household_id, today())
    forms = holiday_forms or {}
    for budget in page.budgets:
        if budget.grant_id not in forms:
            forms[budget.grant_id] = HolidayForm(prefix=f"fd{budget.grant_id}", formdata=None)
        forms[budget.grant_id].agreement.choices = [(c.agreement_id, c.provider_name)
                                                    for c in budget.holiday_choices]
    return render_template("claims/allowances.html", page=page, holiday_forms=forms,
                           free_form=FreeForm(), errors=list(errors), access=current_access(),
                           percent=FREE_ALLOWANCE_PERCENT_TEXT), status


@bp.get("/huishoudens/<int:household_id>/uitkeringen")
@household_view(what=PAGE)
def index(household_id: int):
    return _page(household_id)


@bp.post("/huishoudens/<int:household_id>/uitkeringen/<int:grant_id>/vrij")
@household_view(act=True, what=PAGE)
def ask_free(household_id: int, grant_id: int):
    form = FreeForm()
    if form.validate_on_submit():
        try:
            claim = allowances.ask_free_allowance(current_user, grant_id, today())
        except Refused as refused:
            return _page(household_id, errors=apply_refusals(form, refused), status=422)
        flash(f"Aangevraagd: het vrij besteedbaar bedrag ({claim.reference}). Wij betalen het "
              "bij de volgende betaling op uw eigen rekening.")
        return redirect(url_for("allowances.index", household_id=household_id), code=303)
    return _page(household_id, errors=["Probeer het opnieuw."], status=422)


@bp.post("/huishoudens/<int:household_id>/uitkeringen/<int:grant_id>/feestdagen")
@household_view(act=True, what=PAGE)
def ask_holiday(household_id: int, grant_id: int):
    form = HolidayForm(prefix=f"fd{grant_id}")
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            assert form.amount.data is not None  # validated: the amount is required
            claim = allowances.ask_holiday_allowance(current_user, grant_id, form.agreement.data,
                                                     form.amount.data, today())
        except Refused as refused:
            errors = apply_refusals(form, refused, {"agreement": "agreement", "grant": ""})
        else:
            flash(f"Aangevraagd: de feestdagenuitkering ({claim.reference}). Wij betalen die bij "
                  "de volgende betaling aan de zorgverlener.")
            return redirect(url_for("allowances.index", household_id=household_id), code=303)
    return _page(household_id, {grant_id: form}, errors, status=form_status())


@bp.route("/huishoudens/<int:household_id>/rekeningnummer", methods=["GET", "POST"])
@household_view(act=True, what=IBAN_PAGE)
def holder_iban(household_id: int):
    form = IbanForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            budgets_service.set_holder_iban(current_user, household_id, form.iban.data)
        except Refused as refused:
            errors = apply_refusals(form, refused)
        else:
            flash("Uw rekeningnummer is opgeslagen.")
            return redirect(url_for("allowances.holder_iban", household_id=household_id),
                            code=303)
    household = budgets_service.household_of(household_id)
    return render_template("claims/holder_iban.html", form=form, errors=errors,
                           household=household), form_status()
