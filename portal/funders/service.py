"""The funder's case worker (consulent): the review queue, one version to review, the funder's
grants, and registering a grant for a member found by BSN.

A consulent sees only agreements with a line on a grant their own funder funds, and of a
version only the budgets of their own funder (a funder sees only budgets it funds). Writes go
through the services of agreements and budgets; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from portal.access.constants import Role
from portal.access.models import User
from portal.access.service import record
from portal.agreements import funder_review
from portal.agreements import service as agreements_service
from portal.agreements.constants import (
    ModelKind,
    ProviderKind,
    Relation,
    ReviewDecision,
    VersionStatus,
)
from portal.agreements.costs import cost_by_grant_cents, weekly_cost_cents
from portal.agreements.models import Agreement, AgreementLine, AgreementVersion, FunderReview
from portal.agreements.permissions import can_review, visible_lines
from portal.agreements.titles import agreement_title
from portal.budgets import service as budgets_service
from portal.budgets.constants import LAWS_BY_FUNDER_KIND, CareKind, FunderKind, Law, Unit
from portal.budgets.models import Funder, Grant, Household, Member
from portal.claims import corrections
from portal.extensions import db
from portal.funders.rules import match_funder
from portal.identifiers import check_bsn, mask_bsn
from portal.pagination import Page, paginate
from portal.quantities import quantity_label
from portal.refusals import Refusal, Refused

# ---------------------------------------------------------------------------------------------
# Review queue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    version_id: int
    agreement_reference: str
    version_number: int
    household_name: str
    provider_name: str
    model: ModelKind
    starts_on: dt.date
    signed_on: dt.date | None
    holder_name: str = ""  # the budget holder by name (budgets.service.holder_labels)

    @property
    def is_change(self) -> bool:
        return self.version_number > 1


def _funded_versions(funder_id: int):
    """Versions with at least one line on a grant of this funder."""
    return (select(AgreementLine.version_id).join(Grant, Grant.id == AgreementLine.grant_id)
            .where(Grant.funder_id == funder_id))


def _decided_by(funder_id: int):
    """This funder has decided on the version in its current review round."""
    return exists().where(FunderReview.version_id == AgreementVersion.id,
                          FunderReview.funder_id == funder_id,
                          FunderReview.round == AgreementVersion.review_round)


QUEUE_PAGE_SIZE = 50


def _waiting(funder_id: int):
    return (AgreementVersion.status == VersionStatus.TER_BEOORDELING,
            AgreementVersion.id.in_(_funded_versions(funder_id)), ~_decided_by(funder_id))


def review_queue_page(funder_id: int, page: int = 1) -> tuple[Page, list[QueueRow]]:
    """review_queue one page (QUEUE_PAGE_SIZE) at a time, with the count of all: two
    queries, through the index on agreement_versions.status."""
    total = db.session.scalar(select(func.count(AgreementVersion.id))
                              .where(*_waiting(funder_id)))
    shown, offset = paginate(int(total or 0), page, QUEUE_PAGE_SIZE)
    return shown, review_queue(funder_id, offset=offset, limit=QUEUE_PAGE_SIZE)


def review_queue(funder_id: int, *, offset: int = 0, limit: int | None = None,
                 after_id: int | None = None) -> list[QueueRow]:
    """Versions waiting for review (ter beoordeling) that this funder helps pay and has not
    decided on yet (other funders may still have to), oldest first. One query.

    after_id pages by cursor (the API): the versions after that id, by id, `limit` of them."""
    keyset = after_id is not None
    rows = db.session.execute(
        select(AgreementVersion, Agreement.reference, Agreement.model, Household.name,
               Agreement.household_id)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
        .join(Household, Household.id == Agreement.household_id)
        .where(*_waiting(funder_id), *((AgreementVersion.id > after_id,) if keyset else ()))
        .options(selectinload(AgreementVersion.agreement).selectinload(Agreement.provider))
        .order_by(*((AgreementVersion.id,) if keyset else
                    (AgreementVersion.signed_by_holder_at, AgreementVersion.id)))
        .offset(offset).limit(limit)).all()
    holders = budgets_service.holder_labels(row[4] for row in rows)
    return [QueueRow(version_id=v.id, agreement_reference=ref, version_number=v.number,
                     household_name=household, provider_name=v.agreement.provider.name,
                     model=ModelKind(model), starts_on=v.starts_on,
                     signed_on=v.signed_by_holder_at.date() if v.signed_by_holder_at else None,
                     holder_name=holders.get(household_id, f"Huishouden {household}"))
            for v, ref, model, household, household_id in rows]


def version_for_review(user: User, version_id: int) -> AgreementVersion | None:
    """The version, if this consulent may review it; None otherwise (the page answers 404)."""
    version = db.session.get(AgreementVersion, version_id)
    if version is None or not can_review(user, version):
        return None
    return version


@dataclass(frozen=True)
class ReviewLine:
    care_kind: str
    unit: str
    tariff_cents: int
    budget_tariff_cents: int | None  # set when the budget holder tops up above the maximum
    quantity_text: str
    weekly_cost_cents: int
    member_name: str
    law: str


@dataclass(frozen=True)
class GrantCost:
    member_name: str
    law: str
    period_start: dt.date
    period_end: dt.date
    decision_reference: str
    granted_cents: int
    cost_cents: int  # what this version costs the grant within the grant's period

    @property
    def fits(self) -> bool:
        return self.cost_cents <= self.granted_cents


@dataclass(frozen=True)
class ReviewView:
    version_id: int
    number: int
    agreement_reference: str
    household_name: str
    provider_name: str
    provider_kind: str
    provider_kvk: str | None
    provider_agb: str | None
    model: str
    relation: str
    starts_on: dt.date
    ends_on: dt.date | None
    end_kind: str
    days_per_week: int
    top_up: bool
    signed_on_paper: bool
    lines: list[ReviewLine]
    costs: list[GrantCost]
    weekly_cost_cents: int
    previous_lines: list[ReviewLine]  # the approved version this one would replace, if any
    # True while the version is under review and this funder has not decided yet: the page
    # shows the buttons; otherwise it shows the decisions.
    awaiting_review: bool
    status_label: str
    # Every funder that pays from this version and its decision in the current round.
    decisions: list[funder_review.FunderDecisionState]
    own_decision: funder_review.FunderDecisionState | None  # None: not decided (yet)
    under_review: bool  # the version is still ter beoordeling (others may not have decided)
    holder_name: str = ""  # the budget holder by name (budgets.service.holder_labels)
    title: str = ""  # the agreement's human title (agreements.titles)
    status: str = ""  # the version's status (VersionStatus value)
    # agreements.checked: the token of what the check page shows; the decision acts on it only
    token: str = ""
    funder_name: str = ""  # the consulent's own funder
    own_funder_id: int | None = None

    @property
    def other_funders(self) -> list[str]:
        """The other funders that help pay this version (each decides for its own budgets)."""
        own = self.own_funder_id
        return [d.funder_name for d in self.decisions if d.funder_id != own]

    @property
    def waiting_funders(self) -> list[str]:
        """The other funders that have not decided yet in this round."""
        own = self.own_funder_id
        return [d.funder_name for d in self.decisions if d.funder_id != own and not d.decision]

    @property
    def refused_by(self) -> list[str]:
        return [d.funder_name for d in self.decisions if d.decision == ReviewDecision.AFGEKEURD]

    @property
    def total_cost_cents(self) -> int:
        return sum(c.cost_cents for c in self.costs)


def _review_lines(lines: list[AgreementLine], grants: dict[int, Grant],
                  members: dict[int, str]) -> list[ReviewLine]:
    result = []
    for line in lines:
        grant = grants[line.grant_id]
        result.append(ReviewLine(
            care_kind=CareKind(line.care_kind).label, unit=Unit(line.unit).label,
            tariff_cents=line.tariff_cents, budget_tariff_cents=line.budget_tariff_cents,
            quantity_text=quantity_label(line.unit, line.weekly_quantity, per_week=True),
            weekly_cost_cents=weekly_cost_cents(line),
            member_name=members[grant.member_id], law=Law(grant.law).label))
    return result


def review_view(version: AgreementVersion, viewer: User) -> ReviewView:
    """What the consulent reads before deciding: content, cost, and what it replaces; of every
    version only the lines paid from their own funder's budgets (visible_lines)."""
    funder_id = viewer.funder_id
    agreement = version.agreement
    previous = agreements_service.approved_version(agreement)
    lines = list(version.lines) + (list(previous.lines) if previous is not None else [])
    grant_ids = {ln.grant_id for ln in lines}
    grants = {g.id: g for g in db.session.scalars(select(Grant).where(Grant.id.in_(grant_ids)))}
    members = dict(db.session.execute(select(Member.id, Member.name).where(
        Member.id.in_({g.member_id for g in grants.values()}))).all())
    household = db.session.get(Household, agreement.household_id)
    provider = agreement.provider
    funders = {gid: g.funder_id for gid, g in grants.items()}
    own_lines = visible_lines(viewer, version, funders)
    previous_lines = (visible_lines(viewer, previous, funders)
                      if previous is not None and previous is not version else [])
    decisions = funder_review.review_states([version], seen_by_funder=funder_id
                                                 ).get(version.id, [])
    own = next((d for d in decisions if d.funder_id == funder_id and d.decision), None)
    under_review = version.status == VersionStatus.TER_BEOORDELING
    costs = []
    for gid, grant in sorted(grants.items()):
        if grant.funder_id != funder_id or gid not in {ln.grant_id for ln in version.lines}:
            continue  # a funder sees only the budgets it funds
        cost = cost_by_grant_cents(
            [ln for ln in version.lines if ln.grant_id == gid], version.starts_on, version.ends_on,
            grant.period_start, grant.period_end).get(gid, 0)
        costs.append(GrantCost(member_name=members[grant.member_id], law=Law(grant.law).label,
                               period_start=grant.period_start, period_end=grant.period_end,
                               decision_reference=grant.decision_reference,
                               granted_cents=grant.amount_cents, cost_cents=cost))
    return ReviewView(
        version_id=version.id, number=version.number, agreement_reference=agreement.reference,
        household_name=household.name if household else "", provider_name=provider.name,
        holder_name=(budgets_service.holder_labels([household.id]).get(household.id, "")
                     if household else ""),
        provider_kind=ProviderKind(provider.kind).label, provider_kvk=provider.kvk,
        provider_agb=provider.agb, model=ModelKind(agreement.model).label,
        relation=Relation(agreement.relation).label, starts_on=version.starts_on,
        ends_on=version.ends_on, end_kind=str(version.end_kind), days_per_week=version.days_per_week,
        top_up=version.top_up, signed_on_paper=version.signed_on_paper,
        lines=_review_lines(own_lines, grants, members), costs=costs,
        weekly_cost_cents=sum(weekly_cost_cents(ln) for ln in own_lines),
        previous_lines=_review_lines(previous_lines, grants, members),
        awaiting_review=under_review and own is None,
        status_label=VersionStatus(version.status).label,
        decisions=decisions, own_decision=own, under_review=under_review,
        title=agreement_title(agreement.id), status=str(version.status),
        token=agreements_service.current_token(version), own_funder_id=funder_id,
        funder_name=next((d.funder_name for d in decisions if d.funder_id == funder_id), ""))


def decide(actor: User, version: AgreementVersion, *, approve: bool, reason: str | None,
           today: dt.date, checked: str | None = None) -> AgreementVersion:
    """Approve or reject (with a reason the budget holder gets as a message) for the
    consulent's own funder: the agreements service records the decision, decides the outcome
    once every funder concerned decided, and tells the budget holder and the provider.

    Once the version is approved, the months it governs that were already claimed follow it
    (claims.corrections.apply_approved_change): unpaid sheets are re-priced, a paid sheet or
    wage that should now pay another amount gets a correction."""
    version = funder_review.review(actor, version, approve=approve, reason=reason, today=today,
                                   checked=checked)
    if version.status == VersionStatus.GOEDGEKEURD:
        corrections.apply_approved_change(version, today)
    return version


# ---------------------------------------------------------------------------------------------
# Grants
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    grant_id: int
    member_name: str
    bsn_masked: str
    law: Law
    period_start: dt.date
    period_end: dt.date
    amount_cents: int
    care_kinds: list[str]
    decision_reference: str


def funder_grants(funder_id: int) -> list[GrantRow]:
    """Every grant of this funder, newest period first. One query."""
    rows = db.session.execute(
        select(Grant, Member.name, Member.bsn).join(Member, Member.id == Grant.member_id)
        .where(Grant.funder_id == funder_id)
        .order_by(Grant.period_start.desc(), Member.name, Grant.id)).all()
    return [_grant_row(g, name, bsn) for g, name, bsn in rows]


def _grant_row(g: Grant, name: str, bsn: str | None) -> GrantRow:
    return GrantRow(grant_id=g.id, member_name=name, bsn_masked=mask_bsn(bsn), law=Law(g.law),
                    period_start=g.period_start, period_end=g.period_end,
                    amount_cents=g.amount_cents,
                    care_kinds=[CareKind(k).label for k in g.care_kinds],
                    decision_reference=g.decision_reference)


def funder_grant(grant: Grant) -> GrantRow:
    """One grant as the consulent's pages show it."""
    member = db.session.get_one(Member, grant.member_id)
    return _grant_row(grant, member.name, member.bsn)


def laws_of_funder(funder: Funder) -> list[Law]:
    """The laws this kind of funder grants budgets under, in the usual order."""
    allowed = LAWS_BY_FUNDER_KIND[FunderKind(funder.kind)]
    return [law for law in Law if law in allowed]


def find_funder(text: str | None) -> tuple[int, str]:
    """(number, name) of the funder `text` names on the command line - its number or its exact
    name (rules.match_funder) - or Refused, listing the funders there are (number and name).
    One query."""
    funders = [(fid, name) for fid, name in db.session.execute(
        select(Funder.id, Funder.name).order_by(Funder.id))]
    funder_id, refusals = match_funder(text, funders)
    if funder_id is None:
        raise Refused(refusals)
    return funder_id, dict(funders)[funder_id]


def mask_name(name: str) -> str:
    """Initials only ('Daan Jansen' -> 'D. J.'): enough to confirm, not to find someone out."""
    return " ".join(f"{part[0].upper()}." for part in str(name).split() if part)


@dataclass(frozen=True)
class MemberMatch:
    member_id: int
    name_masked: str
    bsn_masked: str
    birth_year: int


def find_member(actor: User, bsn: str) -> MemberMatch:
    """Look a member up by BSN for a grant. Refused (field 'bsn') when the BSN is wrong or
    nobody is registered with it. The look-up is logged: a BSN is personal data."""
    if actor is None or actor.role not in (Role.CONSULENT, Role.BEHEERDER):
        raise Refused(Refusal("not_allowed", "U mag geen gezinsleden opzoeken.", "bsn"))
    compact, refusals = check_bsn(bsn)
    if refusals:
        raise Refused(refusals)
    member = db.session.scalar(select(Member).where(Member.bsn == compact))
    if member is None:
        raise Refused(Refusal("member_unknown", "Er is geen gezinslid met dit burgerservicenummer. "
                              "Controleer het nummer, of laat het betaalkantoor het gezinslid "
                              "eerst registreren.", "bsn"))
    record("member_lookup", actor=actor, household_id=member.household_id, object_type="member",
           object_id=member.id, summary=f"Gezinslid opgezocht op BSN {mask_bsn(compact)}")
    return MemberMatch(member_id=member.id, name_masked=mask_name(member.name),
                       bsn_masked=mask_bsn(compact), birth_year=member.birth_date.year)


def register_grant_by_bsn(actor: User, *, bsn: str, law: str, period_start: dt.date,
                          period_end: dt.date, amount_cents: int, care_kinds: list[str],
                          decision_reference: str = "") -> Grant:
    """Register a grant of the consulent's own funder for the member with this BSN.

    Every refusal at once: a wrong or unknown BSN (field 'bsn') together with what
    budgets.rules.check_grant says about the rest.
    """
    if actor is None or actor.role != Role.CONSULENT or actor.funder_id is None:
        raise Refused(Refusal("not_allowed", "Alleen een consulent van een verstrekker kan een "
                              "budget registreren."))
    member_id: int | None = None
    refusals: list[Refusal] = []
    try:
        member_id = find_member(actor, bsn).member_id
    except Refused as refused:
        refusals += refused.refusals
    try:
        return budgets_service.register_grant(
            actor, member_id=member_id, funder_id=actor.funder_id, law=law,
            period_start=period_start, period_end=period_end, amount_cents=amount_cents,
            care_kinds=care_kinds, decision_reference=decision_reference)
    except Refused as refused:
        # member_unknown is already said, on the BSN field, when the BSN found nobody.
        more = [r for r in refused.refusals if not (member_id is None and r.code == "member_unknown")]
        raise Refused(refusals + more) from None
