"""CSV import of grants: the whole file is checked first; any bad row imports nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.budgets.constants import FunderKind, Law
from portal.budgets.models import Grant
from portal.extensions import db as _db
from portal.funders import csv_import as ci
from portal.messages.models import Message
from portal.refusals import Refused
from tests import factories as f

HEADER = "bsn;wet;begindatum;einddatum;bedrag;zorgsoorten;beschikkingsnummer"


def _line(bsn, law="wmo", start="2026-01-01", end="2026-12-31", amount="1234,56",
          kinds="individuele_begeleiding|huishoudelijke_hulp", ref="WMO-1", sep=";"):
    return sep.join([bsn, law, start, end, amount, kinds, ref])


# --------------------------------------------------------------------------- pure parts


def test_not_utf8_is_refused():
    text, refusals = ci.decode("bsn;wet\n€".encode("cp1252"))
    assert text is None and [r.code for r in refusals] == ["file_not_utf8"]


def test_utf8_with_byte_order_mark_is_fine():
    text, refusals = ci.decode(("\ufeff" + HEADER).encode("utf-8"))
    assert refusals == [] and text.startswith("bsn;")


@pytest.mark.parametrize("data", [b"", b"  \n\n"])
def test_empty_file_is_refused(data):
    assert [r.code for r in ci.decode(data)[1]] == ["file_empty"]


def test_larger_than_5_mb_is_refused_and_5_mb_is_not():
    assert [r.code for r in ci.decode(b"x" * (ci.MAX_BYTES + 1))[1]] == ["file_too_large"]
    assert ci.decode(b"x" * ci.MAX_BYTES)[1] == []


def test_missing_columns_are_named():
    rows, errors, refusals = ci.read_rows("bsn;wet;begindatum;bedrag\n1;2;3;4\n")
    assert [r.code for r in refusals] == ["columns_missing"]
    assert "einddatum, zorgsoorten" in refusals[0].message


def test_the_decision_reference_column_may_be_left_out():
    rows, errors, refusals = ci.read_rows("bsn;wet;begindatum;einddatum;bedrag;zorgsoorten\n"
                                          "1;wmo;2026-01-01;2026-12-31;1;vervoer\n")
    assert refusals == [] and errors == [] and len(rows) == 1


def test_header_only_is_refused():
    assert [r.code for r in ci.read_rows(HEADER + "\n")[2]] == ["file_no_rows"]


def test_comma_separated_file_with_quoted_amount():
    text = HEADER.replace(";", ",") + '\n111222333,wlz,2026-01-01,2026-12-31,"1234,56",' \
        '"verpleging,persoonlijke_verzorging",X\n'
    rows, errors, refusals = ci.read_rows(text)
    assert refusals == [] and errors == []
    row, problems = ci.parse_row(*rows[0])
    assert problems == []
    assert row.amount_cents == 123_456
    # in a comma file the kinds are separated by | (a comma inside quotes is one value)
    assert row.care_kinds == ("verpleging,persoonlijke_verzorging",)


def test_kinds_and_law_by_name_or_code():
    line, values = ci.read_rows(HEADER + "\n" + _line(
        f.valid_bsn(1), law="Wmo 2015", kinds="Huishoudelijke hulp|vervoer, groepsbegeleiding")
        + "\n")[0][0]
    row, problems = ci.parse_row(line, values)
    assert problems == [] and row.law == "wmo"
    assert row.care_kinds == ("huishoudelijke_hulp", "vervoer", "groepsbegeleiding")


def test_line_numbers_count_the_header_and_skip_empty_lines():
    text = "\n".join([HEADER, _line(f.valid_bsn(1)), "", _line(f.valid_bsn(2))]) + "\n"
    rows, _errors, _refusals = ci.read_rows(text)
    assert [line for line, _ in rows] == [2, 4]


def test_a_row_with_too_many_columns_is_reported():
    rows, errors, _ = ci.read_rows(HEADER + "\n" + _line(f.valid_bsn(1)) + ";extra\n")
    assert rows == [] and errors[0].line == 2
    assert errors[0].refusals[0].code == "row_too_many_columns"


def test_every_reason_of_a_row_at_once():
    _, values = ci.read_rows(HEADER + "\n" + _line("123456789", start="2026-02-30",
                                                   amount="veel") + "\n")[0][0]
    row, problems = ci.parse_row(2, values)
    assert row is None
    assert {p.code for p in problems} == {"bsn_invalid", "date_invalid", "amount_invalid"}


def test_a_file_with_nul_bytes_is_no_csv_file():
    text, refusals = ci.decode((HEADER + "\n" + _line(f.valid_bsn(1), ref="x\x00y")).encode())
    assert text is None and [r.code for r in refusals] == ["file_not_text"]


def test_a_value_too_long_to_read_names_its_line():
    text = HEADER + "\n" + _line(f.valid_bsn(1)) + "\n" + "9" * 200_000 + "\n"
    rows, errors, refusals = ci.read_rows(text)
    assert (rows, errors, [r.code for r in refusals]) == ([], [], ["file_unreadable"])
    assert refusals[0].message.startswith("Regel 3 kan niet gelezen worden")
    assert ci.read_rows("9" * 200_000 + "\n")[2][0].message.startswith("Regel 1 ")


@pytest.mark.parametrize("start, end", [("0001-01-01", "0001-01-31"),
                                        ("9999-12-31", "9999-12-31"),
                                        ("2099-12-31", "2100-01-01")])
def test_dates_outside_the_portals_years_are_refused_by_line(start, end):
    _, values = ci.read_rows(HEADER + "\n" + _line(f.valid_bsn(1), start=start, end=end)
                             + "\n")[0][0]
    row, problems = ci.parse_row(2, values)
    assert row is None and "date_out_of_range" in [p.code for p in problems]


def test_a_grant_more_than_ten_years_ahead_is_refused():
    a = f.valid_bsn(1)
    today = dt.date(2026, 12, 1)
    rows = _rows(_line(a, start="2036-01-01", end="2036-12-01"),
                 _line(a, start="2036-12-01", end="2036-12-02"))
    errors = ci.check_rows(rows, member_ids={a: 1}, funder_kind=FunderKind.GEMEENTE,
                           existing={}, today=today)
    assert [(e.line, [r.code for r in e.refusals]) for e in errors] == [
        (3, ["date_out_of_range"])]
    assert "tussen 1 januari 2000 en 1 december 2036" in errors[0].refusals[0].message


def _rows(*lines):
    text = HEADER + "\n" + "\n".join(lines) + "\n"
    return [ci.parse_row(line, values)[0] for line, values in ci.read_rows(text)[0]]


def test_check_rows_uses_the_grant_rule_and_rows_above():
    a, b = f.valid_bsn(1), f.valid_bsn(2)
    rows = _rows(_line(a), _line(a, start="2026-06-01", end="2027-05-31"), _line(b, law="wlz"),
                 _line(f.valid_bsn(3)))
    errors = ci.check_rows(rows, member_ids={a: 1, b: 2}, funder_kind=FunderKind.GEMEENTE,
                           existing={})
    assert [(e.line, [r.code for r in e.refusals]) for e in errors] == [
        (3, ["grant_overlaps"]), (4, ["law_not_funded"]), (5, ["member_unknown"])]


def test_check_rows_against_existing_grants():
    a = f.valid_bsn(1)
    rows = _rows(_line(a))
    existing = {(1, "wmo"): [(dt.date(2025, 7, 1), dt.date(2026, 6, 30))]}
    errors = ci.check_rows(rows, member_ids={a: 1}, funder_kind=FunderKind.GEMEENTE,
                           existing=existing)
    assert [r.code for r in errors[0].refusals] == ["grant_overlaps"]
    assert ci.check_rows(rows, member_ids={a: 1}, funder_kind=FunderKind.GEMEENTE,
                         existing={(1, "wmo"): [(dt.date(2025, 1, 1), dt.date(2025, 12, 31))]}) == []


# --------------------------------------------------------------------------- the import


@pytest.fixture
def thousand(db):
    funder = f.make_funder(FunderKind.GEMEENTE, "Gemeente Duizend")
    consulent = f.make_user(Role.CONSULENT, funder_id=funder.id)
    household = f.make_household("Groot")
    f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    members = [f.make_member(household, f"Lid {i}") for i in range(1000)]
    return funder, consulent, members


def _csv(members, bad_index: int | None = None) -> bytes:
    lines = [HEADER]
    for i, m in enumerate(members):
        amount = "0" if i == bad_index else f"{1000 + i},50"
        lines.append(_line(m.bsn, amount=amount, ref=f"WMO-{i}"))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _grants(funder) -> int:
    return _db.session.scalar(select(func.count(Grant.id)).where(Grant.funder_id == funder.id))


def test_one_bad_row_among_a_thousand_imports_nothing_and_names_the_row(thousand):
    funder, consulent, members = thousand
    messages_before = _db.session.scalar(select(func.count(Message.id)))
    report = ci.import_grants(consulent, _csv(members, bad_index=736))
    assert not report.ok and report.imported == 0 and report.rows_checked == 1000
    assert [(e.line, [r.code for r in e.refusals]) for e in report.row_errors] == [
        (738, ["amount_not_positive"])]  # line 1 is the header
    assert _grants(funder) == 0
    assert _db.session.scalar(select(func.count(Message.id))) == messages_before


def test_a_good_thousand_rows_import_a_thousand_grants(thousand):
    funder, consulent, members = thousand
    report = ci.import_grants(consulent, _csv(members))
    assert report.ok and report.imported == 1000
    assert _grants(funder) == 1000
    grant = _db.session.scalar(select(Grant).where(Grant.decision_reference == "WMO-7"))
    assert grant.amount_cents == 100_750 and grant.law == Law.WMO
    assert grant.care_kinds == ["individuele_begeleiding", "huishoudelijke_hulp"]


def test_a_row_refused_while_writing_rolls_everything_back(thousand, monkeypatch):
    funder, consulent, members = thousand
    from portal.budgets import service as budgets_service

    real = budgets_service.register_grant
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Refused(ci.Refusal("grant_overlaps", "Net door iemand anders geregistreerd."))
        return real(*args, **kwargs)

    monkeypatch.setattr(budgets_service, "register_grant", flaky)
    report = ci.import_grants(consulent, _csv(members[:5]))
    assert not report.ok and [e.line for e in report.row_errors] == [4]
    assert _grants(funder) == 0


def test_only_a_consulent_imports(db):
    with pytest.raises(Refused):
        ci.import_grants(f.make_user(Role.BEHEERDER), b"x")


# --------------------------------------------------------------------------- the page


def test_upload_page_reports_bad_rows_and_imports_nothing(client, login, db):
    funder = f.make_funder(FunderKind.GEMEENTE)
    consulent = f.make_user(Role.CONSULENT, funder_id=funder.id)
    member = f.make_member()
    login(consulent)
    page = client.get("/verstrekker/toekenningen/importeren")
    assert page.status_code == 200 and HEADER in page.get_data(as_text=True)
    data = (HEADER + "\n" + _line(member.bsn) + "\n" + _line(member.bsn, law="zvw") + "\n").encode()
    response = client.post("/verstrekker/toekenningen/importeren",
                           data={"file": (io.BytesIO(data), "toekenningen.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Regel 3" in html and "Kolom wet:" in html and "Er is niets geïmporteerd" in html
    assert _grants(funder) == 0


def test_upload_page_imports_a_good_file(client, login, db):
    funder = f.make_funder(FunderKind.GEMEENTE)
    consulent = f.make_user(Role.CONSULENT, funder_id=funder.id)
    members = [f.make_member() for _ in range(3)]
    login(consulent)
    data = _csv(members)
    response = client.post("/verstrekker/toekenningen/importeren",
                           data={"file": (io.BytesIO(data), "toekenningen.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert _grants(funder) == 3


def test_upload_page_refuses_a_file_that_is_not_utf8(client, login, db):
    funder = f.make_funder(FunderKind.GEMEENTE)
    login(f.make_user(Role.CONSULENT, funder_id=funder.id))
    response = client.post("/verstrekker/toekenningen/importeren",
                           data={"file": (io.BytesIO("bsn;wet\né".encode("cp1252")), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "geen UTF-8" in response.get_data(as_text=True)


def test_upload_without_a_file_is_explained(client, login, db):
    funder = f.make_funder(FunderKind.GEMEENTE)
    login(f.make_user(Role.CONSULENT, funder_id=funder.id))
    response = client.post("/verstrekker/toekenningen/importeren", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Kies een CSV-bestand." in response.get_data(as_text=True)
