"""What every view shares: role checks and the household a page is about.

Load -> check permission -> act. A role check is a decorator; a household page answers 404
when the user has no access to that household (not a hint that it exists). Access by someone
other than the budget holder is written to the audit log, which the budget holder can read.
"""

from __future__ import annotations

import functools
import unicodedata
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from portal import dates, describe
from portal.access.permissions import HouseholdAccess, household_access
from portal.access.service import log_access
from portal.refusals import AlreadyDone


class UnstorableInput(BadRequest):
    """A NUL character in the address or a form field: no keyboard types one and PostgreSQL
    cannot store one, so the request is answered before any view reads it."""

    dutch = ("In wat u heeft ingevuld staat een teken dat het portaal niet kan bewaren (een "
             "nul-teken). Dat gebeurt soms als u tekst plakt uit een ander programma. Ga terug, "
             "typ de tekst opnieuw en probeer het nog eens. Er is niets opgeslagen.")


def refuse_unstorable_input() -> None:
    """Before every request (portal.create_app)."""
    values = [request.path, *(text for pair in request.args.items(multi=True) for text in pair)]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        values += [text for pair in request.form.items(multi=True) for text in pair]
    if any("\x00" in text for text in values):
        raise UnstorableInput()


def safe_redirect_target(target: str | None) -> str | None:
    """`target` (a Referer, a `next`) as a path of this portal to send the browser to, or None.

    Only a path that starts with one "/" (not "//": another host), without a backslash (which
    browsers read as "/") or any control or invisible character (browsers drop tabs and line
    breaks, so "/\t/evil.example" would become "//evil.example"). A full address is accepted
    only when its host is this portal's, and then only its path and query are kept.
    """
    if not target or target.startswith("//") or "\\" in target or any(
            unicodedata.category(ch)[0] in ("C", "Z") and ch != " " for ch in target):
        return None
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc) and (parts.scheme not in ("http", "https")
                                           or parts.netloc != request.host):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def keep_writes_of_refusal() -> None:
    """The request's refusal must still be remembered (a wrong two-step code counts towards
    the lock-out): commit what the service wrote although the answer is 4xx. Only for a
    refusal whose service wrote nothing but that."""
    g.keep_writes_of_refusal = True


def roles_required(*roles):
    """Only these roles may open the view (anyone else: 404)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def household_view(*, act: bool = False, what: str | None = None):
    """The view takes `household_id`; the user must have (acting) access to it today.

    Sets g.access (HouseholdAccess). A look by someone other than the budget holder goes into
    the access log (access.service.log_access), named `what` - by default the page's menu
    name ("de pagina 'Mijn budget'").
    """

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(household_id: int, *args, **kwargs):
            access = household_access(current_user, household_id, dates.today())
            if access is None:
                abort(404)
            if act and not access.can_act:
                abort(403)
            g.access = access
            if access.on_behalf:  # log_access names the budget holder it is on behalf of
                log_access(current_user, household_id,
                           what or describe.page_for_endpoint(request.endpoint),
                           object_type="page", action="view" if request.method == "GET" else "act")
            return view(household_id, *args, **kwargs)

        return wrapper

    return decorator


def current_access() -> HouseholdAccess:
    return g.access


def show_repeat(done: AlreadyDone, url: str):
    """The answer to a repeated request (AlreadyDone: the change had already happened, nothing
    was written): back to the item's page with "Dit is al gedaan" and the current state as a
    notice. Every view answers a repeat this way."""
    flash(done.message)
    return redirect(url, code=303)
