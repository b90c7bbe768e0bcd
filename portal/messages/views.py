"""Berichten: the user's own inbox, one message, mark all read; the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from portal.access.permissions import budget_holder_of
from portal.forms import BaseForm
from portal.messages import service
from portal.messages.models import Message
from portal.pagination import Page, page_number
from portal.web import current_access, household_view

bp = Blueprint("messages", __name__)


class MarkAllReadForm(BaseForm):
    """Only the CSRF token: the button says what it does."""


@bp.app_context_processor
def unread_messages():
    """The header's "Berichten (2 ongelezen)": one count query per page, logged-in users only."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return {"unread_messages": None}
    try:
        return {"unread_messages": service.unread_count(current_user.id)}
    except SQLAlchemyError:  # an error page after a failed transaction: no count, no second error
        return {"unread_messages": None}


@bp.get("/berichten")
@login_required
def inbox():
    messages, page = service.inbox_page(current_user.id, page_number(request.args.get("pagina")))
    return render_template("messages/inbox.html", messages=messages, page=page,
                           days=service.by_day(messages), summary=service.summary,
                           form=MarkAllReadForm(), unread=service.unread_count(current_user.id))


@bp.get("/berichten/<int:message_id>")
@login_required
def show(message_id: int):
    message = service.own_message(current_user.id, message_id)
    if message is None:
        abort(404)
    service.mark_read(message)
    return render_template("messages/show.html", message=message)


@bp.post("/berichten/alles-gelezen")
@login_required
def mark_all_read():
    form = MarkAllReadForm()
    if not form.validate_on_submit():
        abort(400)
    count = service.mark_all_read(current_user.id)
    flash("Alle berichten zijn gemarkeerd als gelezen." if count
          else "U had geen ongelezen berichten.")
    return redirect(url_for("messages.inbox"))


@bp.get("/huishoudens/<int:household_id>/berichten")
@household_view(what="de berichten")
def household(household_id: int):
    """The messages the budget holder got, for someone working in their file: read only (a
    helper's look does not mark them read). The budget holder reads their own inbox."""
    if not current_access().on_behalf:
        return redirect(url_for("messages.inbox"))
    holder = budget_holder_of(household_id)
    messages: list[Message] = []
    page: Page | None = None
    if holder is not None:
        messages, page = service.inbox_page(holder.id, page_number(request.args.get("pagina")))
    return render_template("messages/household.html", messages=messages, page=page,
                           household_id=household_id,
                           holder_name=holder.name if holder else "de budgethouder")
