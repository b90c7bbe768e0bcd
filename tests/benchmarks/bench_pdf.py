"""Benchmark: the 12-month statement of the demo household against a one-page reference PDF
and a one-month statement, rendered in the same run (issue 5, "Numbers"), and the statement of
1, 3, 6 and 12 months fitted to a straight line (its cost must grow linearly with the months).

Targets: 12-month statement <= 15x the reference page, and <= 12x the one-month statement.

The cases are interleaved: each repeat renders every case once, in a shuffled order (fixed
seed), so load from elsewhere on the machine (drift) hits all cases alike; the median and the
minimum of each case are reported. The statements end in December of this year (1 month:
December; 3: October to December; 6: July to December; 12: January to December).

Run: .venv/bin/python tests/benchmarks/bench_pdf.py [--repeat N] [--write]
(--write puts the section into RESULTS.md; without it the results are only printed.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import machine, temp_app, today, write_section  # noqa: E402

MONTHS = (1, 3, 6, 12)


def interleaved(cases: dict, repeat: int, seed: int = 5) -> dict[str, list[float]]:
    """Milliseconds per case: one warm-up call each, then `repeat` rounds in which every case
    runs once, in an order shuffled per round."""
    for fn in cases.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    rng = random.Random(seed)
    for _ in range(repeat):
        rng.shuffle(order)
        for name in order:
            start = time.perf_counter()
            cases[name]()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, r squared)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    b = sxy / sxx
    a = my - b * mx
    ss_res = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return a, b, (1 - ss_res / ss_tot) if ss_tot else 1.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update RESULTS.md")
    args = parser.parse_args()

    app, instance = temp_app()
    run_on = today()
    try:
        with app.app_context():
            from sqlalchemy import select

            from portal.budgets.models import Household
            from portal.database import transaction
            from portal.dates import add_months
            from portal.demo.seed import seed_demo
            from portal.extensions import db
            from portal.paper import documents
            from portal.paper.pdf import qr_svg, render_pdf
            from portal.paper.service import render_document

            with transaction():
                seed_demo(run_on)
            household_id = db.session.scalar(select(Household.id)
                                             .where(Household.name == "Jansen"))
            december = dt.date(run_on.year, 12, 1)
            statements = {n: documents.statement_document(
                household_id, add_months(december, 1 - n), december, run_on) for n in MONTHS}
            reference = SimpleNamespace(title="Referentiepagina", reference="REF-1",
                                        made_on=run_on,
                                        qr=qr_svg("REF-1", "QR-code met het kenmerk REF-1"),
                                        text="Eén eenvoudige pagina.")
            cases = {"reference page (1 page)":
                     lambda: render_pdf("reference.html", {"doc": reference})}
            for n, doc in statements.items():
                cases[f"statement, {n} month{'s' if n > 1 else ''}"] = (
                    lambda doc=doc: render_document(doc))
            times = interleaved(cases, args.repeat)
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(instance, ignore_errors=True)

    median = {name: statistics.median(t) for name, t in times.items()}
    minimum = {name: min(t) for name, t in times.items()}
    ref = "reference page (1 page)"
    by_months = {n: f"statement, {n} month{'s' if n > 1 else ''}" for n in MONTHS}
    twelve, one = by_months[12], by_months[1]
    ratio_ref, ratio_one = median[twelve] / median[ref], median[twelve] / median[one]
    a, b, r2 = linear_fit(list(MONTHS), [median[by_months[n]] for n in MONTHS])
    a3, b3, _r = linear_fit(list(MONTHS[:3]), [median[by_months[n]] for n in MONTHS[:3]])
    predicted_12 = a3 + b3 * 12
    lines = [f"## PDF rendering ({run_on.isoformat()})", "",
             f"{machine()}; {args.repeat} rounds after one warm-up, the cases interleaved in a "
             "shuffled order each round; median and minimum per case.", "",
             "| document | median ms | min ms |", "| --- | ---: | ---: |"]
    for name in cases:
        lines.append(f"| {name} | {median[name]:.0f} | {minimum[name]:.0f} |")
    lines += ["",
              f"- 12-month statement / reference page: **{ratio_ref:.1f}x** (target at most 15x): "
              f"{'met' if ratio_ref <= 15 else 'NOT met'}",
              f"- 12-month statement / 1-month statement: **{ratio_one:.1f}x** (target at most "
              f"12x): {'met' if ratio_one <= 12 else 'NOT met'}",
              f"- the same ratios from the minimum times: {minimum[twelve] / minimum[ref]:.1f}x "
              f"and {minimum[twelve] / minimum[one]:.1f}x",
              f"- straight line through 1, 3, 6, 12 months: {a:.0f} ms + {b:.1f} ms per month "
              f"(r² {r2:.3f}); the line through 1, 3 and 6 months predicts {predicted_12:.0f} ms "
              f"for 12, measured {median[twelve]:.0f} ms "
              f"({'linear' if median[twelve] <= predicted_12 * 1.2 else 'grows faster than linear'})",
              "", "The statement uses one small table of figures (a row per budget) and a block "
              "per month (rows of two, `break-inside: avoid`), so its cost grows with the "
              "number of months, not faster."]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("bench_pdf", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
