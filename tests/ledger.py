"""The tests' use of the portal's ledger check (portal.payments.ledger).

The check sums the history (claim lines per status, allowance uses, payment items) without
using the running columns it checks; the tests call it after every concurrency scenario and
every step of the property test.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.budgets.models import Grant
from portal.payments.ledger import check_ledger


def assert_ledger_agrees(grant_ids=None) -> None:
    """The ledger check finds no difference (for every grant, or the named ones)."""
    _count, differences = check_ledger(grant_ids)
    assert not differences, "\n".join(d.text for d in differences)


def assert_grants_match_their_history(session, grant_ids=None) -> list[Grant]:
    """The ledger check finds no difference, and no grant is negative or above the amount
    granted. Returns the grants checked."""
    assert_ledger_agrees(grant_ids)
    query = select(Grant).order_by(Grant.id).execution_options(populate_existing=True)
    if grant_ids is not None:
        query = query.where(Grant.id.in_(list(grant_ids)))
    grants = session.scalars(query).all()
    for grant in grants:
        assert grant.paid_cents >= 0 and grant.reserved_cents >= 0
        assert grant.paid_cents + grant.reserved_cents <= grant.amount_cents
    return grants
