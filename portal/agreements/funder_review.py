"""The funder's review of a signed agreement version: each funder concerned decides, and the
states the screens show. Use cases: they add and flush, never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select

from portal.access.models import User
from portal.agreements.constants import (
    Action,
    ReviewDecision,
    VersionStatus,
)
from portal.agreements.models import (
    AgreementLine,
    AgreementVersion,
    FunderReview,
)
from portal.agreements.permissions import funder_ids_of_version
from portal.agreements.review import (
    check_funder_decision,
    check_review,
    review_outcome,
)
from portal.agreements.service import (
    _already_done,
    _audit,
    _check_step,
    _event,
    _holder_user_ids,
    _move,
    _notify,
    _provider_user_ids,
)
from portal.budgets.models import Funder, Grant
from portal.dates import format_day, now
from portal.extensions import db
from portal.refusals import refuse_if
from portal.vocabulary import DECISION


def _current_decisions(version: AgreementVersion) -> dict[int, FunderReview]:
    """The decisions of this version's current review round, per funder id."""
    return {r.funder_id: r for r in db.session.scalars(
        select(FunderReview).where(FunderReview.version_id == version.id,
                                   FunderReview.round == version.review_round))}


def funder_names(funder_ids: Iterable[int]) -> dict[int, str]:
    """The funders' own names ("Gemeente Utrecht"), by id: what the pages say instead of a
    word for the role."""
    ids = sorted(set(funder_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(Funder.id, Funder.name).where(Funder.id.in_(ids))).all())


def funder_names_of_version(version: AgreementVersion) -> list[str]:
    """The names of the funders that help pay a version (each decides on it), sorted."""
    return sorted(funder_names(funder_ids_of_version(version)).values())


def review(actor: User, version: AgreementVersion, *, approve: bool, reason: str | None,
           today: dt.date, checked: str | None = None) -> AgreementVersion:
    """A consulent decides for their own funder: approve, or refuse with a reason.

    Every funder with a line in the version decides for its own budgets, once per review
    round (check_funder_decision). The version is approved when the last funder
    concerned approves, and refused as soon as one funder refuses (review_outcome);
    the budget holder and the provider hear the outcome, with the reason of a refusal.
    `checked`: the token of the consulent's check page; the version must still be that one.
    """
    action = Action.APPROVE if approve else Action.REJECT
    refusals = _check_step(actor, version, action, today, checked)
    concerned = funder_ids_of_version(version)
    decisions = _current_decisions(version)
    decision = ReviewDecision.GOEDGEKEURD if approve else ReviewDecision.AFGEKEURD
    own = decisions.get(actor.funder_id) if actor.funder_id is not None else None
    if not refusals and own is not None and ReviewDecision(own.decision) == decision:
        raise _already_done(version)  # this funder's same decision, a second time
    if not refusals:
        refusals = check_funder_decision(actor.funder_id, concerned, decisions.keys())
    if not refusals:
        refusals = check_review(approve, reason)
    refuse_if(refusals)
    assert actor.funder_id is not None  # _check_step refused anyone but a funder's consulent
    agreement = version.agreement
    names = funder_names(concerned)
    funder_name = names.get(actor.funder_id, "de financier")
    text = reason.strip() if not approve and reason else None
    db.session.add(FunderReview(version_id=version.id, funder_id=actor.funder_id,
                                round=version.review_round, decision=decision, reason=text,
                                decided_by_id=actor.id))
    outcome = review_outcome(
        concerned, {**{f: r.decision for f, r in decisions.items()}, actor.funder_id: decision})
    waiting = sorted(names[f] for f in concerned if f not in decisions and f != actor.funder_id)
    detail = {"funder_id": actor.funder_id, "funder": funder_name, "decision": str(decision),
              "round": version.review_round, "outcome": str(outcome)}
    if text:
        detail["reason"] = text

    if outcome == VersionStatus.TER_BEOORDELING:  # other funders still have to decide
        note = f"Goedgekeurd door {funder_name}; wacht nog op {', '.join(waiting)}"
        _event(agreement, version, version.status, version.status, actor=actor, reason=note)
        _audit("approve", actor, agreement, version,
               f"Zorgovereenkomst {agreement.reference} goedgekeurd door {funder_name} "
               f"(wacht nog op {', '.join(waiting)})", detail=detail)
        db.session.flush()
        return version

    version.reviewed_by_id = actor.id
    version.reviewed_at = now()
    if outcome == VersionStatus.GOEDGEKEURD:
        for older in agreement.versions:
            if older is not version and older.status == VersionStatus.GOEDGEKEURD:
                _move(older, VersionStatus.VERVANGEN, actor=actor,
                      reason=f"Vervangen door versie {version.number} vanaf "
                             f"{format_day(version.starts_on)}")
        note = f"Goedgekeurd door {funder_name}"
        if len(concerned) > 1:
            note += "; alle financiers die meebetalen hebben goedgekeurd"
        _move(version, VersionStatus.GOEDGEKEURD, actor=actor, reason=note)
        subject = f"Zorgovereenkomst {agreement.reference} is goedgekeurd"
        body = f"De overeenkomst geldt vanaf {format_day(version.starts_on)}."
    else:
        version.rejection_reason = text
        _move(version, VersionStatus.AFGEKEURD, actor=actor,
              reason=f"Afgekeurd door {funder_name}: {text}")
        subject = f"Zorgovereenkomst {agreement.reference} is afgekeurd door {funder_name}"
        body = f"Reden: {text} Pas de overeenkomst aan en onderteken hem opnieuw."
    _audit("approve" if approve else "reject", actor, agreement, version,
           f"{subject} ({funder_name})" if approve else subject, detail=detail)
    _notify(_holder_user_ids(agreement.household_id) | _provider_user_ids(agreement.provider_id),
            "agreement_approved" if approve else "agreement_rejected", subject, body,
            agreement=agreement, actor=actor)
    db.session.flush()
    return version


@dataclass(frozen=True)
class FunderDecisionState:
    """Where one funder concerned stands on a version in its current review round."""

    funder_id: int
    funder_name: str
    decision: ReviewDecision | None  # None: not decided (yet)
    decided_at: dt.datetime | None
    decided_by_name: str | None
    reason: str | None

    @property
    def label(self) -> str:
        return DECISION[self.decision.value if self.decision else "open"].label

    @property
    def status(self) -> str:
        """The vocabulary's key (kind 'besluit'): the decision, or 'open'."""
        return self.decision.value if self.decision else "open"

    @property
    def tone(self) -> str:
        return {"goedgekeurd": "ok", "afgekeurd": "error"}.get(self.status, "neutral")


# Versions whose current round's decisions mean something: under review, or decided. A version
# reworked after a refusal is a concept again; its old round no longer counts.
DECIDED_STATUSES = frozenset({VersionStatus.TER_BEOORDELING, VersionStatus.GOEDGEKEURD,
                              VersionStatus.AFGEKEURD, VersionStatus.VERVANGEN,
                              VersionStatus.BEEINDIGD})


def review_states(versions: Iterable[AgreementVersion], *, seen_by_funder: int | None = None
                  ) -> dict[int, list[FunderDecisionState]]:
    """Per version (under review or decided by the funders): each funder concerned and its
    decision in the current round, by funder name. Two queries, whatever the number of versions.

    A version approved without review (an extension) has no round and no entry.
    seen_by_funder: a consulent's funder, who sees of the other funders whether and what they
    decided, not who decided or why (that is the other funder's business and the person's).
    """
    from sqlalchemy.orm import aliased

    versions = [v for v in versions
                if v.review_round and VersionStatus(v.status) in DECIDED_STATUSES]
    if not versions:
        return {}
    ids = [v.id for v in versions]
    concerned: dict[int, dict[int, str]] = {v.id: {} for v in versions}
    for version_id, funder_id, name in db.session.execute(
        select(AgreementLine.version_id, Funder.id, Funder.name).distinct()
        .join(Grant, Grant.id == AgreementLine.grant_id).join(Funder, Funder.id == Grant.funder_id)
        .where(AgreementLine.version_id.in_(ids))
    ):
        concerned[version_id][funder_id] = name
    decider = aliased(User)
    rounds = {v.id: v.review_round for v in versions}
    decided: dict[int, dict[int, tuple[FunderReview, str | None]]] = {v.id: {} for v in versions}
    for review_row, name in db.session.execute(
        select(FunderReview, decider.name).outerjoin(decider, decider.id == FunderReview.decided_by_id)
        .where(FunderReview.version_id.in_(ids))
    ):
        if review_row.round == rounds[review_row.version_id]:
            decided[review_row.version_id][review_row.funder_id] = (review_row, name)
    result = {}
    for v in versions:
        states = []
        for funder_id, funder_name in sorted(concerned[v.id].items(), key=lambda kv: kv[1]):
            row, by = decided[v.id].get(funder_id, (None, None))
            state = FunderDecisionState(
                funder_id, funder_name, ReviewDecision(row.decision) if row else None,
                row.decided_at if row else None, by, row.reason if row else None)
            if seen_by_funder is not None and funder_id != seen_by_funder:
                state = replace(state, decided_by_name=None, reason=None)
            states.append(state)
        result[v.id] = states
    return result
