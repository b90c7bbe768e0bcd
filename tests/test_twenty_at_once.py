"""Twenty identical requests at the same moment make one state change (issue 9, finding 1).

Through real HTTP (tests/live.py: the portal served from a thread, twenty connections let go
at once with the same session cookie), on the database the suite runs on: PostgreSQL with
PORTAL_TEST_DATABASE_URL (row locks, real concurrency: where the finding was made), or SQLite
(the write transactions queue). For the budget holder's akkoord, the office's approve, suspend
and refuse, a funder's review, revoking an authorisation, executing a previewed payment run,
turning a login off and sending a welcome mail again: exactly one answer is the change (a redirect, 302), the other nineteen are the repeat
(303 to the item's page, whose notice says "Dit is al gedaan"); one status change, one
history event, one message per person; and the ledger check finds no difference afterwards.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent, Authorization
from portal.access.service import unusable_password_hash, welcome_state
from portal.agreements import service as agreements_service
from portal.agreements.constants import VersionStatus
from portal.agreements.models import AgreementEvent, AgreementVersion, FunderReview
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant, Household
from portal.claims import service as claims
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimEvent
from portal.claims.rules import LineInput
from portal.database import write_intent
from portal.messages.models import Message
from portal.payments.models import Payment, PaymentRun
from tests.factories import (
    PASSWORD,
    make_agreement,
    make_authorization,
    make_grant,
    make_provider,
    make_user,
)
from tests.ledger import assert_ledger_agrees
from tests.live import LiveServer

pytestmark = pytest.mark.committing

MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 4, 10)
TIMES = 20
IB = CareKind.INDIVIDUELE_BEGELEIDING
REASON = "De uren van 2 maart worden nagekeken."


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def messages(db, kind: str) -> list[int]:
    """The user ids of the messages of this kind, one entry per message."""
    return sorted(db.session.scalars(select(Message.user_id).where(Message.kind == kind)))


def one_change_and_repeats(answers, done_path: str, repeat_path: str) -> None:
    """One answer made the change (302 to `done_path`), every other one is the repeat (303 to
    `repeat_path`): no error, no second effect."""
    statuses = sorted(a.status for a in answers)
    assert statuses == [302] + [303] * (TIMES - 1), [(a.status, a.body[:300]) for a in answers]
    assert {a.location for a in answers if a.status == 302} == {done_path}
    assert {a.location for a in answers if a.status == 303} == {repeat_path}


def repeat_notice_shown(live, cookies, answers, contains: str) -> None:
    """A repeat's page says 'Dit is al gedaan' with the current state."""
    repeat = next(a for a in answers if a.status == 303)
    page = live.request("GET", repeat.location, {**cookies, **repeat.cookies})
    assert page.status == 200
    assert "Dit is al gedaan." in page.body and contains in page.body, page.body[:2000]


def two_step(db, user) -> str:
    """Give `user` an authenticator app; the code it shows now."""
    user.totp_secret = pyotp.random_base32()
    db.session.flush()
    return pyotp.TOTP(user.totp_secret).now()


class Sheets:
    """A household with one grant and one provider (a person), and its logins."""

    def __init__(self, db, amount_cents: int = 200_000):
        self.grant = make_grant(amount_cents=amount_cents)
        self.provider = make_provider()
        self.agreement = make_agreement(self.grant, self.provider,
                                        lines=[(self.grant, IB, Unit.UUR, 5000, 240)])
        self.holder = make_user(Role.BUDGETHOUDER, household_id=self.agreement.household_id)
        self.provider_user = make_user(Role.ZORGVERLENER, provider_id=self.provider.id)
        self.office = make_user(Role.BEHEERDER)
        self.office_code = two_step(db, self.office)
        self.holder_id, self.provider_user_id = self.holder.id, self.provider_user.id

    def waiting(self, day: int = 2) -> Claim:
        """A sheet the provider handed over: waiting for the budget holder's akkoord."""
        return claims.prepare_claim(self.provider_user, self.agreement, MARCH,
                                    [LineInput(dt.date(2026, 3, day), IB, 240)], TODAY)

    def submitted(self) -> Claim:
        return claims.approve_claim(self.holder, self.waiting(), TODAY)


@pytest.fixture
def live(app, committing_db, today_is):
    """The server; the test's own reads take no write lock (on SQLite a write transaction
    would hold the whole database while the test looks), and see what the server committed
    after db.session.remove()."""
    today_is(TODAY, "portal.office.views", "portal.funders.views")
    token = write_intent.set(False)
    try:
        with LiveServer(app) as server:
            yield server
    finally:
        write_intent.reset(token)


def test_the_holders_akkoord_twenty_times_submits_once(live, committing_db):
    db = committing_db
    w = Sheets(db)
    claim = w.waiting()
    claim_id, grant_id, total = claim.id, w.grant.id, claim.total_cents
    db.session.commit()
    cookies = live.log_in(w.holder, PASSWORD)

    answers = live.at_the_same_moment(f"/urenbriefjes/{claim_id}/akkoord", cookies, {})

    one_change_and_repeats(answers, f"/urenbriefjes/{claim_id}", f"/urenbriefjes/{claim_id}")
    db.session.remove()
    assert db.session.get(Claim, claim_id).status == ClaimStatus.INGEDIEND
    assert count(db, ClaimEvent, ClaimEvent.claim_id == claim_id,
                 ClaimEvent.to_status == ClaimStatus.INGEDIEND) == 1
    assert count(db, AuditEvent, AuditEvent.action == "claim.submit") == 1
    assert messages(db, "claim_submitted") == [w.provider_user_id]
    assert db.session.get(Grant, grant_id).reserved_cents == total  # reserved once
    assert_ledger_agrees()
    repeat_notice_shown(live, cookies, answers, "Ingediend")


@pytest.mark.parametrize("decision, status, kind", [
    ("goedkeuren", ClaimStatus.GOEDGEKEURD, "claim_approved"),
    ("opschorten", ClaimStatus.OPGESCHORT, "claim_suspended"),
    ("afkeuren", ClaimStatus.AFGEKEURD, "claim_refused"),
])
def test_the_offices_decision_twenty_times_decides_once(live, committing_db, decision, status,
                                                       kind):
    db = committing_db
    w = Sheets(db)
    claim = w.submitted()
    claim_id, grant_id, total = claim.id, w.grant.id, claim.total_cents
    recipients = sorted([w.provider_user_id] + ([w.holder_id] if kind != "claim_approved" else []))
    db.session.commit()
    cookies = live.log_in(w.office, PASSWORD, w.office_code)

    answers = live.at_the_same_moment(f"/betaalkantoor/urenbriefjes/{claim_id}", cookies,
                                      {"besluit": decision, "reason": REASON})

    one_change_and_repeats(answers, "/betaalkantoor/urenbriefjes",
                           f"/betaalkantoor/urenbriefjes/{claim_id}")
    db.session.remove()
    assert db.session.get(Claim, claim_id).status == status
    assert count(db, ClaimEvent, ClaimEvent.claim_id == claim_id,
                 ClaimEvent.to_status == status) == 1
    assert messages(db, kind) == recipients
    grant = db.session.get(Grant, grant_id)
    assert grant.reserved_cents == (0 if status == ClaimStatus.AFGEKEURD else total)
    assert_ledger_agrees()
    repeat_notice_shown(live, cookies, answers, status.label)


def confirmed_run(live, office) -> dict[str, str]:
    """The run form of the office's confirmation page: the moment and fingerprint confirmed."""
    page = live.request("GET", "/betaalkantoor/betaalrondes/bevestigen", office).body
    return {name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', page).group(1)
            for name in ("fingerprint", "confirmed_at")}


def test_the_money_loop_twenty_times_each_reserves_pays_and_settles_once(live, committing_db):
    """Finding 1 whole: akkoord, the office's approval and the payment run, each twenty times at
    once; afterwards the grant holds nothing reserved for sheets that are paid."""
    db = committing_db
    w = Sheets(db)
    claim = w.waiting()
    claim_id, grant_id, total = claim.id, w.grant.id, claim.total_cents
    db.session.commit()
    holder = live.log_in(w.holder, PASSWORD)
    office = live.log_in(w.office, PASSWORD, w.office_code)

    live.at_the_same_moment(f"/urenbriefjes/{claim_id}/akkoord", holder, {})
    live.at_the_same_moment(f"/betaalkantoor/urenbriefjes/{claim_id}", office,
                            {"besluit": "goedkeuren", "reason": ""})
    answers = live.at_the_same_moment("/betaalkantoor/betaalrondes", office,
                                      confirmed_run(live, office))

    db.session.remove()
    run = db.session.scalar(select(PaymentRun))
    one_change_and_repeats(answers, f"/betaalkantoor/betaalrondes/{run.id}",
                           f"/betaalkantoor/betaalrondes/{run.id}")
    assert (count(db, PaymentRun), count(db, Payment)) == (1, 1)
    assert db.session.get(Claim, claim_id).status == ClaimStatus.UITBETAALD
    for status in (ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD, ClaimStatus.UITBETAALD):
        assert count(db, ClaimEvent, ClaimEvent.to_status == status) == 1
    assert messages(db, "betaald") == sorted([w.provider_user_id, w.holder_id])
    grant = db.session.get(Grant, grant_id)
    assert (grant.reserved_cents, grant.paid_cents) == (0, total)
    assert_ledger_agrees()
    repeat_notice_shown(live, office, answers, f"Betaalronde {run.reference} is uitgevoerd.")


def test_a_previewed_run_executed_twenty_times_pays_once(live, committing_db):
    """Several sheets, one still submitted (the office checks it first, then confirms): paid
    once, together."""
    db = committing_db
    w = Sheets(db, amount_cents=400_000)
    approved = [claims.office_approve(w.office, w.submitted(), TODAY)]
    other = Sheets(db)
    approved.append(claims.office_approve(other.office, other.submitted(), TODAY))
    submitted = Sheets(db).submitted()
    ids = [c.id for c in approved] + [submitted.id]
    db.session.commit()
    office = live.log_in(w.office, PASSWORD, w.office_code)
    live.request("POST", "/betaalkantoor/betaalrondes/controleren", office, {})

    answers = live.at_the_same_moment("/betaalkantoor/betaalrondes", office,
                                      confirmed_run(live, office))

    db.session.remove()
    run = db.session.scalar(select(PaymentRun))
    one_change_and_repeats(answers, f"/betaalkantoor/betaalrondes/{run.id}",
                           f"/betaalkantoor/betaalrondes/{run.id}")
    assert (count(db, PaymentRun), count(db, Payment)) == (1, 3)
    assert {c.status for c in db.session.scalars(select(Claim).where(Claim.id.in_(ids)))} == {
        ClaimStatus.UITBETAALD}
    assert count(db, ClaimEvent, ClaimEvent.to_status == ClaimStatus.UITBETAALD) == 3
    assert count(db, ClaimEvent, ClaimEvent.to_status == ClaimStatus.GOEDGEKEURD) == 3
    assert all(g.reserved_cents == 0 for g in db.session.scalars(select(Grant)))
    assert_ledger_agrees()


def test_a_funders_review_twenty_times_decides_once(live, committing_db):
    db = committing_db
    w = Sheets(db)
    agreement = make_agreement(w.grant, make_provider(), status=VersionStatus.TER_BEOORDELING,
                               household=db.session.get(Household, w.agreement.household_id))
    version = db.session.scalar(select(AgreementVersion).where(
        AgreementVersion.agreement_id == agreement.id))
    consulent = make_user(Role.CONSULENT, funder_id=w.grant.funder_id)
    code = two_step(db, consulent)
    version_id = version.id
    checked = agreements_service.current_token(version)  # what the check page showed
    db.session.commit()
    cookies = live.log_in(consulent, PASSWORD, code)

    answers = live.at_the_same_moment(f"/verstrekker/beoordelen/{version_id}/besluit", cookies,
                                      {"decision": "goedkeuren", "reason": "",
                                       "gecontroleerd": checked})

    one_change_and_repeats(answers, f"/verstrekker/beoordelen/{version_id}",
                           f"/verstrekker/beoordelen/{version_id}")
    db.session.remove()
    assert db.session.get(AgreementVersion, version_id).status == VersionStatus.GOEDGEKEURD
    assert count(db, FunderReview, FunderReview.version_id == version_id) == 1
    assert count(db, AgreementEvent, AgreementEvent.version_id == version_id,
                 AgreementEvent.to_status == VersionStatus.GOEDGEKEURD) == 1
    assert messages(db, "agreement_approved") == [w.holder_id]
    assert_ledger_agrees()
    repeat_notice_shown(live, cookies, answers, "Goedgekeurd")


def test_revoking_an_authorisation_twenty_times_revokes_once(live, committing_db):
    db = committing_db
    w = Sheets(db)
    advisor = make_user(Role.ADVISEUR)
    household = db.session.get(Household, w.agreement.household_id)
    auth = make_authorization(household, advisor, w.holder)
    auth_id, household_id, advisor_id = auth.id, household.id, advisor.id
    db.session.commit()
    cookies = live.log_in(w.holder, PASSWORD)

    answers = live.at_the_same_moment(
        f"/huishoudens/{household_id}/machtigingen/{auth_id}/intrekken", cookies, {})

    listing = f"/huishoudens/{household_id}/machtigingen"
    one_change_and_repeats(answers, listing, listing)
    db.session.remove()
    assert db.session.get(Authorization, auth_id).revoked_at is not None
    assert count(db, AuditEvent, AuditEvent.action == "authorization_revoked") == 1
    assert len(db.session.scalars(select(Message).where(Message.user_id == advisor_id)).all()) == 1
    assert_ledger_agrees()
    repeat_notice_shown(live, cookies, answers, "Deze machtiging is ingetrokken.")


def test_turning_a_login_off_twenty_times_turns_it_off_once(live, committing_db):
    db = committing_db
    w = Sheets(db)
    holder_id = w.holder_id
    db.session.commit()
    cookies = live.log_in(w.office, PASSWORD, w.office_code)

    answers = live.at_the_same_moment(f"/betaalkantoor/inlogaccounts/{holder_id}/uitzetten",
                                      cookies, {})

    one_change_and_repeats(answers, "/betaalkantoor/inlogaccounts",
                           "/betaalkantoor/inlogaccounts")
    db.session.remove()
    assert count(db, AuditEvent, AuditEvent.action == "account_disabled") == 1
    repeat_notice_shown(live, cookies, answers, "Deze inlog staat al uit.")


def test_the_welcome_mail_sent_again_twenty_times_goes_once(live, committing_db):
    db = committing_db
    w = Sheets(db)
    invited = make_user(Role.VERTEGENWOORDIGER, name="Jan Planner")
    invited.password_hash = unusable_password_hash()  # invited: no password chosen yet
    db.session.flush()
    invited_id, seen = invited.id, welcome_state(invited)
    db.session.commit()
    cookies = live.log_in(w.office, PASSWORD, w.office_code)

    answers = live.at_the_same_moment(f"/betaalkantoor/inlogaccounts/{invited_id}/welkomstmail",
                                      cookies, {"stand": seen})

    one_change_and_repeats(answers, "/betaalkantoor/inlogaccounts",
                           "/betaalkantoor/inlogaccounts")
    db.session.remove()
    assert count(db, AuditEvent, AuditEvent.action == "welcome_sent_again") == 1
    repeat_notice_shown(live, cookies, answers, "De welkomstmail is net opnieuw naar Jan Planner")
