"""The lifecycle of an agreement version: who may take which step from which status (one table),
what a repeat is, which steps a screen offers, the status a day shows, and ending.

Pure: no Flask, no session. The service decides and writes a step through _check_step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from portal.agreements.constants import (
    Action,
    EffectiveStatus,
    Party,
    VersionStatus,
)
from portal.agreements.rules import Notice
from portal.dates import (
    add_months,
    check_date_range,
    format_day,
    last_of_month,
)
from portal.refusals import Refusal


@dataclass(frozen=True)
class Transition:
    action: Action
    parties: frozenset[Party]
    from_statuses: frozenset[VersionStatus]
    to_status: VersionStatus
    # None: either; False: only before the provider signed; True: only after.
    provider_signed: bool | None = None


def _t(action: Action, parties: Iterable[Party], froms: Iterable[VersionStatus],
       to: VersionStatus, provider_signed: bool | None = None) -> Transition:
    return Transition(action, frozenset(parties), frozenset(froms), to, provider_signed)


S = VersionStatus


TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    _t(Action.EDIT, {Party.HOLDER}, {S.CONCEPT}, S.CONCEPT),
    _t(Action.SHARE, {Party.HOLDER}, {S.CONCEPT}, S.GEDEELD),
    # The budget holder takes a shared version back (to correct it, or to leave it): a
    # concept again; a signature the provider gave is void, the content may change.
    _t(Action.WITHDRAW, {Party.HOLDER}, {S.GEDEELD}, S.CONCEPT),
    # The provider completes (may change IBAN and details) and signs; the status stays 'gedeeld'.
    _t(Action.PROVIDER_SIGN, {Party.PROVIDER}, {S.GEDEELD}, S.GEDEELD, provider_signed=False),
    _t(Action.HOLDER_SIGN, {Party.HOLDER}, {S.GEDEELD}, S.ONDERTEKEND, provider_signed=True),
    # Right after both signed, the portal hands the version to the funder.
    _t(Action.SUBMIT, {Party.SYSTEM}, {S.ONDERTEKEND}, S.TER_BEOORDELING),
    # Paper: the uploaded signed PDF counts as both signatures.
    _t(Action.UPLOAD_PAPER, {Party.HOLDER}, {S.CONCEPT, S.GEDEELD}, S.ONDERTEKEND),
    _t(Action.APPROVE, {Party.CONSULENT}, {S.TER_BEOORDELING}, S.GOEDGEKEURD),
    _t(Action.REJECT, {Party.CONSULENT}, {S.TER_BEOORDELING}, S.AFGEKEURD),
    _t(Action.REWORK, {Party.HOLDER}, {S.AFGEKEURD}, S.CONCEPT),
    _t(Action.END, {Party.HOLDER}, {S.GOEDGEKEURD}, S.BEEINDIGD),
)}
del S


def check_transition(action: Action, status: VersionStatus, parties: Iterable[Party], *,
                     provider_signed: bool = False) -> list[Refusal]:
    """May someone playing `parties` take `action` on a version in `status`? Refusals if not."""
    t = TRANSITIONS[action]
    refusals = []
    if not t.parties & set(parties):
        who = " of ".join(p.label.lower() for p in sorted(t.parties))
        refusals.append(Refusal("not_your_step", f"U mag deze stap niet zetten. Dat mag alleen "
                                f"de {who}."))
    if status not in t.from_statuses:
        refusals.append(Refusal("wrong_status", f"Dit kan niet meer of nog niet: de overeenkomst "
                                f"heeft de status '{status.label}'."))
    elif t.provider_signed is True and not provider_signed:
        refusals.append(Refusal("provider_not_signed", "De zorgverlener heeft nog niet "
                                "ondertekend. U kunt ondertekenen zodra de zorgverlener dat "
                                "gedaan heeft."))
    elif t.provider_signed is False and provider_signed:
        refusals.append(Refusal("provider_already_signed", "De zorgverlener heeft deze versie al "
                                "ondertekend. Nu is de budgethouder aan de beurt."))
    return refusals


def is_repeat(action: Action, status: VersionStatus, *, provider_signed: bool = False) -> bool:
    """Has `action` already happened to a version in `status`? Then asking for it again is a
    repeat (the second of two identical requests), answered 'Dit is al gedaan', not a mistake.

    The version is where the action leads (and not where it could start again), or one step
    further where the portal moves it on by itself (signed -> to the funder); or it is the
    provider's signature and the provider signed.
    """
    t = TRANSITIONS[action]
    status = VersionStatus(status)
    if t.provider_signed is False and provider_signed and status in t.from_statuses:
        return True
    reached = {t.to_status}
    if t.to_status is VersionStatus.ONDERTEKEND:
        reached.add(TRANSITIONS[Action.SUBMIT].to_status)
    return status in reached and status not in t.from_statuses


# The statuses the wizard's steps edit: a concept, or a refused version being reworked.
EDITABLE = TRANSITIONS[Action.EDIT].from_statuses | TRANSITIONS[Action.REWORK].from_statuses


def available_actions(*, holder: bool, provider: bool, open_status: VersionStatus | None,
                      provider_signed: bool, approved: bool, ended: bool) -> dict[str, bool]:
    """Which actions an agreement's page offers, read from the transition table: `holder` (may
    act as the budget holder) and `provider` (is its provider) say who looks; `open_status` is
    the status of the version on its way to approval (None: there is none), `approved` whether
    an approved version governs, `ended` whether the agreement was ended (then nothing applies)."""
    def may(action: Action, party: Party) -> bool:
        return open_status is not None and not check_transition(
            action, VersionStatus(open_status), {party}, provider_signed=provider_signed)

    live = not ended
    return {
        "edit": holder and live and open_status in EDITABLE,
        "paper": holder and live and may(Action.UPLOAD_PAPER, Party.HOLDER),
        "holder_sign": holder and live and may(Action.HOLDER_SIGN, Party.HOLDER),
        "withdraw": holder and live and may(Action.WITHDRAW, Party.HOLDER),
        "provider_sign": provider and live and may(Action.PROVIDER_SIGN, Party.PROVIDER),
        "change": holder and live and approved and open_status is None,
        "end": holder and live and approved,
    }


def next_status(action: Action) -> VersionStatus:
    return TRANSITIONS[action].to_status


def effective_status(status: VersionStatus, starts_on: dt.date, ends_on: dt.date | None,
                     ended_on: dt.date | None, today: dt.date, *,
                     provider_signed: bool = False) -> EffectiveStatus:
    """What a version is today: 'actief' from its start date once approved, and so on."""
    if status == VersionStatus.GEDEELD and provider_signed:
        return EffectiveStatus.ONDERTEKEND_ZORGVERLENER
    if status in (VersionStatus.GOEDGEKEURD, VersionStatus.BEEINDIGD):
        last = ends_on if ended_on is None else (ended_on if ends_on is None
                                                 else min(ends_on, ended_on))
        if last is not None and today > last:
            return (EffectiveStatus.BEEINDIGD if status == VersionStatus.BEEINDIGD
                    else EffectiveStatus.AFGELOPEN)
        if today < starts_on:
            return (EffectiveStatus.BEEINDIGD if status == VersionStatus.BEEINDIGD
                    else EffectiveStatus.GOEDGEKEURD)
        return EffectiveStatus.OPGEZEGD if status == VersionStatus.BEEINDIGD else EffectiveStatus.ACTIEF
    return EffectiveStatus(status.value)


def check_end(starts_on: dt.date, ends_on: dt.date | None, ended_on: dt.date | None,
              today: dt.date, notice_months: int) -> tuple[list[Refusal], list[Notice]]:
    """Ending an approved agreement on `ended_on` (the last day of care).

    Not in the past (care already given stays covered), not after the agreement's own end date.
    Notices: ending is usually at the end of a month, and a shorter notice than agreed needs the
    provider's consent.
    """
    refusals: list[Refusal] = []
    notices: list[Notice] = []
    if ended_on is None:
        return [Refusal("end_date_missing", "Vul de laatste dag in waarop de zorgverlener zorg "
                        "geeft.", "ended_on")], []
    if ended_on < today:
        refusals.append(Refusal("end_in_past", "De einddatum ligt in het verleden. Kies vandaag "
                                "of een latere datum.", "ended_on"))
    else:
        refusals += check_date_range(ended_on, today, "ended_on")
    if ends_on is not None and ended_on > ends_on:
        refusals.append(Refusal("end_after_agreement_end", "De overeenkomst loopt al af op "
                                f"{format_day(ends_on)}. Kies een datum op of voor die dag.",
                                "ended_on"))
    if refusals:
        return refusals, notices
    if ended_on != last_of_month(ended_on):
        notices.append(Notice("end_not_month_end", "Meestal eindigt een overeenkomst op de "
                              "laatste dag van een maand."))
    if notice_months and ended_on < add_months(today, notice_months) and ended_on >= starts_on:
        notices.append(Notice("notice_short", f"De opzegtermijn is {notice_months} maand. Eindigt "
                              "de zorg eerder, spreek dat dan af met de zorgverlener."))
    return refusals, notices
