"""What the agreement tests share. The page tests take TODAY as today: a module asks for it with
`pytestmark = pytest.mark.usefixtures("fixed_today")`."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def fixed_today(today_is):
    """The agreement pages, and every view's household check, take TODAY as today."""
    today_is(TODAY, "portal.agreements.views")
