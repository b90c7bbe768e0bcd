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
    response = client.get("/start")
    assert response.status_code == 200
    assert "Anna Jansen" in response.get_data(as_text=True)
