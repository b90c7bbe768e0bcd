"""The consulent's pages: the review queue (only their funder's), approve / reject with a
reason that reaches the budget holder, and registering a grant by form."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.agreements.constants import VersionStatus
from portal.agreements.models import AgreementVersion
from portal.budgets.constants import FunderKind, Law
from portal.budgets.models import Grant
from portal.extensions import db as _db
from portal.messages.models import Message
from tests import factories as f
from tests.check_pages import decide


@pytest.fixture
def review_world(db):
    utrecht = f.make_funder(FunderKind.GEMEENTE, "Gemeente Testrecht")
    elders = f.make_funder(FunderKind.GEMEENTE, "Gemeente Elders")
    household = f.make_household("Jansen")
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    member = f.make_member(household, "Daan Jansen")
    mine = f.make_agreement(f.make_grant(member, utrecht, Law.JEUGDWET),
                            status=VersionStatus.TER_BEOORDELING)
    other_member = f.make_member(f.make_household("Visser"))
    theirs = f.make_agreement(f.make_grant(other_member, elders),
                              status=VersionStatus.TER_BEOORDELING)
    consulent = f.make_user(Role.CONSULENT, funder_id=utrecht.id)
    return dict(funder=utrecht, holder=holder, mine=mine, theirs=theirs, consulent=consulent,
                member=member)


def _version(agreement) -> AgreementVersion:
    return agreement.versions[-1]


def test_queue_lists_only_the_funders_own_agreements(client, login, review_world):
    login(review_world["consulent"])
    response = client.get("/verstrekker")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert review_world["mine"].reference in html
    assert review_world["theirs"].reference not in html
    assert "Huishouden Visser" not in html


def test_review_page_shows_content_and_cost(client, login, review_world):
    login(review_world["consulent"])
    response = client.get(f"/verstrekker/beoordelen/{_version(review_world['mine']).id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Individuele begeleiding" in html and "4:00 uur per week" in html
    assert "€\xa0240,00" in html  # 4 hours x EUR 60.00 a week
    assert "Goedkeuren" in html and "Afkeuren" in html


def test_another_funders_agreement_answers_404(client, login, review_world):
    login(review_world["consulent"])
    version_id = _version(review_world["theirs"]).id
    assert client.get(f"/verstrekker/beoordelen/{version_id}").status_code == 404
    response = client.post(f"/verstrekker/beoordelen/{version_id}", data={"decision": "goedkeuren"})
    assert response.status_code == 404
    assert _db.session.get(AgreementVersion, version_id).status == VersionStatus.TER_BEOORDELING
    assert client.get("/verstrekker/beoordelen/999999").status_code == 404


def test_approve(client, login, review_world):
    login(review_world["consulent"])
    version = _version(review_world["mine"])
    response = decide(client, version.id, "goedkeuren")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verstrekker/beoordelen/{version.id}"
                                                 "#wat-gebeurt-er-nu")
    _db.session.refresh(version)
    assert version.status == VersionStatus.GOEDGEKEURD


def test_reject_without_a_reason_is_refused_next_to_the_field(client, login, review_world):
    login(review_world["consulent"])
    version = _version(review_world["mine"])
    messages_before = _db.session.scalar(select(func.count(Message.id)))
    response = client.post(f"/verstrekker/beoordelen/{version.id}",
                           data={"decision": "afkeuren", "reason": "te kort"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="reason-error"' in html and "Schrijf bij een afkeuring wat er niet" in html
    assert 'aria-invalid="true"' in html and "te kort" in html  # keeps what was typed
    _db.session.refresh(version)
    assert version.status == VersionStatus.TER_BEOORDELING
    assert _db.session.scalar(select(func.count(Message.id))) == messages_before


def test_reject_with_a_reason_reaches_the_budget_holder(client, login, review_world):
    login(review_world["consulent"])
    version = _version(review_world["mine"])
    reason = "Het aantal uren past niet bij de indicatie. Verlaag naar 3 uur per week."
    response = decide(client, version.id, "afkeuren", reason)
    assert response.status_code == 302
    _db.session.refresh(version)
    assert version.status == VersionStatus.AFGEKEURD
    message = _db.session.scalar(select(Message).where(
        Message.user_id == review_world["holder"].id, Message.kind == "agreement_rejected"))
    assert message is not None and reason in message.body


def test_no_decision_chosen_is_explained(client, login, review_world):
    login(review_world["consulent"])
    version = _version(review_world["mine"])
    response = client.post(f"/verstrekker/beoordelen/{version.id}", data={"reason": ""})
    assert response.status_code == 422
    assert "Kies &#39;Goedkeuren&#39; of &#39;Afkeuren&#39;." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.BEHEERDER])
@pytest.mark.parametrize("path", ["/verstrekker", "/verstrekker/toekenningen",
                                  "/verstrekker/toekenningen/nieuw",
                                  "/verstrekker/toekenningen/importeren"])
def test_other_roles_get_404(client, login, db, role, path):
    login(f.make_user(role))
    assert client.get(path).status_code == 404


# --------------------------------------------------------------------------- grants


@pytest.fixture
def grant_world(db):
    funder = f.make_funder(FunderKind.GEMEENTE, "Gemeente Testrecht")
    other = f.make_funder(FunderKind.GEMEENTE, "Gemeente Elders")
    member = f.make_member(f.make_household("Jansen"), "Daan Jansen", bsn=f.valid_bsn())
    own = f.make_grant(member, funder, Law.JEUGDWET, year=2025, decision_reference="JW-OWN")
    foreign = f.make_grant(member, other, Law.WMO, year=2025, decision_reference="WMO-FOREIGN")
    consulent = f.make_user(Role.CONSULENT, funder_id=funder.id)
    return dict(funder=funder, member=member, own=own, foreign=foreign, consulent=consulent)


def test_grants_page_lists_only_own_grants_with_bsn_masked(client, login, grant_world):
    login(grant_world["consulent"])
    html = client.get("/verstrekker/toekenningen").get_data(as_text=True)
    assert "JW-OWN" in html and "WMO-FOREIGN" not in html
    assert grant_world["member"].bsn not in html
    assert "*****" + grant_world["member"].bsn[-3:] in html


def _grant_data(member, **changes):
    data = {"bsn": member.bsn, "law": "jeugdwet", "period_start": "2026-01-01",
            "period_end": "2026-12-31", "amount": "14.000,00",
            "care_kinds": ["individuele_begeleiding", "logeeropvang"],
            "decision_reference": "JW-2026-1", "action": "registreren"}
    data.update(changes)
    return data


def _grant_count() -> int:
    return _db.session.scalar(select(func.count(Grant.id)))


def test_register_a_grant_by_form(client, login, grant_world):
    login(grant_world["consulent"])
    form_page = client.get("/verstrekker/toekenningen/nieuw")
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert 'type="date"' not in html and "JJJJ-MM-DD" not in html  # dag, maand, jaar
    assert 'name="period_start-dag"' in html and 'name="period_end-jaar"' in html
    before = _grant_count()
    response = client.post("/verstrekker/toekenningen/nieuw", data=_grant_data(grant_world["member"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _grant_count() == before + 1
    grant = _db.session.scalar(select(Grant).where(Grant.decision_reference == "JW-2026-1"))
    assert grant.amount_cents == 1_400_000 and grant.funder_id == grant_world["funder"].id
    assert grant.period_start == dt.date(2026, 1, 1)


def test_bad_grant_form_shows_every_reason_next_to_its_field(client, login, grant_world):
    login(grant_world["consulent"])
    before = _grant_count()
    data = _grant_data(grant_world["member"], period_end="2026-01-31", amount="0", care_kinds=[])
    del data["period_start"]  # typed as a person does: dag, maand, jaar
    data.update({"period_start-dag": "1", "period_start-maand": "6", "period_start-jaar": "2026"})
    response = client.post("/verstrekker/toekenningen/nieuw", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="period_end-error"' in html and "De einddatum ligt voor de begindatum" in html
    assert 'id="amount-error"' in html and "Het bedrag moet groter zijn dan" in html
    assert 'id="care_kinds-error"' in html and "Kies ten minste een zorgsoort" in html
    assert 'name="period_start-maand" type="text" inputmode="numeric" size="2" ' \
           'maxlength="2" autocomplete="off" value="6"' in html  # keeps what was typed
    assert _grant_count() == before


def test_overlapping_grant_is_refused(client, login, grant_world):
    login(grant_world["consulent"])
    before = _grant_count()
    response = client.post("/verstrekker/toekenningen/nieuw", data=_grant_data(
        grant_world["member"], period_start="2025-06-01", period_end="2026-05-31"))
    assert response.status_code == 422
    assert "al een budget voor deze wet" in response.get_data(as_text=True)
    assert _grant_count() == before


def test_unknown_or_wrong_bsn_is_said_on_the_bsn_field(client, login, grant_world):
    login(grant_world["consulent"])
    before = _grant_count()
    unknown = client.post("/verstrekker/toekenningen/nieuw",
                          data=_grant_data(grant_world["member"], bsn=f.valid_bsn()))
    assert unknown.status_code == 422
    html = unknown.get_data(as_text=True)
    assert 'id="bsn-error"' in html and "Er is geen gezinslid met dit burgerservicenummer" in html
    wrong = client.post("/verstrekker/toekenningen/nieuw",
                        data=_grant_data(grant_world["member"], bsn="123456789"))
    assert wrong.status_code == 422
    assert "Dit burgerservicenummer klopt niet" in wrong.get_data(as_text=True)
    assert _grant_count() == before


def test_bad_amount_and_date_text_are_explained_in_dutch(client, login, grant_world):
    login(grant_world["consulent"])
    response = client.post("/verstrekker/toekenningen/nieuw", data=_grant_data(
        grant_world["member"], amount="veel", period_start="2026-02-30"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vul een bestaande datum in, bijvoorbeeld 31-12-2026." in html
    assert 'name="period_start-dag" type="text" inputmode="numeric" size="2" ' \
           'maxlength="2" autocomplete="off" value="30"' in html  # what was typed is kept
    assert 'id="amount-error"' in html and "is geen bedrag" in html
    assert "Not a valid" not in html


def test_look_up_a_member_shows_only_initials(client, login, grant_world):
    login(grant_world["consulent"])
    response = client.post("/verstrekker/toekenningen/nieuw",
                           data={"bsn": grant_world["member"].bsn, "action": "opzoeken"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Gevonden: D. J., geboren in 2010" in html
    assert "Daan Jansen" not in html
    assert _grant_count() == 2


def test_law_the_funder_does_not_grant_cannot_be_chosen(client, login, grant_world):
    login(grant_world["consulent"])
    before = _grant_count()
    response = client.post("/verstrekker/toekenningen/nieuw",
                           data=_grant_data(grant_world["member"], law="wlz"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="law-error"' in html and "Not a valid" not in html
    assert _grant_count() == before


def test_a_decided_version_shows_its_outcome_instead_of_the_buttons(client, login, review_world):
    login(review_world["consulent"])
    version = _version(review_world["mine"])
    decide(client, version.id, "goedkeuren")
    html = client.get(f"/verstrekker/beoordelen/{version.id}").get_data(as_text=True)
    assert "wacht niet (meer) op een beoordeling" in html and "Goedgekeurd" in html
    assert 'value="afkeuren"' not in html
    again = client.post(f"/verstrekker/beoordelen/{version.id}", data={"decision": "afkeuren",
                                                                       "reason": "Toch niet goed, "
                                                                       "te veel uren per week."})
    assert again.status_code == 422
    _db.session.refresh(version)
    assert version.status == VersionStatus.GOEDGEKEURD


def test_lines_on_another_funders_budget_are_left_out(client, login, review_world, db):
    from portal.agreements.models import AgreementLine
    from portal.budgets.constants import CareKind, Unit

    version = _version(review_world["mine"])
    zvw = f.make_grant(review_world["member"], f.make_funder(FunderKind.ZORGVERZEKERAAR), Law.ZVW,
                       amount_cents=987_654)
    f.add(AgreementLine(version_id=version.id, grant_id=zvw.id, care_kind=CareKind.VERPLEGING,
                        unit=Unit.UUR, tariff_cents=7000, weekly_quantity=60))
    login(review_world["consulent"])
    html = client.get(f"/verstrekker/beoordelen/{version.id}").get_data(as_text=True)
    assert "Verpleging" not in html and "€\xa070,00" not in html  # not the line, nor its tariff
    assert "Zvw" not in html and "€\xa09.876,54" not in html
    assert "Daan Jansen, Jeugdwet" in html
