"""Setting maximum tariffs: the MaxTariff rows that agreements.tariffs reads.

The national Wlz maxima of 2023 and 2024 are in agreements.tariffs.NATIONAL (code, no row
needed). Everything else - a gemeente's maxima for Wmo and Jeugdwet, a new year of national Wlz
maxima - is a MaxTariff row, set by the payment office or a funder's administrator through
`portal set-max-tariff`. Without a row, a Wmo or Jeugdwet tariff is not capped.

check_max_tariff is pure (plain data in, refusals out); set_max_tariff is the use case.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import User
from portal.access.service import record
from portal.agreements.models import MaxTariff
from portal.budgets.constants import LAWS_BY_FUNDER_KIND, FunderKind, Law, Unit
from portal.budgets.models import Funder
from portal.budgets.rules import check_table_year
from portal.database import parse_id
from portal.extensions import db
from portal.money import format_euro
from portal.refusals import Refusal, Refused, refuse_if

# Units a maximum tariff is set for; a fixed monthly wage has none.
CAPPED_UNITS = (Unit.UUR, Unit.DAGDEEL, Unit.ETMAAL)


def check_max_tariff(*, law: str, year: int, unit: str, informal: bool | None, max_cents: int,
                     funder_given: bool, funder_kind: FunderKind | None,
                     today: dt.date) -> list[Refusal]:
    """Every reason this maximum cannot be set, at once.

    funder_given: a funder was named; funder_kind: its kind, None when it does not exist. No
    funder: a national maximum, which only the Wlz has (gemeenten set Wmo and Jeugdwet maxima
    themselves).
    """
    refusals: list[Refusal] = []
    known_law = law in {w.value for w in Law}
    if not known_law:
        refusals.append(Refusal("law_unknown", "Deze wet kennen we niet. Kies uit: "
                                + ", ".join(w.value for w in Law) + ".", "law"))
    if funder_given and funder_kind is None:
        refusals.append(Refusal("funder_unknown", "Deze verstrekker bestaat niet. Controleer het "
                                "nummer van de verstrekker.", "funder"))
    elif funder_kind is not None and known_law \
            and Law(law) not in LAWS_BY_FUNDER_KIND[FunderKind(funder_kind)]:
        refusals.append(Refusal("law_not_funded", f"Een {FunderKind(funder_kind).label.lower()} "
                                f"verstrekt geen budget voor de {Law(law).label}. Kies de wet die "
                                "deze verstrekker verstrekt.", "law"))
    elif not funder_given and known_law and law != Law.WLZ:
        refusals.append(Refusal("funder_missing", f"Voor de {Law(law).label} stelt elke "
                                "verstrekker zijn eigen maximum vast: geef de verstrekker op. "
                                "Alleen de Wlz heeft landelijke maxima.", "funder"))
    if unit == Unit.MAANDLOON:
        refusals.append(Refusal("unit_not_capped", "Een vast maandloon heeft geen maximumtarief. "
                                "Kies uur, dagdeel of etmaal.", "unit"))
    elif unit not in {u.value for u in CAPPED_UNITS}:
        refusals.append(Refusal("unit_unknown", "Deze eenheid kennen we niet. Kies uur, dagdeel "
                                "of etmaal.", "unit"))
    if informal is None:
        refusals.append(Refusal("informal_missing", "Zeg of het maximum geldt voor familie en "
                                "naasten (informeel) of voor zorgverleners van beroep (formeel).",
                                "informal"))
    refusals += check_table_year(year, today)
    if max_cents <= 0:
        refusals.append(Refusal("amount_not_positive", "Het maximumtarief moet groter zijn dan "
                                f"{format_euro(0)}.", "amount"))
    return refusals


def set_max_tariff(actor: User | None, *, funder_id: int | None, law: str, year: int, unit: str,
                   informal: bool | None, max_cents: int, today: dt.date
                   ) -> tuple[MaxTariff, int | None]:
    """Set (or change) one maximum tariff. Returns the row and the maximum it had before
    (None: new). By the payment office or the system (the command line)."""
    if actor is not None and actor.role != Role.BEHEERDER:
        raise Refused(Refusal("not_allowed", "Alleen het betaalkantoor kan maximumtarieven "
                              "vaststellen."))
    known_id = parse_id(funder_id)
    funder = db.session.get(Funder, known_id) if known_id is not None else None
    refuse_if(check_max_tariff(law=law, year=year, unit=unit, informal=informal,
                               max_cents=max_cents, funder_given=funder_id is not None,
                               funder_kind=FunderKind(funder.kind) if funder else None,
                               today=today))
    match = (MaxTariff.funder_id == funder.id) if funder else MaxTariff.funder_id.is_(None)
    row = db.session.scalar(select(MaxTariff).where(
        match, MaxTariff.law == law, MaxTariff.year == year, MaxTariff.informal == informal,
        MaxTariff.unit == unit).with_for_update())
    before = row.max_cents if row is not None else None
    if row is None:
        row = MaxTariff(funder_id=funder.id if funder else None, law=Law(law), year=year,
                        informal=bool(informal), unit=Unit(unit), max_cents=max_cents)
        db.session.add(row)
    else:
        row.max_cents = max_cents
    db.session.flush()
    who = funder.name if funder else "landelijk"
    record("max_tariff_set", actor=actor, object_type="max_tariff", object_id=row.id,
           summary=f"Maximumtarief {Law(law).label} {year} {Unit(unit).label}, "
                   f"{'informeel' if informal else 'formeel'} ({who}): {format_euro(max_cents)}",
           detail={"before_cents": before, "max_cents": max_cents, "funder_id": row.funder_id})
    db.session.flush()
    return row, before
