"""National scale (issue 14): pages under load against the trivial page, and the payment run.

    make bench-scale                      # 15,000 households (default)
    make bench-scale HOUSEHOLDS=150000    # the national figure (~3 million sheets; hours)
    .venv/bin/python tests/benchmarks/bench_scale.py --households 1500 [--write] [--keep]

Steps: a fresh PostgreSQL database pgb_bench_<N> (dropped at the end unless --keep), the schema
by the migrations, data by tests/benchmarks/generate.py (a year of history); then the portal
under gunicorn (2 sync workers, --no-control-socket, --pid) and wrk (one thread, 4 connections,
DURATION seconds per page, a Lua script that sends the logged-in Cookie and prints p50/p95) for
the trivial page (GET /inloggen) and each page, in the same run; then `portal run-payments` over
the approved sheets of month 11 in a child process: its seconds, peak memory (max RSS) and SQL
statements per 1,000 sheets. With --write it replaces its section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks._common import machine, today, write_section  # noqa: E402
from tests.benchmarks.generate import BENCH_PASSWORD, PAYABLE_MONTH, YEAR, generate  # noqa: E402

PG = os.environ.get("PG_DSN", "host=127.0.0.1 user=postgres dbname=postgres")
PG_URL = os.environ.get("PG_URL", "postgresql+psycopg://postgres@127.0.0.1")
PORT = int(os.environ.get("BENCH_PORT", "5791"))
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
VENV = ROOT / ".venv" / "bin"

LUA = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.3f %.3f %d\\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""

RUN_SCRIPT = """
import json, sys, time, datetime as dt
from sqlalchemy import event, func, select
from portal import create_app
from portal.extensions import db
app = create_app()
with app.app_context():
    from portal.claims.models import Claim
    from portal.database import transaction
    from portal.payments.service import execute_run
    sheets = db.session.scalar(select(func.count()).select_from(Claim)
                               .where(Claim.status == "goedgekeurd"))
    db.session.rollback()
    count = [0]
    event.listen(db.engine, "before_cursor_execute",
                 lambda *a: count.__setitem__(0, count[0] + 1))
    started = time.perf_counter()
    with transaction():
        outcome = execute_run(None, dt.date.fromisoformat(sys.argv[1]))
    seconds = time.perf_counter() - started
    print(json.dumps({"sheets": sheets, "seconds": seconds, "statements": count[0],
                      "total_cents": outcome.run.total_cents if outcome.run else 0}))
"""


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(sql)


def log_in(base: str, email: str) -> str:
    """Log in through the real form; the session cookie as a Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/inloggen").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": BENCH_PASSWORD,
                                   "csrf_token": token}).encode()
    try:
        opener.open(f"{base}/inloggen", data=data).read()
    except urllib.error.HTTPError as error:
        errors = re.findall(r'class="error[^"]*"[^>]*>([^<]+)', error.read().decode())
        sys.exit(f"Inloggen als {email} lukt niet ({error.code}): {errors}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str, script: Path) -> dict:
    out = subprocess.run(["wrk", "-t1", "-c4", f"-d{DURATION}s", "-s", str(script), url],
                         capture_output=True, text=True, env={**os.environ, "BENCH_COOKIE": cookie},
                         check=True).stdout
    _, requests, p50, p95, errors = re.search(r"RESULT .*", out).group(0).split()
    return {"requests": int(requests), "p50": float(p50), "p95": float(p95),
            "errors": int(errors)}


def one_request(url: str, cookie: str) -> tuple[float, int]:
    started = time.perf_counter()
    body = urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})).read()
    return (time.perf_counter() - started) * 1000, len(body)


def prepare(args, name: str, env: dict) -> float | None:
    """The database: generated afresh, or (--reuse) kept from an earlier --keep run and brought
    up to the current migrations. Returns the seconds generating took (None when reused)."""
    if args.reuse:
        subprocess.run([str(VENV / "portal"), "init-db"], env=env, check=True)
        return None
    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    subprocess.run([str(VENV / "portal"), "init-db"], env=env, check=True)
    print(f"Generating {args.households} households ...", flush=True)
    built = generate(env["PORTAL_DATABASE_URL"], args.households)
    print(f"  {built:.0f} s", flush=True)
    return built


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=15_000)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--generate-only", action="store_true",
                        help="only generate the data (with --keep: for a later --reuse)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the database a --keep run left (migrated to head)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk ontbreekt: installeer het met `make system-packages` (Debian-pakket wrk).")
    n = args.households
    name = f"pgb_bench_{n}"
    url = f"{PG_URL}/{name}"
    instance = tempfile.mkdtemp(prefix="pgb-bench-scale-")
    env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_INSTANCE_DIR": instance,
           "PORTAL_ENV": "development"}
    load_at_start = machine()
    keep = args.keep or (args.generate_only and not args.reuse)
    try:
        built = prepare(args, name, env)
        if args.generate_only:
            return
        results = measure_pages(n, env, instance)
        run = measure_run(env)  # last: it pays (consumes) the approved sheets
    finally:
        if not keep:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(instance, ignore_errors=True)
    report(args, n, load_at_start, built, results, run)


if __name__ == "__main__":
    main()
