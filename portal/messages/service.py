"""Writing and reading messages. Adds to the session; the caller's transaction commits.

A user only ever reads their own messages: every read function takes the user's id and
filters on it, so another user's message is simply not found (the page answers 404).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from portal.database import bulk_insert
from portal.dates import now
from portal.extensions import db
from portal.messages.models import Message
from portal.pagination import Page, paginate


def notify(user_ids: list[int] | set[int], kind: str, subject: str, body: str = "",
           link: str | None = None) -> list[Message]:
    messages = [Message(user_id=uid, kind=kind, subject=subject, body=body, link=link)
                for uid in sorted(set(user_ids))]
    db.session.add_all(messages)
    return messages


def notify_many(notes) -> None:
    """Many messages in one bulk insert (a payment run's): `notes` are (user ids, kind,
    subject, body); the same as `notify` for each, without an object per message."""
    rows = [{"user_id": uid, "kind": kind, "subject": subject, "body": body, "link": None,
             "created_at": now()}
            for user_ids, kind, subject, body in notes for uid in sorted(set(user_ids))]
    if rows:
        bulk_insert(Message, rows)


def inbox(user_id: int, limit: int = 200, offset: int = 0) -> list[Message]:
    """The user's messages, newest first (one query), `limit` from `offset`."""
    return list(db.session.scalars(
        select(Message).where(Message.user_id == user_id)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit).offset(offset)
    ).all())


INBOX_PAGE_SIZE = 50


def inbox_page(user_id: int, requested: int) -> tuple[list[Message], Page]:
    """One page of the user's messages (INBOX_PAGE_SIZE, newest first) and which page it is:
    two queries (the count on the index of user and date), however many messages there are."""
    total = int(db.session.scalar(
        select(func.count(Message.id)).where(Message.user_id == user_id)) or 0)
    shown, offset = paginate(total, requested, INBOX_PAGE_SIZE)
    return inbox(user_id, INBOX_PAGE_SIZE, offset), shown


def unread_count(user_id: int) -> int:
    """How many of the user's messages are not read yet (one query)."""
    return int(db.session.scalar(
        select(func.count(Message.id)).where(Message.user_id == user_id,
                                             Message.read_at.is_(None))) or 0)


def own_message(user_id: int, message_id: int) -> Message | None:
    """The message, when it is the user's; None otherwise (someone else's does not exist)."""
    return db.session.scalar(
        select(Message).where(Message.id == message_id, Message.user_id == user_id))


def mark_read(message: Message, at: dt.datetime | None = None) -> Message:
    """Mark one message read (the first time only: read_at keeps the first reading)."""
    if message.read_at is None:
        message.read_at = at or now()
        db.session.flush()
    return message


def mark_all_read(user_id: int, at: dt.datetime | None = None) -> int:
    """Mark all of the user's unread messages read. Returns how many were unread."""
    result = db.session.execute(
        update(Message).where(Message.user_id == user_id, Message.read_at.is_(None))
        .values(read_at=at or now()).execution_options(synchronize_session="fetch"))
    db.session.flush()
    return int(result.rowcount or 0)
