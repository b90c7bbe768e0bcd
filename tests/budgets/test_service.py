"""Use cases of portal.budgets.service on the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent
from portal.budgets import service
from portal.budgets.constants import AllowanceKind, FunderKind, Law
from portal.budgets.models import AllowanceCap, AllowanceUse, Grant, Household, Member
from portal.messages.models import Message
from portal.refusals import Refused
from tests import factories as f

D = dt.date
TODAY = D(2026, 6, 15)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# ------------------------------------------------------------------ households and members

def test_register_household_and_member(db):
    office = f.make_user(Role.BEHEERDER)
    household = service.register_household(office, "  Familie Jansen ")
    assert household.name == "Familie Jansen"
    bsn = f.valid_bsn()
    member = service.register_member(office, household.id, "Daan Jansen", f"{bsn[:4]} {bsn[4:]}",
                                     D(2014, 2, 3), today=TODAY)
    assert member.bsn == bsn and member.household_id == household.id
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.household_id == household.id)).all()
    assert sorted(actions) == ["household_registered", "member_registered"]
    summary = db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "member_registered", AuditEvent.household_id == household.id))
    assert bsn not in summary and bsn[-3:] in summary


def test_register_household_refused_for_provider_and_empty_name(db):
    with pytest.raises(Refused) as err:
        service.register_household(f.make_user(Role.ZORGVERLENER), "Familie X")
    assert err.value.codes == ["not_allowed"]
    with pytest.raises(Refused) as err:
        service.register_household(None, " ")
    assert err.value.codes == ["name_missing"]


def test_register_member_refusals_all_at_once_and_nothing_written(db):
    before = count(db, Member)
    with pytest.raises(Refused) as err:
        service.register_member(None, 999_999, "", "123456789", TODAY + dt.timedelta(days=1),
                                today=TODAY)
    assert err.value.codes == ["household_unknown", "name_missing", "bsn_invalid",
                               "birth_date_in_future"]
    assert count(db, Member) == before


def test_duplicate_bsn_refused(db):
    existing = f.make_member()
    with pytest.raises(Refused) as err:
        service.register_member(None, existing.household_id, "Tweeling", existing.bsn,
                                D(2010, 5, 1), today=TODAY)
    assert err.value.codes == ["bsn_taken"]


def test_budget_holder_may_add_a_member_to_own_household_only(db):
    holder = f.make_user(Role.BUDGETHOUDER)
    member = service.register_member(holder, holder.household_id, "Sara", f.valid_bsn(),
                                      TODAY, today=TODAY)
    assert member.birth_date == TODAY  # born today: allowed
    other = f.make_household()
    with pytest.raises(Refused) as err:
        service.register_member(holder, other.id, "Sara", f.valid_bsn(), D(2010, 1, 1),
                                today=TODAY)
    assert err.value.codes == ["not_allowed"]


# ------------------------------------------------------------------ grants

def grant_kwargs(member, funder, **kw):
    args = dict(member_id=member.id, funder_id=funder.id, law="wmo", period_start=D(2026, 1, 1),
                period_end=D(2026, 12, 31), amount_cents=1_500_000,
                care_kinds=["huishoudelijke_hulp", "individuele_begeleiding"],
                decision_reference="WMO-2026-001")
    args.update(kw)
    return args


def test_consulent_registers_grant_audited_and_budget_holder_told(db):
    funder = f.make_funder(FunderKind.GEMEENTE, "Gemeente Utrecht")
    consulent = f.make_user(Role.CONSULENT, funder_id=funder.id)
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id), name="Sara")
    grant = service.register_grant(consulent, **grant_kwargs(member, funder))
    assert (grant.law, grant.amount_cents, grant.reserved_cents, grant.paid_cents) == \
        (Law.WMO, 1_500_000, 0, 0)
    assert grant.care_kinds == ["huishoudelijke_hulp", "individuele_begeleiding"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "grant_registered",
                                                       AuditEvent.object_id == grant.id))
    assert event.actor_id == consulent.id and event.household_id == member.household_id
    message = db.session.scalar(select(Message).where(Message.user_id == holder.id))
    assert "Sara" in message.subject and "Gemeente Utrecht" in message.body


def test_consulent_of_another_funder_may_not(db):
    funder = f.make_funder(FunderKind.GEMEENTE)
    consulent = f.make_user(Role.CONSULENT)  # of another gemeente
    with pytest.raises(Refused) as err:
        service.register_grant(consulent, **grant_kwargs(f.make_member(), funder))
    assert err.value.codes == ["not_allowed"]


def test_unknown_member_and_funder(db):
    before = count(db, Grant)
    with pytest.raises(Refused) as err:
        service.register_grant(None, member_id=987_654, funder_id=987_654, law="wmo",
                               period_start=D(2026, 1, 1), period_end=D(2026, 12, 31),
                               amount_cents=100, care_kinds=["vervoer"])
    assert err.value.codes == ["member_unknown", "funder_unknown"]
    assert count(db, Grant) == before


def test_grant_refusals_together_nothing_written(db):
    funder = f.make_funder(FunderKind.ZORGVERZEKERAAR)
    before = count(db, Grant)
    with pytest.raises(Refused) as err:
        service.register_grant(None, **grant_kwargs(
            f.make_member(), funder, law="wmo", amount_cents=0, period_end=D(2027, 1, 1),
            care_kinds=[]))
    assert err.value.codes == ["law_not_funded", "amount_not_positive", "period_too_long",
                               "care_kinds_empty"]
    assert count(db, Grant) == before


def test_overlapping_grant_same_member_law_funder_refused(db):
    funder = f.make_funder(FunderKind.GEMEENTE)
    member = f.make_member()
    service.register_grant(None, **grant_kwargs(member, funder))
    with pytest.raises(Refused) as err:
        service.register_grant(None, **grant_kwargs(member, funder, period_start=D(2026, 12, 31),
                                                    period_end=D(2027, 6, 30)))
    assert err.value.codes == ["grant_overlaps"]
    # the next day is fine, and so is another law from the same gemeente
    service.register_grant(None, **grant_kwargs(member, funder, period_start=D(2027, 1, 1),
                                                period_end=D(2027, 6, 30)))
    service.register_grant(None, **grant_kwargs(member, funder, law="jeugdwet"))


# ------------------------------------------------------------------ allowances

@pytest.fixture
def wlz(db):
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id))
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=4_000_000)  # 1.5% = EUR 600
    return holder, grant


def test_free_allowance_use_is_paid_from_the_budget(db, wlz):
    holder, grant = wlz
    use = service.record_allowance_use(holder, grant, "verantwoordingsvrij", 50_000,
                                       D(2026, 3, 1), "Uitje", TODAY)
    assert use.id and use.created_by_id == holder.id
    db.session.refresh(grant)
    assert grant.paid_cents == 50_000 and grant.available_cents == 3_950_000
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_type == "allowance_use", AuditEvent.object_id == use.id)) == "allowance_used"


def test_free_allowance_cap_counts_earlier_uses_exact_cap_ok(db, wlz):
    holder, grant = wlz
    service.record_allowance_use(holder, grant, "verantwoordingsvrij", 50_000, D(2026, 3, 1), "", TODAY)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, grant.id, "verantwoordingsvrij", 10_001,
                                     D(2026, 4, 1), "", TODAY)
    assert err.value.codes == ["allowance_cap_exceeded"]
    service.record_allowance_use(holder, grant.id, "verantwoordingsvrij", 10_000,
                                 D(2026, 4, 1), "", TODAY)
    db.session.refresh(grant)
    assert grant.paid_cents == 60_000


def test_holiday_allowance_needs_a_cap_row(db, wlz):
    holder, grant = wlz
    before = count(db, AllowanceUse)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, grant, "feestdagen", 10_000, D(2026, 3, 1), "", TODAY)
    assert err.value.codes == ["allowance_cap_missing"]
    assert count(db, AllowanceUse) == before
    db.session.refresh(grant)
    assert grant.paid_cents == 0
    f.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026, cap_cents=30_000))
    service.record_allowance_use(holder, grant, "feestdagen", 30_000, D(2026, 3, 1), "", TODAY)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, grant, "feestdagen", 1, D(2026, 4, 1), "", TODAY)
    assert err.value.codes == ["allowance_cap_exceeded"]


def test_allowance_refused_for_other_laws_and_strangers(db):
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id))
    wmo = f.make_grant(member, law=Law.WMO)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, wmo, "verantwoordingsvrij", 100, D(2026, 3, 1), "", TODAY)
    assert err.value.codes == ["allowance_not_wlz"]
    stranger = f.make_user(Role.BUDGETHOUDER)
    wlz = f.make_grant(member, law=Law.WLZ)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(stranger, wlz, "verantwoordingsvrij", 100, D(2026, 3, 1), "", TODAY)
    assert err.value.codes == ["not_allowed"]


def test_representative_acts_on_behalf_and_it_is_logged(db, wlz):
    holder, grant = wlz
    rep = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(db.session.get(Household, holder.household_id), rep, holder,
                         scope=Scope.HANDELEN)
    use = service.record_allowance_use(rep, grant, "verantwoordingsvrij", 100, D(2026, 3, 1), "", TODAY)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "allowance_use",
                                                       AuditEvent.object_id == use.id))
    assert event.actor_id == rep.id and event.on_behalf_of_id == holder.id


def test_view_only_authorisation_cannot_spend(db, wlz):
    holder, grant = wlz
    advisor = f.make_user(Role.ADVISEUR)
    f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                         scope=Scope.BEKIJKEN)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(advisor, grant, "verantwoordingsvrij", 100, D(2026, 3, 1), "", TODAY)
    assert err.value.codes == ["not_allowed"]


def test_allowance_larger_than_budget_left(db):
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id))
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=2_000_000, paid_cents=1_990_000)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, grant, "verantwoordingsvrij", 10_001, D(2026, 3, 1), "", TODAY)
    assert err.value.codes == ["budget_insufficient"]
    service.record_allowance_use(holder, grant, "verantwoordingsvrij", 10_000, D(2026, 3, 1), "", TODAY)


def test_allowance_status(db, wlz):
    holder, grant = wlz
    f.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026, cap_cents=20_000))
    service.record_allowance_use(holder, grant, "verantwoordingsvrij", 48_000, D(2026, 3, 1), "", TODAY)
    service.record_allowance_use(holder, grant, "feestdagen", 5_000, D(2026, 4, 1), "", TODAY)
    other_year = f.make_grant(f.make_member(), law=Law.WLZ, year=2025, amount_cents=1_000_000)
    wmo = f.make_grant(law=Law.WMO)
    status = service.allowance_status([grant, other_year, wmo])
    assert set(status) == {grant.id, other_year.id}
    free = status[grant.id][AllowanceKind.VERANTWOORDINGSVRIJ]
    assert (free.cap_cents, free.used_cents, free.left_cents, free.close_to_cap) == \
        (60_000, 48_000, 12_000, True)
    holiday = status[grant.id][AllowanceKind.FEESTDAGEN]
    assert (holiday.cap_cents, holiday.used_cents, holiday.close_to_cap) == (20_000, 5_000, False)
    assert status[other_year.id][AllowanceKind.VERANTWOORDINGSVRIJ].cap_cents == 25_000
    assert status[other_year.id][AllowanceKind.FEESTDAGEN].cap_cents is None
    assert service.allowance_status([wmo]) == {}


# ------------------------------------------------------------------ allowances per member and year


@pytest.fixture
def two_indications(db):
    """One member, two Wlz budgets in 2026 (a new indication from July 1st), EUR 10,000 each."""
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id))
    first = f.make_grant(member, law=Law.WLZ, amount_cents=1_000_000,
                         period_start=D(2026, 1, 1), period_end=D(2026, 6, 30))
    second = f.make_grant(member, law=Law.WLZ, amount_cents=1_000_000,
                          period_start=D(2026, 7, 1), period_end=D(2026, 12, 31))
    return holder, member, first, second


def test_the_free_allowance_is_one_per_member_and_year_over_all_wlz_budgets(db, two_indications):
    """1.5% of EUR 20,000 together = EUR 300, not EUR 250 minimum on each budget (EUR 500)."""
    holder, _member, first, second = two_indications
    service.record_allowance_use(holder, first, "verantwoordingsvrij", 20_000, D(2026, 3, 1),
                                 "", TODAY)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, second, "verantwoordingsvrij", 10_001,
                                     D(2026, 7, 2), "", D(2026, 7, 2))
    assert err.value.codes == ["allowance_cap_exceeded"]
    assert "maximaal € 300,00" in err.value.refusals[0].message.replace("\xa0", " ")
    service.record_allowance_use(holder, second, "verantwoordingsvrij", 10_000, D(2026, 7, 2),
                                 "", D(2026, 7, 2))  # exactly what is left
    status = service.allowance_status([first, second])
    for grant in (first, second):  # both budgets show the member's shared figures
        free = status[grant.id][AllowanceKind.VERANTWOORDINGSVRIJ]
        assert (free.cap_cents, free.used_cents, free.left_cents) == (30_000, 30_000, 0)


def test_the_maximum_holds_for_the_member_and_year_not_per_budget(db):
    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(db.session.get(Household, holder.household_id))
    big = [f.make_grant(member, law=Law.WLZ, amount_cents=10_000_000, period_start=start,
                        period_end=end)
           for start, end in ((D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 12, 31)))]
    service.record_allowance_use(holder, big[0], "verantwoordingsvrij", 125_000, D(2026, 3, 1),
                                 "", TODAY)
    with pytest.raises(Refused) as err:  # EUR 1,250 a year, whatever the number of budgets
        service.record_allowance_use(holder, big[1], "verantwoordingsvrij", 1, D(2026, 7, 2), "",
                                     D(2026, 7, 2))
    assert err.value.codes == ["allowance_cap_exceeded"]


def test_the_holiday_allowance_is_shared_by_the_members_budgets_of_the_year(db, two_indications):
    holder, _member, first, second = two_indications
    f.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026, cap_cents=30_000))
    service.record_allowance_use(holder, first, "feestdagen", 20_000, D(2026, 4, 1), "", TODAY)
    with pytest.raises(Refused) as err:
        service.record_allowance_use(holder, second, "feestdagen", 10_001, D(2026, 7, 2), "",
                                     D(2026, 7, 2))
    assert err.value.codes == ["allowance_cap_exceeded"]


def test_other_members_and_other_years_have_their_own_allowance(db, two_indications):
    holder, member, first, _second = two_indications
    sister = f.make_member(db.session.get(Household, member.household_id))
    hers = f.make_grant(sister, law=Law.WLZ, amount_cents=1_000_000)
    next_year = f.make_grant(member, law=Law.WLZ, year=2027, amount_cents=1_000_000)
    service.record_allowance_use(holder, first, "verantwoordingsvrij", 30_000, D(2026, 3, 1), "",
                                 TODAY)
    service.record_allowance_use(holder, hers, "verantwoordingsvrij", 25_000, D(2026, 3, 1), "",
                                 TODAY)
    service.record_allowance_use(holder, next_year, "verantwoordingsvrij", 25_000, D(2027, 1, 5),
                                 "", D(2027, 1, 5))
    status = service.allowance_status([hers, next_year])
    assert status[hers.id][AllowanceKind.VERANTWOORDINGSVRIJ].cap_cents == 25_000
    assert status[next_year.id][AllowanceKind.VERANTWOORDINGSVRIJ].used_cents == 25_000


def test_holder_labels_name_the_budget_holder_or_else_the_household(db):
    from tests.statements import recorded_statements

    with_holder, without = f.make_household(name="Proef"), f.make_household(name="Leeg")
    f.make_user(Role.BUDGETHOUDER, name="Ria Proef", household_id=with_holder.id)
    f.make_user(Role.BUDGETHOUDER, name="Tweede Proef", household_id=with_holder.id)
    with recorded_statements(selects_only=True) as statements:
        labels = service.holder_labels([with_holder.id, without.id, with_holder.id])
    assert labels == {with_holder.id: "Ria Proef", without.id: "Huishouden Leeg"}
    assert len(statements) == 2
    with recorded_statements(selects_only=True) as statements:
        assert service.holder_labels([with_holder.id]) == {with_holder.id: "Ria Proef"}
    assert len(statements) == 1  # everyone has a login: no second query
    assert service.holder_labels([]) == {}


def test_one_budget_per_member_per_law_at_a_time_whatever_the_funder(db):
    """Issue 16, finding 7: a second zorgkantoor cannot register a Wlz budget that overlaps
    the first one's."""
    first, second = f.make_funder(FunderKind.ZORGKANTOOR), f.make_funder(FunderKind.ZORGKANTOOR)
    member = f.make_member()
    service.register_grant(None, **grant_kwargs(member, first, law="wlz"))
    with pytest.raises(Refused) as err:
        service.register_grant(None, **grant_kwargs(member, second, law="wlz"))
    assert err.value.codes == ["grant_overlaps"]
    assert "van deze of een andere verstrekker" in err.value.refusals[0].message


def test_csv_import_refuses_an_overlap_with_another_funders_grant(db):
    from portal.funders import csv_import as ci

    gemeente, other = f.make_funder(FunderKind.GEMEENTE), f.make_funder(FunderKind.GEMEENTE)
    member = f.make_member()
    service.register_grant(None, **grant_kwargs(member, other))
    text = ("bsn;wet;begindatum;einddatum;bedrag;zorgsoorten;beschikkingsnummer\n"
            f"{member.bsn};wmo;2026-03-01;2026-12-31;1000,00;huishoudelijke_hulp;X\n")
    report, _rows, _ids = ci.check_file(text.encode(), gemeente)
    assert [[r.code for r in e.refusals] for e in report.row_errors] == [["grant_overlaps"]]
