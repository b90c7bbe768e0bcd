"""The ledger check (portal.payments.ledger): every grant's running totals against its
history; `portal check-ledger`; the office's warning after a check that found a difference."""

from __future__ import annotations

import datetime as dt

import pyotp
from sqlalchemy import func, select, update

from portal.access.constants import Role
from portal.budgets.models import Grant
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.payments import ledger
from portal.payments.cli import check_ledger_command
from portal.payments.models import LedgerCheck
from portal.payments.service import run_payments
from tests import factories as f
from tests.payments.builders import make_approved_claim

MONTH = dt.date(2026, 3, 1)


def grant_of(claim: Claim, db) -> Grant:
    return db.session.get(Grant, claim.lines[0].grant_id)


def shift(db, grant: Grant, **values) -> None:
    """Change a grant's running columns behind the services' back (what a bug would do)."""
    db.session.execute(update(Grant).where(Grant.id == grant.id).values(**values))
    db.session.expire_all()


def test_a_loop_done_by_the_services_has_no_difference(db):
    claim = make_approved_claim(f.make_agreement(), MONTH)
    make_approved_claim(f.make_agreement(), MONTH, status=ClaimStatus.INGEDIEND)
    office = f.make_user(Role.BEHEERDER)
    run_payments(office, dt.date(2026, 4, 10))
    grants, differences = ledger.check_ledger()
    assert grants == 2 and differences == []
    assert grant_of(claim, db).paid_cents == claim.total_cents


def test_a_reservation_the_history_does_not_explain_is_named(db):
    claim = make_approved_claim(f.make_agreement(), MONTH)
    grant = grant_of(claim, db)
    shift(db, grant, reserved_cents=Grant.reserved_cents + 1234)  # e.g. reserved twice
    _grants, differences = ledger.check_ledger()
    assert differences == [ledger.Difference(grant.id, ledger.RESERVED,
                                             claim.total_cents + 1234, claim.total_cents)]
    assert differences[0].text == (
        f"Budget {grant.id}: onderweg (gereserveerd) staat op "
        f"€\u00a0{(claim.total_cents + 1234) // 100},{(claim.total_cents + 1234) % 100:02d}, "
        f"maar de geschiedenis telt op tot €\u00a0{claim.total_cents // 100},"
        f"{claim.total_cents % 100:02d} (verschil €\u00a012,34).")


def test_a_sheet_marked_paid_without_a_payment_is_named(db):
    claim = make_approved_claim(f.make_agreement(), MONTH)
    grant = grant_of(claim, db)
    # Paid out in the columns and the status, but no payment run paid it.
    db.session.execute(update(Claim).where(Claim.id == claim.id)
                       .values(status=ClaimStatus.UITBETAALD))
    shift(db, grant, reserved_cents=0, paid_cents=claim.total_cents)
    _grants, differences = ledger.check_ledger()
    assert [(d.grant_id, d.what) for d in differences] == [(grant.id, ledger.PAYMENTS)]
    assert "zonder betaling in een betaalronde" in differences[0].text


def invoke(app):
    return app.test_cli_runner().invoke(check_ledger_command, [])


def test_check_ledger_says_no_differences_and_exits_0(app, db):
    make_approved_claim(f.make_agreement(), MONTH)
    result = invoke(app)
    assert result.exit_code == 0, result.output
    assert result.output == "Grootboek gecontroleerd: 1 budget(ten), geen verschillen.\n"
    check = db.session.scalar(select(LedgerCheck))
    assert (check.grant_count, check.difference_count) == (1, 0)


def test_check_ledger_lists_each_difference_in_dutch_and_exits_1(app, db):
    first = grant_of(make_approved_claim(f.make_agreement(), MONTH), db)
    second = grant_of(make_approved_claim(f.make_agreement(), MONTH), db)
    shift(db, first, reserved_cents=Grant.reserved_cents + 100)
    shift(db, second, paid_cents=Grant.paid_cents + 200)
    result = invoke(app)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Budget {first.id}: onderweg (gereserveerd) staat op")
    assert lines[1].startswith(f"Budget {second.id}: uitbetaald staat op €\u00a02,00")
    assert lines[2] == ("2 verschil(len) gevonden in 2 budget(ten). Neem contact op met de "
                        "beheerder van het portaal.")
    assert db.session.scalar(select(func.max(LedgerCheck.difference_count))) == 2


def test_the_offices_start_page_warns_while_the_last_check_found_a_difference(app, db, client,
                                                                            login):
    office = f.make_user(Role.BEHEERDER)
    office.totp_secret = pyotp.random_base32()
    grant = grant_of(make_approved_claim(f.make_agreement(), MONTH), db)
    login(office)
    warning = "Let op: het grootboek klopt niet"

    ledger.check_and_record()
    assert warning not in client.get("/betaalkantoor/betaalrondes").get_data(as_text=True)

    shift(db, grant, reserved_cents=Grant.reserved_cents + 100)
    ledger.check_and_record()
    html = client.get("/betaalkantoor/betaalrondes").get_data(as_text=True)
    assert warning in html and f"Budget {grant.id}: onderweg" in html

    shift(db, grant, reserved_cents=Grant.reserved_cents - 100)  # put right, checked again
    ledger.check_and_record()
    assert warning not in client.get("/betaalkantoor/betaalrondes").get_data(as_text=True)
