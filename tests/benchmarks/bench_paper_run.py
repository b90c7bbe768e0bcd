"""Benchmark: `paper-run` over 2,000 households on paper, with 1 and with 2 worker processes,
and the workers' memory after 100 and after 1,000 documents (issue 5, "Numbers").

Targets: 2 workers give at least 1.7x the throughput of 1; a worker's RSS after 1,000
documents is at most 1.25x that after 100 (workers are recycled every --max-tasks-per-child
documents, 300 by default, because WeasyPrint's memory grows in long loops).

The households are written by a fast bulk builder (SQLAlchemy Core, executemany) into a
temporary SQLite database: each has one member, a Wmo grant, an approved agreement with a
provider and a paid hour sheet for the month, so each gets a statement and an hour sheet.
Run: .venv/bin/python tests/benchmarks/bench_paper_run.py [--households N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import machine, temp_app, today, write_section  # noqa: E402


def bsn(n: int) -> str:
    base = 100_000_000 // 10 + n * 7
    while True:
        digits = [int(c) for c in f"{base:08d}"]
        last = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if last < 10:
            return f"{base:08d}{last}"
        base += 1


def build_households(count: int, month: dt.date) -> None:
    """Bulk-insert `count` households on paper with everything a statement and a sheet need."""
    from sqlalchemy import insert

    from portal.access.models import User
    from portal.agreements.models import Agreement, AgreementLine, AgreementVersion, Provider
    from portal.budgets.models import Funder, Grant, Household, Member
    from portal.claims.models import Claim, ClaimLine
    from portal.claims.rules import claim_reference
    from portal.dates import month_days
    from portal.extensions import db

    year = month.year
    s = db.session
    s.execute(insert(Funder), [{"id": 1, "name": "Gemeente Benchmark", "kind": "gemeente"}])
    ids = range(1, count + 1)
    s.execute(insert(Household), [{"id": i, "name": f"Huishouden {i}", "works_on_paper": True}
                                  for i in ids])
    s.execute(insert(User), [{"id": i, "email": f"bh{i}@bench.pgb", "name": f"Budgethouder {i}",
                              "password_hash": "x", "role": "budgethouder", "household_id": i,
                              "is_active_account": True} for i in ids])
    s.execute(insert(Member), [{"id": i, "household_id": i, "name": f"Lid {i}", "bsn": bsn(i),
                                "birth_date": dt.date(1980, 1, 1)} for i in ids])
    s.execute(insert(Grant), [{"id": i, "member_id": i, "funder_id": 1, "law": "wmo",
                               "period_start": dt.date(year, 1, 1),
                               "period_end": dt.date(year, 12, 31), "amount_cents": 1_000_000,
                               "reserved_cents": 0, "paid_cents": 8 * 6000 * 2,
                               "care_kinds": ["individuele_begeleiding"],
                               "decision_reference": f"B-{i}"} for i in ids])
    s.execute(insert(Provider), [{"id": i, "kind": "persoon", "name": f"Zorgverlener {i}",
                                  "iban": "NL91ABNA0417164300"} for i in ids])
    s.execute(insert(Agreement), [{"id": i, "reference": f"ZO-B-{i:06d}", "household_id": i,
                                   "provider_id": i, "model": "opdracht", "relation": "geen"}
                                  for i in ids])
    s.execute(insert(AgreementVersion), [{"id": i, "agreement_id": i, "number": 1,
                                          "status": "goedgekeurd",
                                          "starts_on": dt.date(year, 1, 1), "ends_on": None,
                                          "end_kind": "geen", "days_per_week": 0,
                                          "notice_months": 1} for i in ids])
    s.execute(insert(AgreementLine), [{"id": i, "version_id": i, "grant_id": i,
                                       "care_kind": "individuele_begeleiding", "unit": "uur",
                                       "tariff_cents": 6000, "weekly_quantity": 240} for i in ids])
    days = [d for d in month_days(month) if d.weekday() in (0, 3)][:8]
    s.execute(insert(Claim), [{"id": i, "reference": claim_reference(i, month), "agreement_id": i,
                               "month": month, "status": "uitbetaald", "source": "portal",
                               "total_cents": len(days) * 12000, "note": "",
                               "paid_on": month + dt.timedelta(days=40)} for i in ids])
    s.execute(insert(ClaimLine), [{"claim_id": i, "day": d, "care_kind": "individuele_begeleiding",
                                   "unit": "uur", "quantity": 120, "tariff_cents": 6000,
                                   "amount_cents": 12000, "grant_id": i}
                                  for i in ids for d in days])
    s.commit()


def run(app, month, workers: int, out: Path, max_tasks: int) -> tuple[float, dict]:
    from portal.paper.cli import run_paper

    with app.test_request_context():  # run_paper reads the app's config for the workers
        start = time.perf_counter()
        result = run_paper(month, out, workers=workers, max_tasks_per_child=max_tasks,
                           today=today(), progress=False)
        return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--max-tasks-per-child", type=int, default=300)
    args = parser.parse_args()

    from portal.dates import add_months, first_of_month

    app, _instance = temp_app()
    month = first_of_month(add_months(today(), -1))
    with app.app_context():
        start = time.perf_counter()
        build_households(args.households, month)
        built = time.perf_counter() - start

    rows = {}
    memory = {}
    for workers in (1, 2):
        out = Path(tempfile.mkdtemp(prefix=f"pgb-paper-{workers}-"))
        seconds, result = run(app, month, workers, out, args.max_tasks_per_child)
        assert not result["errors"], result["errors"][:3]
        rows[workers] = (result["made"], seconds, result["made"] / seconds)
        print(f"{workers} worker(s): {result['made']} documents in {seconds:.1f} s", flush=True)
        if workers == 1:
            entries = result["results"]  # in the order they were finished
            memory = {n: entries[n - 1]["rss_kb"] for n in (100, 1000) if len(entries) >= n}
            memory["max"] = max(e["rss_kb"] for e in entries)
            per_worker: dict[int, list[int]] = {}
            for e in entries:
                per_worker.setdefault(e["pid"], []).append(e["rss_kb"])
            first = next(iter(per_worker.values()))
            memory["first worker, 1st doc"] = first[0]
            memory["first worker, last doc"] = first[-1]
            memory["first worker docs"] = len(first)
            memory["workers used"] = len(per_worker)
        shutil.rmtree(out, ignore_errors=True)

    speedup = rows[2][2] / rows[1][2]
    growth = memory[1000] / memory[100] if 100 in memory and 1000 in memory else float("nan")
    lines = [f"## paper-run ({today().isoformat()})", "",
             f"{machine()}. {args.households} households built in {built:.1f} s; each gets a "
             f"statement and an hour sheet for {month:%Y-%m}; workers recycled every "
             f"{args.max_tasks_per_child} documents.", "",
             "| workers | documents | seconds | documents/s |", "| ---: | ---: | ---: | ---: |"]
    for workers, (made, seconds, rate) in rows.items():
        lines.append(f"| {workers} | {made} | {seconds:.1f} | {rate:.1f} |")
    lines += ["",
              f"- throughput 2 workers / 1 worker: **{speedup:.2f}x** (target at least 1.7x): "
              f"{'met' if speedup >= 1.7 else 'NOT met'}",
              f"- worker RSS after document 100: {memory.get(100, 0) / 1024:.0f} MB, after "
              f"document 1,000: {memory.get(1000, 0) / 1024:.0f} MB: **{growth:.2f}x** (target "
              f"at most 1.25x): {'met' if growth <= 1.25 else 'NOT met'}; highest RSS seen "
              f"{memory['max'] / 1024:.0f} MB",
              f"- without recycling, one worker grew from {memory['first worker, 1st doc'] / 1024:.0f}"
              f" MB (first document) to {memory['first worker, last doc'] / 1024:.0f} MB after its "
              f"{memory['first worker docs']} documents; {memory['workers used']} worker processes "
              "were used in turn"]
    body = "\n".join(lines)
    print(body)
    write_section("bench_paper_run", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
