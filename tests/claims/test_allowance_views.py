"""The allowances page and the holder's own account page (issue 16): the holder asks for the
free-to-spend amount on the page; the IBAN is checked and its change is in the audit log."""

import datetime as dt

from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.budgets.constants import Law
from portal.budgets.models import Member
from portal.claims.constants import ClaimKind
from portal.claims.models import Claim
from portal.claims.rules import LineInput
from portal.claims.service import submit_own_claim
from portal.extensions import db as database
from portal.payments.service import execute_run
from tests import factories as f

D = dt.date


def _holder_with_wlz(iban="NL09RABO0417164301"):
    household = f.make_household(holder_iban=iban)
    grant = f.make_grant(f.make_member(household, name="Anna Wlz"), law=Law.WLZ,
                         amount_cents=4_000_000)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    return household, grant, holder


def test_the_page_shows_used_and_left_and_asks_for_the_free_amount(db, client, login, travel):
    household, grant, holder = _holder_with_wlz()
    agreement = f.make_agreement(grant)
    travel(D(2026, 3, 10))
    submit_own_claim(holder, agreement, D(2026, 2, 1),
                     [LineInput(day=D(2026, 2, 2), care_kind="individuele_begeleiding",
                                quantity=240)], D(2026, 3, 10))
    execute_run(None, D(2026, 3, 10))
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/uitkeringen").get_data(as_text=True)
    assert "Anna Wlz, Wlz 2026" in html and "Vrij besteedbaar bedrag 2026 aanvragen" in html
    response = client.post(f"/huishoudens/{household.id}/uitkeringen/{grant.id}/vrij")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/huishoudens/{household.id}/uitkeringen")
    claim = database.session.scalar(select(Claim).where(Claim.kind == ClaimKind.VRIJ))
    assert claim.total_cents == 25_000
    again = client.post(f"/huishoudens/{household.id}/uitkeringen/{grant.id}/vrij")
    assert again.status_code == 422
    assert "al aangevraagd" in again.get_data(as_text=True)


def test_asking_before_any_payment_says_why(db, client, login, travel):
    household, grant, holder = _holder_with_wlz()
    travel(D(2026, 3, 10))
    login(holder)
    response = client.post(f"/huishoudens/{household.id}/uitkeringen/{grant.id}/vrij")
    assert response.status_code == 422
    assert ("U kunt het vrij besteedbaar bedrag pas aanvragen als er uit uw budget is betaald."
            in response.get_data(as_text=True))


def test_the_holder_records_and_changes_the_iban_checked_and_audited(db, client, login):
    household, _grant, holder = _holder_with_wlz(iban=None)
    login(holder)
    path = f"/huishoudens/{household.id}/rekeningnummer"
    wrong = client.post(path, data={"iban": "NL91ABNA0417164301"})  # a wrong check digit
    assert wrong.status_code == 422 and "Dit IBAN-nummer klopt niet" in wrong.get_data(as_text=True)
    assert household.holder_iban is None
    ok = client.post(path, data={"iban": "NL91 ABNA 0417 1643 00"})
    assert ok.status_code == 303 and ok.headers["Location"].endswith(path)
    database.session.refresh(household)
    assert household.holder_iban == "NL91ABNA0417164300"
    client.post(path, data={"iban": "NL09RABO0417164301"})
    summaries = database.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "holder_iban_set").order_by(AuditEvent.id)).all()
    assert summaries == ["Rekeningnummer van de budgethouder vastgelegd",
                         "Rekeningnummer van de budgethouder gewijzigd"]


def _free_form_action(household, grant):
    return f'action="/huishoudens/{household.id}/uitkeringen/{grant.id}/vrij"'


def test_mid_year_last_years_free_amount_is_not_offered_the_rule_says_why(db, client, login,
                                                                         travel):
    """Found on the demo loaded on 15 June: the page offered last year's free amount, which
    the rule then refused. The page asks the same rule as the POST and shows its reason."""
    household, this_year, holder = _holder_with_wlz()
    member = database.session.get(Member, this_year.member_id)
    last_year = f.make_grant(member, law=Law.WLZ, year=2025, amount_cents=4_000_000,
                             paid_cents=2_000_000)
    travel(D(2026, 6, 15))
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/uitkeringen").get_data(as_text=True)
    assert "Anna Wlz, Wlz 2025" in html
    assert _free_form_action(household, last_year) not in html
    assert "Vrij besteedbaar bedrag 2025 aanvragen</button>" not in html
    assert "U kunt het vrij besteedbaar bedrag van 2025 alleen in 2025 aanvragen." in html
    refused = client.post(f"/huishoudens/{household.id}/uitkeringen/{last_year.id}/vrij")
    assert refused.status_code == 422


def test_in_january_no_zero_amount_is_offered_the_rule_says_why(db, client, login, travel):
    """Found on the demo loaded on 15 January: 'Nu kunt u EUR 0,00 aanvragen'. Nothing was
    paid from this year's budget yet: no amount, no button, the rule's reason."""
    household, grant, holder = _holder_with_wlz()
    member = database.session.get(Member, grant.member_id)
    new_year = f.make_grant(member, law=Law.WLZ, year=2027, amount_cents=4_000_000)
    travel(D(2027, 1, 15))
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/uitkeringen").get_data(as_text=True)
    assert "Anna Wlz, Wlz 2027" in html
    assert "€ 0,00 aanvragen" not in html and "€\xa00,00 aanvragen" not in html
    assert "Nu kunt u" not in html
    assert _free_form_action(household, new_year) not in html
    assert ("U kunt het vrij besteedbaar bedrag pas aanvragen als er uit uw budget is betaald."
            in html)


def test_this_years_free_amount_is_offered_with_the_amount_the_rule_pays(db, client, login,
                                                                        travel):
    household, grant, holder = _holder_with_wlz()
    grant.paid_cents = 3_000_000  # 1.5% of EUR 30,000 = EUR 450
    travel(D(2026, 6, 15))
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/uitkeringen").get_data(as_text=True)
    assert _free_form_action(household, grant) in html
    assert "450,00 aanvragen" in html
