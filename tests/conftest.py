"""Test fixtures: one app per session on SQLite (default) or PostgreSQL.

PORTAL_TEST_DATABASE_URL=postgresql+psycopg://... runs the same suite on PostgreSQL (an empty
database of its own: the schema is made by the migrations, like in production).

- `db`: each test runs inside a transaction that is rolled back at the end; services and
  requests commit into a savepoint, so tests never see each other's data.
- `committing_db`: for the few tests that need real commits across connections (parallel
  approvals, an interrupted payment run); every table is emptied afterwards (the append-only
  triggers of the history tables set aside for that, in the same transaction).
- `demo_db`: like `db`, on a database with the demo seeded once per session (demo_app);
  `paper_app`: an app on a second one with every household on paper, for paper-run.
- `today_is` / `travel`: the clock moved for one test (time-machine).

Under pytest-xdist every worker has its own databases (PostgreSQL: the name plus the worker id).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from portal import create_app
from portal.dates import TZ
from portal.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "").strip()

# The day the demo databases are seeded for (tests/paper, payments): the demo is loaded once per
# test session (per xdist worker) into a database of its own, and each test reads and changes
# it inside a transaction that is rolled back, as with `db`.
DEMO_DAY = dt.date(2026, 11, 25)

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PORTAL_ARGON2_FAST": True,
    "SERVER_NAME": "portal.test",
}


def _admin_sql(url: str, statement: str) -> None:
    """Run `statement` (CREATE/DROP DATABASE) on the PostgreSQL server of `url`."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(statement)


def _database_name(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database


def _sibling_url(url: str, suffix: str) -> str:
    """The URL of a database next to `url`'s, named after it plus `suffix`."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(
        hide_password=False)


@contextlib.contextmanager
def postgres_database(url: str, template: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of this test session (made afresh, dropped afterwards)."""
    name = _database_name(url)
    _admin_sql(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin_sql(url, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    # A test database need not wait for the disk at each commit (the committing tests, the
    # demo's seeding): nothing in it has to survive a crash of the server.
    _admin_sql(url, f"ALTER DATABASE {name} SET synchronous_commit TO off")
    try:
        yield url
    finally:
        _admin_sql(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def national_wlz_maxima_of_test_years(monkeypatch):
    """The national Wlz maxima table in code ends before the years most tests play in (2025,
    2026), and a year without national maxima refuses every Wlz tariff (issue 16, finding 6).
    Tests get 2024's figures for 2025 and 2026 as test figures; 2027 stays without, for the
    tests of that refusal."""
    from portal.agreements import tariffs

    extra = tuple(dataclasses.replace(row, year=year) for row in tariffs.NATIONAL
                  if row.year == 2024 for year in (2025, 2026))
    monkeypatch.setattr(tariffs, "NATIONAL", tariffs.NATIONAL + extra)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """SQLite in a temporary folder, or PORTAL_TEST_DATABASE_URL. Under pytest-xdist each
    worker has a PostgreSQL database of its own: that name plus the worker id (gw0, gw1),
    made here and dropped afterwards."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield TEST_DATABASE_URL
        return
    with postgres_database(_sibling_url(TEST_DATABASE_URL, worker)) as url:
        yield url


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


def make_test_app(database_url: str, instance: Path):
    app = create_app(config={**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url},
                     environ={"PORTAL_INSTANCE_DIR": str(instance)})
    app.test_client_class = FreshUserClient
    return app


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        from portal.migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@contextlib.contextmanager
def copy_of_database(app, url: str) -> Iterator[str]:
    """A copy of `app`'s database (its schema, made by the migrations, and its rows) at `url`:
    SQLite copies the file, PostgreSQL makes it with CREATE DATABASE ... TEMPLATE."""
    with app.app_context():
        source = _db.engine.url
        _db.engine.dispose()  # a template database must have no other connections
    if source.get_backend_name() == "sqlite":
        import sqlite3

        with sqlite3.connect(source.database) as src, sqlite3.connect(
                url.removeprefix("sqlite:///")) as dst:
            src.backup(dst)
        yield url
        return
    with postgres_database(url, template=source.database):
        yield url


@contextlib.contextmanager
def demo_app_of(app, url: str, instance: Path, *, on_paper: bool = False,
                day: dt.date = DEMO_DAY) -> Iterator:
    """An app on a copy of `app`'s (migrated, empty) database at `url`, with the demo seeded
    for `day` (DEMO_DAY unless told) and committed; on_paper: every household works on paper."""
    from sqlalchemy import update

    from portal.budgets.models import Household
    from portal.database import transaction
    from portal.demo.seed import seed_demo

    with copy_of_database(app, url):
        demo_app = make_test_app(url, instance)
        with demo_app.app_context():
            with transaction():
                seed_demo(day)
                if on_paper:
                    _db.session.execute(update(Household).values(works_on_paper=True))
            _db.session.remove()
        try:
            yield demo_app
        finally:
            with demo_app.app_context():
                _db.session.remove()
                _db.engine.dispose()


@pytest.fixture(scope="session")
def demo_app(app, database_url, tmp_path_factory):
    """The demo (seeded once, for DEMO_DAY) in a database of its own, and an app on it."""
    folder = tmp_path_factory.mktemp("demo")
    url = (_sibling_url(database_url, "demo") if database_url.startswith("postgresql")
           else f"sqlite:///{folder / 'demo.sqlite3'}")
    with demo_app_of(app, url, folder) as made:
        yield made


@pytest.fixture(scope="session")
def demo_engine(demo_app):
    with demo_app.app_context():
        return _db.engine


@pytest.fixture(scope="session")
def paper_app(app, database_url, tmp_path_factory):
    """The demo with every household on paper, committed in a database of its own, and an app
    on it: for paper-run, whose workers read the database from connections of their own.
    paper-run only reads the database, so one for the whole session does."""
    folder = tmp_path_factory.mktemp("paper")
    url = (_sibling_url(database_url, "paper") if database_url.startswith("postgresql")
           else f"sqlite:///{folder / 'paper.sqlite3'}")
    with demo_app_of(app, url, folder, on_paper=True) as made:
        yield made


class FreshUserClient(FlaskClient):
    """The test client, but each request finds its user from its own session cookie.

    The `db` fixture keeps one app context for the whole test, and Flask reuses it for every
    request, so `g` (where Flask-Login keeps the current user) would survive from one request
    to the next, even from one client to another. A real server starts every request afresh.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@contextlib.contextmanager
def rolled_back(engine) -> Iterator[None]:
    """_db.session on one connection of `engine`, inside a transaction rolled back at the end;
    services and requests commit into a savepoint."""
    connection = engine.connect()
    outer = connection.begin()
    original = _db.session
    # A plain Session bound to the test's connection (Flask-SQLAlchemy's own Session
    # would pick the engine again and escape the outer transaction).
    _db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=original.registry.scopefunc,
    )
    try:
        yield
    finally:
        _db.session.remove()
        _db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def db(app):
    """The database inside a transaction rolled back at the end of the test."""
    with app.app_context(), rolled_back(_db.engine):
        yield _db


@pytest.fixture
def demo_db(db, demo_engine):
    """Like `db`, but on the demo's database (seeded for DEMO_DAY): the test's session, its
    requests and the services all read and write the demo, rolled back at the end."""
    with rolled_back(demo_engine):
        yield _db


def _user_triggers(conn) -> list[tuple[str, str, str]]:
    """(name, table, CREATE statement) of every trigger the migrations made."""
    if conn.dialect.name == "postgresql":
        return [tuple(row) for row in conn.execute(text(
            "SELECT quote_ident(tgname), tgrelid::regclass::text, pg_get_triggerdef(oid) "
            "FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"))]
    return [tuple(row) for row in conn.execute(text(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))]


def empty_all_tables() -> None:
    """Empty every table, in one transaction. The history tables refuse DELETE (append-only
    triggers, migration 98e5e8ff2172), so every trigger is dropped for the DELETEs and created
    again, as the database had it, in the same transaction: no other connection ever sees a
    table without its triggers."""
    with _db.engine.begin() as conn:
        triggers = _user_triggers(conn)
        for name, table, _ in triggers:
            on = f" ON {table}" if conn.dialect.name == "postgresql" else ""
            conn.exec_driver_sql(f"DROP TRIGGER {name}{on}")
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))
        for _, _, create in triggers:
            conn.exec_driver_sql(create)


@pytest.fixture
def committing_db(app):
    """The real database: what the test commits is committed. Emptied afterwards."""
    with app.app_context():
        _db.session.remove()
        try:
            yield _db
        finally:
            _db.session.remove()
            empty_all_tables()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def travel(time_machine):
    """travel(moment): for the rest of this test the clock reads `moment` and runs on from
    there (a date: noon that day in Amsterdam). time-machine moves the clock itself
    (datetime.now, date.today, time.time), so portal.dates.now/today - the portal's one clock -
    and everything else that reads the time follow, however they imported it."""

    def _travel(moment: dt.date | dt.datetime) -> None:
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(12), TZ)
        time_machine.move_to(moment, tick=True)

    return _travel


@pytest.fixture
def today_is(travel):
    """today_is(day): the pages, the services and the models take `day` as today, for this
    test (the clock is moved to noon that day and runs on)."""

    def _today_is(day: dt.date, *_modules: str) -> None:
        # Module names (the old fixture patched each view module) are not needed any more.
        travel(day)

    return _today_is


def log_in_client(test_client, user, password: str | None = None):
    """Log `test_client` in as `user` through the real form (and the second step, with a code
    from the "app", for a role that needs it). For a second browser next to `client`."""
    from portal.access.constants import TWO_STEP_ROLES
    from tests.factories import PASSWORD

    if user.role in TWO_STEP_ROLES and not user.totp_secret:
        # A test user of a two-step role gets an app (secret) before logging in.
        import pyotp

        user.totp_secret = pyotp.random_base32()
        _db.session.flush()
    response = test_client.post("/inloggen", data={"email": user.email,
                                                   "password": password or PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/inloggen/code"):
        # Second step: the current code from the "app" (pyotp).
        response = test_client.post("/inloggen/code", data={"code": _unused_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def login(client):
    """login(user, password=factories.PASSWORD) logs the test client in through the real form."""

    def _login(user, password: str | None = None):
        return log_in_client(client, user, password)

    return _login


def _unused_code(user) -> str:
    """A valid TOTP code the portal has not seen yet (a code works once), for the user."""
    import pyotp

    from portal.access.rules import TOTP_VALID_WINDOW, totp_step
    from portal.dates import now

    _db.session.refresh(user)
    current = totp_step(now())
    last = user.totp_last_step
    for step in range(current, current + TOTP_VALID_WINDOW + 1):
        if last is None or step > last:
            return pyotp.TOTP(user.totp_secret).at(step * 30)
    # Logged in more often than the window allows: forget the last used step (tests only).
    user.totp_last_step = None
    _db.session.flush()
    return pyotp.TOTP(user.totp_secret).at(current * 30)
