"""Berichten: the inbox, one message (marks it read), mark all read, the count in the header."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.dates import TZ
from portal.messages.models import Message
from tests import factories as f

AT = dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def message(user, subject: str, minutes: int = 0, read: bool = False, body: str = "") -> Message:
    return f.add(Message(user_id=user.id, kind="test", subject=subject, body=body,
                         created_at=AT + dt.timedelta(minutes=minutes),
                         read_at=AT if read else None))


def unread(db, user) -> int:
    return db.session.scalar(select(func.count(Message.id)).where(
        Message.user_id == user.id, Message.read_at.is_(None)))


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_an_inbox(client, login, db, role):
    user = f.make_user(role)
    message(user, "Welkom in het portaal")
    login(user)
    response = client.get("/berichten")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Berichten</h1>" in html and "Welkom in het portaal" in html


def test_inbox_needs_login(client):
    response = client.get("/berichten")
    assert response.status_code == 302 and "/inloggen" in response.location


def test_inbox_lists_newest_first_and_marks_unread_with_text(client, login, db):
    anna, other = f.make_user(), f.make_user()
    message(anna, "Eerste bericht", 1, read=True)
    message(anna, "Tweede bericht", 2)
    message(other, "Bericht van een ander", 3)
    login(anna)
    html = client.get("/berichten").get_data(as_text=True)
    assert html.index("Tweede bericht") < html.index("Eerste bericht")
    assert "Bericht van een ander" not in html
    assert html.count("Nieuw<span class=\"visually-hidden\">, ongelezen</span>") == 1
    assert "U heeft 1 ongelezen bericht." in html


def test_empty_inbox_says_so(client, login, db):
    login(f.make_user())
    html = client.get("/berichten").get_data(as_text=True)
    assert "U heeft nog geen berichten." in html


def test_header_shows_the_unread_count_on_every_page(client, login, db):
    anna = f.make_user()
    message(anna, "a", 1)
    message(anna, "b", 2)
    message(anna, "c", 3, read=True)
    login(anna)
    html = client.get("/berichten").get_data(as_text=True)
    assert re.search(r'class="utrecht-link unread-link" href="/berichten">Berichten <span aria-hidden="true">\(2\)'
                     r'</span><span class="visually-hidden">\(2 ongelezen\)</span></a>', html)
    other_page = client.get("/start", follow_redirects=True).get_data(as_text=True)
    assert '<span class="visually-hidden">(2 ongelezen)</span>' in other_page


def test_header_has_no_count_when_all_is_read(client, login, db):
    anna = f.make_user()
    message(anna, "c", 3, read=True)
    login(anna)
    html = client.get("/berichten").get_data(as_text=True)
    assert 'class="utrecht-link unread-link" href="/berichten">Berichten</a>' in html


def test_no_count_for_someone_not_logged_in(client):
    html = client.get("/inloggen").get_data(as_text=True)
    assert "unread-link" not in html


def test_opening_a_message_shows_it_and_marks_it_read(client, login, db):
    anna = f.make_user()
    m = message(anna, "Betaald: € 704,00", body="Regel een\nRegel twee")
    other = message(anna, "Nog ongelezen", 1)
    login(anna)
    response = client.get(f"/berichten/{m.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Betaald: € 704,00</h1>" in html and "Regel een\nRegel twee" in html
    assert unread(db, anna) == 1
    db.session.refresh(m)
    db.session.refresh(other)
    assert m.read_at is not None and other.read_at is None


def test_someone_elses_message_is_not_found_and_stays_unread(client, login, db):
    anna, other = f.make_user(), f.make_user()
    theirs = message(other, "Privé")
    login(anna)
    response = client.get(f"/berichten/{theirs.id}")
    assert response.status_code == 404
    assert "Privé" not in response.get_data(as_text=True)
    assert unread(db, other) == 1
    assert client.get(f"/berichten/{theirs.id + 1000}").status_code == 404


def test_mark_all_read_writes_and_redirects(client, login, db):
    anna, other = f.make_user(), f.make_user()
    message(anna, "a", 1)
    message(anna, "b", 2)
    message(other, "c", 3)
    login(anna)
    response = client.post("/berichten/alles-gelezen")
    assert response.status_code == 302 and response.location.endswith("/berichten")
    assert unread(db, anna) == 0 and unread(db, other) == 1
    html = client.get("/berichten").get_data(as_text=True)
    assert "Alle berichten zijn gemarkeerd als gelezen." in html
    assert "U heeft alle berichten gelezen." in html


def test_mark_all_read_is_a_post_only(client, login, db):
    anna = f.make_user()
    message(anna, "a")
    login(anna)
    assert client.get("/berichten/alles-gelezen").status_code in (404, 405)
    assert unread(db, anna) == 1


def test_mark_all_read_without_csrf_token_writes_nothing(app, client, login, db):
    anna = f.make_user()
    message(anna, "a")
    login(anna)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/berichten/alles-gelezen")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert unread(db, anna) == 1


def test_the_inbox_is_paged_and_an_old_message_is_still_reachable(client, login, db):
    """Before, the inbox showed the newest 200 and no more: the oldest were out of reach."""
    from portal.messages.service import INBOX_PAGE_SIZE

    user = f.make_user(Role.BUDGETHOUDER)
    total = 4 * INBOX_PAGE_SIZE + 10  # 210: more than the old cap of 200
    db.session.execute(Message.__table__.insert(), [
        {"user_id": user.id, "kind": "test", "subject": f"Bericht nummer {i:03d}", "body": "",
         "created_at": AT + dt.timedelta(minutes=i), "read_at": None} for i in range(total)])
    login(user)

    first = client.get("/berichten").get_data(as_text=True)
    assert first.count('class="message-item') == INBOX_PAGE_SIZE
    assert "Bericht nummer 209" in first and "Bericht nummer 159" not in first
    assert f"U heeft {total} ongelezen berichten." in first
    assert 'href="/berichten?pagina=2" rel="next"' in first

    last = client.get("/berichten?pagina=5").get_data(as_text=True)
    assert last.count('class="message-item') == 10
    assert "Bericht nummer 000" in last and "Pagina 5 van 5" in last
