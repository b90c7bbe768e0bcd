"""portal.messages.service: inbox order, unread count, only one's own messages, marking read."""

from __future__ import annotations

import datetime as dt

from portal.access.constants import Role
from portal.dates import TZ
from portal.messages import service
from portal.messages.models import Message
from tests import factories as f

AT = dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def message(user, subject: str, minutes: int, read: bool = False) -> Message:
    return f.add(Message(user_id=user.id, kind="test", subject=subject, body="",
                         created_at=AT + dt.timedelta(minutes=minutes),
                         read_at=AT if read else None))


def test_inbox_is_newest_first_and_only_the_users_own(db):
    anna, other = f.make_user(), f.make_user(Role.ZORGVERLENER)
    message(anna, "oud", 1)
    message(anna, "nieuw", 3)
    message(anna, "midden", 2, read=True)
    message(other, "van een ander", 4)
    assert [m.subject for m in service.inbox(anna.id)] == ["nieuw", "midden", "oud"]
    assert [m.subject for m in service.inbox(other.id)] == ["van een ander"]


def test_unread_count_counts_only_unread_own_messages(db):
    anna, other = f.make_user(), f.make_user()
    assert service.unread_count(anna.id) == 0
    message(anna, "a", 1)
    message(anna, "b", 2)
    message(anna, "gelezen", 3, read=True)
    message(other, "ander", 4)
    assert service.unread_count(anna.id) == 2


def test_own_message_is_none_for_someone_elses(db):
    anna, other = f.make_user(), f.make_user()
    mine = message(anna, "mijn", 1)
    assert service.own_message(anna.id, mine.id) is mine
    assert service.own_message(other.id, mine.id) is None
    assert service.own_message(anna.id, mine.id + 1000) is None


def test_mark_read_keeps_the_first_reading(db):
    anna = f.make_user()
    m = message(anna, "a", 1)
    service.mark_read(m, AT)
    service.mark_read(m, AT + dt.timedelta(days=1))
    assert m.read_at == AT
    assert service.unread_count(anna.id) == 0


def test_mark_all_read_marks_only_the_users_unread_messages(db):
    anna, other = f.make_user(), f.make_user()
    message(anna, "a", 1)
    message(anna, "b", 2)
    earlier = message(anna, "gelezen", 3, read=True)
    theirs = message(other, "ander", 4)
    db.session.refresh(earlier)
    first_reading = earlier.read_at
    assert service.mark_all_read(anna.id, AT + dt.timedelta(hours=1)) == 2
    assert service.unread_count(anna.id) == 0
    assert service.unread_count(other.id) == 1
    db.session.refresh(earlier)
    db.session.refresh(theirs)
    assert earlier.read_at == first_reading and theirs.read_at is None
    assert service.mark_all_read(anna.id) == 0


def test_notify_writes_one_message_per_user_once(db):
    anna, other = f.make_user(), f.make_user()
    service.notify([anna.id, other.id, anna.id], "test", "Onderwerp", "Tekst")
    db.session.flush()
    assert service.unread_count(anna.id) == 1 and service.unread_count(other.id) == 1


def test_messages_are_grouped_by_day_newest_first_with_a_one_line_summary(db):
    import datetime as dt

    from portal.dates import TZ
    from portal.messages.models import Message
    from portal.messages.rules import SUMMARY_LENGTH, group_by_day, summary

    def at(day, hour):
        return Message(user_id=1, kind="t", subject="s", body="",
                       created_at=dt.datetime(2026, 3, day, hour, tzinfo=TZ))

    messages = [at(5, 9), at(5, 8), at(4, 23), at(2, 7)]
    groups = group_by_day(messages, dt.date(2026, 3, 5))
    assert [(g.day.day, len(g.messages)) for g in groups] == [(5, 2), (4, 1), (2, 1)]
    assert summary("\nEerste regel.\nTweede regel.") == "Eerste regel."
    long = summary("woord " * 60)
    assert len(long) <= SUMMARY_LENGTH + 3 and long.endswith("...")
