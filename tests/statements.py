"""What a page or a service sends to the database, for the tests that pages read through a fixed
number of queries, whatever the size of the data (ARCHITECTURE.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event

from portal.extensions import db

SESSION_STORE = "user_sessions"


@contextlib.contextmanager
def recorded_statements(*, selects_only: bool = False) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs, on any connection of the session's engine;
    selects_only leaves out what is not a read (savepoints, writes). The session store's own
    statements (portal.access.sessions: one lookup per request, 'last seen' at most once a
    minute) are left out: they are the same for every page, not the page's reads."""
    bind = db.session.get_bind()
    engine = getattr(bind, "engine", bind)
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if SESSION_STORE in statement:
            return
        if not selects_only or statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
