"""Payment runs: pay every approved claim, one transfer per provider and account per run.

Long because: a payment run is one story (lock, plan, write in batches, settle, tell).

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

import contextlib
import contextvars
import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, func, insert, or_, select

from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import (
    active_login,
    household_recipients,
    providers_recipients,
    require_office,
)
from portal.access.service import record, record_many
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.periods import (
    EVER_APPROVED,
    VersionPeriod,
    version_for_day,
    versions_in_month,
)
from portal.budgets import service as budgets_service
from portal.budgets.models import Household
from portal.claims import approval, free_claim_back
from portal.claims import service as claims_service
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.database import BATCH_SIZE, bulk_insert, chunks, id_in, one_at_a_time
from portal.dates import format_day, format_month
from portal.extensions import db
from portal.messages.service import PAYMENT_OFFICE, item_link, notify_many
from portal.money import format_euro
from portal.pagination import Page, paginate
from portal.payments import rules
from portal.payments.constants import RunStatus
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.providers.models import Provider
from portal.refusals import Refusal, Refused

MESSAGE_KIND = "betaald"


@dataclass(frozen=True)
class ProviderRef:
    id: int
    name: str


@dataclass(frozen=True)
class PreviewLine:
    """What a run would pay one provider on one account now."""

    provider: ProviderRef  # id and name
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


def _unpaid_approved(confirmed_at: dt.datetime | None = None):
    """Approved claims that no payment item pays yet; with `confirmed_at`, only those approved
    by then (the office's confirmed run: a sheet approved later waits for the next run)."""
    query = (select(*_SHEET_COLUMNS)
             .where(Claim.status == ClaimStatus.GOEDGEKEURD,
                    ~exists().where(PaymentItem.claim_id == Claim.id))
             .order_by(Claim.id))
    if confirmed_at is not None:
        query = query.where(or_(Claim.decided_at.is_(None), Claim.decided_at <= confirmed_at))
    return query


@dataclass(frozen=True)
class Sheet:
    """A claim as a run reads it: a plain row, no ORM object (a run reads hundreds of
    thousands). Has what claims_service.mark_paid needs."""

    id: int
    reference: str
    month: dt.date
    agreement_id: int
    total_cents: int
    status: ClaimStatus
    kind: ClaimKind = ClaimKind.UREN

    @property
    def signed_cents(self) -> int:
        """What the run pays for it: below zero for a claim-back (netted, never a transfer)."""
        return self.kind.sign * self.total_cents

    @property
    def label(self) -> str:
        """E.g. 'urenbriefje UB-202603-000012' or 'terugvordering TV-202603-000012-1'."""
        return f"{self.kind.label.lower()} {self.reference}"


_SHEET_COLUMNS = (Claim.id, Claim.reference, Claim.month, Claim.agreement_id, Claim.total_cents,
                  Claim.status, Claim.kind)


def _sheets(query) -> list[Sheet]:
    return [Sheet(cid, reference, month, agreement_id, cents, ClaimStatus(status),
                  ClaimKind(kind))
            for cid, reference, month, agreement_id, cents, status, kind
            in db.session.execute(query)]


def _lock_payable_claims(confirmed_at: dt.datetime | None = None) -> list[Sheet]:
    """Load and lock the claims this run will pay; claims another run holds are skipped."""
    return _sheets(_unpaid_approved(confirmed_at)
                   .with_for_update(of=Claim.__table__, skip_locked=True))


def _accounts(sheets: Sequence[Sheet], versions: dict[int, list], first_days: dict[int, dt.date]
              ) -> dict[int, str]:
    """Per claim: the IBAN of the agreement version it falls under - the approved version that
    governs its first day of care (changes start on the first of a month, so one version
    governs a sheet's month), or else the first that governs a day of its month
    (agreements.rules.versions_in_month); compact and upper case, "" when there is none."""
    by_number = {agreement_id: {v.number: v.iban for v in mine}
                 for agreement_id, mine in versions.items()}
    periods = {agreement_id: [VersionPeriod(v.number, v.status, v.starts_on, v.ends_on,
                                            v.ended_on) for v in mine]
               for agreement_id, mine in versions.items()}
    result = {}
    for sheet in sheets:
        first_day = first_days.get(sheet.id)
        mine = periods.get(sheet.agreement_id, [])
        found = version_for_day(mine, first_day) if first_day is not None else None
        if found is None:
            found = next(iter(versions_in_month(mine, sheet.month)), None)
        iban = by_number[sheet.agreement_id][found.number] if found is not None else None
        result[sheet.id] = "".join((iban or "").split()).upper()
    return result


@dataclass(frozen=True)
class _Plan:
    """The claims split into what a run pays (with their accounts) and what waits."""

    payable: list[rules.PayableClaim]
    held_back: list[HeldBack]
    providers: dict[int, ProviderRef]


def _plan(sheets: Sequence[Sheet], amounts: dict[int, int] | None = None) -> _Plan:
    """amounts: what is paid per claim (default: its total). Per batch of sheets three
    queries (agreements with providers, approved versions, first days of care), each with a
    bounded list of ids (database.id_in)."""
    payable: list[rules.PayableClaim] = []
    held: list[HeldBack] = []
    providers: dict[int, ProviderRef] = {}
    to_holders = [s for s in sheets if s.agreement_id is None]
    if to_holders:
        _plan_holders(to_holders, amounts, payable, held, providers)
    for batch in chunks([s for s in sheets if s.agreement_id is not None]):
        agreement_ids = {s.agreement_id for s in batch}
        agreements = {row.id: row for row in db.session.execute(
            select(Agreement.id, Agreement.reference, Agreement.household_id,
                   Agreement.provider_id, Provider.name.label("provider_name"))
            .join(Provider, Provider.id == Agreement.provider_id)
            .where(id_in(Agreement.id, agreement_ids)))}
        versions: dict[int, list] = {}
        for version in db.session.execute(
            select(AgreementVersion.agreement_id, AgreementVersion.number,
                   AgreementVersion.status, AgreementVersion.starts_on,
                   AgreementVersion.ends_on, AgreementVersion.ended_on, AgreementVersion.iban)
            .where(id_in(AgreementVersion.agreement_id, agreement_ids),
                   AgreementVersion.status.in_([s.value for s in EVER_APPROVED]))
            .order_by(AgreementVersion.agreement_id, AgreementVersion.number)
        ):
            versions.setdefault(version.agreement_id, []).append(version)
        first_days = dict(db.session.execute(
            select(ClaimLine.claim_id, func.min(ClaimLine.day))
            .where(id_in(ClaimLine.claim_id, [s.id for s in batch]))
            .group_by(ClaimLine.claim_id)).all())
        accounts = _accounts(batch, versions, first_days)
        for sheet in batch:
            agreement = agreements[sheet.agreement_id]
            providers.setdefault(agreement.provider_id,
                                 ProviderRef(agreement.provider_id, agreement.provider_name))
            amount = sheet.kind.sign * (sheet.total_cents if amounts is None
                                        else amounts[sheet.id])
            refusals = rules.check_payment_account(agreement.provider_name, agreement.reference,
                                                   accounts[sheet.id], amount)
            if refusals:
                held.append(HeldBack(sheet.id, sheet.reference, sheet.month, amount,
                                     agreement.provider_name, agreement.reference,
                                     refusals[0].message))
                continue
            payable.append(rules.PayableClaim(
                claim_id=sheet.id, provider_id=agreement.provider_id, iban=accounts[sheet.id],
                household_id=agreement.household_id, amount_cents=amount))
    return _Plan(payable, held, providers)


def _plan_holders(sheets: Sequence[Sheet], amounts: dict[int, int] | None, payable: list,
                  held: list, providers: dict[int, ProviderRef]) -> None:
    """The claims paid to a budget holder's own account (a Wlz vrij besteedbaar bedrag, or
    its claim-back netted against it): to households.holder_iban, or held back without a
    valid one. providers gets the holder
    under the household's id made negative (a payee that is no provider)."""
    for batch in chunks(sheets):
        rows = db.session.execute(
            select(Claim.id, Household.id, Household.holder_iban)
            .join(Household, Household.id == Claim.household_id)
            .where(id_in(Claim.id, [s.id for s in batch]))).all()
        labels = budgets_service.holder_labels({household_id for _c, household_id, _i in rows})
        for claim_id, household_id, iban in rows:
            sheet = next(s for s in batch if s.id == claim_id)
            name = labels[household_id]
            providers.setdefault(-household_id, ProviderRef(-household_id, name))
            # a claim-back recorded for the holder (free_claim_back, or the office's
            # correction of a free amount) is below zero: only ever netted
            amount = sheet.kind.sign * (sheet.total_cents if amounts is None
                                        else amounts[sheet.id])
            account = "".join((iban or "").split()).upper()
            refusals = rules.check_holder_account(name, account, amount)
            if refusals:
                held.append(HeldBack(sheet.id, sheet.reference, sheet.month, amount, name,
                                     "-", refusals[0].message))
                continue
            payable.append(rules.PayableClaim(
                claim_id=sheet.id, provider_id=None, iban=account, household_id=household_id,
                amount_cents=amount, to_holder=True))


def _shares(sheets: Sequence[Sheet]) -> dict[int, dict[int, int]]:
    """Per claim: what it reserved per grant (claims_service.claim_shares, summed in SQL),
    one query per batch of sheets."""
    shares: dict[int, dict[int, int]] = {s.id: {} for s in sheets}
    for batch in chunks(sheets):
        for claim_id, grant_id, cents in db.session.execute(
            select(ClaimLine.claim_id, ClaimLine.grant_id, func.sum(ClaimLine.amount_cents))
            .where(id_in(ClaimLine.claim_id, [s.id for s in batch]))
            .group_by(ClaimLine.claim_id, ClaimLine.grant_id)
        ):
            shares[claim_id][grant_id] = int(cents)
    return shares


# The payment office runs payments; None is the system itself (the CLI, a scheduled job).
RUNS_PAYMENTS = "een betaalronde starten"
RUN_LOCK = "payment-run"


def _preview_lines(plan: _Plan) -> list[PreviewLine]:
    return [PreviewLine(plan.providers[p.payee_key], len(p.claims), p.amount_cents, p.iban)
            for p in rules.group_into_payments(plan.payable)]


def preview_run(today: dt.date) -> list[PreviewLine]:
    """What a run would pay now, per provider and account: (provider, number of sheets,
    amount), with the IBAN. Writes nothing. Sheets held back (held_back_claims) are not in it.

    `today` is the day the run would be made; every approved claim is payable on it.
    """
    sheets = _sheets(_unpaid_approved())
    return _preview_lines(_plan(sheets)) if sheets else []


def held_back_claims() -> list[HeldBack]:
    """Approved, unpaid sheets that a run leaves for a later one (no valid IBAN in their
    agreement), with the reason. Before a run: what it will leave; after: what it left."""
    sheets = _sheets(_unpaid_approved())
    return _plan(sheets).held_back if sheets else []


def run_payments(actor: User | None, run_on: dt.date) -> PaymentRun | None:
    """Pay all approved, unpaid claims whose agreement has a valid IBAN. Returns the run, or
    None when there is nothing to pay. The others stay approved for a later run.

    Adds and flushes; the caller commits (one transaction for the whole run).
    """
    return _run_payments(actor, run_on)[0]


# Payments written per batch: whole payments, until a batch holds this many sheets.
BATCH = BATCH_SIZE

# Who wants to know how far a run is: called with (sheets paid so far, sheets to pay) after
# every batch. The CLI's progress bar sets it for the length of its run (run_progress).
_progress: contextvars.ContextVar[Callable[[int, int], None] | None] = contextvars.ContextVar(
    "payment_run_progress", default=None)


@contextlib.contextmanager
def run_progress(report: Callable[[int, int], None]):
    """Within the block, a run reports its progress to `report(done, total)`."""
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


def _payment_batches(planned: Sequence[rules.PlannedPayment]):
    """The planned payments in batches of whole payments of about BATCH sheets."""
    batch, size = [], 0
    for payment in planned:
        batch.append(payment)
        size += len(payment.claims)
        if size >= BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# Whether a run commits each batch on its own (the command line): set by batch_commits().
_commit_batches: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "payment_run_commit_batches", default=False)


@contextlib.contextmanager
def batch_commits():
    """Within the block, a run commits after every batch of payments, so an interrupted run
    keeps what it paid and the next run pays the rest (see _run_payments). Only where the run
    is a job of its own (the command line), never inside a request."""
    token = _commit_batches.set(True)
    try:
        yield
    finally:
        _commit_batches.reset(token)


def _end_of_batch() -> None:
    """Commit the batch (batch_commits) and take the run's lock again for the next one."""
    if _commit_batches.get():
        db.session.commit()
        one_at_a_time(RUN_LOCK)


def _unfinished_run() -> PaymentRun | None:
    """The run an interruption left unfinished (status BEZIG), locked; None when there is none."""
    return db.session.scalar(select(PaymentRun).where(PaymentRun.status == RunStatus.BEZIG)
                             .order_by(PaymentRun.id).limit(1).with_for_update())


def _check_still_payable(batch: Sequence[rules.PlannedPayment]) -> None:
    """Between two batches another transaction could have paid a sheet (a run of its own that
    took over): then this run stops before writing, and pays nothing twice. In one
    transaction (no batch_commits) the run holds its sheets' locks throughout: no check."""
    if not _commit_batches.get():
        return
    ids = [c.claim_id for p in batch for c in p.claims]
    still = 0
    for part in chunks(ids):
        still += len(db.session.scalars(
            select(Claim.id).where(id_in(Claim.id, part),
                                   Claim.status == ClaimStatus.GOEDGEKEURD,
                                   ~exists().where(PaymentItem.claim_id == Claim.id))
            .with_for_update(of=Claim.__table__)).all())
    if still != len(ids):
        raise Refused(Refusal("run_taken_over",
                              "Een andere betaalronde betaalt deze urenbriefjes al. "
                              "Start de betaalronde later opnieuw."))


def _run_payments(actor: User | None, run_on: dt.date, confirmed_at: dt.datetime | None = None
                  ) -> tuple[PaymentRun | None, list[HeldBack]]:
    """run_payments, and the approved sheets it left for a later run (from its own plan).

    Set-based: the sheets are read as rows (no ORM objects), planned with a few queries per
    batch, and written per batch of payments with bulk inserts (payments, items, events,
    audit lines, messages) and one UPDATE per table (grants, claims). No statement's number
    of parameters grows with the data.

    Under batch_commits() each batch is its own transaction: a batch pays its payments
    completely (items, claims paid with their events, grants settled, the providers told).
    The run stays BEZIG until the households are told and its audit line is written, in the
    last transaction; a run interrupted before that is finished by the next one, which pays
    the sheets still unpaid under the same run (numbering its payments on) and then tells each
    household once, from the run's own items. Nothing is paid twice: payment_items.claim_id is
    unique and each batch re-checks its sheets (_check_still_payable).

    confirmed_at: the office's confirmed run (execute_confirmed_run) pays only the sheets
    approved by then, and puts no wages ready itself (the office's check step did that)."""
    require_office(actor, RUNS_PAYMENTS, code="payment_run_not_allowed")
    if confirmed_at is None:
        claims_service.make_wage_claims(run_on)  # the fixed monthly wages due: paid like sheets
    run = _unfinished_run()
    sheets = _lock_payable_claims(confirmed_at)
    if not sheets and run is None:
        return None, []

    # Check everything before the first write.
    shares = _shares(sheets)
    refusals: list[Refusal] = []
    for sheet in sheets:
        refusals += rules.check_claim_amounts(sheet.id, sheet.reference, sheet.total_cents,
                                              shares[sheet.id])
    if refusals:
        raise Refused(refusals)

    by_id = {s.id: s for s in sheets}
    plan = _plan(sheets, {sid: sum(s.values()) for sid, s in shares.items()})
    payable, held_back = plan.payable, plan.held_back
    if held_back:
        record("payment_held_back", actor=actor, object_type="claim",
               object_id=held_back[0].claim_id,
               summary=f"{len(held_back)} urenbriefje(s) niet betaald: geen geldig IBAN in "
                       "de zorgovereenkomst",
               detail={"claims": [{"claim_id": h.claim_id, "reason": h.reason}
                                  for h in held_back]})
    planned = rules.group_into_payments(payable)
    closed_without_transfer = rules.zero_claims(payable)
    if not planned and run is None:  # only sheets of zero euro (or none payable): close those
        claims_service.mark_paid([by_id[c.claim_id] for c in closed_without_transfer], run_on)
        db.session.flush()
        return None, held_back

    if run is None:
        # The run's number is its id: insert it first under a temporary unique reference.
        run = PaymentRun(reference=f"tmp-{uuid.uuid4().hex}", run_on=run_on,
                         total_cents=rules.run_total(planned),
                         executed_by_id=actor.id if actor else None,
                         status=RunStatus.BEZIG if _commit_batches.get() else RunStatus.UITGEVOERD)
        db.session.add(run)
        db.session.flush()
        run.reference = rules.run_reference(run_on, run.id)
        db.session.flush()
        already = 0
    else:  # finish the interrupted run: its payments go on numbering after the ones it made
        already = db.session.scalar(
            select(func.count(Payment.id)).where(Payment.run_id == run.id)) or 0
        planned = [dataclasses.replace(p, number=p.number + already) for p in planned]
    _end_of_batch()

    report = _progress.get()
    to_pay, done = sum(len(p.claims) for p in planned), 0
    for batch in _payment_batches(planned):
        _check_still_payable(batch)
        _write_payments(run, batch, shares, by_id)
        _end_of_batch()
        done += sum(len(p.claims) for p in batch)
        if report is not None:
            report(done, to_pay)
    if closed_without_transfer:
        claims_service.mark_paid([by_id[c.claim_id] for c in closed_without_transfer], run_on)
    total = db.session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0))
                              .where(Payment.run_id == run.id))
    run.total_cents = int(total or 0)  # PostgreSQL sums a BIGINT as NUMERIC
    counts = run_counts([run.id])[run.id]
    # a free amount of a Wlz budget that had already ended: its claim-back now
    free_claim_back.claim_back_after_payment(
        [c.claim_id for p in planned for c in p.claims
         if c.to_holder and by_id[c.claim_id].kind is ClaimKind.VRIJ], run_on)
    _tell_households(actor, run)
    record("payment_run", actor=actor, object_type="payment_run", object_id=run.id,
           summary=f"Betaalronde {run.reference}: {counts.payments} betaling(en), "
           f"{format_euro(run.total_cents)}",
           detail={"payments": counts.payments, "total_cents": run.total_cents,
                   "claims": counts.sheets})
    run.status = RunStatus.UITGEVOERD
    db.session.flush()
    db.session.expire(run, ["payments"])
    return run, held_back


def _write_payments(run: PaymentRun, batch: Sequence[rules.PlannedPayment],
                    shares: dict[int, dict[int, int]], sheets: dict[int, Sheet]) -> None:
    """One batch of whole payments: their rows, items, settlement, the claims marked paid and
    the providers told - a fixed number of statements, whatever the batch holds."""
    references = {p.number: rules.payment_reference(run.run_on, run.id, p.number) for p in batch}
    ids = dict(db.session.execute(insert(Payment).returning(Payment.reference, Payment.id), [
        {"run_id": run.id, "provider_id": p.provider_id, "household_id": p.holder_household_id,
         "iban": p.iban,
         "amount_cents": p.amount_cents, "reference": references[p.number]} for p in batch]).all())
    bulk_insert(PaymentItem, [
        {"payment_id": ids[references[p.number]], "claim_id": c.claim_id,
         "amount_cents": c.amount_cents} for p in batch for c in p.claims])
    settled: dict[int, int] = defaultdict(int)
    refunded: dict[int, int] = defaultdict(int)  # claim-backs netted: back to the budget
    for p in batch:
        for c in p.claims:
            for grant_id, cents in shares[c.claim_id].items():
                (refunded if c.amount_cents < 0 else settled)[grant_id] += cents
    budgets_service.settle(settled)
    budgets_service.refund(refunded)
    claims_service.mark_paid([sheets[c.claim_id] for p in batch for c in p.claims], run.run_on)

    provider_ids = {p.provider_id for p in batch if p.provider_id is not None}
    recipients = providers_recipients(provider_ids)
    names = dict(db.session.execute(
        select(Provider.id, Provider.name).where(id_in(Provider.id, sorted(provider_ids)))).all()
    ) if provider_ids else {}
    day = format_day(run.run_on)
    notes = []
    for p in batch:
        lines = [f"- {sheets[c.claim_id].label} "
                 f"({format_month(sheets[c.claim_id].month)}): {format_euro(c.amount_cents)}"
                 for c in p.claims]
        users = (household_recipients(p.holder_household_id)  # the free amount, to the holder
                 if p.holder_household_id is not None
                 else recipients.get(p.provider_id, []) if p.provider_id is not None else [])
        payment_id = ids[references[p.number]]
        link = (item_link("payments.household", household_id=p.holder_household_id)
                if p.holder_household_id is not None
                else item_link("providers.payment", payment_id=payment_id))
        notes.append((users, MESSAGE_KIND,
                      f"Betaald: {format_euro(p.amount_cents)} op {day}",
                      f"Wij hebben {format_euro(p.amount_cents)} overgemaakt naar {p.iban} "
                      f"met kenmerk {references[p.number]}. Dit is betaald:\n" + "\n".join(lines),
                      rules.payment_title([sheets[c.claim_id].kind for c in p.claims],
                                          [names[p.provider_id]] if p.provider_id in names
                                          else []),
                      link))
    notify_many(notes, sender=PAYMENT_OFFICE)


def _tell_households(actor: User | None, run: PaymentRun) -> None:
    """Per household: one message to its budget holder and one audit line with what the run
    paid from its budgets, in the order of the run's payments. The run's own items are read
    once, in household order, streamed (yield_per: memory stays flat), and told a batch of
    households at a time with bulk inserts. (A query per batch of households would start
    from the new run's payments, which the planner's statistics do not know yet.)"""
    day = format_day(run.run_on)
    rows = db.session.execute(
        select(Agreement.household_id, Provider.name, PaymentItem.claim_id,
               Claim.reference, Claim.kind, Claim.month, PaymentItem.amount_cents)
        .join(Claim, Claim.agreement_id == Agreement.id)
        .join(PaymentItem, PaymentItem.claim_id == Claim.id)
        .join(Payment, Payment.id == PaymentItem.payment_id)
        .join(Provider, Provider.id == Payment.provider_id)
        .where(Payment.run_id == run.id)
        .order_by(Agreement.household_id, Payment.provider_id, Payment.iban,
                  PaymentItem.claim_id)
        .execution_options(yield_per=BATCH_SIZE))
    items: dict[int, list] = defaultdict(list)
    for household_id, provider, claim_id, reference, kind, month, cents in rows:
        if household_id not in items and len(items) >= BATCH_SIZE:
            _tell_batch(actor, run, day, items)
            items = defaultdict(list)
        items[household_id].append((provider, claim_id,
                                    f"{ClaimKind(kind).label.lower()} {reference}", month,
                                    int(cents), kind))
    if items:
        _tell_batch(actor, run, day, items)


def _tell_batch(actor: User | None, run: PaymentRun, day: str, items: dict[int, list]) -> None:
    """The messages and audit lines of a batch of households (items: per household what the
    run paid, in order): one query for their budget holders, two bulk inserts."""
    batch = list(items)
    holders: dict[int | None, int] = {}
    for user_id, holder_household in db.session.execute(
            select(User.id, User.household_id)
            .where(active_login(Role.BUDGETHOUDER, id_in(User.household_id, batch)))
            .order_by(User.id)):
        holders.setdefault(holder_household, user_id)  # the first live holder login
    notes, events = [], []
    for household_id in batch:
        mine = items[household_id]
        total = sum(item[4] for item in mine)
        lines = [f"- {provider}, {reference} "
                 f"({format_month(month)}): {format_euro(cents)}"
                 for provider, _claim_id, reference, month, cents, _kind in mine]
        if household_id in holders:
            notes.append(([holders[household_id]], MESSAGE_KIND,
                          f"Urenbriefjes betaald op {day}",
                          f"Het betaalkantoor heeft {format_euro(total)} uit uw budget "
                          "betaald aan uw zorgverleners:\n" + "\n".join(lines),
                          rules.payment_title([item[5] for item in mine],
                                              [item[0] for item in mine]),
                          item_link("payments.household", household_id=household_id)))
        events.append({"action": "claims_paid", "actor_id": actor.id if actor else None,
                       "household_id": household_id, "object_type": "payment_run",
                       "object_id": run.id,
                       "summary": f"{len(mine)} urenbriefje(s) betaald, "
                                  f"{format_euro(total)}, betaalronde {run.reference}",
                       "detail": {"claim_ids": [item[1] for item in mine],
                                  "total_cents": total}})
    notify_many(notes, sender=PAYMENT_OFFICE)
    record_many(events)


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


def wage_candidates(wages: Sequence[claims_service.DueWage]) -> list[Candidate]:
    """The wages a run will put ready, as fingerprint rows (no claim id yet: 0), so a preview
    of wages only is a preview of its own (and a changed wage changes the fingerprint)."""
    return [(0, f"loon:{w.agreement_id}:{w.month:%Y-%m}", w.amount_cents) for w in wages]


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
    # The fixed monthly wages the run puts ready first and pays with the rest
    # (claims_service.wages_due).
    wages: list[claims_service.DueWage] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.to_check_count and not self.wages

    @property
    def wages_total_cents(self) -> int:
        return sum(w.amount_cents for w in self.wages)

    @property
    def sheet_count(self) -> int:
        return sum(line.claim_count for line in self.lines)

    def page(self, requested: int) -> PreviewPage:
        """One page of the transfers (PREVIEW_PAGE_SIZE, in run order) and of the sheets held
        back, so the page's size does not grow with the run."""
        shown, offset = paginate(len(self.lines), requested, PREVIEW_PAGE_SIZE)
        return PreviewPage(page=shown, lines=self.lines[offset:offset + PREVIEW_PAGE_SIZE],
                           first_shown=offset + 1,
                           held_back=self.held_back[:PREVIEW_PAGE_SIZE],
                           held_back_total=len(self.held_back))


PREVIEW_PAGE_SIZE = 50


@dataclass(frozen=True)
class PreviewPage:
    page: Page
    lines: list[PreviewLine]
    first_shown: int
    held_back: list[HeldBack]

    held_back_total: int = 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.lines) - 1

    @property
    def held_back_not_shown(self) -> int:
        return self.held_back_total - len(self.held_back)


def preview_next_run(today: dt.date) -> RunPreview:
    """What the next run would pay (preview_run), what it leaves for later (held_back_claims),
    the monthly wages it puts ready first (claims_service.wages_due) and the submitted sheets
    it checks first, from one read of the sheets it handles and one
    plan of them; with the fingerprint of exactly those sheets. Writes nothing."""
    claims = _sheets(select(*_SHEET_COLUMNS).where(_next_run_condition()).order_by(Claim.id))
    wages = claims_service.wages_due(today)
    approved = [c for c in claims if c.status == ClaimStatus.GOEDGEKEURD]
    plan = _plan(approved) if approved else None
    lines = _preview_lines(plan) if plan else []
    candidates = [(c.id, str(c.status), c.total_cents) for c in claims]
    return RunPreview(lines=lines, total_cents=rules.run_total(lines),
                      to_check_count=len(claims) - len(approved),
                      held_back=plan.held_back if plan else [], candidates=candidates,
                      fingerprint=rules.run_fingerprint(candidates + wage_candidates(wages)),
                      wages=wages)


# --------------------------------------------------------------------------- the confirmed run


@dataclass(frozen=True)
class ConfirmedSheet:
    """One sheet of a confirmed run, in run order: what it pays, to whom, for whom."""

    claim_id: int
    reference: str
    month: dt.date
    provider_name: str
    household_id: int
    iban: str
    amount_cents: int


@dataclass(frozen=True)
class RunConfirmation:
    """The run the office confirms: exactly the sheets, transfers and total it pays. Made of
    the approved, unpaid sheets approved by `confirmed_at`; the run executed from it pays
    those and no other (execute_confirmed_run), whatever is approved or submitted after."""

    confirmed_at: dt.datetime
    lines: list[PreviewLine]
    sheets: list[ConfirmedSheet]
    total_cents: int
    held_back: list[HeldBack]
    # Submitted sheets not yet checked: not in this run (the office checks them first).
    to_check_count: int
    fingerprint: str

    @property
    def is_empty(self) -> bool:
        return not self.sheets


def confirmed_candidates(confirmed_at: dt.datetime) -> list[Candidate]:
    """What a run confirmed at `confirmed_at` pays (rules.run_fingerprint's input). One query."""
    return [(s.id, str(s.status), s.total_cents)
            for s in _sheets(_unpaid_approved(confirmed_at))]


def confirm_run(confirmed_at: dt.datetime) -> RunConfirmation:
    """The confirmation page's run: every approved, unpaid sheet approved by `confirmed_at`,
    planned as the run pays it (one transfer per provider and account; sheets without a valid
    IBAN held back), with the fingerprint of exactly those sheets. Writes nothing."""
    sheets = _sheets(_unpaid_approved(confirmed_at))
    plan = _plan(sheets) if sheets else _Plan([], [], {})
    by_id = {s.id: s for s in sheets}
    payments = rules.group_into_payments(plan.payable)
    confirmed = [ConfirmedSheet(c.claim_id, by_id[c.claim_id].reference,
                                by_id[c.claim_id].month,
                                plan.providers[c.payee_key].name, c.household_id, c.iban,
                                c.amount_cents)
                 for p in payments for c in p.claims]
    confirmed += [ConfirmedSheet(c.claim_id, by_id[c.claim_id].reference,
                                 by_id[c.claim_id].month, plan.providers[c.payee_key].name,
                                 c.household_id, c.iban, 0)
                  for c in rules.zero_claims(plan.payable)]
    to_check = db.session.scalar(select(func.count(Claim.id))
                                 .where(Claim.status == ClaimStatus.INGEDIEND)) or 0
    return RunConfirmation(
        confirmed_at=confirmed_at, lines=_preview_lines(plan), sheets=confirmed,
        total_cents=rules.run_total(payments), held_back=plan.held_back,
        to_check_count=int(to_check),
        fingerprint=rules.run_fingerprint((s.id, str(s.status), s.total_cents) for s in sheets))


def check_submitted(actor: User, run_on: dt.date) -> tuple[list[int], int]:
    """The office's check before it confirms a run: every submitted sheet is checked
    (approved, or suspended with the reasons; set-based, claims.approval) and the fixed
    monthly wages due are put ready, so the confirmation lists them. Returns the ids of the
    approved sheets and wages, and how many sheets were suspended."""
    require_office(actor, RUNS_PAYMENTS, code="payment_run_not_allowed")
    one_at_a_time(RUN_LOCK)
    before = db.session.scalar(select(func.count(Claim.id))
                               .where(Claim.status == ClaimStatus.INGEDIEND)) or 0
    approved = approval.approve_all_submitted(run_on)
    wages = [c.id for c in claims_service.make_wage_claims(run_on)]
    return approved + wages, int(before) - len(approved)


@dataclass(frozen=True)
class RunOutcome:
    """What execute_run did: the sheets it approved, the run (None: nothing to pay), and the
    approved sheets it left for a later run (no valid IBAN in their agreement)."""

    approved: list[int]  # ids of the submitted sheets the run approved
    run: PaymentRun | None
    held_back: list[HeldBack] = field(default_factory=list)


def execute_run(actor: User | None, run_on: dt.date, confirmed_at: dt.datetime | None = None
                ) -> RunOutcome:
    """The payment run as the office starts it (screen and `portal run-payments` alike):
    check every submitted sheet (approve what passes, suspend what does not), then pay every
    approved sheet. One unit of work: the caller commits, or rolls back on Refused.

    Running it twice pays nothing twice: the second time finds nothing to pay (run None).

    confirmed_at: the office's confirmed run (confirm_run): no check of submitted sheets,
    and only the sheets approved by then are paid.
    """
    require_office(actor, RUNS_PAYMENTS, code="payment_run_not_allowed")
    one_at_a_time(RUN_LOCK)  # two runs at the same moment: the second waits for the first
    approved = (approval.approve_all_submitted(run_on, end_of_batch=_end_of_batch)
                if confirmed_at is None else [])
    run, held_back = _run_payments(actor, run_on, confirmed_at)
    return RunOutcome(approved=approved, run=run, held_back=held_back)


@dataclass(frozen=True)
class RunCounts:
    """What a run's payments hold: transfers, sheets paid and their amounts so far."""

    payments: int = 0
    sheets: int = 0
    paid_cents: int = 0


def run_counts(run_ids: Sequence[int]) -> dict[int, RunCounts]:
    """Per run: its number of payments and of sheets paid, and what they hold. The one home of
    a run's counts (the runs list, the run's page, the API and the audit line read this). One
    GROUP BY query."""
    counts = {run_id: RunCounts() for run_id in run_ids}
    if not counts:
        return counts
    for run_id, payments, sheets, cents in db.session.execute(
            select(Payment.run_id, func.count(func.distinct(Payment.id)),
                   func.count(PaymentItem.id), func.coalesce(func.sum(PaymentItem.amount_cents), 0))
            .select_from(Payment).outerjoin(PaymentItem, PaymentItem.payment_id == Payment.id)
            .where(id_in(Payment.run_id, list(counts))).group_by(Payment.run_id)):
        counts[run_id] = RunCounts(int(payments), int(sheets), int(cents))
    return counts


@dataclass(frozen=True)
class RunSummary:
    id: int
    reference: str
    run_on: dt.date
    payment_count: int
    total_cents: int


def list_runs(limit: int = 100, *, by_id: bool = False,
              before_id: int | None = None) -> list[RunSummary]:
    """Earlier runs, newest first, with their number of payments (two queries: the runs and
    run_counts). `by_id` pages them in the order they were made, newest first, from before run
    `before_id` (the API's cursor)."""
    query = select(PaymentRun)
    if not by_id:
        query = query.order_by(PaymentRun.run_on.desc(), PaymentRun.id.desc())
    else:
        if before_id is not None:
            query = query.where(PaymentRun.id < before_id)
        query = query.order_by(PaymentRun.id.desc())
    runs = db.session.scalars(query.limit(limit)).all()
    counts = run_counts([run.id for run in runs])
    return [RunSummary(id=run.id, reference=run.reference, run_on=run.run_on,
                       payment_count=counts[run.id].payments, total_cents=run.total_cents)
            for run in runs]


@dataclass(frozen=True)
class PaidSheet:
    reference: str
    month: dt.date
    amount_cents: int
    claim_id: int = 0


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
    """A run with one page of its payments (RUN_PAGE_SIZE a page) and the run's counts."""

    run: PaymentRun
    payments: list[RunPaymentLine]
    executed_by: str | None
    payment_count: int = 0
    sheet_count: int = 0
    page: Page = field(default_factory=lambda: Page(1, 1, 0))
    paid_cents: int = 0  # what its payments hold so far (less than the total while it runs)

    @property
    def in_progress(self) -> bool:
        """Still paying batch by batch (batch_commits), or interrupted and not yet finished."""
        return self.run.status == RunStatus.BEZIG

    @property
    def percent_paid(self) -> int:
        if not self.run.total_cents:
            return 100
        return min(100, self.paid_cents * 100 // self.run.total_cents)

    @property
    def first_shown(self) -> int:
        return (self.page.page - 1) * RUN_PAGE_SIZE + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.payments) - 1


RUN_PAGE_SIZE = 50


def run_details(run_id: int, page: int = 1) -> RunDetails | None:
    """A run with one page of its payments, their providers and paid sheets: a fixed number of
    queries and a page of rows, however large the run."""
    run = db.session.get(PaymentRun, run_id)
    if run is None:
        return None
    counts = run_counts([run.id])[run.id]
    payment_count, sheet_count, paid_cents = counts.payments, counts.sheets, counts.paid_cents
    shown, offset = paginate(int(payment_count), page, RUN_PAGE_SIZE)
    rows = db.session.execute(
        select(Payment.id, Payment.reference,
               func.coalesce(Provider.name, "Budgethouder " + Household.name), Payment.iban,
               Payment.amount_cents)
        .outerjoin(Provider, Provider.id == Payment.provider_id)
        .outerjoin(Household, Household.id == Payment.household_id)
        .where(Payment.run_id == run.id).order_by(Payment.id)
        .limit(RUN_PAGE_SIZE).offset(offset)).all()
    sheets: dict[int, list[PaidSheet]] = defaultdict(list)
    if rows:
        for payment_id, reference, month, cents, claim_id in db.session.execute(
            select(PaymentItem.payment_id, Claim.reference, Claim.month, PaymentItem.amount_cents,
                   Claim.id)
            .join(Claim, Claim.id == PaymentItem.claim_id)
            .where(id_in(PaymentItem.payment_id, [r[0] for r in rows]))
            .order_by(PaymentItem.payment_id, PaymentItem.claim_id)
        ):
            sheets[payment_id].append(PaidSheet(reference, month, cents, claim_id))
    executed_by = db.session.get(User, run.executed_by_id) if run.executed_by_id else None
    lines = [RunPaymentLine(payment_id=pid, reference=reference, provider_name=name, iban=iban,
                            amount_cents=cents, sheets=sheets[pid])
             for pid, reference, name, iban, cents in rows]
    return RunDetails(run=run, payments=lines,
                      executed_by=executed_by.name if executed_by else None,
                      payment_count=int(payment_count), sheet_count=int(sheet_count), page=shown,
                      paid_cents=int(paid_cents))


def runs_of_claims(claim_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Per claim paid (or, a claim-back, netted) in a run: (run reference, payment
    reference). One query per batch of ids."""
    result: dict[int, tuple[str, str]] = {}
    for batch in chunks(list(claim_ids)):
        for claim_id, run_reference, payment_reference in db.session.execute(
            select(PaymentItem.claim_id, PaymentRun.reference, Payment.reference)
            .join(Payment, Payment.id == PaymentItem.payment_id)
            .join(PaymentRun, PaymentRun.id == Payment.run_id)
            .where(id_in(PaymentItem.claim_id, batch))
        ):
            result[claim_id] = (run_reference, payment_reference)
    return result
