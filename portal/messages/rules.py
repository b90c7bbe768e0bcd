"""Pure decisions of the Berichten page: the day a message belongs to, its group label, its
one-line summary, and the human title of a care agreement. No Flask, no session."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portal.dates import TZ, format_day

SUMMARY_LENGTH = 120


def local_day(moment: dt.datetime) -> dt.date:
    """The Dutch day of a moment (a stored time without zone is already Dutch time)."""
    return moment.astimezone(TZ).date() if moment.tzinfo is not None else moment.date()


def clock_time(moment: dt.datetime) -> str:
    """"09:05": the Dutch time of day of a moment."""
    local = moment.astimezone(TZ) if moment.tzinfo is not None else moment
    return f"{local:%H:%M}"


def day_label(day: dt.date, today: dt.date) -> str:
    """"Vandaag", "Gisteren", or the date ("3 juni 2026")."""
    if day == today:
        return "Vandaag"
    if day == today - dt.timedelta(days=1):
        return "Gisteren"
    return format_day(day)


@dataclass(frozen=True)
class DayGroup:
    """The messages of one day, newest first, under their label."""

    day: dt.date
    label: str
    messages: list[Any]


def group_by_day(messages: Iterable[Any], today: dt.date) -> list[DayGroup]:
    """Messages (newest first, each with `created_at`) in groups per Dutch day, in the same
    order; each day once."""
    groups: list[DayGroup] = []
    for message in messages:
        day = local_day(message.created_at)
        if not groups or groups[-1].day != day:
            groups.append(DayGroup(day, day_label(day, today), []))
        groups[-1].messages.append(message)
    return groups


def summary(body: str, length: int = SUMMARY_LENGTH) -> str:
    """The body's first sentence on one line, cut at a word with "..." when too long."""
    text = " ".join((body or "").split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if len(first) <= length:
        return first
    return first[:length].rsplit(" ", 1)[0].rstrip(",;:") + "..."
