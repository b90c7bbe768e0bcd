"""Use cases on care agreements: providers, drafts, signing, paper, review, changes, ending.

Every function takes the actor and `today` explicitly, loads what it needs, checks who may do
it (permissions.parties_of + the transition table in rules.py), applies the rules, and only
then writes: a refusal (Refused) leaves nothing written. Nothing here commits; the request or
CLI edge does.

Saving a concept is lenient: only what the database itself cannot hold is refused then (no
start date, a tariff of 0, a grant of another household, ...). Sharing, signing and the paper
route check the whole draft (rules.validate_draft); `draft_verdict(version)` tells a screen
what is still missing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from portal import dates
from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import (
    active_login,
    budget_holder_of,
    household_access,
    household_recipients,
    provider_recipients,
    require_office,
)
from portal.access.service import record
from portal.agreements import lifecycle, rules, tariffs
from portal.agreements.changes import (
    AGREEMENT_ENDED,
    NOT_ALLOWED,
    VersionTerms,
    check_change_start,
    check_may_change,
    check_something_changed,
    needs_new_approval,
)
from portal.agreements.constants import (
    OPEN_STATUSES,
    Action,
    EndKind,
    ModelKind,
    Party,
    ProviderKind,
    Relation,
    ReviewDecision,
    VersionStatus,
)
from portal.agreements.costs import cost_by_grant_cents
from portal.agreements.lifecycle import (
    check_end,
    check_transition,
    is_repeat,
    next_status,
)
from portal.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementLine,
    AgreementVersion,
    ChosenGrant,
    FunderReview,
    MaxTariff,
)
from portal.agreements.periods import (
    EVER_APPROVED,
    VersionPeriod,
    last_day_of_care,
    version_for_day,
)
from portal.agreements.permissions import funder_ids_of_version, parties_of
from portal.agreements.review import (
    check_funder_decision,
    check_provider_known,
    check_review,
    review_outcome,
)
from portal.agreements.rules import DraftInput, DraftVerdict, GrantFacts, LineInput, ProviderFacts
from portal.agreements.storage import check_upload, store_document
from portal.agreements.tariffs import NATIONAL_LAWS, TariffRow
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.budgets.models import Funder, Grant, Household, Member
from portal.database import parse_id, set_row
from portal.dates import add_months, first_of_month, format_day, now
from portal.extensions import db
from portal.messages.service import notify
from portal.money import format_euro
from portal.providers.models import Provider, ProviderLink
from portal.providers.rules import (
    KnownProvider,
    check_provider_fields,
    match_provider,
    same_person_name,
)
from portal.refusals import AlreadyDone, Refusal, Refused, refuse_if

# Codes a concept may be saved with (they are fixed before sharing); all other refusals of
# validate_draft block saving too, because the database could not hold the draft.
SAVE_BLOCKING_CODES = frozenset({
    "start_missing", "end_not_expected", "end_before_start", "days_per_week_invalid",
    "tariff_not_positive", "quantity_negative", "line_duplicate", "grant_other_household",
    # Numbers and dates no one can mean (they would not even fit the database's columns).
    "quantity_too_large", "week_total_too_large", "tariff_too_high", "date_out_of_range",
})

PROVIDER_CHANGEABLE = ("name", "iban", "email", "kvk", "agb")

NOT_ALLOWED = NOT_ALLOWED


# ---------------------------------------------------------------------------------------------
# Loading plain facts for the rules
# ---------------------------------------------------------------------------------------------


def _grant_facts(grant_ids: Iterable[int]) -> dict[int, GrantFacts]:
    ids = sorted(set(grant_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Grant, Member.household_id).join(Member, Member.id == Grant.member_id)
        .where(Grant.id.in_(ids))
    ).all()
    # Law(...): a row read back from the database holds the plain string, not the enum.
    return {g.id: GrantFacts(g.id, household_id, g.funder_id, Law(g.law), g.period_start,
                             g.period_end, frozenset(g.care_kinds or ()))
            for g, household_id in rows}


def _tariff_rows(grants: Mapping[int, GrantFacts]) -> list[TariffRow]:
    funder_ids = {g.funder_id for g in grants.values()}
    laws = {g.law for g in grants.values()}
    if not laws:
        return []
    rows = db.session.scalars(
        select(MaxTariff).where(MaxTariff.law.in_(laws),
                                MaxTariff.funder_id.in_(funder_ids) | MaxTariff.funder_id.is_(None))
    ).all()
    return [TariffRow(r.law, r.year, r.informal, r.unit, r.max_cents, r.funder_id) for r in rows]


def missing_maxima_refusals(today: dt.date) -> list[Refusal]:
    """For the payment office's start page: each year, from this one on, in which a budget of a
    law with national maxima (the Wlz) runs while those maxima are not known yet
    (tariffs.missing_national_maxima): agreements on those budgets are refused until the office
    enters them with `portal set-max-tariff`. Two queries."""
    laws = sorted(NATIONAL_LAWS)
    ends = db.session.execute(
        select(Grant.law, func.max(Grant.period_end)).where(
            Grant.law.in_(laws), Grant.period_end >= dt.date(today.year, 1, 1))
        .group_by(Grant.law)).all()
    rows = [TariffRow(r.law, r.year, r.informal, r.unit, r.max_cents, r.funder_id)
            for r in db.session.scalars(select(MaxTariff).where(MaxTariff.law.in_(laws),
                                                                MaxTariff.funder_id.is_(None)))]
    return [rules.maxima_not_set(Law(law), year)
            for law, last in ends for year in range(today.year, last.year + 1)
            if tariffs.missing_national_maxima(Law(law), year, rows)]


def _provider_facts(provider: Provider, iban: str | None = None) -> ProviderFacts:
    """iban: the agreement version's account (None: the provider's own)."""
    return ProviderFacts(ProviderKind(provider.kind), provider.kvk, provider.agb,
                         name=provider.name, iban=iban or provider.iban, email=provider.email)


def _holder_facts(household_id: int) -> rules.HolderFacts | None:
    """The budget holder of the household (check_not_own_provider): name and e-mail of the
    login, the household's holder_iban, and a date of birth when the holder is one of its
    members by name. Two queries."""
    holder = budget_holder_of(household_id)
    household = db.session.get(Household, household_id)
    if holder is None and (household is None or not household.holder_iban):
        return None
    name = holder.name if holder is not None else ""
    births = [m.birth_date for m in (household.members if household else [])
              if name and same_person_name(m.name, name)]
    return rules.HolderFacts(name=name, email=holder.email if holder is not None else None,
                             iban=household.holder_iban if household else None,
                             birth_date=births[0] if len(births) == 1 else None)


def _lines(lines: Sequence[LineInput]) -> tuple[LineInput, ...]:
    result = []
    for i, ln in enumerate(lines):
        try:
            result.append(LineInput(int(ln.grant_id), CareKind(ln.care_kind), Unit(ln.unit),
                                    int(ln.tariff_cents), int(ln.weekly_quantity)))
        except (TypeError, ValueError):
            raise Refused(Refusal("line_invalid", "Een regel van de overeenkomst is niet goed "
                                  "ingevuld. Kies een budget, een soort zorg en een eenheid.",
                                  rules.line_field(i, "care_kind"))) from None
    return tuple(result)


def _draft(household_id: int, model, relation, starts_on, ends_on, end_kind, days_per_week,
           lines: Sequence[LineInput], top_up: bool) -> DraftInput:
    try:
        model, relation, end_kind = ModelKind(model), Relation(relation), EndKind(end_kind)
    except ValueError:
        raise Refused(Refusal("choice_invalid", "Kies het model, de relatie en het soort "
                              "einddatum uit de lijst.")) from None
    return DraftInput(household_id, model, relation, starts_on, ends_on, end_kind,
                      int(days_per_week), _lines(lines), bool(top_up))


def _version_draft(version: AgreementVersion) -> DraftInput:
    agreement = version.agreement
    return DraftInput(agreement.household_id, ModelKind(agreement.model),
                      Relation(agreement.relation), version.starts_on, version.ends_on,
                      EndKind(version.end_kind), version.days_per_week,
                      tuple(LineInput(ln.grant_id, CareKind(ln.care_kind), Unit(ln.unit),
                                      ln.tariff_cents, ln.weekly_quantity) for ln in version.lines),
                      bool(version.top_up))


def _verdict(draft: DraftInput, provider: ProviderFacts,
             today: dt.date | None = None) -> DraftVerdict:
    grants = _grant_facts(ln.grant_id for ln in draft.lines)
    return rules.validate_draft(draft, provider, grants, _tariff_rows(grants), today=today,
                                holder=_holder_facts(draft.household_id))


def draft_verdict(version: AgreementVersion, today: dt.date | None = None) -> DraftVerdict:
    """Everything still wrong with a version (for a screen before sharing), and its notices.
    today: for the dates' upper bound (None: the date in Amsterdam now)."""
    today = today or dates.today()
    return _verdict(_version_draft(version),
                    _provider_facts(version.agreement.provider, version.iban), today)


def minimum_wage(version: AgreementVersion):
    """The statutory minimum hourly wage a family agreement's hourly tariffs must reach in this
    version's period (rules.binding_minimum_wage), or None for the other models."""
    return rules.binding_minimum_wage(_version_draft(version))


def _blocking_for_save(verdict: DraftVerdict) -> list[Refusal]:
    return [r for r in verdict.refusals if r.code in SAVE_BLOCKING_CODES]


# ---------------------------------------------------------------------------------------------
# Maximum tariffs
# ---------------------------------------------------------------------------------------------


def set_max_tariff(actor: User | None, *, funder_id: int | None, law: str, year: int, unit: str,
                   informal: bool | None, max_cents: int, today: dt.date
                   ) -> tuple[MaxTariff, int | None]:
    """Set (or change) one maximum tariff: a MaxTariff row, read by agreements.tariffs (the
    national Wlz maxima of 2023 and 2024 are in its NATIONAL table; a gemeente's Wmo and
    Jeugdwet maxima and later Wlz years are rows; without a row, a Wmo or Jeugdwet tariff is not
    capped). Returns the row and the maximum it had before (None: new). By the payment office
    or the system (the command line `portal set-max-tariff`)."""
    require_office(actor, "maximumtarieven vaststellen")
    known_id = parse_id(funder_id)
    funder = db.session.get(Funder, known_id) if known_id is not None else None
    refuse_if(rules.check_max_tariff(law=law, year=year, unit=unit, informal=informal,
                                     max_cents=max_cents, funder_given=funder_id is not None,
                                     funder_kind=FunderKind(funder.kind) if funder else None,
                                     today=today))
    row, previous = set_row(MaxTariff, {"funder_id": funder.id if funder else None,
                                        "law": Law(law), "year": year,
                                        "informal": bool(informal), "unit": Unit(unit)},
                            {"max_cents": max_cents})
    before = previous["max_cents"] if previous else None
    who = funder.name if funder else "landelijk"
    record("max_tariff_set", actor=actor, object_type="max_tariff", object_id=row.id,
           summary=f"Maximumtarief {Law(law).label} {year} {Unit(unit).label}, "
                   f"{'informeel' if informal else 'formeel'} ({who}): {format_euro(max_cents)}",
           detail={"before_cents": before, "max_cents": max_cents, "funder_id": row.funder_id})
    db.session.flush()
    return row, before


# ---------------------------------------------------------------------------------------------
# Small writers
# ---------------------------------------------------------------------------------------------


def _on_behalf_of(actor: User, household_id: int, today: dt.date) -> User | None:
    access = household_access(actor, household_id, today)
    if access is not None and access.on_behalf:
        return budget_holder_of(household_id)
    return None


def _event(agreement: Agreement, version: AgreementVersion | None, from_status, to_status, *,
           actor: User | None, on_behalf_of: User | None = None,
           reason: str | None = None) -> AgreementEvent:
    event = AgreementEvent(agreement_id=agreement.id, version_id=version.id if version else None,
                           from_status=str(from_status) if from_status else None,
                           to_status=str(to_status), actor_id=actor.id if actor else None,
                           on_behalf_of_id=on_behalf_of.id if on_behalf_of else None, reason=reason)
    db.session.add(event)
    return event


def _move(version: AgreementVersion, to_status: VersionStatus, *, actor: User | None,
          on_behalf_of: User | None = None, reason: str | None = None) -> None:
    from_status = version.status
    version.status = to_status
    _event(version.agreement, version, from_status, to_status, actor=actor,
           on_behalf_of=on_behalf_of, reason=reason)


def _audit(action: str, actor: User, agreement: Agreement, version: AgreementVersion | None,
           summary: str, *, on_behalf_of: User | None = None, detail: dict | None = None) -> None:
    record(f"agreement.{action}", actor=actor, on_behalf_of=on_behalf_of,
           household_id=agreement.household_id,
           object_type="agreement_version" if version else "agreement",
           object_id=version.id if version else agreement.id, summary=summary, detail=detail)


def _provider_user_ids(provider_id: int) -> set[int]:
    return set(provider_recipients(provider_id))


def _holder_user_ids(household_id: int) -> set[int]:
    return set(household_recipients(household_id))


def _consulent_user_ids(funder_ids: set[int]) -> set[int]:
    if not funder_ids:
        return set()
    return set(db.session.scalars(select(User.id).where(User.role == Role.CONSULENT,
                                                        User.funder_id.in_(funder_ids))))


def _office_user_ids() -> set[int]:
    return set(db.session.scalars(select(User.id).where(User.role == Role.BEHEERDER)))


def _notify(user_ids: set[int], kind: str, subject: str, body: str = "") -> None:
    if user_ids:
        notify(user_ids, kind, subject, body)


def _add_lines(version: AgreementVersion, lines: Sequence[LineInput], verdict: DraftVerdict) -> None:
    budget = {t.index: t.budget_tariff_cents for t in verdict.tariffs}
    for i, ln in enumerate(lines):
        version.lines.append(AgreementLine(grant_id=ln.grant_id, care_kind=ln.care_kind,
                                           unit=ln.unit, tariff_cents=ln.tariff_cents,
                                           weekly_quantity=ln.weekly_quantity,
                                           budget_tariff_cents=budget.get(i)))


def _chosen(household_id: int, grant_ids: Iterable[int],
            lines: Sequence[LineInput]) -> tuple[set[int], list[Refusal]]:
    """The budgets a version draws on: those chosen and those of its lines; all of the household
    (the lines' own grants are checked with the lines, rules.check_lines)."""
    try:
        picked = {int(g) for g in grant_ids}
    except (TypeError, ValueError):
        return set(), [Refusal("grant_invalid", "Kies de budgetten uit de lijst.", "grants")]
    extra = picked - {ln.grant_id for ln in lines}
    return picked | {ln.grant_id for ln in lines}, rules.check_chosen_grants(
        household_id, extra, _grant_facts(extra))


def _set_chosen(version: AgreementVersion, grant_ids: set[int]) -> None:
    have = {c.grant_id: c for c in version.chosen_grants}
    for grant_id, row in have.items():
        if grant_id not in grant_ids:
            version.chosen_grants.remove(row)
    for grant_id in sorted(grant_ids - set(have)):
        version.chosen_grants.append(ChosenGrant(grant_id=grant_id))


def _ended(agreement: Agreement) -> bool:
    return any(v.status == VersionStatus.BEEINDIGD for v in agreement.versions)


ENDED = AGREEMENT_ENDED


def _already_done(version: AgreementVersion) -> AlreadyDone:
    return AlreadyDone(f"De overeenkomst heeft nu de status "
                       f"'{VersionStatus(version.status).label}'.", subject_id=version.id)


def _check_step(actor: User, version: AgreementVersion, action: Action,
                today: dt.date) -> list[Refusal]:
    """The gate of every step of a version's lifecycle (share, sign, submit, review, end, ...),
    a compare-and-set: the version's own row is locked and read again first (SELECT ... FOR
    UPDATE on PostgreSQL; on SQLite the write transaction holds the database's write lock),
    so two identical requests at the same moment are decided one after the other. The second
    finds the step already taken (is_repeat) and is answered AlreadyDone ("Dit is al
    gedaan"), before anything is written; the caller's writes, events and messages happen
    once. Returns the refusals of the transition table otherwise."""
    db.session.refresh(version, with_for_update=True)
    agreement = version.agreement
    parties = parties_of(actor, agreement, version, today)
    signed = version.signed_by_provider_at is not None
    refusals = check_transition(action, VersionStatus(version.status), parties,
                                      provider_signed=signed)
    if refusals and "not_your_step" not in {r.code for r in refusals} and is_repeat(
            action, VersionStatus(version.status), provider_signed=signed):
        raise _already_done(version)
    if action != Action.END and _ended(agreement):
        refusals.append(ENDED)
    return refusals


def open_version(agreement: Agreement) -> AgreementVersion | None:
    """The version on its way to approval (at most one), or None."""
    return next((v for v in reversed(agreement.versions) if v.status in OPEN_STATUSES), None)


def approved_version(agreement: Agreement) -> AgreementVersion | None:
    """The latest approved version (not yet replaced or ended), or None."""
    return next((v for v in reversed(agreement.versions)
                 if v.status == VersionStatus.GOEDGEKEURD), None)


# ---------------------------------------------------------------------------------------------
# Providers
# ---------------------------------------------------------------------------------------------


class AgreementExists(Refused):
    """The household already has a running agreement with this provider (one agreement per
    budget holder and provider). `agreement_id`: the agreement to change instead."""

    def __init__(self, refusals: list[Refusal] | Refusal, agreement_id: int):
        super().__init__(refusals)
        self.agreement_id = agreement_id


def _providers_with_login(provider_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(provider_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(User.provider_id).where(  # a login turned off is none
        active_login(Role.ZORGVERLENER, User.provider_id.in_(ids)))))


def provider_has_login(provider_id: int) -> bool:
    """Can the provider log in to the portal (one query)? Providers registered by a budget
    holder have no login until the payment office makes one."""
    return bool(_providers_with_login([provider_id]))


def provider_login_notice(provider: Provider) -> rules.Notice | None:
    """'X has no login yet; on Delen the payment office makes one' (one query), or None."""
    return rules.provider_login_notice(provider.name, provider_has_login(provider.id),
                                       provider.email)


def _known_providers(iban: str | None, kvk: str | None) -> list[KnownProvider]:
    """Providers of the portal with this IBAN or (organisations) this KvK number. Two queries."""
    conditions = [Provider.iban == iban] if iban else []
    if kvk:
        conditions.append(Provider.kvk == kvk)
    if not conditions:
        return []
    rows = db.session.scalars(select(Provider).where(or_(*conditions)).order_by(Provider.id)).all()
    logins = _providers_with_login(p.id for p in rows)
    return [KnownProvider(p.id, ProviderKind(p.kind), p.name, p.iban, p.kvk, p.id in logins)
            for p in rows]


def _periods(agreement: Agreement) -> list[VersionPeriod]:
    return [VersionPeriod(v.number, VersionStatus(v.status), v.starts_on, v.ends_on, v.ended_on)
            for v in agreement.versions]


def _existing(agreement: Agreement) -> rules.ExistingAgreement:
    return rules.ExistingAgreement(agreement.id, agreement.reference, agreement.provider.name,
                                   last_day_of_care(_periods(agreement)))


@dataclass(frozen=True)
class HouseholdProvider:
    """A provider the household has (had) an agreement with. `current`: the agreement to change
    instead of making a new one (None: every agreement with them is over, a new one may be made)."""

    provider: Provider
    current: Agreement | None
    has_login: bool


def household_providers(household_id: int, today: dt.date) -> list[HouseholdProvider]:
    """The household's providers, for step 2 of a new agreement. Four queries."""
    agreements = household_agreements(household_id)
    by_provider: dict[int, list[Agreement]] = {}
    for agreement in agreements:
        by_provider.setdefault(agreement.provider_id, []).append(agreement)
    logins = _providers_with_login(by_provider)
    result = []
    for provider_id, items in by_provider.items():
        current, _refusals = rules.check_one_agreement([_existing(a) for a in items], today)
        result.append(HouseholdProvider(
            items[0].provider, next((a for a in items if current and a.id == current.id), None),
            provider_id in logins))
    return sorted(result, key=lambda hp: (hp.provider.name, hp.provider.id))


@dataclass(frozen=True)
class Started:
    agreement: Agreement
    provider_known: bool  # an existing provider of the portal, not a new one


def start_agreement(actor: User, *, household_id: int, model, relation: str | None,
                    today: dt.date, provider_id: int | None = None, name: str | None = None,
                    iban: str | None = None, kvk: str | None = None, agb: str | None = None,
                    email: str | None = None) -> Started:
    """Step 2 of a new agreement: the provider (one the household knows, or a new one), then the
    draft (version 1, a concept).

    A 'new' provider whose IBAN (an organisation: KvK number) the portal already knows is that
    provider (match_provider): no copy without a login that would never see the
    agreement. One agreement per budget holder and provider (AgreementExists otherwise).
    """
    access = household_access(actor, household_id, today)
    if access is None or not access.can_act:
        raise Refused(NOT_ALLOWED)
    try:
        model = ModelKind(model)
    except ValueError:
        raise Refused(Refusal("model_invalid", "Kies eerst het model van de overeenkomst.",
                              "model")) from None
    kind = rules.provider_kind_for(model)
    refusals = rules.check_relation_choice(model, relation)
    chosen_relation = (Relation(relation) if rules.relation_asked(model) and not refusals
                       else Relation.GEEN)
    provider: Provider | None = None
    if provider_id is not None:
        provider = next((hp.provider for hp in household_providers(household_id, today)
                         if hp.provider.id == provider_id), None)
        if provider is None:
            refusals.append(Refusal("provider_unknown", "Kies een zorgverlener uit de lijst.",
                                    "provider"))
        refuse_if(refusals)
        known = True
    else:
        values, found = check_provider_fields(kind, name, iban, kvk, agb, email)
        refuse_if(refusals + found)
        match, found = match_provider(kind, values["name"], values["iban"], values["kvk"],
                                            _known_providers(values["iban"], values["kvk"]))
        refuse_if(found)
        known = match is not None
        if match is not None:
            provider = db.session.get(Provider, match.id)
            # Found by the IBAN (an organisation: KvK number) the household typed: from now on
            # the household knows this provider, with the IBAN it gave.
            _link_provider(household_id, provider, values["iban"], actor)
        else:
            provider = create_provider(actor, kind=kind, name=values["name"], iban=values["iban"],
                                       kvk=values["kvk"], agb=values["agb"], email=values["email"],
                                       household_id=household_id, today=today)
    assert provider is not None
    agreement = create_draft(actor, household_id=household_id, provider_id=provider.id,
                             model=model, relation=chosen_relation,
                             starts_on=rules.default_start(today), ends_on=None,
                             end_kind=EndKind.GEEN, days_per_week=0, lines=[], today=today)
    return Started(agreement, known)


def _link_provider(household_id: int, provider: Provider, iban: str | None,
                   actor: User | None) -> ProviderLink:
    """The household knows this provider from now on, with this IBAN (None: the provider's)."""
    link = db.session.scalar(select(ProviderLink).where(
        ProviderLink.household_id == household_id, ProviderLink.provider_id == provider.id))
    if link is None:
        link = ProviderLink(household_id=household_id, provider_id=provider.id,
                            iban=iban or provider.iban, added_by_id=actor.id if actor else None)
        db.session.add(link)
    elif iban:
        link.iban = iban
    db.session.flush()
    return link


def create_provider(actor: User, *, kind, name: str, iban: str, kvk: str | None = None,
                    agb: str | None = None, email: str | None = None,
                    household_id: int | None = None, today: dt.date | None = None) -> Provider:
    """Register a care provider (person or organisation); IBAN, KvK and AGB are checked.

    The provider is registered for `household_id` (default: the budget holder's own household),
    which then knows it and can make an agreement with it (check_provider_known).
    """
    if actor is None or actor.role not in (Role.BUDGETHOUDER, Role.VERTEGENWOORDIGER,
                                           Role.ADVISEUR, Role.BEHEERDER):
        raise Refused(Refusal("not_allowed", "U mag geen zorgverleners toevoegen."))
    if household_id is not None:
        access = household_access(actor, household_id, today or dates.today())
        if access is None or not access.can_act:
            raise Refused(NOT_ALLOWED)
    else:
        household_id = actor.household_id
    try:
        kind = ProviderKind(kind)
    except ValueError:
        raise Refused(Refusal("provider_kind_invalid", "Kies of de zorgverlener een persoon of "
                              "een organisatie is.", "kind")) from None
    values, refusals = check_provider_fields(kind, name, iban, kvk, agb, email)
    refuse_if(refusals)
    provider = Provider(kind=kind, **values)
    db.session.add(provider)
    db.session.flush()
    if household_id is not None:
        _link_provider(household_id, provider, provider.iban, actor)
    record("provider.create", actor=actor, household_id=household_id,
           object_type="provider", object_id=provider.id,
           summary=f"Zorgverlener {provider.name} toegevoegd")
    return provider


# ---------------------------------------------------------------------------------------------
# Drafts
# ---------------------------------------------------------------------------------------------


def create_draft(actor: User, *, household_id: int, provider_id: int, model, relation,
                 starts_on: dt.date | None, ends_on: dt.date | None, end_kind, days_per_week: int,
                 lines: list[LineInput], today: dt.date, top_up: bool = False,
                 on_behalf_of: User | None = None,
                 grant_ids: Iterable[int] | None = None) -> Agreement:
    """A new agreement with version 1 as a concept. One agreement per household and provider.
    grant_ids: the budgets chosen so far (the lines' grants count as chosen too)."""
    access = household_access(actor, household_id, today)
    if access is None or not access.can_act:
        raise Refused(NOT_ALLOWED)
    # The provider's row is locked (PostgreSQL; SQLite queues writers) so that two requests at
    # the same moment cannot both make "the" agreement with this provider.
    provider = db.session.scalar(select(Provider).where(Provider.id == provider_id)
                                 .with_for_update())
    link = existing = None
    if provider is not None:
        link = db.session.scalar(select(ProviderLink).where(
            ProviderLink.household_id == household_id, ProviderLink.provider_id == provider_id))
        existing = db.session.scalars(
            select(Agreement).where(Agreement.household_id == household_id,
                                    Agreement.provider_id == provider_id)
            .options(selectinload(Agreement.versions))).all()
    # A provider the household has no business with is refused like one that does not exist.
    refuse_if(check_provider_known(provider is not None
                                         and (link is not None or bool(existing))))
    current, refusals = rules.check_one_agreement([_existing(a) for a in existing], today)
    draft = _draft(household_id, model, relation, starts_on, ends_on, end_kind, days_per_week,
                   lines, top_up)
    verdict = _verdict(draft, _provider_facts(provider), today)
    chosen, chosen_refusals = _chosen(household_id, grant_ids or (), draft.lines)
    if current is not None:
        raise AgreementExists(refusals + _blocking_for_save(verdict) + chosen_refusals,
                              current.id)
    refuse_if(_blocking_for_save(verdict) + chosen_refusals)
    if on_behalf_of is None and access.on_behalf:
        on_behalf_of = budget_holder_of(household_id)

    agreement = Agreement(reference=f"tmp-{secrets.token_hex(8)}", household_id=household_id,
                          provider_id=provider.id, model=draft.model, relation=draft.relation,
                          created_by_id=actor.id)
    db.session.add(agreement)
    db.session.flush()
    agreement.reference = f"ZO-{today.year}-{agreement.id:06d}"
    version = AgreementVersion(agreement=agreement, number=1, status=VersionStatus.CONCEPT,
                               starts_on=draft.starts_on, ends_on=draft.ends_on,
                               end_kind=draft.end_kind, days_per_week=draft.days_per_week,
                               notice_months=rules.default_notice_months(draft.model),
                               top_up=draft.top_up, created_by_id=actor.id,
                               iban=link.iban if link is not None and link.iban else provider.iban)
    db.session.add(version)
    _add_lines(version, draft.lines, verdict)
    _set_chosen(version, chosen)
    db.session.flush()
    _event(agreement, version, None, VersionStatus.CONCEPT, actor=actor, on_behalf_of=on_behalf_of)
    _audit("create", actor, agreement, version, f"Concept-overeenkomst {agreement.reference} met "
           f"{provider.name} gemaakt", on_behalf_of=on_behalf_of)
    db.session.flush()
    return agreement


def update_draft(actor: User, version: AgreementVersion, *, starts_on: dt.date | None,
                 ends_on: dt.date | None, end_kind, days_per_week: int, lines: list[LineInput],
                 today: dt.date, top_up: bool = False, model=None, relation=None,
                 on_behalf_of: User | None = None,
                 grant_ids: Iterable[int] | None = None) -> AgreementVersion:
    """Save a concept again; a rejected version is reworked this way (back to concept).

    model and relation (None: unchanged) can only change in the first version. grant_ids: the
    budgets chosen (None: as before); the lines' grants always count as chosen.
    """
    agreement = version.agreement
    action = Action.REWORK if version.status == VersionStatus.AFGEKEURD else Action.EDIT
    refusals = _check_step(actor, version, action, today)
    model = agreement.model if model is None else model
    relation = agreement.relation if relation is None else relation
    draft = _draft(agreement.household_id, model, relation, starts_on, ends_on, end_kind,
                   days_per_week, lines, top_up)
    if version.number > 1 and (draft.model != agreement.model or draft.relation != agreement.relation):
        refusals.append(Refusal("model_fixed", "Het model en de relatie liggen vast sinds de "
                                "eerste versie. Maak een nieuwe overeenkomst als die anders "
                                "moeten.", "model"))
    base = approved_version(agreement) if version.number > 1 else None
    if base is not None and base is not version:  # a change: it starts as a change must
        refusals += check_change_start(base.starts_on, base.ends_on, draft.starts_on, today)
    verdict = _verdict(draft, _provider_facts(agreement.provider), today)
    if grant_ids is None:
        grant_ids = [c.grant_id for c in version.chosen_grants]
    chosen, chosen_refusals = _chosen(agreement.household_id, grant_ids, draft.lines)
    refuse_if(refusals + _blocking_for_save(verdict) + chosen_refusals)
    on_behalf_of = on_behalf_of or _on_behalf_of(actor, agreement.household_id, today)

    agreement.model, agreement.relation = draft.model, draft.relation
    version.starts_on, version.ends_on = draft.starts_on, draft.ends_on
    version.end_kind, version.days_per_week = draft.end_kind, draft.days_per_week
    version.top_up = draft.top_up
    if version.number == 1:
        version.notice_months = rules.default_notice_months(draft.model)
    version.lines.clear()
    db.session.flush()  # delete the old lines before the new ones (same unique keys)
    _add_lines(version, draft.lines, verdict)
    _set_chosen(version, chosen)
    if action == Action.REWORK:
        version.signed_by_holder_at = version.signed_by_provider_at = None
        version.signed_on_paper = False
        version.document_id = None
        version.rejection_reason = None
        _move(version, VersionStatus.CONCEPT, actor=actor, on_behalf_of=on_behalf_of,
              reason="Aangepast na afkeuring")
    _audit("update", actor, agreement, version, f"Concept van {agreement.reference} "
           f"(versie {version.number}) gewijzigd", on_behalf_of=on_behalf_of)
    db.session.flush()
    return version


# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------


def share(actor: User, version: AgreementVersion, today: dt.date) -> AgreementVersion:
    """The budget holder shares a complete concept with the provider, who completes and signs."""
    refusals = _check_step(actor, version, Action.SHARE, today)
    if not refusals:
        refusals = draft_verdict(version, today).refusals
    refuse_if(refusals)
    agreement = version.agreement
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)
    _move(version, VersionStatus.GEDEELD, actor=actor, on_behalf_of=on_behalf_of)
    _audit("share", actor, agreement, version, f"{agreement.reference} gedeeld met de "
           "zorgverlener", on_behalf_of=on_behalf_of)
    provider_users = _provider_user_ids(agreement.provider_id)
    _notify(provider_users, "agreement_shared",
            f"Zorgovereenkomst {agreement.reference} klaar om te ondertekenen",
            "De budgethouder heeft een zorgovereenkomst met u gedeeld. Controleer en vul uw "
            "gegevens aan en onderteken de overeenkomst.")
    if not provider_users:  # the payment office makes the provider a login (step 2 says so)
        provider = agreement.provider
        _notify(_office_user_ids(), "provider_login_needed",
                f"Zorgverlener {provider.name} heeft een inlog nodig",
                f"Overeenkomst {agreement.reference} is gedeeld met {provider.name} "
                f"(zorgverlener {provider.id}), die nog geen inlog heeft. E-mailadres: "
                f"{provider.email or 'niet bekend'}. Maak een inlog met de rol zorgverlener voor "
                "deze zorgverlener, zodat de overeenkomst ondertekend kan worden.")
    db.session.flush()
    return version


def _signing_details(provider: Provider, version: AgreementVersion) -> dict[str, str | None]:
    """What the provider sees and may change when signing: their details, and the IBAN of this
    agreement (not the provider's registered one: a provider may use another account for
    another household)."""
    details = {f: getattr(provider, f) for f in PROVIDER_CHANGEABLE}
    details["iban"] = version.iban or provider.iban
    return details


def signing_details(version: AgreementVersion) -> dict[str, str | None]:
    """The details the provider's signing form starts with (name, IBAN of this agreement, ...)."""
    return _signing_details(version.agreement.provider, version)


def _provider_changes(provider: Provider, version: AgreementVersion,
                      changes: Mapping[str, str | None] | None) -> tuple[dict, list[Refusal]]:
    changes = dict(changes or {})
    unknown = sorted(set(changes) - set(PROVIDER_CHANGEABLE))
    refusals = []
    if unknown:
        refusals.append(Refusal("change_not_allowed", "U kunt bij het ondertekenen alleen uw "
                                "naam, IBAN, e-mailadres, KvK-nummer en AGB-code aanpassen."))
    current = _signing_details(provider, version)
    merged = {**current, **{k: v for k, v in changes.items() if k in PROVIDER_CHANGEABLE}}
    values, found = check_provider_fields(ProviderKind(provider.kind), merged["name"],
                                           merged["iban"], merged["kvk"], merged["agb"],
                                           merged["email"])
    refusals += found
    return {f: values[f] for f in PROVIDER_CHANGEABLE if values[f] != current[f]}, refusals


def provider_sign(actor: User, version: AgreementVersion, today: dt.date,
                  changes: Mapping[str, str | None] | None = None) -> AgreementVersion:
    """The provider completes (may change IBAN and details) and signs a shared version."""
    agreement = version.agreement
    provider = agreement.provider
    refusals = _check_step(actor, version, Action.PROVIDER_SIGN, today)
    changed, found = _provider_changes(provider, version, changes)
    refusals += found
    if not refusals:
        facts = ProviderFacts(ProviderKind(provider.kind), changed.get("kvk", provider.kvk),
                              changed.get("agb", provider.agb),
                              name=changed.get("name", provider.name),
                              iban=changed.get("iban", version.iban or provider.iban),
                              email=changed.get("email", provider.email))
        refusals += _verdict(_version_draft(version), facts, today).refusals
    refuse_if(refusals)

    old = {f: v for f, v in _signing_details(provider, version).items() if f in changed}
    for field, value in changed.items():
        if field == "iban":  # this agreement's account only; other households' stay as they are
            version.iban = value
        else:
            setattr(provider, field, value)
    version.signed_by_provider_at = now()
    names = {"name": "naam", "iban": "IBAN", "email": "e-mailadres", "kvk": "KvK-nummer",
             "agb": "AGB-code"}
    reason = "Ondertekend door de zorgverlener"
    if changed:
        reason += "; gewijzigd: " + ", ".join(names[f] for f in changed)
    _event(agreement, version, version.status, version.status, actor=actor, reason=reason)
    _audit("provider_sign", actor, agreement, version, reason,
           detail={"changes": {f: {"old": old[f], "new": changed[f]} for f in changed}} if changed
           else None)
    body = "Controleer de overeenkomst en onderteken hem ook."
    if changed:
        body = ("De zorgverlener heeft gegevens aangepast (" + ", ".join(names[f] for f in changed)
                + "). Controleer die goed voordat u ondertekent.")
    _notify(_holder_user_ids(agreement.household_id), "agreement_provider_signed",
            f"Zorgverlener heeft {agreement.reference} ondertekend", body)
    db.session.flush()
    return version


def _submit(version: AgreementVersion) -> None:
    """Both signed: the portal hands the version to the funder(s) at once."""
    assert not check_transition(Action.SUBMIT, VersionStatus(version.status),
                                      {Party.SYSTEM})
    agreement = version.agreement
    # A new round: every funder concerned decides (again), earlier decisions no longer count.
    version.review_round = (version.review_round or 0) + 1
    _move(version, next_status(Action.SUBMIT), actor=None,
          reason="Automatisch ingediend na ondertekening")
    _notify(_consulent_user_ids(funder_ids_of_version(version)), "agreement_to_review",
            f"Zorgovereenkomst {agreement.reference} ter beoordeling",
            "Een zorgovereenkomst wacht op uw beoordeling.")
    _notify(_provider_user_ids(agreement.provider_id), "agreement_submitted",
            f"Zorgovereenkomst {agreement.reference} is ondertekend",
            "Beide partijen hebben ondertekend. De verstrekker beoordeelt de overeenkomst nu.")


def holder_sign(actor: User, version: AgreementVersion, today: dt.date) -> AgreementVersion:
    """The budget holder checks the provider's changes and signs; then it goes to the funder."""
    refusals = _check_step(actor, version, Action.HOLDER_SIGN, today)
    if not refusals:
        refusals = draft_verdict(version, today).refusals
    refuse_if(refusals)
    agreement = version.agreement
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)
    version.signed_by_holder_at = now()
    _move(version, VersionStatus.ONDERTEKEND, actor=actor, on_behalf_of=on_behalf_of,
          reason="Ondertekend door de budgethouder")
    _audit("holder_sign", actor, agreement, version, f"{agreement.reference} ondertekend",
           on_behalf_of=on_behalf_of)
    _submit(version)
    db.session.flush()
    return version


def attach_signed_paper(actor: User, agreement: Agreement, data: bytes, filename: str | None,
                        today: dt.date) -> AgreementDocument:
    """Paper route: the uploaded signed PDF counts as both signatures; then to the funder."""
    version = open_version(agreement)
    if version is None or version.status not in (VersionStatus.CONCEPT, VersionStatus.GEDEELD):
        latest = agreement.versions[-1] if agreement.versions else None
        state = f" De overeenkomst heeft de status '{latest.status.label}'." if latest else ""
        refusals = [Refusal("wrong_status", "Er is geen concept om een ondertekende versie bij "
                            "te uploaden." + state)]
        if _ended(agreement):
            refusals.append(ENDED)
        if not parties_of(actor, agreement, None, today) & {Party.HOLDER}:
            refusals.insert(0, NOT_ALLOWED)
        raise Refused(refusals)
    refusals = _check_step(actor, version, Action.UPLOAD_PAPER, today)
    pdf = check_upload(data, filename)
    if not refusals:
        refusals = draft_verdict(version, today).refusals + pdf.refusals
    refuse_if(refusals)
    page_count = pdf.page_count
    on_behalf_of = _on_behalf_of(actor, agreement.household_id, today)

    doc = store_document(agreement.id, pdf.data, filename, page_count=page_count,
                         uploaded_by_id=actor.id)
    signed_at = now()
    version.document_id = doc.id
    version.signed_on_paper = True
    version.signed_by_holder_at = version.signed_by_provider_at = signed_at
    _move(version, VersionStatus.ONDERTEKEND, actor=actor, on_behalf_of=on_behalf_of,
          reason="Ondertekend op papier (PDF geüpload)")
    _audit("paper_upload", actor, agreement, version, f"Ondertekende {agreement.reference} "
           f"geüpload ({doc.original_name}, {page_count} pagina's)", on_behalf_of=on_behalf_of,
           detail={"document_id": doc.id, "sha256": doc.sha256})
    _submit(version)
    db.session.flush()
    return doc


# ---------------------------------------------------------------------------------------------
# Review by the funder
# ---------------------------------------------------------------------------------------------


def _current_decisions(version: AgreementVersion) -> dict[int, FunderReview]:
    """The decisions of this version's current review round, per funder id."""
    return {r.funder_id: r for r in db.session.scalars(
        select(FunderReview).where(FunderReview.version_id == version.id,
                                   FunderReview.round == version.review_round))}


def _funder_names(funder_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(funder_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(Funder.id, Funder.name).where(Funder.id.in_(ids))).all())


def review(actor: User, version: AgreementVersion, *, approve: bool, reason: str | None,
           today: dt.date) -> AgreementVersion:
    """A consulent decides for their own funder: approve, or refuse with a reason.

    Every funder with a line in the version decides for its own budgets, once per review
    round (check_funder_decision). The version is approved when the last funder
    concerned approves, and refused as soon as one funder refuses (review_outcome);
    the budget holder and the provider hear the outcome, with the reason of a refusal.
    """
    action = Action.APPROVE if approve else Action.REJECT
    refusals = _check_step(actor, version, action, today)
    concerned = funder_ids_of_version(version)
    decisions = _current_decisions(version)
    decision = ReviewDecision.GOEDGEKEURD if approve else ReviewDecision.AFGEKEURD
    own = decisions.get(actor.funder_id)
    if not refusals and own is not None and ReviewDecision(own.decision) == decision:
        raise _already_done(version)  # this funder's same decision, a second time
    if not refusals:
        refusals = check_funder_decision(actor.funder_id, concerned, decisions.keys())
    if not refusals:
        refusals = check_review(approve, reason)
    refuse_if(refusals)
    agreement = version.agreement
    names = _funder_names(concerned)
    funder_name = names.get(actor.funder_id, "de verstrekker")
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
            note += "; alle verstrekkers die meebetalen hebben goedgekeurd"
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
            "agreement_approved" if approve else "agreement_rejected", subject, body)
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
        return self.decision.label if self.decision else "Nog niet beoordeeld"


# Versions whose current round's decisions mean something: under review, or decided. A version
# reworked after a refusal is a concept again; its old round no longer counts.
DECIDED_STATUSES = frozenset({VersionStatus.TER_BEOORDELING, VersionStatus.GOEDGEKEURD,
                              VersionStatus.AFGEKEURD, VersionStatus.VERVANGEN,
                              VersionStatus.BEEINDIGD})


# Who acted, as a consulent reads an event of another funder's consulent.
OTHER_FUNDER = "een medewerker van een andere verstrekker"


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


# ---------------------------------------------------------------------------------------------
# Ending and changes
# ---------------------------------------------------------------------------------------------


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
            f"De laatste dag van de zorg is {format_day(ended_on)}.")
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
    base = _changeable_base(actor, agreement, today)
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
                f"Zorgovereenkomst {agreement.reference} is verlengd", f"Nieuwe einde: {end}.")
    else:
        _audit("propose_change", actor, agreement, version, f"Wijziging van {agreement.reference} "
               f"vanaf {format_day(draft.starts_on)} als concept gemaakt",
               on_behalf_of=on_behalf_of)
    db.session.flush()
    return version


def _changeable_base(actor: User, agreement: Agreement, today: dt.date) -> AgreementVersion:
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
    base = _changeable_base(actor, agreement, today)
    starts_on = max(rules.default_start(today), first_of_month(add_months(base.starts_on, 1)))
    lines = [LineInput(ln.grant_id, CareKind(ln.care_kind), Unit(ln.unit), ln.tariff_cents,
                       ln.weekly_quantity) for ln in base.lines]
    version = propose_change(actor, agreement, starts_on=starts_on, ends_on=base.ends_on,
                             end_kind=base.end_kind, days_per_week=base.days_per_week,
                             lines=lines, today=today, top_up=bool(base.top_up), in_steps=True)
    _set_chosen(version, set(base.chosen_grant_ids))
    db.session.flush()
    return version


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Reading for the screens: a fixed number of queries, whatever the history
# ---------------------------------------------------------------------------------------------


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
    grant still has available."""

    grant: Grant
    cost_cents: int
    available_cents: int

    @property
    def shortfall_cents(self) -> int:
        return max(0, self.cost_cents - self.available_cents)

    @property
    def enough(self) -> bool:
        return self.cost_cents <= self.available_cents


def cost_overview(version: AgreementVersion, today: dt.date) -> list[GrantCost]:
    """Per grant of the version's lines: the cost from today (or the start) until the end of the
    grant's period (cost_by_grant_cents), and what the grant has available now."""
    grant_ids = sorted({ln.grant_id for ln in version.lines})
    if not grant_ids:
        return []
    grants = db.session.scalars(select(Grant).where(Grant.id.in_(grant_ids))
                                .order_by(Grant.id)).all()
    result = []
    for grant in grants:
        first = max(grant.period_start, today)
        cost = 0
        if first <= grant.period_end:
            cost = cost_by_grant_cents(version.lines, version.starts_on, version.ends_on,
                                             first, grant.period_end,
                                             ended_on=version.ended_on).get(grant.id, 0)
        result.append(GrantCost(grant, cost, grant.available_cents))
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
