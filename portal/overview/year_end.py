"""The year-end statement of a household (jaaroverzicht) and a funder's end settlement
(eindafrekening) of its grants for a year.

Both read the same history: the claim lines paid from (or still reserved on) the year's
grants, grouped in SQL by grant, kind of claim, status, provider and kind of care; the grant's
own running totals give granted, paid and in progress. A fixed number of queries, whatever
the size of the history. The rules (what counts where) are here once; the page, the PDF and
the CSV only display.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.agreements.models import Agreement
from portal.budgets import rules as budget_rules
from portal.budgets.constants import CareKind, Law
from portal.budgets.models import Funder, Grant, Household, Member
from portal.claims.allowances import free_allowance_claim_back
from portal.claims.constants import ALLOWANCE_KINDS, RESERVED_STATUSES, ClaimKind, ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.extensions import db
from portal.identifiers import mask_bsn
from portal.providers.models import Provider

OWN_ACCOUNT = "Budgethouder (eigen rekening)"


@dataclass
class GrantYear:
    """One grant of the year with what happened to it."""

    grant_id: int
    member_name: str
    law: Law
    funder_name: str
    period_start: dt.date
    period_end: dt.date
    decision_reference: str
    granted_cents: int
    paid_cents: int  # everything paid out (care, wages, allowances)
    in_progress_cents: int
    allowance_cents: dict[ClaimKind, int] = field(default_factory=dict)  # paid, per kind
    top_up_cents: int = 0  # paid by the holder themselves on the paid lines (bijbetaling)
    claim_back_cents: int = 0
    masked_bsn: str = ""

    @property
    def unspent_cents(self) -> int:
        # "Niet besteed" is "Beschikbaar" of the start page, from the one function
        return budget_rules.available_cents(self.granted_cents, self.paid_cents,
                                            self.in_progress_cents)

    @property
    def care_cents(self) -> int:
        return self.paid_cents - sum(self.allowance_cents.values())

    @property
    def law_label(self) -> str:
        return Law(self.law).label


@dataclass(frozen=True)
class Amount:
    label: str
    cents: int


@dataclass
class YearFigures:
    year: int
    grants: list[GrantYear]
    by_provider: list[Amount]
    by_care_kind: list[Amount]
    allowances: list[Amount]
    top_up_cents: int

    @property
    def granted_cents(self) -> int:
        return sum(g.granted_cents for g in self.grants)

    @property
    def paid_cents(self) -> int:
        return sum(g.paid_cents for g in self.grants)

    @property
    def in_progress_cents(self) -> int:
        return sum(g.in_progress_cents for g in self.grants)

    @property
    def unspent_cents(self) -> int:
        return sum(g.unspent_cents for g in self.grants)

    @property
    def claim_back_cents(self) -> int:
        return sum(g.claim_back_cents for g in self.grants)


def _year_figures(year: int, where) -> YearFigures:
    """The figures of the grants that start in `year` and match `where` (a SQL condition)."""
    rows = db.session.execute(
        select(Grant, Member.name, Member.bsn, Funder.name)
        .join(Member, Member.id == Grant.member_id).join(Funder, Funder.id == Grant.funder_id)
        .where(where, Grant.period_start >= dt.date(year, 1, 1),
               Grant.period_start <= dt.date(year, 12, 31))
        .order_by(Member.name, Grant.law, Grant.period_start, Grant.id)).all()
    grants = {g.id: GrantYear(g.id, name, Law(g.law), funder, g.period_start, g.period_end,
                              g.decision_reference, g.amount_cents, g.paid_cents,
                              g.reserved_cents, masked_bsn=mask_bsn(bsn))
              for g, name, bsn, funder in rows}
    for g, *_rest in rows:
        grants[g.id].claim_back_cents = free_allowance_claim_back(g)
    by_provider: dict[str, int] = defaultdict(int)
    by_care: dict[str, int] = defaultdict(int)
    allowances: dict[str, int] = defaultdict(int)
    top_up = 0
    if grants:
        for grant_id, kind, status, provider, care_kind, cents, holder in db.session.execute(
                select(ClaimLine.grant_id, Claim.kind, Claim.status, Provider.name,
                       ClaimLine.care_kind, func.sum(ClaimLine.amount_cents),
                       func.sum(ClaimLine.holder_cents))
                .join(Claim, Claim.id == ClaimLine.claim_id)
                .outerjoin(Agreement, Agreement.id == Claim.agreement_id)
                .outerjoin(Provider, Provider.id == Agreement.provider_id)
                .where(ClaimLine.grant_id.in_(list(grants)),
                       Claim.status.in_([ClaimStatus.UITBETAALD.value,
                                         *[s.value for s in RESERVED_STATUSES]]))
                .group_by(ClaimLine.grant_id, Claim.kind, Claim.status, Provider.name,
                          ClaimLine.care_kind)):
            cents, holder = int(cents or 0), int(holder or 0)
            top_up += holder
            grants[grant_id].top_up_cents += holder
            if status != ClaimStatus.UITBETAALD:
                continue
            by_provider[provider or OWN_ACCOUNT] += cents
            kind = ClaimKind(kind)
            if kind in ALLOWANCE_KINDS:
                allowances[kind.label] += cents
                mine = grants[grant_id].allowance_cents
                mine[kind] = mine.get(kind, 0) + cents
            else:
                by_care[CareKind(care_kind).label] += cents

    def amounts(sums: dict[str, int]) -> list[Amount]:
        return [Amount(label, cents) for label, cents in sorted(sums.items()) if cents]

    return YearFigures(year, list(grants.values()), amounts(by_provider), amounts(by_care),
                       amounts(allowances), top_up)


def household_year(household_id: int, year: int) -> tuple[Household | None, YearFigures]:
    """The year-end statement of a household: its grants of `year`, paid per provider and per
    kind of care, the allowances, the holder's own share (top-ups) and what was not spent."""
    household = db.session.get(Household, household_id)
    return household, _year_figures(year, Member.household_id == household_id)


def funder_settlement(funder_id: int, year: int) -> YearFigures:
    """A funder's end settlement (eindafrekening) of its grants of `year`: per grant granted,
    paid for care, allowances, still in progress, unspent, and what is claimed back."""
    return _year_figures(year, Grant.funder_id == funder_id)


SETTLEMENT_COLUMNS = ["beschikking", "gezinslid", "bsn", "wet", "periode_van", "periode_tot",
                      "toegekend", "zorg_betaald", "uitkeringen_betaald", "in_behandeling",
                      "niet_besteed", "terug_te_betalen"]


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _cell(text: str) -> str:
    """A text cell a spreadsheet never reads as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def settlement_rows(figures: YearFigures) -> list[list[str]]:
    """The end settlement as CSV rows (a header first); amounts in euros with a point."""
    rows = [SETTLEMENT_COLUMNS]
    for g in figures.grants:
        rows.append([_cell(g.decision_reference), _cell(g.member_name), g.masked_bsn, g.law_label,
                     g.period_start.isoformat(), g.period_end.isoformat(),
                     _euros(g.granted_cents), _euros(g.care_cents),
                     _euros(sum(g.allowance_cents.values())), _euros(g.in_progress_cents),
                     _euros(g.unspent_cents), _euros(g.claim_back_cents)])
    return rows
