"""The set-based run pays exactly what the run before it paid (recorded figures of the old,
one-sheet-at-a-time implementation on the demo and on generated data, to the cent), and writes
the same messages, history and audit lines."""

import datetime as dt
import re
from collections import Counter

from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.agreements.models import Agreement, AgreementVersion
from portal.budgets.models import Grant, Household
from portal.claims.models import Claim, ClaimEvent
from portal.demo.seed import seed_demo
from portal.messages.models import Message
from portal.payments.models import Payment, PaymentItem
from portal.payments.service import execute_run
from portal.providers.models import Provider
from tests import factories as f
from tests.payments.builders import make_approved_claim

SEED_DAY = dt.date(2026, 11, 25)


def _plain(text: str) -> str:
    """Ids in references differ between databases: keep their shape, not their numbers."""
    return re.sub(r"\d+", "#", text)


def run_figures(db, run_on):
    outcome = execute_run(None, run_on)
    run = outcome.run
    payments = db.session.execute(
        select(Payment.reference, Provider.name, Payment.iban, Payment.amount_cents,
               func.count(PaymentItem.id))
        .join(Provider, Provider.id == Payment.provider_id)
        .join(PaymentItem, PaymentItem.payment_id == Payment.id)
        .group_by(Payment.id, Provider.name).order_by(Payment.reference)).all()
    per_household = db.session.execute(
        select(Household.name, func.sum(PaymentItem.amount_cents))
        .join(Agreement, Agreement.household_id == Household.id)
        .join(Claim, Claim.agreement_id == Agreement.id)
        .join(PaymentItem, PaymentItem.claim_id == Claim.id)
        .group_by(Household.name).order_by(Household.name)).all()
    grants = db.session.execute(
        select(func.sum(Grant.paid_cents), func.sum(Grant.reserved_cents))).one()
    messages = db.session.execute(
        select(User.email, Message.subject, Message.body).join(User, User.id == Message.user_id)
        .where(Message.kind == "betaald").order_by(User.email, Message.subject)).all()
    audit = Counter(db.session.scalars(select(AuditEvent.action)))
    events = Counter(db.session.scalars(select(ClaimEvent.to_status)))
    return {
        "approved": len(outcome.approved),
        "held_back": sorted((h.provider_name, h.month, h.amount_cents) for h in outcome.held_back),
        "total": run.total_cents if run else 0,
        "payments": [(_plain(r), name, iban, cents, n) for r, name, iban, cents, n in payments],
        "households": [tuple(row) for row in per_household],
        "grants": tuple(int(x) for x in grants),
        "messages": [(email, _plain(subject), _plain(body)) for email, subject, body in messages],
        "audit": {k: audit[k] for k in ("claim.paid", "claim.office_approve", "claims_paid",
                                         "payment_run", "payment_held_back")},
        "events": dict(events),
    }


def test_the_demo_run_pays_what_the_old_run_paid(db, monkeypatch):
    # The figures were recorded on the demo with its corrections but before it had allowance
    # claims and an employment agreement with a monthly wage (issue 16); those are paid by the
    # run too (tests/claims/test_allowances.py, tests/payments/test_monthly_wages.py,
    # tests/demo/test_seed.py), but are left out here.
    monkeypatch.setattr("portal.demo.seed.seed_allowances", lambda holder, today: [])
    monkeypatch.setattr("portal.demo.seed._employment", lambda demo: None)
    seed_demo(SEED_DAY)
    figures = run_figures(db, SEED_DAY)
    # ... and the old demo's EUR 750 of allowance uses paid without a payee are gone.
    assert figures == {**DEMO, "grants": (DEMO["grants"][0] - 75_000, DEMO["grants"][1])}


def generated(db):
    """Three households, four providers, sheets of several lines and grants, one agreement
    without an IBAN, one provider paid on two accounts."""
    providers = [f.make_provider(name=f"Zorg {i}") for i in range(4)]
    for h in range(3):
        household = f.make_household(name=f"Gezin {h}")
        f.make_user(email=f"bh{h}@test.invalid", household_id=household.id)
        grant = f.make_grant(f.make_member(household), amount_cents=5_000_000)
        for p, provider in enumerate(providers):
            if (h + p) % 3 == 0:
                continue
            agreement = f.make_agreement(grant, provider, household=household)
            for month in (1, 2, 3):
                make_approved_claim(agreement, dt.date(2026, month, 1),
                                    minutes=[60 + 15 * h, 45 * p + 15, 30])
    for provider in providers:
        f.make_user(Role.ZORGVERLENER, email=f"zv-{provider.name}@test.invalid",
                    provider_id=provider.id)
    versions = db.session.scalars(select(AgreementVersion).order_by(AgreementVersion.id)).all()
    versions[0].iban = None                      # held back: no IBAN
    versions[1].iban = "NL02ABNA0123456789"      # its provider paid on a second account
    db.session.flush()


def test_a_generated_run_pays_what_the_old_run_paid(db):
    generated(db)
    assert run_figures(db, dt.date(2026, 4, 10)) == GENERATED


# Recorded from the run before it was set-based (one sheet at a time), commit 9b4460e.
# Recorded from the old implementation on the demo of 2026-12-06. Since then the demo's family
# agreement (Marieke de Boer) has a tariff above the Wlz maximum with a top-up (issue 16): the
# budget pays 36 h x EUR 24.44 = EUR 879.84 (32 h: EUR 782.08) of each of her sheets instead of
# EUR 792.00 (EUR 704.00), so those eight payments, Jansen's total and the grants' paid total
# were raised by exactly that difference (in all EUR 673.44); nothing else changed. The
# generated data below still compares with the old run unchanged.
# Since issue 16's corrections the demo also holds a back-payment (Marieke, EUR 24.44) and a
# claim-back (Youssef, EUR 55.00) made after its runs: this run pays the one (a payment of its
# own) and nets the other against Youssef's payment (EUR 1,777.50 - 55.00 = 1,722.50, two
# items), so the run's total, Jansen's total and the grants' paid total changed by exactly
# EUR 24.44 - 55.00, with their messages, audit lines and events; nothing else changed.
DEMO = {'approved': 1,
 'audit': {'claim.office_approve': 35,
           'claim.paid': 37,
           'claims_paid': 19,
           'payment_held_back': 0,
           'payment_run': 10},
 'events': {'afgekeurd': 1,
            'concept': 1,
            'goedgekeurd': 37,
            'ingediend': 37,
            'opgeschort': 1,
            'uitbetaald': 37,
            'wacht_op_akkoord': 39},
 'grants': (4053738, 179600),
 'held_back': [],
 'households': [('Bakker', 351000), ('Jansen', 3627738)],
 'messages': [('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # november #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, nabetaling NB-#-#-# (juli #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (oktober #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (september #): €\xa0#.#,#\n'
               '- Youssef El Amrani, terugvordering TV-#-#-# (juli #): €\xa0-#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # april #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (maart #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (maart #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (maart #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # augustus #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (juli #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (juli #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (juli #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # februari #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (januari #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (januari #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (januari #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # juli #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (juni #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (juni #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (juni #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # juni #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (mei #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (mei #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (mei #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # maart #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (februari #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (februari #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (februari #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # mei #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (april #): €\xa0#,#\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (april #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (april #): €\xa0#.#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # oktober #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Marieke de Boer, urenbriefje UB-#-# (september #): €\xa0#,#'),
              ('anna.jansen@demo.pgb',
               'Urenbriefjes betaald op # september #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (augustus #): €\xa0#.#,#\n'
               '- Youssef El Amrani, urenbriefje UB-#-# (augustus #): €\xa0#.#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # november #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- nabetaling NB-#-#-# (juli #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # juni #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (mei #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # maart #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (februari #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # oktober #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (september #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # april #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (maart #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # augustus #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (juli #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # februari #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (januari #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # juli #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (juni #): €\xa0#,#'),
              ('marieke.deboer@demo.pgb',
               'Betaald: €\xa0#,# op # mei #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#INGB# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (april #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # april #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (maart #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # augustus #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (juli #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # februari #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (januari #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # juli #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (juni #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # juni #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (mei #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # maart #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (februari #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # mei #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (april #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # oktober #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (september #): €\xa0#,#'),
              ('pieter.bakker@demo.pgb',
               'Urenbriefjes betaald op # september #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Thuiszorg De Linde B.V., urenbriefje UB-#-# (augustus #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # november #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (oktober #): €\xa0#.#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # maart #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (februari #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (februari #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # september #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (augustus #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (augustus #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # april #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (maart #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (maart #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # juli #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (juni #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (juni #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # juni #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (mei #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (mei #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # februari #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (januari #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (januari #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # mei #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (april #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (april #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#.#,# op # augustus #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (juli #): €\xa0#.#,#\n'
               '- urenbriefje UB-#-# (juli #): €\xa0#,#'),
              ('planning@thuiszorg-delinde.demo.pgb',
               'Betaald: €\xa0#,# op # oktober #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#RABO# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (september #): €\xa0#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # februari #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (januari #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # juni #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (mei #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # maart #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (februari #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # augustus #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (juli #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # mei #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (april #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # september #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (augustus #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # november #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (september #): €\xa0#.#,#\n'
               '- terugvordering TV-#-#-# (juli #): €\xa0-#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # april #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (maart #): €\xa0#.#,#'),
              ('youssef.elamrani@demo.pgb',
               'Betaald: €\xa0#.#,# op # juli #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-#-# (juni #): €\xa0#.#,#')],
 'payments': [('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 87984, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 211000, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 151000, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 78208, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 189600, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 151000, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 87984, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 202000, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 177750, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 87984, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 212200, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 162000, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 78208, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 202000, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 151000, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 87984, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 202000, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 177750, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 87984, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 224600, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 162000, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 189600, 2),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 162000, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 78208, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 36000, 1),
              ('PGB-#-#-#', 'Marieke de Boer', 'NL20INGB0001234567', 2444, 1),
              ('PGB-#-#-#', 'Thuiszorg De Linde B.V.', 'NL39RABO0300065264', 166000, 1),
              ('PGB-#-#-#', 'Youssef El Amrani', 'NL02ABNA0123456789', 172250, 2)],
 'total': 340694}
GENERATED = {'approved': 0,
 'held_back': [('Zorg 1', dt.date(2026, 1, 1), 15000),
               ('Zorg 1', dt.date(2026, 2, 1), 15000),
               ('Zorg 1', dt.date(2026, 3, 1), 15000)],
 'total': 409500,
 'payments': [('PGB-#-#-#', 'Zorg 0', 'NL91ABNA0417164300', 76500, 6),
              ('PGB-#-#-#', 'Zorg 1', 'NL91ABNA0417164300', 49500, 3),
              ('PGB-#-#-#', 'Zorg 2', 'NL02ABNA0123456789', 58500, 3),
              ('PGB-#-#-#', 'Zorg 2', 'NL91ABNA0417164300', 67500, 3),
              ('PGB-#-#-#', 'Zorg 3', 'NL91ABNA0417164300', 157500, 6)],
 'households': [('Gezin 0', 58500), ('Gezin 1', 162000), ('Gezin 2', 189000)],
 'grants': (409500, 45000),
 'messages': [('bh0@test.invalid',
               'Urenbriefjes betaald op # april #',
               'Het betaalkantoor heeft €\xa0#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('bh1@test.invalid',
               'Urenbriefjes betaald op # april #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('bh2@test.invalid',
               'Urenbriefjes betaald op # april #',
               'Het betaalkantoor heeft €\xa0#.#,# uit uw budget betaald aan uw zorgverleners:\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- Zorg #, urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('zv-Zorg 0@test.invalid',
               'Betaald: €\xa0#,# op # april #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('zv-Zorg 1@test.invalid',
               'Betaald: €\xa0#,# op # april #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('zv-Zorg 2@test.invalid',
               'Betaald: €\xa0#,# op # april #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('zv-Zorg 2@test.invalid',
               'Betaald: €\xa0#,# op # april #',
               'Wij hebben €\xa0#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#'),
              ('zv-Zorg 3@test.invalid',
               'Betaald: €\xa0#.#,# op # april #',
               'Wij hebben €\xa0#.#,# overgemaakt naar NL#ABNA# met kenmerk PGB-#-#-#. Dit is '
               'betaald:\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#\n'
               '- urenbriefje UB-T# (januari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (februari #): €\xa0#,#\n'
               '- urenbriefje UB-T# (maart #): €\xa0#,#')],
 'audit': {'claim.paid': 21,
           'claim.office_approve': 0,
           'claims_paid': 3,
           'payment_run': 1,
           'payment_held_back': 1},
 'events': {'uitbetaald': 21}}
