from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

TODAY = dt.date(2026, 11, 25)


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, line breaks and runs of spaces made one space. No-break spaces are
    kept as they are (format_euro puts one between the euro sign and the amount)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[ \n]+", " ", text)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def demo(db):
    """The demo households (seeded for TODAY) and the rows the documents are made of."""
    from portal.agreements.models import Agreement
    from portal.budgets.models import Household
    from portal.claims.constants import ClaimStatus
    from portal.claims.models import Claim
    from portal.demo.seed import seed_demo
    from portal.payments.models import Payment

    seed_demo(TODAY)
    s = db.session
    jansen = s.scalar(select(Household).where(Household.name == "Jansen"))
    bakker = s.scalar(select(Household).where(Household.name == "Bakker"))
    agreements = s.scalars(select(Agreement).order_by(Agreement.id)).all()
    return SimpleNamespace(
        jansen=jansen, bakker=bakker, agreements=agreements,
        jansen_agreements=[a for a in agreements if a.household_id == jansen.id],
        refused=s.scalar(select(Claim).where(Claim.status == ClaimStatus.AFGEKEURD)),
        payment=s.scalars(select(Payment).order_by(Payment.id)).first())
