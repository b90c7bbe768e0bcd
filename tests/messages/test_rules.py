"""portal.messages.rules: day groups, the one-line summary, an agreement's human title."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from portal.dates import TZ
from portal.messages import rules

TODAY = dt.date(2026, 6, 15)


def at(day: int, hour: int) -> SimpleNamespace:
    return SimpleNamespace(created_at=dt.datetime(2026, 6, day, hour, 0, tzinfo=TZ))


def test_groups_are_today_yesterday_then_dates_in_the_given_order():
    messages = [at(15, 11), at(15, 9), at(14, 23), at(3, 8)]
    groups = rules.group_by_day(messages, TODAY)
    assert [g.label for g in groups] == ["Vandaag", "Gisteren", "3 juni 2026"]
    assert [len(g.messages) for g in groups] == [2, 1, 1]


def test_the_day_is_the_dutch_day_not_utcs():
    late = SimpleNamespace(created_at=dt.datetime(2026, 6, 14, 22, 30, tzinfo=dt.UTC))
    assert rules.local_day(late.created_at) == TODAY  # 00:30 in Amsterdam
    assert rules.clock_time(late.created_at) == "00:30"


def test_summary_is_the_first_sentence_on_one_line_cut_at_a_word():
    assert rules.summary("Het urenbriefje\nis klaar. Kijk snel.") == "Het urenbriefje is klaar."
    long = "woord " * 40
    cut = rules.summary(long, 30)
    assert cut.endswith("...") and len(cut) <= 33 and "  " not in cut
    assert rules.summary("") == ""


def test_agreement_title_names_person_provider_and_law_once():
    from portal.agreements.titles import care_title

    assert care_title(["Daan", "Daan"], "Youssef El Amrani", ["Jeugdwet"]) == \
        "Zorg voor Daan door Youssef El Amrani (Jeugdwet)"
    assert care_title(["Anna", "Daan"], "De Linde", ["Wmo 2015", "Jeugdwet"]) == \
        "Zorg voor Anna en Daan door De Linde (Wmo 2015, Jeugdwet)"
    assert care_title([], "De Linde", []) == "Zorg door De Linde"
