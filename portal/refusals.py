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
    """Raise the refusals, if any; a rule's repeat (code already_done, see `repeat`) as
    AlreadyDone, so every view answers it as a repeat."""
    done = next((r for r in refusals if r.code == ALREADY_DONE), None)
    if done is not None:
        raise AlreadyDone(refusal=done)
    if refusals:
        raise Refused(refusals)


ALREADY_DONE = "already_done"


def repeat(state: str = "") -> Refusal:
    """The refusal of a repeat: "Dit is al gedaan." and the current state, e.g. "De inlog
    staat al uit." For rules; refuse_if raises it as AlreadyDone."""
    return Refusal(ALREADY_DONE, f"Dit is al gedaan. {state}".strip())


class AlreadyDone(Refused):
    """The state change asked for has already happened: the second of two identical requests
    (a double click, a request sent twice at the same moment). Nothing was written; the page
    shows it as a notice with the current state, never as an error.

    Raised only by the transition homes, after they decided under the object's row lock
    (claims.service._transition, agreements.service._check_step, ...)."""

    def __init__(self, state: str = "", *, subject_id: int | None = None,
                 refusal: Refusal | None = None):
        self.subject_id = subject_id  # the item that is already done, when the caller has none
        super().__init__(refusal or repeat(state))

    @property
    def message(self) -> str:
        return self.refusals[0].message
