"""The funder's review of an agreement version: the reason a refusal needs, which funders
decide, and the outcome of their decisions.

Pure: no Flask, no session."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from portal.agreements.constants import (
    ReviewDecision,
    VersionStatus,
)
from portal.refusals import Refusal

MIN_REASON_WORDS = 3


MIN_REASON_CHARS = 15


# The two answers a consulent's form posts as `decision`: approve (True) or refuse (False).
DECISIONS = {"goedkeuren": True, "afkeuren": False}
NO_DECISION = "Kies 'Goedkeuren' of 'Afkeuren'."


def parse_decision(posted: str | None) -> bool | None:
    """The decision a review form posted (True: approve, False: refuse), None: neither."""
    return DECISIONS.get(posted or "")


def check_review(approve: bool, reason: str | None) -> list[Refusal]:
    """A rejection needs a reason the budget holder can act on: a few words at least."""
    if approve:
        return []
    text = (reason or "").strip()
    if len(text.split()) < MIN_REASON_WORDS or len(text) < MIN_REASON_CHARS:
        return [Refusal("rejection_reason_too_short", "Schrijf bij een afkeuring wat er niet "
                        "goed is en wat de budgethouder moet aanpassen (minstens een paar woorden).",
                        "reason")]
    return []


def check_provider_known(known: bool) -> list[Refusal]:
    """A new agreement only with a provider the household knows: one registered for it, found
    by the IBAN or KvK number it typed, or one it had an agreement with. Any other provider id
    is refused like one that does not exist (the refusal does not tell which)."""
    if known:
        return []
    return [Refusal("provider_unknown", "Deze zorgverlener is bij u nog niet bekend. Voeg de "
                    "zorgverlener toe met naam en IBAN (een zorginstelling met KvK-nummer en "
                    "AGB-code).", "provider_id")]


def check_funder_decision(funder_id: int | None, concerned: Collection[int],
                          decided: Collection[int]) -> list[Refusal]:
    """A funder decides only on a version it helps pay, and only once per review round."""
    if funder_id is None or funder_id not in concerned:
        return [Refusal("funder_not_concerned", "Deze overeenkomst wordt niet betaald uit een "
                        "budget van uw organisatie. U hoeft er niet over te beslissen.")]
    if funder_id in decided:
        return [Refusal("funder_already_decided", "Uw organisatie heeft al over deze versie "
                        "besloten. De andere financiers die meebetalen, beslissen nu nog. Is "
                        "uw besluit niet goed? Neem dan contact op met de budgethouder.")]
    return []


def review_outcome(concerned: Collection[int],
                   decisions: Mapping[int, ReviewDecision | str]) -> VersionStatus:
    """What the funders' decisions (funder id -> decision) make of a version under review.

    Each funder decides for its own budgets: one refusal refuses the version; it is approved
    only when every funder concerned approved; until then it stays ter beoordeling. A decision
    of a funder that has no line in the version does not count.
    """
    relevant = {f: ReviewDecision(d) for f, d in decisions.items() if f in concerned}
    if ReviewDecision.AFGEKEURD in relevant.values():
        return VersionStatus.AFGEKEURD
    if concerned and all(relevant.get(f) == ReviewDecision.GOEDGEKEURD for f in concerned):
        return VersionStatus.GOEDGEKEURD
    return VersionStatus.TER_BEOORDELING
