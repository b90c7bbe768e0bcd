"""Issue 16, finding 9: the payment office records a correction of a paid sheet on a page of
its own (with a reason, office only, in the audit log); the budget holder and the provider see
the correction like a sheet (status, reason, the run that paid or netted it)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim
from portal.payments.service import run_payments
from tests import factories as f
from tests.office.test_views import (  # noqa: F401 (the fixtures)
    MONTH,
    approved,
    office,
    page,
    world,
)
from tests.payments.builders import make_approved_claim


@pytest.fixture
def paid(db, approved):  # noqa: F811
    run_payments(None, MONTH + dt.timedelta(days=5))
    db.session.refresh(approved)
    assert approved.status == ClaimStatus.UITBETAALD
    return approved


def _path(claim) -> str:
    return f"/betaalkantoor/urenbriefjes/{claim.id}/correctie"


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT,
                                  Role.ADVISEUR])
def test_only_the_office_sees_the_correction_page(client, login, db, paid, role):
    login(f.make_user(role))
    assert client.get(_path(paid)).status_code == 404
    assert client.post(_path(paid), data={"aantal-0": "1:00", "reason": "x"}).status_code in (
        400, 404)
    assert db.session.scalars(select(Claim).where(Claim.corrects_claim_id == paid.id)).all() == []


def test_the_office_records_a_claim_back_with_its_reason(client, login, db, office, paid,  # noqa: F811
                                                         world):  # noqa: F811
    login(office)
    claim_page = page(client.get(f"/betaalkantoor/urenbriefjes/{paid.id}"))
    assert "Correctie vastleggen" in claim_page
    form = page(client.get(_path(paid)))
    assert "Nu betaald: 3:00 uur" in form

    response = client.post(_path(paid), data={"aantal-0": "2:30",
                                              "reason": "Op dag 2 is niet gewerkt."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/betaalkantoor/urenbriefjes/{paid.id}")
    [claim_back] = db.session.scalars(select(Claim).where(Claim.corrects_claim_id == paid.id))
    assert (claim_back.kind, claim_back.total_cents) == (ClaimKind.TERUGVORDERING, 3_000)
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "claim.correction", AuditEvent.object_id == claim_back.id))
    shown = page(client.get(f"/betaalkantoor/urenbriefjes/{paid.id}"))
    assert claim_back.reference in shown and "Op dag 2 is niet gewerkt." in shown

    # The next run nets it; the holder and the provider see it like a sheet.
    make_approved_claim(world["agreement"], MONTH, minutes=[240])
    run = run_payments(None, MONTH + dt.timedelta(days=40))
    assert [p.amount_cents for p in run.payments] == [24_000 - 3_000]
    login(world["holder"])
    holder_page = page(client.get(f"/urenbriefjes/{claim_back.id}"))
    assert "Terugvordering" in holder_page and "Verrekend" in holder_page
    assert "Op dag 2 is niet gewerkt." in holder_page and run.reference in holder_page
    sheet_page = page(client.get(f"/urenbriefjes/{paid.id}"))
    assert "Correcties" in sheet_page and claim_back.reference in sheet_page
    login(f.make_user(Role.ZORGVERLENER, provider_id=world["provider"].id))
    provider_page = page(client.get("/zorgverlener"))
    assert claim_back.reference in provider_page and "Verrekend op" in provider_page


@pytest.mark.parametrize("data, message", [
    ({"aantal-0": "2:30", "reason": ""}, "Schrijf de reden op"),
    ({"aantal-0": "twee", "reason": "Fout"}, "is geen aantal"),
    ({"aantal-0": "", "reason": "Fout"}, "U heeft niets veranderd"),
])
def test_a_bad_correction_is_shown_again_and_records_nothing(client, login, db, office, paid,  # noqa: F811
                                                             data, message):
    login(office)
    response = client.post(_path(paid), data=data)
    assert response.status_code == 422
    assert message in page(response)
    assert db.session.scalars(select(Claim).where(Claim.corrects_claim_id == paid.id)).all() == []


def test_an_unpaid_sheet_has_no_correction_link(client, login, db, office, approved):  # noqa: F811
    login(office)
    assert "Correctie vastleggen" not in page(client.get(f"/betaalkantoor/urenbriefjes/{approved.id}"))
