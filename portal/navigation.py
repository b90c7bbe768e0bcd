"""The main menu per role, and the menu of a client's file.

Each area adds its entries here; a menu shows only endpoints that exist, so a half-built area
never shows a dead link. A representative or advisor (or a budget holder acting for someone
else) who opens a client's file works in that file: a bar names whose file it is and on what
authority, and under it the file's own menu (client_file / file_menu) - each item only when the
same check as the page itself lets this user open it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, session, url_for
from flask_login import current_user

from portal import dates
from portal.access.constants import Role
from portal.access.permissions import FileAuthority, file_authority
from portal.agreements.models import Agreement
from portal.claims.models import Claim
from portal.extensions import db


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[Role]
    household: bool = False  # the endpoint takes the user's own household_id


HOLDER = frozenset({Role.BUDGETHOUDER})
HELPERS = frozenset({Role.VERTEGENWOORDIGER, Role.ADVISEUR})

ITEMS: list[NavItem] = [
    NavItem("overview.household", "Mijn budget", HOLDER, household=True),
    NavItem("agreements.index", "Zorgovereenkomsten", HOLDER, household=True),
    NavItem("claims.index", "Urenbriefjes", HOLDER, household=True),
    NavItem("payments.household", "Betalingen", HOLDER, household=True),
    NavItem("access.authorizations", "Machtigingen", HOLDER, household=True),
    NavItem("access.my_log", "Wie bekeek mijn gegevens", HOLDER, household=True),
    NavItem("paper.settings", "Werken op papier", HOLDER, household=True),
    NavItem("access.represented", "Mijn klanten", HELPERS),
    NavItem("providers.home", "Mijn overeenkomsten", frozenset({Role.ZORGVERLENER})),
    NavItem("providers.payments", "Betalingen", frozenset({Role.ZORGVERLENER})),
    NavItem("claims.provider_start", "Urenbriefje invullen", frozenset({Role.ZORGVERLENER})),
    NavItem("funders.queue", "Te beoordelen", frozenset({Role.CONSULENT})),
    NavItem("funders.grants", "Toekenningen", frozenset({Role.CONSULENT})),
    NavItem("office.payment_runs", "Betaalrondes", frozenset({Role.BEHEERDER})),
    NavItem("office.claims", "Urenbriefjes controleren", frozenset({Role.BEHEERDER})),
    NavItem("office.claim_backs", "Terugvorderingen", frozenset({Role.BEHEERDER})),
    NavItem("office.paper_intake", "Papieren urenbriefje", frozenset({Role.BEHEERDER})),
    NavItem("office.accounts", "Inlogaccounts", frozenset({Role.BEHEERDER})),
    NavItem("api_keys.index", "API-sleutels", frozenset({Role.BEHEERDER})),
    NavItem("access.change_password", "Wachtwoord wijzigen", frozenset(Role)),
    NavItem("access.two_step", "Inloggen in twee stappen", frozenset(Role)),
    NavItem("access.sessions", "Waar bent u ingelogd", frozenset(Role)),
]


@dataclass(frozen=True)
class FileItem:
    """One entry of a client's file menu: its page takes the file's household_id. `act`: the
    page asks for an authorisation to act (household_view(act=True)); `view_only`: shown only
    to a helper who may not act (the paper statement instead of the paper settings)."""

    endpoint: str
    label: str
    act: bool = False
    view_only: bool = False


FILE_ITEMS: list[FileItem] = [
    FileItem("overview.household", "Budget"),
    FileItem("agreements.index", "Zorgovereenkomsten"),
    FileItem("claims.index", "Urenbriefjes"),
    FileItem("payments.household", "Betalingen"),
    FileItem("messages.household", "Berichten"),
    FileItem("paper.settings", "Papier", act=True),
    FileItem("paper.statement_pdf", "Budgetoverzicht op papier (PDF)", view_only=True),
]

# The session key of the client's file a helper opened last (for pages that name no
# household, such as "Wachtwoord wijzigen"); checked again on every page.
OPEN_FILE = "open_client_file"
CACHE_KEY = "portal.client_file"


def _link(endpoint: str, **kwargs) -> dict:
    href = url_for(endpoint, **kwargs)
    return {"href": href, "label": None,
            "current": request.path == href or request.path.startswith(href + "/")}


# Account settings: shown under the user's name in the header, not among the tasks.
ACCOUNT_ENDPOINTS = frozenset({"access.change_password", "access.two_step", "access.sessions"})


def menu() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    result = []
    for item in ITEMS:
        if current_user.role not in item.roles or item.endpoint not in endpoints:
            continue
        kwargs = {"household_id": current_user.household_id} if item.household else {}
        link = _link(item.endpoint, **kwargs)
        link["label"] = item.label
        link["account"] = item.endpoint in ACCOUNT_ENDPOINTS
        result.append(link)
    return result


def _household_of_page() -> int | None:
    """The household the current page is about, from its address: a household, an agreement
    or an hour sheet. None for a page that names none."""
    args = request.view_args or {}
    if "household_id" in args:
        return int(args["household_id"])
    if "agreement_id" in args:
        return db.session.scalar(db.select(Agreement.household_id)
                                 .where(Agreement.id == args["agreement_id"]))
    if "claim_id" in args:
        return db.session.scalar(db.select(Agreement.household_id)
                                 .join(Claim, Claim.agreement_id == Agreement.id)
                                 .where(Claim.id == args["claim_id"]))
    return None


def _close_file() -> None:
    if OPEN_FILE in session:  # touch the session only when it changes
        session.pop(OPEN_FILE)


def client_file() -> FileAuthority | None:
    """The client's file this page belongs to, for someone working on another's behalf (the
    bar and the file menu), or None: the page is the user's own or names no file. Remembered
    in the session for pages that name no household; "Mijn klanten" closes it."""
    if not current_user.is_authenticated or current_user.role not in HELPERS | HOLDER:
        return None
    cache = request.environ  # per request (g may outlive one: a test's app context)
    if CACHE_KEY in cache:
        return cache[CACHE_KEY]
    if request.endpoint == "access.represented":
        _close_file()
        cache[CACHE_KEY] = None
        return None
    household_id = _household_of_page()
    if household_id is None and current_user.role in HELPERS:
        household_id = session.get(OPEN_FILE)
    found = None if household_id is None else file_authority(current_user, household_id,
                                                             dates.today())
    if found is None:
        _close_file()
    elif session.get(OPEN_FILE) != found.household_id:
        session[OPEN_FILE] = found.household_id
    cache[CACHE_KEY] = found
    return found


def file_menu(authority: FileAuthority) -> list[dict]:
    """The client's file menu: the pages this helper may open in it (the same checks as the
    pages: an item that needs acting is left out for a helper who may only look)."""
    endpoints = current_app.view_functions
    result = []
    for item in FILE_ITEMS:
        if item.endpoint not in endpoints or (item.act and not authority.can_act) or (
                item.view_only and authority.can_act):
            continue
        link = _link(item.endpoint, household_id=authority.household_id)
        link["label"] = item.label
        result.append(link)
    return result


def whose(own: str, theirs: str) -> str:
    """A page's title for whoever reads it: `own` in one's own file ("Mijn budget"), and in a
    client's file the client by name ("Budget van Anna de Vries")."""
    found = client_file() if current_user.is_authenticated else None
    return own if found is None else f"{theirs} van {found.holder_name}"
