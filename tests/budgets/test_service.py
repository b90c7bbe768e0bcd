"""Use cases of portal.budgets.service on the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.budgets import service
from portal.budgets.constants import FunderKind, Law
from portal.budgets.models import Grant, Household, Member
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
    assert "van deze of een andere financier" in err.value.refusals[0].message


def test_csv_import_refuses_an_overlap_with_another_funders_grant(db):
    from portal.funders import csv_import as ci

    gemeente, other = f.make_funder(FunderKind.GEMEENTE), f.make_funder(FunderKind.GEMEENTE)
    member = f.make_member()
    service.register_grant(None, **grant_kwargs(member, other))
    text = ("bsn;wet;begindatum;einddatum;bedrag;zorgsoorten;beschikkingsnummer\n"
            f"{member.bsn};wmo;2026-03-01;2026-12-31;1000,00;huishoudelijke_hulp;X\n")
    report, _rows, _ids = ci.check_file(text.encode(), gemeente)
    assert [[r.code for r in e.refusals] for e in report.row_errors] == [["grant_overlaps"]]
