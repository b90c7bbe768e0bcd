"""`portal run-payments` on the command line."""

import datetime as dt

from sqlalchemy import func, select

from portal.claims.constants import ClaimStatus
from portal.payments.cli import run_payments_command
from portal.payments.models import PaymentRun
from tests import factories as f
from tests.payments.builders import make_approved_claim


def invoke(app, *args):
    return app.test_cli_runner().invoke(run_payments_command, list(args))


def test_a_date_that_does_not_exist_exits_non_zero_with_a_clear_message(app, db):
    make_approved_claim(f.make_agreement(), dt.date(2026, 3, 1))
    result = invoke(app, "--date", "2026-02-30")
    assert result.exit_code != 0
    assert "geen bestaande datum" in result.output
    assert "JJJJ-MM-DD" in result.output
    assert db.session.scalar(select(func.count()).select_from(PaymentRun)) == 0


def test_a_valid_date_pays_and_prints_the_summary(app, db):
    claim = make_approved_claim(f.make_agreement(), dt.date(2026, 3, 1))
    result = invoke(app, "--date", "2026-04-10")
    assert result.exit_code == 0, result.output
    assert "1 betalingen, totaal €\u00a0120,00" in result.output
    db.session.refresh(claim)
    assert (claim.status, claim.paid_on) == (ClaimStatus.UITBETAALD, dt.date(2026, 4, 10))


def test_nothing_to_pay_says_so(app, db):
    result = invoke(app, "--date", "2026-04-10")
    assert result.exit_code == 0, result.output
    assert "Er is niets te betalen." in result.output


def test_submitted_sheets_are_approved_first_then_paid(app, db):
    claim = make_approved_claim(f.make_agreement(), dt.date(2026, 3, 1),
                                status=ClaimStatus.INGEDIEND)
    result = invoke(app, "--date", "2026-04-10")
    assert result.exit_code == 0, result.output
    assert "1 urenbriefje(s) goedgekeurd." in result.output
    assert "1 betalingen" in result.output
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.UITBETAALD
