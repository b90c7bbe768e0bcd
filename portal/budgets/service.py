"""Use cases on budgets. The only code that changes a grant's running totals.

reserve / release / settle lock the grant rows first (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite the write transaction already holds the database's write lock, see database.py),
then re-check what is available. The database CHECK on grants is the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, select, update

from portal import dates
from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import (
    budget_holder_names,
    budget_holder_of,
    household_access,
    is_office,
    is_office_or,
    require_office,
)
from portal.access.service import record
from portal.budgets import rules
from portal.budgets.constants import AllowanceKind, CareKind, FunderKind, Law
from portal.budgets.models import AllowanceCap, Funder, Grant, Household, Member
from portal.database import chunks, expire_loaded, id_in, rowcount, set_row, table_of
from portal.dates import format_day
from portal.extensions import db
from portal.identifiers import check_bsn, check_iban, mask_bsn
from portal.messages.service import notify
from portal.money import format_euro
from portal.refusals import Refusal, Refused, refuse_if


def lock_grants(grant_ids: Iterable[int]) -> dict[int, Grant]:
    """Load and lock grants in id order (a fixed order, so two lockers never deadlock)."""
    ids = sorted(set(grant_ids))
    rows = db.session.scalars(
        select(Grant).where(Grant.id.in_(ids)).order_by(Grant.id)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    found = {g.id: g for g in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Refused(Refusal("grant_unknown", "Dit budget bestaat niet (meer). Kies een ander "
                              "budget of neem contact op met de verstrekker."))
    return found


def budget_refusal(grant: Grant, needed_cents: int) -> Refusal:
    return Refusal("budget_insufficient",
                   f"Er is niet genoeg budget over: nodig {format_euro(needed_cents)}, "
                   f"beschikbaar {format_euro(grant.available_cents)} "
                   f"({grant.law.upper()} {grant.period_start.year}). Verlaag het aantal uren of "
                   "vraag de verstrekker om een hoger budget.")


def _lock_if_all_fit(shares: Mapping[int, int]) -> dict[int, Grant]:
    """Lock the grants; refuse (every short budget named) unless each share fits its grant."""
    grants = lock_grants(shares.keys())
    refusals = [budget_refusal(grants[gid], cents) for gid, cents in sorted(shares.items())
                if cents > grants[gid].available_cents]
    if refusals:
        raise Refused(refusals)
    return grants


def reserve(shares: Mapping[int, int]) -> dict[int, Grant]:
    """Reserve cents per grant for a submitted claim. All shares fit, or nothing is reserved."""
    grants = _lock_if_all_fit(shares)
    for gid, cents in shares.items():
        grants[gid].reserved_cents += cents
    db.session.flush()
    return grants


def release(shares: Mapping[int, int]) -> None:
    """Undo a reservation (a claim refused or withdrawn after submission)."""
    grants = lock_grants(shares.keys())
    for gid, cents in shares.items():
        if cents > grants[gid].reserved_cents:
            raise RuntimeError(f"release of {cents} exceeds reservation on grant {gid}")
        grants[gid].reserved_cents -= cents
    db.session.flush()


def settle(shares: Mapping[int, int]) -> None:
    """Move reserved cents to paid (a payment run paid the claims); a settle larger than the
    reservation changes nothing and raises."""
    table = table_of(Grant)
    _change_locked(shares, table.c.reserved_cents,
                   dict(reserved_cents=table.c.reserved_cents - bindparam("cents"),
                        paid_cents=table.c.paid_cents + bindparam("cents")),
                   "settle exceeds the reservation on one of the grants")


def refund(shares: Mapping[int, int]) -> None:
    """Give paid cents back to the grants (a claim-back netted in a payment run, see
    claims.corrections); a refund larger than what was paid changes nothing and raises."""
    table = table_of(Grant)
    _change_locked(shares, table.c.paid_cents,
                   dict(paid_cents=table.c.paid_cents - bindparam("cents")),
                   "refund exceeds what was paid from one of the grants")


def _change_locked(shares: Mapping[int, int], must_cover, values: dict, refusal: str) -> None:
    """Set-based, for a run's whole batch at once: the grants are locked in id order (one
    statement per chunk of ids, so it never deadlocks with a reservation), then changed by one
    conditional UPDATE (executemany) that needs `must_cover` >= the cents; its row count
    decides - when one grant does not cover its cents, nothing changes and it raises."""
    items = sorted((gid, cents) for gid, cents in shares.items() if cents)
    table = table_of(Grant)
    change = (update(table)
              .where(table.c.id == bindparam("gid"), must_cover >= bindparam("cents"))
              .values(**values))
    for batch in chunks(items):
        ids = [gid for gid, _ in batch]
        db.session.execute(select(table.c.id).where(id_in(table.c.id, ids))
                           .order_by(table.c.id).with_for_update())
        changed = rowcount(db.session.execute(change, [{"gid": gid, "cents": cents}
                                                       for gid, cents in batch]))
        if changed != len(batch):
            raise RuntimeError(f"{refusal} {ids}")
        expire_loaded(Grant, ids)


# --------------------------------------------------------------------------------------------
# Registering households, members and grants
# --------------------------------------------------------------------------------------------

def _not_allowed(what: str) -> Refused:
    return Refused(Refusal("not_allowed", f"U mag {what} niet doen. Vraag het aan de verstrekker "
                           "of het betaalkantoor."))


def holder_labels(household_ids) -> dict[int, str]:
    """Per household: how a document or a provider's page names it, the budget holder's name
    (access.permissions.budget_holder_names), or "Huishouden <name>" while it has no budget
    holder login. Two queries at most."""
    ids = set(household_ids)
    labels = budget_holder_names(ids)
    if ids - labels.keys():
        labels.update({h: f"Huishouden {name}" for h, name in db.session.execute(
            select(Household.id, Household.name).where(Household.id.in_(ids - labels.keys())))})
    return labels


def register_household(actor: User | None, name: str) -> Household:
    """A new household (budget holder's file). By the payment office, a consulent or the system."""
    if not is_office_or(actor, Role.CONSULENT):
        raise _not_allowed("een huishouden registreren")
    refuse_if(rules.check_household_name(name))
    household = Household(name=name.strip())
    db.session.add(household)
    db.session.flush()
    record("household_registered", actor=actor, household_id=household.id,
           object_type="household", object_id=household.id,
           summary=f"Huishouden {household.name} geregistreerd")
    db.session.flush()
    return household


def register_member(actor: User | None, household_id: int, name: str, bsn: str,
                    birth_date: dt.date, *, today: dt.date | None = None) -> Member:
    """A family member who receives care. BSN 11-test, no duplicate BSN, birth date not ahead."""
    today = today or dates.today()
    household = db.session.get(Household, household_id) if household_id is not None else None
    if household is not None and not is_office_or(actor, Role.CONSULENT):
        access = household_access(actor, household.id, today)
        if access is None or not access.can_act:
            raise _not_allowed("bij dit huishouden een gezinslid registreren")
    elif household is None and not is_office_or(actor, Role.CONSULENT):
        raise _not_allowed("een gezinslid registreren")
    compact, bsn_refusals = check_bsn(bsn)
    taken = compact is not None and db.session.scalar(
        select(Member.id).where(Member.bsn == compact)) is not None
    refuse_if(rules.check_member(name=name, birth_date=birth_date, today=today,
                                 household_known=household is not None,
                                 bsn_refusals=bsn_refusals, bsn_taken=taken))
    assert household is not None  # check_member refused an unknown household
    member = Member(household_id=household.id, name=name.strip(), bsn=compact,
                    birth_date=birth_date)
    db.session.add(member)
    db.session.flush()
    record("member_registered", actor=actor, household_id=household.id, object_type="member",
           object_id=member.id, summary=f"Gezinslid {member.name} ({mask_bsn(compact)}) "
           "geregistreerd")
    db.session.flush()
    return member


def set_holder_iban(actor: User, household_id: int, iban: str) -> Household:
    """Record the budget holder's own account (households.holder_iban): by the budget holder,
    or someone who may act for them. Never paid for care (agreements refuse it as a
    provider's account); the Wlz free-to-spend amount goes to it."""
    access = household_access(actor, household_id, dates.today())
    household = db.session.get(Household, household_id)
    if household is None or access is None or not access.can_act:
        raise _not_allowed("het rekeningnummer van de budgethouder vastleggen")
    value, refusals = check_iban(iban or "")
    refuse_if(refusals)
    before = household.holder_iban
    household.holder_iban = value
    record("holder_iban_set", actor=actor,
           on_behalf_of=budget_holder_of(household_id) if access.on_behalf else None,
           household_id=household_id, object_type="household", object_id=household_id,
           summary="Rekeningnummer van de budgethouder "
                   + ("gewijzigd" if before and before != value else "vastgelegd"),
           detail={"before": before, "iban": value})
    db.session.flush()
    return household


def household_of(household_id: int) -> Household | None:
    return db.session.get(Household, household_id)


def law_periods(member_ids: Iterable[int]) -> dict[tuple[int, str], list[tuple[dt.date, dt.date]]]:
    """(member id, law) -> the periods of the member's grants under that law, from ANY funder
    (one budget per member per law at a time, rules.check_grant). One query; for
    register_grant and the funders' CSV import alike."""
    periods: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    ids = sorted(set(member_ids))
    if ids:
        for member_id, law, start, end in db.session.execute(
                select(Grant.member_id, Grant.law, Grant.period_start, Grant.period_end)
                .where(Grant.member_id.in_(ids)).order_by(Grant.period_start)):
            periods[(member_id, str(Law(law).value))].append((start, end))
    return dict(periods)


def register_grant(actor: User | None, *, member_id: int | None, funder_id: int, law: str,
                   period_start: dt.date, period_end: dt.date, amount_cents: int,
                   care_kinds: list[str], decision_reference: str = "",
                   today: dt.date | None = None) -> Grant:
    """Register a toekenning. By a consulent of that funder, the payment office or the system.

    Refused (all reasons at once, nothing written) for an unknown member or funder, a law the
    funder does not fund, an amount <= 0 or absurdly high, an end before the start, a period
    over a year (or a Wlz period across 1 January), no or unknown kinds of care, and a period
    that overlaps another grant of the same member and law, from any funder.
    """
    member = db.session.get(Member, member_id) if member_id is not None else None
    funder = db.session.get(Funder, funder_id) if funder_id is not None else None
    if not is_office(actor) and not (actor is not None and actor.role == Role.CONSULENT
                                      and funder is not None and actor.funder_id == funder.id):
        raise _not_allowed("voor deze verstrekker een budget registreren")
    others: list[tuple[dt.date, dt.date]] = []
    if member is not None and funder is not None:
        others = law_periods([member.id]).get((member.id, str(law)), [])
    data = rules.GrantInput(law=law, period_start=period_start, period_end=period_end,
                            amount_cents=amount_cents, care_kinds=list(care_kinds or []),
                            decision_reference=decision_reference or "")
    refuse_if(rules.check_grant(data, member_known=member is not None,
                                funder_kind=FunderKind(funder.kind) if funder else None,
                                other_periods=others, today=today or dates.today()))
    assert member is not None and funder is not None  # check_grant refused unknown ones
    grant = Grant(member_id=member.id, funder_id=funder.id, law=Law(law),
                  period_start=period_start, period_end=period_end, amount_cents=amount_cents,
                  reserved_cents=0, paid_cents=0,
                  care_kinds=[CareKind(k).value for k in data.care_kinds],
                  decision_reference=data.decision_reference.strip())
    db.session.add(grant)
    db.session.flush()
    record("grant_registered", actor=actor, household_id=member.household_id,
           object_type="grant", object_id=grant.id,
           summary=f"Budget {Law(law).label} {format_day(period_start)} - {format_day(period_end)}"
                   f" van {format_euro(amount_cents)} geregistreerd voor {member.name}",
           detail={"funder_id": funder.id, "amount_cents": amount_cents})
    holder = budget_holder_of(member.household_id)
    if holder is not None:
        notify([holder.id], "grant_registered", f"Nieuw budget: {Law(law).label} voor {member.name}",
               f"{funder.name} heeft {format_euro(amount_cents)} toegekend voor "
               f"{format_day(period_start)} tot en met {format_day(period_end)}.")
    db.session.flush()
    return grant


def end_grant_early(actor: User | None, grant_id: int, ended_on: dt.date, reason: str, *,
                    last_care_day: dt.date | None) -> Grant:
    """A budget ends before the end granted (care in kind, death): its period_end moves to
    `ended_on`, under the grant's row lock. By a consulent of the grant's funder, the payment
    office or the system. What follows from it for the claims (the free amount's claim-back)
    is claims.free_claim_back's; last_care_day comes from there. Never commits."""
    grant = db.session.get(Grant, grant_id) if grant_id is not None else None
    if grant is None or not (is_office(actor) or (
            actor is not None and actor.role == Role.CONSULENT
            and actor.funder_id == grant.funder_id)):
        raise _not_allowed("dit budget beëindigen")
    grant = lock_grants([grant.id])[grant.id]
    refuse_if(rules.check_grant_end(period_start=grant.period_start, period_end=grant.period_end,
                                    ended_on=ended_on, reason=reason,
                                    last_care_day=last_care_day))
    before = grant.period_end
    grant.period_end = ended_on
    member = db.session.get_one(Member, grant.member_id)
    record("grant_ended_early", actor=actor, household_id=member.household_id,
           object_type="grant", object_id=grant.id,
           summary=f"Budget {Law(grant.law).label} van {member.name} stopt op "
                   f"{format_day(ended_on)} in plaats van {format_day(before)}: "
                   f"{reason.strip()}",
           detail={"before": before.isoformat(), "ended_on": ended_on.isoformat(),
                   "reason": reason.strip()})
    db.session.flush()
    return grant


# --------------------------------------------------------------------------------------------
# Wlz yearly allowances
# --------------------------------------------------------------------------------------------

def _allowance_table_cap(law: str, kind: str, year: int) -> int | None:
    return db.session.scalar(select(AllowanceCap.cap_cents).where(
        AllowanceCap.law == law, AllowanceCap.kind == kind, AllowanceCap.year == year))


def set_allowance_cap(actor: User | None, *, law: str, kind: str, year: int, cap_cents: int,
                      today: dt.date, note: str = "") -> tuple[AllowanceCap, int | None]:
    """Set (or change) the yearly cap of an allowance, e.g. the Wlz holiday allowance of 2027.

    By the payment office or the system (the command line). Returns the row and the cap it had
    before (None: new). Without a row every use of that allowance in that year is refused
    (allowance_cap_missing), so a new database needs this once a year.
    """
    require_office(actor, "het maximum van een uitkering vaststellen")
    refuse_if(rules.check_allowance_cap(law=law, kind=kind, year=year, cap_cents=cap_cents,
                                        today=today))
    row, previous = set_row(AllowanceCap, {"law": Law(law), "kind": AllowanceKind(kind),
                                           "year": year},
                            {"cap_cents": cap_cents, **({"note": note} if note else {})})
    before = previous["cap_cents"] if previous else None
    record("allowance_cap_set", actor=actor, object_type="allowance_cap", object_id=row.id,
           summary=f"Maximum {AllowanceKind(kind).label.lower()} {Law(law).label} {year}: "
                   f"{format_euro(cap_cents)}",
           detail={"before_cents": before, "cap_cents": cap_cents})
    db.session.flush()
    return row, before


# --------------------------------------------------------------------------------------------
# Working on paper
# --------------------------------------------------------------------------------------------

def set_works_on_paper(actor: User, household_id: int, works_on_paper: bool,
                       today: dt.date) -> Household:
    """The budget holder's choice "ik werk op papier": the monthly paper run then prints the
    statement and the hour sheets for this household. By the budget holder, or someone with a
    'handelen' authorisation (on behalf, logged)."""
    household = db.session.get(Household, household_id) if household_id is not None else None
    access = household_access(actor, household.id, today) if household is not None else None
    if household is None or access is None or not access.can_act:
        raise _not_allowed("deze keuze voor dit huishouden")
    works_on_paper = bool(works_on_paper)
    if household.works_on_paper == works_on_paper:
        return household
    household.works_on_paper = works_on_paper
    db.session.flush()
    record("works_on_paper_changed", actor=actor,
           on_behalf_of=budget_holder_of(household.id) if access.on_behalf else None,
           household_id=household.id, object_type="household", object_id=household.id,
           summary="Werkt op papier" if works_on_paper else "Werkt niet meer op papier",
           detail={"works_on_paper": works_on_paper})
    db.session.flush()
    return household
