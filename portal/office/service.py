"""Read queries for the payment office's screens (writes go through claims and payments).

- execute_confirmed_run: the payment run the office executes is exactly the one it confirmed
  (payments.service.confirm_run): those sheets, those transfers, that total; a sheet approved
  or submitted after the confirmation waits for the next run; when a confirmed sheet changed
  in between, nothing is paid;
- claims_to_handle / office_claim / decide_claim: the submitted and suspended hour sheets, one
  sheet with its lines and history, and the office's decision on it (approve, suspend or refuse
  with a reason) through the claims service;

- agreement_choices: every agreement, for choosing one by hand on the paper intake;
- sheet_columns: the columns of a paper hour sheet's grid: each kind of care of the agreement,
  per budget (grant) that can pay it in that month;
- find_agreement_for_reference: a printed reference (UB-YYYYMM-<agreement>) to the agreement
  and month, with the refusal to show when it does not lead to one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.access.models import User
from portal.access.permissions import budget_holder_of, require_office
from portal.agreements.models import Agreement
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.models import Household, Member
from portal.claims import rules as claim_rules
from portal.claims import service as claims_service
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.corrections import corrections_of
from portal.claims.models import Claim
from portal.claims.service import sheet_facts
from portal.database import id_in, one_at_a_time
from portal.dates import first_of_month, last_of_month
from portal.extensions import db
from portal.pagination import Page, paginate
from portal.payments import rules as payment_rules
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.payments.service import (
    RUN_LOCK,
    RUNS_PAYMENTS,
    RunOutcome,
    confirmed_candidates,
    execute_run,
)
from portal.providers.models import Provider
from portal.refusals import AlreadyDone, Refusal, Refused


def agreement_choices() -> list[tuple[int, str]]:
    """(id, 'ZO-... - provider - household'), one query."""
    rows = db.session.execute(
        select(Agreement.id, Agreement.reference, Provider.name, Household.name)
        .join(Provider, Provider.id == Agreement.provider_id)
        .join(Household, Household.id == Agreement.household_id)
        .order_by(Household.name, Provider.name, Agreement.id)).all()
    return [(aid, f"{ref} - {provider} - huishouden {household}")
            for aid, ref, provider, household in rows]


def find_agreement_for_reference(reference: str) -> tuple[Agreement, dt.date]:
    """The agreement and month a printed sheet's reference names; Refused when none."""
    parsed = claim_rules.parse_reference(reference)
    if parsed is None:
        raise Refused(Refusal("reference_invalid",
                              f"'{reference}' is geen kenmerk van een urenbriefje. Een kenmerk "
                              "ziet eruit als UB-202603-000123.", "reference"))
    agreement_id, month = parsed
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise Refused(Refusal("reference_unknown",
                              f"Bij kenmerk '{reference}' hoort geen zorgovereenkomst. Controleer "
                              "het kenmerk of kies de overeenkomst en de maand zelf.", "reference"))
    return agreement, month


UNIT_WORDS = {Unit.UUR: "uren", Unit.DAGDEEL: "aantal dagdelen", Unit.ETMAAL: "aantal etmalen"}


@dataclass(frozen=True)
class SheetColumn:
    """One column of the paper grid: a kind of care paid from one budget."""

    index: int
    care_kind: str
    grant_id: int
    unit: Unit
    label: str

    @property
    def hourly(self) -> bool:
        return self.unit is Unit.UUR


@dataclass(frozen=True)
class SheetHeader:
    agreement: Agreement
    provider_name: str
    household_name: str
    month: dt.date
    reference: str
    columns: list[SheetColumn]


def sheet_header(agreement: Agreement, month: dt.date) -> SheetHeader:
    """Who and what the paper sheet is about, and its grid's columns (a fixed number of queries).

    Fixed monthly wages are paid automatically and have no column.
    """
    month = first_of_month(month)
    facts, grants = sheet_facts(agreement, month)
    in_month = {gid for gid, g in grants.items()
                if g.period_start <= last_of_month(month) and g.period_end >= month}
    members = {m.id: m.name for m in db.session.scalars(
        select(Member).where(Member.id.in_({g.member_id for g in grants.values()})))}
    seen: dict[tuple[str, int], Unit] = {}
    for version in facts.versions:
        for line in version.lines:
            if line.grant_id in in_month and Unit(line.unit) is not Unit.MAANDLOON:
                seen.setdefault((line.care_kind, line.grant_id), Unit(line.unit))
    columns = []
    for i, ((care_kind, grant_id), unit) in enumerate(sorted(seen.items())):
        grant = grants[grant_id]
        care = CareKind(care_kind).label if care_kind in CareKind._value2member_map_ else care_kind
        law = Law(grant.law).label if grant.law in Law._value2member_map_ else grant.law
        unit_text = UNIT_WORDS.get(unit, unit.label)
        columns.append(SheetColumn(index=i, care_kind=care_kind, grant_id=grant_id, unit=unit,
                                   label=f"{care} ({law}, {members.get(grant.member_id, '')}; "
                                         f"{unit_text})"))
    provider = db.session.get_one(Provider, agreement.provider_id)
    household = db.session.get_one(Household, agreement.household_id)
    return SheetHeader(agreement=agreement, provider_name=provider.name,
                       household_name=household.name, month=month,
                       reference=claim_rules.claim_reference(agreement.id, month), columns=columns)


# --------------------------------------------------------------------------- the previewed run

RUN_CHANGED = Refusal(
    "run_changed", "Een urenbriefje uit de betaalronde die u bevestigde, is veranderd of al "
    "betaald. Er is niets betaald. Bekijk hieronder de betaalronde zoals die nu is en bevestig "
    "opnieuw. Is de betaalronde net al uitgevoerd? Dan staat hij bij Eerdere betaalrondes.")


def parse_confirmed_at(text: str | None) -> dt.datetime | None:
    """The confirmation's moment as the form carries it (ISO 8601), or None."""
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def execute_confirmed_run(actor: User, run_on: dt.date, fingerprint: str | None,
                          confirmed_at: dt.datetime | None) -> RunOutcome:
    """Execute the run the office confirmed: exactly the sheets approved by `confirmed_at`
    that the confirmation page listed (payments.service.confirm_run, whose fingerprint the
    form carries). A sheet approved or submitted after the confirmation is not paid in this
    run; it waits for the next. When a confirmed sheet changed or was paid in between, the
    run is refused (RUN_CHANGED) and nothing is written.

    Checked twice: before anything is written, and on what the run actually paid (a sheet
    decided at the same moment by another transaction makes the run refuse afterwards, and
    the caller rolls the whole run back). Confirming twice pays nothing twice: the second
    time the fingerprint is that of a run already executed (AlreadyDone).
    """
    require_office(actor, RUNS_PAYMENTS, code="payment_run_not_allowed")
    one_at_a_time(RUN_LOCK)  # decided one run at a time: the same confirmation twice pays once
    done = db.session.scalar(select(PaymentRun).where(
        PaymentRun.preview_fingerprint == fingerprint)) if fingerprint else None
    if done is not None:
        raise AlreadyDone(f"Betaalronde {done.reference} is uitgevoerd.", subject_id=done.id)
    if not fingerprint or confirmed_at is None:
        raise Refused(RUN_CHANGED)
    candidates = confirmed_candidates(confirmed_at)
    if fingerprint != payment_rules.run_fingerprint(candidates):
        raise Refused(RUN_CHANGED)
    outcome = execute_run(actor, run_on, confirmed_at=confirmed_at)
    if outcome.run is not None:
        outcome.run.preview_fingerprint = fingerprint
        db.session.flush()
    paid = set(db.session.scalars(
        select(PaymentItem.claim_id).join(Payment, Payment.id == PaymentItem.payment_id)
        .where(Payment.run_id == outcome.run.id))) if outcome.run else set()
    confirmed = {cid for cid, _status, cents in candidates if cents != 0}
    held_back = {h.claim_id for h in outcome.held_back}  # no valid IBAN: left for a later run
    # A claim-back (claims.corrections) is netted only when the provider is due enough now;
    # otherwise it waits for a later run: it need not be paid, but nothing unconfirmed may be.
    claim_backs = set(db.session.scalars(select(Claim.id).where(
        id_in(Claim.id, sorted(confirmed)), Claim.kind == ClaimKind.TERUGVORDERING)))
    if not paid <= confirmed or not confirmed - held_back - claim_backs <= paid:
        raise Refused(RUN_CHANGED)
    return outcome


# --------------------------------------------------------------------------- sheets to handle

# The sheets that wait for the office: submitted (the run checks them too) and suspended.
TO_HANDLE = (ClaimStatus.INGEDIEND, ClaimStatus.OPGESCHORT)


@dataclass(frozen=True)
class ClaimToHandle:
    claim_id: int
    reference: str
    month: dt.date
    status: ClaimStatus
    total_cents: int
    household_name: str
    provider_name: str
    submitted_at: dt.datetime | None
    reason: str | None


HANDLE_PAGE_SIZE = 50


def claims_to_handle(status: ClaimStatus, page: int = 1) -> tuple[Page, list[ClaimToHandle]]:
    """One page (HANDLE_PAGE_SIZE) of the sheets in `status` (submitted or suspended), oldest
    submission first, and which page it is. Two queries (a count and the page)."""
    total = db.session.scalar(select(func.count(Claim.id)).where(Claim.status == status))
    shown, offset = paginate(int(total or 0), page, HANDLE_PAGE_SIZE)
    rows = db.session.execute(
        select(Claim, Household.name, Provider.name)
        .join(Agreement, Agreement.id == Claim.agreement_id)
        .join(Household, Household.id == Agreement.household_id)
        .join(Provider, Provider.id == Agreement.provider_id)
        .where(Claim.status == status)
        .order_by(Claim.submitted_at, Claim.id).limit(HANDLE_PAGE_SIZE).offset(offset)).all()
    return shown, [ClaimToHandle(claim_id=c.id, reference=c.reference, month=c.month,
                          status=ClaimStatus(c.status), total_cents=c.total_cents,
                          household_name=household, provider_name=provider,
                          submitted_at=c.submitted_at,
                          reason=c.refusal_reason if c.status == ClaimStatus.OPGESCHORT else None)
            for c, household, provider in rows]


@dataclass(frozen=True)
class Decision:
    """One of the office's decisions on a sheet: the claims action it is (the transition table
    says when it may be taken) and the claims use case that takes it."""

    action: claim_rules.Action
    take: Callable[[User, Claim, str, dt.date], Claim]  # (actor, claim, reason, today)


# The office's decisions, by the value of the button pressed.
DECISIONS = {
    "goedkeuren": Decision(claim_rules.Action.OFFICE_APPROVE,
                           lambda actor, claim, _reason, today:
                           claims_service.office_approve(actor, claim, today)),
    "opschorten": Decision(claim_rules.Action.OFFICE_SUSPEND, claims_service.office_suspend),
    "afkeuren": Decision(claim_rules.Action.OFFICE_REFUSE, claims_service.office_refuse),
}


@dataclass(frozen=True)
class OfficeClaim:
    """One sheet as the payment office checks it."""

    claim: Claim
    agreement: Agreement | None  # None: a free amount, paid to the budget holder
    provider_name: str
    household_name: str
    holder_name: str | None
    lines: list[claims_service.LineRow]
    history: list[claims_service.HistoryItem]
    corrections: list[Claim] = field(default_factory=list)

    @property
    def household_id(self) -> int:
        household_id = (self.agreement.household_id if self.agreement is not None
                        else self.claim.household_id)
        assert household_id is not None  # a claim without agreement names its household
        return household_id

    @property
    def correctable(self) -> bool:
        """A paid sheet, wage or allowance: the office may record a correction
        (claims.corrections; a correction itself is not corrected again)."""
        return (self.status is ClaimStatus.UITBETAALD
                and not ClaimKind(self.claim.kind).is_correction)

    @property
    def status(self) -> ClaimStatus:
        return ClaimStatus(self.claim.status)

    def may(self, decision: str) -> bool:
        """May the office take this decision in the sheet's status (the claims transition table)?"""
        return not claim_rules.check_transition(self.status, DECISIONS[decision].action,
                                                claim_rules.Side.OFFICE)[1]

    @property
    def decisions(self) -> list[str]:
        return [d for d in DECISIONS if self.may(d)]


def office_claim(claim_id: int) -> OfficeClaim | None:
    """A sheet with its agreement, names, lines and history, in a fixed number of queries."""
    claim = db.session.scalar(select(Claim).where(Claim.id == claim_id)
                              .options(selectinload(Claim.lines)))
    if claim is None:
        return None
    if claim.agreement_id is None:  # a free amount: paid to the budget holder
        agreement, payee = None, "de budgethouder (eigen rekening)"
        household = db.session.get_one(Household, claim.household_id)
    else:
        agreement = db.session.get_one(Agreement, claim.agreement_id)
        payee = db.session.get_one(Provider, agreement.provider_id).name
        household = db.session.get_one(Household, agreement.household_id)
    holder = budget_holder_of(household.id)
    return OfficeClaim(claim=claim, agreement=agreement, provider_name=payee,
                       household_name=household.name,
                       holder_name=holder.name if holder else None,
                       lines=claims_service.claim_line_rows(claim) if agreement else [],
                       history=claims_service.claim_history(claim),
                       corrections=corrections_of(claim))


def decide_claim(actor: User, claim: Claim, decision: str | None, reason: str | None,
                 today: dt.date) -> Claim:
    """The office's decision on a submitted or suspended sheet, through the claims service:
    approve (the agreement must still cover every line), suspend while something is checked,
    or refuse (the reservation on the budgets is released). Suspending and refusing need a
    reason; the budget holder and the provider get it as a message, and the provider's payment
    status shows it. Refused when the decision does not fit the sheet's status."""
    chosen = DECISIONS.get(decision or "")
    if chosen is None:
        raise Refused(Refusal("decision_missing", "Kies wat u met het urenbriefje wilt doen: "
                              "goedkeuren, opschorten of afkeuren.", "decision"))
    return chosen.take(actor, claim, reason or "", today)


def claims_waiting_counts() -> dict[ClaimStatus, int]:
    """How many sheets wait for the office: submitted (to check) and suspended (to decide).
    One GROUP BY query; the office's 'Wat moet u doen?' reads it."""
    counts = {ClaimStatus.INGEDIEND: 0, ClaimStatus.OPGESCHORT: 0}
    for status, count in db.session.execute(
            select(Claim.status, func.count(Claim.id))
            .where(Claim.status.in_([s.value for s in counts])).group_by(Claim.status)):
        counts[ClaimStatus(status)] = int(count)
    return counts
