"""View-models of the agreement pages: everything a page shows, computed here, not in templates
(periods, quantities, grant and law labels, the rows of the wizard's care and hours steps)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_login import current_user

from portal.agreements import service
from portal.agreements.constants import (
    EffectiveStatus,
    EndKind,
)
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.permissions import (
    visible_lines,
)
from portal.agreements.reads import (
    effective_status,
    household_grants,
    version_in_force,
)
from portal.agreements.rules import BudgetYear, LineInput, one_per_budget
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.models import Grant
from portal.dates import format_day
from portal.quantities import quantity_label

TONES = {
    EffectiveStatus.ACTIEF: "ok", EffectiveStatus.GOEDGEKEURD: "ok",
    EffectiveStatus.AFGEKEURD: "error", EffectiveStatus.ONDERTEKEND_ZORGVERLENER: "warn",
    EffectiveStatus.TER_BEOORDELING: "warn", EffectiveStatus.GEDEELD: "warn",
    EffectiveStatus.OPGEZEGD: "warn",
}


@dataclass
class LineView:
    care_kind: str
    unit: str
    tariff_cents: int
    budget_tariff_cents: int | None
    quantity: str
    who: str
    law: str


@dataclass
class VersionView:
    version: AgreementVersion
    status: EffectiveStatus
    tone: str
    lines: list[LineView]
    period: str


@dataclass
class AgreementView:
    agreement: Agreement
    status: EffectiveStatus
    tone: str
    period: str
    open_status: EffectiveStatus | None
    events: list = field(default_factory=list)
    versions: list[VersionView] = field(default_factory=list)


def _period(version: AgreementVersion) -> str:
    start = format_day(version.starts_on)
    if version.end_kind == EndKind.VERVANGING:
        return f"vanaf {start}, vervanging bij ziekte"
    if version.ends_on is None:
        return f"vanaf {start}, zonder einddatum"
    return f"{start} tot en met {format_day(version.ends_on)}"


def _grant_label(grant: Grant) -> str:
    return (f"{grant.member.name} - {_law_label(grant.law)}"
            f" ({grant.funder.name}), {format_day(grant.period_start)} tot en met "
            f"{format_day(grant.period_end)}")


def _budget_label(grant: Grant, years: list[Grant] | None = None) -> str:
    """A budget as one choice: 'Sara Proef - Wlz (Zorgkantoor Midden)', and the periods it is
    granted for (`years`: its grants) - the agreement's dates pick the ones it draws on."""
    label = f"{grant.member.name} - {_law_label(grant.law)} ({grant.funder.name})"
    periods = [_period_label(g) for g in sorted(years or [], key=lambda g: g.period_start)]
    if not periods:
        return label
    joined = periods[0] if len(periods) == 1 else ", ".join(periods[:-1]) + " en " + periods[-1]
    return f"{label}, toegekend voor {joined}"


def budget_year(grant: Grant) -> BudgetYear:
    return BudgetYear(grant.id, (grant.member_id, str(Law(grant.law).value), grant.funder_id),
                      grant.period_start, grant.period_end, frozenset(grant.care_kinds or ()))


def first_years(grants: list[Grant]) -> list[Grant]:
    """Each budget (member x law x funder) once, by its first grant (rules.one_per_budget)."""
    by_id = {g.id: g for g in grants}
    return [by_id[y.grant_id] for y in one_per_budget(budget_year(g) for g in grants)]


def years_of(grant: Grant, grants: list[Grant]) -> list[Grant]:
    """The grants of the same budget as `grant` (itself included)."""
    key = budget_year(grant).budget
    return [g for g in grants if budget_year(g).budget == key]


def first_year_lines(lines: list[LineInput], grants: dict[int, Grant]) -> list[LineInput]:
    """One line per budget and kind of care: the first year's (the wizard shows that row; the
    service gives every year of the agreement the same, rules.spread_over_period)."""
    seen: set = set()
    result = []
    for ln in sorted(lines, key=lambda ln: grants[ln.grant_id].period_start
                     if ln.grant_id in grants else dt.date.min):
        key = (budget_year(grants[ln.grant_id]).budget if ln.grant_id in grants
               else ln.grant_id, ln.care_kind)
        if key not in seen:
            seen.add(key)
            result.append(ln)
    order = {id(ln): i for i, ln in enumerate(lines)}
    return sorted(result, key=lambda ln: order[id(ln)])


def _period_label(grant: Grant) -> str:
    """'2026' for a calendar year, otherwise the dates."""
    start, end = grant.period_start, grant.period_end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{format_day(start)} tot en met {format_day(end)}"


def _grants_by_id(household_id: int) -> dict[int, Grant]:
    return {g.id: g for g in household_grants(household_id)}


def _law_label(law) -> str:
    return Law(law).label


def _version_view(version: AgreementVersion, grants: dict[int, Grant], day: dt.date) -> VersionView:
    status = effective_status(version, day)
    lines = []
    funders = {gid: g.funder_id for gid, g in grants.items()}
    for ln in visible_lines(current_user, version, funders):  # a consulent: own budgets only
        grant = grants.get(ln.grant_id)
        lines.append(LineView(CareKind(ln.care_kind).label, Unit(ln.unit).label, ln.tariff_cents,
                              ln.budget_tariff_cents, quantity_label(ln.unit, ln.weekly_quantity, per_week=True),
                              grant.member.name if grant else "", _law_label(grant.law)
                              if grant else ""))
    return VersionView(version, status, TONES.get(status, "neutral"), lines, _period(version))


def _agreement_view(agreement: Agreement, grants: dict[int, Grant], day: dt.date,
                    events=None, with_versions: bool = False) -> AgreementView:
    shown = version_in_force(agreement, day) or agreement.versions[-1]
    status = effective_status(shown, day)
    open_version = service.open_version(agreement)
    open_status = (effective_status(open_version, day)
                   if open_version is not None and open_version is not shown else None)
    view = AgreementView(agreement, status, TONES.get(status, "neutral"), _period(shown),
                         open_status, events or [])
    if with_versions:
        view.versions = [_version_view(v, grants, day) for v in reversed(agreement.versions)]
    return view


def _care_rows(grants: list[Grant]) -> list[tuple[int, str, str]]:
    rows = []
    for g in grants:
        allowed = set(g.care_kinds or ())
        rows += [(g.id, k.value, k.label) for k in CareKind if k.value in allowed]
    return rows


def _hours_label(ln: LineInput, grants: dict[int, Grant]) -> str:
    grant = grants.get(ln.grant_id)
    # One row per budget and kind of care: what is filled in holds for every year.
    who = f" voor {grant.member.name} ({_law_label(grant.law)})" if grant else ""
    what = {Unit.UUR: "uren per week", Unit.MAANDLOON: "vaste uren per week",
            Unit.DAGDEEL: "dagdelen per week", Unit.ETMAAL: "etmalen per week"}[ln.unit]
    return f"{ln.care_kind.label}{who}: {what}"
