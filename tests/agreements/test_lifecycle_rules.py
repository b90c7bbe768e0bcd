"""The transition table: which party may take which step from which status. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.agreements.constants import Action, EffectiveStatus, Party, VersionStatus
from portal.agreements.lifecycle import (
    EDITABLE,
    available_actions,
    check_transition,
    effective_status,
    next_status,
)
from tests.agreements.test_rules import codes

S = VersionStatus
D = dt.date
ALLOWED = [
    (Action.EDIT, S.CONCEPT, Party.HOLDER, False),
    (Action.SHARE, S.CONCEPT, Party.HOLDER, False),
    (Action.WITHDRAW, S.GEDEELD, Party.HOLDER, False),
    (Action.WITHDRAW, S.GEDEELD, Party.HOLDER, True),
    (Action.PROVIDER_SIGN, S.GEDEELD, Party.PROVIDER, False),
    (Action.HOLDER_SIGN, S.GEDEELD, Party.HOLDER, True),
    (Action.SUBMIT, S.ONDERTEKEND, Party.SYSTEM, True),
    (Action.UPLOAD_PAPER, S.CONCEPT, Party.HOLDER, False),
    (Action.UPLOAD_PAPER, S.GEDEELD, Party.HOLDER, False),
    (Action.APPROVE, S.TER_BEOORDELING, Party.CONSULENT, True),
    (Action.REJECT, S.TER_BEOORDELING, Party.CONSULENT, True),
    (Action.REWORK, S.AFGEKEURD, Party.HOLDER, True),
    (Action.END, S.GOEDGEKEURD, Party.HOLDER, True),
]


@pytest.mark.parametrize(("action", "status", "party", "signed"), ALLOWED)
def test_allowed_transitions(action, status, party, signed):
    assert check_transition(action, status, {party}, provider_signed=signed) == []


@pytest.mark.parametrize(("action", "status", "party", "signed"), ALLOWED)
def test_every_other_party_is_refused(action, status, party, signed):
    for other in set(Party) - {party}:
        assert codes(check_transition(action, status, {other}, provider_signed=signed)) == [
            "not_your_step"]
    assert codes(check_transition(action, status, set(), provider_signed=signed)) == [
        "not_your_step"]


@pytest.mark.parametrize(("action", "status", "party", "signed"), ALLOWED)
def test_every_other_status_is_refused(action, status, party, signed):
    allowed = {s for a, s, _, _ in ALLOWED if a == action}
    for other in set(S) - allowed:
        assert codes(check_transition(action, other, {party}, provider_signed=signed)) == [
            "wrong_status"]


def test_the_whole_table_is_tested():
    assert {a for a, *_ in ALLOWED} == set(Action)


def test_signing_order_provider_first_then_holder():
    assert codes(check_transition(Action.HOLDER_SIGN, S.GEDEELD, {Party.HOLDER})) == [
        "provider_not_signed"]
    assert codes(check_transition(Action.PROVIDER_SIGN, S.GEDEELD, {Party.PROVIDER},
                                        provider_signed=True)) == ["provider_already_signed"]


def test_next_statuses():
    assert next_status(Action.SHARE) == S.GEDEELD
    assert next_status(Action.PROVIDER_SIGN) == S.GEDEELD
    assert next_status(Action.HOLDER_SIGN) == S.ONDERTEKEND
    assert next_status(Action.SUBMIT) == S.TER_BEOORDELING
    assert next_status(Action.UPLOAD_PAPER) == S.ONDERTEKEND
    assert next_status(Action.REWORK) == S.CONCEPT
    assert next_status(Action.END) == S.BEEINDIGD


@pytest.mark.parametrize(("status", "today", "ended_on", "expected"), [
    (S.GOEDGEKEURD, D(2026, 1, 31), None, EffectiveStatus.GOEDGEKEURD),
    (S.GOEDGEKEURD, D(2026, 2, 1), None, EffectiveStatus.ACTIEF),
    (S.GOEDGEKEURD, D(2026, 6, 30), None, EffectiveStatus.ACTIEF),
    (S.GOEDGEKEURD, D(2026, 7, 1), None, EffectiveStatus.AFGELOPEN),
    (S.BEEINDIGD, D(2026, 3, 31), D(2026, 3, 31), EffectiveStatus.OPGEZEGD),
    (S.BEEINDIGD, D(2026, 4, 1), D(2026, 3, 31), EffectiveStatus.BEEINDIGD),
    (S.TER_BEOORDELING, D(2026, 3, 1), None, EffectiveStatus.TER_BEOORDELING),
    (S.VERVANGEN, D(2026, 3, 1), None, EffectiveStatus.VERVANGEN),
])
def test_effective_status(status, today, ended_on, expected):
    assert effective_status(status, D(2026, 2, 1), D(2026, 6, 30), ended_on, today) == expected


def test_effective_status_shows_provider_signature():
    assert effective_status(S.GEDEELD, D(2026, 2, 1), None, None, D(2026, 1, 1),
                                  provider_signed=True) == EffectiveStatus.ONDERTEKEND_ZORGVERLENER


# ---------------------------------------------------------------------------------------------
# Which actions an agreement's page offers (one home: available_actions, from the table)
# ---------------------------------------------------------------------------------------------


def actions(**kw):
    values = dict(holder=True, provider=False, open_status=None, provider_signed=False,
                  approved=False, ended=False)
    values.update(kw)
    return {name for name, on in available_actions(**values).items() if on}


def test_actions_per_status_for_the_budget_holder():
    S = VersionStatus
    assert actions(open_status=S.CONCEPT) == {"edit", "paper"}
    assert actions(open_status=S.AFGEKEURD) == {"edit"}
    assert actions(open_status=S.GEDEELD) == {"paper", "withdraw"}
    assert actions(open_status=S.GEDEELD, provider_signed=True) == {"paper", "holder_sign",
                                                                    "withdraw"}
    assert actions(open_status=S.TER_BEOORDELING) == set()
    assert actions(approved=True) == {"change", "end"}
    assert actions(approved=True, open_status=S.CONCEPT) == {"edit", "paper", "end"}
    assert actions(approved=True, ended=True) == set()
    assert {S.CONCEPT, S.AFGEKEURD} == EDITABLE


def test_actions_for_the_provider_and_for_someone_who_only_looks():
    S = VersionStatus
    assert actions(holder=False, provider=True, open_status=S.GEDEELD) == {"provider_sign"}
    assert actions(holder=False, provider=True, open_status=S.GEDEELD,
                   provider_signed=True) == set()
    assert actions(holder=False, provider=True, open_status=S.CONCEPT) == set()
    assert actions(holder=False, open_status=S.CONCEPT, approved=True) == set()
