"""Issue 11, the wizard: a shared draft ('Bij de zorgverlener', signed by the provider or not)
can be taken back by the budget holder - to correct it and share it again, or to leave it -
after a check page; a provider signature already given is void, and the provider is told."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.agreements import signing
from portal.agreements.constants import Action, Party, VersionStatus
from portal.agreements.lifecycle import available_actions, check_transition, is_repeat
from portal.agreements.models import AgreementEvent
from portal.messages.models import Message
from portal.providers.pages import provider_agreements, provider_tasks
from portal.refusals import AlreadyDone, Refused
from tests import factories as f
from tests.agreements.conftest import TODAY, text
from tests.agreements.test_views import World, settle, step_url  # noqa: F401

S = VersionStatus
pytestmark = pytest.mark.usefixtures("fixed_today")


# --- the rule: the transition table --------------------------------------------------------


@pytest.mark.parametrize("signed", [False, True])
def test_the_holder_may_take_back_a_shared_version_signed_or_not(signed):
    assert check_transition(Action.WITHDRAW, S.GEDEELD, {Party.HOLDER},
                            provider_signed=signed) == []
    assert [r.code for r in check_transition(Action.WITHDRAW, S.GEDEELD, {Party.PROVIDER})] == [
        "not_your_step"]
    for status in set(S) - {S.GEDEELD}:
        assert [r.code for r in check_transition(Action.WITHDRAW, status, {Party.HOLDER})] == [
            "wrong_status"]
    assert is_repeat(Action.WITHDRAW, S.CONCEPT)


def test_the_page_offers_taking_back_only_to_the_acting_holder_of_a_shared_version():
    def offered(**kw):
        values = dict(holder=True, provider=False, open_status=S.GEDEELD, provider_signed=False,
                      approved=False, ended=False)
        values.update(kw)
        return available_actions(**values)["withdraw"]
    assert offered() and offered(provider_signed=True)
    assert not offered(holder=False, provider=True)
    assert not offered(open_status=S.CONCEPT) and not offered(open_status=S.TER_BEOORDELING)
    assert not offered(ended=True)


# --- the use case ------------------------------------------------------------------------------


def test_taking_back_voids_the_provider_signature_and_tells_the_provider(w, db):
    agreement = w.shared()
    version = agreement.versions[0]
    signing.provider_sign(w.provider_user, version, TODAY)
    signing.withdraw(w.holder, version, TODAY)
    assert version.status == S.CONCEPT
    assert version.signed_by_provider_at is None and version.signed_by_holder_at is None
    event = db.session.scalars(select(AgreementEvent).order_by(AgreementEvent.id.desc())).first()
    assert (event.from_status, event.to_status) == ("gedeeld", "concept")
    message = db.session.scalars(select(Message).where(
        Message.user_id == w.provider_user.id, Message.kind == "agreement_withdrawn")).one()
    assert message.about.startswith("Zorg voor Sara door Piet Zorg")
    assert message.about in message.subject
    assert "handtekening" in message.body
    # The provider's tasks no longer ask for a signature.
    mine, _others = provider_tasks(provider_agreements(w.provider.id, TODAY))
    assert not [t for t in mine if t.object_id == agreement.id]


def test_taking_back_twice_is_a_repeat_that_writes_nothing(w, db):
    version = w.shared().versions[0]
    signing.withdraw(w.holder, version, TODAY)
    before = db.session.scalar(select(func.count()).select_from(Message))
    with pytest.raises(AlreadyDone):
        signing.withdraw(w.holder, version, TODAY)
    assert db.session.scalar(select(func.count()).select_from(Message)) == before


def test_only_the_holder_side_may_take_back(w, db):
    version = w.shared().versions[0]
    for who in (w.provider_user, w.viewer, w.consulent):
        with pytest.raises(Refused):
            signing.withdraw(who, version, TODAY)
    assert version.status == S.GEDEELD


def test_corrected_and_shared_again_the_provider_signs_afresh(w, db):
    version = w.shared().versions[0]
    signing.provider_sign(w.provider_user, version, TODAY)
    signing.withdraw(w.holder, version, TODAY)
    signing.share(w.holder, version, TODAY)
    assert version.status == S.GEDEELD and version.signed_by_provider_at is None
    mine, _ = provider_tasks(provider_agreements(w.provider.id, TODAY))
    assert [t.endpoint for t in mine] == ["agreements.provider_sign"]


# --- the pages ---------------------------------------------------------------------------------


def url(agreement) -> str:
    return f"/overeenkomsten/{agreement.id}/terughalen"


def test_the_check_page_then_back_to_the_wizard(w, client, login):
    agreement = w.shared()
    version = agreement.versions[0]
    signing.provider_sign(w.provider_user, version, TODAY)
    settle()
    login(w.holder)
    show = text(client.get(f"/overeenkomsten/{agreement.id}"))
    assert url(agreement) in show
    check = text(client.get(url(agreement)))
    assert "<form" in check and 'method="post"' in check
    assert "handtekening van Piet Zorg vervalt" in check
    assert version.status == S.GEDEELD  # looking writes nothing
    response = client.post(url(agreement), data={"action": "aanpassen"})
    assert response.status_code == 302
    assert response.location.endswith(step_url(agreement, "controleren"))
    assert version.status == S.CONCEPT and version.signed_by_provider_at is None
    again = client.post(url(agreement), data={"action": "aanpassen"})  # a repeat
    assert again.status_code == 303
    assert "Dit is al gedaan" in text(client.get(again.location))


def test_taking_back_without_correcting_returns_to_the_agreement(w, client, login):
    agreement = w.shared()
    login(w.holder)
    response = client.post(url(agreement), data={"action": "terughalen"})
    assert response.location.endswith(f"/overeenkomsten/{agreement.id}")
    assert agreement.versions[0].status == S.CONCEPT


def test_a_view_only_helper_sees_no_button_and_is_refused(w, client, login):
    agreement = w.shared()
    login(w.viewer)
    show = text(client.get(f"/overeenkomsten/{agreement.id}"))
    assert url(agreement) not in show
    assert client.post(url(agreement), data={"action": "terughalen"}).status_code == 404
    assert agreement.versions[0].status == S.GEDEELD


def test_a_representative_who_may_act_can_take_back(w, client, login):
    agreement = w.shared()
    rep = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(w.household, rep, w.holder, Scope.HANDELEN)
    settle()
    login(rep)
    assert url(agreement) in text(client.get(f"/overeenkomsten/{agreement.id}"))
    response = client.post(url(agreement), data={"action": "terughalen"})
    assert response.status_code == 302
    assert agreement.versions[0].status == S.CONCEPT
