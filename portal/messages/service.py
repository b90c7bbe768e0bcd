"""Writing messages. Adds to the session; the caller's transaction commits."""

from __future__ import annotations

from portal.extensions import db
from portal.messages.models import Message


def notify(user_ids: list[int] | set[int], kind: str, subject: str, body: str = "",
           link: str | None = None) -> list[Message]:
    messages = [Message(user_id=uid, kind=kind, subject=subject, body=body, link=link)
                for uid in sorted(set(user_ids))]
    db.session.add_all(messages)
    return messages
