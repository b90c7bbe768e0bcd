"""What a check page showed, as a token the final POST carries back: signing or deciding acts
on exactly the version that was checked, or not at all.

The token is the version's id and a digest of its content (period, lines with tariffs and
hours, account, the provider's details, the review round). `agreements.service._check_step`
compares it under the version's row lock; a difference is refused with `check_checked`.

Pure: no Flask, no session (the caller hands in the rows)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from portal.refusals import Refusal

VERSION_CHANGED = "version_changed"


def checked_token(version: Any, lines: Iterable[Any], provider: Any) -> str:
    """`<version id>-<digest>` of what a check page shows of a version."""
    parts = [
        version.number, version.review_round or 0, version.starts_on, version.ends_on,
        str(version.end_kind), version.days_per_week, version.iban or "", bool(version.top_up),
        version.notice_months, provider.name, provider.email or "", provider.kvk or "",
        provider.agb or "",
        *sorted((ln.grant_id, str(ln.care_kind), str(ln.unit), ln.tariff_cents,
                 ln.weekly_quantity, ln.budget_tariff_cents or 0) for ln in lines),
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
    return f"{version.id}-{digest}"


def check_checked(seen: str | None, current: str) -> list[Refusal]:
    """The final step acts only on what was checked: the same version, unchanged."""
    if seen == current:
        return []
    return [Refusal(VERSION_CHANGED, "De overeenkomst is veranderd nadat u hem controleerde. "
                    "Er is niets gedaan. Controleer de overeenkomst hieronder opnieuw.")]
