from portal.access.constants import Role
from tests import factories as f


def test_login_page_renders_in_dutch(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert 'for="email"' in html and "Wachtwoord" in html


def test_wrong_password_gives_generic_error_and_no_session(client, db):
    user = f.make_user(Role.BUDGETHOUDER)
    response = client.post("/inloggen", data={"email": user.email, "password": "wrong-password"})
    assert response.status_code == 422
    assert "Het e-mailadres of het wachtwoord klopt niet" in response.get_data(as_text=True)
    assert client.get("/start").status_code == 302


def test_unknown_email_gives_the_same_error(client, db):
    response = client.post("/inloggen", data={"email": "nobody@example.nl", "password": "x" * 12})
    assert "Het e-mailadres of het wachtwoord klopt niet" in response.get_data(as_text=True)


def test_login_then_start_page(client, db, login):
    user = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    login(user)
    # /start sends each role to the first page of its menu.
    response = client.get("/start", follow_redirects=True)
    # Where it landed: the budget page, not the login page (which answers 200 too).
    assert response.status_code == 200
    assert response.request.path == f"/huishoudens/{user.household_id}/budget"
    assert "Anna Jansen" in response.get_data(as_text=True)


def _budget_page_opens(client, user) -> bool:
    """The budget page itself (200), not a redirect to the login page."""
    response = client.get(f"/huishoudens/{user.household_id}/budget")
    if response.status_code == 302:
        assert "/inloggen" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def test_session_ends_after_15_idle_minutes(client, db, login):
    import datetime as dt

    from portal.dates import now
    from tests.sessions import set_session_times

    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    assert _budget_page_opens(client, user)
    set_session_times(client, last_seen=now() - dt.timedelta(minutes=15, seconds=1))
    response = client.get("/start")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert "15 minuten niet actief" in client.get("/inloggen").get_data(as_text=True)
    assert not _budget_page_opens(client, user)  # really logged out


def test_activity_within_15_minutes_keeps_the_session(client, db, login):
    import datetime as dt

    from portal.dates import now
    from tests.sessions import session_row, set_session_times

    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    set_session_times(client, last_seen=now() - dt.timedelta(minutes=14, seconds=50))
    assert _budget_page_opens(client, user)
    # ... and that request counts as activity: the clock starts again.
    assert now() - session_row(client).last_seen_at.replace(tzinfo=now().tzinfo) \
        < dt.timedelta(minutes=1)


def test_a_session_ends_after_the_absolute_lifetime_however_active(client, db, login, app):
    from portal.dates import now
    from tests.sessions import set_session_times

    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    max_age = app.config["PORTAL_SESSION_MAX_AGE"]
    set_session_times(client, started=now() - max_age + dt_seconds(10))
    assert _budget_page_opens(client, user)
    set_session_times(client, started=now() - max_age - dt_seconds(1))
    response = client.get(f"/huishoudens/{user.household_id}/budget")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert "12 uur ingelogd" in client.get("/inloggen").get_data(as_text=True)
    assert not _budget_page_opens(client, user)


def test_last_seen_is_written_at_most_once_a_minute(client, db, login):
    import datetime as dt

    from portal.dates import now
    from tests.sessions import session_row, set_session_times

    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    assert _budget_page_opens(client, user)  # the first page adds the form token: a write
    recent = (now() - dt.timedelta(seconds=30)).replace(microsecond=0)
    set_session_times(client, last_seen=recent)
    assert _budget_page_opens(client, user)
    assert session_row(client).last_seen_at.replace(tzinfo=None) == recent.replace(tzinfo=None)
    set_session_times(client, last_seen=recent - dt.timedelta(seconds=31))
    assert _budget_page_opens(client, user)
    assert session_row(client).last_seen_at.replace(tzinfo=None) > recent.replace(tzinfo=None)


def dt_seconds(n: int):
    import datetime as dt

    return dt.timedelta(seconds=n)


def test_password_reset_link_works_once(client, db, app):
    from portal.access.service import make_reset_token

    user = f.make_user(Role.BUDGETHOUDER)
    with app.test_request_context():
        token = make_reset_token(user)
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 200
    response = client.post(f"/wachtwoord-herstellen/{token}",
                           data={"password": "een-nieuw-wachtwoord", "repeat": "een-nieuw-wachtwoord"})
    assert response.status_code == 302
    # Used once: the link no longer works, and the new password does.
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 404
    ok = client.post("/inloggen", data={"email": user.email, "password": "een-nieuw-wachtwoord"})
    assert ok.status_code == 302


def test_password_reset_refuses_short_or_different_passwords_and_keeps_the_old_one(client, db, app):
    from portal.access.service import make_reset_token, verify_password
    from tests.factories import PASSWORD

    user = f.make_user(Role.BUDGETHOUDER)
    with app.test_request_context():
        token = make_reset_token(user)
    response = client.post(f"/wachtwoord-herstellen/{token}",
                           data={"password": "kort", "repeat": "anders"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "minstens 10 tekens" in html and "niet gelijk" in html
    assert verify_password(user, PASSWORD)


def test_expired_or_forged_reset_link_is_refused(client, db, app, travel):
    import datetime as dt

    from portal.access import service
    from portal.dates import now as real_now

    user = f.make_user(Role.BUDGETHOUDER)
    with app.test_request_context():
        token = service.make_reset_token(user)
    db.session.commit()  # a 404 rolls its request back: the user must stay for the next one
    assert client.get(f"/wachtwoord-herstellen/{token}x").status_code == 404
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 200
    travel(real_now() + dt.timedelta(hours=1, seconds=2))
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 404


def test_forgot_password_answers_the_same_for_unknown_addresses(client, db, caplog):
    user = f.make_user(Role.BUDGETHOUDER)
    known = client.post("/wachtwoord-vergeten", data={"email": user.email})
    unknown = client.post("/wachtwoord-vergeten", data={"email": "onbekend@example.nl"})
    assert known.status_code == unknown.status_code == 302
    assert "wachtwoord-herstellen/" in caplog.text
    assert caplog.text.count("wachtwoord-herstellen/") == 1
