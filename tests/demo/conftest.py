"""The demo loaded on two days of the year: in the middle of it, and in January (when last
year's budgets are still being paid). Each is seeded once per test session (per xdist worker)
with the clock at that day, as `make run` on that day would, in a database of its own; each
test reads and changes it inside a transaction that is rolled back (like `demo_db`)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import time_machine

from portal.dates import TZ
from portal.extensions import db as _db
from tests.conftest import _sibling_url, demo_app_of, rolled_back

MID_YEAR = dt.date(2026, 6, 15)
JANUARY = dt.date(2027, 1, 15)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), TZ)


@pytest.fixture(scope="session", params=[MID_YEAR, JANUARY], ids=["mid-year", "january"])
def demo_day_app(request, app, database_url, tmp_path_factory):
    """(day, an app on the demo seeded on that day)."""
    day = request.param
    folder = tmp_path_factory.mktemp(f"demo-{day:%Y%m%d}")
    url = (_sibling_url(database_url, f"demo_{day:%Y%m%d}")
           if database_url.startswith("postgresql")
           else f"sqlite:///{folder / 'demo.sqlite3'}")
    with contextlib.ExitStack() as stack:
        with time_machine.travel(_noon(day), tick=True):
            made = stack.enter_context(demo_app_of(app, url, folder, day=day))
        yield day, made


@pytest.fixture
def demo_on(demo_day_app, db, travel):
    """The day the demo was loaded on, the clock at that day, and _db.session on that demo."""
    day, demo_app = demo_day_app
    with demo_app.app_context():
        engine = _db.engine
    travel(day)
    with rolled_back(engine):
        yield day
