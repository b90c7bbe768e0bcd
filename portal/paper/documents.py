"""A small view-model per paper document, built from the services, in a fixed number of queries.

Long because: one view-model per paper document, each small; split when one grows.

Templates only display: every figure, sum and label is computed here. Each view-model has
`title`, `reference` (the code that identifies the document; the QR code carries it),
`made_on` and `qr`, and `template` names its file in pdf_templates/.

Builders take ids or rows and `today` explicitly; they read, never write.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from markupsafe import Markup
from sqlalchemy import extract, func, select
from sqlalchemy.orm import selectinload

from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation, VersionStatus
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.permissions import visible_lines
from portal.agreements.titles import agreement_titles
from portal.budgets.constants import AllowanceKind, CareKind, Law, Unit
from portal.budgets.models import AllowanceUse, Funder, Grant, Household, Member
from portal.budgets.rules import budget_usage, household_total
from portal.budgets.service import holder_labels
from portal.claims import allowances as claims_allowances
from portal.claims import service as claims_service
from portal.claims.constants import RESERVED_STATUSES, ClaimKind, ClaimStatus
from portal.claims.grid import Column, input_value
from portal.claims.models import Claim, ClaimLine
from portal.claims.rules import (
    claim_reference,
    handover_deadline,
    refusal_letter_exists,
    resubmit_deadline,
    submit_deadline,
)
from portal.dates import (
    add_months,
    first_of_month,
    format_day,
    format_month,
    last_of_month,
)
from portal.extensions import db
from portal.money import format_euro
from portal.overview import service as usage_service
from portal.overview.service import (
    GrantFacts,
    household_grant_rows,
    monthly_claim_totals,
    spending_of,
)
from portal.overview.start_page import allowance_lines
from portal.paper.pdf import qr_svg
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.providers.models import Provider
from portal.quantities import quantity_label

OBJECTION_WEEKS = 6  # the term for bezwaar (Algemene wet bestuursrecht, article 6:7)
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")


class NotAvailable(LookupError):
    """The document cannot be made for this item (e.g. a letter for a claim that was not refused)."""


def _qr(reference: str) -> Markup:
    return qr_svg(reference, f"QR-code met het kenmerk {reference}")


def holder_name(household: Household) -> str:
    return holder_labels([household.id])[household.id]


# --------------------------------------------------------------------------- 1. the agreement


@dataclass(frozen=True)
class AgreementLineRow:
    care_kind: str
    unit: str
    tariff_cents: int
    tariff_label: str  # "per uur", "vast maandloon", ...
    weekly: str
    member_name: str
    law: str
    year: int  # the budget's year: two budgets of one member and law are two lines
    funder_name: str
    budget_tariff_cents: int | None


@dataclass(frozen=True)
class AgreementDocument:
    template = "agreement.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    model: str
    model_label: str
    version_number: int
    status_label: str
    holder_name: str
    household_name: str
    members: list[str]
    provider_name: str
    provider_kind: str
    provider_iban: str
    provider_kvk: str | None
    provider_agb: str | None
    provider_email: str | None
    relation_label: str
    starts_on: dt.date
    ends_on: dt.date | None
    end_label: str
    days_per_week: int
    notice_months: int
    top_up: bool
    lines: list[AgreementLineRow]
    signed_on_paper: bool


def _grants_with_names(grant_ids) -> dict[int, tuple[Grant, str, str]]:
    ids = sorted(set(grant_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Grant, Member.name, Funder.name).join(Member, Member.id == Grant.member_id)
        .join(Funder, Funder.id == Grant.funder_id).where(Grant.id.in_(ids))).all()
    return {g.id: (g, member, funder) for g, member, funder in rows}


def agreement_document(agreement: Agreement, today: dt.date,
                       version: AgreementVersion | None = None, viewer=None) -> AgreementDocument:
    """The filled model agreement of the agreement's model kind (the latest version by default).
    A consulent `viewer` gets only the lines of their own funder's budgets (visible_lines)."""
    versions = db.session.scalars(
        select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id)
        .options(selectinload(AgreementVersion.lines)).order_by(AgreementVersion.number)).all()
    if not versions:
        raise NotAvailable("Deze overeenkomst heeft nog geen inhoud.")
    version = versions[-1] if version is None else next(v for v in versions if v.id == version.id)
    provider = db.session.get_one(Provider, agreement.provider_id)
    household = db.session.get_one(Household, agreement.household_id)
    grants = _grants_with_names(line.grant_id for line in version.lines)
    lines = []
    funders = {gid: g.funder_id for gid, (g, _m, _f) in grants.items()}
    for line in visible_lines(viewer, version, funders):
        _grant, member, funder = grants[line.grant_id]
        unit = Unit(line.unit)
        lines.append(AgreementLineRow(
            care_kind=CareKind(line.care_kind).label, unit=unit.value,
            tariff_cents=line.tariff_cents, tariff_label=unit.label,
            weekly=quantity_label(unit, line.weekly_quantity, per_week=True),
            member_name=member, law=Law(_grant.law).label, year=_grant.period_start.year,
            funder_name=funder, budget_tariff_cents=line.budget_tariff_cents))
    members = list(dict.fromkeys(row.member_name for row in lines))
    end_kind = EndKind(version.end_kind)
    if end_kind is EndKind.EINDDATUM and version.ends_on is not None:
        end_label = f"tot en met {format_day(version.ends_on)}"
    else:
        end_label = end_kind.label.lower()
    model = ModelKind(agreement.model)
    reference = f"{agreement.reference}-V{version.number}"
    return AgreementDocument(
        title=f"{model.label} {agreement.reference}", reference=reference, made_on=today,
        qr=_qr(reference), model=model.value, model_label=model.label,
        version_number=version.number, status_label=VersionStatus(version.status).label,
        holder_name=holder_name(household), household_name=household.name, members=members,
        provider_name=provider.name, provider_kind=ProviderKind(provider.kind).label,
        provider_iban=version.iban or provider.iban, provider_kvk=provider.kvk,
        provider_agb=provider.agb,
        provider_email=provider.email, relation_label=Relation(agreement.relation).label,
        starts_on=version.starts_on, ends_on=version.ends_on, end_label=end_label,
        days_per_week=version.days_per_week, notice_months=version.notice_months,
        top_up=bool(version.top_up), lines=lines, signed_on_paper=bool(version.signed_on_paper))


# --------------------------------------------------------------------------- 2. the hour sheet


@dataclass(frozen=True)
class SheetKind:
    care_kind: str
    unit_label: str
    tariff_cents: int
    member_name: str
    law: str
    budget_label: str  # "Anna Jansen, Wlz (2026)": two budgets of one member and law differ
    hint: str  # what to write in the box


@dataclass(frozen=True)
class SheetDay:
    day: dt.date
    weekday: str
    covered: bool  # inside the agreement's approved period
    values: tuple[str, ...] = ()  # per kind: what the sheet holds that day (a copy), or ()


@dataclass(frozen=True)
class HourSheetDocument:
    template = "hour_sheet.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    month: dt.date
    agreement_reference: str
    holder_name: str
    provider_name: str
    members: list[str]
    kinds: list[SheetKind]
    days: list[SheetDay]
    handover_by: dt.date
    submit_by: dt.date
    note: str
    claim_status: str | None
    # A sheet that has hours prints them: a copy of what was filled in or submitted (this
    # line says which); a month without hours prints the blank pre-filled form.
    copy_note: str = ""
    totals: tuple[str, ...] = ()


UNIT_HINTS = {Unit.UUR: "uren:minuten", Unit.DAGDEEL: "aantal dagdelen",
              Unit.ETMAAL: "aantal etmalen"}


def hour_sheet_layout(agreement: Agreement, month: dt.date) -> tuple[list[SheetDay], list[Column]]:
    """The days of the paper sheet and its columns (claims.service.paper_sheet, three queries).

    Raises NotAvailable when there is no paper sheet (claims.service.sheet_printable says the
    same to the pages): no approved version governs a day of the month, or nothing is left to
    write down (a fixed monthly wage is paid without a sheet).
    """
    sheet = claims_service.paper_sheet(agreement, month)
    if sheet.why_not is not None:
        raise NotAvailable(sheet.why_not)
    days = [SheetDay(day, WEEKDAY_SHORT[day.weekday()], covered) for day, covered in sheet.days]
    return days, sheet.columns


def hour_sheet_document(agreement: Agreement, month: dt.date, today: dt.date) -> HourSheetDocument:
    """A pre-filled model hour sheet for one agreement and month, carrying the claim reference.
    When the month's sheet has hours, they are printed in the grid (a copy, marked as such)."""
    month = first_of_month(month)
    days, columns = hour_sheet_layout(agreement, month)
    kinds = [SheetKind(care_kind=c.care_label, unit_label=c.unit_label,
                       tariff_cents=c.tariff_cents, member_name=c.member_name,
                       law=Law(c.law).label, budget_label=c.budget_label,
                       hint=UNIT_HINTS[Unit(c.unit)])
             for c in columns]
    provider = db.session.get_one(Provider, agreement.provider_id)
    household = db.session.get_one(Household, agreement.household_id)
    claim = db.session.scalar(select(Claim).where(Claim.agreement_id == agreement.id,
                                                  Claim.month == month,
                                                  Claim.kind == ClaimKind.UREN))
    copy_note = ""
    totals: tuple[str, ...] = ()
    if claim is not None and claim.lines:
        days, totals = _filled_in(days, columns, claim.lines)
        copy_note = _copy_note(claim)
    reference = claim_reference(agreement.id, month)
    return HourSheetDocument(
        title=agreement_titles([agreement.id])[agreement.id].sheet(month), reference=reference,
        made_on=today, qr=_qr(reference), month=month, agreement_reference=agreement.reference,
        holder_name=holder_name(household), provider_name=provider.name,
        members=list(dict.fromkeys(k.member_name for k in kinds)), kinds=kinds, days=days,
        handover_by=handover_deadline(month), submit_by=submit_deadline(month),
        note=claim.note if claim is not None else "",
        claim_status=ClaimStatus(claim.status).label if claim is not None else None,
        copy_note=copy_note, totals=totals)


def _filled_in(days: list[SheetDay], columns: Sequence[Column],
               lines: Sequence[ClaimLine]) -> tuple[list[SheetDay], tuple[str, ...]]:
    """The days with the sheet's quantities per column (as typed: '2:15'), and the totals."""
    quantities: dict[tuple[dt.date, tuple[str, int]], int] = defaultdict(int)
    for line in lines:
        quantities[(line.day, (str(line.care_kind), line.grant_id))] += line.quantity
    filled = [replace(d, values=tuple(
        input_value(c.unit, quantities[(d.day, c.key)]) if (d.day, c.key) in quantities else ""
        for c in columns)) for d in days]
    totals = tuple(input_value(c.unit, sum(q for (_day, key), q in quantities.items()
                                           if key == c.key)) for c in columns)
    return filled, totals


def _copy_note(claim: Claim) -> str:
    status = ClaimStatus(claim.status)
    if claim.submitted_at is not None and status is not ClaimStatus.CONCEPT:
        return (f"Kopie van het urenbriefje zoals het is ingediend op "
                f"{format_day(claim.submitted_at.date())} (status: {status.label.lower()}). "
                "Stuur deze kopie niet opnieuw in.")
    return (f"Kopie van wat er nu op het urenbriefje staat (status: {status.label.lower()}). "
            "Het is nog niet ingediend.")


# --------------------------------------------------------------------------- 3. the statement


@dataclass(frozen=True)
class BudgetFigures:
    label: str  # "Wlz - Zorgkantoor Midden-Nederland"
    law: str
    funder_name: str
    period_start: dt.date
    period_end: dt.date
    granted_cents: int
    paid_cents: int
    in_progress_cents: int
    available_cents: int
    committed_cents: int
    runout_month: dt.date | None
    will_not_last: bool
    shortfall_cents: int
    prognosis: bool = True  # False: the period is over or not begun (no prognosis)
    runout_label: str = ""  # "maart 2026", "houdt het", "geen prognose"
    verdict: str = ""  # "Genoeg tot 31 december 2026" / "€ 715,00 tekort" (budget_verdict)
    allowances: list[str] = field(default_factory=list)  # the start page's Wlz lines


@dataclass(frozen=True)
class MemberBlock:
    name: str
    budgets: list[BudgetFigures]


@dataclass(frozen=True)
class MonthLine:
    label: str  # "Anna Jansen, Wlz" or "Anna Jansen, Wlz: vrij besteedbaar bedrag"
    paid_cents: int
    in_progress_cents: int
    cents: int


@dataclass(frozen=True)
class MonthBlock:
    month: dt.date
    lines: list[MonthLine]
    paid_cents: int
    in_progress_cents: int
    cents: int


@dataclass(frozen=True)
class StatementDocument:
    template = "statement.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    household_name: str
    holder_name: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date  # the amounts are as they were known on this day (the day it was made)
    members: list[MemberBlock]
    months: list[MonthBlock]
    granted_cents: int
    paid_cents: int
    in_progress_cents: int
    available_cents: int
    committed_cents: int
    first_runout_month: dt.date | None
    short_budgets: int
    shortfall_cents: int
    period_paid_cents: int
    period_in_progress_cents: int
    period_cents: int
    budget_count: int = 0
    warnings: list[str] = field(default_factory=list)
    month_rows: list[list[MonthBlock]] = field(default_factory=list)  # two blocks a row
    allowance_cents: int = 0  # allowance spending in the period (in period_paid_cents)
    # What the budget holder paid (or will pay) providers themselves in the period, above what
    # the budgets pay (bijbetaling; not in the budget figures).
    top_up_cents: int = 0
    any_without_prognosis: bool = False

    @property
    def addressee(self) -> tuple[str, ...]:
        """The letter's addressee (the window of the envelope): a letter has one."""
        return (self.holder_name, f"Huishouden {self.household_name}")


def statement_reference(household_id: int, start: dt.date, end: dt.date) -> str:
    return f"OV-{household_id:06d}-{start:%Y%m}-{end:%Y%m}"


def _runout_label(figures_prognosis: bool, runout: dt.date | None) -> str:
    if not figures_prognosis:
        return "geen prognose"
    return format_month(runout) if runout is not None else "houdt het"


def _top_up_cents(grant_ids: Sequence[int], start: dt.date, end: dt.date) -> int:
    """The budget holder's own share (ClaimLine.holder_cents) of the sheets paid or in progress
    for care from `start` to `end` on these grants. One query."""
    if not grant_ids:
        return 0
    return int(db.session.scalar(
        select(func.coalesce(func.sum(ClaimLine.holder_cents), 0))
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .where(ClaimLine.grant_id.in_(list(grant_ids)), ClaimLine.day >= start,
               ClaimLine.day <= end,
               Claim.status.in_([ClaimStatus.UITBETAALD, *RESERVED_STATUSES]))) or 0)


def statement_document(household_id: int, period_start: dt.date, period_end: dt.date,
                       today: dt.date) -> StatementDocument:
    """The budget statement of a household over whole months [period_start, period_end].

    Every budget of the household whose period overlaps the statement's period. For the budgets
    that run today the figures are the start page's own (overview.service.household_usage on
    `today`: granted, paid, in progress, available, the prognosis and the run-out month, and
    the Wlz allowances of claims.allowances.allowance_status as the start page words them); an
    earlier (or later) budget shows its running totals, without a prognosis. All amounts are as
    known today. The monthly spending covers every month of the period, also across two budget
    years: per budget the claims by month of care (paid and in progress) and the Wlz allowance
    spending by the month it was spent, which "Uitbetaald" also contains. The grants and the
    claim totals come from overview.service's own queries (household_grant_rows,
    monthly_claim_totals), over the statement's period. Eleven queries at most: household_usage's
    three, allowance_status's two, the household, the grants, the claim totals, the allowance
    spending, the top-ups (_top_up_cents) and the budget holder's name.
    """
    start, end = first_of_month(period_start), last_of_month(period_end)
    if end < start:
        raise NotAvailable("Het einde van de periode ligt voor het begin.")
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotAvailable("Dit huishouden bestaat niet.")
    # the start page's own figures, from the one function (read through its module)
    usage = usage_service.household_usage(household_id, today)
    # The budgets running today (the start page also shows earlier and later ones).
    current = {row.grant_id: row for row in usage.rows
               if not row.last_year and not row.next_year}
    grants = household_grant_rows(household_id, start, end)
    ids = [g.id for g in grants]
    spending, allowance_spent = _period_spending(ids, start, end)
    allowances = claims_allowances.allowance_status(
        [GrantFacts(g.id, Law(g.law), g.period_start, g.amount_cents) for g in grants])
    members, usages, names = _member_blocks(grants, current, allowances, today)
    months = _month_blocks(grants, names, spending, allowance_spent, start, end)
    total = household_total(usages)
    warnings = _shortfall_warnings(members)
    reference = statement_reference(household_id, start, end)
    if start == first_of_month(end):
        period_text = format_month(start)
    else:
        period_text = f"{format_day(start)} tot en met {format_day(end)}"
    budgets = [b for m in members.values() for b in m.budgets]
    return StatementDocument(
        title=f"Budgetoverzicht {period_text}", reference=reference, made_on=today,
        qr=_qr(reference), household_name=household.name, holder_name=holder_name(household),
        period_start=start, period_end=end, as_of=today, members=list(members.values()),
        months=months, granted_cents=total.granted_cents, paid_cents=total.paid_cents,
        in_progress_cents=total.in_progress_cents, available_cents=total.available_cents,
        committed_cents=total.committed_cents, first_runout_month=total.first_runout_month,
        short_budgets=total.short_budgets, shortfall_cents=total.shortfall_cents,
        period_paid_cents=sum(m.paid_cents for m in months),
        period_in_progress_cents=sum(m.in_progress_cents for m in months),
        period_cents=sum(m.cents for m in months), budget_count=total.budget_count,
        warnings=warnings, month_rows=[months[i:i + 2] for i in range(0, len(months), 2)],
        allowance_cents=sum(allowance_spent.values()),
        top_up_cents=_top_up_cents(ids, start, end),
        any_without_prognosis=any(not b.prognosis for b in budgets))


def _period_spending(ids: list[int], start: dt.date, end: dt.date):
    """Per (grant, month of care) the claims [paid, in progress]; per (grant, allowance kind,
    month spent) the Wlz allowance spending. Two queries (none without grants)."""
    spending: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    allowance_spent: dict[tuple[int, str, dt.date], int] = defaultdict(int)
    if not ids:
        return spending, allowance_spent
    for grant_id, _agreement_id, month, status, kind, cents in monthly_claim_totals(
            ids, start, end):
        counted = spending_of(status, kind, cents)
        if counted is not None:
            spending[(grant_id, month)][counted[0]] += counted[1]
    year, month_of = extract("year", AllowanceUse.spent_on), extract("month", AllowanceUse.spent_on)
    for grant_id, kind, y, m, cents in db.session.execute(
            select(AllowanceUse.grant_id, AllowanceUse.kind, year, month_of,
                   func.sum(AllowanceUse.amount_cents))
            .where(AllowanceUse.grant_id.in_(ids), AllowanceUse.spent_on >= start,
                   AllowanceUse.spent_on <= end)
            .group_by(AllowanceUse.grant_id, AllowanceUse.kind, year, month_of)):
        allowance_spent[(grant_id, str(kind), dt.date(int(y), int(m), 1))] += int(cents)
    return spending, allowance_spent


def _member_blocks(grants, current, allowances, today: dt.date):
    """Per member their budgets' figures (the start page's for a budget running today, its
    own totals without a prognosis for an earlier or later one); the usages for the
    household's total; each grant's name in the monthly table."""
    members: dict[int, MemberBlock] = {}
    usages = []
    names: dict[int, str] = {}
    same_budget: dict[tuple[int, str], int] = defaultdict(int)
    for g in grants:
        same_budget[(g.member_id, g.law)] += 1
    for g in grants:
        law = Law(g.law)
        row = current.get(g.id)
        if row is not None:
            u, prognosis = row.usage, True
            will, short, verdict = row.will_not_last, row.shortfall_cents, row.verdict.label
        else:  # over, or not begun: its own totals as known today, no prognosis
            u = budget_usage(granted_cents=g.amount_cents, paid_cents=g.paid_cents,
                             in_progress_cents=g.reserved_cents, committed_cents=0,
                             period_start=g.period_start, period_end=g.period_end,
                             monthly_spending={}, today=today)
            u = replace(u, runout_month=None)
            prognosis, will, short, verdict = False, False, 0, ""
        usages.append(u)
        names[g.id] = f"{g.member_name}, {law.label}" + (
            f" ({g.period_start.year})" if same_budget[(g.member_id, g.law)] > 1 else "")
        members.setdefault(g.member_id, MemberBlock(g.member_name, [])).budgets.append(BudgetFigures(
            label=f"{law.label} - {g.funder_name}", law=law.label, funder_name=g.funder_name,
            period_start=g.period_start, period_end=g.period_end, granted_cents=u.granted_cents,
            paid_cents=u.paid_cents, in_progress_cents=u.in_progress_cents,
            available_cents=u.available_cents, committed_cents=u.committed_cents,
            runout_month=u.runout_month, will_not_last=will, shortfall_cents=short,
            prognosis=prognosis, runout_label=_runout_label(prognosis, u.runout_month),
            verdict=verdict,
            allowances=[line.text for line in allowance_lines(allowances.get(g.id, {}))]))
    return members, usages, names


def _month_blocks(grants, names: dict[int, str], spending, allowance_spent, start: dt.date,
                  end: dt.date) -> list[MonthBlock]:
    """Every month of the period: per budget its claims and allowance spending, and totals."""
    kind_labels = {k.value: k.label.lower() for k in AllowanceKind}
    months = []
    month = start
    while month <= end:
        lines = []
        for g in grants:
            paid, busy = spending.get((g.id, month), (0, 0))
            if paid or busy:
                lines.append(MonthLine(names[g.id], paid, busy, paid + busy))
            for kind in AllowanceKind:
                cents = allowance_spent.get((g.id, kind.value, month), 0)
                if cents:
                    lines.append(MonthLine(f"{names[g.id]}: {kind_labels[kind.value]}", cents, 0,
                                           cents))
        months.append(MonthBlock(month, lines, sum(x.paid_cents for x in lines),
                                 sum(x.in_progress_cents for x in lines),
                                 sum(x.cents for x in lines)))
        month = add_months(month, 1)
    return months


def _shortfall_warnings(members: dict[int, MemberBlock]) -> list[str]:
    warnings = []
    for member in members.values():
        for b in member.budgets:
            if b.will_not_last:
                text = (f"het budget {b.law} van {member.name} is niet genoeg tot "
                        f"{format_day(b.period_end)}: u komt {format_euro(b.shortfall_cents)} tekort")
                if b.runout_month is not None:
                    text += f" (op in {format_month(b.runout_month)})"
                warnings.append(text + ". Neem contact op met de financier of pas de zorg aan.")
    return warnings


# --------------------------------------------------------------------------- 4. payment spec


@dataclass(frozen=True)
class SpecLine:
    claim_reference: str
    month: dt.date
    agreement_reference: str
    household_name: str
    amount_cents: int
    holder_name: str = ""  # the budget holder (the household's name when it has no login)


@dataclass(frozen=True)
class PaymentSpecDocument:
    template = "payment_spec.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    run_reference: str
    run_on: dt.date
    provider_name: str
    iban: str
    lines: list[SpecLine]
    amount_cents: int
    to_holder: bool = False  # a payment to the budget holder's own account (the free amount)

    @property
    def addressee(self) -> tuple[str, ...]:
        if self.to_holder:
            return (self.provider_name,)
        return (self.provider_name, "t.a.v. de administratie")


def payment_spec_document(payment: Payment, today: dt.date) -> PaymentSpecDocument:
    """What one transfer of a payment run paid a provider: every hour sheet and its amount;
    or, a payment to a budget holder's own account, the free amount and any claim-back
    netted against it (with its sign)."""
    run = db.session.get_one(PaymentRun, payment.run_id)
    if payment.provider_id is None:
        return _holder_payment_spec(payment, run, today)
    provider = db.session.get_one(Provider, payment.provider_id)
    rows = db.session.execute(
        select(PaymentItem.amount_cents, Claim.reference, Claim.month, Agreement.reference,
               Household.name, Household.id)
        .join(Claim, Claim.id == PaymentItem.claim_id)
        .join(Agreement, Agreement.id == Claim.agreement_id)
        .join(Household, Household.id == Agreement.household_id)
        .where(PaymentItem.payment_id == payment.id)
        .order_by(Claim.month, Claim.reference)).all()
    holders = holder_labels(row[5] for row in rows)
    lines = [SpecLine(ref, month, a_ref, household, amount, holders[household_id])
             for amount, ref, month, a_ref, household, household_id in rows]
    return PaymentSpecDocument(
        title=f"Betaalspecificatie {payment.reference}", reference=payment.reference,
        made_on=today, qr=_qr(payment.reference), run_reference=run.reference, run_on=run.run_on,
        provider_name=provider.name, iban=payment.iban, lines=lines,
        amount_cents=payment.amount_cents)


def _holder_payment_spec(payment: Payment, run: PaymentRun, today: dt.date
                         ) -> PaymentSpecDocument:
    assert payment.household_id is not None  # a payment without a provider pays a household
    household = db.session.get_one(Household, payment.household_id)
    name = holder_labels([household.id])[household.id]
    rows = db.session.execute(
        select(PaymentItem.amount_cents, Claim.reference, Claim.month, Claim.kind)
        .join(Claim, Claim.id == PaymentItem.claim_id)
        .where(PaymentItem.payment_id == payment.id)
        .order_by(Claim.id)).all()
    lines = [SpecLine(ref, month, ClaimKind(kind).label, household.name, amount, name)
             for amount, ref, month, kind in rows]
    return PaymentSpecDocument(
        title=f"Betaalspecificatie {payment.reference}", reference=payment.reference,
        made_on=today, qr=_qr(payment.reference), run_reference=run.reference, run_on=run.run_on,
        provider_name=name, iban=payment.iban, lines=lines, amount_cents=payment.amount_cents,
        to_holder=True)


# --------------------------------------------------------------------------- 5. refusal letter


@dataclass(frozen=True)
class RefusalLetterDocument:
    template = "refusal_letter.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    holder_name: str
    household_name: str
    provider_name: str
    claim_reference: str
    month: dt.date
    agreement_reference: str
    amount_cents: int
    reason: str
    decided_on: dt.date | None
    submit_by: dt.date
    late: bool

    @property
    def addressee(self) -> tuple[str, ...]:
        return (self.holder_name, f"Huishouden {self.household_name}")

    @property
    def objection_by(self) -> dt.date:
        """Bezwaar: within 6 weeks after the day of the decision (Awb 6:7)."""
        return (self.decided_on or self.made_on) + dt.timedelta(weeks=OBJECTION_WEEKS)


def refusal_letter_document(claim: Claim, today: dt.date) -> RefusalLetterDocument:
    """A letter that explains why an hour sheet was refused, and what to do now."""
    if not refusal_letter_exists(claim.status):
        raise NotAvailable("Dit urenbriefje is niet afgekeurd.")
    agreement = db.session.get_one(Agreement, claim.agreement_id)
    household = db.session.get_one(Household, agreement.household_id)
    provider = db.session.get_one(Provider, agreement.provider_id)
    reference = f"AFW-{claim.reference}"
    decided = claim.decided_at.date() if claim.decided_at is not None else None
    # The screen's rule (claims.rules.check_submit_in_time): at least RESUBMIT_WEEKS after it.
    deadline = resubmit_deadline(submit_deadline(claim.month), decided)
    return RefusalLetterDocument(
        title=f"Uw urenbriefje over {format_month(claim.month)} is afgekeurd",
        reference=reference, made_on=today, qr=_qr(reference),
        holder_name=holder_name(household), household_name=household.name,
        provider_name=provider.name, claim_reference=claim.reference, month=claim.month,
        agreement_reference=agreement.reference, amount_cents=claim.total_cents,
        reason=claim.refusal_reason or "", decided_on=decided, submit_by=deadline,
        late=today > deadline)
