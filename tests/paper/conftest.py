from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_DAY

TODAY = DEMO_DAY


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, line breaks and runs of spaces made one space. No-break spaces are
    kept as they are (format_euro puts one between the euro sign and the amount)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[ \n]+", " ", text)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def live_rows(s):
    """The rows the pages and documents are about: Jansen, her first agreement and its first
    paid sheet, the refused sheet, the first payment and its provider's login, every user by
    e-mail."""
    from portal.access.models import User
    from portal.agreements.models import Agreement
    from portal.budgets.models import Household
    from portal.claims.constants import ClaimStatus
    from portal.claims.models import Claim
    from portal.payments.models import Payment

    users = {u.email: u for u in s.scalars(select(User))}
    jansen = s.scalar(select(Household).where(Household.name == "Jansen"))
    agreement = s.scalars(select(Agreement).where(Agreement.household_id == jansen.id)
                          .order_by(Agreement.id)).first()
    payment = s.scalars(select(Payment).order_by(Payment.id)).first()
    return SimpleNamespace(
        users=users, jansen=jansen, agreement=agreement, payment=payment,
        anna=users["anna.jansen@demo.pgb"], pieter=users["pieter.bakker@demo.pgb"],
        refused=s.scalar(select(Claim).where(Claim.status == ClaimStatus.AFGEKEURD)),
        paid=s.scalars(select(Claim).where(Claim.status == ClaimStatus.UITBETAALD,
                                           Claim.agreement_id == agreement.id)
                       .order_by(Claim.month)).first(),
        provider_user=s.scalar(select(User).where(User.provider_id == payment.provider_id)))


@pytest.fixture
def live_demo(demo_db, today_is):
    """The demo (seeded for TODAY, once per session: tests/conftest.py demo_app) with the
    clock at TODAY, so the pages see the day the demo was loaded on; and its rows (live_rows)."""
    today_is(TODAY)
    return live_rows(demo_db.session)


def demo_rows(s):
    """The demo households and the rows the documents are made of."""
    from portal.agreements.models import Agreement
    from portal.budgets.models import Household
    from portal.claims.constants import ClaimStatus
    from portal.claims.models import Claim
    from portal.payments.models import Payment

    jansen = s.scalar(select(Household).where(Household.name == "Jansen"))
    bakker = s.scalar(select(Household).where(Household.name == "Bakker"))
    agreements = s.scalars(select(Agreement).order_by(Agreement.id)).all()
    return SimpleNamespace(
        jansen=jansen, bakker=bakker, agreements=agreements,
        jansen_agreements=[a for a in agreements if a.household_id == jansen.id],
        refused=s.scalar(select(Claim).where(Claim.status == ClaimStatus.AFGEKEURD)),
        payment=s.scalars(select(Payment).order_by(Payment.id)).first())


@pytest.fixture
def demo(demo_db):
    """The demo households (seeded for TODAY, once per session) and the rows the documents are
    made of (demo_rows); the test's changes are rolled back."""
    return demo_rows(demo_db.session)
