"""What each grant's running totals must be, summed from the history itself.

A grant carries paid_cents and reserved_cents, changed only by budgets.service. These helpers add
up what happened instead (claim lines per status, allowance uses), so a test can compare the two
without using the numbers it checks.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from portal.budgets.models import AllowanceUse, Grant
from portal.claims.constants import RESERVED_STATUSES, ClaimStatus
from portal.claims.models import Claim, ClaimLine


def history_totals(session, grant_ids=None) -> dict[int, tuple[int, int]]:
    """grant id -> (paid, in progress) from the history: paid = lines of sheets paid out plus
    allowance uses (paid from the budget at once); in progress = lines of sheets submitted,
    approved or suspended. Grants without history are (0, 0)."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    lines = (select(ClaimLine.grant_id, Claim.status, func.sum(ClaimLine.amount_cents))
             .join(Claim, Claim.id == ClaimLine.claim_id)
             .group_by(ClaimLine.grant_id, Claim.status))
    uses = (select(AllowanceUse.grant_id, func.sum(AllowanceUse.amount_cents))
            .group_by(AllowanceUse.grant_id))
    if grant_ids is not None:
        lines = lines.where(ClaimLine.grant_id.in_(list(grant_ids)))
        uses = uses.where(AllowanceUse.grant_id.in_(list(grant_ids)))
    for grant_id, status, cents in session.execute(lines):
        if status == ClaimStatus.UITBETAALD:
            sums[grant_id][0] += int(cents)
        elif status in RESERVED_STATUSES:
            sums[grant_id][1] += int(cents)
    for grant_id, cents in session.execute(uses):
        sums[grant_id][0] += int(cents)
    return {gid: (paid, reserved) for gid, (paid, reserved) in sums.items()}


def assert_grants_match_their_history(session, grant_ids=None) -> list[Grant]:
    """Every grant's paid and reserved columns equal its history; nothing is negative or above
    the amount granted. Returns the grants checked."""
    query = select(Grant).order_by(Grant.id).execution_options(populate_existing=True)
    if grant_ids is not None:
        query = query.where(Grant.id.in_(list(grant_ids)))
    grants = session.scalars(query).all()
    history = history_totals(session, grant_ids)
    for grant in grants:
        assert (grant.paid_cents, grant.reserved_cents) == history.get(grant.id, (0, 0)), \
            f"grant {grant.id}: columns {(grant.paid_cents, grant.reserved_cents)}, " \
            f"history {history.get(grant.id, (0, 0))}"
        assert grant.paid_cents >= 0 and grant.reserved_cents >= 0
        assert grant.paid_cents + grant.reserved_cents <= grant.amount_cents
    return grants
