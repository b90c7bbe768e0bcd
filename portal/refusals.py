"""The shape of every refusal in the portal: a stable code and a plain-Dutch message.

Rules return lists of Refusal; services raise Refused when a use case cannot go ahead. The
web form, the API, paper intake and the CLI all show `message`; tests assert on `code`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    field: str | None = None


class Refused(Exception):
    """A use case was refused; nothing was written. Carries every reason at once."""

    def __init__(self, refusals: list[Refusal] | Refusal):
        self.refusals = [refusals] if isinstance(refusals, Refusal) else list(refusals)
        super().__init__("; ".join(f"{r.code}: {r.message}" for r in self.refusals))

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.refusals]


def refuse_if(refusals: list[Refusal]) -> None:
    if refusals:
        raise Refused(refusals)
