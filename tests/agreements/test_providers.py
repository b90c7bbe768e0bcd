"""Step 2 of a new agreement, on the database and through the test client: a provider the
household knows or a new one; a 'new' provider the portal already knows is that provider (no
copy without a login); one agreement per budget holder and provider; what happens on 'Delen'
when the provider has no login yet."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.agreements import changing, funder_review, service, signing
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, VersionStatus
from portal.agreements.models import Agreement
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.extensions import db as _db
from portal.messages.models import Message
from portal.providers.models import Provider
from portal.providers.service import provider_has_login
from portal.refusals import Refused
from tests import factories as f
from tests.agreements.conftest import TODAY, count, text

D = dt.date
MARIEKE_IBAN = "NL20INGB0001234567"
NEW_IBAN = "NL44RABO0123456789"

pytestmark = pytest.mark.usefixtures("fixed_today")


class World:
    def __init__(self):
        self.household = f.make_household()
        self.member = f.make_member(self.household, name="Daan Proef")
        self.funder = f.make_funder(FunderKind.GEMEENTE)
        self.grant = f.make_grant(self.member, self.funder, Law.JEUGDWET)
        self.holder = f.make_user(Role.BUDGETHOUDER, household_id=self.household.id)
        self.marieke = f.make_provider(name="Marieke de Boer", iban=MARIEKE_IBAN,
                                       email="marieke@example.nl")
        self.marieke_user = f.make_user(Role.ZORGVERLENER, provider_id=self.marieke.id)
        self.office = f.make_user(Role.BEHEERDER)
        # Marieke already works for another household: the portal knows her.
        f.make_agreement(f.make_grant(f.make_member(f.make_household())), self.marieke)
        _db.session.commit()

    def start(self, **kw):
        values = dict(household_id=self.household.id, model=ModelKind.FAMILIE,
                      relation="broer_zus", today=TODAY, name="Marieke de Boer",
                      iban=MARIEKE_IBAN)
        values.update(kw)
        return service.start_agreement(self.holder, **values)

    def approve(self, agreement, ends_on=None):
        version = agreement.versions[0]
        version.status = VersionStatus.GOEDGEKEURD
        version.starts_on, version.ends_on = D(2025, 6, 1), ends_on
        _db.session.flush()
        return version


# ---------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------


def test_a_new_provider_the_portal_knows_is_that_provider(w):
    before = count(Provider)
    started = w.start(name="M. de Boer", iban="NL20 INGB 0001 2345 67")
    assert started.provider_known
    assert started.agreement.provider_id == w.marieke.id
    assert count(Provider) == before  # no copy without a login


def test_a_provider_nobody_knows_is_added(w):
    before = count(Provider)
    started = w.start(name="Oma Proef", iban=NEW_IBAN, relation="grootouder")
    assert not started.provider_known
    assert count(Provider) == before + 1 and started.agreement.provider.name == "Oma Proef"
    assert started.agreement.versions[0].starts_on == D(2026, 2, 1)


def test_a_known_iban_with_another_name_is_refused_and_nothing_written(w):
    before = (count(Provider), count(Agreement))
    with pytest.raises(Refused) as info:
        w.start(name="Oma Proef")
    assert info.value.codes == ["iban_other_name"]
    assert (count(Provider), count(Agreement)) == before


def test_a_name_or_address_too_long_for_the_database_is_refused_and_nothing_written(w):
    before = (count(Provider), count(Agreement))
    with pytest.raises(Refused) as info:
        w.start(name="x" * 201, iban=NEW_IBAN, relation="grootouder",
                email="a" * 250 + "@b.nl")
    assert info.value.codes == ["name_too_long", "email_too_long"]
    assert (count(Provider), count(Agreement)) == before
    assert w.start(name="x" * 200, iban=NEW_IBAN, relation="grootouder").agreement.id


def test_an_organisation_is_found_by_its_kvk(w):
    linde = f.make_provider(ProviderKind.ORGANISATIE, name="De Linde", kvk="30123456",
                            agb="03012345", iban="NL39RABO0300065264")
    started = w.start(model=ModelKind.ZORGINSTELLING, relation=None, name="Thuiszorg De Linde",
                      iban=NEW_IBAN, kvk="30123456", agb="03012345")
    assert started.provider_known and started.agreement.provider_id == linde.id


def test_a_second_agreement_with_the_same_provider_is_refused_with_the_one_to_change(w):
    first = w.start().agreement
    before = (count(Provider), count(Agreement))
    with pytest.raises(service.AgreementExists) as info:
        w.start(name="Marieke de Boer")
    assert info.value.codes == ["agreement_exists"]
    assert info.value.agreement_id == first.id
    assert first.reference in info.value.refusals[0].message
    assert (count(Provider), count(Agreement)) == before


def test_a_new_agreement_once_the_earlier_one_is_over(w):
    first = w.start().agreement
    w.approve(first, ends_on=D(2026, 1, 10))  # over before today (15 January)
    known = service.household_providers(w.household.id, TODAY)
    assert [(k.provider.id, k.current) for k in known] == [(w.marieke.id, None)]
    second = w.start(name=None, iban=None, provider_id=w.marieke.id).agreement
    assert second.id != first.id and second.provider_id == w.marieke.id


def test_an_agreement_that_still_runs_blocks_the_known_provider_too(w):
    first = w.start().agreement
    w.approve(first)
    (known,) = service.household_providers(w.household.id, TODAY)
    assert known.current.id == first.id and known.has_login
    with pytest.raises(service.AgreementExists):
        w.start(provider_id=w.marieke.id)


def test_only_a_provider_of_this_household_can_be_chosen_from_the_list(w):
    with pytest.raises(Refused) as info:
        w.start(provider_id=w.marieke.id)  # known in the portal, not to this household
    assert info.value.codes == ["provider_unknown"]


def test_the_relation_is_needed_for_the_family_model(w):
    with pytest.raises(Refused) as info:
        w.start(relation="", name="Oma Proef", iban=NEW_IBAN)
    assert info.value.codes == ["relation_missing"]


def line(w) -> LineInput:
    return LineInput(w.grant.id, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 2000, 180)


def shareable(w, **kw) -> Agreement:
    agreement = w.start(**kw).agreement
    version = agreement.versions[0]
    service.update_draft(w.holder, version, starts_on=D(2026, 2, 1), ends_on=None,
                         end_kind=EndKind.GEEN, days_per_week=0, lines=[line(w)], today=TODAY)
    return agreement


def test_sharing_with_a_provider_without_login_tells_the_payment_office(w):
    agreement = shareable(w, name="Oma Proef", iban=NEW_IBAN, email="oma@example.nl",
                          relation="grootouder")
    assert not provider_has_login(agreement.provider_id)
    signing.share(w.holder, agreement.versions[0], TODAY)
    (message,) = _db.session.scalars(select(Message).where(Message.user_id == w.office.id))
    assert message.kind == "provider_login_needed"
    assert "Oma Proef" in message.subject and "oma@example.nl" in message.body


def test_sharing_with_a_provider_with_a_login_does_not(w):
    agreement = shareable(w)
    assert provider_has_login(agreement.provider_id)
    signing.share(w.holder, agreement.versions[0], TODAY)
    assert count(Message) == 1  # only Marieke's own
    assert _db.session.scalar(select(Message.user_id)) == w.marieke_user.id


def test_a_provider_whose_only_login_is_turned_off_has_no_login(w):
    """The payment office turned the login off (the employee left): sharing must tell the
    office again that the provider needs a login."""
    agreement = shareable(w)
    w.marieke_user.is_active_account = False
    _db.session.flush()
    assert not provider_has_login(agreement.provider_id)
    signing.share(w.holder, agreement.versions[0], TODAY)
    kinds = set(_db.session.scalars(select(Message.kind).where(Message.user_id == w.office.id)))
    assert kinds == {"provider_login_needed"}


# ---------------------------------------------------------------------------------------------
# The screen
# ---------------------------------------------------------------------------------------------


def url(w, model="familie") -> str:
    return f"/huishoudens/{w.household.id}/overeenkomsten/nieuw/zorgverlener?model={model}"


def test_typing_a_known_provider_says_so_and_uses_them(w, client, login):
    login(w.holder)
    response = client.post(url(w), data={"wie": "nieuw", "name": "Marieke de Boer",
                                          "iban": MARIEKE_IBAN, "relation": "broer_zus"})
    assert response.status_code == 302
    agreement = _db.session.scalar(select(Agreement).where(
        Agreement.household_id == w.household.id))
    assert agreement.provider_id == w.marieke.id
    page = text(client.get(response.location))
    assert "Marieke de Boer is al bekend in het portaal" in page


def test_typing_a_provider_you_already_have_links_to_that_agreement(w, client, login):
    first = w.start().agreement
    _db.session.commit()
    login(w.holder)
    before = (count(Provider), count(Agreement))
    page_before = text(client.get(url(w)))
    assert f'href="/overeenkomsten/{first.id}"' in page_before  # listed: change that one
    assert "Een zorgverlener die u al kent" not in page_before  # nothing to choose
    response = client.post(url(w), data={"wie": "nieuw", "name": "Marieke de Boer",
                                          "iban": MARIEKE_IBAN, "relation": "broer_zus"})
    assert response.status_code == 422
    page = text(response)
    assert "U heeft al een overeenkomst met Marieke de Boer" in page
    assert f'<a href="/overeenkomsten/{first.id}">Naar de overeenkomst die u al heeft</a>' in page
    assert 'value="Marieke de Boer"' in page  # what was typed stays
    assert (count(Provider), count(Agreement)) == before


def test_choosing_a_known_provider_whose_agreement_is_over(w, client, login):
    first = w.start().agreement
    w.approve(first, ends_on=D(2026, 1, 10))
    _db.session.commit()
    login(w.holder)
    page = text(client.get(url(w)))
    assert "Een zorgverlener die u al kent" in page and 'name="bekend-provider"' in page
    refused = client.post(url(w), data={"wie": "bekend", "bekend-relation": "broer_zus"})
    assert refused.status_code == 422 and "Kies een zorgverlener uit de lijst." in text(refused)
    response = client.post(url(w), data={"wie": "bekend", "bekend-provider": w.marieke.id,
                                          "bekend-relation": "broer_zus"})
    assert response.status_code == 302, text(response)
    newest = _db.session.scalars(select(Agreement).where(
        Agreement.household_id == w.household.id).order_by(Agreement.id)).all()
    assert [a.provider_id for a in newest] == [w.marieke.id, w.marieke.id]


def test_the_steps_say_when_the_provider_has_no_login(w, client, login):
    agreement = shareable(w, name="Oma Proef", iban=NEW_IBAN, relation="grootouder")
    _db.session.commit()
    login(w.holder)
    for step in ("zorgverlener", "controleren"):
        page = text(client.get(f"/overeenkomsten/{agreement.id}/stap/{step}"))
        assert "Oma Proef heeft nog geen inlog voor het portaal" in page
    response = client.post(f"/overeenkomsten/{agreement.id}/delen")
    assert response.status_code == 302
    assert "het betaalkantoor heeft een bericht gekregen" in text(client.get(response.location))


def test_the_steps_say_nothing_about_a_login_when_there_is_one(w, client, login):
    agreement = shareable(w)
    _db.session.commit()
    login(w.holder)
    page = text(client.get(f"/overeenkomsten/{agreement.id}/stap/controleren"))
    assert "nog geen inlog" not in page
    assert "De zorgverlener krijgt een bericht" in page


# ---------------------------------------------------------------------------------------------
# 'Change that agreement instead': care for another family member is added through the steps
# ---------------------------------------------------------------------------------------------


def approved_with_marieke(w) -> Agreement:
    agreement = shareable(w)
    version = agreement.versions[0]
    signing.share(w.holder, version, TODAY)
    signing.provider_sign(w.marieke_user, version, TODAY)
    signing.holder_sign(w.holder, version, TODAY)
    consulent = f.make_user(Role.CONSULENT, funder_id=w.funder.id)
    funder_review.review(consulent, version, approve=True, reason=None, today=TODAY)
    _db.session.flush()
    return agreement


def test_a_change_in_steps_starts_as_a_copy_from_next_month(w):
    agreement = approved_with_marieke(w)
    version = changing.start_change(w.holder, agreement, TODAY)
    assert (version.number, version.status, version.starts_on) == (2, VersionStatus.CONCEPT,
                                                                   D(2026, 3, 1))
    assert [(ln.grant_id, ln.tariff_cents) for ln in version.lines] == [(w.grant.id, 2000)]
    assert version.chosen_grant_ids == [w.grant.id]
    # Care for another member: her budget and a line, through update_draft as the steps do.
    sara = f.make_grant(f.make_member(w.household, name="Sara Proef"), w.funder, Law.WMO)
    lines = [line(w), LineInput(sara.id, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 2000, 120)]
    values = dict(ends_on=None, end_kind=EndKind.GEEN, days_per_week=0, lines=lines, today=TODAY)
    service.update_draft(w.holder, version, starts_on=D(2026, 3, 1), **values)
    assert sorted(version.chosen_grant_ids) == sorted([w.grant.id, sara.id])
    # A change still starts on the first of a month after the current version's start.
    with pytest.raises(Refused) as info:
        service.update_draft(w.holder, version, starts_on=D(2026, 3, 15), **values)
    assert info.value.codes == ["change_not_first_of_month"]
    assert version.starts_on == D(2026, 3, 1)


def test_a_second_change_in_steps_is_refused_while_one_is_open(w):
    agreement = approved_with_marieke(w)
    changing.start_change(w.holder, agreement, TODAY)
    with pytest.raises(Refused) as info:
        changing.start_change(w.holder, agreement, TODAY)
    assert info.value.codes == ["change_in_progress"]


def test_the_change_page_leads_into_the_steps(w, client, login):
    agreement = approved_with_marieke(w)
    _db.session.commit()
    login(w.holder)
    page = text(client.get(f"/overeenkomsten/{agreement.id}/wijzigen"))
    assert "Een budget of soort zorg toevoegen of weghalen" in page
    response = client.post(f"/overeenkomsten/{agreement.id}/wijzigen", data={"wie": "stappen"})
    assert response.status_code == 302
    assert response.location.endswith(f"/overeenkomsten/{agreement.id}/stap/budgetten")
    assert [v.status for v in agreement.versions] == [VersionStatus.GOEDGEKEURD,
                                                       VersionStatus.CONCEPT]
    page = text(client.get(response.location))
    assert "De wijziging is opgeslagen als concept (versie 2), vanaf 1 maart 2026" in page


def test_the_change_page_says_the_rules_own_reason_when_a_change_is_open(w, client, login):
    """Issue 10, finding 4: the change view checked 'may change' itself with its own message;
    it now answers with agreements.rules.check_may_change's refusal."""
    agreement = approved_with_marieke(w)
    changing.start_change(w.holder, agreement, TODAY)
    _db.session.commit()
    login(w.holder)
    response = client.get(f"/overeenkomsten/{agreement.id}/wijzigen")
    assert response.status_code == 302
    assert response.location.endswith(f"/overeenkomsten/{agreement.id}")
    page = text(client.get(response.location))
    assert "Er loopt al een wijziging. Rond die eerst af of pas die aan." in page
