"""Registering many grants at once from a CSV file: all or nothing.

The file
--------
UTF-8 text (a byte-order mark from Excel is fine), at most 5 MB. The first line names the
columns, in any order, upper or lower case:

    bsn;wet;begindatum;einddatum;bedrag;zorgsoorten;beschikkingsnummer

- delimiter: ";" (what Dutch Excel writes) or ",": the one the header line uses most;
- bsn: 9 digits (the 11-test applies); the member must be registered already;
- wet: wmo, jeugdwet, wlz or zvw (the law must be one the funder grants budgets under);
- begindatum, einddatum: YYYY-MM-DD, for example 2026-01-01;
- bedrag: euros with a decimal comma, "1234,56" (a point for the cents, "1234.56", is fine
  too; in a ","-separated file put an amount with a comma between double quotes);
- zorgsoorten: one or more kinds of care separated by "|" (or "+", or "," in a ";" file), by
  code or by name, e.g. "individuele_begeleiding|persoonlijke verzorging";
- beschikkingsnummer: the reference of the decision; the column may be left out or empty.

How it is checked
-----------------
First the whole file: encoding, size, empty, missing columns. Then every row with the pure
checks (portal.identifiers, portal.dates, portal.money and budgets.rules.check_grant, the
same rule the form uses), against the grants already registered and the rows above it in the
file. Any bad row: a report lists every bad row with its line number and reasons, and nothing
is imported. Only a clean file is written, row by row through budgets.service.register_grant,
inside one savepoint: if a row is refused there after all, everything rolls back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from portal import dates
from portal.access.constants import Role
from portal.access.models import User
from portal.access.service import record
from portal.budgets import rules as budget_rules
from portal.budgets import service as budgets_service
from portal.budgets.constants import CareKind, FunderKind, Law
from portal.budgets.models import Funder, Grant, Member
from portal.dates import parse_date
from portal.extensions import db
from portal.identifiers import check_bsn, mask_bsn
from portal.money import format_euro, parse_euros
from portal.refusals import Refusal, Refused
from portal.text import check_one_line

COLUMNS = ("bsn", "wet", "begindatum", "einddatum", "bedrag", "zorgsoorten", "beschikkingsnummer")
REQUIRED_COLUMNS = COLUMNS[:-1]
MAX_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ROWS = 1000  # a report longer than this stops listing (the count is still given)

# Which check_grant field belongs to which column, to say where a problem is.
FIELD_COLUMNS = {"law": "wet", "period_start": "begindatum", "period_end": "einddatum",
                 "amount": "bedrag", "care_kinds": "zorgsoorten",
                 "decision_reference": "beschikkingsnummer", "bsn": "bsn", "member": "bsn"}
COLUMN_FIELDS = {column: name for name, column in FIELD_COLUMNS.items() if name != "member"}


@dataclass(frozen=True)
class GrantRow:
    """One row that parsed: what register_grant needs, and the BSN to find the member."""

    line: int
    bsn: str
    law: str
    period_start: dt.date
    period_end: dt.date
    amount_cents: int
    care_kinds: tuple[str, ...]
    decision_reference: str


@dataclass(frozen=True)
class RowError:
    line: int
    refusals: tuple[Refusal, ...]

    @property
    def messages(self) -> list[str]:
        return [r.message for r in self.refusals]


@dataclass
class ImportReport:
    """The outcome: file-level refusals, or row errors, or the number imported."""

    file_refusals: list[Refusal] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    rows_checked: int = 0
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_refusals and not self.row_errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.row_errors[:MAX_REPORTED_ROWS]


# ---------------------------------------------------------------------------------------------
# Pure parsing and checking
# ---------------------------------------------------------------------------------------------


def _file_refusal(code: str, message: str) -> Refusal:
    return Refusal(code, message, "file")


def decode(data: bytes) -> tuple[str | None, list[Refusal]]:
    """The text of the file, or why it cannot be read."""
    if len(data) > MAX_BYTES:
        return None, [_file_refusal("file_too_large", "Het bestand is groter dan 5 MB. Verdeel de "
                                    "toekenningen over meer bestanden.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_file_refusal("file_not_utf8", "Het bestand is geen UTF-8-tekst. Sla het in "
                                    "Excel op als 'CSV UTF-8 (door komma's gescheiden)' en probeer "
                                    "het opnieuw.")]
    if "\x00" in text:
        return None, [_file_refusal("file_not_text", "Het bestand bevat tekens die niet in een "
                                    "CSV-bestand horen. Is het wel het CSV-bestand? Sla het in "
                                    "Excel op als 'CSV UTF-8 (door komma's gescheiden)' en probeer "
                                    "het opnieuw.")]
    if not text.strip():
        return None, [_file_refusal("file_empty", "Het bestand is leeg. Kies het bestand met de "
                                    "toekenningen.")]
    return text, []


def delimiter_of(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def _normalise(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


_LAWS = {**{law.value: law.value for law in Law}, **{_normalise(law.label): law.value for law in Law}}
_KINDS = {**{c.value: c.value for c in CareKind},
          **{_normalise(c.label): c.value for c in CareKind},
          **{_normalise(c.label.split(" (")[0]): c.value for c in CareKind}}


def parse_law(value: str) -> str:
    """'Wmo 2015', 'WMO', 'wmo' -> 'wmo'. Unknown text stays as it is (check_grant refuses it)."""
    return _LAWS.get(_normalise(value), value.strip())


def parse_care_kinds(value: str, delimiter: str) -> tuple[str, ...]:
    separators = "|+" + ("," if delimiter == ";" else "")
    parts = [p for p in re.split(f"[{re.escape(separators)}]", value) if p.strip()]
    return tuple(_KINDS.get(_normalise(p), p.strip()) for p in parts)


Rows = tuple[list[tuple[int, dict[str, str]]], list[RowError], list[Refusal]]


def read_rows(text: str) -> Rows:
    """The data rows as (line number, column -> text), rows of the wrong width, file refusals."""
    delimiter = delimiter_of(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_rows(reader, delimiter)
    except csv.Error:  # a value over the csv module's limit (128 KB)
        return [], [], [_file_refusal("file_unreadable", f"Regel {reader.line_num} kan niet "
                                      "gelezen worden: er staat een veel te lange waarde in. "
                                      "Controleer die regel en probeer het opnieuw.")]


def _read_rows(reader, delimiter: str) -> Rows:
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [], [_file_refusal("columns_missing", "Deze kolommen ontbreken in de eerste regel: "
                                      + ", ".join(missing) + ". De eerste regel moet zijn: "
                                      + ";".join(COLUMNS) + ".")]
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    previous_end = reader.line_num
    for values in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(v.strip() for v in values):
            continue  # an empty line
        if len(values) > len(header):
            errors.append(RowError(line, (Refusal(
                "row_too_many_columns", f"Deze regel heeft {len(values)} kolommen, de eerste regel "
                f"{len(header)}. Staat er een scheidingsteken ('{delimiter}') in een waarde? Zet "
                "die waarde dan tussen dubbele aanhalingstekens.", "row"),)))
            continue
        rows.append((line, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header)}
                     | {"_delimiter": delimiter}))
    if not rows and not errors:
        return [], [], [_file_refusal("file_no_rows", "Het bestand heeft alleen een kopregel. Zet "
                                      "onder de kopregel een regel per toekenning.")]
    return rows, errors, []


def parse_row(line: int, values: Mapping[str, str]) -> tuple[GrantRow | None, list[Refusal]]:
    """One row's text into values; every reason it cannot be read, at once. A value with a
    line break or tab in it (inside quotes) is refused first (portal.text.check_one_line)."""
    broken = check_one_line({COLUMN_FIELDS.get(column, column): value
                             for column, value in values.items() if column in COLUMNS})
    if broken:
        return None, broken
    refusals: list[Refusal] = []
    compact, bsn_refusals = check_bsn(values.get("bsn", ""))
    refusals += bsn_refusals
    dates: dict[str, dt.date] = {}
    for column, name in (("begindatum", "period_start"), ("einddatum", "period_end")):
        try:
            dates[name] = parse_date(values.get(column, ""), name)
        except Refused as refused:
            refusals += refused.refusals
    amount: int | None = None
    text = values.get("bedrag", "")
    if not text.strip():
        refusals.append(Refusal("amount_missing", "Vul het bedrag in, bijvoorbeeld 1234,56.", "amount"))
    else:
        try:
            amount = parse_euros(text, "amount")
        except Refused as refused:
            refusals += refused.refusals
    if refusals:
        return None, refusals
    assert compact is not None and amount is not None  # else refused above
    return GrantRow(line=line, bsn=compact, law=parse_law(values.get("wet", "")),
                    period_start=dates["period_start"], period_end=dates["period_end"],
                    amount_cents=amount,
                    care_kinds=parse_care_kinds(values.get("zorgsoorten", ""),
                                                values.get("_delimiter", ";")),
                    decision_reference=(values.get("beschikkingsnummer") or "").strip()), []


def check_rows(rows: Sequence[GrantRow], *, member_ids: Mapping[str, int],
               funder_kind: FunderKind,
               existing: Mapping[tuple[int, str], Sequence[tuple[dt.date, dt.date]]],
               today: dt.date | None = None) -> list[RowError]:
    """Pure: every row against budgets.rules.check_grant, the members known by BSN, the
    periods already registered (per member and law, of this funder) and the rows above it."""
    errors = []
    seen: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for row in rows:
        refusals: list[Refusal] = []
        member_id = member_ids.get(row.bsn)
        if member_id is None:
            refusals.append(Refusal("member_unknown", f"Er is geen gezinslid met BSN "
                                    f"{mask_bsn(row.bsn)}. Controleer het nummer, of laat het "
                                    "betaalkantoor het gezinslid eerst registreren.", "bsn"))
        key = (member_id or 0, row.law)  # 0: no member, then `others` is not read
        others = list(existing.get(key, ())) + seen[key] if member_id is not None else []
        data = budget_rules.GrantInput(law=row.law, period_start=row.period_start,
                                       period_end=row.period_end, amount_cents=row.amount_cents,
                                       care_kinds=list(row.care_kinds),
                                       decision_reference=row.decision_reference)
        refusals += budget_rules.check_grant(data, member_known=True, funder_kind=funder_kind,
                                             other_periods=others, today=today)
        if refusals:
            errors.append(RowError(row.line, tuple(refusals)))
        elif member_id is not None:
            seen[key].append((row.period_start, row.period_end))
    return errors


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


def check_file(data: bytes, funder: Funder) -> tuple[ImportReport, list[GrantRow], dict[str, int]]:
    """Read and check the whole file (two queries). Writes nothing."""
    report = ImportReport()
    text, report.file_refusals = decode(data)
    if text is None:
        return report, [], {}
    raw, width_errors, report.file_refusals = read_rows(text)
    if report.file_refusals:
        return report, [], {}
    report.rows_checked = len(raw) + len(width_errors)
    rows: list[GrantRow] = []
    errors = list(width_errors)
    for line, values in raw:
        row, refusals = parse_row(line, values)
        if row is None:
            errors.append(RowError(line, tuple(refusals)))
        else:
            rows.append(row)
    row_errors, member_ids = check_parsed_rows(rows, funder)
    report.row_errors = sorted(errors + row_errors, key=lambda e: e.line)
    return report, rows, member_ids


def check_parsed_rows(rows: Sequence[GrantRow], funder: Funder
                      ) -> tuple[list[RowError], dict[str, int]]:
    """check_rows with the members (by BSN) and this funder's registered periods looked up
    (two queries); also the member ids found. Writes nothing. For the CSV file and the API."""
    bsns = {r.bsn for r in rows}
    member_ids = dict(db.session.execute(
        select(Member.bsn, Member.id).where(Member.bsn.in_(bsns))).all()) if bsns else {}
    existing = budgets_service.law_periods(member_ids.values())
    errors = check_rows(rows, member_ids=member_ids, funder_kind=FunderKind(funder.kind),
                        existing=existing, today=dates.today())
    return errors, member_ids


def import_grants(actor: User, data: bytes) -> ImportReport:
    """Check the whole file; import every row only when no row is bad (the consulent's funder).

    Returns the report; raises Refused only when the actor may not register grants.
    """
    if actor is None or actor.role != Role.CONSULENT or actor.funder_id is None:
        raise Refused(Refusal("not_allowed", "Alleen een consulent van een financier kan "
                              "toekenningen importeren."))
    funder = db.session.get_one(Funder, actor.funder_id)
    report, rows, member_ids = check_file(data, funder)
    if not report.ok:
        return report
    registered, report.row_errors = register_rows(actor, funder, rows, member_ids,
                                                  source="een CSV-bestand")
    report.imported = len(registered)
    return report


def register_rows(actor: User, funder: Funder, rows: Sequence[GrantRow],
                  member_ids: Mapping[str, int], *, source: str
                  ) -> tuple[list[Grant], list[RowError]]:
    """Register every checked row through budgets.service.register_grant, all or none: the
    grants, or nothing written and the row that was refused. One audit event for the batch
    ("... geïmporteerd uit <source>")."""
    savepoint = db.session.begin_nested()
    current: GrantRow | None = None
    grants: list[Grant] = []
    try:
        for current in rows:
            grants.append(budgets_service.register_grant(
                actor, member_id=member_ids[current.bsn], funder_id=funder.id, law=current.law,
                period_start=current.period_start, period_end=current.period_end,
                amount_cents=current.amount_cents, care_kinds=list(current.care_kinds),
                decision_reference=current.decision_reference))
    except Refused as refused:
        savepoint.rollback()
        assert current is not None  # only a row's registration refuses
        return [], [RowError(current.line, tuple(refused.refusals))]
    savepoint.commit()
    total = sum(r.amount_cents for r in rows)
    record("grants_imported", actor=actor, object_type="funder", object_id=funder.id,
           summary=f"{len(rows)} toekenning(en) geïmporteerd uit {source}, samen "
                   f"{format_euro(total)}", detail={"count": len(rows), "total_cents": total})
    db.session.flush()
    return grants, []


def column_of(refusal: Refusal) -> str | None:
    """The CSV column a refusal is about, for the report."""
    return FIELD_COLUMNS.get(refusal.field or "")
