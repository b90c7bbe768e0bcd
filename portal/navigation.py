"""The main menu per role. Each area adds its entries here; the menu shows only endpoints
that exist, so a half-built area never shows a dead link."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_login import current_user

from portal.access.constants import Role


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
    NavItem("office.paper_intake", "Papieren urenbriefje", frozenset({Role.BEHEERDER})),
    NavItem("office.accounts", "Inlogaccounts", frozenset({Role.BEHEERDER})),
    NavItem("api_keys.index", "API-sleutels", frozenset({Role.BEHEERDER})),
    NavItem("access.change_password", "Wachtwoord wijzigen", frozenset(Role)),
    NavItem("access.two_step", "Inloggen in twee stappen", frozenset(Role)),
    NavItem("access.sessions", "Waar bent u ingelogd", frozenset(Role)),
]


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
        href = url_for(item.endpoint, **kwargs)
        result.append({"href": href, "label": item.label,
                       "account": item.endpoint in ACCOUNT_ENDPOINTS,
                       "current": request.path == href or request.path.startswith(href + "/")})
    return result
