"""Sessions on the server: the user_sessions rows behind portal.access.sessions (found by
the hash of the cookie's token, stored, ended, listed on 'Waar bent u ingelogd', purged)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update

from portal.access.audit import as_local, record, stored_timezone
from portal.access.models import User, UserSession
from portal.database import rowcount
from portal.dates import TZ
from portal.dates import now as dates_now
from portal.extensions import db
from portal.refusals import Refusal, Refused

SESSION_KEPT_AFTER_END = dt.timedelta(days=30)


def hash_session_token(token: str) -> str:
    """What the database keeps of a session cookie: its SHA-256 (the token has 256 random bits,
    so no salt or slow hash is needed, and a copy of the table opens no session)."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_session(token: str) -> UserSession | None:
    return db.session.scalar(select(UserSession)
                             .where(UserSession.token_hash == hash_session_token(token)))


def start_session(token: str, *, user_id: int | None, data: str, device: str,
                  now: dt.datetime) -> UserSession:
    row = UserSession(token_hash=hash_session_token(token), user_id=user_id, data=data,
                      device=device, created_at=now, last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def session_data_for_update(session_id: int) -> str | None:
    """A live session's stored data, its row locked until the save commits (PostgreSQL; on
    SQLite the write transaction already serialises the saves)."""
    return db.session.scalar(select(UserSession.data).where(UserSession.id == session_id)
                             .with_for_update())


def store_session(session_id: int, data: str | None, now: dt.datetime) -> bool:
    """Write a live session's data (None: only 'last seen'); False when it ended meanwhile."""
    values: dict = {"last_seen_at": now}
    if data is not None:
        values["data"] = data
    return rowcount(db.session.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(**values).execution_options(synchronize_session=False))) == 1


def end_session(session_id: int, reason: str, now: dt.datetime | None = None) -> bool:
    """End one session (if it still lives): every copy of its cookie gets the login page."""
    return rowcount(db.session.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=now or dates_now(), ended_reason=reason)
        .execution_options(synchronize_session=False))) == 1


def end_sessions(user_id: int, reason: str, *, keep: int | None = None,
                 now: dt.datetime | None = None) -> int:
    """End every live session of a login (but `keep`): logout everywhere, a new password, a
    login turned off. How many ended."""
    condition = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep)
    return rowcount(db.session.execute(
        update(UserSession).where(*condition)
        .values(ended_at=now or dates_now(), ended_reason=reason)
        .execution_options(synchronize_session=False)))


@dataclass(frozen=True)
class ActiveSession:
    """A session as 'Waar bent u ingelogd' shows it (moments in Europe/Amsterdam)."""

    id: int
    device: str
    started: dt.datetime
    last_seen: dt.datetime
    current: bool


def active_sessions(user: User, *, current_id: int | None, now: dt.datetime,
                    idle: dt.timedelta, max_age: dt.timedelta) -> list[ActiveSession]:
    """The login's sessions that still live, the most recently used first. One query."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
               UserSession.last_seen_at >= now - idle, UserSession.created_at >= now - max_age)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).all()
    stored = stored_timezone() if rows else TZ
    return [ActiveSession(r.id, r.device, as_local(r.created_at, stored),
                          as_local(r.last_seen_at, stored), r.id == current_id) for r in rows]


SESSION_GONE = Refusal("session_gone", "Deze sessie is al beëindigd. U hoeft niets te doen.")


def end_own_session(user: User, session_id: int, *, now: dt.datetime) -> None:
    """The user ends one of their own sessions ('Waar bent u ingelogd'). Someone else's, or an
    unknown one, is refused as not allowed (the edge answers 404). Audit-logged."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise Refused(Refusal("not_allowed", "Deze sessie bestaat niet."))
    if not end_session(row.id, "ended_by_user", now):
        raise Refused(SESSION_GONE)
    record("session_ended", actor=user, household_id=user.household_id,
           object_type="session", object_id=row.id,
           summary=f"Uitgelogd op een apparaat ({row.device})")


def end_sessions_everywhere(user: User, *, keep: int | None, now: dt.datetime) -> int:
    """'Overal uitloggen': every session of the user but `keep` (None: this one too) ends.
    Audit-logged. How many ended."""
    ended = end_sessions(user.id, "ended_by_user", keep=keep, now=now)
    record("sessions_ended", actor=user, household_id=user.household_id,
           summary="Overal uitgelogd" if keep is None
           else "Uitgelogd op alle andere apparaten", detail={"ended": ended})
    return ended


def purge_sessions(now: dt.datetime, idle: dt.timedelta) -> int:
    """Remove what no longer counts: sessions of nobody (not logged in) idle longer than the
    idle limit, and every session last seen more than SESSION_KEPT_AFTER_END ago."""
    gone = or_(and_(UserSession.user_id.is_(None), UserSession.last_seen_at < now - idle),
               UserSession.last_seen_at < now - SESSION_KEPT_AFTER_END)
    return rowcount(db.session.execute(delete(UserSession).where(gone)))
