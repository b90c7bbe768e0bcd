"""Read queries for the payment office's screens (writes go through claims and payments).

- agreement_choices: every agreement, for choosing one by hand on the paper intake;
- sheet_columns: the columns of a paper hour sheet's grid: each kind of care of the agreement,
  per budget (grant) that can pay it in that month;
- find_agreement_for_reference: a printed reference (UB-YYYYMM-<agreement>) to the agreement
  and month, with the refusal to show when it does not lead to one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from portal.agreements.models import Agreement, Provider
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.models import Household, Member
from portal.claims import rules as claim_rules
from portal.claims.service import sheet_facts
from portal.dates import first_of_month, last_of_month
from portal.extensions import db
from portal.refusals import Refusal, Refused


def agreement_choices() -> list[tuple[int, str]]:
    """(id, 'ZO-... - provider - household'), one query."""
    rows = db.session.execute(
        select(Agreement.id, Agreement.reference, Provider.name, Household.name)
        .join(Provider, Provider.id == Agreement.provider_id)
        .join(Household, Household.id == Agreement.household_id)
        .order_by(Household.name, Provider.name, Agreement.id)).all()
    return [(aid, f"{ref} - {provider} - huishouden {household}")
            for aid, ref, provider, household in rows]


def find_agreement_for_reference(reference: str) -> tuple[Agreement, dt.date]:
    """The agreement and month a printed sheet's reference names; Refused when none."""
    parsed = claim_rules.parse_reference(reference)
    if parsed is None:
        raise Refused(Refusal("reference_invalid",
                              f"'{reference}' is geen kenmerk van een urenbriefje. Een kenmerk "
                              "ziet eruit als UB-202603-000123.", "reference"))
    agreement_id, month = parsed
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise Refused(Refusal("reference_unknown",
                              f"Bij kenmerk '{reference}' hoort geen zorgovereenkomst. Controleer "
                              "het kenmerk of kies de overeenkomst en de maand zelf.", "reference"))
    return agreement, month


UNIT_WORDS = {Unit.UUR: "uren", Unit.DAGDEEL: "aantal dagdelen", Unit.ETMAAL: "aantal etmalen"}


@dataclass(frozen=True)
class SheetColumn:
    """One column of the paper grid: a kind of care paid from one budget."""

    index: int
    care_kind: str
    grant_id: int
    unit: Unit
    label: str

    @property
    def hourly(self) -> bool:
        return self.unit is Unit.UUR


@dataclass(frozen=True)
class SheetHeader:
    agreement: Agreement
    provider_name: str
    household_name: str
    month: dt.date
    reference: str
    columns: list[SheetColumn]


def sheet_header(agreement: Agreement, month: dt.date) -> SheetHeader:
    """Who and what the paper sheet is about, and its grid's columns (a fixed number of queries).

    Fixed monthly wages are paid automatically and have no column.
    """
    month = first_of_month(month)
    facts, grants = sheet_facts(agreement, month)
    in_month = {gid for gid, g in grants.items()
                if g.period_start <= last_of_month(month) and g.period_end >= month}
    members = {m.id: m.name for m in db.session.scalars(
        select(Member).where(Member.id.in_({g.member_id for g in grants.values()})))}
    seen: dict[tuple[str, int], Unit] = {}
    for version in facts.versions:
        for line in version.lines:
            if line.grant_id in in_month and Unit(line.unit) is not Unit.MAANDLOON:
                seen.setdefault((line.care_kind, line.grant_id), Unit(line.unit))
    columns = []
    for i, ((care_kind, grant_id), unit) in enumerate(sorted(seen.items())):
        grant = grants[grant_id]
        care = CareKind(care_kind).label if care_kind in CareKind._value2member_map_ else care_kind
        law = Law(grant.law).label if grant.law in Law._value2member_map_ else grant.law
        unit_text = UNIT_WORDS.get(unit, unit.label)
        columns.append(SheetColumn(index=i, care_kind=care_kind, grant_id=grant_id, unit=unit,
                                   label=f"{care} ({law}, {members.get(grant.member_id, '')}; "
                                         f"{unit_text})"))
    provider = db.session.get(Provider, agreement.provider_id)
    household = db.session.get(Household, agreement.household_id)
    return SheetHeader(agreement=agreement, provider_name=provider.name,
                       household_name=household.name, month=month,
                       reference=claim_rules.claim_reference(agreement.id, month), columns=columns)
