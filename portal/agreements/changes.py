"""Changing an approved agreement: what counts as a change, an extension, or one that needs the
funder again, and who may change from which day.

Pure: no Flask, no session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from portal.agreements.constants import (
    EndKind,
)
from portal.agreements.costs import CostLine
from portal.dates import (
    add_months,
    first_of_month,
    format_day,
)
from portal.refusals import Refusal


class TermsLine(CostLine, Protocol):
    """A line as VersionTerms compares it (an AgreementLine row or a draft's line): what the
    cost rules read, and its kind of care."""

    @property
    def care_kind(self) -> str: ...


@dataclass(frozen=True)
class VersionTerms:
    """What a version agrees on, to compare two versions."""

    ends_on: dt.date | None
    end_kind: EndKind
    days_per_week: int
    top_up: bool
    lines: frozenset[tuple[int, str, str, int, int]]

    @classmethod
    def of(cls, *, ends_on: dt.date | None, end_kind: str, days_per_week: int, top_up: bool,
           lines: Iterable[TermsLine]) -> VersionTerms:
        return cls(ends_on, EndKind(end_kind), days_per_week, bool(top_up), frozenset(
            (ln.grant_id, str(ln.care_kind), str(ln.unit), ln.tariff_cents, ln.weekly_quantity)
            for ln in lines))


def is_extension(old: VersionTerms, new: VersionTerms) -> bool:
    """Only a later end date, or no end date any more; the work and tariffs stay the same."""
    if (old.lines, old.days_per_week, old.top_up) != (new.lines, new.days_per_week, new.top_up):
        return False
    if old.ends_on is None:
        return False  # nothing to extend
    if new.end_kind == EndKind.GEEN and old.end_kind == EndKind.EINDDATUM:
        return new.ends_on is None
    return (new.end_kind == old.end_kind and new.end_kind != EndKind.GEEN
            and (new.ends_on is None or new.ends_on > old.ends_on))


def needs_new_approval(old: VersionTerms, new: VersionTerms) -> bool:
    """An extension needs no new approval; a change in the work or the tariff does."""
    return not is_extension(old, new)


def check_something_changed(old: VersionTerms, new: VersionTerms) -> list[Refusal]:
    """A change (new version) changes something: the hours, a tariff, a kind of care or the end."""
    if old == new:
        return [Refusal("change_nothing", "Er is niets gewijzigd. Pas de uren, tarieven, "
                        "zorgsoorten of einddatum aan.")]
    return []


NOT_ALLOWED = Refusal("not_allowed", "U mag dit niet doen voor dit huishouden. Vraag de "
                      "budgethouder om een machtiging met 'bekijken en handelen'.")


AGREEMENT_ENDED = Refusal("agreement_ended", "Deze overeenkomst is beëindigd. Maak een nieuwe "
                          "overeenkomst als de zorgverlener weer zorg gaat geven.")


def check_may_change(*, holder: bool, ended: bool, approved: bool,
                     change_open: bool) -> list[Refusal]:
    """May a change to an agreement start now? Only by (someone acting for) the budget holder,
    of an agreement that is not ended, has an approved version and has no change open."""
    refusals = []
    if not holder:
        refusals.append(NOT_ALLOWED)
    if ended:
        refusals.append(AGREEMENT_ENDED)
    elif not approved:
        refusals.append(Refusal("no_approved_version", "Er is nog geen goedgekeurde versie om te "
                                "wijzigen. Pas het concept aan."))
    if change_open:
        refusals.append(Refusal("change_in_progress", "Er loopt al een wijziging. Rond die eerst "
                                "af of pas die aan."))
    return refusals


def check_change_start(base_starts_on: dt.date, base_ends_on: dt.date | None,
                       starts_on: dt.date | None, today: dt.date) -> list[Refusal]:
    """A change (new version) starts on the first day of a month, after the version it changes,
    not in a month that is over, and without a gap after the current version."""
    refusals: list[Refusal] = []
    if starts_on is None:
        return refusals  # check_period says so
    if starts_on.day != 1:
        refusals.append(Refusal("change_not_first_of_month", "Een wijziging gaat in op de eerste "
                                "dag van een maand. Kies bijvoorbeeld "
                                f"{format_day(first_of_month(add_months(starts_on, 1)))}.",
                                "starts_on"))
    if starts_on < first_of_month(today):
        refusals.append(Refusal("change_in_past", "Een wijziging kan niet ingaan in een maand die "
                                "al voorbij is. Kies deze maand of een latere.", "starts_on"))
    if starts_on <= base_starts_on:
        refusals.append(Refusal("change_before_current", "De wijziging moet ingaan na de "
                                f"begindatum van de huidige versie ({format_day(base_starts_on)}).",
                                "starts_on"))
    if base_ends_on is not None and starts_on > base_ends_on + dt.timedelta(days=1):
        refusals.append(Refusal("change_leaves_gap", "De huidige versie loopt af op "
                                f"{format_day(base_ends_on)}. Laat de wijziging uiterlijk de dag "
                                "erna ingaan.", "starts_on"))
    return refusals
