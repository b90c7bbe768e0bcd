"""The payment office's automatic check of every submitted sheet, set-based (issue 14).

The same decision as office_approve / office_suspend one sheet at a time (the claim rules at
Stage.RECHECK against the same facts as service.sheet_facts), but per batch of BATCH_SIZE
sheets a fixed number of statements: the sheets locked (FOR UPDATE), their lines, the versions
with their lines, the grants, the providers (persons locked, as check_lines does), the other
sheets of those agreements and the person-providers' minutes in those months; then one UPDATE
of the approved sheets, bulk inserts of their history events, audit lines and the providers'
messages. A sheet that fails is suspended through office_suspend (rare; one at a time, with
its reasons), a monthly wage goes through office_approve (its own check).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.access.permissions import providers_recipients
from portal.access.service import record_many
from portal.agreements.constants import ProviderKind
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.titles import agreement_titles
from portal.budgets.models import Grant
from portal.claims import rules
from portal.claims import service as claims_service
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim, ClaimEvent, ClaimLine
from portal.claims.rules import Action, LineInput, SheetFacts, Side, Stage
from portal.database import bulk_insert, chunks, expire_loaded, id_in, rowcount, table_of
from portal.dates import first_of_month, last_of_month, now
from portal.extensions import db
from portal.messages.service import item_link, notify_many
from portal.providers.models import Provider
from portal.refusals import Refusal, Refused


@dataclass(frozen=True)
class _Sheet:
    id: int
    reference: str
    agreement_id: int
    month: dt.date
    kind: str
    total_cents: int
    household_id: int
    provider_id: int


def approve_all_submitted(today: dt.date, end_of_batch: Callable[[], None] | None = None
                          ) -> list[int]:
    """Check every submitted sheet. Those that pass are approved (their ids returned); a sheet
    whose agreement no longer covers it is suspended (opgeschort) with the reasons, for a
    person to look at. A sheet another transaction decided at the same moment is left as it
    decided. `end_of_batch` is called after each batch (a run's batch commit)."""
    ids = list(db.session.scalars(select(Claim.id).where(Claim.status == ClaimStatus.INGEDIEND)
                                  .order_by(Claim.id)))
    approved: list[int] = []
    for batch in chunks(ids):
        approved += _approve_batch(batch, today)
        if end_of_batch is not None:
            end_of_batch()
    return approved


def _approve_batch(ids: list[int], today: dt.date) -> list[int]:
    rows = db.session.execute(
        select(Claim.id, Claim.reference, Claim.agreement_id, Claim.month, Claim.kind,
               Claim.total_cents, Agreement.household_id, Agreement.provider_id)
        .outerjoin(Agreement, Agreement.id == Claim.agreement_id)
        .where(id_in(Claim.id, ids), Claim.status == ClaimStatus.INGEDIEND)
        .order_by(Claim.id).with_for_update(of=Claim)).all()
    # Hour sheets set-based; a wage or an allowance claim (a Wlz free amount has no agreement)
    # one at a time through office_approve, with its own check.
    hours = [_Sheet(r.id, r.reference, r.agreement_id, r.month, r.kind, r.total_cents,
                    r.household_id, r.provider_id)
             for r in rows if r.kind == ClaimKind.UREN and r.agreement_id is not None]
    one_by_one = [r.id for r in rows if r.kind != ClaimKind.UREN or r.agreement_id is None]
    refused: dict[int, list] = {}
    for sheet, (_priced, refusals) in zip(hours, _check(hours, today), strict=True):
        if refusals:
            refused[sheet.id] = refusals
    passed = [s for s in hours if s.id not in refused]
    _write_approved(passed)
    done = [s.id for s in passed]
    # A sheet the set-based check refused gets the office's own check one at a time:
    # office_approve re-prices it first (a back-dated tariff change, claims.corrections) and
    # suspends it only when it still does not pass.
    for claim_id in sorted([*one_by_one, *refused]):
        claim = db.session.get_one(Claim, claim_id)
        try:
            claims_service.office_approve(None, claim, today)
            done.append(claim_id)
        except Refused as refusal:
            claims_service.office_suspend(
                None, claim, " ".join(r.message for r in refusal.refusals), today,
                codes=refusal.codes)
    return sorted(done)


def _check(sheets: list[_Sheet], today: dt.date) -> list[tuple]:
    """rules.check_sheet at Stage.RECHECK for each sheet, with the facts of service.sheet_facts
    (the sheet itself excluded) loaded for the whole batch at once."""
    if not sheets:
        return []
    agreement_ids = {s.agreement_id for s in sheets}
    lines: dict[int, list[LineInput]] = defaultdict(list)
    for claim_id, day, care_kind, quantity, grant_id, tariff in db.session.execute(
            select(ClaimLine.claim_id, ClaimLine.day, ClaimLine.care_kind, ClaimLine.quantity,
                   ClaimLine.grant_id, ClaimLine.tariff_cents)
            .where(id_in(ClaimLine.claim_id, [s.id for s in sheets]))
            .order_by(ClaimLine.day, ClaimLine.id)):  # as Claim.lines: by day
        lines[claim_id].append(LineInput(day=day, care_kind=care_kind, quantity=quantity,
                                         grant_id=grant_id, tariff_cents=tariff))
    versions: dict[int, list[AgreementVersion]] = defaultdict(list)
    for version in db.session.scalars(
            select(AgreementVersion).where(id_in(AgreementVersion.agreement_id, agreement_ids))
            .options(selectinload(AgreementVersion.lines))
            .order_by(AgreementVersion.agreement_id, AgreementVersion.number)):
        versions[version.agreement_id].append(version)
    agreed = {a: claims_service.agreed_versions(vs) for a, vs in versions.items()}
    grant_ids = {line.grant_id for vs in agreed.values() for v in vs for line in v.lines}
    periods = dict((g, (start, end)) for g, start, end in db.session.execute(
        select(Grant.id, Grant.period_start, Grant.period_end).where(id_in(Grant.id, grant_ids))))
    persons = set(db.session.scalars(
        select(Provider.id).where(id_in(Provider.id, {s.provider_id for s in sheets}),
                                  Provider.kind == ProviderKind.PERSOON)
        .order_by(Provider.id).with_for_update()))
    others = _other_sheets(agreement_ids)
    minutes = _person_minutes(persons, {s.month for s in sheets if s.provider_id in persons})
    results = []
    for s in sheets:
        month = first_of_month(s.month)
        own = agreed.get(s.agreement_id, ())
        facts = SheetFacts(
            versions=own, provider_is_person=s.provider_id in persons,
            other_minutes_by_day=_minus_own(minutes, s) if s.provider_id in persons else {},
            existing_reference=next((ref for cid, ref in others[(s.agreement_id, month)]
                                     if cid != s.id), None),
            grant_periods={g: periods[g] for g in {line.grant_id for v in own
                                                   for line in v.lines} if g in periods})
        results.append(rules.check_sheet(month, lines[s.id], facts, today, Stage.RECHECK))
    return results


def _other_sheets(agreement_ids) -> dict[tuple[int, dt.date], list[tuple[int, str]]]:
    """Per agreement and month: its hour sheets (id, reference), in id order."""
    found: dict[tuple[int, dt.date], list[tuple[int, str]]] = defaultdict(list)
    for claim_id, agreement_id, month, reference in db.session.execute(
            select(Claim.id, Claim.agreement_id, Claim.month, Claim.reference)
            .where(id_in(Claim.agreement_id, agreement_ids), Claim.kind == ClaimKind.UREN)
            .order_by(Claim.id)):
        assert agreement_id is not None  # selected by agreement
        found[(agreement_id, first_of_month(month))].append((claim_id, reference))
    return found


def _person_minutes(persons: set[int], months: set[dt.date]) -> dict:
    """Per (provider, month): the minutes per day and per sheet of the persons' sheets that are
    not refused, as sheet_facts counts them."""
    found: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    if not persons:
        return found
    for month in sorted({first_of_month(m) for m in months}):
        for provider_id, claim_id, day, unit, quantity in db.session.execute(
                select(Agreement.provider_id, Claim.id, ClaimLine.day, ClaimLine.unit,
                       ClaimLine.quantity)
                .join(Claim, Claim.id == ClaimLine.claim_id)
                .join(Agreement, Agreement.id == Claim.agreement_id)
                .where(id_in(Agreement.provider_id, persons), Claim.month == month,
                       Claim.kind == ClaimKind.UREN, Claim.status != ClaimStatus.AFGEKEURD,
                       ClaimLine.day >= month, ClaimLine.day <= last_of_month(month))):
            found[(provider_id, month)][claim_id][day] += rules.minutes_of(unit, quantity)
    return found


def _minus_own(minutes: dict, sheet: _Sheet) -> dict[dt.date, int]:
    per_day: dict[dt.date, int] = defaultdict(int)
    for claim_id, days in minutes.get((sheet.provider_id, first_of_month(sheet.month)),
                                      {}).items():
        if claim_id != sheet.id:
            for day, count in days.items():
                per_day[day] += count
    return dict(per_day)


def _write_approved(sheets: list[_Sheet]) -> None:
    """The approved sheets' status, history events, audit lines and the providers' messages:
    four statements (and one for the recipients), as _transition writes them one by one."""
    if not sheets:
        return
    to_status, _refusals = rules.check_transition(ClaimStatus.INGEDIEND, Action.OFFICE_APPROVE,
                                                  Side.SYSTEM)
    ids = [s.id for s in sheets]
    at = now()
    assert to_status is not None  # the system may approve a submitted sheet
    table = table_of(Claim)
    changed = rowcount(db.session.execute(
        update(table).where(id_in(table.c.id, ids),
                            table.c.status == ClaimStatus.INGEDIEND.value)
        .values(status=to_status.value, decided_at=at)))
    if changed != len(ids):  # they are locked: only a bug gets here
        raise Refused(Refusal("already_done", "Dit is al gedaan: een van de urenbriefjes is "
                              "intussen al beoordeeld. Er is niets goedgekeurd."))
    expire_loaded(Claim, ids)
    before, after = ClaimStatus.INGEDIEND.value, to_status.value
    bulk_insert(ClaimEvent, [
        {"claim_id": s.id, "from_status": before, "to_status": after, "actor_id": None,
         "on_behalf_of_id": None, "reason": None, "at": at} for s in sheets])
    record_many([{"action": "claim.office_approve", "household_id": s.household_id,
                  "object_type": "claim", "object_id": s.id,
                  "summary": f"Urenbriefje {s.reference}: {before} -> {after}",
                  "detail": {"reference": s.reference, "from": before, "to": after}}
                 for s in sheets])
    recipients = providers_recipients({s.provider_id for s in sheets})
    titles = agreement_titles({s.agreement_id for s in sheets})
    notify_many([(recipients.get(s.provider_id, []), "claim_approved",
                  *claims_service.approved_notice(s),
                  titles[s.agreement_id].title if s.agreement_id in titles else None,
                  item_link("claims.show", claim_id=s.id)) for s in sheets])
