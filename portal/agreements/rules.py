"""Pure decisions about a draft care agreement: no Flask, no session. Plain data in, verdict out.

Long because: every check of a draft agreement, read together by validate_draft.

The other rooms of agreements: periods.py (which version governs which day), lifecycle.py (the
steps and statuses), review.py (the funder's review), changes.py (new versions), costs.py (cost
in cents), tariffs.py (maximum tariffs); who a provider is lives in portal/providers/rules.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from portal.agreements.constants import (
    DEFAULT_NOTICE_MONTHS,
    FAMILY_RELATIONS,
    PAYROLL_DAYS_PER_WEEK,
    EndKind,
    ModelKind,
    ProviderKind,
    Relation,
)
from portal.agreements.costs import CostLine
from portal.agreements.tariffs import (
    MINIMUM_HOURLY_WAGE,
    MinimumWage,
    TariffRow,
    maximum_for,
    minimum_wages,
    missing_national_maxima,
)
from portal.budgets.constants import (
    LAWS_BY_FUNDER_KIND,
    MINUTES_PER_UNIT,
    CareKind,
    FunderKind,
    Law,
    Unit,
)
from portal.budgets.rules import check_table_year
from portal.dates import (
    add_months,
    check_date_range,
    first_of_month,
    format_day,
)
from portal.money import format_euro
from portal.providers.rules import same_person_name
from portal.refusals import Refusal

# ---------------------------------------------------------------------------------------------
# Input shapes: plain data the services build from rows (and the tests build by hand).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One kind of care in a draft. weekly_quantity: minutes (hourly care and a fixed monthly
    wage's fixed hours) or a count of day parts / 24-hour stays. tariff_cents: per unit, or the
    monthly wage."""

    grant_id: int
    care_kind: CareKind
    unit: Unit
    tariff_cents: int
    weekly_quantity: int


@dataclass(frozen=True)
class GrantFacts:
    id: int
    household_id: int
    funder_id: int
    law: Law
    period_start: dt.date
    period_end: dt.date
    care_kinds: frozenset[str]


@dataclass(frozen=True)
class ProviderFacts:
    kind: ProviderKind
    kvk: str | None = None
    agb: str | None = None
    # Who is paid: for check_not_own_provider (None: not known to the caller).
    name: str | None = None
    iban: str | None = None  # the account of this agreement (version)
    email: str | None = None
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class HolderFacts:
    """The budget holder, as far as the portal knows them (check_not_own_provider)."""

    name: str
    email: str | None = None
    iban: str | None = None  # the household's holder_iban
    birth_date: dt.date | None = None  # of the member the holder is, when they are one


@dataclass(frozen=True)
class DraftInput:
    household_id: int
    model: ModelKind
    relation: Relation
    starts_on: dt.date | None
    ends_on: dt.date | None
    end_kind: EndKind
    days_per_week: int
    lines: tuple[LineInput, ...]
    top_up: bool = False


@dataclass(frozen=True)
class Notice:
    """Something the user should know that does not stop them (not a refusal)."""

    code: str
    message: str


@dataclass(frozen=True)
class LineTariff:
    """The verdict on one line's tariff. budget_tariff_cents: what the budget pays per unit when
    the budget holder tops up the part above the maximum (None: the budget pays the tariff)."""

    index: int
    maximum_cents: int | None
    maximum_year: int | None
    budget_tariff_cents: int | None


@dataclass(frozen=True)
class DraftVerdict:
    refusals: list[Refusal]
    notices: list[Notice]
    payroll_required: bool
    tariffs: list[LineTariff]

    @property
    def ok(self) -> bool:
        return not self.refusals


def line_field(index: int, name: str) -> str:
    return f"lines-{index}-{name}"


MINUTE_UNITS = frozenset({Unit.UUR, Unit.MAANDLOON})  # quantities in minutes

# A week has 7 x 24 hours: no line, and not all lines of an agreement together, can hold more.
WEEK_MINUTES = 7 * 24 * 60
QUANTITY_TOO_LARGE = {
    Unit.UUR: f"Vul hoogstens {WEEK_MINUTES // 60} uur per week in",
    Unit.MAANDLOON: f"Vul hoogstens {WEEK_MINUTES // 60} vaste uren per week in",
    Unit.DAGDEEL: f"Vul hoogstens {WEEK_MINUTES // MINUTES_PER_UNIT[Unit.DAGDEEL]} dagdelen per "
                  "week in (een dagdeel telt als 4 uur)",
    Unit.ETMAAL: f"Vul hoogstens {WEEK_MINUTES // MINUTES_PER_UNIT[Unit.ETMAAL]} etmalen per "
                 "week in",
}

# The highest tariff per unit that can be meant (a typing error above it; the maxima per law
# are usually far lower): EUR 500 an hour, a day part 4 and a 24-hour stay 24 such hours, a
# fixed monthly wage EUR 25,000.
TARIFF_CEILING_CENTS = {
    Unit.UUR: 50_000,
    Unit.DAGDEEL: 4 * 50_000,
    Unit.ETMAAL: 24 * 50_000,
    Unit.MAANDLOON: 2_500_000,
}


def week_minutes(line: CostLine) -> int:
    """A line's weekly quantity in minutes of care (a day part 4 hours, a 24-hour stay 24)."""
    if line.unit in MINUTE_UNITS:
        return line.weekly_quantity
    return line.weekly_quantity * MINUTES_PER_UNIT[Unit(line.unit)]


# ---------------------------------------------------------------------------------------------
# Completeness and validity of a draft
# ---------------------------------------------------------------------------------------------


def check_period(draft: DraftInput, today: dt.date | None = None) -> list[Refusal]:
    refusals = []
    if draft.starts_on is None:
        refusals.append(Refusal("start_missing", "Vul de datum in waarop de zorg begint.",
                                "starts_on"))
    refusals += check_date_range(draft.starts_on, today, "starts_on")
    if draft.end_kind != EndKind.GEEN:
        refusals += check_date_range(draft.ends_on, today, "ends_on")
    if draft.end_kind == EndKind.EINDDATUM and draft.ends_on is None:
        refusals.append(Refusal("end_missing", "Vul de einddatum in, of kies 'zonder einddatum'.",
                                "ends_on"))
    if draft.end_kind == EndKind.GEEN and draft.ends_on is not None:
        refusals.append(Refusal("end_not_expected", "U koos 'zonder einddatum'. Maak het veld "
                                "einddatum leeg, of kies 'tot een einddatum'.", "ends_on"))
    if (draft.starts_on is not None and draft.ends_on is not None
            and draft.end_kind != EndKind.GEEN and draft.ends_on < draft.starts_on):
        refusals.append(Refusal("end_before_start", "De einddatum ligt voor de begindatum. Kies "
                                "een einddatum op of na de begindatum.", "ends_on"))
    if not 0 <= draft.days_per_week <= 7:
        refusals.append(Refusal("days_per_week_invalid", "Vul het aantal dagen per week in: een "
                                "getal van 0 tot en met 7.", "days_per_week"))
    return refusals


def check_lines(draft: DraftInput, grants: Mapping[int, GrantFacts]) -> list[Refusal]:
    """Every line on its own, and its grant: same household, overlapping period, kind of care."""
    refusals = []
    if not draft.lines:
        refusals.append(Refusal("no_lines", "Voeg minstens één soort zorg toe, met tarief en "
                                "aantal per week.", "lines"))
    seen: set[tuple[int, str]] = set()
    for i, line in enumerate(draft.lines):
        label = line.care_kind.label.lower()
        if line.tariff_cents <= 0:
            refusals.append(Refusal("tariff_not_positive", f"Vul voor {label} een tarief in dat "
                                    "hoger is dan € 0,00.", line_field(i, "tariff_cents")))
        if line.weekly_quantity < 0:
            refusals.append(Refusal("quantity_negative", f"Het aantal per week voor {label} kan "
                                    "niet negatief zijn. Vul 0 of meer in.",
                                    line_field(i, "weekly_quantity")))
        elif week_minutes(line) > WEEK_MINUTES:
            refusals.append(Refusal("quantity_too_large", f"{QUANTITY_TOO_LARGE[line.unit]} voor "
                                    f"{label}. Een week heeft {WEEK_MINUTES // 60} uur.",
                                    line_field(i, "weekly_quantity")))
        elif line.unit in MINUTE_UNITS and line.weekly_quantity % 15:
            refusals.append(Refusal("quantity_not_quarter", f"Vul de uren per week voor {label} "
                                    "in hele kwartieren in, bijvoorbeeld 2:15 of 2:30.",
                                    line_field(i, "weekly_quantity")))
        ceiling = TARIFF_CEILING_CENTS[line.unit]
        if line.tariff_cents > ceiling:
            what = ("Een maandloon van meer dan " + format_euro(ceiling)
                    if line.unit == Unit.MAANDLOON
                    else f"Een tarief van meer dan {format_euro(ceiling)} {line.unit.label}")
            refusals.append(Refusal("tariff_too_high", f"{what} kan niet. Controleer het tarief "
                                    f"voor {label}: staat er een 0 te veel?",
                                    line_field(i, "tariff_cents")))
        if line.unit == Unit.MAANDLOON and draft.model != ModelKind.ARBEID:
            refusals.append(Refusal("monthly_wage_needs_employment", "Een vast maandloon kan "
                                    "alleen bij een arbeidsovereenkomst. Kies een tarief per uur, "
                                    "dagdeel of etmaal.", line_field(i, "unit")))
        key = (line.grant_id, line.care_kind.value)
        if key in seen:
            refusals.append(Refusal("line_duplicate", f"{line.care_kind.label} staat twee keer in "
                                    "de overeenkomst voor hetzelfde budget. Voeg de regels samen.",
                                    line_field(i, "care_kind")))
        seen.add(key)
        grant = grants.get(line.grant_id)
        if not _own_grant(grant, draft.household_id):
            refusals.append(_other_household(line_field(i, "grant_id")))
            continue
        if draft.starts_on is not None and not _overlaps(draft.starts_on, draft.ends_on, grant):
            refusals.append(Refusal("grant_period_no_overlap", "Het budget geldt van "
                                    f"{format_day(grant.period_start)} tot en met "
                                    f"{format_day(grant.period_end)}. Dat valt buiten de periode van "
                                    "de overeenkomst. Kies een ander budget of pas de data aan.",
                                    line_field(i, "grant_id")))
        if line.care_kind.value not in grant.care_kinds:
            refusals.append(Refusal("care_kind_not_in_grant", f"Het gekozen budget mag niet "
                                    f"betalen voor {label}. Kies een ander budget of een andere "
                                    "soort zorg.", line_field(i, "care_kind")))
    return refusals


def _own_grant(grant: GrantFacts | None, household_id: int) -> TypeGuard[GrantFacts]:
    return grant is not None and grant.household_id == household_id


def _other_household(field: str) -> Refusal:
    return Refusal("grant_other_household", "Dit budget hoort niet bij uw huishouden. Kies een "
                   "budget van uzelf of van een gezinslid.", field)


def check_chosen_grants(household_id: int, grant_ids: Iterable[int],
                        grants: Mapping[int, GrantFacts]) -> list[Refusal]:
    """The budgets chosen in the wizard are the household's own."""
    if all(_own_grant(grants.get(grant_id), household_id) for grant_id in grant_ids):
        return []
    return [_other_household("grants")]


@dataclass(frozen=True)
class BudgetYear:
    """One grant seen as a year (or part of one) of a budget. A budget is what the budget holder
    chooses: one member, one law, one funder (`budget`), granted for one or more periods."""

    grant_id: int
    budget: tuple[int, str, int]  # member id, law, funder id
    period_start: dt.date
    period_end: dt.date
    care_kinds: frozenset[str] = frozenset()


def one_per_budget(years: Iterable[BudgetYear]) -> list[BudgetYear]:
    """Each budget once, by its first year (the wizard's choices; the dates pick the years)."""
    first: dict[tuple[int, str, int], BudgetYear] = {}
    for year in sorted(years, key=lambda y: (y.period_start, y.grant_id)):
        first.setdefault(year.budget, year)
    return list(first.values())


def spread_over_period(lines: Sequence[LineInput], chosen: Iterable[int],
                       years: Iterable[BudgetYear], starts_on: dt.date | None,
                       ends_on: dt.date | None) -> tuple[tuple[LineInput, ...], set[int]]:
    """The grants and lines of the budgets chosen, for the years the agreement's dates cover.

    A chosen budget draws on each of its grants that overlaps the period (from `starts_on` to
    `ends_on`, or on without an end). Each kind of care of a budget has one line per such grant,
    like its first-year line given (unit, tariff, quantity: the wizard shows that one row);
    not in a grant that may not pay for that kind of care. A budget none of whose grants
    overlaps the period, a period without a start and grants not in `years` stay as they are
    (the other rules say what is wrong). Lines come first-year first, in the order given."""
    by_id = {y.grant_id: y for y in years}
    chosen = set(chosen)
    all_years: dict[tuple[int, str, int], list[BudgetYear]] = {}
    for y in sorted(by_id.values(), key=lambda y: (y.period_start, y.grant_id)):
        all_years.setdefault(y.budget, []).append(y)
    in_period: dict[tuple[int, str, int], list[BudgetYear]] = {}
    for budget, ys in all_years.items():
        inside = [y for y in ys if starts_on is not None and y.period_start <= (ends_on or y.period_start)
                  and y.period_end >= starts_on]
        if inside:
            in_period[budget] = inside
    picked = {g for g in chosen | {ln.grant_id for ln in lines}
              if g not in by_id or by_id[g].budget not in in_period}
    picked |= {y.grant_id for budget, ys in in_period.items()
               if any(by_id[g].budget == budget for g in chosen | {ln.grant_id for ln in lines}
                      if g in by_id) for y in ys}
    # One source line per budget and kind of care: the one of the earliest grant given.
    sources: dict[tuple[tuple[int, str, int], str], LineInput] = {}
    kept: list[LineInput] = []
    for ln in sorted(lines, key=lambda ln: by_id[ln.grant_id].period_start
                     if ln.grant_id in by_id else dt.date.min):
        year = by_id.get(ln.grant_id)
        if year is None or year.budget not in in_period:
            kept.append(ln)
            continue
        sources.setdefault((year.budget, ln.care_kind.value), ln)
    first: dict[int, LineInput] = {}  # position of the source line given -> its first copy
    later: list[LineInput] = []
    for (budget, kind), src in sources.items():
        targets = [y for y in in_period[budget] if kind in y.care_kinds] or [by_id[src.grant_id]]
        copies = [LineInput(y.grant_id, src.care_kind, src.unit, src.tariff_cents,
                            src.weekly_quantity) for y in targets]
        first[next(i for i, ln in enumerate(lines) if ln is src)] = copies[0]
        later += copies[1:]
    kept_ids = {id(ln) for ln in kept}
    result = [first.get(i, ln) for i, ln in enumerate(lines) if i in first or id(ln) in kept_ids]
    return tuple(result + later), picked


# How far back an agreement can sensibly start: care of an earlier month can no longer be paid
# (an hour sheet is late 10 weeks after its month: claims.rules.SUBMIT_WEEKS), and 3 months back
# always reaches the earliest month that is not late yet.
EARLIEST_START_MONTHS_BACK = 3


def earliest_start(today: dt.date) -> dt.date:
    """The earliest start date the wizard offers budgets for, before the period is chosen."""
    return first_of_month(add_months(today, -EARLIEST_START_MONTHS_BACK))


def check_week_total(draft: DraftInput,
                     grants: Mapping[int, GrantFacts] | None = None) -> list[Refusal]:
    """All care of the agreement together fits in a week (7 x 24 hours): the provider cannot
    claim more (claims count at most 24 hours a day). A day part counts as 4 hours, a 24-hour
    stay as 24 (budgets.constants.MINUTES_PER_UNIT). The lines of one budget's different
    years (grants) do not run at the same time: counted is the busiest day on which a grant
    starts (`grants`: the lines' grants; a line of an unknown grant counts every day)."""
    lines = [ln for ln in draft.lines if week_minutes(ln) <= WEEK_MINUTES]  # the rest: per line
    grants = grants or {}
    probes = {g.period_start for ln in lines if (g := grants.get(ln.grant_id)) is not None}

    def runs_on(ln: LineInput, day: dt.date) -> bool:
        g = grants.get(ln.grant_id)
        return g is None or g.period_start <= day <= g.period_end

    at_once = [[ln for ln in lines if runs_on(ln, day)] for day in sorted(probes)] or [lines]
    busiest = max(at_once, key=lambda group: sum(week_minutes(ln) for ln in group))
    total = sum(week_minutes(ln) for ln in busiest)
    if len(busiest) < 2 or total <= WEEK_MINUTES:
        return []
    return [Refusal("week_total_too_large", f"Alle zorg in deze overeenkomst samen is "
                    f"{total // 60}:{total % 60:02d} uur per week. Dat is meer dan een week heeft "
                    f"({WEEK_MINUTES // 60} uur). Een dagdeel telt als 4 uur, een etmaal als 24 uur. "
                    "Verlaag de uren of het aantal.", "week_total")]


def _overlaps(starts_on: dt.date, ends_on: dt.date | None, grant: GrantFacts) -> bool:
    return starts_on <= grant.period_end and (ends_on is None or ends_on >= grant.period_start)


# ---------------------------------------------------------------------------------------------
# Rules per model kind
# ---------------------------------------------------------------------------------------------


def payroll_required(model: ModelKind, days_per_week: int) -> bool:
    """An employment contract of 4 or more days a week runs through the payment office's payroll."""
    return model == ModelKind.ARBEID and days_per_week >= PAYROLL_DAYS_PER_WEEK


def check_model(draft: DraftInput, provider: ProviderFacts) -> tuple[list[Refusal], list[Notice]]:
    refusals: list[Refusal] = []
    notices: list[Notice] = []
    if draft.model == ModelKind.ZORGINSTELLING:
        if provider.kind != ProviderKind.ORGANISATIE:
            refusals.append(Refusal("provider_not_organisation", "Een zorgovereenkomst met een "
                                    "zorginstelling kan alleen met een organisatie. Kies een ander "
                                    "model, bijvoorbeeld de overeenkomst van opdracht.", "model"))
        else:
            if not provider.kvk:
                refusals.append(Refusal("provider_kvk_missing", "Vul het KvK-nummer van de "
                                        "zorginstelling in.", "kvk"))
            if not provider.agb:
                refusals.append(Refusal("provider_agb_missing", "Vul de AGB-code van de "
                                        "zorginstelling in.", "agb"))
    if draft.model in (ModelKind.FAMILIE, ModelKind.ARBEID) and provider.kind != ProviderKind.PERSOON:
        refusals.append(Refusal("provider_not_person", f"Het model '{draft.model.label}' kan "
                                "alleen met een persoon, niet met een organisatie.", "model"))
    if draft.model == ModelKind.FAMILIE and draft.relation not in FAMILY_RELATIONS:
        refusals.append(Refusal("family_relation_missing", "Kies welke familierelatie de "
                                "zorgverlener heeft met wie de zorg krijgt. Is de zorgverlener "
                                "geen familie? Kies dan een ander model.", "relation"))
    if draft.model == ModelKind.ARBEID and draft.relation in FAMILY_RELATIONS:
        refusals.append(Refusal("employment_with_relative", "Met een familielid of partner sluit "
                                "u geen arbeidsovereenkomst. Kies de zorgovereenkomst met familie "
                                "of partner.", "relation"))
    if payroll_required(draft.model, draft.days_per_week):
        notices.append(Notice("payroll_required", f"Werkt de zorgverlener {PAYROLL_DAYS_PER_WEEK} "
                              "dagen of meer per week voor u? Dan regelt het betaalkantoor de "
                              "loonadministratie (werkgeverstaken) voor u."))
    return refusals, notices


def default_notice_months(model: ModelKind) -> int:
    return DEFAULT_NOTICE_MONTHS[model]


# ---------------------------------------------------------------------------------------------
# Providers: who is the provider, and one agreement per budget holder and provider
# ---------------------------------------------------------------------------------------------


def default_start(today: dt.date) -> dt.date:
    """A new agreement starts on the first of next month until the budget holder chooses."""
    return first_of_month(add_months(today, 1))


def start_in_periods(current: dt.date, periods: Sequence[tuple[dt.date, dt.date]],
                     today: dt.date) -> dt.date:
    """The start date once the budgets are chosen: `current` when a chosen budget runs on it;
    otherwise the earliest day from the first of this month on on which one runs (a budget of
    this year chosen in December starts this December, not next January). `current` when no
    chosen budget runs from this month on."""
    if any(first <= current <= last for first, last in periods):
        return current
    month = first_of_month(today)
    candidates = [max(first, month) for first, last in periods if max(first, month) <= last]
    return min(candidates) if candidates else current


def provider_kind_for(model: ModelKind) -> ProviderKind:
    """The care-institution model is made with an organisation; the other three with a person."""
    return ProviderKind.ORGANISATIE if model == ModelKind.ZORGINSTELLING else ProviderKind.PERSOON


def relation_asked(model: ModelKind) -> bool:
    """The relation to the member matters for the family and the employment model only."""
    return model in (ModelKind.FAMILIE, ModelKind.ARBEID)


def check_relation_choice(model: ModelKind, relation: str | None) -> list[Refusal]:
    """A model that asks for the relation needs an answer from the list (saving too)."""
    if not relation_asked(model):
        return []
    if relation not in Relation._value2member_map_ or (
            model == ModelKind.FAMILIE and relation == Relation.GEEN):
        return [Refusal("relation_missing", "Kies de relatie van de zorgverlener met degene die "
                        "de zorg krijgt.", "relation")]
    return []


@dataclass(frozen=True)
class ExistingAgreement:
    """An agreement of the household with the provider, for the one-agreement rule."""

    id: int
    reference: str
    provider_name: str
    last_day: dt.date | None  # rules.last_day_of_care


def check_one_agreement(existing: Sequence[ExistingAgreement],
                        today: dt.date) -> tuple[ExistingAgreement | None, list[Refusal]]:
    """One agreement per budget holder and care provider: a new one only when every earlier
    agreement with that provider is over (its last day of care has passed). The refusal says to
    change the existing agreement instead; the screen links to it."""
    for agreement in sorted(existing, key=lambda a: a.id):
        if agreement.last_day is not None and agreement.last_day < today:
            continue
        until = ""
        if agreement.last_day is not None:
            until = (f" Die loopt tot en met {format_day(agreement.last_day)}. Daarna kunt u "
                     "een nieuwe overeenkomst maken.")
        return agreement, [Refusal(
            "agreement_exists", f"U heeft al een overeenkomst met {agreement.provider_name} "
            f"({agreement.reference}). Met dezelfde zorgverlener heeft u één overeenkomst. Wilt u "
            "iets veranderen of toevoegen, bijvoorbeeld zorg voor een ander gezinslid? Wijzig dan "
            f"die overeenkomst.{until}", "provider_id")]
    return None, []


def provider_login_notice(name: str, has_login: bool, email: str | None) -> Notice | None:
    """What happens on 'Delen' when the provider has no login for the portal yet."""
    if has_login:
        return None
    email_text = (f" (met het e-mailadres {email})" if email else
                  ". Het betaalkantoor heeft daarvoor het e-mailadres van de zorgverlener nodig")
    return Notice("provider_without_login", f"{name} heeft nog geen inlog voor het portaal. "
                  "Als u de overeenkomst deelt, krijgt het betaalkantoor een bericht en maakt een "
                  f"inlog aan{email_text}. Tot dan kan {name} de overeenkomst niet zien en niet "
                  "ondertekenen. Wilt u niet wachten? Onderteken de overeenkomst samen op papier "
                  "en upload de scan.")


# ---------------------------------------------------------------------------------------------
# Maximum tariffs
# ---------------------------------------------------------------------------------------------


def _years(starts_on: dt.date, ends_on: dt.date | None, grant: GrantFacts) -> range:
    first = max(starts_on, grant.period_start)
    last = grant.period_end if ends_on is None else min(ends_on, grant.period_end)
    return range(first.year, last.year + 1)


def check_tariffs(draft: DraftInput, grants: Mapping[int, GrantFacts],
                  tariff_rows: Iterable[TariffRow] = ()) -> tuple[list[Refusal], list[LineTariff]]:
    """Each line's tariff against the maximum of its law, funder and year(s).

    Above the maximum: refused (tariff_above_maximum), unless draft.top_up says the budget holder
    pays the difference from their own money; then the budget pays the maximum
    (LineTariff.budget_tariff_cents). Family care uses the informal maxima. A line whose period
    spans several years is checked against each year's maximum (the lowest binds).
    """
    rows = list(tariff_rows)
    informal = draft.model == ModelKind.FAMILIE
    refusals: list[Refusal] = []
    verdicts: list[LineTariff] = []
    missing_said: set[tuple[Law, int]] = set()
    for i, line in enumerate(draft.lines):
        grant = grants.get(line.grant_id)
        missing = [] if grant is None or draft.starts_on is None or line.unit not in CAPPED_UNITS \
            else [y for y in _years(draft.starts_on, draft.ends_on, grant)
                  if missing_national_maxima(grant.law, y, rows)]
        if missing:
            assert grant is not None  # a missing maximum is looked up in a grant's years
            for year in missing:
                if (grant.law, year) not in missing_said:
                    missing_said.add((grant.law, year))
                    refusals.append(maxima_not_set(grant.law, year, line_field(i, "tariff_cents")))
            verdicts.append(LineTariff(i, None, None, None))
            continue
        # (max_cents, year of the maximum's table, year of care it binds): a year without a
        # table of its own keeps an earlier year's maximum (tariffs.maximum_for).
        lowest: tuple[int, int, int] | None = None
        if grant is not None and draft.starts_on is not None:
            for year in _years(draft.starts_on, draft.ends_on, grant):
                found = maximum_for(grant.law, year, line.unit, informal=informal,
                                    funder_id=grant.funder_id, db_rows=rows)
                if found is not None and (lowest is None or found.max_cents < lowest[0]):
                    lowest = (found.max_cents, found.year, year)
        above = lowest is not None and line.tariff_cents > lowest[0] and line.tariff_cents > 0
        if above and not draft.top_up:
            assert lowest is not None and grant is not None
            max_cents, table_year, care_year = lowest
            which = (f"het maximum van {table_year}" if table_year == care_year else
                     f"het maximum van {table_year}, dat geldt zolang er voor {care_year} geen "
                     "nieuw maximum is")
            refusals.append(Refusal(
                "tariff_above_maximum",
                f"Het tarief voor {line.care_kind.label.lower()} ({format_euro(line.tariff_cents)} "
                f"{line.unit.label}) is hoger dan het maximum van {format_euro(max_cents)} voor "
                f"{grant.law.label} ({which}). Verlaag het tarief, of kies dat u het verschil "
                "zelf betaalt uit eigen geld.", line_field(i, "tariff_cents")))
        verdicts.append(LineTariff(i, lowest[0] if lowest else None, lowest[1] if lowest else None,
                                   lowest[0] if lowest and above and draft.top_up else None))
    return refusals, verdicts


def maxima_not_set(law: Law, year: int, field: str | None = None) -> Refusal:
    """No national maxima known for `year` (tariffs.missing_national_maxima): the agreement
    cannot be checked, so it waits; the office sees the same on its start page."""
    return Refusal("maxima_not_set",
                   f"De maximumtarieven voor {year} zijn nog niet vastgesteld. Voor de "
                   f"{law.label} gelden landelijke maximumtarieven die elk jaar op 1 januari "
                   f"veranderen. Zolang die voor {year} niet in het portaal staan, kan het "
                   "tarief niet worden gecontroleerd. Probeer het later opnieuw, of neem contact "
                   "op met het betaalkantoor.", field)


def binding_minimum_wage(draft: DraftInput,
                         table: Iterable[tuple[dt.date, int]] = MINIMUM_HOURLY_WAGE
                         ) -> MinimumWage | None:
    """The statutory minimum hourly wage a family agreement's hourly tariff must reach: the
    highest that applies on some day of its period (the tariff holds on every day)."""
    if draft.model != ModelKind.FAMILIE or draft.starts_on is None:
        return None
    wages = minimum_wages(draft.starts_on, draft.ends_on, table)
    return max(wages, key=lambda w: (w.cents, w.since)) if wages else None


def check_minimum_wage(draft: DraftInput,
                       table: Iterable[tuple[dt.date, int]] = MINIMUM_HOURLY_WAGE) -> list[Refusal]:
    """A partner or relative under the family model earns at least the statutory minimum wage
    (DOMAIN.md). Only hourly care is checked: a day part or a 24-hour stay is no number of
    working hours. (The table holds the amount for 21 and older.)"""
    minimum = binding_minimum_wage(draft, table)
    if minimum is None:
        return []
    refusals = []
    for i, line in enumerate(draft.lines):
        if line.unit == Unit.UUR and 0 < line.tariff_cents < minimum.cents:
            refusals.append(Refusal(
                "tariff_below_minimum_wage",
                f"Het tarief voor {line.care_kind.label.lower()} ({format_euro(line.tariff_cents)} "
                f"per uur) is lager dan het wettelijk minimumuurloon: {format_euro(minimum.cents)} "
                f"per uur vanaf {format_day(minimum.since)}. Bij een zorgovereenkomst met familie "
                f"is het tarief minstens het minimumloon. Verhoog het tarief tot minstens "
                f"{format_euro(minimum.cents)}.", line_field(i, "tariff_cents")))
    return refusals


# Units a maximum tariff is set for; a fixed monthly wage has none.
CAPPED_UNITS = (Unit.UUR, Unit.DAGDEEL, Unit.ETMAAL)


def check_max_tariff(*, law: str, year: int, unit: str, informal: bool | None, max_cents: int,
                     funder_given: bool, funder_kind: FunderKind | None,
                     today: dt.date) -> list[Refusal]:
    """Every reason this maximum tariff (a MaxTariff row, set with `portal set-max-tariff`)
    cannot be set, at once.

    funder_given: a funder was named; funder_kind: its kind, None when it does not exist. No
    funder: a national maximum, which only the Wlz has (gemeenten set Wmo and Jeugdwet maxima
    themselves).
    """
    refusals: list[Refusal] = []
    known_law = law in {w.value for w in Law}
    if not known_law:
        refusals.append(Refusal("law_unknown", "Deze wet kennen we niet. Kies uit: "
                                + ", ".join(w.value for w in Law) + ".", "law"))
    if funder_given and funder_kind is None:
        refusals.append(Refusal("funder_unknown", "Deze verstrekker bestaat niet. Controleer het "
                                "nummer van de verstrekker.", "funder"))
    elif funder_kind is not None and known_law \
            and Law(law) not in LAWS_BY_FUNDER_KIND[FunderKind(funder_kind)]:
        refusals.append(Refusal("law_not_funded", f"Een {FunderKind(funder_kind).label.lower()} "
                                f"verstrekt geen budget voor de {Law(law).label}. Kies de wet die "
                                "deze verstrekker verstrekt.", "law"))
    elif not funder_given and known_law and law != Law.WLZ:
        refusals.append(Refusal("funder_missing", f"Voor de {Law(law).label} stelt elke "
                                "verstrekker zijn eigen maximum vast: geef de verstrekker op. "
                                "Alleen de Wlz heeft landelijke maxima.", "funder"))
    if unit == Unit.MAANDLOON:
        refusals.append(Refusal("unit_not_capped", "Een vast maandloon heeft geen maximumtarief. "
                                "Kies uur, dagdeel of etmaal.", "unit"))
    elif unit not in {u.value for u in CAPPED_UNITS}:
        refusals.append(Refusal("unit_unknown", "Deze eenheid kennen we niet. Kies uur, dagdeel "
                                "of etmaal.", "unit"))
    if informal is None:
        refusals.append(Refusal("informal_missing", "Zeg of het maximum geldt voor familie en "
                                "naasten (informeel) of voor zorgverleners van beroep (formeel).",
                                "informal"))
    refusals += check_table_year(year, today)
    if max_cents <= 0:
        refusals.append(Refusal("amount_not_positive", "Het maximumtarief moet groter zijn dan "
                                f"{format_euro(0)}.", "amount"))
    return refusals


def check_not_own_provider(holder: HolderFacts | None, provider: ProviderFacts) -> list[Refusal]:
    """The budget holder is never their own care provider (no money in one's own account):
    refused when the provider is the holder by their login's e-mail address, by name (and date
    of birth where both are known: same_person_name), or when the agreement's IBAN is the
    holder's own account."""
    if holder is None:
        return []
    refusals = []
    same_email = bool(holder.email and provider.email
                      and holder.email.strip().lower() == provider.email.strip().lower())
    same_name = bool(provider.name and same_person_name(holder.name, provider.name)
                     and (holder.birth_date is None or provider.birth_date is None
                          or holder.birth_date == provider.birth_date))
    if same_email or same_name:
        refusals.append(Refusal(
            "provider_is_holder",
            f"De zorgverlener ({provider.name}) bent u zelf. Een budgethouder kan niet zijn eigen "
            "zorgverlener zijn: het budget betaalt nooit aan uzelf. Kies een andere zorgverlener.",
            "provider_id"))
    if provider.iban and holder.iban and \
            _compact_iban(provider.iban) == _compact_iban(holder.iban):
        refusals.append(Refusal(
            "provider_iban_is_holders",
            "Dit IBAN-nummer is de rekening van de budgethouder zelf. Het budget betaalt de zorg "
            "alleen aan de zorgverlener. Vul het IBAN-nummer van de zorgverlener in.", "iban"))
    return refusals


def _compact_iban(iban: str) -> str:
    return "".join(str(iban).split()).upper()


def validate_draft(draft: DraftInput, provider: ProviderFacts, grants: Mapping[int, GrantFacts],
                   tariff_rows: Iterable[TariffRow] = (), *,
                   today: dt.date | None = None, holder: HolderFacts | None = None
                   ) -> DraftVerdict:
    """Everything a draft must satisfy before it is shared or signed, all reasons at once.
    today: for the dates' upper bound (None: none). holder: who the budget holder is (None:
    not checked)."""
    refusals = check_period(draft, today) + check_lines(draft, grants) + check_week_total(draft, grants)
    refusals += check_not_own_provider(holder, provider)
    model_refusals, notices = check_model(draft, provider)
    tariff_refusals, tariffs = check_tariffs(draft, grants, tariff_rows)
    refusals += model_refusals + tariff_refusals + check_minimum_wage(draft)
    if draft.top_up and any(t.budget_tariff_cents is not None for t in tariffs):
        notices.append(Notice("top_up", "Een tarief ligt boven het maximum. Het budget betaalt "
                              "het maximum; het verschil betaalt u zelf aan de zorgverlener."))
    return DraftVerdict(refusals, notices, payroll_required(draft.model, draft.days_per_week),
                        tariffs)
