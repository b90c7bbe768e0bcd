"""The funders' pure rules: finding a funder by number or name (the command line)."""

from __future__ import annotations

import pytest

from portal.funders.rules import match_funder

FUNDERS = [(3, "Gemeente Utrecht"), (7, "Zorgkantoor Midden-Nederland"), (12, "gemeente utrecht-west")]


@pytest.mark.parametrize("text, found", [
    ("3", 3), (" 7 ", 7), ("007", 7), ("Gemeente Utrecht", 3), ("  Gemeente Utrecht ", 3),
    ("zorgkantoor midden-nederland", 7), ("GEMEENTE UTRECHT-WEST", 12),
])
def test_a_funder_by_its_number_or_exact_name(text, found):
    assert match_funder(text, FUNDERS) == (found, [])


@pytest.mark.parametrize("text", ["4", "0", "Utrecht", "Gemeente", "", None, "Gemeente Utrecht X"])
def test_anything_else_lists_the_funders_there_are(text):
    funder_id, refusals = match_funder(text, FUNDERS)
    assert funder_id is None and [r.code for r in refusals] == ["funder_unknown"]
    message = refusals[0].message
    assert "  3  Gemeente Utrecht\n  7  Zorgkantoor Midden-Nederland\n  12  gemeente utrecht-west" \
        in message


def test_two_funders_that_differ_only_in_capitals_need_the_exact_name():
    funders = [(1, "Gemeente Bergen"), (2, "gemeente bergen")]
    assert match_funder("Gemeente Bergen", funders) == (1, [])
    assert match_funder("GEMEENTE BERGEN", funders)[0] is None


def test_without_funders_it_says_there_are_none():
    _none, refusals = match_funder("3", [])
    assert "Er zijn nog geen financiers in het portaal." in refusals[0].message
