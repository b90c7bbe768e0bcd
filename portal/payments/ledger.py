"""The ledger check: every grant's running totals against its history.

A grant carries reserved_cents and paid_cents, changed only by budgets.service under the
grant's row lock. This check adds up what happened instead - the lines of sheets paid out plus
the allowance uses (paid), the lines of sheets submitted, approved or suspended (reserved), and
the payment items of the runs that paid them - and names every grant where the two disagree.
Corrections count too: a back-payment like a sheet, a claim-back netted in a run as paid
cents given back (claims.corrections), or paid back by the holder by bank transfer (a
Repayment, claims.free_claim_back). It reads the history of the whole money loop (claims,
allowances, payments), so it lives at the top of it, here.

Used by `portal check-ledger` (from cron after every payment run), the office's start page
(the last check's outcome) and the tests (after every concurrency scenario and every step of
the property test).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from portal.budgets.models import AllowanceUse, Grant
from portal.claims.constants import RESERVED_STATUSES, ClaimKind, ClaimStatus
from portal.claims.models import Claim, ClaimLine, Repayment
from portal.extensions import db
from portal.money import format_euro
from portal.payments.models import LedgerCheck, PaymentItem

RESERVED = "reserved"
PAID = "paid"
PAYMENTS = "payments"
LABELS = {RESERVED: "onderweg (gereserveerd)", PAID: "uitbetaald",
          PAYMENTS: "betaald volgens de betaalrondes"}


@dataclass(frozen=True)
class Difference:
    """One grant whose running total disagrees with its history."""

    grant_id: int
    what: str  # RESERVED, PAID or PAYMENTS
    recorded_cents: int  # the running column (for PAYMENTS: the paid sheets' lines)
    history_cents: int  # what the history adds up to

    @property
    def text(self) -> str:
        """One Dutch line, e.g. for the command line."""
        if self.what == PAYMENTS:
            return (f"Budget {self.grant_id}: urenbriefjes van "
                    f"{format_euro(self.recorded_cents - self.history_cents)} staan als "
                    "uitbetaald zonder betaling in een betaalronde, of andersom.")
        return (f"Budget {self.grant_id}: {LABELS[self.what]} staat op "
                f"{format_euro(self.recorded_cents)}, maar de geschiedenis telt op tot "
                f"{format_euro(self.history_cents)} (verschil "
                f"{format_euro(self.recorded_cents - self.history_cents)}).")


def history_totals(grant_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """grant id -> (paid, reserved) from the history: paid = lines of sheets, wages and
    back-payments paid out, minus the lines of claim-backs netted in a run, plus allowance
    uses (paid from the budget at once); reserved = lines of claims submitted, approved or
    suspended (a claim-back reserves nothing). Grants without history are not in it: (0, 0).
    Two queries."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    lines = (select(ClaimLine.grant_id, Claim.status, Claim.kind,
                    func.sum(ClaimLine.amount_cents))
             .join(Claim, Claim.id == ClaimLine.claim_id)
             .group_by(ClaimLine.grant_id, Claim.status, Claim.kind))
    uses = (select(AllowanceUse.grant_id, func.sum(AllowanceUse.amount_cents))
            .group_by(AllowanceUse.grant_id))
    if grant_ids is not None:
        ids = list(grant_ids)
        lines = lines.where(ClaimLine.grant_id.in_(ids))
        uses = uses.where(AllowanceUse.grant_id.in_(ids))
    for grant_id, status, kind, cents in db.session.execute(lines):
        claim_back = kind == ClaimKind.TERUGVORDERING
        if status == ClaimStatus.UITBETAALD:
            sums[grant_id][0] += -int(cents) if claim_back else int(cents)
        elif status in RESERVED_STATUSES and not claim_back:
            sums[grant_id][1] += int(cents)
    for grant_id, cents in db.session.execute(uses):
        sums[grant_id][0] += int(cents)
    return {gid: (paid, reserved) for gid, (paid, reserved) in sums.items()}


def _unpaid_paid_sheets() -> dict[int, int]:
    """Per grant: cents of the sheets whose status and payments disagree - marked paid out
    with no payment item paying them, or paid by an item and not marked paid out. (A sheet of
    zero euro is closed without a transfer, so only sheets with an amount count; a claim-back
    the holder paid back by bank transfer is settled by its Repayment instead of an item.)
    One query."""
    paid_by_item = select(PaymentItem.claim_id).union(select(Repayment.claim_id))
    query = (select(ClaimLine.grant_id, func.sum(ClaimLine.amount_cents))
             .join(Claim, Claim.id == ClaimLine.claim_id)
             .where(Claim.total_cents > 0,
                    (Claim.status == ClaimStatus.UITBETAALD) != Claim.id.in_(paid_by_item))
             .group_by(ClaimLine.grant_id))
    return {gid: int(cents) for gid, cents in db.session.execute(query) if cents}


def check_ledger(grant_ids: Iterable[int] | None = None) -> tuple[int, list[Difference]]:
    """Recompute every grant's (or the named grants') reserved and paid totals from the
    history and compare them with the running columns; also every sheet marked paid must be
    paid by exactly one payment item, and every paid item's sheet be marked paid. Returns the
    number of grants checked and the differences (none: the ledger agrees). Writes nothing;
    reads the grants fresh from the database."""
    ids = None if grant_ids is None else sorted(set(grant_ids))
    query = select(Grant.id, Grant.reserved_cents, Grant.paid_cents).order_by(Grant.id)
    if ids is not None:
        query = query.where(Grant.id.in_(ids))
    grants = db.session.execute(query).all()
    history = history_totals(ids)
    mismatched_payments = _unpaid_paid_sheets()
    differences = []
    for grant_id, reserved, paid in grants:
        history_paid, history_reserved = history.get(grant_id, (0, 0))
        if reserved != history_reserved:
            differences.append(Difference(grant_id, RESERVED, reserved, history_reserved))
        if paid != history_paid:
            differences.append(Difference(grant_id, PAID, paid, history_paid))
        if mismatched_payments.get(grant_id):
            differences.append(Difference(grant_id, PAYMENTS, history_paid,
                                          history_paid - mismatched_payments[grant_id]))
    return len(grants), differences


def check_and_record() -> LedgerCheck:
    """check_ledger over every grant, its outcome stored (the office's start page reads the
    last one). Adds and flushes; the caller commits."""
    grant_count, differences = check_ledger()
    check = LedgerCheck(grant_count=grant_count, difference_count=len(differences),
                        differences=[asdict(d) for d in differences])
    db.session.add(check)
    db.session.flush()
    return check


def last_check() -> LedgerCheck | None:
    return db.session.scalar(select(LedgerCheck).order_by(LedgerCheck.id.desc()).limit(1))


def differences_of(check: LedgerCheck) -> list[Difference]:
    return [Difference(**d) for d in check.differences]
