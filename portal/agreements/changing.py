"""Ending an agreement and changing it: a new version from a day, proposed by the budget holder.
Use cases: they add and flush, never commit."""

from __future__ import annotations

import datetime as dt

from portal.access.models import User
from portal.agreements import rules
from portal.agreements.changes import (
    VersionTerms,
    check_change_start,
    check_may_change,
    check_something_changed,
    needs_new_approval,
)
from portal.agreements.constants import (
    Action,
    Party,
    VersionStatus,
)
from portal.agreements.lifecycle import (
    check_end,
    check_transition,
)
from portal.agreements.models import (
    Agreement,
    AgreementVersion,
)
from portal.agreements.periods import (
    EVER_APPROVED,
)
from portal.agreements.permissions import funder_ids_of_version, parties_of
from portal.agreements.rules import LineInput
from portal.agreements.service import (
    _add_lines,
    _already_done,
    _audit,
    _blocking_for_save,
    _check_step,
    _consulent_user_ids,
    _draft,
    _ended,
    _event,
    _move,
    _notify,
    _on_behalf_of,
    _provider_facts,
    _provider_user_ids,
    _set_chosen,
    _verdict,
    approved_version,
    open_version,
)
from portal.budgets.constants import CareKind, Unit
from portal.dates import add_months, first_of_month, format_day
from portal.extensions import db
from portal.refusals import Refusal, Refused, refuse_if


def end_agreement(actor: User, agreement: Agreement, ended_on: dt.date | None,
                  today: dt.date) -> AgreementVersion:
    """Only the budget holder ends an agreement; `ended_on` is the last day of care."""
    version = approved_version(agreement)
    if version is None:
        ended = next((v for v in agreement.versions if v.status == VersionStatus.BEEINDIGD), None)
        if ended is not None:  # ended already: a repeat
            raise _already_done(ended)
        latest = agreement.versions[-1]
        refusals = check_transition(Action.END, VersionStatus(latest.status),
                                          parties_of(actor, agreement, None, today))
        raise Refused(refusals or [Refusal("wrong_status", "Alleen een goedgekeurde overeenkomst "
                                           "kan beëindigd worden.")])
    refusals = _check_step(actor, version, Action.END, today)
    end_refusals, _notices = check_end(version.starts_on, version.ends_on, ended_on, today,
                                             version.notice_months)
    refuse_if(refusals + end_refusals)
    assert ended_on is not None  # check_end refused an end without a day
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)
    for v in agreement.versions:  # earlier approved versions stop governing too
        if v.status in EVER_APPROVED and (v.ended_on is None or v.ended_on > ended_on):
            v.ended_on = ended_on
    _move(version, VersionStatus.BEEINDIGD, actor=actor, on_behalf_of=on_behalf_of,
          reason=f"Laatste dag van de zorg: {format_day(ended_on)}")
    _audit("end", actor, agreement, version, f"{agreement.reference} beëindigd per "
           f"{format_day(ended_on)}", on_behalf_of=on_behalf_of)
    _notify(_provider_user_ids(agreement.provider_id)
            | _consulent_user_ids(funder_ids_of_version(version)), "agreement_ended",
            f"Zorgovereenkomst {agreement.reference} is beëindigd",
            f"De laatste dag van de zorg is {format_day(ended_on)}.", agreement=agreement,
            actor=actor)
    db.session.flush()
    return version


def propose_change(actor: User, agreement: Agreement, *, starts_on: dt.date | None,
                   ends_on: dt.date | None, end_kind, days_per_week: int,
                   lines: list[LineInput], today: dt.date, top_up: bool = False,
                   in_steps: bool = False) -> AgreementVersion:
    """A new version from the first day of a month.

    An extension (only a later end date, or no end date) is approved at once and replaces the
    current version. Any change in the work or the tariffs starts as a concept and goes through
    signing and review; the current approved version keeps governing until then.
    in_steps: a concept that the wizard's steps will change (start_change): it may still equal
    the current version, and is never an extension.
    """
    base = changeable_base(actor, agreement, today)
    draft = _draft(agreement.household_id, agreement.model, agreement.relation, starts_on, ends_on,
                   end_kind, days_per_week, lines, top_up)
    old = VersionTerms.of(ends_on=base.ends_on, end_kind=base.end_kind,
                          days_per_week=base.days_per_week, top_up=base.top_up, lines=base.lines)
    new = VersionTerms.of(ends_on=draft.ends_on, end_kind=draft.end_kind,
                          days_per_week=draft.days_per_week, top_up=draft.top_up, lines=draft.lines)
    extension = not in_steps and not needs_new_approval(old, new)
    verdict = _verdict(draft, _provider_facts(agreement.provider), today)
    # in steps, the first step may change nothing yet: the later steps do
    refusals = [] if in_steps else check_something_changed(old, new)
    refusals += check_change_start(base.starts_on, base.ends_on, draft.starts_on, today)
    refusals += verdict.refusals if extension else _blocking_for_save(verdict)
    refuse_if(refusals)
    assert draft.starts_on is not None  # check_period's start_missing blocks saving
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)

    version = AgreementVersion(agreement=agreement, number=agreement.versions[-1].number + 1,
                               status=VersionStatus.CONCEPT, starts_on=draft.starts_on,
                               ends_on=draft.ends_on, end_kind=draft.end_kind,
                               days_per_week=draft.days_per_week, notice_months=base.notice_months,
                               top_up=draft.top_up, created_by_id=actor.id, iban=base.iban)
    db.session.add(version)
    _add_lines(version, draft.lines, verdict)
    _set_chosen(version, {ln.grant_id for ln in draft.lines})
    db.session.flush()
    _event(agreement, version, None, VersionStatus.CONCEPT, actor=actor, on_behalf_of=on_behalf_of,
           reason="Wijziging")
    if extension:
        end = format_day(draft.ends_on) if draft.ends_on else "zonder einddatum"
        _move(base, VersionStatus.VERVANGEN, actor=actor, on_behalf_of=on_behalf_of,
              reason=f"Verlengd in versie {version.number}")
        _move(version, VersionStatus.GOEDGEKEURD, actor=actor, on_behalf_of=on_behalf_of,
              reason="Verlenging: geen nieuwe beoordeling nodig")
        _audit("extend", actor, agreement, version, f"{agreement.reference} verlengd ({end})",
               on_behalf_of=on_behalf_of)
        _notify(_provider_user_ids(agreement.provider_id), "agreement_extended",
                f"Zorgovereenkomst {agreement.reference} is verlengd", f"Nieuwe einde: {end}.",
                agreement=agreement, actor=actor)
    else:
        _audit("propose_change", actor, agreement, version, f"Wijziging van {agreement.reference} "
               f"vanaf {format_day(draft.starts_on)} als concept gemaakt",
               on_behalf_of=on_behalf_of)
    db.session.flush()
    return version


def changeable_base(actor: User, agreement: Agreement, today: dt.date) -> AgreementVersion:
    """The approved version a change starts from; refused when no change can be made now: only
    the budget holder's side changes, not an ended agreement, not while a change is open."""
    base = approved_version(agreement)
    refuse_if(check_may_change(
        holder=Party.HOLDER in parties_of(actor, agreement, base, today),
        ended=_ended(agreement), approved=base is not None,
        change_open=open_version(agreement) is not None))
    assert base is not None
    return base


def start_change(actor: User, agreement: Agreement, today: dt.date) -> AgreementVersion:
    """A change made through the wizard's steps, e.g. to add a budget of another family member
    or a kind of care (one agreement per budget holder and provider, so that is how care for
    someone else is added): a concept copy of the current version, from the first of next month
    (or of the month after the current version starts), which the steps then edit."""
    base = changeable_base(actor, agreement, today)
    starts_on = max(rules.default_start(today), first_of_month(add_months(base.starts_on, 1)))
    lines = [LineInput(ln.grant_id, CareKind(ln.care_kind), Unit(ln.unit), ln.tariff_cents,
                       ln.weekly_quantity) for ln in base.lines]
    version = propose_change(actor, agreement, starts_on=starts_on, ends_on=base.ends_on,
                             end_kind=base.end_kind, days_per_week=base.days_per_week,
                             lines=lines, today=today, top_up=bool(base.top_up), in_steps=True)
    _set_chosen(version, set(base.chosen_grant_ids))
    db.session.flush()
    return version
