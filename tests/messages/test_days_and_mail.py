"""Berichten grouped by day, with sender, title and summary; the opt-in "er wacht iets" mail
(off by default, one a day, no personal data, after the commit, through the background)."""

from __future__ import annotations

import datetime as dt
import logging
import re

from portal.access.constants import Role
from portal.budgets.constants import CareKind
from portal.claims import service as claims_service
from portal.claims.rules import LineInput
from portal.dates import TZ
from portal.messages import service, waiting
from portal.messages.models import Message
from tests import factories as f
from tests.conftest import log_in_client

JUNE_15 = dt.datetime(2026, 6, 15, 12, 0, tzinfo=TZ)
MAIL = "Subject: Er wacht iets op u in het PGB-portaal"


def message(user, subject: str, at: dt.datetime, read: bool = False, **kw) -> Message:
    return f.add(Message(user_id=user.id, kind="test", subject=subject, created_at=at,
                         read_at=at if read else None, **kw))


def section(html: str, heading: str) -> str:
    """The part of the page under one day's heading, up to the next heading."""
    start = html.index(f">{heading}</h2>")
    following = html.find("<h2", start)
    return html[start:following if following != -1 else len(html)]


def test_inbox_groups_by_day_and_the_labels_move_with_the_clock(client, login, db, travel, app):
    travel(JUNE_15)
    anna = f.make_user()
    message(anna, "Bericht van vandaag", JUNE_15.replace(hour=9))
    message(anna, "Bericht van gisteren", JUNE_15 - dt.timedelta(hours=15))
    message(anna, "Oud bericht", JUNE_15 - dt.timedelta(days=12), read=True)
    login(anna)
    html = client.get("/berichten").get_data(as_text=True)
    assert html.index(">Vandaag</h2>") < html.index(">Gisteren</h2>") \
        < html.index(">3 juni 2026</h2>")
    assert "Bericht van vandaag" in section(html, "Vandaag")
    assert "Bericht van gisteren" in section(html, "Gisteren")
    assert "Oud bericht" in section(html, "3 juni 2026")

    travel(JUNE_15 + dt.timedelta(days=1))
    next_day = app.test_client()  # a day later: a new visit, a new login
    log_in_client(next_day, anna)
    response = next_day.get("/berichten")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ">Vandaag</h2>" not in html
    assert "Bericht van vandaag" in section(html, "Gisteren")
    assert "Bericht van gisteren" in section(html, "14 juni 2026")


def test_a_message_shows_title_sender_and_summary_and_unread_in_bold_with_a_word(
        client, login, db, travel):
    travel(JUNE_15)
    anna = f.make_user()
    message(anna, "Urenbriefje wacht op uw akkoord: mei 2026", JUNE_15,
            sender="Youssef El Amrani", about="Zorg voor Daan door Youssef El Amrani (Jeugdwet)",
            body="De zorgverlener heeft het urenbriefje klaargezet. Controleer de uren.")
    message(anna, "Gelezen bericht", JUNE_15 - dt.timedelta(minutes=5), read=True)
    login(anna)
    html = client.get("/berichten").get_data(as_text=True)
    unread_item = re.search(r'<li class="message-item message-item--unread">(.*?)</li>', html,
                            re.S).group(1)
    assert "Zorg voor Daan door Youssef El Amrani (Jeugdwet)" in unread_item
    assert "van Youssef El Amrani" in unread_item
    assert "De zorgverlener heeft het urenbriefje klaargezet." in unread_item
    assert "Controleer de uren" not in unread_item  # one line: the first sentence
    assert 'Nieuw<span class="visually-hidden">, ongelezen</span>' in unread_item
    assert html.count("message-item--unread") == 1
    assert "Gelezen bericht" in html


def test_opening_a_message_marks_it_read_on_the_list(client, login, db, travel):
    travel(JUNE_15)
    anna = f.make_user()
    mine = message(anna, "Lees mij", JUNE_15)
    login(anna)
    assert "message-item--unread" in client.get("/berichten").get_data(as_text=True)
    assert client.get(f"/berichten/{mine.id}").status_code == 200
    assert "message-item--unread" not in client.get("/berichten").get_data(as_text=True)


def test_someone_elses_message_is_not_found_and_stays_unread(client, login, db, travel):
    travel(JUNE_15)
    anna, other = f.make_user(), f.make_user()
    theirs = message(other, "Niet van Anna", JUNE_15)
    login(anna)
    assert client.get(f"/berichten/{theirs.id}").status_code == 404
    assert "Niet van Anna" not in client.get("/berichten").get_data(as_text=True)
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_a_sheet_message_names_the_sender_and_the_agreement(db):
    grant = f.make_grant()
    agreement = f.make_agreement(grant, f.make_provider())
    holder = f.make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=agreement.provider_id,
                                name="Youssef El Amrani")
    claims_service.prepare_claim(
        provider_user, agreement, dt.date(2026, 3, 1),
        [LineInput(dt.date(2026, 3, 2), CareKind.INDIVIDUELE_BEGELEIDING.value, 60)],
        dt.date(2026, 4, 10))
    [sent] = service.inbox(holder.id)
    assert sent.sender == "Youssef El Amrani"
    member = db.session.get(type(grant), grant.id).member_id
    from portal.agreements.titles import first_name
    from portal.budgets.models import Member

    name = first_name(db.session.get(Member, member).name)  # family members by first name
    assert sent.about.startswith(f"Zorg voor {name} door {agreement.provider.name} (")


# ------------------------------------------------------------------ the opt-in mail


def mails(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if MAIL in r.getMessage()]


def mails_after_commit(db, caplog, user_ids) -> list[str]:
    """Write a message for `user_ids`, commit: the "er wacht iets" mails that went out."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        service.notify(user_ids, "test", "Onderwerp", "Tekst")
        db.session.commit()
    return mails(caplog)


def test_the_mail_is_off_by_default(db, caplog, travel):
    travel(JUNE_15)
    anna = f.make_user()
    assert anna.mail_when_waiting is False
    assert mails_after_commit(db, caplog, [anna.id]) == []


def test_on_sends_one_mail_a_day_without_personal_data_and_off_gets_none(db, caplog, travel):
    travel(JUNE_15)
    anna = f.make_user(name="Anna Jansen", email="anna@example.nl")
    kees = f.make_user(name="Kees Off", email="kees@example.nl")
    service.set_mail_when_waiting(anna, True)
    with caplog.at_level(logging.WARNING):
        service.notify([anna.id, kees.id], "test", "Urenbriefje van Daan", "EUR 120,00")
        assert mails(caplog) == []  # not before the commit
        db.session.commit()
        service.notify([anna.id], "test", "Nog een bericht", "Tekst")
        service.notify_many([([anna.id, kees.id], "test", "Betaling", "EUR 5,00")])
        db.session.commit()
    [mail] = mails(caplog)
    assert "to anna@example.nl" in mail and "kees@example.nl" not in mail
    text = mail.split(MAIL, 1)[1]
    for personal in ("Anna", "Jansen", "Daan", "Urenbriefje", "EUR", "120"):
        assert personal not in text
    assert "Er wacht iets op u in het PGB-portaal" in text

    travel(JUNE_15 + dt.timedelta(days=1))
    assert len(mails_after_commit(db, caplog, [anna.id, kees.id])) == 1  # a new day, a new mail

    service.set_mail_when_waiting(anna, False)
    db.session.commit()
    travel(JUNE_15 + dt.timedelta(days=2))
    assert mails_after_commit(db, caplog, [anna.id]) == []


def test_a_rollback_sends_no_mail_and_keeps_the_day(db, caplog, travel):
    travel(JUNE_15)
    anna = f.make_user()
    service.set_mail_when_waiting(anna, True)
    db.session.commit()
    with caplog.at_level(logging.WARNING):
        service.notify([anna.id], "test", "Onderwerp", "Tekst")
        db.session.rollback()
        db.session.commit()
    assert mails(caplog) == []
    assert len(mails_after_commit(db, caplog, [anna.id])) == 1


def test_with_redis_the_mail_is_a_job_on_the_queue(db, app, travel, monkeypatch):
    travel(JUNE_15)
    queued = []

    class FakeQueue:
        def __init__(self, name, connection):
            queued.append(name)

        def enqueue(self, function, *args):
            queued.append((function, args))

    import rq
    monkeypatch.setattr(rq, "Queue", FakeQueue)
    monkeypatch.setitem(app.config, "PORTAL_REDIS_URL", "redis://127.0.0.1:1/0")
    anna = f.make_user(email="anna@example.nl")
    service.set_mail_when_waiting(anna, True)
    service.notify([anna.id], "test", "Onderwerp", "Tekst")
    db.session.commit()
    assert queued == [waiting.QUEUE, (waiting.send_waiting_job, (["anna@example.nl"], None))]


def test_the_account_setting_turns_the_mail_on_and_off(client, login, db):
    anna = f.make_user()
    login(anna)
    html = client.get("/account/e-mail-bij-berichten").get_data(as_text=True)
    assert "Stuur mij een e-mail als er iets op mij wacht" in html
    assert "checked" not in html
    answer = client.post("/account/e-mail-bij-berichten", data={"mail_when_waiting": "y"})
    assert answer.status_code == 302 and answer.location.endswith("/account/e-mail-bij-berichten")
    db.session.refresh(anna)
    assert anna.mail_when_waiting is True
    html = client.get("/account/e-mail-bij-berichten").get_data(as_text=True)
    assert "U krijgt een e-mail als er iets op u wacht." in html and "checked" in html
    answer = client.post("/account/e-mail-bij-berichten", data={})
    assert answer.status_code == 302
    db.session.refresh(anna)
    assert anna.mail_when_waiting is False


def test_bulk_messages_carry_their_sender(db):
    anna = f.make_user()
    service.notify_many([([anna.id], "test", "Betaald", "EUR 5,00")], sender="Het betaalkantoor")
    [sent] = service.inbox(anna.id)
    assert (sent.subject, sent.sender, sent.about) == ("Betaald", "Het betaalkantoor", None)


def test_the_payment_office_signs_as_the_office_others_by_name(db):
    assert service.sender_name(f.make_user(Role.BEHEERDER, name="Els Kantoor")) == \
        "Het betaalkantoor"
    assert service.sender_name(f.make_user(name="Ria de Graaf")) == "Ria de Graaf"
    assert service.sender_name(None) is None
