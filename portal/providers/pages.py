"""Read queries for the provider portal: their agreements, sheets with payment status, and
payment specifications per payment run.

A provider never sees a household's budgets (no grant amounts, nothing available), never a
BSN, and never another provider's data: everything here is selected by `provider_id` and the
view-models below carry only what the pages show. Each page reads through a fixed number of
queries, whatever the number of agreements, sheets or runs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.access.constants import Role
from portal.access.models import User
from portal.agreements import service as agreements_service
from portal.agreements.constants import EffectiveStatus, ModelKind, VersionStatus
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.reads import effective_status, version_in_force
from portal.budgets.models import Household
from portal.budgets.service import holder_labels
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.database import id_in
from portal.dates import format_day
from portal.extensions import db
from portal.pagination import Page, paginate
from portal.payments.models import Payment, PaymentItem, PaymentRun


def mask_iban(iban: str | None) -> str:
    """Only the last 4 characters of an IBAN: 'NL91ABNA0417164300' -> '**** 4300'."""
    compact = "".join((iban or "").split())
    if not compact:
        return ""
    return "**** " + compact[-4:]


@dataclass(frozen=True)
class PaymentStatus:
    """The status of a sheet as the provider reads it: a plain-Dutch line and a tone."""

    text: str
    tone: str  # neutral / warn / ok / error (the status_tag macro's tones)
    reason: str | None = None


def payment_status(status: ClaimStatus | str, *, paid_on: dt.date | None = None,
                   payment_reference: str | None = None,
                   refusal_reason: str | None = None) -> PaymentStatus:
    """Pure: what a provider reads about one hour sheet.

    received (ingediend), waiting for the budget holder, being checked (opgeschort), approved,
    paid on <date> with <reference>, refused with the reason, or sent back by the budget holder.
    """
    status = ClaimStatus(status)
    if status is ClaimStatus.CONCEPT:
        if refusal_reason:
            return PaymentStatus("Teruggestuurd door de budgethouder", "warn", refusal_reason)
        return PaymentStatus("Concept: de budgethouder vult dit urenbriefje in", "neutral")
    if status is ClaimStatus.WACHT_OP_AKKOORD:
        return PaymentStatus("Wacht op akkoord van de budgethouder", "neutral")
    if status is ClaimStatus.INGEDIEND:
        return PaymentStatus("Ontvangen door het betaalkantoor", "neutral")
    if status is ClaimStatus.OPGESCHORT:
        return PaymentStatus("Wordt gecontroleerd door het betaalkantoor", "warn", refusal_reason)
    if status is ClaimStatus.GOEDGEKEURD:
        return PaymentStatus("Goedgekeurd, wordt binnenkort betaald", "ok")
    if status is ClaimStatus.AFGEKEURD:
        return PaymentStatus("Afgekeurd", "error", refusal_reason)
    # UITBETAALD
    text = "Betaald"
    if paid_on is not None:
        text += f" op {format_day(paid_on)}"
    if payment_reference:
        text += f" met kenmerk {payment_reference}"
    return PaymentStatus(text, "ok")


@dataclass(frozen=True)
class SheetRow:
    claim_id: int
    reference: str
    month: dt.date
    total_cents: int
    status: PaymentStatus


@dataclass(frozen=True)
class AgreementRow:
    agreement_id: int
    reference: str
    household_name: str
    model: ModelKind
    status: EffectiveStatus
    starts_on: dt.date
    ends_on: dt.date | None
    pending_status: EffectiveStatus | None  # a change on its way to approval, if any
    sheets: list[SheetRow]


def shown_version(agreement: Agreement, today: dt.date) -> AgreementVersion:
    """The version that governs today, else the latest approved one, else the latest shared."""
    return (version_in_force(agreement, today)
            or agreements_service.approved_version(agreement)
            or [v for v in agreement.versions if v.status != VersionStatus.CONCEPT][-1])


AGREEMENTS_PAGE_SIZE = 20


def provider_agreements_page(provider_id: int, today: dt.date, page: int = 1
                             ) -> tuple[Page, list[AgreementRow]]:
    """One page of the provider's agreements (AGREEMENTS_PAGE_SIZE, by household name): an
    organisation holds thousands. A count, a page of ids, then provider_agreements of those."""
    shared = (Agreement.provider_id == provider_id) & exists().where(
        AgreementVersion.agreement_id == Agreement.id,
        AgreementVersion.status != VersionStatus.CONCEPT)
    total = int(db.session.scalar(select(func.count(Agreement.id)).where(shared)) or 0)
    shown, offset = paginate(total, page, AGREEMENTS_PAGE_SIZE)
    ids = list(db.session.scalars(
        select(Agreement.id).join(Household, Household.id == Agreement.household_id)
        .where(shared).order_by(Household.name, Agreement.reference)
        .limit(AGREEMENTS_PAGE_SIZE).offset(offset)))
    return shown, provider_agreements(provider_id, today, only=ids) if ids else []


def provider_agreements(provider_id: int, today: dt.date, *, only: list[int] | None = None
                        ) -> list[AgreementRow]:
    """Every agreement of this provider (an organisation sees all of its agreements), or those
    `only` names, with its sheets newest month first. Four queries."""
    query = select(Agreement).where(Agreement.provider_id == provider_id)
    if only is not None:
        query = query.where(id_in(Agreement.id, only))
    agreements = list(db.session.scalars(
        query.options(selectinload(Agreement.versions)).order_by(Agreement.id)))
    if not agreements:
        return []
    households = dict(db.session.execute(
        select(Household.id, Household.name)
        .where(Household.id.in_({a.household_id for a in agreements}))).all())
    claims = list(db.session.scalars(
        select(Claim).where(Claim.agreement_id.in_([a.id for a in agreements]))
        .order_by(Claim.month.desc(), Claim.id)))
    references = payment_references([c.id for c in claims])
    sheets: dict[int, list[SheetRow]] = defaultdict(list)
    for c in claims:
        sheets[c.agreement_id].append(SheetRow(
            claim_id=c.id, reference=c.reference, month=c.month, total_cents=c.total_cents,
            status=payment_status(c.status, paid_on=c.paid_on,
                                  payment_reference=references.get(c.id),
                                  refusal_reason=c.refusal_reason)))
    rows = []
    for a in agreements:
        # A concept the budget holder has not shared yet is not the provider's business.
        versions = [v for v in a.versions if v.status != VersionStatus.CONCEPT]
        if not versions:
            continue
        shown = shown_version(a, today)
        pending = agreements_service.open_version(a)
        if pending is not None and pending.status == VersionStatus.CONCEPT:
            pending = None
        rows.append(AgreementRow(
            agreement_id=a.id, reference=a.reference,
            household_name=households.get(a.household_id, ""), model=ModelKind(a.model),
            status=effective_status(shown, today),
            starts_on=shown.starts_on, ends_on=shown.ended_on or shown.ends_on,
            pending_status=(effective_status(pending, today)
                            if pending is not None and pending is not shown else None),
            sheets=sheets.get(a.id, [])))
    rows.sort(key=lambda r: (r.household_name, r.reference))
    return rows


def payment_references(claim_ids: list[int]) -> dict[int, str]:
    if not claim_ids:
        return {}
    return dict(db.session.execute(
        select(PaymentItem.claim_id, Payment.reference)
        .join(Payment, Payment.id == PaymentItem.payment_id)
        .where(PaymentItem.claim_id.in_(claim_ids))).all())


@dataclass(frozen=True)
class SpecificationLine:
    claim_reference: str
    holder_name: str  # the budget holder (a provider works for people, not for "households")
    month: dt.date
    amount_cents: int
    household_id: int = 0  # whose file the line is from (a look at it is logged)


@dataclass(frozen=True)
class PaymentSpecification:
    """One transfer to this provider in one payment run."""

    payment_id: int
    run_reference: str
    run_on: dt.date
    payment_reference: str
    iban_masked: str
    total_cents: int
    lines: list[SpecificationLine]
    sheet_count: int = 0  # how many sheets the payment paid (lines may hold a page of them)
    lines_shown: bool = True  # False: too many to list here, see payment_lines


PAYMENTS_PAGE_SIZE = 10
# A payment with more sheets than this lists them on a page of its own (payment_lines), paged.
SPEC_LINES_INLINE = 25
SPEC_LINES_PAGE_SIZE = 50


@dataclass(frozen=True)
class PaymentsPage:
    """One page of a provider's payments (newest run first), with the search it answers."""

    page: Page
    specs: list[PaymentSpecification]
    search: str


def _payments_matching(provider_id: int, search: str):
    """The provider's payments; with `search`, those whose payment, run or sheet reference
    contains it, or that paid a sheet of a budget holder (or household) whose name does."""
    condition = Payment.provider_id == provider_id
    text = (search or "").strip()[:100]
    if text:
        like = _like(text)
        sheet = (exists().where(PaymentItem.payment_id == Payment.id,
                                Claim.id == PaymentItem.claim_id,
                                Agreement.id == Claim.agreement_id)
                 .where(_sheet_matches(like)))
        condition = condition & or_(Payment.reference.ilike(like, escape="\\"),
                                    PaymentRun.reference.ilike(like, escape="\\"), sheet)
    return condition


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _sheet_matches(like: str):
    """A sheet (Claim joined to its Agreement) whose reference, budget holder's name or
    household's name contains `like`: looked up per sheet through the indexes on
    users.household_id and households.id, so its cost follows the sheets searched, not the
    number of users in the country."""
    holder = exists().where(User.household_id == Agreement.household_id,
                            User.role == Role.BUDGETHOUDER, User.name.ilike(like, escape="\\"))
    household = exists().where(Household.id == Agreement.household_id,
                               Household.name.ilike(like, escape="\\"))
    return or_(Claim.reference.ilike(like, escape="\\"), holder, household)


def provider_payments(provider_id: int, page: int = 1, search: str = "") -> PaymentsPage:
    """One page of what was paid to this provider, PAYMENTS_PAGE_SIZE payments a page, newest
    run first; with `search` only the payments it finds (_payments_matching). A count and one
    page: the page's cost does not grow with the provider's history."""
    condition = _payments_matching(provider_id, search)
    total = db.session.scalar(select(func.count(Payment.id))
                              .join(PaymentRun, PaymentRun.id == Payment.run_id).where(condition))
    shown, offset = paginate(int(total or 0), page, PAYMENTS_PAGE_SIZE)
    ids = list(db.session.scalars(
        select(Payment.id).join(PaymentRun, PaymentRun.id == Payment.run_id).where(condition)
        .order_by(PaymentRun.run_on.desc(), Payment.id.desc())
        .limit(PAYMENTS_PAGE_SIZE).offset(offset)))
    return PaymentsPage(page=shown, specs=_specifications(provider_id, ids, SPEC_LINES_INLINE),
                        search=(search or "").strip())


def payment_specifications(provider_id: int, page: int = 1, search: str = ""
                           ) -> list[PaymentSpecification]:
    """Per payment run, what was paid to this provider: which sheets, for which budget holder
    and month, the amount and the total. Newest run first; one page (provider_payments)."""
    return provider_payments(provider_id, page, search).specs


def payment_specifications_after(provider_id: int, after_id: int, limit: int
                                 ) -> list[PaymentSpecification]:
    """The API's cursor: `limit` transfers to this provider after transfer `after_id`, in the
    order they were made. Four queries, for one page."""
    ids = list(db.session.scalars(
        select(Payment.id).where(Payment.provider_id == provider_id, Payment.id > after_id)
        .order_by(Payment.id).limit(limit)))
    return _specifications(provider_id, ids)


def _specifications(provider_id: int, payment_ids: list[int], inline: int | None = None
                    ) -> list[PaymentSpecification]:
    """The specifications of these payments of the provider, in the order given, with every
    sheet; with `inline`, the sheets only of a payment that paid at most that many (the others
    have lines_shown False: payment_lines pages them). Four queries, for one page."""
    if not payment_ids:
        return []
    payments = {p.id: p for p in db.session.scalars(
        select(Payment).where(id_in(Payment.id, payment_ids)).options(selectinload(Payment.run)))}
    counts = dict(db.session.execute(
        select(PaymentItem.payment_id, func.count(PaymentItem.id))
        .where(id_in(PaymentItem.payment_id, payment_ids)).group_by(PaymentItem.payment_id)).all())
    listed = [pid for pid in payment_ids if inline is None or counts.get(pid, 0) <= inline]
    lines = _lines(provider_id, select_items(listed)) if listed else {}
    return [_specification(payments[pid], lines.get(pid, []), counts.get(pid, 0),
                           shown=pid in listed)
            for pid in payment_ids if pid in payments]


def select_items(payment_ids):
    return (select(PaymentItem.payment_id, Claim.reference, Claim.month, Agreement.household_id,
                   PaymentItem.amount_cents)
            .join(Claim, Claim.id == PaymentItem.claim_id)
            .join(Agreement, Agreement.id == Claim.agreement_id)
            .where(id_in(PaymentItem.payment_id, payment_ids)))


def _lines(provider_id: int, query, keep_order: bool = False
           ) -> dict[int, list[SpecificationLine]]:
    """Per payment: its specification lines from `query` (select_items), the budget holders
    named (holder_labels); sorted by holder, month and sheet unless `keep_order`."""
    rows = db.session.execute(query.where(Agreement.provider_id == provider_id)).all()
    holders = holder_labels({household for _p, _r, _m, household, _c in rows})
    lines: dict[int, list[SpecificationLine]] = defaultdict(list)
    for payment_id, reference, month, household_id, cents in rows:
        lines[payment_id].append(SpecificationLine(
            claim_reference=reference, holder_name=holders.get(household_id, ""), month=month,
            amount_cents=cents, household_id=household_id))
    if not keep_order:
        for found in lines.values():
            found.sort(key=lambda ln: (ln.holder_name, ln.month, ln.claim_reference))
    return lines


def _specification(p: Payment, lines: list[SpecificationLine], count: int, *, shown: bool = True
                   ) -> PaymentSpecification:
    return PaymentSpecification(
        payment_id=p.id, run_reference=p.run.reference, run_on=p.run.run_on,
        payment_reference=p.reference, iban_masked=mask_iban(p.iban), total_cents=p.amount_cents,
        lines=lines, sheet_count=count, lines_shown=shown)


@dataclass(frozen=True)
class PaymentLinesPage:
    """One payment with one page of its sheets (SPEC_LINES_PAGE_SIZE), found by `search`."""

    spec: PaymentSpecification  # its lines: this page's
    page: Page
    search: str


def payment_lines(provider_id: int, payment_id: int, page: int = 1, search: str = ""
                  ) -> PaymentLinesPage | None:
    """One payment to this provider (None: not theirs) with a page of the sheets it paid, in
    the order they were made; with `search`, those whose reference, budget holder or household
    contains it. A count and a page over the payment's own items (index on payment_items
    (payment_id, claim_id)): the cost follows the payment, not the database."""
    payment = db.session.scalar(select(Payment).where(Payment.id == payment_id,
                                                      Payment.provider_id == provider_id)
                                .options(selectinload(Payment.run)))
    if payment is None:
        return None
    text = (search or "").strip()[:100]
    items = select_items([payment.id])
    counted = (select(func.count(PaymentItem.id)).where(PaymentItem.payment_id == payment.id))
    if text:
        items = items.where(_sheet_matches(_like(text)))
        counted = (counted.join(Claim, Claim.id == PaymentItem.claim_id)
                   .join(Agreement, Agreement.id == Claim.agreement_id)
                   .where(_sheet_matches(_like(text))))
    total = int(db.session.scalar(counted) or 0)
    shown, offset = paginate(total, page, SPEC_LINES_PAGE_SIZE)
    lines = _lines(provider_id, items.order_by(PaymentItem.claim_id)
                   .limit(SPEC_LINES_PAGE_SIZE).offset(offset), keep_order=True)
    all_count = total if not text else int(db.session.scalar(
        select(func.count(PaymentItem.id)).where(PaymentItem.payment_id == payment.id)) or 0)
    return PaymentLinesPage(spec=_specification(payment, lines.get(payment.id, []), all_count),
                            page=shown, search=text)
