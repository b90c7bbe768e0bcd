"""Several people act for one budget holder at the same time (the reference system allows one
login per budget holder): a representative and an advisor, both with an authorisation to act,
logged in side by side, both approve a sheet, and the audit log says "X namens Y" for each."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent
from portal.access.service import access_log
from portal.budgets.models import Household
from portal.claims.constants import ClaimStatus
from portal.claims.models import ClaimEvent
from portal.dates import add_months, first_of_month, today
from tests import factories as f
from tests.conftest import log_in_client
from tests.payments.builders import make_approved_claim

MONTH = first_of_month(add_months(today(), -1))


def test_a_representative_and_an_advisor_act_side_by_side_and_both_say_namens(app, client, db,
                                                                               login):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    household = db.session.get(Household, holder.household_id)
    grant = f.make_grant(f.make_member(household), year=MONTH.year,
                         period_start=dt.date(MONTH.year - 1, 1, 1),
                         period_end=dt.date(MONTH.year + 1, 12, 31))
    sheets = [make_approved_claim(f.make_agreement(grant, f.make_provider(name=name)), MONTH,
                                  status=ClaimStatus.WACHT_OP_AKKOORD)
              for name in ("Marieke de Boer", "Thuiszorg De Linde")]
    kees = f.make_user(Role.VERTEGENWOORDIGER, name="Kees Jansen")
    fatima = f.make_user(Role.ADVISEUR, name="Fatima Ouali")
    for helper in (kees, fatima):
        f.make_authorization(household, helper, holder, scope=Scope.HANDELEN,
                             starts_on=today(), ends_on=today() + dt.timedelta(days=30))
    kees_client, fatima_client = app.test_client(), app.test_client()
    log_in_client(kees_client, kees)
    log_in_client(fatima_client, fatima)  # the second login does not end the first

    # Interleaved: both look, both act, both look again - each in their own session.
    assert kees_client.get(f"/urenbriefjes/{sheets[0].id}").status_code == 200
    assert fatima_client.get(f"/urenbriefjes/{sheets[1].id}").status_code == 200
    assert kees_client.post(f"/urenbriefjes/{sheets[0].id}/akkoord").status_code == 302
    assert fatima_client.post(f"/urenbriefjes/{sheets[1].id}/akkoord").status_code == 302
    assert kees_client.get(f"/huishoudens/{household.id}/budget").status_code == 200
    assert fatima_client.get(f"/huishoudens/{household.id}/budget").status_code == 200

    for sheet, helper in zip(sheets, (kees, fatima), strict=True):
        db.session.refresh(sheet)
        assert sheet.status == ClaimStatus.INGEDIEND
        assert (sheet.submitted_by_id, sheet.submitted_on_behalf_of_id) == (helper.id, holder.id)
        step = db.session.scalar(select(ClaimEvent).where(
            ClaimEvent.claim_id == sheet.id, ClaimEvent.to_status == ClaimStatus.INGEDIEND))
        assert (step.actor_id, step.on_behalf_of_id) == (helper.id, holder.id)

    # Every look and every act of each helper is logged on Anna's behalf, at the source.
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.household_id == household.id,
        AuditEvent.actor_id.in_([kees.id, fatima.id]))).all()
    per_helper = {h.id: sorted(e.action for e in events if e.actor_id == h.id) for h in (kees, fatima)}
    assert per_helper == {kees.id: ["claim.submit", "view", "view"],
                          fatima.id: ["claim.submit", "view", "view"]}
    assert {e.on_behalf_of_id for e in events} == {holder.id}

    # ... and Anna reads it so.
    entries = [(e.who, e.action) for e in access_log(household.id).entries]
    for name in ("Kees Jansen", "Fatima Ouali"):
        assert (f"{name} namens Anna Jansen", "claim.submit") in entries
        assert entries.count((f"{name} namens Anna Jansen", "view")) == 2
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/inzage").get_data(as_text=True)
    assert html.count("Kees Jansen namens Anna Jansen") == 3
    assert html.count("Fatima Ouali namens Anna Jansen") == 3
    assert html.count("Gaf akkoord op urenbriefje") == 2
