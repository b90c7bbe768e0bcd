"""The claim-back of the vrij besteedbaar bedrag when a Wlz budget ends during its year.

The free amount is paid for the whole year; when the member's Wlz budget ends before
31 December (care in kind, death), the budget holder pays back the share of the year after the
end (allowance_rules.claim_back_cents, by days). Like a correction (claims.corrections),
history is never edited: the paid free amount keeps its lines and payment; the claim-back is a
claim of its own (kind terugvordering, no agreement, the household named) that names the free
amount it corrects and why, approved when it is made (claims.service._transition). It reserves
nothing; the payment run nets it against a later payment to the holder (the next free amount)
and then gives the budget its money back (budgets.service.refund). Until then it stays open:
an amount the holder must pay back, shown on the holder's Betalingen page.

Made by end_budget_early (the zorgkantoor's consulent or the payment office records that a
budget ends earlier), or by the payment run when it pays a free amount of a budget that had
already ended (claim_back_after_payment), both through record_claim_back, which is idempotent: what is due minus what
was already claimed back for that free amount; a repeat records nothing. Never commits.

When no later payment to the holder comes to net it against, the holder pays it back by bank
transfer; the payment office records that (record_repaid: a Repayment row, the claim-back
settled through claims.service._transition, the budget given its money back, a message to the
holder). The office's list of open claim-backs is open_claim_backs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from portal.access.models import User
from portal.access.permissions import household_recipients
from portal.budgets import service as budgets_service
from portal.budgets.constants import ALLOWANCE_LAWS, AllowanceKind, Unit
from portal.budgets.models import Grant, Household, Member
from portal.claims.allowances import free_allowance_claim_back
from portal.claims.constants import ClaimKind, ClaimSource, ClaimStatus
from portal.claims.correction_rules import check_repayment, holder_correction_reference
from portal.claims.corrections import holder_sequence
from portal.claims.models import Claim, ClaimLine, Repayment
from portal.claims.rules import Action, PricedLine, Side
from portal.claims.service import _Notice, _set_lines, _transition
from portal.dates import first_of_month, format_day, now
from portal.extensions import db
from portal.money import format_euro
from portal.pagination import Page, paginate

CLAIMED_KINDS = (ClaimKind.UREN.value, ClaimKind.LOON.value)


def _last_care_day(grant_id: int) -> dt.date | None:
    """The last day of care claimed from the grant (sheets and wages not refused)."""
    return db.session.scalar(
        select(func.max(ClaimLine.day)).join(Claim, Claim.id == ClaimLine.claim_id)
        .where(ClaimLine.grant_id == grant_id, Claim.kind.in_(CLAIMED_KINDS),
               Claim.status != ClaimStatus.AFGEKEURD))


def end_budget_early(actor: User | None, grant_id: int, ended_on: dt.date, reason: str,
                     today: dt.date) -> Claim | None:
    """The member's budget ends on `ended_on` instead of the end granted (care in kind,
    death): by a consulent of its funder or the payment office. When it is a Wlz budget whose
    year's free amount was paid, the claim-back of the share after `ended_on` is recorded
    (record_claim_back); returns it, or None when nothing is to be paid back."""
    grant = budgets_service.end_grant_early(actor, grant_id, ended_on, reason,
                                            last_care_day=_last_care_day(grant_id))
    return record_claim_back(actor, grant.id, reason, today)


def _paid_free_amount(member_id: int, year: int) -> Claim | None:
    """The member's free amount of `year` that was paid (the latest, when there were two)."""
    return db.session.scalar(
        select(Claim).join(ClaimLine, ClaimLine.claim_id == Claim.id)
        .join(Grant, Grant.id == ClaimLine.grant_id)
        .where(Grant.member_id == member_id, Grant.period_start >= dt.date(year, 1, 1),
               Grant.period_start <= dt.date(year, 12, 31), Claim.kind == ClaimKind.VRIJ,
               Claim.status == ClaimStatus.UITBETAALD)
        .order_by(Claim.id.desc()).limit(1))


def claim_backs_of(free: Claim) -> list[Claim]:
    """The claim-backs recorded for a free amount, oldest first."""
    return list(db.session.scalars(select(Claim).where(
        Claim.corrects_claim_id == free.id, Claim.kind == ClaimKind.TERUGVORDERING,
        Claim.status != ClaimStatus.AFGEKEURD).order_by(Claim.id)))


def record_claim_back(actor: User | None, grant_id: int, reason: str,
                      today: dt.date) -> Claim | None:
    """Record what of the paid free amount is to be paid back now that the Wlz budget
    `grant_id` ends before 31 December: due (free_allowance_claim_back) minus what was already
    claimed back for that free amount. None when nothing (more) is due - a repeat writes
    nothing. The grants of the member's year are locked first, so two at once are decided one
    after the other."""
    grant = db.session.get_one(Grant, grant_id)
    if grant.law not in ALLOWANCE_LAWS:
        return None
    year = grant.period_start.year
    member = db.session.get_one(Member, grant.member_id)
    budgets_service.lock_grants(db.session.scalars(select(Grant.id).where(
        Grant.member_id == member.id, Grant.law == grant.law,
        Grant.period_start >= dt.date(year, 1, 1), Grant.period_start <= dt.date(year, 12, 31))))
    free = _paid_free_amount(member.id, year)
    if free is None:
        return None
    earlier = claim_backs_of(free)
    due = free_allowance_claim_back(grant) - sum(c.total_cents for c in earlier)
    if due <= 0:
        return None
    free_line = max(free.lines, key=lambda ln: ln.amount_cents)
    due = min(due, free_line.amount_cents)
    sequence = holder_sequence(free, ClaimKind.TERUGVORDERING)
    claim = Claim(reference=holder_correction_reference(ClaimKind.TERUGVORDERING,
                                                        free.reference, sequence),
                  agreement_id=None,
                  household_id=free.household_id, month=first_of_month(today),
                  kind=ClaimKind.TERUGVORDERING, sequence=sequence, corrects_claim_id=free.id,
                  source=ClaimSource.PORTAL, submitted_at=now(), decided_at=now(),
                  prepared_by_id=actor.id if actor else None,
                  correction_reason=explanation(member.name, year, grant.period_end,
                                                free.total_cents, due, reason))
    line = PricedLine(day=grant.period_end, care_kind=AllowanceKind.VERANTWOORDINGSVRIJ.value,
                      unit=Unit.DAGDEEL, quantity=1, tariff_cents=due, amount_cents=due,
                      grant_id=free_line.grant_id)
    household_id = free.household_id
    assert household_id is not None  # a free amount names its household

    def notices(c: Claim) -> list[_Notice]:
        return [_Notice(household_recipients(household_id), "claim_corrected",
                        f"Terugbetalen: {format_euro(c.total_cents)} van het "
                        f"vrij besteedbaar bedrag {year}", c.correction_reason or "")]

    return _transition(claim, Action.CORRECTION_DUE, Side.SYSTEM, actor=actor,
                       on_behalf_of=None, household_id=household_id, audit="correction",
                       effect=lambda: _set_lines(claim, [line]), reason=reason,
                       summary=f"Terugvordering van {format_euro(due)} ({claim.reference}) bij "
                               f"{free.reference}: het Wlz-budget stopt op "
                               f"{format_day(grant.period_end)}",
                       notices=notices)


def claim_back_after_payment(free_claim_ids: Sequence[int], today: dt.date) -> list[Claim]:
    """Free amounts a payment run just paid whose member's last Wlz budget of the year had
    already ended before 31 December: their claim-back is recorded now (record_claim_back;
    nothing more when one was). Called by the payment run. A few queries per free amount
    (a handful a run)."""
    made = []
    for free in db.session.scalars(select(Claim).where(
            Claim.id.in_(list(free_claim_ids)), Claim.kind == ClaimKind.VRIJ,
            Claim.status == ClaimStatus.UITBETAALD)).all():
        grant = db.session.get_one(Grant, free.lines[0].grant_id)
        year = grant.period_start.year
        last = db.session.scalar(select(Grant).where(
            Grant.member_id == grant.member_id, Grant.law == grant.law,
            Grant.period_start >= dt.date(year, 1, 1),
            Grant.period_start <= dt.date(year, 12, 31))
            .order_by(Grant.period_end.desc()).limit(1))
        if last is None or last.period_end >= dt.date(year, 12, 31):
            continue
        back = record_claim_back(None, last.id, "het budget stopte voordat dit bedrag werd betaald",
                                 today)
        if back is not None:
            made.append(back)
    return made


def explanation(member_name: str, year: int, ended_on: dt.date, paid_cents: int,
                back_cents: int, reason: str) -> str:
    """In plain words: how much is paid back, and why."""
    days_after = (dt.date(year, 12, 31) - ended_on).days
    return (f"Het Wlz-budget van {member_name} stopt op {format_day(ended_on)} "
            f"({reason.strip()}). U kreeg het vrij besteedbaar bedrag van {year} "
            f"({format_euro(paid_cents)}) voor het hele jaar. Voor de {days_after} dagen na "
            f"{format_day(ended_on)} betaalt u {format_euro(back_cents)} terug. Wij verrekenen "
            "dit met de volgende betaling aan u. Is er geen betaling meer aan u, dan betaalt u "
            "het bedrag terug aan het betaalkantoor.")


# --------------------------------------------------------------------------- paid back by transfer


@dataclass(frozen=True)
class OpenClaimBack:
    """A claim-back of the holder's own (no agreement) as the payment office sees it."""

    claim_id: int
    reference: str
    household_id: int
    household_name: str
    amount_cents: int
    status: ClaimStatus
    made_in: dt.date  # the first day of the month it was made in
    explanation: str

    @property
    def is_open(self) -> bool:
        return self.status is ClaimStatus.GOEDGEKEURD


OPEN_PAGE_SIZE = 50


def _holder_claim_backs():
    return (select(Claim, Household.name).join(Household, Household.id == Claim.household_id)
            .where(Claim.kind == ClaimKind.TERUGVORDERING, Claim.agreement_id.is_(None)))


def _row(claim: Claim, household_name: str) -> OpenClaimBack:
    assert claim.household_id is not None  # a holder's claim-back names its household
    return OpenClaimBack(claim.id, claim.reference, claim.household_id, household_name,
                         claim.total_cents, ClaimStatus(claim.status), claim.month,
                         claim.correction_reason or "")


def open_claim_backs(page: int = 1) -> tuple[Page, list[OpenClaimBack]]:
    """One page of the holders' claim-backs not settled yet (netted in a run or paid back),
    oldest first. Two queries (a count and the page)."""
    still_open = _holder_claim_backs().where(Claim.status == ClaimStatus.GOEDGEKEURD)
    total = db.session.scalar(select(func.count()).select_from(still_open.subquery()))
    shown, offset = paginate(int(total or 0), page, OPEN_PAGE_SIZE)
    rows = db.session.execute(still_open.order_by(Claim.id).limit(OPEN_PAGE_SIZE)
                              .offset(offset)).all()
    return shown, [_row(claim, name) for claim, name in rows]


def holder_claim_back(claim_id: int) -> OpenClaimBack | None:
    """One claim-back of a holder (open or settled); None when there is no such claim-back."""
    row = db.session.execute(_holder_claim_backs().where(Claim.id == claim_id)).first()
    return _row(*row) if row else None


def record_repaid(actor: User, claim_id: int, received_on: dt.date, amount_cents: int,
                  today: dt.date) -> Claim:
    """The budget holder paid the open claim-back `claim_id` back by bank transfer, received
    by the payment office on `received_on`: the whole open amount (check_repayment). Through
    the one compare-and-set home (a repeat raises AlreadyDone): the claim-back is settled
    (uitbetaald, paid_on the day received), its cents go back to the budget, a Repayment row
    records the transfer (the ledger check counts it), an audit line, and the holder is told."""
    claim = db.session.get_one(Claim, claim_id)
    household_id = claim.household_id
    assert household_id is not None  # only a holder's claim-back comes here
    refusals = check_repayment(
        is_holder_claim_back=(claim.kind == ClaimKind.TERUGVORDERING
                              and claim.agreement_id is None),
        received_on=received_on, made_in=claim.month, today=today, amount_cents=amount_cents,
        open_cents=claim.total_cents)

    def effect() -> None:
        shares: dict[int, int] = defaultdict(int)
        for line in claim.lines:
            shares[line.grant_id] += line.amount_cents
        budgets_service.refund(shares)
        db.session.add(Repayment(claim_id=claim.id, received_on=received_on,
                                 amount_cents=amount_cents, recorded_by_id=actor.id))

    def notices(c: Claim) -> list[_Notice]:
        return [_Notice(household_recipients(household_id), "claim_corrected",
                        f"Terugbetaling ontvangen: {format_euro(c.total_cents)}",
                        f"Wij hebben op {format_day(received_on)} {format_euro(c.total_cents)} "
                        f"van u ontvangen voor terugvordering {c.reference}. U hoeft niets "
                        "meer terug te betalen voor deze terugvordering.")]

    return _transition(claim, Action.REPAID, Side.OFFICE, actor=actor, on_behalf_of=None,
                       household_id=household_id, audit="repaid", also=refusals,
                       effect=effect, notices=notices, paid_on=received_on,
                       summary=f"Terugvordering {claim.reference} terugbetaald: "
                               f"{format_euro(amount_cents)} ontvangen op "
                               f"{format_day(received_on)}")
