"""Use cases of the paper route: make a document's PDF, and plan the monthly paper run.

Reads only. The documents come from documents.py (view-models from the services), the PDF
from pdf.render_pdf. Permission checks happen in the views (the same checks as the item).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from portal.agreements.constants import VersionStatus
from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.agreements.periods import VersionPeriod, version_for_day
from portal.budgets.constants import Unit
from portal.budgets.models import Household
from portal.claims.rules import claim_reference
from portal.dates import first_of_month, month_days
from portal.extensions import db
from portal.paper import documents
from portal.paper.pdf import render_pdf


def render_document(doc) -> tuple[str, bytes]:
    """HTML and PDF bytes of a document view-model (documents.*Document); the sender
    (PORTAL_ORG_*) comes from pdf.sender."""
    return render_pdf(doc.template, {"doc": doc})


def download_name(doc) -> str:
    """A file name for the download: the reference, e.g. UB-202603-000123.pdf."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in doc.reference)
    return f"{safe}.pdf"


@dataclass(frozen=True)
class PlannedDocument:
    """One document of the paper run: what to make and where to write it (relative path)."""

    household_id: int
    kind: str  # "statement" or "hour_sheet"
    month: dt.date
    path: str
    agreement_id: int | None = None
    reference: str = ""  # the document's reference (the same the document prints)


def active_agreement_ids(household_ids: list[int], month: dt.date) -> dict[int, list[int]]:
    """Per household: the agreements with an approved version in force on a day of `month`
    that has hours to fill in: a fixed monthly wage alone is paid without an hour sheet
    (claims.rules.check_month_claimable, "monthly_wage_not_claimable"). Two queries."""
    if not household_ids:
        return {}
    per_unit = set(db.session.scalars(
        select(AgreementLine.version_id).join(AgreementVersion)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
        .where(Agreement.household_id.in_(household_ids),
               AgreementLine.unit != Unit.MAANDLOON.value).distinct()))
    rows = db.session.execute(
        select(Agreement.household_id, Agreement.id, AgreementVersion.id,
               AgreementVersion.number, AgreementVersion.status, AgreementVersion.starts_on,
               AgreementVersion.ends_on, AgreementVersion.ended_on)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .where(Agreement.household_id.in_(household_ids))
        .order_by(Agreement.household_id, Agreement.id, AgreementVersion.number)).all()
    periods: dict[tuple[int, int], list[VersionPeriod]] = {}
    with_hours: set[tuple[int, int]] = set()  # (agreement, version number) with hours
    for household_id, agreement_id, version_id, number, status, starts_on, ends_on, ended_on \
            in rows:
        periods.setdefault((household_id, agreement_id), []).append(
            VersionPeriod(number, VersionStatus(status), starts_on, ends_on, ended_on))
        if version_id in per_unit:
            with_hours.add((agreement_id, number))
    days = month_days(month)
    result: dict[int, list[int]] = {h: [] for h in household_ids}
    for (household_id, agreement_id), versions in periods.items():
        governing = (version_for_day(versions, day) for day in days)
        if any(v is not None and (agreement_id, v.number) in with_hours for v in governing):
            result[household_id].append(agreement_id)
    return result


def plan_paper_run(month: dt.date) -> list[PlannedDocument]:
    """Every document of the month's paper run: for each household that works on paper, the
    month's statement and an hour sheet per agreement in force that month with hours to fill
    in (active_agreement_ids). Three queries."""
    month = first_of_month(month)
    household_ids = list(db.session.scalars(
        select(Household.id).where(Household.works_on_paper.is_(True)).order_by(Household.id)))
    agreements = active_agreement_ids(household_ids, month)
    plan = []
    for household_id in household_ids:
        folder = f"huishouden-{household_id:06d}"
        plan.append(PlannedDocument(household_id, "statement", month,
                                    f"{folder}/budgetoverzicht-{month:%Y-%m}.pdf",
                                    reference=documents.statement_reference(household_id, month,
                                                                            month)))
        for agreement_id in agreements.get(household_id, []):
            plan.append(PlannedDocument(household_id, "hour_sheet", month,
                                        f"{folder}/urenbriefje-{month:%Y-%m}-{agreement_id:06d}.pdf",
                                        agreement_id, claim_reference(agreement_id, month)))
    return plan


def build_planned(planned: PlannedDocument, today: dt.date):
    """The view-model of a planned document."""
    if planned.kind == "statement":
        return documents.statement_document(planned.household_id, planned.month, planned.month,
                                            today)
    agreement = db.session.get_one(Agreement, planned.agreement_id)
    return documents.hour_sheet_document(agreement, planned.month, today)
