"""Pure decisions about care agreements: no Flask, no session. Plain data in, verdict out."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.access.rules import check_email
from portal.agreements.constants import (
    DEFAULT_NOTICE_MONTHS,
    FAMILY_RELATIONS,
    OPEN_STATUSES,
    PAYROLL_DAYS_PER_WEEK,
    Action,
    EffectiveStatus,
    EndKind,
    ModelKind,
    Party,
    ProviderKind,
    Relation,
    ReviewDecision,
    VersionStatus,
)
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
    last_of_month,
    months_between,
)
from portal.identifiers import check_agb, check_iban, check_kvk
from portal.money import format_euro, round_half_up
from portal.refusals import Refusal
from portal.text import check_one_line

# Versions that were approved by the funder at some point (and so governed some days).
EVER_APPROVED = frozenset({VersionStatus.GOEDGEKEURD, VersionStatus.VERVANGEN,
                           VersionStatus.BEEINDIGD})


@dataclass(frozen=True)
class VersionPeriod:
    """What coverage needs to know of a version."""

    number: int
    status: VersionStatus
    starts_on: dt.date
    ends_on: dt.date | None
    ended_on: dt.date | None = None


def coverage(versions: Sequence[VersionPeriod]) -> list[tuple[VersionPeriod, dt.date, dt.date | None]]:
    """The days each approved version governs: (version, first day, last day or None).

    A later approved version takes over from its start date; the earlier one governs until
    the day before. Ending an agreement (ended_on) cuts the period short.
    """
    approved = sorted((v for v in versions if v.status in EVER_APPROVED), key=lambda v: v.number)
    result = []
    for i, v in enumerate(approved):
        last = v.ends_on
        if v.ended_on is not None:
            last = v.ended_on if last is None else min(last, v.ended_on)
        later = [w.starts_on for w in approved[i + 1:]]
        if later:
            cut = min(later) - dt.timedelta(days=1)
            last = cut if last is None else min(last, cut)
        if last is not None and last < v.starts_on:
            continue
        result.append((v, v.starts_on, last))
    return result


def version_for_day(versions: Sequence[VersionPeriod], day: dt.date) -> VersionPeriod | None:
    """The approved version that governs `day`, or None when no approved version covers it."""
    for v, first, last in coverage(versions):
        if first <= day and (last is None or day <= last):
            return v
    return None


def versions_in_month(versions: Sequence[VersionPeriod], month: dt.date) -> list[VersionPeriod]:
    """The approved versions that govern at least one day of `month`, earliest first (coverage
    gives each version days before the next one's), [] when none does."""
    first_day, last_day = first_of_month(month), last_of_month(month)
    return [v for v, first, last in coverage(versions)
            if first <= last_day and (last is None or last >= first_day)]


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


def week_minutes(line) -> int:
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


def _own_grant(grant: GrantFacts | None, household_id: int) -> bool:
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


# How far back an agreement can sensibly start: care of an earlier month can no longer be paid
# (an hour sheet is late 10 weeks after its month: claims.rules.SUBMIT_WEEKS), and 3 months back
# always reaches the earliest month that is not late yet.
EARLIEST_START_MONTHS_BACK = 3


def earliest_start(today: dt.date) -> dt.date:
    """The earliest start date the wizard offers budgets for, before the period is chosen."""
    return first_of_month(add_months(today, -EARLIEST_START_MONTHS_BACK))


def check_week_total(draft: DraftInput) -> list[Refusal]:
    """All care of the agreement together fits in a week (7 x 24 hours): the provider cannot
    claim more (claims count at most 24 hours a day). A day part counts as 4 hours, a 24-hour
    stay as 24 (budgets.constants.MINUTES_PER_UNIT)."""
    lines = [ln for ln in draft.lines if week_minutes(ln) <= WEEK_MINUTES]  # the rest: per line
    total = sum(week_minutes(ln) for ln in lines)
    if len(lines) < 2 or total <= WEEK_MINUTES:
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
class KnownProvider:
    """A provider already in the portal, as the matching below sees it."""

    id: int
    kind: ProviderKind
    name: str
    iban: str
    kvk: str | None = None
    has_login: bool = False


def _name_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name or "")
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return "".join(ch if ch.isalnum() else " " for ch in plain).split()


def same_person_name(a: str, b: str) -> bool:
    """Do two spellings name the same person? Case, accents and punctuation do not count, and
    the shorter may leave out given names or write them as initials ('M. de Boer',
    'Marieke de Boer', 'Marieke Johanna de Boer'); the surname must be there in full."""
    words_a, words_b = _name_words(a), _name_words(b)
    short, long = sorted((words_a, words_b), key=len)
    if not short:
        return False
    if short == long:
        return True
    if len(short) < 2 or short[-1] != long[-1]:
        return False
    rest = list(long[:-1])
    for word in short[:-1]:
        match = next((w for w in rest if w == word or (len(word) == 1 and w.startswith(word))
                      or (len(w) == 1 and word.startswith(w))), None)
        if match is None:
            return False
        rest.remove(match)
    return True


# What the providers table holds of a name.
PROVIDER_NAME_MAX_LENGTH = 200


def check_provider_fields(kind: ProviderKind, name: str | None, iban: str | None,
                          kvk: str | None, agb: str | None,
                          email: str | None) -> tuple[dict, list[Refusal]]:
    """A provider's details as typed (the wizard, the provider signing): the cleaned values and
    every refusal at once - a name, a valid IBAN, KvK and AGB (required for an organisation),
    an e-mail address when given; name and e-mail address on one line (portal.text)."""
    refusals = check_one_line({"name": name, "email": email})
    broken = {r.field for r in refusals}
    values: dict = {"name": (name or "").strip(), "email": (email or "").strip().lower() or None}
    if "name" in broken:
        pass  # the line break is what to fix first
    elif not values["name"]:
        refusals.append(Refusal("name_missing", "Vul de naam van de zorgverlener in.", "name"))
    elif len(values["name"]) > PROVIDER_NAME_MAX_LENGTH:
        refusals.append(Refusal("name_too_long", "Deze naam is te lang. Gebruik ten hoogste "
                                f"{PROVIDER_NAME_MAX_LENGTH} tekens.", "name"))
    values["iban"], found = check_iban(iban or "")
    refusals += found
    for field, value, check in (("kvk", kvk, check_kvk), ("agb", agb, check_agb)):
        if value:
            values[field], found = check(value)
            refusals += found
        else:
            values[field] = None
    if kind == ProviderKind.ORGANISATIE:
        if not kvk:
            refusals.append(Refusal("kvk_missing", "Vul het KvK-nummer van de organisatie in.",
                                    "kvk"))
        if not agb:
            refusals.append(Refusal("agb_missing", "Vul de AGB-code van de organisatie in.", "agb"))
    if values["email"] and "email" not in broken:
        refusals += check_email(values["email"])
    return values, refusals


def match_provider(kind: ProviderKind, name: str, iban: str, kvk: str | None,
                   known: Sequence[KnownProvider]) -> tuple[KnownProvider | None, list[Refusal]]:
    """Is the 'new' provider one the portal already knows? Then the agreement is made with that
    provider (who may have a login, and whose hours are counted together), not with a copy.

    An organisation is the same when its KvK number is; a person when the IBAN and the name are
    (see same_person_name). An IBAN that belongs to a provider of another kind, or to a person
    with another name, or to an organisation with another KvK number, is refused: probably a
    typing error, and an agreement must never land with someone else. The messages do not
    reveal who the IBAN belongs to. (None, []): a new provider.
    """
    def first(rows):
        return sorted(rows, key=lambda p: (not p.has_login, p.id))[0]

    if kind == ProviderKind.ORGANISATIE and kvk:
        same_kvk = [p for p in known if p.kind == ProviderKind.ORGANISATIE and p.kvk == kvk]
        if same_kvk:
            return first(same_kvk), []
    same_iban = [p for p in known if p.iban == iban]
    if not same_iban:
        return None, []
    same_kind = [p for p in same_iban if p.kind == kind]
    if not same_kind:
        if kind == ProviderKind.PERSOON:
            return None, [Refusal("iban_of_organisation", "Dit IBAN hoort bij een zorginstelling "
                                  "die al bekend is in het portaal. Maakt u de overeenkomst met "
                                  "een zorginstelling? Kies dan het model 'Zorgovereenkomst met "
                                  "een zorginstelling'. Anders: controleer het IBAN.", "iban")]
        return None, [Refusal("iban_of_person", "Dit IBAN hoort bij een persoon die al "
                              "zorgverlener is in het portaal, niet bij een organisatie. "
                              "Controleer het IBAN, of kies een ander model.", "iban")]
    if kind == ProviderKind.PERSOON:
        named = [p for p in same_kind if same_person_name(p.name, name)]
        if named:
            return first(named), []
        return None, [Refusal("iban_other_name", "Dit IBAN is in het portaal al bekend bij een "
                              "zorgverlener met een andere naam. Controleer de naam en het IBAN. "
                              "Kloppen ze allebei? Neem dan contact op met het betaalkantoor.",
                              "iban")]
    fitting = [p for p in same_kind if not p.kvk or not kvk or p.kvk == kvk]
    if fitting:
        return first(fitting), []
    return None, [Refusal("iban_other_kvk", "Dit IBAN is in het portaal al bekend bij een "
                          "zorginstelling met een ander KvK-nummer. Controleer het KvK-nummer en "
                          "het IBAN.", "kvk")]


def last_day_of_care(versions: Sequence[VersionPeriod]) -> dt.date | None:
    """The last day an agreement covers, from its versions; None while it has no end (or a
    version is still on its way to approval, so it may go on). An agreement that never was
    approved and has nothing open any more covers no day: date.min."""
    if any(v.status in OPEN_STATUSES for v in versions):
        return None
    lasts = [last for _v, _first, last in coverage(versions)]
    if not lasts:
        return dt.date.min
    return None if None in lasts else max(lasts)


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
                                   lowest[0] if above and draft.top_up else None))
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
    refusals = check_period(draft, today) + check_lines(draft, grants) + check_week_total(draft)
    refusals += check_not_own_provider(holder, provider)
    model_refusals, notices = check_model(draft, provider)
    tariff_refusals, tariffs = check_tariffs(draft, grants, tariff_rows)
    refusals += model_refusals + tariff_refusals + check_minimum_wage(draft)
    if draft.top_up and any(t.budget_tariff_cents is not None for t in tariffs):
        notices.append(Notice("top_up", "Een tarief ligt boven het maximum. Het budget betaalt "
                              "het maximum; het verschil betaalt u zelf aan de zorgverlener."))
    return DraftVerdict(refusals, notices, payroll_required(draft.model, draft.days_per_week),
                        tariffs)


# ---------------------------------------------------------------------------------------------
# Lifecycle: who may take which step from which status
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    action: Action
    parties: frozenset[Party]
    from_statuses: frozenset[VersionStatus]
    to_status: VersionStatus
    # None: either; False: only before the provider signed; True: only after.
    provider_signed: bool | None = None


def _t(action, parties, froms, to, provider_signed=None) -> Transition:
    return Transition(action, frozenset(parties), frozenset(froms), to, provider_signed)


S = VersionStatus
TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    _t(Action.EDIT, {Party.HOLDER}, {S.CONCEPT}, S.CONCEPT),
    _t(Action.SHARE, {Party.HOLDER}, {S.CONCEPT}, S.GEDEELD),
    # The provider completes (may change IBAN and details) and signs; the status stays 'gedeeld'.
    _t(Action.PROVIDER_SIGN, {Party.PROVIDER}, {S.GEDEELD}, S.GEDEELD, provider_signed=False),
    _t(Action.HOLDER_SIGN, {Party.HOLDER}, {S.GEDEELD}, S.ONDERTEKEND, provider_signed=True),
    # Right after both signed, the portal hands the version to the funder.
    _t(Action.SUBMIT, {Party.SYSTEM}, {S.ONDERTEKEND}, S.TER_BEOORDELING),
    # Paper: the uploaded signed PDF counts as both signatures.
    _t(Action.UPLOAD_PAPER, {Party.HOLDER}, {S.CONCEPT, S.GEDEELD}, S.ONDERTEKEND),
    _t(Action.APPROVE, {Party.CONSULENT}, {S.TER_BEOORDELING}, S.GOEDGEKEURD),
    _t(Action.REJECT, {Party.CONSULENT}, {S.TER_BEOORDELING}, S.AFGEKEURD),
    _t(Action.REWORK, {Party.HOLDER}, {S.AFGEKEURD}, S.CONCEPT),
    _t(Action.END, {Party.HOLDER}, {S.GOEDGEKEURD}, S.BEEINDIGD),
)}
del S


def check_transition(action: Action, status: VersionStatus, parties: Iterable[Party], *,
                     provider_signed: bool = False) -> list[Refusal]:
    """May someone playing `parties` take `action` on a version in `status`? Refusals if not."""
    t = TRANSITIONS[action]
    refusals = []
    if not t.parties & set(parties):
        who = " of ".join(p.label.lower() for p in sorted(t.parties))
        refusals.append(Refusal("not_your_step", f"U mag deze stap niet zetten. Dat mag alleen "
                                f"de {who}."))
    if status not in t.from_statuses:
        refusals.append(Refusal("wrong_status", f"Dit kan niet meer of nog niet: de overeenkomst "
                                f"heeft de status '{status.label}'."))
    elif t.provider_signed is True and not provider_signed:
        refusals.append(Refusal("provider_not_signed", "De zorgverlener heeft nog niet "
                                "ondertekend. U kunt ondertekenen zodra de zorgverlener dat "
                                "gedaan heeft."))
    elif t.provider_signed is False and provider_signed:
        refusals.append(Refusal("provider_already_signed", "De zorgverlener heeft deze versie al "
                                "ondertekend. Nu is de budgethouder aan de beurt."))
    return refusals


def is_repeat(action: Action, status: VersionStatus, *, provider_signed: bool = False) -> bool:
    """Has `action` already happened to a version in `status`? Then asking for it again is a
    repeat (the second of two identical requests), answered 'Dit is al gedaan', not a mistake.

    The version is where the action leads (and not where it could start again), or one step
    further where the portal moves it on by itself (signed -> to the funder); or it is the
    provider's signature and the provider signed.
    """
    t = TRANSITIONS[action]
    status = VersionStatus(status)
    if t.provider_signed is False and provider_signed and status in t.from_statuses:
        return True
    reached = {t.to_status}
    if t.to_status is VersionStatus.ONDERTEKEND:
        reached.add(TRANSITIONS[Action.SUBMIT].to_status)
    return status in reached and status not in t.from_statuses


# The statuses the wizard's steps edit: a concept, or a refused version being reworked.
EDITABLE = TRANSITIONS[Action.EDIT].from_statuses | TRANSITIONS[Action.REWORK].from_statuses


def available_actions(*, holder: bool, provider: bool, open_status: VersionStatus | None,
                      provider_signed: bool, approved: bool, ended: bool) -> dict[str, bool]:
    """Which actions an agreement's page offers, read from the transition table: `holder` (may
    act as the budget holder) and `provider` (is its provider) say who looks; `open_status` is
    the status of the version on its way to approval (None: there is none), `approved` whether
    an approved version governs, `ended` whether the agreement was ended (then nothing applies)."""
    def may(action: Action, party: Party) -> bool:
        return open_status is not None and not check_transition(
            action, VersionStatus(open_status), {party}, provider_signed=provider_signed)

    live = not ended
    return {
        "edit": holder and live and open_status in EDITABLE,
        "paper": holder and live and may(Action.UPLOAD_PAPER, Party.HOLDER),
        "holder_sign": holder and live and may(Action.HOLDER_SIGN, Party.HOLDER),
        "provider_sign": provider and live and may(Action.PROVIDER_SIGN, Party.PROVIDER),
        "change": holder and live and approved and open_status is None,
        "end": holder and live and approved,
    }


def next_status(action: Action) -> VersionStatus:
    return TRANSITIONS[action].to_status


def effective_status(status: VersionStatus, starts_on: dt.date, ends_on: dt.date | None,
                     ended_on: dt.date | None, today: dt.date, *,
                     provider_signed: bool = False) -> EffectiveStatus:
    """What a version is today: 'actief' from its start date once approved, and so on."""
    if status == VersionStatus.GEDEELD and provider_signed:
        return EffectiveStatus.ONDERTEKEND_ZORGVERLENER
    if status in (VersionStatus.GOEDGEKEURD, VersionStatus.BEEINDIGD):
        last = ends_on if ended_on is None else (ended_on if ends_on is None
                                                 else min(ends_on, ended_on))
        if last is not None and today > last:
            return (EffectiveStatus.BEEINDIGD if status == VersionStatus.BEEINDIGD
                    else EffectiveStatus.AFGELOPEN)
        if today < starts_on:
            return (EffectiveStatus.BEEINDIGD if status == VersionStatus.BEEINDIGD
                    else EffectiveStatus.GOEDGEKEURD)
        return EffectiveStatus.OPGEZEGD if status == VersionStatus.BEEINDIGD else EffectiveStatus.ACTIEF
    return EffectiveStatus(status.value)


MIN_REASON_WORDS = 3
MIN_REASON_CHARS = 15


def check_review(approve: bool, reason: str | None) -> list[Refusal]:
    """A rejection needs a reason the budget holder can act on: a few words at least."""
    if approve:
        return []
    text = (reason or "").strip()
    if len(text.split()) < MIN_REASON_WORDS or len(text) < MIN_REASON_CHARS:
        return [Refusal("rejection_reason_too_short", "Schrijf bij een afkeuring wat er niet "
                        "goed is en wat de budgethouder moet aanpassen (minstens een paar woorden).",
                        "reason")]
    return []


def check_provider_known(known: bool) -> list[Refusal]:
    """A new agreement only with a provider the household knows: one registered for it, found
    by the IBAN or KvK number it typed, or one it had an agreement with. Any other provider id
    is refused like one that does not exist (the refusal does not tell which)."""
    if known:
        return []
    return [Refusal("provider_unknown", "Deze zorgverlener is bij u nog niet bekend. Voeg de "
                    "zorgverlener toe met naam en IBAN (een zorginstelling met KvK-nummer en "
                    "AGB-code).", "provider_id")]


def check_funder_decision(funder_id: int | None, concerned: Collection[int],
                          decided: Collection[int]) -> list[Refusal]:
    """A funder decides only on a version it helps pay, and only once per review round."""
    if funder_id is None or funder_id not in concerned:
        return [Refusal("funder_not_concerned", "Deze overeenkomst wordt niet betaald uit een "
                        "budget van uw organisatie. U hoeft er niet over te beslissen.")]
    if funder_id in decided:
        return [Refusal("funder_already_decided", "Uw organisatie heeft al over deze versie "
                        "besloten. De andere verstrekkers die meebetalen, beslissen nu nog. Is "
                        "uw besluit niet goed? Neem dan contact op met de budgethouder.")]
    return []


def review_outcome(concerned: Collection[int],
                   decisions: Mapping[int, ReviewDecision | str]) -> VersionStatus:
    """What the funders' decisions (funder id -> decision) make of a version under review.

    Each funder decides for its own budgets: one refusal refuses the version; it is approved
    only when every funder concerned approved; until then it stays ter beoordeling. A decision
    of a funder that has no line in the version does not count.
    """
    relevant = {f: ReviewDecision(d) for f, d in decisions.items() if f in concerned}
    if ReviewDecision.AFGEKEURD in relevant.values():
        return VersionStatus.AFGEKEURD
    if concerned and all(relevant.get(f) == ReviewDecision.GOEDGEKEURD for f in concerned):
        return VersionStatus.GOEDGEKEURD
    return VersionStatus.TER_BEOORDELING


def check_end(starts_on: dt.date, ends_on: dt.date | None, ended_on: dt.date | None,
              today: dt.date, notice_months: int) -> tuple[list[Refusal], list[Notice]]:
    """Ending an approved agreement on `ended_on` (the last day of care).

    Not in the past (care already given stays covered), not after the agreement's own end date.
    Notices: ending is usually at the end of a month, and a shorter notice than agreed needs the
    provider's consent.
    """
    refusals: list[Refusal] = []
    notices: list[Notice] = []
    if ended_on is None:
        return [Refusal("end_date_missing", "Vul de laatste dag in waarop de zorgverlener zorg "
                        "geeft.", "ended_on")], []
    if ended_on < today:
        refusals.append(Refusal("end_in_past", "De einddatum ligt in het verleden. Kies vandaag "
                                "of een latere datum.", "ended_on"))
    else:
        refusals += check_date_range(ended_on, today, "ended_on")
    if ends_on is not None and ended_on > ends_on:
        refusals.append(Refusal("end_after_agreement_end", "De overeenkomst loopt al af op "
                                f"{format_day(ends_on)}. Kies een datum op of voor die dag.",
                                "ended_on"))
    if refusals:
        return refusals, notices
    if ended_on != last_of_month(ended_on):
        notices.append(Notice("end_not_month_end", "Meestal eindigt een overeenkomst op de "
                              "laatste dag van een maand."))
    if notice_months and ended_on < add_months(today, notice_months) and ended_on >= starts_on:
        notices.append(Notice("notice_short", f"De opzegtermijn is {notice_months} maand. Eindigt "
                              "de zorg eerder, spreek dat dan af met de zorgverlener."))
    return refusals, notices


# ---------------------------------------------------------------------------------------------
# Changes: new versions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionTerms:
    """What a version agrees on, to compare two versions."""

    ends_on: dt.date | None
    end_kind: EndKind
    days_per_week: int
    top_up: bool
    lines: frozenset[tuple[int, str, str, int, int]]

    @classmethod
    def of(cls, *, ends_on, end_kind, days_per_week, top_up, lines) -> VersionTerms:
        return cls(ends_on, EndKind(end_kind), days_per_week, bool(top_up), frozenset(
            (ln.grant_id, str(ln.care_kind), str(ln.unit), ln.tariff_cents, ln.weekly_quantity)
            for ln in lines))


def is_extension(old: VersionTerms, new: VersionTerms) -> bool:
    """Only a later end date, or no end date any more; the work and tariffs stay the same."""
    if (old.lines, old.days_per_week, old.top_up) != (new.lines, new.days_per_week, new.top_up):
        return False
    if old.ends_on is None:
        return False  # nothing to extend
    if new.end_kind == EndKind.GEEN and old.end_kind == EndKind.EINDDATUM:
        return new.ends_on is None
    return (new.end_kind == old.end_kind and new.end_kind != EndKind.GEEN
            and (new.ends_on is None or new.ends_on > old.ends_on))


def needs_new_approval(old: VersionTerms, new: VersionTerms) -> bool:
    """An extension needs no new approval; a change in the work or the tariff does."""
    return not is_extension(old, new)


def check_something_changed(old: VersionTerms, new: VersionTerms) -> list[Refusal]:
    """A change (new version) changes something: the hours, a tariff, a kind of care or the end."""
    if old == new:
        return [Refusal("change_nothing", "Er is niets gewijzigd. Pas de uren, tarieven, "
                        "zorgsoorten of einddatum aan.")]
    return []


NOT_ALLOWED = Refusal("not_allowed", "U mag dit niet doen voor dit huishouden. Vraag de "
                      "budgethouder om een machtiging met 'bekijken en handelen'.")
AGREEMENT_ENDED = Refusal("agreement_ended", "Deze overeenkomst is beëindigd. Maak een nieuwe "
                          "overeenkomst als de zorgverlener weer zorg gaat geven.")


def check_may_change(*, holder: bool, ended: bool, approved: bool,
                     change_open: bool) -> list[Refusal]:
    """May a change to an agreement start now? Only by (someone acting for) the budget holder,
    of an agreement that is not ended, has an approved version and has no change open."""
    refusals = []
    if not holder:
        refusals.append(NOT_ALLOWED)
    if ended:
        refusals.append(AGREEMENT_ENDED)
    elif not approved:
        refusals.append(Refusal("no_approved_version", "Er is nog geen goedgekeurde versie om te "
                                "wijzigen. Pas het concept aan."))
    if change_open:
        refusals.append(Refusal("change_in_progress", "Er loopt al een wijziging. Rond die eerst "
                                "af of pas die aan."))
    return refusals


def check_change_start(base_starts_on: dt.date, base_ends_on: dt.date | None,
                       starts_on: dt.date | None, today: dt.date) -> list[Refusal]:
    """A change (new version) starts on the first day of a month, after the version it changes,
    not in a month that is over, and without a gap after the current version."""
    refusals: list[Refusal] = []
    if starts_on is None:
        return refusals  # check_period says so
    if starts_on.day != 1:
        refusals.append(Refusal("change_not_first_of_month", "Een wijziging gaat in op de eerste "
                                "dag van een maand. Kies bijvoorbeeld "
                                f"{format_day(first_of_month(add_months(starts_on, 1)))}.",
                                "starts_on"))
    if starts_on < first_of_month(today):
        refusals.append(Refusal("change_in_past", "Een wijziging kan niet ingaan in een maand die "
                                "al voorbij is. Kies deze maand of een latere.", "starts_on"))
    if starts_on <= base_starts_on:
        refusals.append(Refusal("change_before_current", "De wijziging moet ingaan na de "
                                f"begindatum van de huidige versie ({format_day(base_starts_on)}).",
                                "starts_on"))
    if base_ends_on is not None and starts_on > base_ends_on + dt.timedelta(days=1):
        refusals.append(Refusal("change_leaves_gap", "De huidige versie loopt af op "
                                f"{format_day(base_ends_on)}. Laat de wijziging uiterlijk de dag "
                                "erna ingaan.", "starts_on"))
    return refusals


# ---------------------------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------------------------


def tariff_for_budget(line) -> int:
    """What the budget pays per unit (the maximum when the budget holder tops up the rest)."""
    budget = getattr(line, "budget_tariff_cents", None)
    return line.tariff_cents if budget is None else budget


def _weekly_exact(line) -> Decimal:
    tariff = Decimal(tariff_for_budget(line))
    if line.unit == Unit.UUR:
        return Decimal(line.weekly_quantity) * tariff / Decimal(60)
    if line.unit == Unit.MAANDLOON:
        return tariff * Decimal(12) / Decimal(52)
    return Decimal(line.weekly_quantity) * tariff


def weekly_cost_cents(line) -> int:
    """Cost to the budget of one week of a line: hourly minutes x tariff / 60; day parts and
    24-hour stays count x tariff; a fixed monthly wage as 12/52 of the wage."""
    return round_half_up(_weekly_exact(line))


def _clip(starts_on: dt.date, ends_on: dt.date | None, ended_on: dt.date | None,
          first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    a = max(starts_on, first)
    b = last
    for end in (ends_on, ended_on):
        if end is not None:
            b = min(b, end)
    return (a, b) if a <= b else None


def cost_by_grant_cents(lines: Iterable, starts_on: dt.date, ends_on: dt.date | None,
                        first: dt.date, last: dt.date, *,
                        ended_on: dt.date | None = None) -> dict[int, int]:
    """Cost to each grant of a version's lines between `first` and `last` (inclusive), clipped
    to the version's period. Weekly cost x days / 7, rounded half up once per grant; a fixed
    monthly wage counts once for every calendar month the range touches."""
    span = _clip(starts_on, ends_on, ended_on, first, last)
    exact: dict[int, Decimal] = {}
    monthly: dict[int, int] = {}
    for line in lines:
        exact.setdefault(line.grant_id, Decimal(0))
        monthly.setdefault(line.grant_id, 0)
        if span is None:
            continue
        if line.unit == Unit.MAANDLOON:
            monthly[line.grant_id] += tariff_for_budget(line) * months_between(*span)
        else:
            days = (span[1] - span[0]).days + 1
            exact[line.grant_id] += _weekly_exact(line) * Decimal(days) / Decimal(7)
    return {gid: round_half_up(exact[gid]) + monthly[gid] for gid in exact}


def cost_between_cents(lines: Iterable, starts_on: dt.date, ends_on: dt.date | None,
                       first: dt.date, last: dt.date, *, ended_on: dt.date | None = None) -> int:
    """Cost of a version between two dates (see cost_by_grant_cents), rounded once in total."""
    lines = list(lines)
    span = _clip(starts_on, ends_on, ended_on, first, last)
    if span is None:
        return 0
    days = (span[1] - span[0]).days + 1
    exact = sum((_weekly_exact(ln) * Decimal(days) / Decimal(7) for ln in lines
                 if ln.unit != Unit.MAANDLOON), Decimal(0))
    monthly = sum(tariff_for_budget(ln) * months_between(*span) for ln in lines
                  if ln.unit == Unit.MAANDLOON)
    return round_half_up(exact) + monthly
