"""The reading functions the agreement screens use: loading with a fixed number of queries,
cost next to what is available, and the provider's changes to highlight."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.agreements import service, signing
from portal.agreements.constants import EndKind, ModelKind, Relation
from portal.agreements.models import ChosenGrant
from portal.agreements.reads import (
    cost_overview,
    events_of,
    grants_to_offer,
    household_agreements,
    household_grants,
    provider_changes,
)
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.extensions import db as _db
from tests import factories as f
from tests.statements import recorded_statements

D = dt.date
TODAY = D(2026, 1, 15)


@pytest.fixture
def world(db):
    household = f.make_household()
    member = f.make_member(household, name="Daan")
    grant = f.make_grant(member, f.make_funder(FunderKind.ZORGKANTOOR), Law.WLZ,
                         amount_cents=500_000)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    return household, member, grant, holder


def draft(holder, household, grant, provider=None, **kw):
    provider = provider or f.make_provider()
    values = dict(household_id=household.id, provider_id=provider.id, model=ModelKind.OPDRACHT,
                  relation=Relation.GEEN, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31),
                  end_kind=EndKind.EINDDATUM, days_per_week=1,
                  lines=[LineInput(grant.id, CareKind.VERPLEGING, Unit.UUR, 7000, 60 * 10)],
                  today=TODAY)
    values.update(kw)
    f.know_provider(household, values["provider_id"])
    return service.create_draft(holder, **values)


def test_tariff_check_works_on_grants_read_back_from_the_database(world):
    """A grant row loaded fresh holds its law as a plain string; the maximum check needs the
    law's label (regression: AttributeError 'str' has no attribute 'label')."""
    household, _member, grant, holder = world
    agreement = draft(holder, household, grant,
                      lines=[LineInput(grant.id, CareKind.VERPLEGING, Unit.UUR, 9000, 60)])
    _db.session.commit()
    _db.session.expire_all()
    verdict = service.draft_verdict(agreement.versions[0])
    assert [r.code for r in verdict.refusals] == ["tariff_above_maximum"]
    assert "Wlz" in verdict.refusals[0].message


def test_cost_overview_until_the_end_of_the_grant(world):
    household, _member, grant, holder = world
    version = draft(holder, household, grant).versions[0]
    (row,) = cost_overview(version, TODAY)
    # 10 hours a week at EUR 70: 700 a week, from 1 Feb to 31 Dec 2026 = 334 days.
    assert row.cost_cents == round(70_000 * 334 / 7)
    assert row.available_cents == 500_000
    assert not row.enough and row.shortfall_cents == row.cost_cents - 500_000


def test_cost_overview_counts_from_today_and_says_enough(world):
    household, _member, grant, holder = world
    version = draft(holder, household, grant, starts_on=D(2026, 1, 1),
                    lines=[LineInput(grant.id, CareKind.VERPLEGING, Unit.UUR, 7000, 60)]).versions[0]
    (row,) = cost_overview(version, D(2026, 12, 25))
    assert row.cost_cents == 7000  # 25..31 December: one week of one hour
    assert row.enough and row.shortfall_cents == 0
    assert cost_overview(version, D(2027, 1, 5))[0].cost_cents == 0


def test_is_there_enough_counts_every_other_approved_agreement_on_the_same_budget(world):
    """Finding 5: 'Genoeg? Ja' ignored the other agreements on the same budget."""
    from portal.agreements.constants import VersionStatus

    household, _member, grant, holder = world
    one_hour = [LineInput(grant.id, CareKind.VERPLEGING, Unit.UUR, 7000, 60)]
    other = draft(holder, household, grant, lines=one_hour).versions[0]
    version = draft(holder, household, grant, lines=one_hour).versions[0]
    alone = cost_overview(version, TODAY)[0]
    assert alone.others_cents == 0 and alone.enough  # the other is only a draft
    other.status = VersionStatus.GOEDGEKEURD  # approved: it will draw on the budget
    other_cost = round(7000 * 334 / 7)  # 1 Feb - 31 Dec 2026
    _db.session.flush()
    row = cost_overview(version, TODAY)[0]
    assert row.others_cents == other_cost and row.cost_cents == other_cost
    assert row.enough == (2 * other_cost <= 500_000)
    grant.amount_cents = other_cost + row.cost_cents - 1  # one cent short, together
    _db.session.flush()
    row = cost_overview(version, TODAY)[0]
    assert not row.enough and row.shortfall_cents == 1


def test_cost_overview_of_a_draft_without_lines_is_empty(world):
    household, _member, grant, holder = world
    version = draft(holder, household, grant, lines=[]).versions[0]
    assert cost_overview(version, TODAY) == []


def test_household_grants_only_in_the_period_and_only_this_household(world):
    household, member, grant, _holder = world
    old = f.make_grant(member, year=2024)
    f.make_grant(f.make_member(), year=2026)  # another household
    assert {g.id for g in household_grants(household.id)} == {grant.id, old.id}
    assert [g.id for g in household_grants(household.id, first=D(2026, 2, 1))] == [grant.id]
    assert [g.id for g in household_grants(household.id, first=D(2024, 1, 1),
                                                   last=D(2024, 6, 30))] == [old.id]


def test_household_grants_also_the_ones_named_outside_the_period(world):
    household, member, grant, _holder = world
    old = f.make_grant(member, year=2024)
    stranger = f.make_grant(f.make_member(), year=2026)  # another household: never
    assert [g.id for g in household_grants(household.id, first=D(2026, 2, 1),
                                                   also=[old.id, stranger.id])] == [grant.id, old.id]
    assert [g.id for g in household_grants(household.id, first=D(2026, 2, 1),
                                                   also=[])] == [grant.id]


def test_the_wizard_offers_the_budgets_of_the_period_and_the_chosen_ones(world):
    household, member, grant, holder = world
    old, later = f.make_grant(member, year=2024), f.make_grant(member, year=2028)
    version = draft(holder, household, grant).versions[0]
    offered, first = grants_to_offer(version, TODAY)
    assert [g.id for g in offered] == [grant.id] and first <= version.starts_on
    _db.session.add(ChosenGrant(version_id=version.id, grant_id=old.id))
    _db.session.flush()
    _db.session.expire(version)
    offered, _first = grants_to_offer(version, TODAY)
    assert {g.id for g in offered} == {grant.id, old.id} and later.id not in {g.id for g in offered}


def _queries_to_read(household_id: int) -> tuple[int, int]:
    _db.session.commit()
    _db.session.expire_all()
    with recorded_statements() as statements:
        agreements = household_agreements(household_id)
        events = events_of(a.id for a in agreements)
        for a in agreements:
            _ = [(v.status, [ln.tariff_cents for ln in v.lines]) for v in a.versions]
            _ = a.provider.name
            assert len(events[a.id]) == 2  # concept, gedeeld
    return len(agreements), len(statements)


def test_household_agreements_and_events_load_in_a_fixed_number_of_queries(world):
    household, _member, grant, holder = world

    def add(n):
        for _ in range(n):
            agreement = draft(holder, household, grant)
            signing.share(holder, agreement.versions[0], TODAY)

    add(1)
    small = _queries_to_read(household.id)
    add(4)
    large = _queries_to_read(household.id)
    assert (small[0], large[0]) == (1, 5)
    assert small[1] == large[1]


def test_events_name_who_acted_and_for_whom(world):
    household, _member, grant, holder = world
    from portal.access.constants import Scope

    helper = f.make_user(Role.VERTEGENWOORDIGER, name="Kees Helper")
    f.make_authorization(household, helper, holder, Scope.HANDELEN)
    agreement = draft(helper, household, grant)
    ((event_row, actor, behalf),) = events_of([agreement.id])[agreement.id]
    assert (actor, behalf) == ("Kees Helper", holder.name)
    assert event_row.to_status == "concept"


def test_provider_changes_of_a_signed_version(world):
    household, _member, grant, holder = world
    provider = f.make_provider(name="Piet")
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=provider.id)
    version = draft(holder, household, grant, provider=provider).versions[0]
    assert provider_changes(version) == {}
    signing.share(holder, version, TODAY)
    signing.provider_sign(provider_user, version, TODAY, {"iban": "NL20INGB0001234567"})
    assert provider_changes(version) == {
        "iban": {"old": "NL91ABNA0417164300", "new": "NL20INGB0001234567"}}
