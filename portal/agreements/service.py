"""Use cases on care agreements: starting one and its drafts, and the writers every step shares.

Long because: the draft use cases and the shared writers of every agreement step.

The other use cases live next door: signing.py (sharing, both signatures, paper), funder_review.py,
changing.py (changes and ending), reads.py (loaders of the screens); providers are registered in
portal/providers/service.py.

Every function takes the actor and `today` explicitly, loads what it needs, checks who may do
it (permissions.parties_of + the transition table in lifecycle.py), applies the rules, and only
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

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import dates
from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import (
    budget_holder_of,
    household_access,
    household_recipients,
    provider_recipients,
    require_office,
)
from portal.access.service import record
from portal.agreements import rules, tariffs
from portal.agreements.changes import (
    AGREEMENT_ENDED,
    NOT_ALLOWED,
    check_change_start,
)
from portal.agreements.checked import check_checked, checked_token
from portal.agreements.constants import (
    OPEN_STATUSES,
    Action,
    EndKind,
    ModelKind,
    ProviderKind,
    Relation,
    VersionStatus,
)
from portal.agreements.lifecycle import (
    check_transition,
    is_repeat,
)
from portal.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementLine,
    AgreementVersion,
    ChosenGrant,
    MaxTariff,
)
from portal.agreements.periods import (
    last_day_of_care,
)
from portal.agreements.permissions import parties_of
from portal.agreements.reads import _periods, household_agreements
from portal.agreements.review import (
    check_provider_known,
)
from portal.agreements.rules import DraftInput, DraftVerdict, GrantFacts, LineInput, ProviderFacts
from portal.agreements.tariffs import NATIONAL_LAWS, TariffRow
from portal.agreements.titles import agreement_title
from portal.budgets.constants import CareKind, FunderKind, Law, Unit
from portal.budgets.models import Funder, Grant, Household, Member
from portal.database import parse_id, set_row
from portal.extensions import db
from portal.messages.service import notify, sender_name
from portal.money import format_euro
from portal.providers.models import Provider, ProviderLink
from portal.providers.rules import (
    check_provider_fields,
    match_provider,
    same_person_name,
)
from portal.providers.service import (
    _known_providers,
    _link_provider,
    _providers_with_login,
    create_provider,
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


def _budget_years(household_id: int) -> list[rules.BudgetYear]:
    """The household's grants as years of its budgets (member x law x funder). One query."""
    rows = db.session.execute(
        select(Grant.id, Grant.member_id, Grant.law, Grant.funder_id, Grant.period_start,
               Grant.period_end, Grant.care_kinds).join(Member, Member.id == Grant.member_id)
        .where(Member.household_id == household_id)).all()
    return [rules.BudgetYear(r.id, (r.member_id, str(Law(r.law).value), r.funder_id),
                             r.period_start, r.period_end, frozenset(r.care_kinds or ()))
            for r in rows]


def _spread(draft: DraftInput, grant_ids: Iterable[int]) -> tuple[DraftInput, list[int]]:
    """The chosen budgets over the years the draft's dates cover (rules.spread_over_period)."""
    try:
        picked = [int(g) for g in grant_ids]
    except (TypeError, ValueError):
        return draft, list(grant_ids)  # _chosen refuses it
    lines, chosen = rules.spread_over_period(draft.lines, picked,
                                             _budget_years(draft.household_id),
                                             draft.starts_on, draft.ends_on)
    return replace(draft, lines=lines), sorted(chosen)


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


def _notify(user_ids: set[int], kind: str, subject: str, body: str = "", *,
            agreement: Agreement | None = None, actor: User | None = None) -> None:
    """The message names who did it (`actor`) and the agreement by its human title."""
    if user_ids:
        notify(user_ids, kind, subject, body, sender=sender_name(actor),
               about=(agreement_title(agreement.id) or None) if agreement is not None else None)


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


def current_token(version: AgreementVersion) -> str:
    """The token of what a check page shows of `version` (agreements.checked), read from the
    database as it is now (the lines and the provider read again, not from the session's
    memory)."""
    lines = db.session.scalars(select(AgreementLine).where(
        AgreementLine.version_id == version.id).execution_options(populate_existing=True)).all()
    provider = db.session.scalars(select(Provider).where(
        Provider.id == version.agreement.provider_id)
        .execution_options(populate_existing=True)).one()
    return checked_token(version, lines, provider)


def _check_step(actor: User, version: AgreementVersion, action: Action,
                today: dt.date, checked: str | None = None) -> list[Refusal]:
    """The gate of every step of a version's lifecycle (share, sign, submit, review, end, ...),
    a compare-and-set: the version's own row is locked and read again first (SELECT ... FOR
    UPDATE on PostgreSQL; on SQLite the write transaction holds the database's write lock),
    so two identical requests at the same moment are decided one after the other. The second
    finds the step already taken (is_repeat) and is answered AlreadyDone ("Dit is al
    gedaan"), before anything is written; the caller's writes, events and messages happen
    once. Returns the refusals of the transition table otherwise.

    `checked`: the token of what the person's check page showed (agreements.checked); the step
    is refused when the version is another one or changed since (compared under the lock)."""
    db.session.refresh(version, with_for_update=True)
    agreement = version.agreement
    parties = parties_of(actor, agreement, version, today)
    signed = version.signed_by_provider_at is not None
    refusals = check_transition(action, VersionStatus(version.status), parties,
                                      provider_signed=signed)
    if refusals and "not_your_step" not in {r.code for r in refusals} and is_repeat(
            action, VersionStatus(version.status), provider_signed=signed):
        raise _already_done(version)
    if checked is not None and not refusals:
        refusals += check_checked(checked, current_token(version))
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
    chosen_relation = (Relation(relation) if relation and rules.relation_asked(model)
                       and not refusals else Relation.GEEN)
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
            provider = db.session.get_one(Provider, match.id)
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
    link = None
    existing: Sequence[Agreement] = ()
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
    assert provider is not None  # refused above
    current, refusals = rules.check_one_agreement([_existing(a) for a in existing], today)
    draft = _draft(household_id, model, relation, starts_on, ends_on, end_kind, days_per_week,
                   lines, top_up)
    draft, spread_ids = _spread(draft, grant_ids or ())
    verdict = _verdict(draft, _provider_facts(provider), today)
    chosen, chosen_refusals = _chosen(household_id, spread_ids, draft.lines)
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
    if grant_ids is None:
        grant_ids = [c.grant_id for c in version.chosen_grants]
    draft, spread_ids = _spread(draft, grant_ids)
    verdict = _verdict(draft, _provider_facts(agreement.provider), today)
    chosen, chosen_refusals = _chosen(agreement.household_id, spread_ids, draft.lines)
    refuse_if(refusals + _blocking_for_save(verdict) + chosen_refusals)
    on_behalf_of = on_behalf_of or _on_behalf_of(actor, agreement.household_id, today)
    assert draft.starts_on is not None  # check_period's start_missing blocks saving

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


# ---------------------------------------------------------------------------------------------
# Review by the funder
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Ending and changes
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Reading for the screens: a fixed number of queries, whatever the history
# ---------------------------------------------------------------------------------------------


