"""Benchmark: `paper-run` with 1 and with 2 worker processes, and a worker's memory after 100
and after 1,000 documents, without and with recycling (issue 5, "Numbers").

Targets: 2 workers give at least 1.7x the throughput of 1 (over 2,000 households); a worker's
RSS after 1,000 documents is at most 1.25x that after 100 (workers are recycled every
--max-tasks-per-child documents, 300 by default, because WeasyPrint's memory grows in long
loops: the run without recycling shows that growth).

Throughput: the runs alternate (1, 2, 2, 1, 1, 2, ...: --rounds pairs), so load from elsewhere
on the machine hits both alike; each run starts from an empty folder. Reported per run: wall
time, documents per second, the parent's own CPU time, and where a document's time goes in the
worker (building the view-model from the database, rendering the PDF).

Memory: ONE worker process makes --memory-docs documents in a row (the plan repeated when it
has fewer), once without recycling and once recycled every --max-tasks-per-child; the RSS after
document 100 and after document 1,000 (or the last) is read in the worker.

The households are written by a fast bulk builder (SQLAlchemy Core, executemany) into a
temporary SQLite database: each has one member, a Wmo grant, an approved agreement with a
provider and a paid hour sheet for the month, so each gets a statement and an hour sheet.

Run: .venv/bin/python tests/benchmarks/bench_paper_run.py [--households N] [--write]
(--write puts the section into RESULTS.md; without it the results are only printed.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
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
    from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
    from portal.budgets.models import Funder, Grant, Household, Member
    from portal.claims.models import Claim, ClaimLine
    from portal.claims.rules import claim_reference
    from portal.dates import month_days
    from portal.extensions import db
    from portal.providers.models import Provider

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


def run(app, month, workers: int, out: Path, max_tasks: int) -> dict:
    """One paper run into `out`: wall seconds, the parent's CPU seconds and the result."""
    from portal.paper.cli import run_paper

    with app.test_request_context():  # run_paper reads the app's config for the workers
        cpu = os.times()
        start = time.perf_counter()
        result = run_paper(month, out, workers=workers, max_tasks_per_child=max_tasks,
                           today=today(), progress=False)
        seconds = time.perf_counter() - start
        after = os.times()
    assert not result["errors"], result["errors"][:3]
    entries = result["results"]
    return {"workers": workers, "made": result["made"], "seconds": seconds,
            "rate": result["made"] / seconds if seconds else 0.0,
            "parent_cpu": (after.user - cpu.user) + (after.system - cpu.system),
            "build_ms": statistics.median(e["build_ms"] for e in entries) if entries else 0,
            "render_ms": statistics.median(e["render_ms"] for e in entries) if entries else 0,
            "processes": len({e["pid"] for e in entries})}


def warm_forkserver() -> float:
    """Start the forkserver (it imports the portal and WeasyPrint once, a few seconds) before
    anything is timed, so the first timed run does not pay for it alone. Seconds it took."""
    from portal.paper.cli import pool_context

    start = time.perf_counter()
    pool = pool_context().Pool(processes=1)
    pool.apply(os.getpid)
    pool.close()
    pool.join()
    return time.perf_counter() - start


def throughput(app, month, rounds: int, max_tasks: int) -> list[dict]:
    """Alternating runs with 1 and 2 workers: (1, 2), (2, 1), (1, 2), ..."""
    runs = []
    for r in range(rounds):
        for workers in ((1, 2) if r % 2 == 0 else (2, 1)):
            out = Path(tempfile.mkdtemp(prefix=f"pgb-paper-{workers}-"))
            try:
                runs.append(run(app, month, workers, out, max_tasks))
            finally:
                shutil.rmtree(out, ignore_errors=True)
            last = runs[-1]
            print(f"round {r + 1}, {workers} worker(s): {last['made']} documents in "
                  f"{last['seconds']:.1f} s ({last['rate']:.1f}/s)", flush=True)
    return runs


def memory_curve(app, month, docs: int, max_tasks: int | None) -> list[tuple[int, int, int]]:
    """ONE worker process makes `docs` documents in a row (recycled every `max_tasks`, or
    never): (document number, worker pid, worker RSS in kB) after each document."""
    from dataclasses import asdict

    from portal.paper import jobs
    from portal.paper.cli import pool_context, worker_settings
    from portal.paper.service import plan_paper_run

    out = Path(tempfile.mkdtemp(prefix="pgb-paper-memory-"))
    with app.test_request_context():
        plan = plan_paper_run(month)
        config, environ = worker_settings()
    tasks = []
    for n in range(docs):
        p = plan[n % len(plan)]
        spec = {**asdict(p), "month": p.month.isoformat(), "path": f"{n:05d}-{Path(p.path).name}"}
        tasks.append((spec, str(out), today().isoformat()))
    pool = pool_context().Pool(processes=1, initializer=jobs.init_worker,
                               initargs=(config, environ), maxtasksperchild=max_tasks)
    curve = []
    try:
        for n, entry in enumerate(pool.imap(jobs.render_task, tasks, chunksize=1), start=1):
            assert not entry.get("error"), entry
            curve.append((n, entry["pid"], entry["rss_kb"]))
            (out / entry["path"]).unlink(missing_ok=True)
        pool.close()
    finally:
        pool.join()
        shutil.rmtree(out, ignore_errors=True)
    return curve


def _at(curve, n):
    return curve[min(n, len(curve)) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--max-tasks-per-child", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2,
                        help="pairs of runs (1 and 2 workers, alternating)")
    parser.add_argument("--memory-docs", type=int, default=1000)
    parser.add_argument("--write", action="store_true", help="update RESULTS.md")
    args = parser.parse_args()

    from portal.dates import add_months, first_of_month

    app, instance = temp_app()
    month = first_of_month(add_months(today(), -1))
    try:
        with app.app_context():
            start = time.perf_counter()
            build_households(args.households, month)
            built = time.perf_counter() - start
        warm = warm_forkserver()
        runs = throughput(app, month, args.rounds, args.max_tasks_per_child)
        curves = {"without recycling": memory_curve(app, month, args.memory_docs, None),
                  f"recycled every {args.max_tasks_per_child}": memory_curve(
                      app, month, args.memory_docs, args.max_tasks_per_child)}
    finally:
        shutil.rmtree(instance, ignore_errors=True)

    rate = {w: statistics.median(r["rate"] for r in runs if r["workers"] == w) for w in (1, 2)}
    speedup = rate[2] / rate[1]
    lines = [f"## paper-run ({today().isoformat()})", "",
             f"{machine()}. {args.households} households built in {built:.1f} s; each gets a "
             f"statement and an hour sheet for {month:%Y-%m}; workers recycled every "
             f"{args.max_tasks_per_child} documents; runs alternate between 1 and 2 workers; the "
             f"forkserver was started first ({warm:.1f} s, once per `portal paper-run`).",
             "", "| run | workers | documents | seconds | documents/s | parent CPU s | "
             "build ms (median) | render ms (median) | worker processes |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for i, r in enumerate(runs, start=1):
        lines.append(f"| {i} | {r['workers']} | {r['made']} | {r['seconds']:.1f} | "
                     f"{r['rate']:.1f} | {r['parent_cpu']:.1f} | {r['build_ms']:.0f} | "
                     f"{r['render_ms']:.0f} | {r['processes']} |")
    lines += ["", f"- throughput 2 workers / 1 worker (medians): **{speedup:.2f}x** (target at "
              f"least 1.7x): {'met' if speedup >= 1.7 else 'NOT met'}", "",
              "| one worker | RSS after doc 100 | RSS after doc 1,000 | growth | highest RSS |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for name, curve in curves.items():
        n100, n1000 = _at(curve, 100), _at(curve, 1000)
        growth = n1000[2] / n100[2] if n100[2] else float("nan")
        lines.append(f"| {name} ({len(curve)} docs, {len({c[1] for c in curve})} processes) | "
                     f"{n100[2] / 1024:.0f} MB | {n1000[2] / 1024:.0f} MB (doc {n1000[0]}) | "
                     f"{growth:.2f}x | {max(c[2] for c in curve) / 1024:.0f} MB |")
    recycled = curves[f"recycled every {args.max_tasks_per_child}"]
    growth = _at(recycled, 1000)[2] / _at(recycled, 100)[2]
    lines += ["", f"- with recycling, RSS after document 1,000 / after 100: **{growth:.2f}x** "
              f"(target at most 1.25x): {'met' if growth <= 1.25 else 'NOT met'}"]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("bench_paper_run", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
