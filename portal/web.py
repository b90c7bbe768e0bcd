"""What every view shares: role checks, the household a page is about, and 'today'.

Load -> check permission -> act. A role check is a decorator; a household page answers 404
when the user has no access to that household (not a hint that it exists). Access by someone
other than the budget holder is written to the audit log, which the budget holder can read.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask import abort, g, request
from flask_login import current_user, login_required

from portal import dates
from portal.access.permissions import HouseholdAccess, budget_holder_of, household_access
from portal.access.service import record


def today() -> dt.date:
    return dates.today()


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


def household_view(*, act: bool = False):
    """The view takes `household_id`; the user must have (acting) access to it today.

    Sets g.access (HouseholdAccess). Views by someone other than the budget holder are logged.
    """

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(household_id: int, *args, **kwargs):
            access = household_access(current_user, household_id, today())
            if access is None:
                abort(404)
            if act and not access.can_act:
                abort(403)
            g.access = access
            if access.on_behalf:
                record("view" if request.method == "GET" else "act", actor=current_user,
                       on_behalf_of=budget_holder_of(household_id),
                       household_id=household_id, object_type="page",
                       summary=f"{request.method} {request.path}")
            return view(household_id, *args, **kwargs)

        return wrapper

    return decorator


def current_access() -> HouseholdAccess:
    return g.access
