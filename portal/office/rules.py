"""Pure decisions of the payment office's pages: who still needs a login and what a login's
state is. No Flask, no database."""

from __future__ import annotations

from portal.agreements.constants import VersionStatus

# A provider needs a login once a budget holder shared an agreement with them (they must
# complete and sign it) and while an agreement is on its way or approved (they prepare hour
# sheets and follow payments). A draft the provider has not seen, or an ended one, does not.
LOGIN_NEEDED_STATUSES = frozenset({VersionStatus.GEDEELD, VersionStatus.ONDERTEKEND,
                                   VersionStatus.TER_BEOORDELING, VersionStatus.GOEDGEKEURD})

# How many of each kind 'Eerst te doen' shows (the rest is counted), and logins per page.
TODO_LIMIT = 20
ACCOUNTS_PER_PAGE = 25
SEARCH_MAX_LENGTH = 100


def account_state(active: bool, has_password: bool) -> tuple[str, str]:
    """(status, tone) of a login in the office's list; the status is one of
    portal.vocabulary.LOGIN's (its label and explanation)."""
    if not active:
        return "uitgezet", "error"
    if not has_password:
        return "wacht_op_wachtwoord", "warn"
    return "actief", "ok"
