"""The set-based automatic approval (claims.approval) decides and writes exactly what the old
one-sheet-at-a-time step did (office_approve, or office_suspend with the reasons, per sheet), on
the demo with a few sheets made to fail."""

import datetime as dt
from collections import Counter

from sqlalchemy import select

from portal.access.models import AuditEvent
from portal.agreements.constants import VersionStatus
from portal.agreements.models import AgreementVersion
from portal.claims import approval, service
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimEvent
from portal.dates import TZ
from portal.demo.seed import seed_demo
from portal.messages.models import Message
from portal.refusals import Refused

SEED_DAY = dt.date(2026, 11, 25)


def approve_one_by_one(today):
    """The approval step as it was before issue 14: one sheet at a time."""
    claims = db_scalars(select(Claim).where(Claim.status == ClaimStatus.INGEDIEND)
                        .order_by(Claim.id))
    approved = []
    for claim in claims:
        try:
            approved.append(service.office_approve(None, claim, today).id)
        except Refused as refused:
            service.office_suspend(None, claim, " ".join(r.message for r in refused.refusals),
                                   today, codes=refused.codes)
    return approved


def db_scalars(query):
    from portal.extensions import db

    return list(db.session.scalars(query))


def snapshot(db):
    db.session.flush()
    db.session.expire_all()
    return {
        "claims": sorted(db.session.execute(
            select(Claim.id, Claim.status, Claim.decided_at, Claim.refusal_reason,
                   Claim.refusal_codes)).all(), key=lambda row: row[0]),
        "events": Counter(db.session.execute(
            select(ClaimEvent.claim_id, ClaimEvent.from_status, ClaimEvent.to_status,
                   ClaimEvent.actor_id, ClaimEvent.reason)).all()),
        "audit": Counter((a.action, a.actor_id, a.household_id, a.object_type, a.object_id,
                          a.summary, repr(a.detail))
                         for a in db.session.scalars(select(AuditEvent))),
        "messages": Counter(db.session.execute(
            select(Message.user_id, Message.kind, Message.subject, Message.body,
                   Message.link)).all()),
    }


def test_bulk_approval_writes_what_one_by_one_wrote_on_the_demo(db, time_machine):
    seed_demo(SEED_DAY)
    # the demo's approved and paid sheets count as submitted here (the check looks at the
    # agreement, the lines and the other sheets, not at the budget): more sheets, of persons
    # and organisations, to check
    for claim in db_scalars(select(Claim).where(Claim.status.in_(
            [ClaimStatus.GOEDGEKEURD, ClaimStatus.UITBETAALD]))):
        claim.status = ClaimStatus.INGEDIEND
    db.session.flush()
    submitted = db_scalars(select(Claim).where(Claim.status == ClaimStatus.INGEDIEND)
                           .order_by(Claim.id))
    assert len(submitted) >= 3, "the demo has submitted sheets to check"
    # the approval of one sheet's agreement withdrawn: that sheet must be suspended
    for version in db_scalars(select(AgreementVersion).where(
            AgreementVersion.agreement_id == submitted[0].agreement_id)):
        version.status = VersionStatus.AFGEKEURD
    db.session.flush()
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=TZ), tick=False)  # one moment
    today = dt.date(2026, 12, 10)
    with db.session.begin_nested() as savepoint:
        old = approve_one_by_one(today)
        before = snapshot(db)
        savepoint.rollback()
    db.session.expire_all()
    assert db.session.get(Claim, submitted[0].id).status == ClaimStatus.INGEDIEND
    new = approval.approve_all_submitted(today)
    assert new == old
    assert submitted[0].id not in new
    after = snapshot(db)
    assert after == before
    suspended = [row for row in after["claims"] if row[1] == ClaimStatus.OPGESCHORT.value]
    assert submitted[0].id in [row[0] for row in suspended]
