"""The demo's corrections after payment (issue 16): the payment office finds two paid sheets
wrong. Marieke forgot an hour: a back-payment, paid by the next run. Youssef wrote an hour too
many for Daan: a claim-back, netted against his next payment. What was paid stays as it was;
the sheets' pages show the corrections with their reasons."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.access.models import User
from portal.agreements.models import Agreement
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.corrections import correct_paid_claim, paid_so_far
from portal.claims.models import Claim
from portal.dates import add_months, first_of_month
from portal.extensions import db

FORGOTTEN = ("Een uur vergeten op te schrijven: vervoer naar de tandarts op de eerste "
             "zorgdag van de maand.")
TOO_MANY = ("Een uur te veel geschreven voor Daan: de afspraak op de eerste maandag ging "
            "niet door.")


def _paid_sheet(agreement: Agreement, month: dt.date) -> Claim | None:
    return db.session.scalar(select(Claim).where(
        Claim.agreement_id == agreement.id, Claim.month == month,
        Claim.kind == ClaimKind.UREN, Claim.status == ClaimStatus.UITBETAALD))


def seed_corrections(office: User, marieke: Agreement, youssef: Agreement,
                     today: dt.date) -> list[Claim]:
    """Correct the paid sheets of four months ago (when the demo has them): one hour more
    on Marieke's first line, one hour less on Youssef's first line."""
    month = first_of_month(add_months(today, -4))
    made: list[Claim] = []
    for agreement, hours, reason in ((marieke, 1, FORGOTTEN), (youssef, -1, TOO_MANY)):
        sheet = _paid_sheet(agreement, month)
        if sheet is None:
            continue
        key, total = sorted(paid_so_far(sheet).items())[0]
        made += correct_paid_claim(office, sheet, {key: total.quantity + hours * 60}, reason)
    return made
