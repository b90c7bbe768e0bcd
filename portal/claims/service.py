"""Use cases on hour sheets (claims). Load, check permission, apply the rules, write, flush.

Long because: the sheet's use cases share one transition home (_transition) and its loaders.

Never commits: the request or CLI edge does. Every use case checks everything before its
first write, so a refusal (Refused) leaves nothing half-written. Every transition goes through
_transition, the one compare-and-set of a sheet's status: under the sheet's row lock it
decides, writes, records a ClaimEvent and an audit record and tells the other side
(messages.notify), once; a repeat of a transition that already happened is AlreadyDone.

Who does what (rules.TRANSITIONS):
- provider: prepare_claim / update_claim hand the sheet over (-> wacht_op_akkoord);
- budget holder (or 'handelen' authorisation, on behalf): prepare_claim / update_claim keep a
  concept; approve_claim is the akkoord = the submission = the payment order (-> ingediend,
  the budget is reserved under the grant's row lock); submit_own_claim fills in and submits
  in one go; refuse_by_holder sends a provider's sheet back (-> concept, reason kept);
- payment office: office_approve (all at once: claims.approval), office_suspend, office_refuse
  (releases the reservation); reopen makes a refused sheet a concept again;
- payments: mark_paid after it settled the grants.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.access.models import User
from portal.access.permissions import (
    budget_holder_of,
    household_recipients,
    provider_recipients,
    require_office,
)
from portal.access.service import record, record_many
from portal.agreements.constants import ProviderKind, VersionStatus
from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.agreements.periods import EVER_APPROVED, VersionPeriod, coverage, version_for_day
from portal.agreements.titles import agreement_title
from portal.budgets import service as budgets_service
from portal.budgets.constants import Unit
from portal.budgets.models import Grant
from portal.claims import rules
from portal.claims.constants import (
    ALLOWANCE_KINDS,
    RESERVED_STATUSES,
    ClaimKind,
    ClaimSource,
    ClaimStatus,
    status_kind,
)
from portal.claims.grid import Column, day_label, sheet_columns
from portal.claims.models import Claim, ClaimEvent, ClaimLine
from portal.claims.permissions import Acting, acting_on
from portal.claims.rules import Action, LineInput, PricedLine, SheetFacts, Side, Stage
from portal.database import bulk_insert, chunks, expire_loaded, id_in, rowcount, table_of
from portal.dates import (
    add_months,
    first_of_month,
    format_day,
    format_month,
    last_of_month,
    month_days,
    now,
)
from portal.extensions import db
from portal.messages.service import item_link, notify, sender_name
from portal.money import format_euro
from portal.providers.models import Provider
from portal.quantities import quantity_label
from portal.refusals import AlreadyDone, Refusal, Refused, refuse_if

__all__ = [
    "LineInput", "prepare_claim", "save_draft", "open_months", "month_open_refusals",
    "update_claim", "approve_claim", "submit_own_claim",
    "refuse_by_holder", "office_approve", "office_suspend",
    "office_refuse", "reopen", "claim_shares", "mark_paid", "find_by_reference",
    "check_lines", "sheet_facts", "preview_claim", "SheetPreview", "intake_paper_claim",
    "columns_for", "LineRow", "claim_line_rows", "HistoryItem", "claim_history",
    "PaperSheet", "paper_sheet", "sheet_printable",
]

NOT_ALLOWED = Refusal("not_allowed", "U heeft geen toegang om dit urenbriefje te maken of te "
                      "wijzigen. Vraag de budgethouder om een machtiging om te handelen.")


# --------------------------------------------------------------------------- loading


def _agreement_of(claim: Claim) -> Agreement | None:
    """The claim's agreement; None for a vrij besteedbaar bedrag (paid to the holder)."""
    return db.session.get(Agreement, claim.agreement_id) if claim.agreement_id else None


def _household_id(claim: Claim, agreement: Agreement | None) -> int:
    if agreement is not None:
        return agreement.household_id
    assert claim.household_id is not None  # a claim without an agreement names its household
    return claim.household_id


def _sheet_agreement(claim: Claim) -> Agreement:
    """The agreement of a sheet or wage. A free amount (no agreement) has no provider side, so
    the sheet-only steps (hand over, akkoord, send back, reopen) refuse it."""
    agreement = _agreement_of(claim)
    if agreement is None:
        raise Refused(NOT_ALLOWED)
    return agreement


def _recipients(claim: Claim, agreement: Agreement | None) -> list[int]:
    """Who hears the office's decision on the claim besides the budget holder."""
    return provider_recipients(agreement.provider_id) if agreement is not None else []


def _require(actor: User | None, target: Claim | Agreement, today: dt.date) -> Acting:
    """The actor's side on this agreement's sheets; who may do what is the transition table's
    decision (rules.check_transition), so a provider asking to submit hears why not."""
    acting = acting_on(actor, target, today)
    if acting is None or not acting.can_act:
        raise Refused(NOT_ALLOWED)
    return acting


def _office_side(actor: User | None) -> Side:
    require_office(actor, "ingediende urenbriefjes goedkeuren, opschorten of afkeuren")
    return Side.SYSTEM if actor is None else Side.OFFICE


def agreed_versions(versions: Sequence[AgreementVersion]) -> tuple[rules.AgreedVersion, ...]:
    """The agreement's versions (with their lines loaded) as the claim rules see them."""
    return tuple(
        rules.AgreedVersion(
            period=VersionPeriod(number=v.number, status=v.status, starts_on=v.starts_on,
                                 ends_on=v.ends_on, ended_on=v.ended_on),
            lines=tuple(rules.AgreedLine(care_kind=line.care_kind, unit=Unit(line.unit),
                                         tariff_cents=line.tariff_cents, grant_id=line.grant_id,
                                         budget_tariff_cents=line.budget_tariff_cents)
                        for line in v.lines))
        for v in versions)


def sheet_facts(agreement: Agreement, month: dt.date, exclude_claim_id: int | None = None,
                *, lock: bool = False) -> tuple[SheetFacts, dict[int, Grant]]:
    """Everything the claim rules check a sheet against, in a fixed number of queries.

    lock: the caller is about to write the sheet (check_lines). For a provider who is a person,
    the provider's row is then locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the write
    transaction holds the database's write lock already) before the person's other sheets are
    read: two sheets of one person written at the same moment are checked one after the other,
    so together they cannot pass 24 hours on a day.
    """
    month = first_of_month(month)
    versions = db.session.scalars(
        select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id)
        .options(selectinload(AgreementVersion.lines)).order_by(AgreementVersion.number)
    ).all()
    agreed = agreed_versions(versions)
    grant_ids = {line.grant_id for v in agreed for line in v.lines}
    grants = {g.id: g for g in db.session.scalars(select(Grant).where(Grant.id.in_(grant_ids)))}
    provider = db.session.get_one(Provider, agreement.provider_id)
    is_person = provider.kind == ProviderKind.PERSOON
    if lock and is_person:
        db.session.execute(select(Provider.id).where(Provider.id == provider.id).with_for_update())

    existing = select(Claim.reference).where(Claim.agreement_id == agreement.id,
                                             Claim.month == month,
                                             Claim.kind == ClaimKind.UREN)
    if exclude_claim_id is not None:
        existing = existing.where(Claim.id != exclude_claim_id)
    existing_reference = db.session.scalar(existing.limit(1))

    other_minutes: dict[dt.date, int] = defaultdict(int)
    if is_person:
        query = (select(ClaimLine.day, ClaimLine.unit, ClaimLine.quantity)
                 .join(Claim, Claim.id == ClaimLine.claim_id)
                 .join(Agreement, Agreement.id == Claim.agreement_id)
                 .where(Agreement.provider_id == agreement.provider_id,
                        # A sheet's days lie in its own month: bounded by the provider's
                        # agreements and the month through indexes (agreements.provider_id,
                        # claims (agreement_id, month), claim_lines.claim_id), never a scan
                        # of every line of that month in the country.
                        Claim.month == month, Claim.kind == ClaimKind.UREN,
                        Claim.status != ClaimStatus.AFGEKEURD,
                        ClaimLine.day >= month, ClaimLine.day <= last_of_month(month)))
        if exclude_claim_id is not None:
            query = query.where(Claim.id != exclude_claim_id)
        for day, unit, quantity in db.session.execute(query):
            other_minutes[day] += rules.minutes_of(unit, quantity)

    # A sheet refused before gets at least RESUBMIT_WEEKS from its last refusal (rules).
    refused_at = None if exclude_claim_id is None else db.session.scalar(
        select(func.max(ClaimEvent.at)).where(ClaimEvent.claim_id == exclude_claim_id,
                                              ClaimEvent.to_status == ClaimStatus.AFGEKEURD))
    facts = SheetFacts(versions=agreed, provider_is_person=is_person,
                       other_minutes_by_day=dict(other_minutes),
                       existing_reference=existing_reference,
                       refused_on=refused_at.date() if refused_at is not None else None,
                       grant_periods={g.id: (g.period_start, g.period_end)
                                      for g in grants.values()})
    return facts, grants


def month_refusals(agreement: Agreement, month: dt.date) -> list[Refusal]:
    """Why the agreement's sheet for `month` has nothing to fill in (rules.check_month_claimable);
    the sheet page asks this when its grid has no column."""
    facts, _grants = sheet_facts(agreement, month)
    return rules.check_month_claimable(month, facts)


def check_lines(agreement: Agreement, month: dt.date, lines: Sequence[LineInput], today: dt.date,
                stage: Stage, exclude_claim_id: int | None = None
                ) -> tuple[list[PricedLine], list[Refusal]]:
    """Run every claim rule for a sheet, before the caller writes it. Writes nothing, but locks
    a person-provider's row (see sheet_facts) until the caller's transaction ends; read-only
    screens use preview_claim instead.

    Only at Stage.SUBMIT is the budget checked (a provider never sees budgets).
    """
    facts, grants = sheet_facts(agreement, month, exclude_claim_id, lock=True)
    if stage is Stage.SUBMIT:
        return rules.check_sheet(month, lines, facts, today, stage, grants=grants,
                                 refusal_for=budgets_service.budget_refusal)
    return rules.check_sheet(month, lines, facts, today, stage)


@dataclass(frozen=True)
class SheetPreview:
    """What the form shows while the sheet is filled in."""

    lines: list[PricedLine]
    refusals: list[Refusal]
    total_cents: int  # what the budgets pay
    # Per grant: available after this sheet. None for a provider (a provider never sees budgets).
    available_after: dict[int, int] | None


def preview_claim(actor: User, agreement: Agreement, month: dt.date, lines: Sequence[LineInput],
                  today: dt.date, claim: Claim | None = None) -> SheetPreview:
    """Price and check a sheet without writing: amounts, every refusal, and (for the budget
    holder) what is left of each budget after this sheet."""
    acting = _require(actor, agreement, today)
    holder = acting.side is Side.HOLDER
    stage = Stage.SUBMIT if holder else Stage.HANDOVER
    exclude = claim.id if claim is not None else None
    facts, grants = sheet_facts(agreement, month, exclude)
    priced, refusals = rules.check_sheet(month, lines, facts, today, stage, grants=grants,
                                         refusal_for=budgets_service.budget_refusal)
    available_after = None
    if holder:
        shares = rules.shares_of(priced)
        reserved_here = claim_shares(claim) if claim is not None and \
            claim.status in RESERVED_STATUSES else {}
        available_after = {gid: g.available_cents + reserved_here.get(gid, 0) - shares.get(gid, 0)
                           for gid, g in sorted(grants.items())}
    return SheetPreview(lines=priced, refusals=refusals,
                        total_cents=sum(p.amount_cents for p in priced),
                        available_after=available_after)


def _stored_lines(claim: Claim) -> list[LineInput]:
    return [LineInput(day=line.day, care_kind=line.care_kind, quantity=line.quantity,
                      grant_id=line.grant_id, tariff_cents=line.tariff_cents)
            for line in claim.lines]


# --------------------------------------------------------------------------- writing helpers


def _set_lines(claim: Claim, priced: Sequence[PricedLine]) -> None:
    if claim.lines:
        claim.lines.clear()
        db.session.flush()  # delete the old lines before the new ones meet the UNIQUE
    for p in priced:
        claim.lines.append(ClaimLine(day=p.day, care_kind=p.care_kind, unit=p.unit,
                                     quantity=p.quantity, tariff_cents=p.tariff_cents,
                                     amount_cents=p.amount_cents, holder_cents=p.holder_cents,
                                     grant_id=p.grant_id))
    claim.total_cents = sum(p.amount_cents for p in priced)


def _event(claim: Claim, from_status: str | None, to_status: str, actor: User | None,
           on_behalf_of: User | None, action: str, household_id: int,
           reason: str | None = None, summary: str = "",
           received_on: dt.date | None = None) -> None:
    db.session.add(ClaimEvent(claim_id=claim.id, from_status=from_status, to_status=to_status,
                              actor_id=actor.id if actor else None,
                              on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
                              reason=reason))
    record(f"claim.{action}", actor=actor, on_behalf_of=on_behalf_of, household_id=household_id,
           object_type="claim", object_id=claim.id,
           summary=summary or f"Urenbriefje {claim.reference}: {from_status or '-'} -> {to_status}",
           detail={"reference": claim.reference, "from": from_status, "to": to_status,
                   **({"reason": reason} if reason else {}),
                   **({"received_on": received_on.isoformat()} if received_on else {})})


def _notify(user_ids: list[int], kind: str, subject: str, body: str = "", *,
            sender: str | None = None, about: str | None = None,
            link: str | None = None) -> None:
    if user_ids:
        notify(user_ids, kind, subject, body, sender=sender, about=about, link=link)


def _sheet_label(claim: Claim) -> str:
    if claim.kind == ClaimKind.LOON:
        return f"het maandloon {claim.reference} over {format_month(claim.month)}"
    if ClaimKind(claim.kind).is_correction:
        return (f"de {ClaimKind(claim.kind).label.lower()} {claim.reference} over "
                f"{format_month(claim.month)}")
    if claim.kind in ALLOWANCE_KINDS:
        return f"de aanvraag {ClaimKind(claim.kind).label.lower()} {claim.reference}"
    return f"urenbriefje {claim.reference} over {format_month(claim.month)}"


def _insert_claim(claim: Claim) -> None:
    """Insert a new sheet; a sheet written at the same moment for that month is refused."""
    try:
        with db.session.begin_nested():
            db.session.add(claim)
            db.session.flush()
    except IntegrityError:
        raise Refused(rules.check_duplicate(claim.reference, claim.month)) from None


# --------------------------------------------------------------------------- use cases


@dataclass(frozen=True)
class _Notice:
    """A message a transition sends (messages.notify), once, with the transition."""

    user_ids: list[int]
    kind: str
    subject: str
    body: str = ""


def _transition(claim: Claim, action: Action, side: Side, *, actor: User | None,
                on_behalf_of: User | None, household_id: int, audit: str,
                also: Sequence[Refusal] = (), effect: Callable[[], None] | None = None,
                notices: Callable[[Claim], Sequence[_Notice]] | None = None,
                reason: str | None = None, summary: str = "",
                received_on: dt.date | None = None, **changes) -> Claim:
    """The one home of a sheet's state change, a compare-and-set.

    An existing sheet's row is locked and read again first (SELECT ... FOR UPDATE on
    PostgreSQL; on SQLite the write transaction holds the database's write lock), so two
    identical requests at the same moment are decided one after the other: the first moves
    the sheet, the second finds it already where the action leads (rules.is_repeat) and is
    answered AlreadyDone ("Dit is al gedaan", with the status), writing nothing. A new sheet
    (no id yet) starts as a concept; its insert is its compare-and-set (one sheet per agreement
    and month, _insert_claim).

    Then, under that lock and in the caller's transaction, each exactly once: the transition
    table's decision (with the caller's own refusals `also`), `effect` (the use case's checks
    and writes: the lines, a reservation or release on the grants; it refuses before it
    writes), the new status and `changes`, one ClaimEvent with its audit record, and the
    `notices`.
    """
    new = claim.id is None
    if new:
        current, from_status = ClaimStatus.CONCEPT, None
    else:
        db.session.refresh(claim, with_for_update=True)
        current = from_status = ClaimStatus(claim.status)
    to_status, refusals = rules.check_transition(current, action, side)
    if refusals and not new and rules.is_repeat(current, action) \
            and [r.code for r in refusals] == ["status_not_allowed"]:
        raise AlreadyDone(f"Het urenbriefje heeft nu de status '{current.label}'.")
    refuse_if(refusals + list(also))
    assert to_status is not None  # check_transition refused otherwise
    if effect is not None:
        effect()
    claim.status = to_status
    for name, value in changes.items():
        setattr(claim, name, value)
    if new:
        _insert_claim(claim)
    else:
        db.session.flush()
    _event(claim, from_status, to_status, actor, on_behalf_of, audit, household_id,
           reason=reason, summary=summary, received_on=received_on)
    sent = list(notices(claim)) if notices is not None else []
    about = (agreement_title(claim.agreement_id) or None) if sent and claim.agreement_id else None
    link = item_link("claims.show", claim_id=claim.id) if sent else None
    for notice in sent:
        _notify(notice.user_ids, notice.kind, notice.subject, notice.body,
                sender=sender_name(actor), about=about, link=link)
    return claim


def _lines_effect(claim: Claim, agreement: Agreement, month: dt.date,
                  lines: Sequence[LineInput], today: dt.date, stage: Stage, *,
                  reserve: bool = False) -> Callable[[], None]:
    """An effect that checks the lines (every claim rule at `stage`), reserves their shares on
    the grants when `reserve` (under the grants' row locks: the first write), then writes them."""

    def effect() -> None:
        priced, refusals = check_lines(agreement, month, lines, today, stage,
                                       exclude_claim_id=claim.id)
        refuse_if(refusals)
        if reserve:
            budgets_service.reserve(rules.shares_of(priced))
        _set_lines(claim, priced)

    return effect


def _with_title(subject: str, agreement: Agreement) -> str:
    """A message's subject with the agreement's human title (agreements.titles), so that two
    sheets of the same month are told apart in the inbox; cut to what the column holds."""
    title = agreement_title(agreement.id)
    text = f"{subject} - {title[:1].lower()}{title[1:]}" if title else subject
    return text if len(text) <= 200 else text[:199] + "…"


def _waiting(agreement: Agreement) -> Callable[[Claim], list[_Notice]]:
    return lambda claim: [_Notice(
        household_recipients(agreement.household_id), "claim_waiting",
        _with_title(f"Urenbriefje wacht op uw akkoord: {format_month(claim.month)}", agreement),
        f"De zorgverlener heeft {_sheet_label(claim)} klaargezet "
        f"({format_euro(claim.total_cents)}). Controleer de uren en geef akkoord, of stuur "
        "het terug met een reden.")]


def _submitted(agreement: Agreement, text: str) -> Callable[[Claim], list[_Notice]]:
    """The provider hears the sheet was submitted; `text` says how ({sheet}, {amount})."""
    return lambda claim: [_Notice(
        provider_recipients(agreement.provider_id), "claim_submitted",
        _with_title(f"Urenbriefje ingediend: {format_month(claim.month)}", agreement),
        text.format(sheet=_sheet_label(claim), amount=format_euro(claim.total_cents)))]


def _both_sides(agreement: Agreement | None, kind: str, subject: str, body: str
                ) -> Callable[[Claim], list[_Notice]]:
    """The budget holder and the provider hear it; subject and body take {month}, {sheet},
    {reason}."""
    def notices(claim: Claim) -> list[_Notice]:
        values = {"month": format_month(claim.month), "sheet": _sheet_label(claim),
                  "reason": claim.refusal_reason, "amount": format_euro(claim.total_cents)}
        users = (household_recipients(_household_id(claim, agreement))
                 + _recipients(claim, agreement))
        text = subject.format(**values)
        return [_Notice(users, kind, _with_title(text, agreement) if agreement else text,
                        body.format(**values))]

    return notices


def _new_claim(actor: User, agreement: Agreement, month: dt.date, source: ClaimSource,
               **fields) -> Claim:
    return Claim(reference=rules.claim_reference(agreement.id, month), agreement_id=agreement.id,
                 month=month, source=source, prepared_by_id=actor.id, **fields)


def prepare_claim(actor: User, agreement: Agreement, month: dt.date, lines: Sequence[LineInput],
                  today: dt.date, note: str = "", *, source: ClaimSource = ClaimSource.PORTAL
                  ) -> Claim:
    """A new sheet. Provider: handed over at once (wacht_op_akkoord); budget holder: concept."""
    month = first_of_month(month)
    acting = _require(actor, agreement, today)
    provider = acting.side is Side.PROVIDER
    claim = _new_claim(actor, agreement, month, source, note=note or "",
                       handed_over_on=today if provider else None)
    return _transition(
        claim, Action.HAND_OVER if provider else Action.EDIT, acting.side, actor=actor,
        on_behalf_of=acting.on_behalf_of, household_id=agreement.household_id, audit="prepare",
        effect=_lines_effect(claim, agreement, month, lines, today,
                             Stage.HANDOVER if provider else Stage.CONCEPT),
        notices=_waiting(agreement) if provider else None)


def save_draft(actor: User, agreement: Agreement, month: dt.date, lines: Sequence[LineInput],
               today: dt.date, note: str | None = None, claim: Claim | None = None) -> Claim:
    """Keep a sheet as a concept (either side), also while its month runs (Stage.DRAFT: every
    claim rule but 'the month is over' and the deadline). Nothing is handed over or submitted
    and nobody is told; after the month the provider hands it over, or the budget holder
    submits it. `claim`: the concept to change; None: a new sheet."""
    month = first_of_month(month)
    acting = _require(actor, agreement, today)
    changes: dict = {}
    if claim is None:
        claim = _new_claim(actor, agreement, month, ClaimSource.PORTAL, note=note or "")
    elif note is not None:
        changes["note"] = note
    return _transition(
        claim, Action.SAVE_DRAFT, acting.side, actor=actor, on_behalf_of=acting.on_behalf_of,
        household_id=agreement.household_id, audit="save_draft",
        effect=_lines_effect(claim, agreement, month, lines, today, Stage.DRAFT), **changes)


def _months_taken(agreement: Agreement) -> list[dt.date]:
    return list(db.session.scalars(select(Claim.month).where(
        Claim.agreement_id == agreement.id, Claim.kind == ClaimKind.UREN)))


def open_months(agreement: Agreement, today: dt.date, provider: bool) -> list[rules.OpenMonth]:
    """The months a new sheet can still be started for under this agreement, by the provider
    or the budget holder's side, each with its deadline (rules.open_months)."""
    facts, _grants = sheet_facts(agreement, today)
    return rules.open_months(today, facts, provider, _months_taken(agreement))


def month_open_refusals(agreement: Agreement, month: dt.date, today: dt.date, provider: bool
                        ) -> list[Refusal]:
    """Why a new sheet over `month` cannot be started (rules.check_month_open); [] when it can."""
    facts, _grants = sheet_facts(agreement, month)
    return rules.check_month_open(month, today, facts, provider)


def update_claim(actor: User, claim: Claim, lines: Sequence[LineInput], today: dt.date,
                 note: str | None = None) -> Claim:
    """Change the lines. Provider: hands the sheet over (again); budget holder: keeps its status."""
    agreement = _sheet_agreement(claim)
    acting = _require(actor, agreement, today)
    provider = acting.side is Side.PROVIDER
    changes: dict = {"handed_over_on": today} if provider else {}
    if note is not None:
        changes["note"] = note
    return _transition(
        claim, Action.HAND_OVER if provider else Action.EDIT, acting.side, actor=actor,
        on_behalf_of=acting.on_behalf_of, household_id=agreement.household_id,
        audit="hand_over" if provider else "update",
        effect=_lines_effect(claim, agreement, claim.month, lines, today,
                             Stage.HANDOVER if provider else Stage.CONCEPT),
        notices=_waiting(agreement) if provider else None, **changes)


def approve_claim(actor: User, claim: Claim, today: dt.date) -> Claim:
    """The budget holder's akkoord: the submission and the payment order (-> ingediend).

    Runs every rule again on the stored lines (tariffs included), then reserves each grant's
    share under the grant's row lock (budgets.service.reserve), which re-checks the budget.
    All under the sheet's own row lock (_transition): a second akkoord at the same moment is
    answered 'Dit is al gedaan' and reserves nothing.
    """
    agreement = _sheet_agreement(claim)
    acting = _require(actor, agreement, today)

    def effect() -> None:
        _priced, refusals = check_lines(agreement, claim.month, _stored_lines(claim), today,
                                        Stage.SUBMIT, exclude_claim_id=claim.id)
        refuse_if(refusals)
        budgets_service.reserve(claim_shares(claim))  # budget_insufficient under the lock

    return _transition(
        claim, Action.SUBMIT, acting.side, actor=actor, on_behalf_of=acting.on_behalf_of,
        household_id=agreement.household_id, audit="submit", effect=effect,
        notices=_submitted(agreement, "De budgethouder heeft akkoord gegeven op {sheet} "
                                      "({amount}). Het betaalkantoor controleert het nu."),
        submitted_by_id=actor.id,
        submitted_on_behalf_of_id=acting.on_behalf_of.id if acting.on_behalf_of else None,
        submitted_at=now())


def submit_own_claim(actor: User, agreement: Agreement, month: dt.date,
                     lines: Sequence[LineInput], today: dt.date) -> Claim:
    """The budget holder fills in a sheet and submits it in one go (-> ingediend)."""
    month = first_of_month(month)
    acting = _require(actor, agreement, today)
    claim = _new_claim(actor, agreement, month, ClaimSource.PORTAL, submitted_by_id=actor.id,
                       submitted_on_behalf_of_id=acting.on_behalf_of.id
                       if acting.on_behalf_of else None, submitted_at=now())
    return _transition(
        claim, Action.SUBMIT, acting.side, actor=actor, on_behalf_of=acting.on_behalf_of,
        household_id=agreement.household_id, audit="submit",
        effect=_lines_effect(claim, agreement, month, lines, today, Stage.SUBMIT, reserve=True),
        notices=_submitted(agreement, "De budgethouder heeft {sheet} ingediend ({amount}). "
                                      "Het betaalkantoor controleert het nu."))


def intake_paper_claim(actor: User, agreement: Agreement, month: dt.date,
                       lines: Sequence[LineInput], today: dt.date,
                       received_on: dt.date | None = None) -> Claim:
    """The payment office enters a paper hour sheet the budget holder signed (-> ingediend).

    The signature on paper is the budget holder's akkoord, so this is a submission on the
    budget holder's behalf: the same checks as submit_own_claim (every claim rule at
    Stage.SUBMIT, the budget reserved under the grant's row lock), source PAPER, and the audit
    log says "betaalkantoor namens <budgethouder>". Only the payment office may do it.

    received_on: the day the paper sheet reached the payment office (default: today, never
    later than today). That is the moment of submission, so the rules that depend on the day
    (the month is over, no day in the future, the 10-week deadline) are measured on it, not on
    the day the office happens to type the sheet in.
    """
    month = first_of_month(month)
    require_office(actor, "een papieren urenbriefje invoeren", system=False)
    received_on = received_on or today
    refuse_if(rules.check_received_on(received_on, today))
    holder = budget_holder_of(agreement.household_id)
    holder_name = holder.name if holder else "de budgethouder"
    received = f", ontvangen op {format_day(received_on)}" if received_on != today else ""
    claim = _new_claim(actor, agreement, month, ClaimSource.PAPER, submitted_by_id=actor.id,
                       submitted_on_behalf_of_id=holder.id if holder else None,
                       submitted_at=now())
    # The signed sheet is the holder's submission: the transition is the holder's.
    return _transition(
        claim, Action.SUBMIT, Side.HOLDER, actor=actor, on_behalf_of=holder,
        household_id=agreement.household_id, audit="paper_intake",
        effect=_lines_effect(claim, agreement, month, lines, received_on, Stage.SUBMIT,
                             reserve=True),
        summary=f"Papieren urenbriefje {claim.reference} ingevoerd: betaalkantoor "
                f"({actor.name}) namens {holder_name}{received}",
        received_on=received_on,
        notices=_both_sides(agreement, "claim_submitted",
                            "Papieren urenbriefje ingevoerd: {month}",
                            "Het betaalkantoor heeft het papieren {sheet} ingevoerd ({amount}). "
                            "Het is ingediend en wordt nu gecontroleerd."))


def refuse_by_holder(actor: User, claim: Claim, reason: str, today: dt.date) -> Claim:
    """The budget holder sends a provider's sheet back (-> concept), with the reason."""
    agreement = _sheet_agreement(claim)
    acting = _require(actor, agreement, today)
    reason = (reason or "").strip()
    return _transition(
        claim, Action.REFUSE_BY_HOLDER, acting.side, actor=actor,
        on_behalf_of=acting.on_behalf_of, household_id=agreement.household_id,
        audit="refuse_by_holder", also=rules.check_reason(reason), reason=reason,
        refusal_reason=reason,
        notices=lambda claim: [_Notice(
            provider_recipients(agreement.provider_id), "claim_refused",
            f"Urenbriefje teruggestuurd: {format_month(claim.month)}",
            f"De budgethouder heeft {_sheet_label(claim)} teruggestuurd. Reden: "
            f"{claim.refusal_reason} Pas het urenbriefje aan en stuur het opnieuw.")])


def office_approve(actor: User | None, claim: Claim, today: dt.date) -> Claim:
    """The payment office's check (-> goedgekeurd): the agreement must still cover every line."""
    side = _office_side(actor)
    agreement = _agreement_of(claim)

    def effect() -> None:
        if claim.kind == ClaimKind.UREN:  # a back-dated tariff change re-prices, never holds
            from portal.claims.corrections import reprice_unpaid
            assert agreement is not None  # an hour sheet always has its agreement
            reprice_unpaid(claim, agreement, today)
        refuse_if(_recheck_refusals(claim, agreement, today))

    return _transition(
        claim, Action.OFFICE_APPROVE, side, actor=actor, on_behalf_of=None,
        household_id=_household_id(claim, agreement), audit="office_approve", effect=effect,
        decided_at=now(),
        notices=lambda claim: [_Notice(
            _recipients(claim, agreement) if agreement is not None
            else household_recipients(_household_id(claim, None)), "claim_approved",
            *approved_notice(claim))])


def approved_notice(claim) -> tuple[str, str]:
    """Subject and text of the message that the office approved a sheet (`claim`: anything
    with the sheet's kind, reference, month and total_cents)."""
    return (f"Urenbriefje goedgekeurd: {format_month(claim.month)}",
            f"Het betaalkantoor heeft {_sheet_label(claim)} goedgekeurd "
            f"({format_euro(claim.total_cents)}). Het wordt bij de volgende betaling betaald.")


def _recheck_refusals(claim: Claim, agreement: Agreement | None, today: dt.date
                      ) -> list[Refusal]:
    """The office's check: the agreement must still cover every line (a sheet), or still owe
    exactly this wage for the month (a monthly wage). A Wlz allowance was checked against its
    caps when it was asked for, under the grants' locks (claims.allowances)."""
    if claim.kind in ALLOWANCE_KINDS:
        return []
    assert agreement is not None  # only an allowance (returned above) has no agreement
    if claim.kind == ClaimKind.LOON:
        facts, _grants = sheet_facts(agreement, claim.month)
        due = [(p.grant_id, p.care_kind, p.amount_cents) for p in rules.wage_lines(claim.month, facts)]
        stored = [(line.grant_id, line.care_kind, line.amount_cents) for line in claim.lines]
        if sorted(due) != sorted(stored):
            return [Refusal("wage_changed", f"Het maandloon over {format_month(claim.month)} "
                            "klopt niet meer met de goedgekeurde zorgovereenkomst. Controleer "
                            "de overeenkomst.", "agreement")]
        return []
    return check_lines(agreement, claim.month, _stored_lines(claim), today, Stage.RECHECK,
                       exclude_claim_id=claim.id)[1]


def _due_wage_months(run_on: dt.date) -> dict[int, list[dt.date]]:
    """Per agreement with a fixed monthly wage in an approved version: the months that are
    over on `run_on` (before its month), in which a version governs a day, with no wage yet."""
    rows = db.session.execute(
        select(AgreementVersion.agreement_id, AgreementVersion.number, AgreementVersion.status,
               AgreementVersion.starts_on, AgreementVersion.ends_on, AgreementVersion.ended_on)
        .where(AgreementVersion.status.in_([s.value for s in EVER_APPROVED]),
               exists().where(AgreementLine.version_id == AgreementVersion.id,
                              AgreementLine.unit == Unit.MAANDLOON.value))
        .order_by(AgreementVersion.agreement_id, AgreementVersion.number)).all()
    periods: dict[int, list[VersionPeriod]] = defaultdict(list)
    for agreement_id, number, status, starts_on, ends_on, ended_on in rows:
        periods[agreement_id].append(VersionPeriod(number, status, starts_on, ends_on, ended_on))
    before = first_of_month(run_on)
    due: dict[int, list[dt.date]] = {}
    for batch in chunks(list(periods)):
        paid = set(db.session.execute(
            select(Claim.agreement_id, Claim.month)
            .where(id_in(Claim.agreement_id, batch), Claim.kind == ClaimKind.LOON)).all())
        for agreement_id in batch:
            months = set()
            for _v, first, last in coverage(periods[agreement_id]):
                month = first_of_month(first)
                end = min(before - dt.timedelta(days=1), last) if last else before - dt.timedelta(days=1)
                while month <= end:
                    months.add(month)
                    month = add_months(month, 1)
            todo = sorted(m for m in months if (agreement_id, m) not in paid)
            if todo:
                due[agreement_id] = todo
    return due


@dataclass(frozen=True)
class DueWage:
    """A month's fixed wage the next run will put ready and pay (wages_due)."""

    agreement_id: int
    reference: str
    month: dt.date
    provider_name: str
    amount_cents: int


def wages_due(run_on: dt.date) -> list[DueWage]:
    """What make_wage_claims would put ready on `run_on`, without writing anything: the
    office's preview of the next run shows it (a wage the budget cannot pay then waits)."""
    due = []
    for agreement_id, months in _due_wage_months(run_on).items():
        agreement = db.session.get_one(Agreement, agreement_id)
        provider = db.session.get_one(Provider, agreement.provider_id)
        for month in months:
            facts, _grants = sheet_facts(agreement, month)
            priced = rules.wage_lines(month, facts)
            if priced:
                due.append(DueWage(agreement_id, rules.wage_reference(agreement_id, month),
                                   month, provider.name, sum(p.amount_cents for p in priced)))
    return due


def make_wage_claims(run_on: dt.date) -> list[Claim]:
    """Put ready the fixed monthly wage of every month that is over and not yet claimed, for
    every employment agreement with one (rules.wage_lines: pro rata in a first or last month),
    as a claim of kind loon: submitted (its shares reserved on the grants) and checked by the
    office at once, so the payment run that calls this pays it like a sheet. A wage the budget
    cannot pay (budget_insufficient) or that fails the check waits: the next run tries again;
    the rest goes on."""
    made = []
    for agreement_id, months in _due_wage_months(run_on).items():
        agreement = db.session.get_one(Agreement, agreement_id)
        for month in months:
            facts, _grants = sheet_facts(agreement, month)
            priced = rules.wage_lines(month, facts)
            if not priced:
                continue
            claim = Claim(reference=rules.wage_reference(agreement.id, month),
                          agreement_id=agreement.id, month=month, kind=ClaimKind.LOON,
                          source=ClaimSource.PORTAL, submitted_at=now())

            def effect(claim=claim, priced=priced) -> None:
                budgets_service.reserve(rules.shares_of(priced))
                _set_lines(claim, priced)

            try:
                with db.session.begin_nested():
                    _transition(claim, Action.WAGE_DUE, Side.SYSTEM, actor=None,
                                on_behalf_of=None, household_id=agreement.household_id,
                                audit="wage_due", effect=effect,
                                summary=f"Maandloon {claim.reference} klaargezet")
                    made.append(office_approve(None, claim, run_on))
            except Refused:
                continue
    return made


def office_suspend(actor: User | None, claim: Claim, reason: str, today: dt.date, *,
                   codes: list[str] | None = None) -> Claim:
    """Put a submitted sheet on hold while something is checked (-> opgeschort)."""
    side = _office_side(actor)
    agreement = _agreement_of(claim)
    reason = (reason or "").strip()
    return _transition(
        claim, Action.OFFICE_SUSPEND, side, actor=actor, on_behalf_of=None,
        household_id=_household_id(claim, agreement), audit="office_suspend",
        also=rules.check_reason(reason), reason=reason, refusal_reason=reason,
        refusal_codes=codes,
        notices=_both_sides(agreement, "claim_suspended",
                            "Urenbriefje wordt gecontroleerd: {month}",
                            "Het betaalkantoor controleert {sheet} nog. Reden: {reason}"))


def office_refuse(actor: User | None, claim: Claim, reason: str, today: dt.date, *,
                  codes: list[str] | None = None) -> Claim:
    """Refuse a submitted sheet (-> afgekeurd) and release its reservation on the budgets."""
    side = _office_side(actor)
    agreement = _agreement_of(claim)
    reason = (reason or "").strip()
    return _transition(
        claim, Action.OFFICE_REFUSE, side, actor=actor, on_behalf_of=None,
        household_id=_household_id(claim, agreement), audit="office_refuse",
        also=rules.check_reason(reason), reason=reason,
        effect=lambda: budgets_service.release(claim_shares(claim)),
        refusal_reason=reason, refusal_codes=codes, decided_at=now(),
        notices=_both_sides(agreement, "claim_refused", "Urenbriefje afgekeurd: {month}",
                            "Het betaalkantoor heeft {sheet} afgekeurd. Reden: {reason} U kunt "
                            "het urenbriefje opnieuw openen, verbeteren en opnieuw indienen."))


def reopen(actor: User, claim: Claim, today: dt.date) -> Claim:
    """A refused sheet becomes a concept again, for correction (budget holder or provider)."""
    agreement = _sheet_agreement(claim)
    acting = _require(actor, agreement, today)
    other = (household_recipients(agreement.household_id) if acting.side is Side.PROVIDER
             else provider_recipients(agreement.provider_id))
    return _transition(
        claim, Action.REOPEN, acting.side, actor=actor, on_behalf_of=acting.on_behalf_of,
        household_id=agreement.household_id, audit="reopen", submitted_at=None,
        decided_at=None,
        notices=lambda claim: [_Notice(
            other, "claim_reopened", f"Urenbriefje opnieuw geopend: {format_month(claim.month)}",
            f"{_sheet_label(claim).capitalize()} is opnieuw geopend om te verbeteren.")])


def claim_shares(claim: Claim) -> dict[int, int]:
    """Cents per grant id of the sheet's lines."""
    shares: dict[int, int] = defaultdict(int)
    for line in claim.lines:
        shares[line.grant_id] += line.amount_cents
    return dict(shares)


class SheetToPay(Protocol):
    """What mark_paid reads of a sheet: a Claim, or a payment run's plain row."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def agreement_id(self) -> int: ...


def mark_paid(claims: Sequence[SheetToPay], paid_on: dt.date) -> None:
    """goedgekeurd -> uitbetaald. Called by payments after it settled the grants; payments
    tells the provider (it knows the transfer's reference).

    Set-based, for a payment run's batch: `claims` may be Claim rows or anything with their
    id, status, reference and agreement_id. Per chunk of ids one conditional UPDATE (only
    sheets still approved: its row count decides, a sheet paid meanwhile refuses the whole
    unit of work), one bulk insert of the history events and one of the audit lines.
    """
    refusals = []
    for claim in claims:
        refusals += rules.check_transition(claim.status, Action.PAY, Side.SYSTEM)[1]
    refuse_if(refusals)
    for batch in chunks(claims):
        ids = [c.id for c in batch]
        before = [(c.id, str(c.status), c.reference, c.agreement_id) for c in batch]
        households: dict[int | tuple[None, int], int | None] = dict(db.session.execute(
            select(Agreement.id, Agreement.household_id)
            .where(id_in(Agreement.id, {c.agreement_id for c in batch
                                        if c.agreement_id is not None}))).all())
        if any(c.agreement_id is None for c in batch):  # a free amount: the claim's household
            households.update({(None, cid): hid for cid, hid in db.session.execute(
                select(Claim.id, Claim.household_id).where(
                    id_in(Claim.id, [c.id for c in batch if c.agreement_id is None])))})
        table = table_of(Claim)
        changed = rowcount(db.session.execute(
            update(table)
            .where(id_in(table.c.id, ids), table.c.status == ClaimStatus.GOEDGEKEURD.value)
            .values(status=ClaimStatus.UITBETAALD.value, paid_on=paid_on)))
        if changed != len(set(ids)):
            raise Refused(Refusal("already_done", "Dit is al gedaan: een van de urenbriefjes "
                                  "is intussen al betaald of veranderd. Er is niets betaald."))
        expire_loaded(Claim, ids)
        at = now()
        paid = ClaimStatus.UITBETAALD.value
        bulk_insert(ClaimEvent, [
            {"claim_id": cid, "from_status": status, "to_status": paid, "actor_id": None,
             "on_behalf_of_id": None, "reason": None, "at": at}
            for cid, status, _reference, _agreement_id in before])
        record_many([{
            "action": "claim.paid",
            "household_id": households[agreement_id if agreement_id is not None else (None, cid)],
            "object_type": "claim", "object_id": cid,
            "summary": f"Urenbriefje {reference}: {status} -> {paid}",
            "detail": {"reference": reference, "from": status, "to": paid}}
            for cid, status, reference, agreement_id in before])


def find_by_reference(reference: str) -> Claim | None:
    return db.session.scalar(select(Claim).where(Claim.reference == str(reference).strip().upper()))


# --------------------------------------------------------------------------- a sheet on a page


@dataclass(frozen=True)
class PaperSheet:
    """What the printed hour sheet of an agreement and month holds: each day of the month with
    whether an approved version of the agreement governs it, and the grid's columns."""

    days: list[tuple[dt.date, bool]]
    columns: list[Column]
    # Why there is no paper sheet to print (the sheet page's own reason, month_refusals), or
    # None when there is one: a day an approved version governs, and a column to fill in.
    why_not: str | None


def paper_sheet(agreement: Agreement, month: dt.date) -> PaperSheet:
    """The days and columns of the agreement's paper hour sheet for `month`, in three queries
    (more only when there is nothing to fill in, to say why).

    The columns are the web grid's own (grid.sheet_columns: the kinds of care of the versions
    governing the month, on budgets that cover the month, no fixed monthly wage).
    """
    month = first_of_month(month)
    periods = [VersionPeriod(number, VersionStatus(status), starts_on, ends_on, ended_on)
               for number, status, starts_on, ends_on, ended_on in db.session.execute(
                   select(AgreementVersion.number, AgreementVersion.status,
                          AgreementVersion.starts_on, AgreementVersion.ends_on,
                          AgreementVersion.ended_on)
                   .where(AgreementVersion.agreement_id == agreement.id)
                   .order_by(AgreementVersion.number))]
    days = [(day, version_for_day(periods, day) is not None) for day in month_days(month)]
    columns = sheet_columns(agreement, month)
    why_not = None
    if not columns or not any(covered for _day, covered in days):
        refusals = month_refusals(agreement, month)
        why_not = refusals[0].message if refusals else "Er is in deze maand niets in te vullen."
    return PaperSheet(days=days, columns=columns, why_not=why_not)


def sheet_printable(agreement: Agreement, month: dt.date) -> bool:
    """Is there a paper hour sheet to print for this agreement and month (paper_sheet)? For the
    pages that offer it, and the paper documents alike."""
    return paper_sheet(agreement, month).why_not is None


def columns_for(agreement: Agreement, month: dt.date, claim: Claim | None = None
                ) -> list[Column]:
    """The grid's columns of the agreement's sheet for `month` (grid.sheet_columns), with a
    column for every line already on `claim`. Two queries."""
    extra = [(line.care_kind, line.grant_id, line.unit, line.tariff_cents)
             for line in (claim.lines if claim is not None else [])]
    return sheet_columns(agreement, month, extra)


@dataclass(frozen=True)
class LineRow:
    """One line of a sheet as a page shows it (the holder's, the provider's, the office's)."""

    day: dt.date
    day_label: str
    column: Column | None  # the kind of care and the budget it is paid from
    care_label: str
    quantity_label: str
    tariff_cents: int
    amount_cents: int  # what the budget pays
    holder_cents: int = 0  # what the budget holder pays themselves (bijbetaling)
    quantity: int = 0  # minutes, units, or a monthly wage's days


def claim_line_rows(claim: Claim, columns: Sequence[Column] | None = None) -> list[LineRow]:
    """The sheet's lines in their order, each with its column (columns_for, two queries, when
    the caller has none)."""
    if columns is None:
        agreement = _agreement_of(claim)
        assert agreement is not None  # callers pass a sheet or wage; a free amount has no grid
        columns = columns_for(agreement, claim.month, claim)
    by_key = {c.key: c for c in columns}
    rows = []
    for line in claim.lines:
        column = by_key.get((line.care_kind, line.grant_id))
        rows.append(LineRow(day=line.day, day_label=day_label(line.day), column=column,
                            quantity=line.quantity,
                            care_label=column.care_label if column else str(line.care_kind),
                            quantity_label=quantity_label(line.unit, line.quantity),
                            tariff_cents=line.tariff_cents, amount_cents=line.amount_cents,
                            holder_cents=line.holder_cents))
    return rows


@dataclass(frozen=True)
class HistoryItem:
    """One step in a sheet's history: the status it reached, when, by whom, and why."""

    at: dt.datetime
    status: ClaimStatus
    who: str  # 'Anna Jansen', 'Kees de Vries namens Anna Jansen', 'Het portaal'
    reason: str | None
    term_kind: str = "urenbriefje"  # the glossary's kind of its status tag (status_kind)


def claim_history(claim: Claim) -> list[HistoryItem]:
    """The sheet's steps, oldest first, with who took each (the system: 'Het portaal'). Two
    queries, whatever the length of the history."""
    events = db.session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                                .order_by(ClaimEvent.at, ClaimEvent.id)).all()
    user_ids = {e.actor_id for e in events} | {e.on_behalf_of_id for e in events}
    users: dict[int | None, User] = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({i for i in user_ids if i is not None})))}
    items = []
    for e in events:
        actor = users.get(e.actor_id)
        who = actor.name if actor else "Het portaal"
        behalf = users.get(e.on_behalf_of_id)
        if behalf is not None:
            who = f"{who} namens {behalf.name}"
        items.append(HistoryItem(at=e.at, status=ClaimStatus(e.to_status), who=who,
                                 reason=e.reason,
                                 term_kind=status_kind(claim.kind, e.to_status)))
    return items
