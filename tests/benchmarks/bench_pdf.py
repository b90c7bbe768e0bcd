"""Benchmark: the 12-month statement of the demo household against a one-page reference PDF
and a one-month statement, rendered in the same run (issue 5, "Numbers").

Targets: 12-month statement <= 15x the reference page, and <= 12x the one-month statement.
Run: .venv/bin/python tests/benchmarks/bench_pdf.py [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import machine, temp_app, today, write_section  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median, minimum) in milliseconds of `repeat` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    app, _instance = temp_app()
    run_on = today()
    with app.app_context():
        from sqlalchemy import select

        from portal.budgets.models import Household
        from portal.database import transaction
        from portal.demo.seed import seed_demo
        from portal.extensions import db
        from portal.paper import documents
        from portal.paper.pdf import qr_svg, render_pdf
        from portal.paper.service import render_document

        with transaction():
            seed_demo(run_on)
        household_id = db.session.scalar(select(Household.id).where(Household.name == "Jansen"))
        year_start = dt.date(run_on.year, 1, 1)
        last_month = dt.date(run_on.year, 12, 1)
        one_month = documents.first_of_month(documents.add_months(run_on, -1))
        statement_12 = documents.statement_document(household_id, year_start, last_month, run_on)
        statement_1 = documents.statement_document(household_id, one_month, one_month, run_on)
        reference = SimpleNamespace(title="Referentiepagina", reference="REF-1", made_on=run_on,
                                    qr=qr_svg("REF-1", "QR-code met het kenmerk REF-1"),
                                    text="Eén eenvoudige pagina.")

        cases = {
            "reference page (1 page)": lambda: render_pdf("reference.html", {"doc": reference}),
            "statement, 1 month": lambda: render_document(statement_1),
            "statement, 12 months": lambda: render_document(statement_12),
        }
        results = {name: timed(fn, args.repeat) for name, fn in cases.items()}

    ref, ref_min = results["reference page (1 page)"]
    one, one_min = results["statement, 1 month"]
    twelve, twelve_min = results["statement, 12 months"]
    ratio_ref, ratio_one = twelve / ref, twelve / one
    lines = [f"## PDF rendering ({run_on.isoformat()})", "",
             f"{machine()}; median and minimum of {args.repeat} renders after one warm-up.", "",
             "| document | median ms | min ms |", "| --- | ---: | ---: |"]
    for name, (median, minimum) in results.items():
        lines.append(f"| {name} | {median:.0f} | {minimum:.0f} |")
    lines += ["",
              f"- 12-month statement / reference page: **{ratio_ref:.1f}x** (target at most 15x): "
              f"{'met' if ratio_ref <= 15 else 'NOT met'}",
              f"- 12-month statement / 1-month statement: **{ratio_one:.1f}x** (target at most "
              f"12x): {'met' if ratio_one <= 12 else 'NOT met'}",
              f"- the same ratios from the minimum times (least disturbed by other load): "
              f"{twelve_min / ref_min:.1f}x and {twelve_min / one_min:.1f}x",
              "", "The statement uses one small table of figures (a row per budget) and a block "
              "per month (`break-inside: avoid`, inline-blocks two per row, no flexbox), so its "
              "cost grows with the number of months, not faster."]
    body = "\n".join(lines)
    print(body)
    write_section("bench_pdf", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
