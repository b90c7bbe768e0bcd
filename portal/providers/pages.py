"""Read queries for the provider portal: their agreements, sheets with payment status, and
payment specifications per payment run.

Long because: every read of the provider's pages (agreements, tasks, upcoming and paged
payments) shares one view of a sheet's status; the next split is payments into their own file.

A provider never sees a household's budgets (no grant amounts, nothing available), never a
BSN, and never another provider's data: everything here is selected by `provider_id` and the
view-models below carry only what the pages show. Each page reads through a fixed number of
queries, whatever the number of agreements, sheets or runs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal import dates
from portal.access.constants import Role
from portal.access.models import User
from portal.agreements import service as agreements_service
from portal.agreements.constants import EffectiveStatus, ModelKind, VersionStatus
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.reads import effective_status, version_in_force
from portal.agreements.titles import agreement_titles
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Household
from portal.budgets.service import holder_labels
from portal.claims import rules as claim_rules
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.database import id_in
from portal.dates import format_day, format_month, last_of_month
from portal.extensions import db
from portal.pagination import Page, paginate
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.payments.rules import expected_payment_date
from portal.quantities import quantity_label
from portal.vocabulary import CLAIM_BACK


def _next_payment_day(status: str, today: dt.date) -> dt.date:
    """expected_payment_date of a submitted or approved sheet: always the next run's day."""
    expected = expected_payment_date(status, today)
    assert expected is not None  # ingediend / goedgekeurd are on their way to a run
    return expected


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
    # The status the tag links to on the glossary page (portal.vocabulary): kind and value.
    kind: str = "urenbriefje"
    value: str = ""


def payment_status(status: ClaimStatus | str, *, paid_on: dt.date | None = None,
                   payment_reference: str | None = None,
                   refusal_reason: str | None = None, kind: ClaimKind = ClaimKind.UREN,
                   correction_reason: str | None = None,
                   today: dt.date | None = None) -> PaymentStatus:
    """Pure: what a provider reads about one hour sheet - the status word everyone reads
    (portal.vocabulary), then what the provider needs: when it is expected to be paid
    (payments.rules.expected_payment_date), paid on <date> with <reference>, or why it was
    sent back, is being looked at or was refused. A correction (claims.corrections) says
    whether it is paid or netted, with its reason."""
    status = ClaimStatus(status)
    if kind is ClaimKind.TERUGVORDERING and status.value in CLAIM_BACK:
        value = status.value
        text = CLAIM_BACK[value].label
        if status is ClaimStatus.UITBETAALD:
            text += f" op {format_day(paid_on)}" if paid_on else ""
            if payment_reference:
                text += f" met betaling {payment_reference}"
        return PaymentStatus(text, "ok" if value == "uitbetaald" else "warn", correction_reason,
                             "terugvordering", value)
    shown = _sheet_status(status, paid_on=paid_on, payment_reference=payment_reference,
                          refusal_reason=refusal_reason, correction_reason=correction_reason,
                          today=today)
    return replace(shown, value=status.value)


def _sheet_status(status: ClaimStatus, *, paid_on: dt.date | None,
                  payment_reference: str | None, refusal_reason: str | None,
                  correction_reason: str | None, today: dt.date | None) -> PaymentStatus:
    text, tone = status.label, status.tone
    if status is ClaimStatus.CONCEPT and refusal_reason:
        return PaymentStatus(f"{text}: teruggestuurd door de budgethouder", "warn",
                             refusal_reason)
    if status is ClaimStatus.WACHT_OP_AKKOORD:
        return PaymentStatus(f"{text} van de budgethouder", tone)
    if status in (ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD):
        expected = _next_payment_day(status.value, today or dates.today())
        return PaymentStatus(f"{text}, verwacht betaald op {format_day(expected)}", tone,
                             correction_reason)
    if status in (ClaimStatus.OPGESCHORT, ClaimStatus.AFGEKEURD):
        return PaymentStatus(text, tone, refusal_reason)
    if status is ClaimStatus.UITBETAALD:
        if paid_on is not None:
            text += f" op {format_day(paid_on)}"
        if payment_reference:
            text += f" met kenmerk {payment_reference}"
    return PaymentStatus(text, tone, correction_reason)


@dataclass(frozen=True)
class SheetRow:
    claim_id: int
    reference: str
    month: dt.date
    total_cents: int
    status: PaymentStatus
    claim_status: str = ""  # the stored ClaimStatus, for the tasks (provider_tasks)


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
    holder_name: str = ""  # the budget holder, by name (not "Huishouden Jansen")
    title: str = ""        # "Zorg voor Daan door ... (Jeugdwet)" (agreements.titles)


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
    `only` names, with its sheets newest month first, named by the budget holder and the
    agreement's human title. Seven queries at most."""
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
    holders = holder_labels(a.household_id for a in agreements)
    titles = agreement_titles(a.id for a in agreements)
    sheets: dict[int, list[SheetRow]] = defaultdict(list)
    for c in claims:
        kind = ClaimKind(c.kind)
        assert c.agreement_id is not None  # selected by agreement above
        sheets[c.agreement_id].append(SheetRow(
            claim_id=c.id, reference=c.reference, month=c.month,
            total_cents=claim_rules.claim_amount_cents(kind, c.total_cents),
            status=payment_status(c.status, paid_on=c.paid_on,
                                  payment_reference=references.get(c.id),
                                  refusal_reason=c.refusal_reason, kind=kind,
                                  correction_reason=c.correction_reason),
            claim_status=str(c.status)))
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
            sheets=sheets.get(a.id, []),
            holder_name=holders.get(a.household_id, households.get(a.household_id, "")),
            title=titles[a.id].title if a.id in titles else ""))
    rows.sort(key=lambda r: (r.holder_name, r.reference))
    return rows


@dataclass(frozen=True)
class ProviderTask:
    """One line of the provider's 'Wat moet u doen?': a sentence and the item it links to."""

    text: str
    endpoint: str   # agreements.provider_sign or claims.show
    object_id: int
    link_text: str
    reference: str

    @property
    def link_args(self) -> dict[str, int]:
        key = "agreement_id" if self.endpoint.startswith("agreements.") else "claim_id"
        return {key: self.object_id}


def provider_tasks(rows: list[AgreementRow]) -> tuple[list[ProviderTask], list[ProviderTask]]:
    """Pure: what waits for the provider (an agreement to complete and sign, a sheet sent back
    or refused), then what others are doing with its sheets (the budget holder's akkoord, the
    office checking or paying)."""
    mine: list[ProviderTask] = []
    others: list[ProviderTask] = []
    for row in rows:
        name = row.title or row.holder_name
        if EffectiveStatus.GEDEELD in (row.status, row.pending_status):
            mine.append(ProviderTask(f"{row.holder_name} deelde een zorgovereenkomst met u. "
                                     f"Vul haar aan en onderteken: {name}.",
                                     "agreements.provider_sign", row.agreement_id,
                                     "Aanvullen en ondertekenen", row.reference))
        for sheet in row.sheets:
            month = format_month(sheet.month)
            status = sheet.claim_status
            if status == ClaimStatus.CONCEPT and sheet.status.reason:
                mine.append(ProviderTask(f"{row.holder_name} stuurde het urenbriefje over "
                                         f"{month} terug. Verbeter het: {name}.", "claims.show",
                                         sheet.claim_id, "Bekijk het urenbriefje",
                                         sheet.reference))
            elif status == ClaimStatus.WACHT_OP_AKKOORD:
                others.append(ProviderTask(f"{row.holder_name} geeft akkoord op het urenbriefje "
                                           f"over {month}: {name}.", "claims.show",
                                           sheet.claim_id, "Bekijk het urenbriefje",
                                           sheet.reference))
            elif status in (ClaimStatus.INGEDIEND, ClaimStatus.OPGESCHORT):
                others.append(ProviderTask(f"Het betaalkantoor controleert het urenbriefje over "
                                           f"{month}: {name}.", "claims.show", sheet.claim_id,
                                           "Bekijk het urenbriefje", sheet.reference))
            elif status == ClaimStatus.GOEDGEKEURD:
                others.append(ProviderTask(f"Het urenbriefje over {month} is goedgekeurd en "
                                           f"wordt bij de volgende betaalronde betaald: {name}.",
                                           "claims.show", sheet.claim_id,
                                           "Bekijk het urenbriefje", sheet.reference))
    return mine, others


# Sheet statuses provider_tasks speaks of (a concept only when it was sent back).
TASK_STATUSES = (ClaimStatus.WACHT_OP_AKKOORD, ClaimStatus.INGEDIEND, ClaimStatus.OPGESCHORT,
                 ClaimStatus.GOEDGEKEURD)


def agreements_with_tasks(provider_id: int) -> list[int]:
    """Ids of the provider's agreements that provider_tasks has something to say about: one
    shared for signing, or a sheet sent back, waiting or on its way to payment. One query, so
    the start page's tasks read those agreements only, not every agreement of a large
    organisation."""
    waiting_sheet = exists().where(
        Claim.agreement_id == Agreement.id,
        Claim.status.in_(TASK_STATUSES)
        | ((Claim.status == ClaimStatus.CONCEPT) & Claim.refusal_reason.is_not(None)))
    shared = exists().where(AgreementVersion.agreement_id == Agreement.id,
                            AgreementVersion.status == VersionStatus.GEDEELD)
    return list(db.session.scalars(
        select(Agreement.id).where(Agreement.provider_id == provider_id, waiting_sheet | shared)
        .order_by(Agreement.id)))


def payment_references(claim_ids: list[int]) -> dict[int, str]:
    if not claim_ids:
        return {}
    return dict(db.session.execute(
        select(PaymentItem.claim_id, Payment.reference)
        .join(Payment, Payment.id == PaymentItem.payment_id)
        .where(PaymentItem.claim_id.in_(claim_ids))).all())


@dataclass(frozen=True)
class SpecificationDetail:
    """One kind of care at one rate on a paid sheet: the hours (or day parts) and the rate;
    amount_cents what the budget paid, holder_cents what the budget holder pays the provider
    themselves above the maximum tariff (bijbetaling)."""

    care_label: str
    quantity_label: str
    tariff_cents: int
    amount_cents: int
    holder_cents: int = 0

    @property
    def agreed_cents(self) -> int:
        """The quantity x the agreed tariff: the budget's part and the holder's own."""
        return self.amount_cents + self.holder_cents


@dataclass(frozen=True)
class SpecificationLine:
    claim_reference: str
    holder_name: str  # the budget holder (a provider works for people, not for "households")
    month: dt.date
    amount_cents: int
    details: tuple[SpecificationDetail, ...] = ()
    household_id: int = 0  # whose file the line is from (a look at it is logged)


def _line_details(months: dict[int, dt.date]) -> dict[int, list[SpecificationDetail]]:
    """Per sheet (claim id -> its month): the hours and rate per kind of care (summed over its
    days); a monthly wage's line as the days of the month it pays ("17 van 31 dagen"), as
    on the wage's own page. One query."""
    details: dict[int, list[SpecificationDetail]] = defaultdict(list)
    claim_ids = list(months)
    if not claim_ids:
        return details
    for cid, care_kind, unit, tariff, quantity, amount, holder in db.session.execute(
        select(ClaimLine.claim_id, ClaimLine.care_kind, ClaimLine.unit, ClaimLine.tariff_cents,
               func.sum(ClaimLine.quantity), func.sum(ClaimLine.amount_cents),
               func.sum(ClaimLine.holder_cents))
        .where(id_in(ClaimLine.claim_id, claim_ids))
        .group_by(ClaimLine.claim_id, ClaimLine.care_kind, ClaimLine.unit,
                  ClaimLine.tariff_cents)
        .order_by(ClaimLine.claim_id, ClaimLine.care_kind, ClaimLine.tariff_cents)):
        label = (f"{int(quantity)} van {last_of_month(months[cid]).day} dagen"
                 if unit == Unit.MAANDLOON.value else quantity_label(unit, int(quantity)))
        details[cid].append(SpecificationDetail(CareKind(care_kind).label, label, int(tariff),
                                                int(amount), int(holder or 0)))
    return details


@dataclass(frozen=True)
class UpcomingPayment:
    """An approved or submitted sheet of this provider, not paid yet, and when it is expected."""

    claim_id: int
    claim_reference: str
    holder_name: str
    month: dt.date
    amount_cents: int
    status: ClaimStatus
    expected_on: dt.date


def upcoming_payments(provider_id: int, today: dt.date, limit: int = 100
                      ) -> list[UpcomingPayment]:
    """What this provider will be paid next: the sheets submitted or approved and not paid,
    each with the expected payment date (payments.rules.expected_payment_date). Two queries."""
    rows = db.session.execute(
        select(Claim.id, Claim.reference, Claim.month, Claim.total_cents, Claim.status,
               Agreement.household_id, Claim.kind)
        .join(Agreement, Agreement.id == Claim.agreement_id)
        .where(Agreement.provider_id == provider_id,
               Claim.status.in_([ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD]),
               ~exists().where(PaymentItem.claim_id == Claim.id))
        .order_by(Claim.month, Claim.id).limit(limit)).all()
    holders = holder_labels({row.household_id for row in rows})
    return [UpcomingPayment(row.id, row.reference, holders.get(row.household_id, ""),
                            row.month, claim_rules.claim_amount_cents(row.kind, row.total_cents),
                            ClaimStatus(row.status),
                            _next_payment_day(str(row.status), today))
            for row in rows]


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
                   PaymentItem.amount_cents, Claim.id)
            .join(Claim, Claim.id == PaymentItem.claim_id)
            .join(Agreement, Agreement.id == Claim.agreement_id)
            .where(id_in(PaymentItem.payment_id, payment_ids)))


def _lines(provider_id: int, query, keep_order: bool = False
           ) -> dict[int, list[SpecificationLine]]:
    """Per payment: its specification lines from `query` (select_items), the budget holders
    named (holder_labels); sorted by holder, month and sheet unless `keep_order`."""
    rows = db.session.execute(query.where(Agreement.provider_id == provider_id)).all()
    holders = holder_labels({household for _p, _r, _m, household, _c, _id in rows})
    per_sheet = _line_details({claim_id: month for _p, _r, month, *_rest, claim_id in rows})
    lines: dict[int, list[SpecificationLine]] = defaultdict(list)
    for payment_id, reference, month, household_id, cents, claim_id in rows:
        lines[payment_id].append(SpecificationLine(
            claim_reference=reference, holder_name=holders.get(household_id, ""), month=month,
            amount_cents=cents, details=tuple(per_sheet.get(claim_id, ())),
            household_id=household_id))
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
