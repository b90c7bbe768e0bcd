"""Reading agreements for the screens: which version is in force, the status a day shows, and
the loaders of the pages (a fixed number of queries, whatever the history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from portal.access.constants import Role
from portal.access.models import User
from portal.agreements import lifecycle, rules
from portal.agreements.constants import (
    VersionStatus,
)
from portal.agreements.costs import cost_by_grant_cents
from portal.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementLine,
    AgreementVersion,
)
from portal.agreements.periods import (
    VersionPeriod,
    version_for_day,
)
from portal.budgets.models import Grant, Member
from portal.extensions import db


def version_in_force(agreement: Agreement, day: dt.date) -> AgreementVersion | None:
    """The approved version that governs `day` (later approved versions take over from their
    start date; ending cuts the period short), or None."""
    by_number = {v.number: v for v in agreement.versions}
    found = version_for_day(_periods(agreement), day)
    return by_number[found.number] if found else None


def effective_status(version: AgreementVersion, today: dt.date):
    return lifecycle.effective_status(VersionStatus(version.status), version.starts_on,
                                  version.ends_on, version.ended_on, today,
                                  provider_signed=version.signed_by_provider_at is not None)


def load_agreement(agreement_id: int) -> Agreement | None:
    """One agreement with its provider, versions and their lines and chosen budgets loaded (a
    fixed number of queries, whatever the number of versions), or None."""
    return db.session.scalar(
        select(Agreement).where(Agreement.id == agreement_id)
        .options(selectinload(Agreement.provider),
                 selectinload(Agreement.versions).selectinload(AgreementVersion.lines),
                 selectinload(Agreement.versions).selectinload(AgreementVersion.chosen_grants)))


def household_agreements(household_id: int) -> list[Agreement]:
    """A household's agreements with provider, versions and lines loaded (three queries)."""
    return list(db.session.scalars(
        select(Agreement).where(Agreement.household_id == household_id)
        .options(selectinload(Agreement.provider),
                 selectinload(Agreement.versions).selectinload(AgreementVersion.lines))
        .order_by(Agreement.created_at, Agreement.id)
    ))


@dataclass(frozen=True)
class OtherFundersEvent:
    """An event of another funder's consulent, as a consulent sees it: when and what, not who
    or why (review_states hides the same of the decisions)."""

    at: dt.datetime
    to_status: str
    reason: None = None


def events_of(agreement_ids: Iterable[int], *, seen_by_funder: int | None = None
              ) -> dict[int, list[tuple[AgreementEvent | OtherFundersEvent, str | None,
                                        str | None]]]:
    """Status history per agreement: (event, actor name, on-behalf-of name), oldest first.
    seen_by_funder: a consulent's funder; the other funders' consulents' events are shown as
    OtherFundersEvent by OTHER_FUNDER."""
    from sqlalchemy.orm import aliased

    ids = sorted(set(agreement_ids))
    result: dict[int, list] = {i: [] for i in ids}
    if not ids:
        return result
    actor, behalf = aliased(User), aliased(User)
    rows = db.session.execute(
        select(AgreementEvent, actor.name, behalf.name, actor.role, actor.funder_id)
        .outerjoin(actor, actor.id == AgreementEvent.actor_id)
        .outerjoin(behalf, behalf.id == AgreementEvent.on_behalf_of_id)
        .where(AgreementEvent.agreement_id.in_(ids))
        .order_by(AgreementEvent.at, AgreementEvent.id)
    ).all()
    for event, actor_name, behalf_name, actor_role, actor_funder in rows:
        if (seen_by_funder is not None and actor_role == Role.CONSULENT
                and actor_funder != seen_by_funder):
            result[event.agreement_id].append(
                (OtherFundersEvent(event.at, event.to_status), OTHER_FUNDER, None))
        else:
            result[event.agreement_id].append((event, actor_name, behalf_name))
    return result


def household_grants(household_id: int, *, first: dt.date | None = None,
                     last: dt.date | None = None, also: Iterable[int] = ()) -> list[Grant]:
    """The household's grants (with member and funder), optionally only those overlapping the
    period first..last (last None: open-ended) and the ones `also` names. One query."""
    from sqlalchemy.orm import joinedload

    query = (select(Grant).join(Member, Member.id == Grant.member_id)
             .where(Member.household_id == household_id)
             .options(joinedload(Grant.member), joinedload(Grant.funder))
             .order_by(Member.id, Grant.law, Grant.period_start))
    overlap = []
    if first is not None:
        overlap.append(Grant.period_end >= first)
    if last is not None:
        overlap.append(Grant.period_start <= last)
    also = list(also)
    if overlap:
        query = query.where(or_(and_(*overlap), Grant.id.in_(also)) if also else and_(*overlap))
    return list(db.session.scalars(query))


def grants_to_offer(version: AgreementVersion, today: dt.date) -> tuple[list[Grant], dt.date]:
    """The budgets the wizard offers a version, and from which day: the household's budgets that
    overlap the version's period counted from the earliest sensible start (rules.earliest_start;
    the period may not be chosen yet, and care may have begun last month), and those already
    chosen. One query."""
    first = min(version.starts_on, rules.earliest_start(today))
    return household_grants(version.agreement.household_id, first=first, last=version.ends_on,
                            also=version.chosen_grant_ids), first


@dataclass(frozen=True)
class GrantCost:
    """What a version will cost one grant until the end of the grant's period, next to what the
    grant still has available and what the other agreements on it will still cost."""

    grant: Grant
    cost_cents: int
    available_cents: int
    # The other approved agreements paid from this grant, until the end of its period.
    others_cents: int = 0

    @property
    def left_for_this_cents(self) -> int:
        return self.available_cents - self.others_cents

    @property
    def shortfall_cents(self) -> int:
        return max(0, self.cost_cents - self.left_for_this_cents)

    @property
    def enough(self) -> bool:
        return self.cost_cents <= self.left_for_this_cents

    @property
    def after_cents(self) -> int:
        """What is left of the grant at the end of its period once this version and the other
        agreements on it are paid (below zero: the shortfall)."""
        return self.left_for_this_cents - self.cost_cents


def _others_cost(grant: Grant, agreement_id: int, first: dt.date) -> int:
    """What every other approved agreement paid from `grant` will still cost it from `first`
    to the end of its period (one query; the versions' lines are loaded with them)."""
    others = db.session.scalars(
        select(AgreementVersion)
        .join(AgreementLine, AgreementLine.version_id == AgreementVersion.id)
        .where(AgreementLine.grant_id == grant.id,
               AgreementVersion.agreement_id != agreement_id,
               AgreementVersion.status == VersionStatus.GOEDGEKEURD.value)
        .options(selectinload(AgreementVersion.lines)).distinct()).all()
    return sum(cost_by_grant_cents(v.lines, v.starts_on, v.ends_on, first, grant.period_end,
                                   ended_on=v.ended_on).get(grant.id, 0) for v in others)


def cost_overview(version: AgreementVersion, today: dt.date) -> list[GrantCost]:
    """Per grant of the version's lines: the cost from today (or the start) until the end of the
    grant's period (cost_by_grant_cents), what the grant has available now, and what the other
    approved agreements on the same grant will still cost in that time ('is er genoeg' counts
    them all)."""
    grant_ids = sorted({ln.grant_id for ln in version.lines})
    if not grant_ids:
        return []
    grants = db.session.scalars(select(Grant).where(Grant.id.in_(grant_ids))
                                .order_by(Grant.id)).all()
    result = []
    for grant in grants:
        first = max(grant.period_start, today)
        cost = others = 0
        if first <= grant.period_end:
            cost = cost_by_grant_cents(version.lines, version.starts_on, version.ends_on,
                                             first, grant.period_end,
                                             ended_on=version.ended_on).get(grant.id, 0)
            others = _others_cost(grant, version.agreement_id, first)
        result.append(GrantCost(grant, cost, grant.available_cents, others))
    return result


def provider_changes(version: AgreementVersion) -> dict[str, dict[str, str | None]]:
    """What the provider changed when signing this version: {field: {"old": .., "new": ..}}."""
    from portal.access.models import AuditEvent

    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "agreement.provider_sign",
                                        AuditEvent.object_type == "agreement_version",
                                        AuditEvent.object_id == version.id)
        .order_by(AuditEvent.id)
    ).all()
    changes: dict[str, dict[str, str | None]] = {}
    for detail in details:
        for field, change in ((detail or {}).get("changes") or {}).items():
            changes[field] = change
    return changes


def _periods(agreement: Agreement) -> list[VersionPeriod]:
    return [VersionPeriod(v.number, VersionStatus(v.status), v.starts_on, v.ends_on, v.ended_on)
            for v in agreement.versions]


# Who acted, as a consulent reads an event of another funder's consulent.
OTHER_FUNDER = "een medewerker van een andere verstrekker"
