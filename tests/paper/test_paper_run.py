"""`portal paper-run` on the demo (2 households on paper): worker processes write the PDFs and
the manifest; a second run skips everything; a changed file is made again; bad arguments
exit 1 with a clear message."""

from __future__ import annotations

import json

import pytest

from tests.paper.conftest import TODAY


def _run(app, *args):
    """Run the command; result.output holds stdout and stderr (click 8.2)."""
    return app.test_cli_runner().invoke(args=["paper-run", *args])


@pytest.mark.slow
def test_paper_run_writes_manifest_and_resumes(paper_app, tmp_path):
    app = paper_app
    out = tmp_path / "papier"
    result = _run(app, "--month", "2026-10", "--out", str(out), "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "2 huishoudens op papier: 6 documenten gemaakt, 0 waren er al" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["month"] == "2026-10"
    assert {h["household"] for h in manifest["households"].values()} == {"Jansen", "Bakker"}
    assert {h["budget_holder"] for h in manifest["households"].values()} == {"Anna Jansen",
                                                                            "Pieter Bakker"}
    docs = manifest["documents"]
    assert sorted(d["kind"] for d in docs.values()) == ["hour_sheet"] * 4 + ["statement"] * 2
    for relpath, entry in docs.items():
        data = (out / relpath).read_bytes()
        assert data.startswith(b"%PDF-") and len(data) == entry["bytes"]
        assert len(entry["sha256"]) == 64
    mtimes = {p: (out / p).stat().st_mtime_ns for p in docs}

    again = _run(app, "--month", "2026-10", "--out", str(out), "--queue")
    assert again.exit_code == 0, again.output
    assert "Geen Redis ingesteld" in again.output  # embedded default: the work stays here
    assert "0 documenten gemaakt, 6 waren er al" in again.output
    assert {p: (out / p).stat().st_mtime_ns for p in docs} == mtimes

    damaged = next(p for p, d in docs.items() if d["kind"] == "statement")
    (out / damaged).write_bytes(b"kapot")
    third = _run(app, "--month", "2026-10", "--out", str(out), "--workers", "1")
    assert third.exit_code == 0, third.output
    assert "1 documenten gemaakt, 5 waren er al" in third.output
    assert (out / damaged).read_bytes().startswith(b"%PDF-")


@pytest.mark.slow
def test_recycled_workers_are_replaced_until_the_run_is_done(paper_app, tmp_path):
    """Every worker stops after one document here; the pool starts a new one each time, so all
    six documents are made, each by its own process (Python 3.11's ProcessPoolExecutor did not
    replace them when all tasks were submitted at once, and the run hung)."""
    import datetime as dt

    from portal.paper.cli import run_paper

    with paper_app.test_request_context():
        result = run_paper(dt.date(2026, 10, 1), tmp_path / "papier", workers=2,
                           max_tasks_per_child=1, today=TODAY, progress=False)
    assert result["made"] == 6 and not result["errors"]
    assert len({entry["pid"] for entry in result["results"]}) == 6
    assert all(entry["render_ms"] > 0 for entry in result["results"])


@pytest.mark.parametrize("month, says", [
    ("2026-13", "geen maand"), ("10-2026", "geen maand"), ("2026-1", "geen maand"),
    ("oktober", "geen maand"), ("0000-01", "geen maand"),
    ("9999-12", "De maand 9999-12 kan niet. Kies een maand van januari 2000 tot en met "
                "december 2099."),
])
def test_bad_month_exits_1(app, tmp_path, month, says):
    result = _run(app, "--month", month, "--out", str(tmp_path))
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("where, says", [
    ("FILE/map", "een deel van het pad is een bestand, geen map. Kies een andere map met --out."),
    ("", "Geef de map voor de PDF's met --out, bijvoorbeeld --out papier/2026-03."),
    ("MANIFEST_DIR", "staat een map manifest.json; daar hoort het manifest van paper-run. Kies "
                     "een andere map met --out."),
])
def test_out_dir_that_cannot_be_written_exits_1(app, tmp_path, where, says):
    blocked = tmp_path / "een-bestand"
    blocked.write_text("geen map")
    (tmp_path / "met-map" / "manifest.json").mkdir(parents=True)
    out = where.replace("FILE", str(blocked)).replace("MANIFEST_DIR", str(tmp_path / "met-map"))
    result = _run(app, "--month", "2026-10", "--out", out)
    assert result.exit_code == 1
    assert says in result.output, result.output
    assert "(" not in result.output  # no English system text in brackets


NOT_OURS = ["[]", '{"documents": 5, "households": []}', '{"documents": {"a.pdf": "kapot"}}',
            "{kapot"]


@pytest.mark.parametrize("manifest", NOT_OURS)
def test_a_manifest_that_is_not_ours_is_read_as_a_fresh_one(paper_app, tmp_path, manifest):
    """What paper-run reads from a manifest that is not ours: nothing done, so all six
    documents are to be made (the run itself: the test below, once)."""
    import datetime as dt

    from portal.paper import jobs
    from portal.paper.service import plan_paper_run

    out = tmp_path / "papier"
    out.mkdir()
    (out / "manifest.json").write_text(manifest)
    with paper_app.app_context():
        plan = plan_paper_run(dt.date(2026, 10, 1))
    read = jobs.load_manifest(out)
    assert isinstance(read["documents"], dict) and isinstance(read["households"], dict)
    assert len(plan) == 6 and not any(jobs.is_done(out, read, p.path) for p in plan)
    assert not any(isinstance(entry, dict) for entry in read["documents"].values())


@pytest.mark.slow
@pytest.mark.parametrize("manifest", NOT_OURS[-1:])
def test_a_manifest_that_is_not_ours_is_started_afresh(paper_app, tmp_path, manifest):
    app = paper_app
    out = tmp_path / "papier"
    out.mkdir()
    (out / "manifest.json").write_text(manifest)
    result = _run(app, "--month", "2026-10", "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "6 documenten gemaakt, 0 waren er al" in result.output
    documents = json.loads((out / "manifest.json").read_text())["documents"].values()
    assert sum(isinstance(entry, dict) and len(entry["sha256"]) == 64 for entry in documents) == 6


ENGLISH = ("Usage:", "Error:", "Missing", "Invalid value", "Try ", "No such option",
           "requires an argument", "unexpected extra")


@pytest.mark.parametrize(("args", "says"), [
    ([], "De optie --month ontbreekt. Geef de maand als JJJJ-MM"),
    (["--month", "2026-10"], "De optie --out ontbreekt. Geef de map"),
    (["--month", "2026-10", "--out", "OUT", "--workers", "0"],
     "De waarde van --workers klopt niet. Geef een heel getal van 1 tot en met 32"),
    (["--month", "2026-10", "--out", "OUT", "--workers", "100000"],
     "De waarde van --workers klopt niet. Geef een heel getal van 1 tot en met 32"),
    (["--month", "2026-10", "--out", "OUT", "--workers", "twee"],
     "De waarde van --workers klopt niet."),
    (["--month", "2026-10", "--out", "OUT", "--max-tasks-per-child", "0"],
     "De waarde van --max-tasks-per-child klopt niet."),
    (["--month"], "De optie --month heeft een waarde nodig. Geef de maand als JJJJ-MM"),
    (["--month", "2026-10", "--out", "OUT", "--wokers", "2"],
     "De optie --wokers bestaat niet. Bedoelt u --workers?"),
    (["--month", "2026-10", "--out", "OUT", "extra"], "Deze opdracht is niet goed gegeven"),
])
def test_usage_errors_are_dutch_and_exit_2(app, tmp_path, args, says):
    out = tmp_path / "papier"
    args = [str(out) if a == "OUT" else a for a in args]
    result = app.test_cli_runner().invoke(args=["paper-run", *args])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "Alle opties: portal paper-run --help" in result.output
    assert not any(word in result.output for word in ENGLISH), result.output
    assert not out.exists()  # nothing was written


def test_help_is_dutch(app):
    result = app.test_cli_runner().invoke(args=["paper-run", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Gebruik: ") and "Opties:" in result.output
    assert "Laat deze uitleg zien en stop." in result.output and "Verplicht." in result.output
    for word in ("Usage:", "Options:", "Show this message", "[required]", "x>=1", "DIRECTORY",
                 "INTEGER"):
        assert word not in result.output, word


def test_the_paper_run_plans_no_hour_sheet_for_a_fixed_monthly_wage(demo, db):
    """Issue 16: the demo's employment agreement pays a fixed monthly wage, without an hour
    sheet (the run pays it): the paper run plans a sheet for every agreement with hours to fill
    in, and only for those, so every planned document can be made."""
    import datetime as dt

    from portal.agreements.constants import ModelKind
    from portal.paper.service import build_planned, plan_paper_run

    month = dt.date(2026, 10, 1)
    for household in (demo.jansen, demo.bakker):
        household.works_on_paper = True
    db.session.flush()
    plan = plan_paper_run(month)
    wage = next(a for a in demo.agreements if a.model == ModelKind.ARBEID)
    sheets = {p.agreement_id for p in plan if p.kind == "hour_sheet"}
    assert sheets == {a.id for a in demo.agreements if a.model != ModelKind.ARBEID}
    assert wage.id not in sheets
    for planned in plan:
        build_planned(planned, TODAY)  # none is refused as "nothing to fill in"
