"""The agreement pages read through a fixed number of queries, whatever the number of versions,
lines, budgets or documents (ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.agreements import changing
from portal.agreements.constants import EndKind
from portal.agreements.reads import household_grants
from portal.budgets.constants import CareKind, FunderKind, Law
from portal.extensions import db as _db
from tests import factories as f
from tests.agreements import test_views
from tests.agreements.conftest import TODAY
from tests.agreements.test_views import settle, step_url
from tests.statements import recorded_statements

World = test_views.World  # the page tests' world, which the w fixture builds
D = dt.date

pytestmark = pytest.mark.usefixtures("fixed_today")


def statements_for(client, url: str) -> list[str]:
    _db.session.expire_all()
    with recorded_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return statements


def add_versions(w, agreement, n: int) -> None:
    """n more versions, each a change with two lines (the previous one taken as approved), from
    the month after the latest version's start."""
    for i in range(n):
        month = agreement.versions[-1].starts_on.month + 1
        changing.propose_change(
            w.holder, agreement, starts_on=D(2026, month, 1), ends_on=D(2026, 12, 31),
            end_kind=EndKind.EINDDATUM, days_per_week=2, today=TODAY,
            lines=[w.line(tariff_cents=6000 + month),
                   w.line(care_kind=CareKind.VERPLEGING, tariff_cents=6000)])
        if i < n - 1:
            agreement.versions[-1].status = "goedgekeurd"
            _db.session.flush()
    settle()


def test_agreement_page_reads_a_fixed_number_of_queries(w, client, login):
    agreement = w.approved()
    add_versions(w, agreement, 1)  # an approved version and a change on its way
    login(w.holder)
    small = statements_for(client, f"/overeenkomsten/{agreement.id}")
    agreement.versions[-1].status = "goedgekeurd"
    add_versions(w, agreement, 3)  # three approved versions and a change on its way
    assert len(agreement.versions) == 5 and sum(len(v.lines) for v in agreement.versions) == 9
    large = statements_for(client, f"/overeenkomsten/{agreement.id}")
    assert len(small) == len(large), "\n".join(large)


def test_care_step_reads_a_fixed_number_of_queries_whatever_the_budgets(w, client, login):
    small = w.draft(end_kind=EndKind.GEEN, ends_on=None)
    for year in (2027, 2028):  # other members and funders: nothing may be loaded per budget
        f.make_grant(f.make_member(w.household), f.make_funder(FunderKind.ZORGKANTOOR), Law.WLZ,
                     year=year)
    settle()
    login(w.holder)
    grants = household_grants(w.household.id)
    client.post(step_url(small, "budgetten"), data={"grants": [w.grant.id]})
    few = statements_for(client, step_url(small, "zorg"))
    client.post(step_url(small, "budgetten"), data={"grants": [g.id for g in grants]})
    many = statements_for(client, step_url(small, "zorg"))
    assert len(small.versions[0].chosen_grant_ids) == 3
    assert len(few) == len(many), "\n".join(many)
