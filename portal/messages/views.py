"""Berichten: the user's own inbox, one message, mark all read; the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField

from portal.access.permissions import budget_holder_of
from portal.dates import today
from portal.forms import BaseForm
from portal.messages import service
from portal.messages.models import Message
from portal.pagination import Page, page_number
from portal.web import current_access, household_view

bp = Blueprint("messages", __name__)


class MarkAllReadForm(BaseForm):
    """Only the CSRF token: the button says what it does."""


class MailSettingForm(BaseForm):
    mail_when_waiting = BooleanField("Stuur mij een e-mail als er iets op mij wacht")


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
    groups, page = service.inbox_groups(current_user.id, page_number(request.args.get("pagina")),
                                        today())
    return render_template("messages/inbox.html", groups=groups, page=page,
                           form=MarkAllReadForm(), unread=service.unread_count(current_user.id))


@bp.get("/berichten/<int:message_id>")
@login_required
def show(message_id: int):
    message = service.own_message(current_user.id, message_id)
    if message is None:
        abort(404)
    service.mark_read(message)
    return render_template("messages/show.html", message=message)


@bp.route("/account/e-mail-bij-berichten", methods=["GET", "POST"])
@login_required
def mail_setting():
    """The login's choice of the short "er wacht iets op u" mail (off by default)."""
    user = current_user._get_current_object()
    # Posted: only what was sent counts (an unticked box is not sent at all).
    form = MailSettingForm(data=None if request.method == "POST"
                           else {"mail_when_waiting": user.mail_when_waiting})
    if form.validate_on_submit():
        service.set_mail_when_waiting(user, bool(form.mail_when_waiting.data))
        flash("U krijgt een e-mail als er iets op u wacht." if user.mail_when_waiting
              else "U krijgt geen e-mail meer als er iets op u wacht.")
        return redirect(url_for("messages.mail_setting"))
    return render_template("messages/mail_setting.html", form=form, on=user.mail_when_waiting)


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
