"""Use cases on budgets. The only code that changes a grant's running totals.

reserve / release / settle lock the grant rows first (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite the write transaction already holds the database's write lock, see database.py),
then re-check what is available. The database CHECK on grants is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from portal.budgets.models import Grant
from portal.extensions import db
from portal.money import format_euro
from portal.refusals import Refusal, Refused


def lock_grants(grant_ids: list[int] | set[int]) -> dict[int, Grant]:
    """Load and lock grants in id order (a fixed order, so two lockers never deadlock)."""
    ids = sorted(set(grant_ids))
    rows = db.session.scalars(
        select(Grant).where(Grant.id.in_(ids)).order_by(Grant.id)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    found = {g.id: g for g in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Refused(Refusal("grant_unknown", "Dit budget bestaat niet (meer). Kies een ander "
                              "budget of neem contact op met de verstrekker."))
    return found


def budget_refusal(grant: Grant, needed_cents: int) -> Refusal:
    return Refusal("budget_insufficient",
                   f"Er is niet genoeg budget over: nodig {format_euro(needed_cents)}, "
                   f"beschikbaar {format_euro(grant.available_cents)} "
                   f"({grant.law.upper()} {grant.period_start.year}). Verlaag het aantal uren of "
                   "vraag de verstrekker om een hoger budget.")


def reserve(shares: Mapping[int, int]) -> dict[int, Grant]:
    """Reserve cents per grant for a submitted claim. All shares fit, or nothing is reserved."""
    grants = lock_grants(shares.keys())
    refusals = [budget_refusal(grants[gid], cents) for gid, cents in sorted(shares.items())
                if cents > grants[gid].available_cents]
    if refusals:
        raise Refused(refusals)
    for gid, cents in shares.items():
        grants[gid].reserved_cents += cents
    db.session.flush()
    return grants


def release(shares: Mapping[int, int]) -> None:
    """Undo a reservation (a claim refused or withdrawn after submission)."""
    grants = lock_grants(shares.keys())
    for gid, cents in shares.items():
        if cents > grants[gid].reserved_cents:
            raise RuntimeError(f"release of {cents} exceeds reservation on grant {gid}")
        grants[gid].reserved_cents -= cents
    db.session.flush()


def settle(shares: Mapping[int, int]) -> None:
    """Move reserved cents to paid (a payment run paid the claim)."""
    grants = lock_grants(shares.keys())
    for gid, cents in shares.items():
        if cents > grants[gid].reserved_cents:
            raise RuntimeError(f"settle of {cents} exceeds reservation on grant {gid}")
        grants[gid].reserved_cents -= cents
        grants[gid].paid_cents += cents
    db.session.flush()


def spend_directly(shares: Mapping[int, int]) -> None:
    """Pay from the budget at once, without a claim (Wlz allowances); refused if it does not fit."""
    grants = lock_grants(shares.keys())
    refusals = [budget_refusal(grants[gid], cents) for gid, cents in sorted(shares.items())
                if cents > grants[gid].available_cents]
    if refusals:
        raise Refused(refusals)
    for gid, cents in shares.items():
        grants[gid].paid_cents += cents
    db.session.flush()
