"""A budget holder drafts an agreement only with a provider the household knows: one it
registered, one found by the IBAN or KvK number it typed, or one it had an agreement with. A
provider id of someone else's provider is refused like one that does not exist, and writes
nothing. The draft starts with the IBAN the household gave."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.agreements import service
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
from portal.agreements.models import Agreement
from portal.agreements.review import check_provider_known
from portal.extensions import db as _db
from portal.providers.models import ProviderLink
from portal.providers.service import create_provider
from portal.refusals import Refused
from tests import factories as f

TODAY = dt.date(2026, 1, 15)
IBAN = "NL91ABNA0417164300"
OTHER_IBAN = "NL20INGB0001234567"


def test_the_rule():
    assert check_provider_known(True) == []
    assert [r.code for r in check_provider_known(False)] == ["provider_unknown"]


@pytest.fixture
def homes(db):
    jansen, bakker = f.make_household("Jansen"), f.make_household("Bakker")
    anna = f.make_user(Role.BUDGETHOUDER, household_id=jansen.id)
    pieter = f.make_user(Role.BUDGETHOUDER, household_id=bakker.id)
    marieke = create_provider(anna, kind=ProviderKind.PERSOON, name="Marieke de Boer",
                                      iban=IBAN)
    return dict(jansen=jansen, bakker=bakker, anna=anna, pieter=pieter, marieke=marieke)


def _draft(actor, household, provider_id):
    return service.create_draft(actor, household_id=household.id, provider_id=provider_id,
                                model=ModelKind.OPDRACHT, relation=Relation.GEEN,
                                starts_on=dt.date(2026, 2, 1), ends_on=None,
                                end_kind=EndKind.GEEN, days_per_week=0, lines=[], today=TODAY)


def test_a_provider_registered_by_the_household_can_be_drafted_with(homes):
    agreement = _draft(homes["anna"], homes["jansen"], homes["marieke"].id)
    assert agreement.versions[0].iban == IBAN


def test_another_households_provider_is_refused_and_nothing_is_written(homes):
    before = _db.session.scalar(select(func.count()).select_from(Agreement))
    for provider_id in (homes["marieke"].id, 999_999):  # someone else's, and one that does not exist
        with pytest.raises(Refused) as info:
            _draft(homes["pieter"], homes["bakker"], provider_id)
        assert info.value.codes == ["provider_unknown"]
        assert info.value.refusals[0].field == "provider_id"
    assert _db.session.scalar(select(func.count()).select_from(Agreement)) == before


def test_a_representative_registering_a_provider_registers_it_for_the_household(homes):
    kees = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(homes["jansen"], kees, homes["anna"], Scope.HANDELEN)
    started = service.start_agreement(kees, household_id=homes["jansen"].id,
                                      model=ModelKind.OPDRACHT, relation=None, today=TODAY,
                                      name="Youssef El Amrani", iban=OTHER_IBAN)
    assert started.agreement.household_id == homes["jansen"].id
    assert started.agreement.versions[0].iban == OTHER_IBAN
    assert _db.session.scalar(select(ProviderLink).where(
        ProviderLink.household_id == homes["jansen"].id,
        ProviderLink.provider_id == started.agreement.provider_id)) is not None


def test_registering_a_provider_for_a_household_one_may_not_act_for_is_refused(homes):
    with pytest.raises(Refused) as info:
        create_provider(homes["pieter"], kind=ProviderKind.PERSOON, name="Jan Zorg",
                                iban=OTHER_IBAN, household_id=homes["jansen"].id, today=TODAY)
    assert info.value.codes == ["not_allowed"]


def test_an_organisation_found_by_its_kvk_becomes_known_with_the_iban_typed(homes):
    linde = create_provider(homes["anna"], kind=ProviderKind.ORGANISATIE,
                                    name="Thuiszorg De Linde", iban=IBAN, kvk="30123456",
                                    agb="03012345")
    started = service.start_agreement(homes["pieter"], household_id=homes["bakker"].id,
                                      model=ModelKind.ZORGINSTELLING, relation=None, today=TODAY,
                                      name="De Linde", iban=OTHER_IBAN, kvk="30123456",
                                      agb="03012345")
    assert started.provider_known and started.agreement.provider_id == linde.id
    assert started.agreement.versions[0].iban == OTHER_IBAN  # the account Pieter gave
    _db.session.refresh(linde)
    assert linde.iban == IBAN  # Anna's agreement and the provider's row keep theirs
