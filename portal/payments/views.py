"""Betalingen for the budget holder: what was paid to whom, when, with which reference.

(The office's payment runs and the provider's payments have their own pages elsewhere.)
"""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.dates import today
from portal.overview import service as overview_service
from portal.payments.household import household_payments
from portal.web import household_view

bp = Blueprint("payments", __name__)


@bp.get("/huishoudens/<int:household_id>/betalingen")
@household_view()
def household(household_id: int):
    usage = overview_service.household_usage(household_id, today())
    return render_template("payments/household.html", payments=household_payments(household_id),
                           household_id=household_id,
                           paid=overview_service.paid_figures(usage))
