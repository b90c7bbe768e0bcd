"""How the portal talks to its database: transactions, SQLite behaviour, row locks.

One transaction per request or CLI command: services add and flush, the edge commits
(`commit_or_rollback`). On SQLite a write transaction starts with BEGIN IMMEDIATE, so two
writers queue instead of failing halfway; that is SQLite's equivalent of the row lock that
PostgreSQL takes with SELECT ... FOR UPDATE.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from sqlalchemy import Table, event, insert, select, text
from sqlalchemy.engine import CursorResult, Engine, Result

from portal.dates import TIMEZONE_NAME
from portal.extensions import Model, db

# The largest id a row can have: primary keys are INTEGER, 32 bits on PostgreSQL. A larger
# number (typed in an address or on the command line) is no id of ours, and would make the
# database driver fail instead of finding nothing.
MAX_ID = 2**31 - 1


def parse_id(value: str | int | None) -> int | None:
    """`value` as an id of ours - a whole number from 1 to MAX_ID, typed (digits, spaces around
    allowed) or already a number - else None: no row has that id, so the caller finds nothing,
    and the database driver is never handed a number its INTEGER column cannot hold."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


# True when the current unit of work may write. Read-only requests (GET) set it to False so
# that on SQLite they do not queue behind writers.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _postgres_connect(dbapi_connection, _record):  # pragma: no cover - trivial
            # Store and read wall-clock times in Europe/Amsterdam, as on SQLite, so a
            # 'timestamp without time zone' means the same on both databases.
            dbapi_connection.execute(f"SET TIME ZONE '{TIMEZONE_NAME}'")
            dbapi_connection.commit()

        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - trivial
        # Let SQLAlchemy (below) emit BEGIN itself instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """One unit of work outside a request (CLI command, job, test helper): commit or roll back."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


Row = TypeVar("Row")


def set_row(model: type[Row], key: Mapping[str, Any], values: Mapping[str, Any]
            ) -> tuple[Row, dict[str, Any] | None]:
    """Set `values` on the row of `model` that `key` names (a setting per key: a maximum tariff,
    an allowance's cap), or add that row. The row is locked first (SELECT ... FOR UPDATE), so
    two settings at once change it one after the other. Returns the row and what `values` were
    before (None: a new row). Flushes; the caller records and commits."""
    row = db.session.scalar(select(model).filter_by(**key).with_for_update())
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
        before = None
    else:
        before = {name: getattr(row, name) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
    db.session.flush()
    return row, before


def rowcount(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE that gave `result` changed. Session.execute() is
    typed as giving a plain Result; for these statements it is a CursorResult, which counts."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def table_of(model: type[Model]) -> Table:
    """The table a model maps, for a set-based UPDATE (`__table__` is typed as any FROM)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def one_at_a_time(name: str) -> None:
    """Let one transaction at a time past this point for `name`, until it commits or rolls
    back: for a state change that has no row of its own to lock yet (executing a payment run).
    PostgreSQL: a transaction-level advisory lock on a number made from `name`; SQLite: the
    write transaction already holds the database's write lock (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def commit_or_rollback(ok: bool) -> None:
    if ok:
        db.session.commit()
    else:
        db.session.rollback()


# --------------------------------------------------------------------------- bounded id lists

# How many ids a bulk job handles per statement (and per batch): bounded, whatever the data.
BATCH_SIZE = 2_000

def chunks(items, size: int = BATCH_SIZE) -> Iterator[list]:
    """`items` in lists of at most `size`, in order."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def id_in(column, ids):
    """`column` is one of `ids`: on PostgreSQL `column = ANY(:ids)`, ONE array parameter
    however many ids (psycopg takes at most 65,535 parameters in one statement); elsewhere an
    IN list, so give it a bounded list (`chunks`)."""
    from sqlalchemy import Integer, any_, bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    ids = sorted(set(ids))
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def bulk_insert(model, rows: list[dict]) -> None:
    """Insert many rows of `model` in a few statements. With RETURNING, SQLAlchemy sends them
    as multi-row INSERT ... VALUES (its "insertmanyvalues", 1,000 rows a statement); without
    it, psycopg's executemany runs the INSERT once per row on the server (a payment run's
    hundreds of thousands of audit lines, messages and items)."""
    if rows:
        db.session.execute(insert(model).returning(model.id), rows).all()


def expire_loaded(model, ids) -> None:
    """Expire the rows of `model` with these ids that the session holds, after a bulk UPDATE
    wrote past it, so they are read again when used."""
    wanted = set(ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model) and obj.id in wanted:
            db.session.expire(obj)
