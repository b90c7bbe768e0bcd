"""Issue 11 (Messages): every message about an agreement, a sheet or a payment names the item
by its human title (agreements.titles for an agreement, the payee and what was paid for a
payment) and links to the item's own page."""

from __future__ import annotations

import datetime as dt

from portal.access.constants import Role
from portal.agreements import changing
from portal.agreements.titles import agreement_title
from portal.claims.approval import approve_all_submitted
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.messages import service
from portal.payments.rules import payment_title
from portal.payments.service import run_payments
from tests import factories as f
from tests.payments.builders import make_approved_claim

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 4, 10)


def world(db):
    grant = f.make_grant(period_start=START, period_end=dt.date(2026, 12, 31))
    agreement = f.make_agreement(grant, f.make_provider(), starts_on=START)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=agreement.provider_id)
    office = f.make_user(Role.BEHEERDER)
    return agreement, holder, provider_user, office


def test_a_payment_is_named_by_what_was_paid_and_to_whom():
    uren, loon = ClaimKind.UREN, ClaimKind.LOON
    assert payment_title([uren], ["Thuiszorg De Linde"]) == \
        "Betaling van 1 urenbriefje aan Thuiszorg De Linde"
    assert payment_title([uren, uren, uren], ["Thuiszorg De Linde"]) == \
        "Betaling van 3 urenbriefjes aan Thuiszorg De Linde"
    assert payment_title([uren, loon, uren], ["Thuiszorg De Linde", "Youssef El Amrani",
                                              "Thuiszorg De Linde"]) == \
        "Betaling van 2 urenbriefjes en 1 maandloon aan Thuiszorg De Linde en Youssef El Amrani"
    assert payment_title([uren, uren, ClaimKind.NABETALING], ["A", "B", "C"]) == \
        "Betaling van 2 urenbriefjes en 1 nabetaling aan A, B en C"


def test_an_agreement_message_carries_its_title_and_links_to_the_agreement(db):
    agreement, _holder, provider_user, _office = world(db)
    changing.end_agreement(_holder, agreement, dt.date(2026, 4, 30), TODAY)
    [sent] = service.inbox(provider_user.id)
    assert sent.about == agreement_title(agreement.id) != ""
    assert sent.link == f"/overeenkomsten/{agreement.id}"


def test_a_sheet_approved_by_the_office_carries_the_agreements_title_and_its_link(db):
    agreement, _holder, provider_user, _office = world(db)
    claim = make_approved_claim(agreement, dt.date(2026, 3, 1), status=ClaimStatus.INGEDIEND)
    assert approve_all_submitted(TODAY) == [claim.id]
    [sent] = service.inbox(provider_user.id)
    assert sent.about == agreement_title(agreement.id) != ""
    assert sent.link == f"/urenbriefjes/{claim.id}"


def test_payment_messages_name_the_payee_and_link_to_the_payment(db):
    agreement, holder, provider_user, office = world(db)
    make_approved_claim(agreement, dt.date(2026, 2, 1))
    make_approved_claim(agreement, dt.date(2026, 3, 1))
    run = run_payments(office, TODAY)
    [payment] = run.payments
    name = agreement.provider.name
    [to_provider] = service.inbox(provider_user.id)
    assert to_provider.about == f"Betaling van 2 urenbriefjes aan {name}"
    assert to_provider.link == f"/zorgverlener/betalingen/{payment.id}"
    [to_holder] = service.inbox(holder.id)
    assert to_holder.about == f"Betaling van 2 urenbriefjes aan {name}"
    assert to_holder.link == f"/huishoudens/{agreement.household_id}/betalingen"


def test_the_message_page_links_to_the_item_by_its_title(client, login, db):
    anna = f.make_user()
    [sent] = service.notify([anna.id], "test", "Betaald", "EUR 5,00",
                            link="/huishoudens/1/betalingen",
                            about="Betaling van 1 urenbriefje aan Thuiszorg De Linde")
    db.session.commit()
    login(anna)
    html = client.get(f"/berichten/{sent.id}").get_data(as_text=True)
    assert ('<a href="/huishoudens/1/betalingen">Betaling van 1 urenbriefje aan Thuiszorg '
            'De Linde</a>') in html


def test_a_new_budget_comes_from_the_funder_by_name_and_links_to_the_budget(db):
    from portal.budgets.constants import FunderKind
    from portal.budgets.models import Household
    from portal.budgets.service import register_grant

    funder = f.make_funder(FunderKind.GEMEENTE, "Gemeente Utrecht")
    consulent = f.make_user(Role.CONSULENT, funder_id=funder.id)
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id), name="Sara")
    register_grant(consulent, member_id=member.id, funder_id=funder.id, law="wmo",
                   period_start=START, period_end=dt.date(2026, 12, 31),
                   amount_cents=1_500_000, care_kinds=["huishoudelijke_hulp"], today=START)
    [sent] = service.inbox(holder.id)
    assert sent.sender == "Gemeente Utrecht"
    assert sent.about == "Budget voor Sara (Wmo 2015, 2026)"
    assert sent.link == f"/huishoudens/{holder.household_id}/budget"
