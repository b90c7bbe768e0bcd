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
    VersionStatus,
)
from portal.agreements.costs import weekly_cost_cents
from portal.agreements.funder_review import funder_names_of_version
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.permissions import (
    visible_lines,
)
from portal.agreements.reads import (
    cost_overview,
    effective_status,
    household_grants,
    version_in_force,
)
from portal.agreements.rules import BudgetYear, LineInput, one_per_budget
from portal.agreements.titles import agreement_title
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.models import Grant
from portal.budgets.service import holder_labels
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


@dataclass
class SignCheck:
    """The check page before a signature: what will be signed, by whom, for whom, what it
    costs (the budget holder also sees each budget after it), who decides next."""

    title: str  # the agreement's human title (agreements.titles)
    reference: str
    holder: str
    provider_name: str
    view: VersionView
    weekly_cost_cents: int
    total_cost_cents: int  # until the end of each budget's period, from today
    costs: list  # reads.GrantCost, the budget holder's page only (a provider sees no budgets)
    funders: list[str]  # the funders that decide after both signatures, by name
    token: str  # agreements.checked: the final POST signs exactly this


def sign_check(version: AgreementVersion, day: dt.date, *, with_budgets: bool) -> SignCheck:
    agreement = version.agreement
    costs = cost_overview(version, day)
    return SignCheck(
        title=agreement_title(agreement.id), reference=agreement.reference,
        holder=holder_labels([agreement.household_id]).get(agreement.household_id, ""),
        provider_name=agreement.provider.name,
        view=_version_view(version, _grants_by_id(agreement.household_id), day),
        weekly_cost_cents=sum(weekly_cost_cents(ln) for ln in version.lines),
        total_cost_cents=sum(c.cost_cents for c in costs),
        costs=costs if with_budgets else [], funders=funder_names_of_version(version),
        token=service.current_token(version))


@dataclass
class NextStep:
    """The confirmation panel of an agreement's page after a signature: who acts next."""

    waiting_for: str  # "holder" (the provider signed) or "funders" (both signed)
    holder: str
    funders: list[str]
    starts_on: str


def next_step(agreement: Agreement, version: AgreementVersion | None, *, holder: bool,
              provider: bool) -> NextStep | None:
    """What happens next with the open version, for the budget holder's side and the provider
    after they signed; None when there is nothing to say (or the viewer is someone else)."""
    if version is None or not (holder or provider):
        return None
    if version.status == VersionStatus.GEDEELD and version.signed_by_provider_at is not None:
        waiting = "holder" if provider else ""
    elif version.status in (VersionStatus.ONDERTEKEND, VersionStatus.TER_BEOORDELING):
        waiting = "funders"
    else:
        waiting = ""
    if not waiting:
        return None
    return NextStep(waiting, holder_labels([agreement.household_id]).get(agreement.household_id,
                                                                          "De budgethouder"),
                    funder_names_of_version(version), format_day(version.starts_on))
