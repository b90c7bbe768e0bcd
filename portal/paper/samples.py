"""One of each paper document, from whatever the database holds, for a person to look at.

`make pdf-samples` loads the demo into a temporary database and calls `write_samples`
(portal/demo/samples.py); this module does not know the demo. It picks its examples by what
each document needs: the first agreement, and one of every other model; an hour sheet of last
month (an agreement with the most lines, so it shows several columns); the statement of the
first agreement's household, for the year and for last month; the first payment's
specification; the first refused sheet's letter. A document the data cannot give is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.agreements.models import Agreement
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.dates import add_months, first_of_month
from portal.extensions import db
from portal.paper import documents
from portal.paper.service import render_document
from portal.payments.models import Payment


def _if_available(make: Callable[..., Any], *args: Any) -> Any | None:
    """make(*args), or None when the data cannot give that document."""
    try:
        return make(*args)
    except documents.NotAvailable:
        return None


def _line_count(agreement: Agreement) -> int:
    return len(agreement.versions[-1].lines) if agreement.versions else 0


def sample_documents(today: dt.date) -> dict[str, Any]:
    """File name (without .pdf) -> the document's view-model, in a fixed order."""
    last_month = first_of_month(add_months(today, -1))
    agreements = db.session.scalars(select(Agreement).order_by(Agreement.id)
                                    .options(selectinload(Agreement.versions))).all()
    docs: dict[str, Any] = {}
    if agreements:
        first = agreements[0]
        docs["1-zorgovereenkomst"] = _if_available(documents.agreement_document, first, today)
        for agreement in sorted(agreements, key=lambda a: (-_line_count(a), a.id)):
            sheet = _if_available(documents.hour_sheet_document, agreement, last_month, today)
            if sheet is not None:
                docs["2-urenbriefje"] = sheet
                break
        docs["3-budgetoverzicht-jaar"] = _if_available(
            documents.statement_document, first.household_id, today.replace(month=1, day=1),
            today.replace(month=12, day=1), today)
        docs["3-budgetoverzicht-maand"] = _if_available(
            documents.statement_document, first.household_id, last_month, last_month, today)
    payment = db.session.scalars(select(Payment).order_by(Payment.id).limit(1)).first()
    if payment is not None:
        docs["4-betaalspecificatie"] = documents.payment_spec_document(payment, today)
    refused = db.session.scalars(select(Claim).where(Claim.status == ClaimStatus.AFGEKEURD)
                                 .order_by(Claim.id).limit(1)).first()
    if refused is not None:
        docs["5-afwijzingsbrief"] = documents.refusal_letter_document(refused, today)
    for agreement in agreements[1:]:  # every other model kind in the database
        doc = _if_available(documents.agreement_document, agreement, today)
        if doc is not None:
            docs.setdefault(f"1-zorgovereenkomst-{doc.model}", doc)
    return {name: doc for name, doc in docs.items() if doc is not None}


def write_samples(out: Path, today: dt.date) -> list[Path]:
    """Render every sample into `out` (made when missing); the paths written, in order."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in sample_documents(today).items():
        _html, pdf = render_document(doc)
        path = out / f"{name}.pdf"
        path.write_bytes(pdf)
        written.append(path)
    return written
