"""portal.pagination: which page of a long list is shown (the office's logins, the access log)."""

from __future__ import annotations

import pytest

from portal.pagination import Page, page_number, paginate


def test_page_number_is_a_positive_whole_number_or_the_first_page():
    assert [page_number(t) for t in ("3", " 2 ", None, "", "0", "-1", "x", "9" * 7)] == \
        [3, 2, 1, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("total, requested, shown, offset", [
    (0, 1, Page(page=1, pages=1, total=0), 0),
    (25, 1, Page(page=1, pages=1, total=25), 0),
    (26, 2, Page(page=2, pages=2, total=26), 25),
    (26, 99, Page(page=2, pages=2, total=26), 25),  # beyond the end: the last page
    (26, -4, Page(page=1, pages=2, total=26), 0),
])
def test_paginate_keeps_the_page_between_the_first_and_the_last(total, requested, shown, offset):
    assert paginate(total, requested, 25) == (shown, offset)


def test_a_page_knows_its_neighbours():
    first, middle, last = Page(1, 3, 70), Page(2, 3, 70), Page(3, 3, 70)
    assert (first.has_previous, first.has_next, first.next_page) == (False, True, 2)
    assert (middle.previous_page, middle.next_page) == (1, 3)
    assert (last.has_previous, last.has_next, last.previous_page) == (True, False, 2)
