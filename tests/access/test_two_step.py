"""Two-step login (TOTP): required for consulent, payment office and advisor, optional for others."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.access.rules import MAX_CODE_ATTEMPTS, totp_step
from portal.dates import now
from tests import factories as f
from tests.factories import PASSWORD

WRONG = "De code klopt niet"


def current_code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at((totp_step(now()) + offset) * 30)


def wrong_code(secret: str) -> str:
    valid = {current_code(secret, o) for o in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def password_step(client, user):
    return client.post("/inloggen", data={"email": user.email, "password": PASSWORD})


def logged_in(client) -> bool:
    response = client.get("/mijn-klanten")
    return not (response.status_code == 302 and "/inloggen" in response.headers["Location"])


@pytest.fixture
def advisor(db):
    return f.make_user(Role.ADVISEUR, totp_secret=pyotp.random_base32())


def test_password_alone_is_not_a_login_for_a_two_step_user(client, advisor):
    response = password_step(client, advisor)
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen/code")
    assert not logged_in(client)
    page = client.get("/inloggen/code")
    assert page.status_code == 200 and "Code uit uw app" in page.get_data(as_text=True)


def test_the_right_code_logs_in_and_is_logged(client, db, advisor):
    password_step(client, advisor)
    response = client.post("/inloggen/code", data={"code": current_code(advisor.totp_secret)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/start")
    assert logged_in(client)
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.actor_id == advisor.id, AuditEvent.action == "login")) == "Ingelogd in twee stappen"


def test_previous_and_next_window_are_accepted(client, advisor):
    password_step(client, advisor)
    assert client.post("/inloggen/code", data={"code": current_code(advisor.totp_secret, -1)}
                       ).status_code == 302


def test_a_wrong_code_gives_a_generic_error_and_no_login(client, advisor):
    password_step(client, advisor)
    response = client.post("/inloggen/code", data={"code": wrong_code(advisor.totp_secret)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert WRONG in html and 'aria-invalid="true"' in html
    assert not logged_in(client)


def test_an_empty_code_is_asked_for(client, advisor):
    password_step(client, advisor)
    response = client.post("/inloggen/code", data={"code": ""})
    assert response.status_code == 422
    assert "Vul de code van 6 cijfers" in response.get_data(as_text=True)


def test_a_used_code_does_not_work_again(client, app, advisor):
    code = current_code(advisor.totp_secret)
    password_step(client, advisor)
    assert client.post("/inloggen/code", data={"code": code}).status_code == 302
    other = app.test_client()
    password_step(other, advisor)
    response = other.post("/inloggen/code", data={"code": code})
    assert response.status_code == 422 and WRONG in response.get_data(as_text=True)


def test_too_many_wrong_codes_end_the_half_login(client, advisor):
    password_step(client, advisor)
    bad = wrong_code(advisor.totp_secret)
    for _ in range(MAX_CODE_ATTEMPTS - 1):
        assert client.post("/inloggen/code", data={"code": bad}).status_code == 422
    last = client.post("/inloggen/code", data={"code": bad})
    assert last.status_code == 302 and last.headers["Location"].endswith("/inloggen")
    # Even the right code no longer helps: start again with the password.
    again = client.post("/inloggen/code", data={"code": current_code(advisor.totp_secret)})
    assert again.status_code == 302 and again.headers["Location"].endswith("/inloggen")
    assert not logged_in(client)


def test_code_page_without_password_step_sends_to_login(client, db):
    response = client.get("/inloggen/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")


def test_the_half_login_expires_after_five_minutes(client, advisor, travel):
    import datetime as dt

    password_step(client, advisor)
    travel(now() + dt.timedelta(minutes=5, seconds=1))
    response = client.post("/inloggen/code", data={"code": current_code(advisor.totp_secret)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")


def test_two_step_role_without_app_sets_it_up_before_anything_else(client, db):
    consulent = f.make_user(Role.CONSULENT)
    response = password_step(client, consulent)
    assert response.headers["Location"].endswith("/inloggen/instellen")
    assert not logged_in(client)
    page = client.get("/inloggen/instellen")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and 'role="img"' in html
    with client.session_transaction() as session:
        secret = session["pending_totp_secret"]
    assert secret.replace(" ", "")[:4] in html
    bad = client.post("/inloggen/instellen", data={"code": wrong_code(secret)})
    assert bad.status_code == 422 and WRONG in bad.get_data(as_text=True)
    db.session.refresh(consulent)
    assert consulent.totp_secret is None
    good = client.post("/inloggen/instellen", data={"code": current_code(secret)})
    assert good.status_code == 302
    db.session.refresh(consulent)
    assert consulent.totp_secret == secret


def test_budget_holder_without_app_logs_in_with_the_password(client, db):
    holder = f.make_user(Role.BUDGETHOUDER)
    response = password_step(client, holder)
    assert response.headers["Location"].endswith("/start")


def test_budget_holder_turns_it_on_and_then_needs_the_code(client, app, db, login):
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    page = client.get("/account/inloggen-in-twee-stappen")
    assert page.status_code == 200 and "Aanzetten" in page.get_data(as_text=True)
    with client.session_transaction() as session:
        secret = session["setup_totp_secret"]
    bad = client.post("/account/inloggen-in-twee-stappen", data={"code": wrong_code(secret)})
    assert bad.status_code == 422 and WRONG in bad.get_data(as_text=True)
    db.session.refresh(holder)
    assert holder.totp_secret is None
    good = client.post("/account/inloggen-in-twee-stappen", data={"code": current_code(secret)})
    assert good.status_code == 302
    assert logged_in(client)  # still logged in in this session
    db.session.refresh(holder)
    assert holder.totp_secret == secret
    other = app.test_client()
    assert password_step(other, holder).headers["Location"].endswith("/inloggen/code")


def test_budget_holder_turns_it_off_with_a_code(client, db, login):
    holder = f.make_user(Role.BUDGETHOUDER, totp_secret=pyotp.random_base32())
    login(holder)
    bad = client.post("/account/inloggen-in-twee-stappen/uitzetten",
                      data={"code": wrong_code(holder.totp_secret)})
    assert bad.status_code == 422
    db.session.refresh(holder)
    assert holder.totp_secret is not None
    from tests.conftest import _unused_code

    good = client.post("/account/inloggen-in-twee-stappen/uitzetten",
                       data={"code": _unused_code(holder)})
    assert good.status_code == 302
    db.session.refresh(holder)
    assert holder.totp_secret is None


def test_a_two_step_role_cannot_turn_it_off(client, db, login, advisor):
    from tests.conftest import _unused_code

    login(advisor)
    page = client.get("/account/inloggen-in-twee-stappen").get_data(as_text=True)
    assert "verplicht" in page and "Uitzetten" not in page
    response = client.post("/account/inloggen-in-twee-stappen/uitzetten",
                           data={"code": _unused_code(advisor)})
    assert response.status_code == 422
    assert "verplicht" in response.get_data(as_text=True)
    db.session.refresh(advisor)
    assert advisor.totp_secret is not None


def test_a_session_without_the_second_step_is_ended(client, db, login):
    holder = f.make_user(Role.VERTEGENWOORDIGER)
    login(holder)
    assert logged_in(client)
    # The account now needs the second step (for example: the app was set up elsewhere).
    holder.totp_secret = pyotp.random_base32()
    db.session.flush()
    response = client.get("/mijn-klanten")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert not logged_in(client)


def test_login_fixture_works_for_every_role(client, db, login):
    for role in Role:
        login(f.make_user(role))
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "login")) >= 1
