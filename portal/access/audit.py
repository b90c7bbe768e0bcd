"""The audit log: writing an event (record, record_many), a look at a household's file
(log_access), and reading it back as the budget holder's access log (access_log), with the
moments in Europe/Amsterdam whatever the database stored (stored_timezone, as_local)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.access.permissions import budget_holder_of
from portal.database import bulk_insert
from portal.dates import TZ
from portal.dates import now as dates_now
from portal.extensions import db
from portal.pagination import Page, paginate
from portal.text import one_line

# People who reach a household's file only through its budget holder's authorisation.
HELPER_ROLES = frozenset({Role.VERTEGENWOORDIGER, Role.ADVISEUR})
# ... and whose looks at another household's file are therefore on that holder's behalf.
ON_BEHALF_ROLES = HELPER_ROLES | {Role.BUDGETHOUDER}


def record(action: str, *, actor: User | None, on_behalf_of: User | None = None,
           household_id: int | None = None, object_type: str | None = None,
           object_id: int | None = None, summary: str = "", detail: dict | None = None) -> AuditEvent:
    """Append an event to the audit log (in the caller's transaction). The summary is one
    line, whatever a name in it holds (portal.text.one_line)."""
    event = AuditEvent(action=action, actor_id=actor.id if actor else None,
                       on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
                       household_id=household_id, object_type=object_type, object_id=object_id,
                       summary=one_line(summary), detail=detail)
    db.session.add(event)
    return event


def record_many(events: list[dict]) -> None:
    """Many audit events in one bulk insert (a payment run's): each a dict of `record`'s
    keyword arguments, with actor_id / on_behalf_of_id instead of the users. Each summary is
    one line, as in `record`."""
    moment = dates_now()
    rows = [{"action": e["action"], "actor_id": e.get("actor_id"),
             "on_behalf_of_id": e.get("on_behalf_of_id"), "household_id": e.get("household_id"),
             "object_type": e.get("object_type"), "object_id": e.get("object_id"),
             "summary": one_line(e.get("summary", "")), "detail": e.get("detail"),
             "at": moment}
            for e in events]
    if rows:
        bulk_insert(AuditEvent, rows)


def log_access(actor: User | None, household_id: int, what: str, *,
               on_behalf_of: User | None = None, object_type: str | None = None,
               object_id: int | None = None, action: str = "view") -> AuditEvent | None:
    """The one way a page writes a look into the access log the budget holder reads.

    Every loader that shows a household's objects calls this with what it shows, in plain
    Dutch ("urenbriefje oktober 2026 van Marieke de Boer", see portal.describe). It
    writes nothing (returns None) for the budget holder's own look and for anonymous users;
    everyone else - representative, advisor, provider, consulent, payment office - is logged.
    A representative or advisor reaches the file only through the holder's authorisation, so
    their look is on the holder's behalf ("namens"); pass `on_behalf_of` when it is known.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.role == Role.BUDGETHOUDER and actor.household_id == household_id:
        return None
    if on_behalf_of is None and actor.role in ON_BEHALF_ROLES:
        on_behalf_of = budget_holder_of(household_id)
    return record(action, actor=actor, on_behalf_of=on_behalf_of, household_id=household_id,
                  object_type=object_type, object_id=object_id, summary=what)


LOG_PAGE_SIZE = 50


def stored_timezone() -> dt.tzinfo:
    """The time zone of naive moments read back from the database.

    Columns are 'timestamp without time zone': SQLite keeps the Amsterdam wall time the
    portal wrote; PostgreSQL converts an aware moment to its session time zone (often UTC),
    which psycopg reports on the connection.
    """
    dbapi = db.session.connection().connection.dbapi_connection
    zone = getattr(getattr(dbapi, "info", None), "timezone", None)
    return zone if isinstance(zone, dt.tzinfo) else TZ


def as_local(moment: dt.datetime, stored: dt.tzinfo = TZ) -> dt.datetime:
    """A stored moment in Europe/Amsterdam (naive values are in `stored`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=stored)
    return moment.astimezone(TZ)


@dataclass(frozen=True)
class LogEntry:
    at: dt.datetime  # Europe/Amsterdam
    actor_name: str
    actor_role: Role
    on_behalf_of_name: str | None
    action: str
    object_type: str | None
    summary: str
    detail: dict | None = None

    @property
    def who(self) -> str:
        if self.on_behalf_of_name:
            return f"{self.actor_name} namens {self.on_behalf_of_name}"
        return f"{self.actor_name} ({self.actor_role.label.lower()})"


@dataclass(frozen=True)
class LogPage(Page):
    entries: list[LogEntry]


def access_log(household_id: int, page: int = 1, per_page: int = LOG_PAGE_SIZE) -> LogPage:
    """Every audit event on the household by someone other than its budget holder, newest
    first, a page at a time. Three queries, whatever the page or the history."""
    holder_ids = select(User.id).where(User.household_id == household_id,
                                       User.role == Role.BUDGETHOUDER).scalar_subquery()
    condition = and_(AuditEvent.household_id == household_id, AuditEvent.actor_id.is_not(None),
                     AuditEvent.actor_id.not_in(holder_ids))
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(condition)) or 0
    shown, offset = paginate(total, page, per_page)
    actor = aliased(User)
    behalf = aliased(User)
    rows = db.session.execute(
        select(AuditEvent, actor.name, actor.role, behalf.name)
        .join(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(behalf, behalf.id == AuditEvent.on_behalf_of_id)
        .where(condition)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset(offset)
    ).all()
    holder = budget_holder_of(household_id) if rows else None
    stored = stored_timezone()
    entries = []
    for event, actor_name, actor_role, behalf_name in rows:
        role = Role(actor_role)
        if behalf_name is None and role in HELPER_ROLES and holder is not None:
            # A representative or advisor reaches this file only through the holder's
            # authorisation: whatever they see or do, they do on the holder's behalf.
            behalf_name = holder.name
        entries.append(LogEntry(as_local(event.at, stored), actor_name, role, behalf_name,
                                event.action, event.object_type, event.summary, event.detail))
    return LogPage(**asdict(shown), entries=entries)
