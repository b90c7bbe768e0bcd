"""Shared pieces of the benchmark scripts (not collected by pytest: run them with python)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import tempfile
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def temp_app():
    """An app on a fresh SQLite file in a temporary instance folder, schema migrated."""
    from portal import create_app

    instance = tempfile.mkdtemp(prefix="pgb-bench-")
    app = create_app(config={"PORTAL_ARGON2_FAST": True},
                     environ={**os.environ, "PORTAL_INSTANCE_DIR": instance,
                              "PORTAL_DATABASE_URL": ""})
    with app.app_context():
        from portal.migrate import upgrade

        upgrade()
    return app, instance


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} CPU, load average at start {load:.2f}")


def write_section(name: str, body: str) -> None:
    """Replace (or add) the section of one benchmark in RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else (
        "# Benchmark results of the paper route\n\nMade by `tests/benchmarks/bench_*.py` "
        "(run them with `.venv/bin/python tests/benchmarks/bench_pdf.py` and "
        "`bench_paper_run.py`). Each run replaces its own section.\n")
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text,
                      flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def today() -> dt.date:
    from portal.dates import today as portal_today

    return portal_today()
