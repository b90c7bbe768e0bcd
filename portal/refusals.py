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


ALREADY_DONE = "already_done"


class AlreadyDone(Refused):
    """The state change asked for has already happened: the second of two identical requests
    (a double click, a request sent twice at the same moment). Nothing was written; the page
    shows it as a notice with the current state, never as an error.

    Raised only by the transition homes, after they decided under the object's row lock
    (claims.service._transition, agreements.service._check_step, ...)."""

    def __init__(self, state: str = "", *, subject_id: int | None = None):
        self.state = state
        self.subject_id = subject_id  # the item that is already done, when the caller has none
        message = "Dit is al gedaan."
        if state:
            message = f"{message} {state}"
        super().__init__(Refusal(ALREADY_DONE, message))

    @property
    def message(self) -> str:
        return self.refusals[0].message
