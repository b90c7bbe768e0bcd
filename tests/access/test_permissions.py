"""access.permissions' one check of 'only the payment office may do this'. No database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.access.constants import Role
from portal.access.permissions import is_office, require_office
from portal.refusals import Refused


def user(role: Role):
    return SimpleNamespace(role=role)


def test_the_office_passes_and_the_system_too_unless_a_person_must_act():
    require_office(user(Role.BEHEERDER), "iets doen")
    require_office(None, "iets doen")
    require_office(user(Role.BEHEERDER), "iets doen", system=False)
    assert is_office(None) and not is_office(None, system=False)
    with pytest.raises(Refused) as refused:
        require_office(None, "een papieren urenbriefje invoeren", system=False)
    assert refused.value.codes == ["not_allowed"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.BEHEERDER])
def test_anyone_else_is_told_who_can(role):
    assert not is_office(user(role))
    with pytest.raises(Refused) as refused:
        require_office(user(role), "een betaalronde starten", code="payment_run_not_allowed")
    assert refused.value.codes == ["payment_run_not_allowed"]
    assert refused.value.refusals[0].message == "Alleen het betaalkantoor kan een betaalronde starten."
