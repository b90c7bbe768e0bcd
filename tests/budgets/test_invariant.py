"""Property test: whatever happens to a budget, granted == paid + in progress + available,
and nothing is negative. Only budgets.service's own operations, refused ones included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.budgets import service
from portal.budgets.models import Grant
from portal.refusals import Refused
from tests import factories as f

GRANTED = (100_000, 60_000)

amount = st.integers(min_value=1, max_value=80_000)
operation = st.one_of(
    st.tuples(st.sampled_from(["reserve", "release", "settle"]),
              st.sampled_from([0, 1]), amount),
    # one claim drawing on both budgets at once: both shares fit, or nothing is reserved
    st.tuples(st.just("reserve_both"), amount, amount),
)


def read_totals(db, ids):
    """(granted, reserved, paid, available) per grant, fresh from the database."""
    grants = {g.id: g for g in db.session.scalars(
        select(Grant).where(Grant.id.in_(ids)).execution_options(populate_existing=True))}
    return [(grants[i].amount_cents, grants[i].reserved_cents, grants[i].paid_cents,
             grants[i].available_cents) for i in ids]


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(operations=st.lists(operation, max_size=25))
def test_budget_invariant_holds_for_any_sequence(db, operations):
    nested = db.session.begin_nested()
    try:
        grants = [f.make_grant(amount_cents=GRANTED[0]), f.make_grant(amount_cents=GRANTED[1])]
        ids = [g.id for g in grants]
        # the model: [reserved, paid] per grant
        model = [[0, 0], [0, 0]]
        refused = 0
        for op in operations:
            name = op[0]
            if name == "reserve_both":
                shares = {ids[0]: op[1], ids[1]: op[2]}
                fits = all(op[1 + i] <= GRANTED[i] - sum(model[i]) for i in (0, 1))
                try:
                    service.reserve(shares)
                except Refused as err:
                    assert not fits
                    assert set(err.codes) == {"budget_insufficient"}
                    refused += 1
                else:
                    assert fits
                    model[0][0] += op[1]
                    model[1][0] += op[2]
                continue
            i, cents = op[1], op[2]
            reserved, paid = model[i]
            available = GRANTED[i] - reserved - paid
            if name == "reserve":
                call = service.reserve
                try:
                    call({ids[i]: cents})
                except Refused as err:
                    assert cents > available
                    assert err.codes == ["budget_insufficient"]
                    refused += 1
                else:
                    assert cents <= available
                    model[i][0 if name == "reserve" else 1] += cents
            else:
                call = service.release if name == "release" else service.settle
                if cents > reserved:
                    with pytest.raises(RuntimeError):
                        call({ids[i]: cents})
                    refused += 1
                else:
                    call({ids[i]: cents})
                    model[i][0] -= cents
                    if name == "settle":
                        model[i][1] += cents
            # The model (what the operations should have done), not the columns themselves,
            # says what the database must hold; available is the grant's own figure.
            for i, (granted, res, pd, available) in enumerate(read_totals(db, ids)):
                expected_reserved, expected_paid = model[i]
                assert (granted, res, pd) == (GRANTED[i], expected_reserved, expected_paid)
                assert available == GRANTED[i] - expected_reserved - expected_paid >= 0
    finally:
        nested.rollback()
