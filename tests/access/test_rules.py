"""Pure rules of the access area: authorisations and the two-step login. No database."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from portal.access.constants import Role
from portal.access.rules import (
    Grantee,
    authorization_end_limit,
    check_new_authorization,
    check_revoke,
    match_totp_step,
    pending_login_expired,
    totp_step,
    two_step_needed,
)
from portal.dates import TZ

TODAY = dt.date(2026, 3, 10)
ADVISOR = Grantee(user_id=7, role=Role.ADVISEUR)


def codes(**kw) -> list[str]:
    args = dict(grantor_id=1, grantee=ADVISOR, scope="bekijken", ends_on=dt.date(2026, 12, 31),
                today=TODAY, active_grantee_ids=set())
    args.update(kw)
    return [r.code for r in check_new_authorization(**args)]


def test_a_valid_authorization_has_no_refusals():
    assert codes() == []
    assert codes(grantee=Grantee(8, Role.VERTEGENWOORDIGER), scope="handelen") == []


def test_unknown_or_inactive_grantee_is_refused_on_the_email_field():
    refusals = check_new_authorization(grantor_id=1, grantee=None, scope="bekijken",
                                       ends_on=TODAY, today=TODAY, active_grantee_ids=set())
    assert [(r.code, r.field) for r in refusals] == [("grantee_unknown", "email")]
    assert "vertegenwoordiger of adviseur" in refusals[0].message
    assert codes(grantee=Grantee(7, Role.ADVISEUR, active=False)) == ["grantee_unknown"]


def test_not_to_yourself():
    assert codes(grantee=Grantee(1, Role.BUDGETHOUDER)) == ["grantee_is_self"]


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT,
                                  Role.BEHEERDER])
def test_only_representatives_and_advisors_can_be_authorised(role):
    assert codes(grantee=Grantee(9, role)) == ["grantee_role_not_allowed"]


def test_no_second_authorization_for_the_same_person():
    assert codes(active_grantee_ids={7}) == ["already_authorized"]
    assert codes(active_grantee_ids={8}) == []  # someone else's does not matter


def test_scope_must_be_known():
    assert codes(scope="alles") == ["scope_unknown"]


def test_end_date_today_is_allowed_yesterday_is_not():
    assert codes(ends_on=TODAY) == []
    assert codes(ends_on=TODAY - dt.timedelta(days=1)) == ["end_in_past"]
    assert codes(ends_on=None) == ["end_missing"]


def test_at_most_five_years():
    limit = authorization_end_limit(TODAY)
    assert limit == dt.date(2031, 3, 10)
    assert codes(ends_on=limit) == []
    refused = check_new_authorization(grantor_id=1, grantee=ADVISOR, scope="bekijken",
                                      ends_on=limit + dt.timedelta(days=1), today=TODAY,
                                      active_grantee_ids=set())
    assert [r.code for r in refused] == ["end_too_far"]
    assert "10 maart 2031" in refused[0].message


def test_five_years_from_29_february():
    assert authorization_end_limit(dt.date(2028, 2, 29)) == dt.date(2033, 2, 28)


def test_all_reasons_at_once():
    assert codes(grantee=None, scope="x", ends_on=dt.date(2020, 1, 1)) == [
        "grantee_unknown", "scope_unknown", "end_in_past"]


def test_revoke_only_while_not_ended():
    assert check_revoke(revoked=False, ends_on=TODAY, today=TODAY) == []
    assert [r.code for r in check_revoke(revoked=True, ends_on=TODAY, today=TODAY)] == [
        "already_done"]  # revoking it again is a repeat
    assert [r.code for r in check_revoke(revoked=False, ends_on=TODAY - dt.timedelta(days=1),
                                         today=TODAY)] == ["authorization_ended"]


# --- two-step login ---

SECRET = pyotp.random_base32()
MOMENT = dt.datetime(2026, 3, 10, 12, 0, 15, tzinfo=TZ)


def code_at(step: int) -> str:
    return pyotp.TOTP(SECRET).at(step * 30)


def test_two_step_needed_by_role_or_by_choice():
    for role in (Role.CONSULENT, Role.BEHEERDER, Role.ADVISEUR):
        assert two_step_needed(role, has_secret=False)
    for role in (Role.BUDGETHOUDER, Role.VERTEGENWOORDIGER, Role.ZORGVERLENER):
        assert not two_step_needed(role, has_secret=False)
        assert two_step_needed(role, has_secret=True)


def test_current_previous_and_next_code_are_accepted():
    step = totp_step(MOMENT)
    for s in (step - 1, step, step + 1):
        assert match_totp_step(SECRET, code_at(s), MOMENT, None) == s


def test_codes_two_steps_away_are_refused():
    step = totp_step(MOMENT)
    assert match_totp_step(SECRET, code_at(step - 2), MOMENT, None) is None
    assert match_totp_step(SECRET, code_at(step + 2), MOMENT, None) is None


def test_a_code_works_once():
    step = totp_step(MOMENT)
    assert match_totp_step(SECRET, code_at(step), MOMENT, last_step=step) is None
    # Nor an older one after a newer one was used.
    assert match_totp_step(SECRET, code_at(step - 1), MOMENT, last_step=step) is None
    # The next one still works.
    assert match_totp_step(SECRET, code_at(step + 1), MOMENT, last_step=step) == step + 1
    assert match_totp_step(SECRET, code_at(step), MOMENT, last_step=step - 1) == step


def test_code_format():
    step = totp_step(MOMENT)
    spaced = code_at(step)[:3] + " " + code_at(step)[3:]
    assert match_totp_step(SECRET, spaced, MOMENT, None) == step
    for bad in ("", None, "12345", "1234567", "abcdef"):
        assert match_totp_step(SECRET, bad, MOMENT, None) is None


def test_pending_login_lasts_five_minutes():
    assert pending_login_expired(None, MOMENT)
    assert not pending_login_expired(MOMENT - dt.timedelta(minutes=5), MOMENT)
    assert pending_login_expired(MOMENT - dt.timedelta(minutes=5, seconds=1), MOMENT)
