"""Payment runs: pay every approved claim, one transfer per provider and account per run.

Each claim is paid to the IBAN of the agreement version it falls under (the IBAN belongs to
the agreement, not to the provider, who may work for several households). A claim whose
agreement has no valid IBAN is left for a later run with the reason shown to the office
(held_back_claims); everyone else is paid.

The whole run is one transaction (the CLI or request edge commits). The approved claims are
locked first (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the write
transaction holds the database's write lock, see portal/database.py), so two runs at the same
time never pick the same claim; and payment_items.claim_id is UNIQUE, so even a bug could not
pay a claim twice. If anything fails halfway, the transaction rolls back: nothing is paid and
nothing is lost, and the next run pays everything exactly once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import budget_holder_of, require_office
from portal.access.service import record
from portal.agreements.models import Agreement, AgreementVersion, Provider
from portal.agreements.rules import EVER_APPROVED, VersionPeriod, version_for_day, versions_in_month
from portal.budgets import service as budgets_service
from portal.claims import service as claims_service
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.database import one_at_a_time
from portal.dates import format_day, format_month
from portal.extensions import db
from portal.messages.service import notify
from portal.money import format_euro
from portal.payments import rules
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.refusals import Refusal, Refused

MESSAGE_KIND = "betaald"


@dataclass(frozen=True)
class PreviewLine:
    """What a run would pay one provider on one account now."""

    provider: Provider
    claim_count: int
    amount_cents: int
    iban: str = ""

    def __iter__(self):  # unpacks as (provider, number of sheets, amount)
        return iter((self.provider, self.claim_count, self.amount_cents))


@dataclass(frozen=True)
class HeldBack:
    """An approved sheet that a run leaves for a later one, and why (for the office)."""

    claim_id: int
    claim_reference: str
    month: dt.date
    amount_cents: int
    provider_name: str
    agreement_reference: str
    reason: str


def _unpaid_approved():
    """Approved claims that no payment item pays yet."""
    return (select(Claim)
            .where(Claim.status == ClaimStatus.GOEDGEKEURD,
                   ~exists().where(PaymentItem.claim_id == Claim.id))
            .order_by(Claim.id))


def _lock_payable_claims() -> list[Claim]:
    """Load and lock the claims this run will pay; claims another run holds are skipped."""
    query = _unpaid_approved().with_for_update(of=Claim, skip_locked=True)
    return list(db.session.scalars(query.execution_options(populate_existing=True)).all())


def _agreements_and_providers(claims: Sequence[Claim]) -> tuple[dict[int, Agreement],
                                                                 dict[int, Provider]]:
    agreement_ids = {c.agreement_id for c in claims}
    agreements = {a.id: a for a in db.session.scalars(
        select(Agreement).where(Agreement.id.in_(agreement_ids)))}
    provider_ids = {a.provider_id for a in agreements.values()}
    providers = {p.id: p for p in db.session.scalars(
        select(Provider).where(Provider.id.in_(provider_ids)))}
    return agreements, providers


def _accounts(claims: Sequence[Claim]) -> dict[int, str]:
    """Per claim: the IBAN of the agreement version it falls under - the approved version that
    governs its first day of care (changes start on the first of a month, so one version
    governs a sheet's month), or else the first that governs a day of its month
    (agreements.rules.versions_in_month); compact and upper case, "" when there is none. Two
    queries."""
    if not claims:
        return {}
    versions: dict[int, list[AgreementVersion]] = {}
    for version in db.session.scalars(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id.in_({c.agreement_id for c in claims}),
            AgreementVersion.status.in_([s.value for s in EVER_APPROVED]))
        .order_by(AgreementVersion.agreement_id, AgreementVersion.number)
    ):
        versions.setdefault(version.agreement_id, []).append(version)
    first_days = dict(db.session.execute(
        select(ClaimLine.claim_id, func.min(ClaimLine.day))
        .where(ClaimLine.claim_id.in_([c.id for c in claims])).group_by(ClaimLine.claim_id)).all())
    by_number = {agreement_id: {v.number: v for v in mine}
                 for agreement_id, mine in versions.items()}
    periods = {agreement_id: [VersionPeriod(v.number, v.status, v.starts_on, v.ends_on,
                                            v.ended_on) for v in mine]
               for agreement_id, mine in versions.items()}
    result = {}
    for claim in claims:
        first_day = first_days.get(claim.id)
        mine = periods.get(claim.agreement_id, [])
        found = version_for_day(mine, first_day) if first_day is not None else None
        if found is None:
            found = next(iter(versions_in_month(mine, claim.month)), None)
        iban = by_number[claim.agreement_id][found.number].iban if found is not None else None
        result[claim.id] = "".join((iban or "").split()).upper()
    return result


@dataclass(frozen=True)
class _Plan:
    """The claims split into what a run pays (with their accounts) and what waits."""

    payable: list[rules.PayableClaim]
    held_back: list[HeldBack]
    agreements: dict[int, Agreement]
    providers: dict[int, Provider]


def _plan(claims: Sequence[Claim], amounts: dict[int, int] | None = None) -> _Plan:
    """amounts: what is paid per claim (default: its total)."""
    agreements, providers = _agreements_and_providers(claims)
    accounts = _accounts(claims)
    payable, held = [], []
    for claim in claims:
        agreement = agreements[claim.agreement_id]
        provider = providers[agreement.provider_id]
        amount = claim.total_cents if amounts is None else amounts[claim.id]
        refusals = rules.check_payment_account(provider.name, agreement.reference,
                                               accounts[claim.id], amount)
        if refusals:
            held.append(HeldBack(claim.id, claim.reference, claim.month, amount, provider.name,
                                 agreement.reference, refusals[0].message))
            continue
        payable.append(rules.PayableClaim(
            claim_id=claim.id, provider_id=agreement.provider_id, iban=accounts[claim.id],
            household_id=agreement.household_id, amount_cents=amount))
    return _Plan(payable, held, agreements, providers)


# The payment office runs payments; None is the system itself (the CLI, a scheduled job).
RUNS_PAYMENTS = "een betaalrun starten"
RUN_LOCK = "payment-run"


def _preview_lines(plan: _Plan) -> list[PreviewLine]:
    return [PreviewLine(plan.providers[p.provider_id], len(p.claims), p.amount_cents, p.iban)
            for p in rules.group_into_payments(plan.payable)]


def preview_run(today: dt.date) -> list[PreviewLine]:
    """What a run would pay now, per provider and account: (provider, number of sheets,
    amount), with the IBAN. Writes nothing. Sheets held back (held_back_claims) are not in it.

    `today` is the day the run would be made; every approved claim is payable on it.
    """
    claims = list(db.session.scalars(_unpaid_approved()).all())
    return _preview_lines(_plan(claims)) if claims else []


def held_back_claims() -> list[HeldBack]:
    """Approved, unpaid sheets that a run leaves for a later one (no valid IBAN in their
    agreement), with the reason. Before a run: what it will leave; after: what it left."""
    claims = list(db.session.scalars(_unpaid_approved()).all())
    return _plan(claims).held_back if claims else []


def run_payments(actor: User | None, run_on: dt.date) -> PaymentRun | None:
    """Pay all approved, unpaid claims whose agreement has a valid IBAN. Returns the run, or
    None when there is nothing to pay. The others stay approved for a later run.

    Adds and flushes; the caller commits (one transaction for the whole run).
    """
    return _run_payments(actor, run_on)[0]


def _run_payments(actor: User | None, run_on: dt.date) -> tuple[PaymentRun | None, list[HeldBack]]:
    """run_payments, and the approved sheets it left for a later run (from its own plan)."""
    require_office(actor, RUNS_PAYMENTS, code="payment_run_not_allowed")
    claims = _lock_payable_claims()
    if not claims:
        return None, []

    # Check everything before the first write.
    shares: dict[int, dict[int, int]] = {}
    refusals: list[Refusal] = []
    for claim in claims:
        shares[claim.id] = dict(claims_service.claim_shares(claim))
        refusals += rules.check_claim_amounts(claim.id, claim.reference, claim.total_cents,
                                              shares[claim.id])
    if refusals:
        raise Refused(refusals)

    by_id = {c.id: c for c in claims}
    plan = _plan(claims, {cid: sum(s.values()) for cid, s in shares.items()})
    agreements, providers, payable, held_back = (plan.agreements, plan.providers, plan.payable,
                                                 plan.held_back)
    if held_back:
        record("payment_held_back", actor=actor, object_type="claim",
               object_id=held_back[0].claim_id,
               summary=f"{len(held_back)} urenbriefje(s) niet betaald: geen geldig IBAN in "
                       "de zorgovereenkomst",
               detail={"claims": [{"claim_id": h.claim_id, "reason": h.reason}
                                  for h in held_back]})
    planned = rules.group_into_payments(payable)
    closed_without_transfer = rules.zero_claims(payable)
    if not planned:  # only sheets of zero euro (or none payable): close those, no run
        claims_service.mark_paid([by_id[c.claim_id] for c in closed_without_transfer], run_on)
        db.session.flush()
        return None, held_back

    # The run's number is its id: insert it first under a temporary unique reference.
    run = PaymentRun(reference=f"tmp-{uuid.uuid4().hex}", run_on=run_on,
                     total_cents=rules.run_total(planned),
                     executed_by_id=actor.id if actor else None)
    db.session.add(run)
    db.session.flush()
    run.reference = rules.run_reference(run_on, run.id)

    paid_claims: list[Claim] = []
    for plan in planned:
        payment = Payment(run_id=run.id, provider_id=plan.provider_id, iban=plan.iban,
                          amount_cents=plan.amount_cents,
                          reference=rules.payment_reference(run_on, run.id, plan.number))
        db.session.add(payment)
        db.session.flush()
        for item in plan.claims:
            db.session.add(PaymentItem(payment_id=payment.id, claim_id=item.claim_id,
                                       amount_cents=item.amount_cents))
            budgets_service.settle(shares[item.claim_id])
            paid_claims.append(by_id[item.claim_id])
        db.session.flush()
    paid_claims += [by_id[c.claim_id] for c in closed_without_transfer]
    claims_service.mark_paid(paid_claims, run_on)
    db.session.flush()

    _notify_and_record(actor, run, planned, by_id, providers, agreements)
    return run, held_back


def _notify_and_record(actor: User | None, run: PaymentRun,
                       planned: list[rules.PlannedPayment], claims: dict[int, Claim],
                       providers: dict[int, Provider], agreements: dict[int, Agreement]) -> None:
    references = {p.number: rules.payment_reference(run.run_on, run.id, p.number) for p in planned}
    day = format_day(run.run_on)
    for plan in planned:
        lines = [f"- urenbriefje {claims[c.claim_id].reference} "
                 f"({format_month(claims[c.claim_id].month)}): {format_euro(c.amount_cents)}"
                 for c in plan.claims]
        provider_users = db.session.scalars(
            select(User.id).where(User.role == Role.ZORGVERLENER,
                                  User.provider_id == plan.provider_id)).all()
        notify(provider_users, MESSAGE_KIND,
               f"Betaald: {format_euro(plan.amount_cents)} op {day}",
               f"Wij hebben {format_euro(plan.amount_cents)} overgemaakt naar {plan.iban} "
               f"met kenmerk {references[plan.number]}. Dit is betaald:\n" + "\n".join(lines))

    per_household: dict[int, list[tuple[rules.PayableClaim, str]]] = {}
    for plan in planned:
        for c in plan.claims:
            per_household.setdefault(c.household_id, []).append((c, providers[plan.provider_id].name))
    for household_id, items in sorted(per_household.items()):
        total = sum(c.amount_cents for c, _ in items)
        holder = budget_holder_of(household_id)
        lines = [f"- {name}, urenbriefje {claims[c.claim_id].reference} "
                 f"({format_month(claims[c.claim_id].month)}): {format_euro(c.amount_cents)}"
                 for c, name in items]
        if holder is not None:
            notify([holder.id], MESSAGE_KIND, f"Urenbriefjes betaald op {day}",
                   f"Het betaalkantoor heeft {format_euro(total)} uit uw budget betaald aan uw "
                   "zorgverleners:\n" + "\n".join(lines))
        record("claims_paid", actor=actor, household_id=household_id, object_type="payment_run",
               object_id=run.id, summary=f"{len(items)} urenbriefje(s) betaald, "
               f"{format_euro(total)}, betaalrun {run.reference}",
               detail={"claim_ids": [c.claim_id for c, _ in items], "total_cents": total})
    record("payment_run", actor=actor, object_type="payment_run", object_id=run.id,
           summary=f"Betaalrun {run.reference}: {len(planned)} betaling(en), "
           f"{format_euro(run.total_cents)}",
           detail={"payments": len(planned), "total_cents": run.total_cents,
                   "claims": sum(len(p.claims) for p in planned)})


# --------------------------------------------------------------------------- the office's run


# What the next run handles: every approved sheet no payment pays yet, and every submitted
# sheet (the run checks those first and pays what passes).
def _next_run_condition():
    unpaid = ~exists().where(PaymentItem.claim_id == Claim.id)
    return or_((Claim.status == ClaimStatus.GOEDGEKEURD) & unpaid,
               Claim.status == ClaimStatus.INGEDIEND)


Candidate = tuple[int, str, int]  # (claim id, status, amount in cents): what a fingerprint covers


def run_candidates() -> list[Candidate]:
    """What the next run handles as it is now (rules.run_fingerprint's input). One query."""
    return [(cid, str(status), cents) for cid, status, cents in db.session.execute(
        select(Claim.id, Claim.status, Claim.total_cents).where(_next_run_condition())
        .order_by(Claim.id))]


@dataclass(frozen=True)
class RunPreview:
    """The next run as the payment office sees it before executing it."""

    lines: list[PreviewLine]
    total_cents: int
    # Submitted sheets that the run checks first; those that pass are paid in the same run.
    to_check_count: int
    # Approved sheets the run will leave for a later one, with the reason.
    held_back: list[HeldBack] = field(default_factory=list)
    # The sheets this preview was made of, and their fingerprint: the run the office executes
    # from this preview must still have the same (office.service.execute_previewed_run).
    candidates: list[Candidate] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.to_check_count


def preview_next_run(today: dt.date) -> RunPreview:
    """What the next run would pay (preview_run), what it leaves for later (held_back_claims)
    and the submitted sheets it checks first, from one read of the sheets it handles and one
    plan of them; with the fingerprint of exactly those sheets. Writes nothing."""
    claims = list(db.session.scalars(select(Claim).where(_next_run_condition())
                                     .order_by(Claim.id)))
    approved = [c for c in claims if c.status == ClaimStatus.GOEDGEKEURD]
    plan = _plan(approved) if approved else None
    lines = _preview_lines(plan) if plan else []
    candidates = [(c.id, str(c.status), c.total_cents) for c in claims]
    return RunPreview(lines=lines, total_cents=sum(line.amount_cents for line in lines),
                      to_check_count=len(claims) - len(approved),
                      held_back=plan.held_back if plan else [], candidates=candidates,
                      fingerprint=rules.run_fingerprint(candidates))


@dataclass(frozen=True)
class RunOutcome:
    """What execute_run did: the sheets it approved, the run (None: nothing to pay), and the
    approved sheets it left for a later run (no valid IBAN in their agreement)."""

    approved: list[Claim]
    run: PaymentRun | None
    held_back: list[HeldBack] = field(default_factory=list)


def execute_run(actor: User | None, run_on: dt.date) -> RunOutcome:
    """The payment run as the office starts it (screen and `portal run-payments` alike):
    check every submitted sheet (approve what passes, suspend what does not), then pay every
    approved sheet. One unit of work: the caller commits, or rolls back on Refused.

    Running it twice pays nothing twice: the second time finds nothing to pay (run None).
    """
    require_office(actor, RUNS_PAYMENTS, code="payment_run_not_allowed")
    one_at_a_time(RUN_LOCK)  # two runs at the same moment: the second waits for the first
    approved = claims_service.approve_all_submitted(run_on)
    run, held_back = _run_payments(actor, run_on)
    return RunOutcome(approved=approved, run=run, held_back=held_back)


@dataclass(frozen=True)
class RunSummary:
    id: int
    reference: str
    run_on: dt.date
    payment_count: int
    total_cents: int


def list_runs(limit: int = 100, *, by_id: bool = False,
              before_id: int | None = None) -> list[RunSummary]:
    """Earlier runs, newest first, with their number of payments (one query). `by_id` pages
    them in the order they were made, newest first, from before run `before_id` (the API's
    cursor)."""
    counts = (select(Payment.run_id, func.count(Payment.id).label("n"))
              .group_by(Payment.run_id).subquery())
    query = (select(PaymentRun, func.coalesce(counts.c.n, 0))
             .outerjoin(counts, counts.c.run_id == PaymentRun.id))
    if not by_id:
        query = query.order_by(PaymentRun.run_on.desc(), PaymentRun.id.desc())
    else:
        if before_id is not None:
            query = query.where(PaymentRun.id < before_id)
        query = query.order_by(PaymentRun.id.desc())
    rows = db.session.execute(query.limit(limit)).all()
    return [RunSummary(id=run.id, reference=run.reference, run_on=run.run_on,
                       payment_count=int(n), total_cents=run.total_cents) for run, n in rows]


@dataclass(frozen=True)
class PaidSheet:
    reference: str
    month: dt.date
    amount_cents: int


@dataclass(frozen=True)
class RunPaymentLine:
    """One transfer of a run, with the provider's name and the sheets it paid."""

    payment_id: int
    reference: str
    provider_name: str
    iban: str
    amount_cents: int
    sheets: list[PaidSheet]


@dataclass(frozen=True)
class RunDetails:
    run: PaymentRun
    payments: list[RunPaymentLine]
    executed_by: str | None

    @property
    def sheet_count(self) -> int:
        return sum(len(p.sheets) for p in self.payments)


def run_details(run_id: int) -> RunDetails | None:
    """A run with its payments, providers and paid sheets, in a fixed number of queries."""
    run = db.session.scalar(
        select(PaymentRun).where(PaymentRun.id == run_id)
        .options(selectinload(PaymentRun.payments).selectinload(Payment.items)))
    if run is None:
        return None
    providers = {p.id: p for p in db.session.scalars(
        select(Provider).where(Provider.id.in_({p.provider_id for p in run.payments})))}
    claim_ids = {i.claim_id for p in run.payments for i in p.items}
    claims = {c.id: c for c in db.session.scalars(select(Claim).where(Claim.id.in_(claim_ids)))}
    executed_by = db.session.get(User, run.executed_by_id) if run.executed_by_id else None
    lines = [RunPaymentLine(
        payment_id=p.id,
        reference=p.reference, provider_name=providers[p.provider_id].name, iban=p.iban,
        amount_cents=p.amount_cents,
        sheets=[PaidSheet(claims[i.claim_id].reference, claims[i.claim_id].month, i.amount_cents)
                for i in sorted(p.items, key=lambda i: i.claim_id)])
        for p in run.payments]
    return RunDetails(run=run, payments=lines,
                      executed_by=executed_by.name if executed_by else None)
