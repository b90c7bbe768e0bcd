"""Use cases on corrections after payment (correction_rules has the decisions).

History is never edited: a paid sheet or wage keeps its lines, its payment and its events. A
correction is a claim of its own (kind nabetaling or terugvordering) that names the claim it
corrects and why, approved when it is made (the one compare-and-set home,
claims.service._transition): a back-payment reserves its lines on the budgets and is paid by
the next run like a sheet; a claim-back reserves nothing and is netted against the provider's
next payments (payments.rules.group_into_payments), which then gives the budget its money back
(budgets.service.refund).

Who makes them: the payment office on a paid sheet (correct_paid_claim: the quantity per
line), a paid fixed monthly wage (correct_paid_wage: the days and the wage per line) or a paid
Wlz allowance (correct_paid_allowance: the amount, within its yearly cap; a claim-back of a
free amount paid to the holder is recorded for the holder and only ever netted against a later
payment to them, never paid out), and the portal when
a funder approves a change that governs months already paid (apply_approved_change, called by
funders.service.decide). That same change re-prices the sheets of those months that are not
paid yet (reprice_unpaid), so a correct sheet is never put on hold because its tariff changed
after it was submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.access.models import User
from portal.access.permissions import household_recipients, provider_recipients, require_office
from portal.access.service import record
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.periods import version_for_day
from portal.budgets import service as budgets_service
from portal.budgets.constants import FREE_ALLOWANCE_MAX_CENTS, CareKind, Law, Unit
from portal.budgets.models import Grant, Member
from portal.claims import allowances, correction_rules, rules
from portal.claims.constants import (
    ALLOWANCE_KINDS,
    RESERVED_STATUSES,
    ClaimKind,
    ClaimSource,
    ClaimStatus,
)
from portal.claims.correction_rules import LineKey, LineTotal, WageFix
from portal.claims.models import Claim, ClaimEvent
from portal.claims.rules import Action, LineInput, PricedLine, Side
from portal.claims.service import (
    _Notice,
    _set_lines,
    _sheet_label,
    _transition,
    claim_shares,
    sheet_facts,
)
from portal.dates import first_of_month, format_day, format_month, month_days, now
from portal.extensions import db
from portal.money import format_euro
from portal.providers.models import Provider
from portal.quantities import format_minutes, quantity_label
from portal.refusals import Refusal, Refused, refuse_if

CORRECTS = "een correctie vastleggen"
UNPAID = frozenset({ClaimStatus.CONCEPT, ClaimStatus.WACHT_OP_AKKOORD, ClaimStatus.INGEDIEND,
                    ClaimStatus.OPGESCHORT, ClaimStatus.GOEDGEKEURD})


def corrections_of(claim: Claim) -> list[Claim]:
    """The corrections of a claim, oldest first, with their lines."""
    return list(db.session.scalars(
        select(Claim).where(Claim.corrects_claim_id == claim.id)
        .options(selectinload(Claim.lines)).order_by(Claim.id)))


def paid_so_far(claim: Claim) -> dict[LineKey, LineTotal]:
    """Per agreement line: what the claim and its corrections (back-payments plus,
    claim-backs minus) pay together."""
    parts = [correction_rules.line_totals(claim.lines)]
    parts += [correction_rules.line_totals(c.lines, ClaimKind(c.kind).sign)
              for c in corrections_of(claim)]
    return correction_rules.add_totals(*parts)


def _next_sequence(agreement_id: int, month: dt.date, kind: ClaimKind) -> int:
    return int(db.session.scalar(select(func.coalesce(func.max(Claim.sequence), 0)).where(
        Claim.agreement_id == agreement_id, Claim.month == month, Claim.kind == kind)) or 0) + 1


def holder_sequence(claim: Claim, kind: ClaimKind) -> int:
    """The next number of a correction of `kind` of a claim paid to the budget holder: one
    numbering for the office's corrections and the free amount's claim-backs alike."""
    return int(db.session.scalar(select(func.coalesce(func.max(Claim.sequence), 0)).where(
        Claim.corrects_claim_id == claim.id, Claim.kind == kind)) or 0) + 1


def _correction_claim(claim: Claim, agreement: Agreement | None, kind: ClaimKind, reason: str,
                      actor: User | None) -> Claim:
    """A new correction of `kind` of `claim`, numbered per agreement, month and kind (or, for
    a claim paid to the budget holder, per claim and kind)."""
    if agreement is not None:
        sequence = _next_sequence(agreement.id, claim.month, kind)
        reference = correction_rules.correction_reference(kind, agreement.id, claim.month,
                                                          sequence)
    else:
        sequence = holder_sequence(claim, kind)
        reference = correction_rules.holder_correction_reference(kind, claim.reference,
                                                                 sequence)
    return Claim(reference=reference, agreement_id=claim.agreement_id,
                 household_id=claim.household_id, month=claim.month, kind=kind,
                 sequence=sequence, corrects_claim_id=claim.id, correction_reason=reason,
                 source=ClaimSource.PORTAL, submitted_at=now(), decided_at=now(),
                 prepared_by_id=actor.id if actor else None)


def _correction_body(kind: ClaimKind, to_holder: bool) -> str:
    if kind is ClaimKind.NABETALING:
        return ("Dit bedrag wordt bij de volgende betaalronde betaald"
                + (" op uw eigen rekening." if to_holder else "."))
    if to_holder:
        return ("Dit bedrag is te veel betaald op uw eigen rekening. Het betaalkantoor "
                "verrekent het met een volgende betaling aan u, of neemt contact met u op.")
    return ("Dit bedrag wordt verrekend met de volgende betaling aan de zorgverlener; "
            "is die kleiner, dan schuift het door naar de betaling daarna.")


def make_corrections(actor: User | None, claim: Claim, due: dict[LineKey, LineTotal],
                     reason: str) -> list[Claim]:
    """The corrections that make `claim` (with its earlier corrections) pay `due`: a
    back-payment and/or a claim-back, approved at once; both sides are told (the budget
    holder alone for a claim paid to their own account: a claim-back is recorded for them
    and only ever netted against a later payment to them). [] when nothing differs. Refused
    (nothing written) when a back-payment does not fit its budget."""
    agreement = (db.session.get_one(Agreement, claim.agreement_id)
                 if claim.agreement_id is not None else None)
    household_id = agreement.household_id if agreement is not None else claim.household_id
    assert household_id is not None  # a claim without agreement names its household
    side = Side.SYSTEM if actor is None else Side.OFFICE
    made = []
    by_kind = correction_rules.correction_lines(paid_so_far(claim), due, claim.month)
    for kind in (ClaimKind.NABETALING, ClaimKind.TERUGVORDERING):
        if kind not in by_kind:
            continue
        lines = by_kind[kind]
        new = _correction_claim(claim, agreement, kind, reason, actor)

        def effect(new=new, kind=kind, lines=lines) -> None:
            if kind is ClaimKind.NABETALING:
                budgets_service.reserve(rules.shares_of(lines))
            _set_lines(new, lines)

        what = correction_rules.describe(kind, lines)
        body = (f"{what} over {format_month(claim.month)}, bij {_sheet_label(claim)}. "
                f"Reden: {reason} " + _correction_body(kind, agreement is None))
        users = household_recipients(household_id)
        if agreement is not None:
            users = users + provider_recipients(agreement.provider_id)

        def notices(c: Claim, body: str = body, users: list = users) -> list[_Notice]:
            return [_Notice(users, "claim_corrected",
                            f"{ClaimKind(c.kind).label} {c.reference} ({format_month(c.month)})",
                            body)]

        made.append(_transition(
            new, Action.CORRECTION_DUE, side, actor=actor, on_behalf_of=None,
            household_id=household_id, audit="correction", effect=effect,
            reason=reason, summary=f"{what} ({new.reference}) bij {claim.reference}: {reason}",
            notices=notices))
    return made


# --------------------------------------------------------------------------- the office


@dataclass(frozen=True)
class CorrectionRow:
    """One agreement line of a paid sheet as the office's correction form shows it."""

    key: LineKey
    field_name: str  # the form's input for the right quantity
    care_label: str
    budget_label: str
    unit: str
    quantity: int  # paid so far (with earlier corrections)
    amount_cents: int
    tariff_cents: int = 0  # per unit (a wage: the monthly wage)

    @property
    def quantity_text(self) -> str:
        return (format_minutes(self.quantity) if self.unit in (Unit.UUR, Unit.UUR.value)
                else str(self.quantity))

    @property
    def quantity_label(self) -> str:
        return quantity_label(self.unit, self.quantity)


def correction_rows(claim: Claim) -> list[CorrectionRow]:
    """The agreement lines of a paid sheet with what they pay so far: the office's form."""
    paid = paid_so_far(claim)
    grants = {g.id: g for g in db.session.scalars(
        select(Grant).where(Grant.id.in_({key[1] for key in paid})))}
    members = {m.id: m.name for m in db.session.scalars(
        select(Member).where(Member.id.in_({g.member_id for g in grants.values()})))}
    rows = []
    for i, (key, total) in enumerate(sorted(paid.items())):
        grant = grants[key[1]]
        rows.append(CorrectionRow(
            key=key, field_name=f"aantal-{i}", care_label=CareKind(key[0]).label,
            budget_label=f"{members[grant.member_id]}, {Law(grant.law).label} "
                         f"({grant.period_start.year})",
            unit=total.unit, quantity=total.quantity, amount_cents=total.amount_cents,
            tariff_cents=total.tariff_cents))
    return rows


def _budget_tariffs(claim: Claim, agreement: Agreement) -> dict[LineKey, int]:
    """Per agreement line of the sheet: what the budget pays per unit, from the approved
    version that governed the line's first day (the tariff, or less when the holder tops up)."""
    facts, _grants = sheet_facts(agreement, claim.month)
    periods = [v.period for v in facts.versions]
    by_number = {v.period.number: v for v in facts.versions}
    tariffs: dict[LineKey, int] = {}
    for line in sorted(claim.lines, key=lambda ln: ln.day):
        key = (str(line.care_kind), line.grant_id)
        if key in tariffs:
            continue
        tariffs[key] = line.tariff_cents
        period = version_for_day(periods, line.day)
        if period is not None:
            for agreed in by_number[period.number].lines:
                if (str(agreed.care_kind), agreed.grant_id) == key:
                    tariffs[key] = agreed.paid_tariff_cents
    return tariffs


def correct_paid_claim(actor: User, claim: Claim, quantities: dict[LineKey, int],
                       reason: str) -> list[Claim]:
    """The payment office found a paid sheet wrong: `quantities` holds the right quantity
    (minutes for hourly care) of the agreement lines it corrects. Makes the back-payment
    and/or claim-back for the difference with what was paid (with earlier corrections)."""
    require_office(actor, CORRECTS)
    db.session.refresh(claim, with_for_update=True)
    if claim.status != ClaimStatus.UITBETAALD or claim.kind != ClaimKind.UREN:
        raise Refused(Refusal("not_paid", "Alleen een uitbetaald urenbriefje kunt u "
                              "corrigeren. Een urenbriefje dat nog niet betaald is, keurt u "
                              "af of schort u op.", "status"))
    reason = (reason or "").strip()
    paid = paid_so_far(claim)
    refuse_if(correction_rules.check_correction(reason, quantities, paid))
    agreement = db.session.get_one(Agreement, claim.agreement_id)
    due = correction_rules.corrected_totals(paid, quantities, _budget_tariffs(claim, agreement))
    made = make_corrections(actor, claim, due, reason)
    if not made:
        raise Refused(Refusal("nothing_changed", "Met deze aantallen verandert het bedrag "
                              "niet; er is geen correctie nodig.", "lines"))
    return made


def _lock_paid(actor: User, claim: Claim, kinds: set[ClaimKind], what: str) -> None:
    require_office(actor, CORRECTS)
    db.session.refresh(claim, with_for_update=True)
    if claim.status != ClaimStatus.UITBETAALD or ClaimKind(claim.kind) not in kinds:
        raise Refused(Refusal("not_paid", f"Alleen {what} dat is uitbetaald, kunt u hier "
                              "corrigeren.", "status"))


def _made_or_refused(made: list[Claim]) -> list[Claim]:
    if not made:
        raise Refused(Refusal("nothing_changed", "Hiermee verandert het bedrag niet; er is "
                              "geen correctie nodig.", "lines"))
    return made


@dataclass(frozen=True)
class WageCorrectionRow:
    """One line of a paid fixed monthly wage as the office's correction form shows it."""

    key: LineKey
    field_name: str  # the form's inputs: f"{field_name}-dagen" and f"{field_name}-loon"
    care_label: str
    budget_label: str
    days: int  # paid so far (with earlier corrections)
    days_in_month: int
    wage_cents: int
    amount_cents: int


def wage_correction_rows(claim: Claim) -> list[WageCorrectionRow]:
    """The lines of a paid wage with the days and wage they pay so far: the office's form."""
    days_in_month = len(month_days(claim.month))
    return [WageCorrectionRow(row.key, row.field_name, row.care_label, row.budget_label,
                              row.quantity, days_in_month, row.tariff_cents, row.amount_cents)
            for row in correction_rows(claim)]


def correct_paid_wage(actor: User, claim: Claim, fixes: dict[LineKey, WageFix],
                      reason: str) -> list[Claim]:
    """The payment office found a paid fixed monthly wage wrong: `fixes` holds, per line it
    corrects, the days of the month the wage was due (a first or last month) and the monthly
    wage. Makes the back-payment and/or claim-back for the difference with what was paid."""
    _lock_paid(actor, claim, {ClaimKind.LOON}, "een maandloon")
    reason = (reason or "").strip()
    paid = paid_so_far(claim)
    days_in_month = len(month_days(claim.month))
    refuse_if(correction_rules.check_wage_correction(reason, fixes, paid, days_in_month))
    due = correction_rules.corrected_wage_totals(paid, fixes, days_in_month)
    return _made_or_refused(make_corrections(actor, claim, due, reason))


@dataclass(frozen=True)
class AllowanceCorrection:
    """A paid allowance claim as the office's correction form shows it."""

    kind: ClaimKind
    payee: str
    amount_cents: int  # paid so far (with earlier corrections)


def allowance_correction(claim: Claim) -> AllowanceCorrection:
    [total] = paid_so_far(claim).values()
    payee = "de budgethouder (eigen rekening)"
    if claim.agreement_id is not None:
        agreement = db.session.get_one(Agreement, claim.agreement_id)
        payee = db.session.get_one(Provider, agreement.provider_id).name
    return AllowanceCorrection(ClaimKind(claim.kind), payee, total.amount_cents)


def _allowance_cap_refusals(claim: Claim, amount_cents: int, paid_cents: int) -> list[Refusal]:
    """The corrected amount within the allowance's yearly cap: the free amount's maximum, or
    the holiday allowance's cap per provider minus what that provider got that year."""
    kind = ClaimKind(claim.kind)
    label = kind.label.lower()
    if kind is ClaimKind.VRIJ:
        return correction_rules.check_allowance_cap(label, amount_cents, paid_cents, paid_cents,
                                                    FREE_ALLOWANCE_MAX_CENTS)
    grant = db.session.get_one(Grant, claim.lines[0].grant_id)
    assert claim.agreement_id is not None  # a holiday allowance is paid to a provider
    used = allowances.holiday_allowance_used(grant, claim.agreement_id)
    return correction_rules.check_allowance_cap(label, amount_cents, paid_cents, used,
                                                allowances.holiday_cap(grant.period_start.year))


def correct_paid_allowance(actor: User, claim: Claim, amount_cents: int | None,
                           reason: str) -> list[Claim]:
    """The payment office found a paid Wlz allowance wrong (a vrij besteedbaar bedrag paid
    to the holder, a feestdagenuitkering paid to a provider): `amount_cents` is the right
    amount. Makes the back-payment (within the yearly cap) and/or the claim-back for the
    difference: netted against the provider's next payments, or recorded for the holder."""
    _lock_paid(actor, claim, set(ALLOWANCE_KINDS), "een uitkering")
    reason = (reason or "").strip()
    paid = paid_so_far(claim)
    paid_cents = sum(t.amount_cents for t in paid.values())
    refusals = correction_rules.check_amount_correction(reason, amount_cents, paid_cents)
    if amount_cents is not None and not refusals:
        refusals += _allowance_cap_refusals(claim, amount_cents, paid_cents)
    refuse_if(refusals)
    assert amount_cents is not None  # refused above otherwise
    due = correction_rules.corrected_amount_totals(paid, amount_cents)
    return _made_or_refused(make_corrections(actor, claim, due, reason))


# --------------------------------------------------------------------------- a change approved


def _inputs(claim: Claim) -> list[LineInput]:
    return [LineInput(day=line.day, care_kind=line.care_kind, quantity=line.quantity,
                      grant_id=line.grant_id) for line in claim.lines]


def _priced_now(claim: Claim, agreement: Agreement, today: dt.date) -> list[PricedLine] | None:
    """The claim's lines priced by the approved versions as they are now (a wage: the wage
    due now, none when no version governs its month any more); None when a sheet's lines no
    longer price (a kind of care dropped: a person looks)."""
    facts, _grants = sheet_facts(agreement, claim.month)
    if claim.kind == ClaimKind.LOON:
        return rules.wage_lines(claim.month, facts)  # [] when no wage is due any more
    priced, refusals = rules.price_lines(_inputs(claim), claim.month, facts, today)
    return None if refusals or not priced else priced


def reprice_unpaid(claim: Claim, agreement: Agreement, today: dt.date) -> bool:
    """An unpaid sheet priced at a tariff an approved change replaced gets the new prices
    (its reservation moved with it, under the grants' row locks); True when it changed. Its
    status stays; a history event says why. A sheet that no longer prices, or whose new
    amount does not fit the budget, is left as it is (the office's check names why)."""
    if claim.kind != ClaimKind.UREN or ClaimStatus(claim.status) not in UNPAID:
        return False
    priced = _priced_now(claim, agreement, today)
    if priced is None:
        return False
    old = sorted((ln.day, str(ln.care_kind), ln.grant_id, ln.tariff_cents, ln.amount_cents,
                  ln.holder_cents) for ln in claim.lines)
    new = sorted((p.day, str(p.care_kind), p.grant_id, p.tariff_cents, p.amount_cents,
                  p.holder_cents) for p in priced)
    if old == new:
        return False
    before = claim.total_cents
    try:
        with db.session.begin_nested():
            if ClaimStatus(claim.status) in RESERVED_STATUSES:
                budgets_service.release(claim_shares(claim))
                budgets_service.reserve(rules.shares_of(priced))
            _set_lines(claim, priced)
    except Refused:
        return False
    reason = (f"Opnieuw berekend met het tarief van de goedgekeurde wijziging: "
              f"{format_euro(before)} wordt {format_euro(claim.total_cents)}.")
    db.session.add(ClaimEvent(claim_id=claim.id, from_status=str(claim.status),
                              to_status=str(claim.status), reason=reason))
    record("claim.repriced", actor=None, household_id=agreement.household_id, object_type="claim",
           object_id=claim.id, summary=f"Urenbriefje {claim.reference}: {reason}",
           detail={"reference": claim.reference, "from_cents": before,
                   "to_cents": claim.total_cents})
    db.session.flush()
    return True


def apply_approved_change(version: AgreementVersion, today: dt.date) -> list[Claim]:
    """A funder approved `version`: the months it governs that were already claimed follow it.
    Unpaid sheets are re-priced (reprice_unpaid); a paid sheet or wage that should now pay
    another amount gets a correction with the change as its reason. Returns the corrections
    made. A back-payment that does not fit its budget is not made: the audit log says so."""
    agreement = db.session.get_one(Agreement, version.agreement_id)
    start = first_of_month(version.starts_on)
    query = (select(Claim).where(Claim.agreement_id == agreement.id, Claim.month >= start,
                                 Claim.kind.in_([ClaimKind.UREN.value, ClaimKind.LOON.value]))
             .options(selectinload(Claim.lines)).order_by(Claim.month, Claim.id))
    # (no end: a change that ends the agreement sooner leaves wages paid after its end due
    # back; what the versions still govern comes out unchanged)
    reason = (f"De zorgovereenkomst {agreement.reference} is gewijzigd vanaf "
              f"{format_day(version.starts_on)} (versie {version.number}, goedgekeurd).")
    made: list[Claim] = []
    for claim in db.session.scalars(query).all():
        if ClaimStatus(claim.status) in UNPAID:
            reprice_unpaid(claim, agreement, today)
            continue
        if claim.status != ClaimStatus.UITBETAALD:
            continue
        priced = _priced_now(claim, agreement, today)
        if priced is None or (not priced and claim.kind != ClaimKind.LOON):
            continue
        try:
            with db.session.begin_nested():
                made += make_corrections(None, claim, correction_rules.line_totals(priced),
                                         reason)
        except Refused as refused:
            record("claim.correction_waiting", actor=None,
                   household_id=agreement.household_id,
                   object_type="claim", object_id=claim.id,
                   summary=f"Geen nabetaling bij {claim.reference}: "
                           + " ".join(r.message for r in refused.refusals))
    return made
