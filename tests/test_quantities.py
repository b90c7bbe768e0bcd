"""portal.quantities: the one grammar of typed hours and counts. No database."""

from __future__ import annotations

import pathlib
import re

import pytest

from portal import quantities as q


@pytest.mark.parametrize("text, minutes", [
    ("2:15", 135), ("2,25", 135), ("2.25", 135), ("2", 120), (" 0:45 ", 45), ("2,1", 126),
    ("", None), (None, None), ("   ", None),
])
def test_hours_become_minutes(text, minutes):
    assert q.parse_minutes(text, digits=2) == minutes


@pytest.mark.parametrize("text, code", [
    ("-1", q.NEGATIVE), ("100", q.TOO_LARGE), ("99999999999999999999", q.TOO_LARGE),
    ("2:60", q.NOT_HOURS), ("1:5", q.NOT_HOURS), ("vier", q.NOT_HOURS), ("1e3", q.NOT_HOURS),
    ("Infinity", q.NOT_HOURS), ("2,333", q.NOT_HOURS), ("2 uur", q.NOT_HOURS),
    ("2,33", q.NOT_WHOLE_MINUTES),
])
def test_what_is_no_number_of_hours_says_why(text, code):
    with pytest.raises(q.QuantityError) as info:
        q.parse_minutes(text, digits=2)
    assert info.value.code == code and isinstance(info.value, ValueError)


def test_the_screen_sets_the_digits_and_the_minutes_after_the_colon():
    assert q.parse_minutes("168:00", digits=6) == 10_080
    assert q.parse_minutes("999999", digits=6) == 999_999 * 60
    with pytest.raises(q.QuantityError, match=q.TOO_LARGE):
        q.parse_minutes("1000000", digits=6)
    assert q.parse_minutes("2:5", digits=2, one_digit_minutes=True) == 125
    with pytest.raises(q.QuantityError, match=q.NOT_HOURS):
        q.parse_minutes("2:5", digits=2)


def test_counts():
    assert q.parse_count("3", digits=2) == 3 and q.parse_count("", digits=2) is None
    for text, code in (("1,5", q.NOT_COUNT), ("1e3", q.NOT_COUNT), ("-2", q.NEGATIVE),
                       ("100", q.TOO_LARGE)):
        with pytest.raises(q.QuantityError) as info:
            q.parse_count(text, digits=2)
        assert info.value.code == code, text
    assert q.parse_count("100", digits=6) == 100


@pytest.mark.parametrize("unit, quantity, text", [
    ("uur", 135, "2:15 uur"), ("maandloon", 240, "4:00 uur"), ("dagdeel", 1, "1 dagdeel"),
    ("dagdeel", 3, "3 dagdelen"), ("etmaal", 1, "1 etmaal"), ("etmaal", 2, "2 etmalen"),
])
def test_a_quantity_in_words_has_the_right_singular_or_plural(unit, quantity, text):
    assert q.quantity_label(unit, quantity) == text
    assert q.quantity_label(unit, quantity, per_week=True) == f"{text} per week"


def test_every_screen_words_a_quantity_the_same_way():
    """Issue 10, finding 4: the agreement page said '1 dagdelen per week'; four copies of the
    wording (agreements and funders views, paper documents, the claim grid) drifted. Each
    screen now asks portal.quantities, and no module words a quantity itself."""
    from portal.claims import grid, service
    from portal.paper import documents

    assert documents.quantity_label is grid.quantity_label is service.quantity_label \
        is q.quantity_label
    portal = pathlib.Path(q.__file__).parent
    copies = [str(path.relative_to(portal)) for path in portal.rglob("*.py")
              if path.name != "quantities.py"
              and re.search(r"^(def (_quantity_text|quantity_label)\(|UNIT_NAMES = )",
                            path.read_text(encoding="utf-8"), re.M)]
    assert copies == []
