"""The year-end statement (jaaroverzicht) and the funder's end settlement (eindafrekening) as
documents: small view-models for pdf_templates/year_end.html and settlement.html, built from
overview.year_end (the one home of the figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from portal.budgets.models import Funder, Household
from portal.overview.year_end import YearFigures, funder_settlement, household_year
from portal.paper.documents import NotAvailable, _qr, holder_name


@dataclass(frozen=True)
class YearEndDocument:
    template = "year_end.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    holder_name: str
    figures: YearFigures


def year_end_document(household_id: int, year: int, today: dt.date) -> YearEndDocument:
    household, figures = household_year(household_id, year)
    if household is None:
        raise NotAvailable()
    return year_end_from(household, figures, today)


def year_end_from(household: Household, figures: YearFigures, today: dt.date) -> YearEndDocument:
    reference = f"JO-{figures.year}-{household.id:06d}"
    return YearEndDocument(title=f"Jaaroverzicht {figures.year}", reference=reference,
                           made_on=today, qr=_qr(reference), holder_name=holder_name(household),
                           figures=figures)


@dataclass(frozen=True)
class SettlementDocument:
    template = "settlement.html"
    title: str
    reference: str
    made_on: dt.date
    qr: Markup
    funder_name: str
    figures: YearFigures


def settlement_document(funder: Funder, year: int, today: dt.date) -> SettlementDocument:
    reference = f"EA-{year}-{funder.id:04d}"
    return SettlementDocument(title=f"Eindafrekening {year}", reference=reference,
                              made_on=today, qr=_qr(reference), funder_name=funder.name,
                              figures=funder_settlement(funder.id, year))
