"""What the agreement tests share. The page tests take TODAY as today: a module asks for it with
`pytestmark = pytest.mark.usefixtures("fixed_today")`. A module that builds its data with a
`World` class (households, providers, logins) gets a fresh one as the `w` fixture; `count` and
`text` are imported from here."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.extensions import db as _db

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def fixed_today(today_is):
    """The agreement pages, and every view's household check, take TODAY as today."""
    today_is(TODAY)


@pytest.fixture
def w(request, db):
    """A fresh World of the test's own module (each module builds the world it needs)."""
    return request.module.World()


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def text(response) -> str:
    """The page, with Babel's non-breaking spaces as plain spaces (easier to assert on)."""
    return response.get_data(as_text=True).replace("\xa0", " ")
