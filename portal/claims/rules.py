"""Pure decisions about hour sheets (claims): no Flask, no session. Plain data in, verdict out.

Long because: its checks run together in check_sheet, each rule of DOMAIN.md written once.

Every check of DOMAIN.md "Hour sheets" lives here, used by the services (and through them by
the web form, the API and paper intake). Each check returns a list of Refusal (all reasons at
once); `check_sheet` runs them together.

Counting hours on a day (`check_day_hours`): for a provider who is a PERSON, every hour of
that person on that day counts, across this sheet and the person's other sheets that are not
refused (afgekeurd). For an ORGANISATION the hours are counted per agreement, i.e. on this sheet
only, since many employees work for one organisation. A day part counts as 4 hours, a 24-hour
stay as 24 (budgets.constants.MINUTES_PER_UNIT).

Deadlines (`handover_deadline`, `submit_deadline`): counted from the last day of the claimed
month. The provider hands the sheet to the budget holder at the latest 6 weeks after that day;
the budget holder submits at the latest 10 weeks after it (4 more weeks). The last day of each
deadline is allowed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol, TypeVar

from portal.agreements.periods import VersionPeriod, coverage, version_for_day, versions_in_month
from portal.budgets import rules as budget_rules
from portal.budgets.constants import MINUTES_PER_UNIT, CareKind, Unit
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.database import parse_id
from portal.dates import (
    add_months,
    first_of_month,
    format_day,
    format_month,
    last_of_month,
    month_days,
    parse_month,
)
from portal.enums import LabeledEnum
from portal.money import (
    format_euro,
    minutes_times_tariff,
    round_half_up,
    spread_minutes_times_tariff,
)
from portal.quantities import format_minutes
from portal.refusals import Refusal, Refused

QUARTER = 15
DAY_MINUTES = 24 * 60
HANDOVER_WEEKS = 6
SUBMIT_WEEKS = 10  # 6 for the provider + 4 more for the budget holder
# After a refusal the sheet may be corrected and sent again for at least this long, even when
# the normal deadline comes sooner (a refusal 3 days before it must not leave 3 days).
RESUBMIT_WEEKS = 4


# --------------------------------------------------------------------------- input and facts


@dataclass(frozen=True)
class LineInput:
    """One line as typed on the sheet. quantity: minutes for hourly care, a count otherwise.

    grant_id is needed only when a kind of care is agreed on several grants. tariff_cents is
    what a paper sheet states (or what a stored line was priced at): when given it must equal
    the agreed tariff; when None the agreed tariff is used.
    """

    day: dt.date
    care_kind: str
    quantity: int
    grant_id: int | None = None
    tariff_cents: int | None = None


@dataclass(frozen=True)
class AgreedLine:
    care_kind: str
    unit: Unit
    tariff_cents: int
    grant_id: int
    # What the budget pays per unit: lower than the tariff when the budget holder tops up a
    # tariff above the maximum from their own money. None: the tariff itself.
    budget_tariff_cents: int | None = None

    @property
    def paid_tariff_cents(self) -> int:
        return self.tariff_cents if self.budget_tariff_cents is None else self.budget_tariff_cents


@dataclass(frozen=True)
class AgreedVersion:
    """An agreement version as the claim checks see it: its period/status and its lines."""

    period: VersionPeriod
    lines: tuple[AgreedLine, ...] = ()


@dataclass(frozen=True)
class PricedLine:
    day: dt.date
    care_kind: str
    unit: Unit
    quantity: int
    tariff_cents: int  # the agreed tariff
    amount_cents: int  # what the budget pays
    grant_id: int
    # What the budget holder pays themselves (bijbetaling): agreed amount - amount_cents.
    holder_cents: int = 0


class GrantLike(Protocol):
    """What the budget check needs of a grant (a Grant row or a GrantBalance)."""

    id: int

    @property
    def available_cents(self) -> int: ...


# A grant as the caller has it (a Grant row, a GrantBalance): refusal_for gets the same kind.
AnyGrant = TypeVar("AnyGrant", bound=GrantLike)


@dataclass(frozen=True)
class GrantBalance:
    """A grant's running totals as plain data (same attributes budget_refusal reads)."""

    id: int
    law: str
    period_start: dt.date
    period_end: dt.date
    amount_cents: int
    reserved_cents: int = 0
    paid_cents: int = 0

    @property
    def available_cents(self) -> int:
        return budget_rules.available_cents(self.amount_cents, self.paid_cents,
                                            self.reserved_cents)


@dataclass(frozen=True)
class SheetFacts:
    """Everything about the world a sheet is checked against, loaded by the service."""

    versions: tuple[AgreedVersion, ...]
    provider_is_person: bool = True
    # The provider's minutes per day on their other sheets that are not refused (persons only).
    other_minutes_by_day: Mapping[dt.date, int] = field(default_factory=dict)
    # The reference of another sheet for the same agreement and month, if there is one.
    existing_reference: str | None = None
    # Period of each grant that may pay (a day outside it cannot be paid from that grant).
    grant_periods: Mapping[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    # The day this sheet was last refused, if ever (resubmit_deadline).
    refused_on: dt.date | None = None


class Stage(LabeledEnum):
    """What the sheet is checked for: which deadline applies and whether the budget counts."""

    DRAFT = ("draft", "Opslaan als concept, ook tijdens de maand (zorgverlener en budgethouder)")
    CONCEPT = ("concept", "Opslaan als concept (budgethouder)")
    HANDOVER = ("handover", "Doorsturen naar de budgethouder (zorgverlener)")
    SUBMIT = ("submit", "Indienen (akkoord van de budgethouder)")
    RECHECK = ("recheck", "Controle door het betaalkantoor")


# --------------------------------------------------------------------------- helpers


def _line_field(index: int, name: str) -> str:
    return f"lines[{index}].{name}"


def _care_label(care_kind: str) -> str:
    try:
        return CareKind(care_kind).label.lower()
    except ValueError:
        return str(care_kind)


def refusal_letter_exists(status: ClaimStatus | str) -> bool:
    """A letter that explains a refusal exists only for a sheet the payment office refused."""
    return status == ClaimStatus.AFGEKEURD


def minutes_of(unit: Unit | str, quantity: int) -> int:
    """Minutes of care a line stands for, for the 24-hour check."""
    unit = Unit(unit)
    if unit is Unit.UUR:
        return quantity
    return quantity * MINUTES_PER_UNIT.get(unit, 0)


def amount_of(unit: Unit | str, quantity: int, tariff_cents: int) -> int:
    """Cents for a line: minutes x hourly tariff (rounded half up), or count x tariff."""
    if Unit(unit) is Unit.UUR:
        return minutes_times_tariff(quantity, tariff_cents)
    return quantity * tariff_cents


def price_once_per_line(lines: Sequence[PricedLine], paid_tariffs: Sequence[int]
                        ) -> list[PricedLine]:
    """Hours are priced once per agreement line per month (kind of care, budget, tariff): the
    line's total minutes x the tariff, rounded half up once (money.spread_minutes_times_tariff
    spreads it over the days, so the days add up to it). Rounding each day and adding the
    rounded days would pay up to half a cent a day too much or too little.

    `paid_tariffs[i]` is what the budget pays per unit for `lines[i]`: below the agreed tariff
    when the holder tops up (bijbetaling). Then amount_cents is the budget's part (the minutes
    x the paid tariff, rounded once) and holder_cents the rest of the agreed amount (the
    minutes x the agreed tariff, rounded once, minus the budget's part)."""
    groups: dict[tuple[str, int, int, int], list[int]] = defaultdict(list)
    result = list(lines)
    for i, line in enumerate(lines):
        if Unit(line.unit) is Unit.UUR:
            groups[(line.care_kind, line.grant_id, line.tariff_cents, paid_tariffs[i])].append(i)
        else:
            result[i] = replace(line, amount_cents=line.quantity * paid_tariffs[i],
                                holder_cents=line.quantity * (line.tariff_cents - paid_tariffs[i]))
    for (_care, _grant, tariff, paid), indexes in groups.items():
        indexes.sort(key=lambda i: lines[i].day)
        minutes = [lines[i].quantity for i in indexes]
        budget = spread_minutes_times_tariff(minutes, paid)
        agreed = spread_minutes_times_tariff(minutes, tariff) if tariff != paid else budget
        for i, cents, whole in zip(indexes, budget, agreed, strict=True):
            result[i] = replace(lines[i], amount_cents=cents, holder_cents=whole - cents)
    return result


def shares_of(lines: Sequence[PricedLine]) -> dict[int, int]:
    """Cents per grant id."""
    shares: dict[int, int] = defaultdict(int)
    for line in lines:
        shares[line.grant_id] += line.amount_cents
    return dict(shares)


REFERENCE_RE = re.compile(r"^UB-([0-9]{4})([0-9]{2})-([0-9]{6,})$")


def claim_reference(agreement_id: int, month: dt.date) -> str:
    """The sheet's reference, e.g. UB-202603-000123: month and agreement.

    One sheet per agreement per month, so the reference is unique and known before the sheet
    exists (a pre-filled paper sheet can carry it).
    """
    return f"UB-{month:%Y%m}-{agreement_id:06d}"


def parse_reference(reference: str) -> tuple[int, dt.date] | None:
    """'UB-202603-000123' -> (agreement id 123, date(2026, 3, 1)); None when it is no reference."""
    match = REFERENCE_RE.match(str(reference).strip().upper())
    if not match:
        return None
    year, month, agreement = match.groups()
    try:
        first = parse_month(f"{year}-{month}")
    except Refused:  # month 13, year 0000 or 9999
        return None
    agreement_id = parse_id(agreement)
    return (agreement_id, first) if agreement_id is not None else None


# --------------------------------------------------------------------------- the checks


def check_month_over(month: dt.date, today: dt.date) -> list[Refusal]:
    """Pay only after delivery: the claimed month must have ended (today after its last day)."""
    last = last_of_month(month)
    if today <= last:
        return [Refusal("month_not_over",
                        f"{format_month(month).capitalize()} is nog niet voorbij. U kunt de uren "
                        f"pas declareren vanaf {format_day(last + dt.timedelta(days=1))}.",
                        "month")]
    return []


def check_agreement_approved(versions: Sequence[AgreedVersion]) -> list[Refusal]:
    if not coverage([v.period for v in versions]):
        return [Refusal("agreement_not_approved",
                        "De zorgovereenkomst is nog niet goedgekeurd door de financier. U kunt "
                        "pas uren declareren als de overeenkomst is goedgekeurd.", "agreement")]
    return []


def check_month_claimable(month: dt.date, facts: SheetFacts) -> list[Refusal]:
    """Whether a month can have hours on a sheet at all, and if not, why: the agreement is not
    approved, did not run in that month, pays a fixed monthly wage only, or draws on budgets
    that do not run in that month. The sheet page shows this when its grid has nothing to fill
    in (claims.grid.sheet_columns gives it no column); a sheet with lines is refused day by day.
    """
    month = first_of_month(month)
    last = last_of_month(month)
    approved = check_agreement_approved(facts.versions)
    if approved:
        return approved
    numbers = {p.number for p in versions_in_month([v.period for v in facts.versions], month)}
    if not numbers:
        ranges = coverage([v.period for v in facts.versions])
        start = min(first for _p, first, _end in ranges)
        ends = [end for _p, _first, end in ranges]
        period = f"vanaf {format_day(start)}" if None in ends else \
            f"van {format_day(start)} tot en met {format_day(max(e for e in ends if e))}"
        return [Refusal("month_outside_agreement",
                        f"In {format_month(month)} gold deze zorgovereenkomst niet. De "
                        f"overeenkomst loopt {period}. Kies een maand in die periode.", "month")]
    per_unit = [line for v in facts.versions if v.period.number in numbers
                for line in v.lines if Unit(line.unit) is not Unit.MAANDLOON]
    if not per_unit:
        return [Refusal("monthly_wage_not_claimable",
                        "In deze zorgovereenkomst staat een vast maandloon. Dat loon wordt elke "
                        "maand vanzelf betaald; u hoeft er geen urenbriefje voor in te vullen.",
                        "month")]

    def runs_in_month(grant_id: int | None) -> bool:
        period = facts.grant_periods.get(grant_id) if grant_id is not None else None
        return period is None or (period[0] <= last and period[1] >= month)

    if not any(runs_in_month(line.grant_id) for line in per_unit):
        return [Refusal("month_outside_grant",
                        f"Het budget van deze zorgovereenkomst loopt niet in "
                        f"{format_month(month)}, dus daaruit kan die maand niets worden betaald. "
                        "Kies een maand waarin het budget loopt.", "month")]
    return []


def wage_reference(agreement_id: int, month: dt.date) -> str:
    """A monthly wage's reference, e.g. LN-202603-000123: like a sheet's, one per month."""
    return f"LN-{month:%Y%m}-{agreement_id:06d}"


def wage_amount(wage_cents: int, days: int, days_in_month: int) -> int:
    """A fixed monthly wage for `days` of a month of `days_in_month` days: the wage x the days
    / the days of the month, rounded half up once (pro rata in a first or last month)."""
    return round_half_up(Decimal(wage_cents) * days / days_in_month)


def wage_lines(month: dt.date, facts: SheetFacts) -> list[PricedLine]:
    """What a fixed monthly wage pays for `month`: per wage line of the approved versions that
    govern the month, the wage x the days of the month the version governs and the line's
    grant runs / the days of the month, rounded half up once per line (pro rata in a first or
    last month). quantity: those days; day: the first of them. [] when nothing is due."""
    periods = [v.period for v in facts.versions]
    by_number = {v.period.number: v for v in facts.versions}
    days: dict[tuple[int, str, int], list[dt.date]] = defaultdict(list)
    all_days = month_days(month)
    for day in all_days:
        period = version_for_day(periods, day)
        if period is None:
            continue
        for line in by_number[period.number].lines:
            grant = facts.grant_periods.get(line.grant_id)
            if Unit(line.unit) is not Unit.MAANDLOON or grant is None \
                    or not grant[0] <= day <= grant[1]:
                continue
            days[(line.grant_id, str(line.care_kind), line.paid_tariff_cents)].append(day)
    return [PricedLine(day=covered[0], care_kind=care_kind, unit=Unit.MAANDLOON,
                       quantity=len(covered), tariff_cents=wage,
                       amount_cents=wage_amount(wage, len(covered), len(all_days)),
                       grant_id=grant_id)
            for (grant_id, care_kind, wage), covered in sorted(days.items(),
                                                               key=lambda kv: kv[1][0])]


def check_duplicate(existing_reference: str | None, month: dt.date) -> list[Refusal]:
    if existing_reference:
        return [Refusal("duplicate_sheet",
                        f"Er is al een urenbriefje voor {format_month(month)} bij deze "
                        f"overeenkomst ({existing_reference}). Pas dat urenbriefje aan in plaats "
                        "van een nieuw te maken.", "month")]
    return []


def handover_deadline(month: dt.date) -> dt.date:
    return last_of_month(month) + dt.timedelta(weeks=HANDOVER_WEEKS)


def submit_deadline(month: dt.date) -> dt.date:
    return last_of_month(month) + dt.timedelta(weeks=SUBMIT_WEEKS)


def resubmit_deadline(deadline: dt.date, refused_on: dt.date | None) -> dt.date:
    """A deadline (handover or submit) of a sheet that was refused on `refused_on`: never
    sooner than RESUBMIT_WEEKS after the refusal. The refusal letter prints this date and the
    sheet's checks use it (check_handover_in_time, check_submit_in_time)."""
    if refused_on is None:
        return deadline
    return max(deadline, refused_on + dt.timedelta(weeks=RESUBMIT_WEEKS))


def first_claimable_month(today: dt.date) -> dt.date:
    """The earliest month whose sheets can still be submitted on `today` (submit_deadline)."""
    return first_of_month(today - dt.timedelta(weeks=SUBMIT_WEEKS))


def check_handover_in_time(month: dt.date, on: dt.date,
                           refused_on: dt.date | None = None) -> list[Refusal]:
    deadline = resubmit_deadline(handover_deadline(month), refused_on)
    if on > deadline:
        return [Refusal("too_late",
                        f"Het urenbriefje over {format_month(month)} moest uiterlijk "
                        f"{format_day(deadline)} naar de budgethouder (6 weken na het einde van "
                        "de maand). Neem contact op met de budgethouder of het betaalkantoor.",
                        "handed_over_on")]
    return []


def check_submit_in_time(month: dt.date, on: dt.date,
                         refused_on: dt.date | None = None) -> list[Refusal]:
    deadline = resubmit_deadline(submit_deadline(month), refused_on)
    if on > deadline:
        return [Refusal("too_late",
                        f"Het urenbriefje over {format_month(month)} moest uiterlijk "
                        f"{format_day(deadline)} worden ingediend (10 weken na het einde van de "
                        "maand). Neem contact op met het betaalkantoor.", "submitted")]
    return []


# --------------------------------------------------------------------------- which months


def is_draft_month(month: dt.date, today: dt.date) -> bool:
    """The month is not over yet: its sheet can only be saved as a concept (Stage.DRAFT),
    and handed over or submitted after the month."""
    return today <= last_of_month(month)


def month_deadline(month: dt.date, provider: bool) -> dt.date:
    """The last day a sheet over `month` can go on: handed over (the provider, 6 weeks after
    the month) or submitted (the budget holder, 10 weeks after the month)."""
    return handover_deadline(month) if provider else submit_deadline(month)


def check_month_open(month: dt.date, today: dt.date, facts: SheetFacts, provider: bool
                     ) -> list[Refusal]:
    """Whether a sheet over `month` can still be started for this agreement, by this side:
    the month has begun, its deadline has not passed, and the agreement can have hours that
    month (check_month_claimable). The sheet list offers only such months, and the sheet's
    address refuses the others with these reasons."""
    month = first_of_month(month)
    claimable = check_month_claimable(month, facts)
    if claimable:
        return claimable
    if month > first_of_month(today):
        return [Refusal("month_not_begun",
                        f"{format_month(month).capitalize()} is nog niet begonnen. U kunt uren "
                        "pas invullen als ze gewerkt zijn.", "month")]
    deadline = month_deadline(month, provider)
    if today > deadline:
        weeks = HANDOVER_WEEKS if provider else SUBMIT_WEEKS
        return [Refusal("too_late",
                        f"De termijn voor {format_month(month)} is voorbij: het urenbriefje "
                        f"moest uiterlijk {format_day(deadline)} "
                        + ("naar de budgethouder" if provider else "worden ingediend")
                        + f" ({weeks} weken na het einde van de maand). Neem contact op met "
                        "het betaalkantoor.", "month")]
    return []


@dataclass(frozen=True)
class OpenMonth:
    """A month a sheet can still be started for: its deadline, and whether it is still
    running (then the sheet is a concept until the month is over)."""

    month: dt.date
    deadline: dt.date
    draft_only: bool


def open_months(today: dt.date, facts: SheetFacts, provider: bool,
                taken: Iterable[dt.date] = ()) -> list[OpenMonth]:
    """The months, newest first, for which a new sheet can still be started (check_month_open),
    leaving out those that already have one (`taken`)."""
    weeks = HANDOVER_WEEKS if provider else SUBMIT_WEEKS
    month = first_of_month(today)
    earliest = first_of_month(today - dt.timedelta(weeks=weeks))
    taken = {first_of_month(m) for m in taken}
    result = []
    while month >= earliest:
        if month not in taken and not check_month_open(month, today, facts, provider):
            result.append(OpenMonth(month, month_deadline(month, provider),
                                    is_draft_month(month, today)))
        month = add_months(month, -1)
    return result


def _agreed_for(version: AgreedVersion, care_kind: str) -> list[AgreedLine]:
    return [a for a in version.lines if a.care_kind == care_kind]


def price_lines(lines: Sequence[LineInput], month: dt.date, facts: SheetFacts,
                today: dt.date) -> tuple[list[PricedLine], list[Refusal]]:
    """Check every line against the agreement and price the good ones.

    Refusals: lines_missing, line_duplicate, day_outside_agreement (not in the claimed month,
    or no approved version governs the day), month_not_over (a day in the future),
    care_kind_not_agreed, monthly_wage_not_claimable, grant_required, grant_not_agreed,
    day_outside_grant, tariff_differs, quantity_invalid.
    """
    month = first_of_month(month)
    if not lines:
        return [], [Refusal("lines_missing", "Vul minstens één dag in met de gewerkte uren.",
                            "lines")]
    refusals: list[Refusal] = []
    priced: list[PricedLine] = []
    paid_tariffs: list[int] = []
    periods = [v.period for v in facts.versions]
    by_number = {v.period.number: v for v in facts.versions}
    any_approved = bool(coverage(periods))
    seen: set[tuple[dt.date, str, int | None]] = set()
    for i, line in enumerate(lines):
        refused = _day_refusals(line, i, month, today)
        governing = None if refused else version_for_day(periods, line.day)
        if governing is None:
            # no version at all: agreement_not_approved says it once for the whole sheet
            refusals += refused or (_no_version(line, i) if any_approved else [])
            continue
        chosen, refused = _agreed_line(line, i, by_number[governing.number])
        if chosen is None:
            refusals += refused
            continue
        refused = _line_refusals(line, i, chosen, seen, facts)
        if refused:
            refusals += refused
            continue
        priced.append(PricedLine(day=line.day, care_kind=line.care_kind, unit=chosen.unit,
                                 quantity=line.quantity, tariff_cents=chosen.tariff_cents,
                                 amount_cents=amount_of(chosen.unit, line.quantity,
                                                        chosen.paid_tariff_cents),
                                 grant_id=chosen.grant_id))
        paid_tariffs.append(chosen.paid_tariff_cents)
    return price_once_per_line(priced, paid_tariffs), refusals


def _day_refusals(line: LineInput, i: int, month: dt.date, today: dt.date) -> list[Refusal]:
    """A line's day: in the claimed month, and not in the future."""
    day_label = format_day(line.day)
    if first_of_month(line.day) != month:
        return [Refusal("day_outside_agreement",
                        f"{day_label} valt niet in {format_month(month)}. Zet op dit "
                        "urenbriefje alleen dagen van deze maand.", _line_field(i, "day"))]
    if line.day > today:
        return [Refusal("month_not_over",
                        f"{day_label} ligt in de toekomst. U kunt alleen uren "
                        "declareren die al gewerkt zijn.", _line_field(i, "day"))]
    return []


def _no_version(line: LineInput, i: int) -> list[Refusal]:
    return [Refusal("day_outside_agreement",
                    f"Op {format_day(line.day)} gold geen goedgekeurde zorgovereenkomst. "
                    "Haal deze dag van het urenbriefje.", _line_field(i, "day"))]


def _agreed_line(line: LineInput, i: int,
                 version: AgreedVersion) -> tuple[AgreedLine | None, list[Refusal]]:
    """The agreed line a sheet line is paid by, in the version that governs its day: its
    kind of care, from the budget chosen (or the only one), not a fixed monthly wage."""
    day_label = format_day(line.day)
    care = _care_label(line.care_kind)
    agreed = _agreed_for(version, line.care_kind)
    if not agreed:
        return None, [Refusal("care_kind_not_agreed",
                              f"Zorgsoort '{care}' staat niet in de zorgovereenkomst die op "
                              f"{day_label} gold. Kies een zorgsoort uit de overeenkomst.",
                              _line_field(i, "care_kind"))]
    if line.grant_id is None and len({a.grant_id for a in agreed}) > 1:
        return None, [Refusal("grant_required",
                              f"Zorgsoort '{care}' wordt uit meer dan één budget betaald. "
                              "Kies uit welk budget deze uren betaald worden.",
                              _line_field(i, "grant_id"))]
    matching = agreed if line.grant_id is None else [a for a in agreed
                                                     if a.grant_id == line.grant_id]
    if not matching:
        return None, [Refusal("grant_not_agreed",
                              f"Zorgsoort '{care}' wordt volgens de overeenkomst niet uit "
                              "het gekozen budget betaald. Kies een budget uit de "
                              "overeenkomst.", _line_field(i, "grant_id"))]
    chosen = matching[0]
    if Unit(chosen.unit) is Unit.MAANDLOON:
        return None, [Refusal("monthly_wage_not_claimable",
                              f"Zorgsoort '{care}' wordt betaald met een vast maandloon. Dat "
                              "loon wordt elke maand vanzelf betaald; zet het niet op het "
                              "urenbriefje.", _line_field(i, "care_kind"))]
    return chosen, []


def _line_refusals(line: LineInput, i: int, chosen: AgreedLine,
                   seen: set[tuple[dt.date, str, int | None]],
                   facts: SheetFacts) -> list[Refusal]:
    """Once per day, kind of care and budget (`seen` remembers); a day the budget runs; the
    agreed tariff; a quantity the unit allows."""
    day_label = format_day(line.day)
    care = _care_label(line.care_kind)
    key = (line.day, line.care_kind, chosen.grant_id)
    if key in seen:
        return [Refusal("line_duplicate",
                        f"Zorgsoort '{care}' staat op {day_label} twee keer op het "
                        "urenbriefje. Tel de uren op in één regel.", _line_field(i, "day"))]
    seen.add(key)
    grant_period = facts.grant_periods.get(chosen.grant_id)
    if grant_period and not grant_period[0] <= line.day <= grant_period[1]:
        return [Refusal("day_outside_grant",
                        f"Op {day_label} hoort het budget van de overeenkomst niet bij "
                        "deze dag (het budget loopt van "
                        f"{format_day(grant_period[0])} tot en met "
                        f"{format_day(grant_period[1])}). Vraag de budgethouder de "
                        "overeenkomst aan te passen.", _line_field(i, "day"))]
    refusals = []
    if line.tariff_cents is not None and line.tariff_cents != chosen.tariff_cents:
        refusals.append(Refusal(
            "tariff_differs",
            f"Het tarief voor '{care}' op {day_label} is {format_euro(line.tariff_cents)}, maar "
            f"in de overeenkomst staat {format_euro(chosen.tariff_cents)}. Gebruik het "
            "afgesproken tarief.", _line_field(i, "tariff")))
    return refusals + check_quantity(chosen.unit, line.quantity, _line_field(i, "quantity"),
                                     day_label)


def check_quantity(unit: Unit | str, quantity: int, field_name: str = "quantity",
                   day_label: str = "") -> list[Refusal]:
    unit = Unit(unit)
    where = f" op {day_label}" if day_label else ""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        what = "uren" if unit is Unit.UUR else "het aantal"
        return [Refusal("quantity_invalid",
                        f"Vul bij {what}{where} een getal groter dan 0 in.", field_name)]
    if unit is Unit.UUR and quantity % QUARTER:
        return [Refusal("quantity_invalid",
                        f"Uren schrijft u in hele kwartieren{where}, bijvoorbeeld 1:15 of 2:30 "
                        f"(u vulde {quantity} minuten in).", field_name)]
    return []


def check_day_hours(lines: Sequence[PricedLine], other_minutes_by_day: Mapping[dt.date, int]
                    ) -> list[Refusal]:
    """At most 24 hours on one day for one provider. Exactly 24:00 is allowed."""
    minutes: dict[dt.date, int] = defaultdict(int)
    first_index: dict[dt.date, int] = {}
    for i, line in enumerate(lines):
        minutes[line.day] += minutes_of(line.unit, line.quantity)
        first_index.setdefault(line.day, i)
    refusals = []
    for day in sorted(minutes):
        elsewhere = other_minutes_by_day.get(day, 0)
        total = minutes[day] + elsewhere
        if total > DAY_MINUTES:
            extra = (f" (waarvan {format_minutes(elsewhere)} op andere urenbriefjes van deze "
                     "zorgverlener)") if elsewhere else ""
            refusals.append(Refusal("day_over_24_hours",
                                    f"Op {format_day(day)} staat {format_minutes(total)} uur "
                                    f"zorg{extra}. Dat is meer dan 24 uur op één dag. Een dagdeel "
                                    "telt als 4 uur, een etmaal als 24 uur. Verlaag de uren.",
                                    _line_field(first_index[day], "quantity")))
    return refusals


def check_budget(shares: Mapping[int, int], grants: Mapping[int, AnyGrant],
                 refusal_for: Callable[[AnyGrant, int], Refusal]) -> list[Refusal]:
    """Each grant must cover its own share of the sheet. Exactly the available amount fits.

    refusal_for builds the message (the service passes budgets.service.budget_refusal, so the
    form's early check and the final check under the row lock say the same thing).
    """
    return [refusal_for(grants[gid], cents) for gid, cents in sorted(shares.items())
            if cents > grants[gid].available_cents]


def check_sheet(month: dt.date, lines: Sequence[LineInput], facts: SheetFacts, today: dt.date,
                stage: Stage, *, grants: Mapping[int, AnyGrant] | None = None,
                refusal_for: Callable[[AnyGrant, int], Refusal] | None = None
                ) -> tuple[list[PricedLine], list[Refusal]]:
    """Every claim check of DOMAIN.md for one sheet at one stage, all reasons at once.

    - every stage: month over (not for a DRAFT: a concept saved during the month), agreement
      approved, lines (days, care kinds, grants, tariffs, quantities), 24 hours a day;
    - CONCEPT / HANDOVER / SUBMIT (a new or changed sheet): no other sheet that month;
    - HANDOVER: the provider's 6-week deadline; CONCEPT / SUBMIT: the 10-week deadline;
    - SUBMIT: the budget of each grant (when grants and refusal_for are given).
    """
    month = first_of_month(month)
    refusals = [] if stage is Stage.DRAFT else check_month_over(month, today)
    approved = check_agreement_approved(facts.versions)
    refusals += approved
    if stage is not Stage.RECHECK:
        refusals += check_duplicate(facts.existing_reference, month)
    if stage is Stage.HANDOVER:
        refusals += check_handover_in_time(month, today, facts.refused_on)
    elif stage in (Stage.CONCEPT, Stage.SUBMIT):
        refusals += check_submit_in_time(month, today, facts.refused_on)
    priced, line_refusals = price_lines(lines, month, facts, today)
    refusals += line_refusals
    other = facts.other_minutes_by_day if facts.provider_is_person else {}
    refusals += check_day_hours(priced, other)
    if stage is Stage.SUBMIT and grants is not None and refusal_for is not None:
        # On the lines that could be priced: if those alone do not fit, the sheet does not.
        refusals += check_budget(shares_of(priced), grants, refusal_for)
    return priced, refusals


# --------------------------------------------------------------------------- lifecycle


class Side(LabeledEnum):
    PROVIDER = ("provider", "Zorgverlener")
    HOLDER = ("holder", "Budgethouder")
    OFFICE = ("office", "Betaalkantoor")
    SYSTEM = ("system", "Systeem")


class Action(LabeledEnum):
    EDIT = ("edit", "aanpassen")
    HAND_OVER = ("hand_over", "doorsturen naar de budgethouder")
    SUBMIT = ("submit", "akkoord geven en indienen")
    REFUSE_BY_HOLDER = ("refuse_by_holder", "terugsturen naar de zorgverlener")
    OFFICE_APPROVE = ("office_approve", "goedkeuren")
    OFFICE_SUSPEND = ("office_suspend", "opschorten")
    OFFICE_REFUSE = ("office_refuse", "afkeuren")
    REOPEN = ("reopen", "opnieuw openen om te verbeteren")
    SAVE_DRAFT = ("save_draft", "als concept opslaan")
    PAY = ("pay", "als betaald markeren")
    WAGE_DUE = ("wage_due", "klaarzetten als maandloon")
    CORRECTION_DUE = ("correction_due", "vastleggen als correctie")
    REPAID = ("repaid", "vastleggen als terugbetaald")


S = ClaimStatus
_P, _H, _O, _SYS = Side.PROVIDER, Side.HOLDER, Side.OFFICE, Side.SYSTEM

# (from status, action) -> (to status, sides that may do it). A provider never submits.
TRANSITIONS: dict[tuple[ClaimStatus, Action], tuple[ClaimStatus, frozenset[Side]]] = {
    (S.CONCEPT, Action.EDIT): (S.CONCEPT, frozenset({_H})),
    # A concept kept by either side, also during the month; handed over or submitted after it.
    (S.CONCEPT, Action.SAVE_DRAFT): (S.CONCEPT, frozenset({_H, _P})),
    (S.WACHT_OP_AKKOORD, Action.EDIT): (S.WACHT_OP_AKKOORD, frozenset({_H})),
    (S.CONCEPT, Action.HAND_OVER): (S.WACHT_OP_AKKOORD, frozenset({_P})),
    (S.WACHT_OP_AKKOORD, Action.HAND_OVER): (S.WACHT_OP_AKKOORD, frozenset({_P})),
    (S.CONCEPT, Action.SUBMIT): (S.INGEDIEND, frozenset({_H})),
    (S.WACHT_OP_AKKOORD, Action.SUBMIT): (S.INGEDIEND, frozenset({_H})),
    (S.WACHT_OP_AKKOORD, Action.REFUSE_BY_HOLDER): (S.CONCEPT, frozenset({_H})),
    (S.INGEDIEND, Action.OFFICE_APPROVE): (S.GOEDGEKEURD, frozenset({_O, _SYS})),
    (S.OPGESCHORT, Action.OFFICE_APPROVE): (S.GOEDGEKEURD, frozenset({_O, _SYS})),
    (S.INGEDIEND, Action.OFFICE_SUSPEND): (S.OPGESCHORT, frozenset({_O, _SYS})),
    (S.INGEDIEND, Action.OFFICE_REFUSE): (S.AFGEKEURD, frozenset({_O, _SYS})),
    (S.OPGESCHORT, Action.OFFICE_REFUSE): (S.AFGEKEURD, frozenset({_O, _SYS})),
    (S.AFGEKEURD, Action.REOPEN): (S.CONCEPT, frozenset({_H, _P})),
    (S.GOEDGEKEURD, Action.PAY): (S.UITBETAALD, frozenset({_SYS, _O})),
    # A month's fixed wage, put ready by the portal itself (claims.service.make_wage_claims):
    # submitted at once, then the office's check like a sheet.
    (S.CONCEPT, Action.WAGE_DUE): (S.INGEDIEND, frozenset({_SYS})),
    # A correction of a paid claim (claims.corrections), by the office or by the portal
    # after an approved change: decided when it is made, so approved at once.
    (S.CONCEPT, Action.CORRECTION_DUE): (S.GOEDGEKEURD, frozenset({_O, _SYS})),
    # An open claim-back the holder paid back by bank transfer (claims.free_claim_back):
    # settled like one netted in a run, recorded by the payment office.
    (S.GOEDGEKEURD, Action.REPAID): (S.UITBETAALD, frozenset({_O})),
}


def check_transition(status: ClaimStatus | str, action: Action, side: Side
                     ) -> tuple[ClaimStatus | None, list[Refusal]]:
    """The status after `action` by `side`, or the refusal why it cannot happen now."""
    status = ClaimStatus(status)
    entry = TRANSITIONS.get((status, action))
    if entry is None:
        return None, [Refusal("status_not_allowed",
                              f"Dit urenbriefje heeft de status '{status.label}'. In die status "
                              f"kunt u het niet {action.label}.", "status")]
    to_status, sides = entry
    if side not in sides:
        if action is Action.SUBMIT and side is Side.PROVIDER:
            message = ("Een zorgverlener kan een urenbriefje niet zelf indienen. Stuur het naar de "
                       "budgethouder; die geeft akkoord en dient het in.")
        else:
            message = f"Als {side.label.lower()} kunt u dit urenbriefje niet {action.label}."
        return None, [Refusal("not_allowed", message, "status")]
    return to_status, []


def is_repeat(status: ClaimStatus | str, action: Action) -> bool:
    """Is the sheet already where `action` takes a sheet? Then asking for it again is a
    repeat (the second of two identical requests), not a mistake: 'Dit is al gedaan'."""
    status = ClaimStatus(status)
    return any(to_status is status for (_from, act), (to_status, _sides) in TRANSITIONS.items()
               if act is action)


def check_received_on(received_on: dt.date, today: dt.date) -> list[Refusal]:
    """The day a paper sheet reached the payment office: today or earlier, never later."""
    if received_on > today:
        return [Refusal("received_on_in_future", f"De datum van ontvangst "
                        f"({format_day(received_on)}) ligt in de toekomst. Vul de datum in "
                        "waarop het papieren urenbriefje binnenkwam: vandaag of eerder.",
                        "received_on")]
    return []


def check_reason(reason: str | None, field_name: str = "reason") -> list[Refusal]:
    if not reason or not reason.strip():
        return [Refusal("reason_missing", "Schrijf de reden op, zodat de ander weet wat er moet "
                        "gebeuren.", field_name)]
    return []


def claim_amount_cents(kind: str, total_cents: int) -> int:
    """A claim's amount as every page and paper shows it: the stored total (Claim.total_cents,
    written once when the sheet was priced), below zero for a claim-back (money back to the
    budget). The one home of the holder's pages, the provider's pages and the specification."""
    return ClaimKind(kind).sign * int(total_cents)
