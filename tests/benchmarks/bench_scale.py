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
# wrk sends the User-Agent of the logins (urllib's): the portal ends a session whose browser
# changes (Flask-Login's strong session protection).
SLOW_MS = 1500  # a page slower than this is timed one request at a time, not under wrk
USER_AGENT = f"Python-urllib/{sys.version_info[0]}.{sys.version_info[1]}"

LUA = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
wrk.headers["User-Agent"] = os.getenv("BENCH_UA")
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
    from portal.payments.service import batch_commits, execute_run
    sheets = db.session.scalar(select(func.count()).select_from(Claim)
                               .where(Claim.status.in_(["goedgekeurd", "ingediend"])))
    db.session.rollback()
    count = [0]
    event.listen(db.engine, "before_cursor_execute",
                 lambda *a: count.__setitem__(0, count[0] + 1))
    from portal.claims import approval
    from portal.payments import service
    phases = {}

    def timed(module, name):  # seconds spent in each step of the run
        inner = getattr(module, name)

        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0) + time.perf_counter() - t
        setattr(module, name, wrapper)

    for name in ("_lock_payable_claims", "_plan", "_shares", "_write_payments",
                 "_tell_households", "_end_of_batch"):
        timed(service, name)
    timed(approval, "approve_all_submitted")
    started = time.perf_counter()
    with batch_commits(), transaction():  # as `portal run-payments`: a commit per batch
        outcome = execute_run(None, dt.date.fromisoformat(sys.argv[1]))
    seconds = time.perf_counter() - started
    print(json.dumps({"sheets": sheets, "seconds": seconds, "statements": count[0],
                      "phases": {k: round(v, 1) for k, v in phases.items()},
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
                         capture_output=True, text=True,
                         env={**os.environ, "BENCH_COOKIE": cookie, "BENCH_UA": USER_AGENT},
                         check=True).stdout
    _, requests, p50, p95, errors = re.search(r"RESULT .*", out).group(0).split()
    if cookie:  # the login must have held (a 302 to the login page would look fast)
        answer = urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}))
        if answer.geturl() != url:
            sys.exit(f"De sessie is verlopen tijdens wrk op {url}: de meting klopt niet.")
    return {"requests": int(requests), "p50": float(p50), "p95": float(p95),
            "errors": int(errors)}


def one_request(url: str, cookie: str) -> tuple[float, int]:
    started = time.perf_counter()
    body = urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})).read()
    return (time.perf_counter() - started) * 1000, len(body)


# Staff logins (two-step) and a review queue, added once to a generated database (idempotent).
STAFF_SQL = [
    "INSERT INTO users (email, name, password_hash, role, is_active_account, funder_id, "
    "totp_secret, created_at) SELECT 'consulent@bench.example.nl', 'Consulent Bench', :hash, "
    "'consulent', true, 1, :secret, now() WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = "
    "'consulent@bench.example.nl')",
    "INSERT INTO users (email, name, password_hash, role, is_active_account, totp_secret, "
    "created_at) SELECT 'kantoor@bench.example.nl', 'Betaalkantoor Bench', :hash, 'beheerder', "
    "true, :secret, now() WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = "
    "'kantoor@bench.example.nl')",
    # a second version waiting for the funder on every 100th agreement (the consulent's queue)
    "INSERT INTO agreement_versions (agreement_id, number, status, starts_on, end_kind, "
    "days_per_week, iban, notice_months, signed_on_paper, top_up, review_round, "
    "signed_by_holder_at, created_at) SELECT a.id, 2, 'ter_beoordeling', DATE '2027-01-01', "
    "'geen', 2, :iban, 1, false, false, 1, now(), now() FROM agreements a WHERE a.id % 100 = 0 "
    "AND NOT EXISTS (SELECT 1 FROM agreement_versions v WHERE v.agreement_id = a.id "
    "AND v.number = 2)",
    "INSERT INTO agreement_lines (version_id, grant_id, care_kind, unit, tariff_cents, "
    "weekly_quantity) SELECT v.id, a.household_id, 'individuele_begeleiding', 'uur', :tariff, "
    "480 FROM agreement_versions v JOIN agreements a ON a.id = v.agreement_id "
    "WHERE v.number = 2 AND NOT EXISTS (SELECT 1 FROM agreement_lines l "
    "WHERE l.version_id = v.id)",
]
SUBMITTERS = 2  # households that submit sheets in the benchmark
SUBMIT_AGREEMENTS = 50  # new agreements per submitting household (each takes months 9-11)
SUBMIT_MONTHS = (9, 10, 11)


def add_staff_and_submitters(url: str, households: int) -> tuple[str, list[tuple[int, list]]]:
    """Staff logins and a review queue (once), and for this run a new care provider (a person)
    with SUBMIT_AGREEMENTS fresh approved agreements in each of SUBMITTERS households, for
    distinct sheets to submit. Returns the staff's TOTP secret and per household its
    agreements."""
    import psycopg
    import pyotp
    from argon2 import PasswordHasher

    from tests.benchmarks.generate import IBAN, TARIFF_CENTS

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        secret = conn.execute("SELECT totp_secret FROM users WHERE email = "
                              "'kantoor@bench.example.nl'").fetchone()
        secret = secret[0] if secret else pyotp.random_base32()
        params = {"hash": PasswordHasher().hash(BENCH_PASSWORD), "secret": secret,
                  "iban": IBAN, "tariff": TARIFF_CENTS}
        for statement in STAFF_SQL:
            conn.execute(statement.replace("%", "%%").replace(":hash", "%(hash)s").replace(":secret", "%(secret)s")
                         .replace(":iban", "%(iban)s").replace(":tariff", "%(tariff)s"), params)
        provider = conn.execute(
            "INSERT INTO providers (kind, name, iban, created_at) VALUES ('persoon', "
            "'Zorgverlener Indienen', %s, now()) RETURNING id", (IBAN,)).fetchone()[0]
        made = []
        for k in range(SUBMITTERS):
            # other households each run (their budgets take one run's sheets)
            household = 1 + (households // 2 + (provider * SUBMITTERS + k) * 7) % households
            conn.execute("INSERT INTO household_providers (household_id, provider_id, iban, "
                         "created_at) VALUES (%s, %s, %s, now())", (household, provider, IBAN))
            agreements = []
            for _ in range(SUBMIT_AGREEMENTS):
                aid = conn.execute(
                    "INSERT INTO agreements (reference, household_id, provider_id, model, "
                    "relation, created_at) VALUES ('ZO-I' || nextval('agreements_id_seq'), %s, "
                    "%s, 'opdracht', 'geen', now()) RETURNING id", (household, provider)
                ).fetchone()[0]
                vid = conn.execute(
                    "INSERT INTO agreement_versions (agreement_id, number, status, starts_on, "
                    "end_kind, days_per_week, iban, notice_months, signed_on_paper, top_up, "
                    "review_round, created_at) VALUES (%s, 1, 'goedgekeurd', DATE '2026-01-01', "
                    "'geen', 2, %s, 1, false, false, 1, now()) RETURNING id", (aid, IBAN)
                ).fetchone()[0]
                conn.execute("INSERT INTO agreement_lines (version_id, grant_id, care_kind, "
                             "unit, tariff_cents, weekly_quantity) VALUES (%s, %s, "
                             "'individuele_begeleiding', 'uur', %s, 480)",
                             (vid, household, TARIFF_CENTS))
                agreements.append(aid)
            made.append((household, agreements))
        conn.execute("ANALYZE agreements; ANALYZE agreement_versions; ANALYZE agreement_lines; "
                     "ANALYZE users")
    return secret, made


def log_in_two_step(base: str, email: str, secret: str) -> str:
    """Log a staff member in: password, then the code from the authenticator (pyotp)."""
    import pyotp

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/inloggen").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    page = opener.open(f"{base}/inloggen", data=urllib.parse.urlencode(
        {"email": email, "password": BENCH_PASSWORD, "csrf_token": token}).encode()).read()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.decode()).group(1)
    opener.open(f"{base}/inloggen/code", data=urllib.parse.urlencode(
        {"code": pyotp.TOTP(secret).now(), "csrf_token": token}).encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def submit_sheets(base: str, submitters: list[tuple[int, list]]) -> dict:
    """Each submitting holder fills in and submits a sheet (one line: 2 hours on a day of its
    own) for every fresh agreement and month, one after the other: the POST that submits is
    timed (the GET of the form before it is not). A distinct, valid sheet each time."""
    times, failed = [], 0
    opener = urllib.request.build_opener(_NoRedirect)
    for household, agreements in submitters:
        cookie = log_in(base, f"bh{household}@bench.example.nl")
        for i, agreement in enumerate(agreements):
            for month in SUBMIT_MONTHS:
                url = f"{base}/overeenkomsten/{agreement}/urenbriefje/{YEAR}-{month:02d}"
                form = urllib.request.urlopen(urllib.request.Request(
                    url, headers={"Cookie": cookie})).read().decode()
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
                cells = sorted(set(re.findall(r'name="(c0_\d\d)"', form)))
                data = urllib.parse.urlencode({"csrf_token": token, "action": "indienen",
                                               cells[i % 28]: "2"}).encode()
                started = time.perf_counter()
                try:
                    opener.open(urllib.request.Request(url, data=data,
                                                       headers={"Cookie": cookie})).read()
                    failed += 1  # 200 or 422: the form again, not submitted
                except urllib.error.HTTPError as answer:
                    failed += answer.code != 302
                times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"requests": len(times), "p50": times[len(times) // 2],
            "p95": times[int(len(times) * 0.95)], "errors": failed}


def start_server(env: dict, instance: str) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [str(VENV / "gunicorn"), "-w", "2", "--timeout", "300", "--no-control-socket", "--pid",
         str(Path(instance) / "gunicorn.pid"), "-b", f"127.0.0.1:{PORT}", "portal:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{PORT}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/inloggen").read()
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def measure_pages(n: int, env: dict, instance: str) -> list:
    """Every page under wrk against the trivial page, then the sheets submitted one by one."""
    secret, submitters = add_staff_and_submitters(env["PORTAL_DATABASE_URL"], n)
    server, base = start_server(env, instance)
    try:
        household = n // 2
        holder = log_in(base, f"bh{household}@bench.example.nl")
        provider = log_in(base, "zv1@bench.example.nl")  # the large provider
        consulent = log_in_two_step(base, "consulent@bench.example.nl", secret)
        office = log_in_two_step(base, "kantoor@bench.example.nl", secret)
        script = Path(instance) / "cookie.lua"
        script.write_text(LUA)
        pages = [
            ("trivial page (GET /inloggen)", f"{base}/inloggen", ""),
            ("*Mijn budget*", f"{base}/huishoudens/{household}/budget", holder),
            ("*Urenbriefjes*", f"{base}/huishoudens/{household}/urenbriefjes", holder),
            ("large provider's *Betalingen*", f"{base}/zorgverlener/betalingen", provider),
            ("consulent's queue", f"{base}/verstrekker", consulent),
            ("office's run page", f"{base}/betaalkantoor/betaalrondes", office),
        ]
        results = []
        for label, page_url, cookie in pages:
            print(f"wrk {label} ...", flush=True)
            first_ms, size = one_request(page_url, cookie)
            if first_ms > SLOW_MS:  # wrk would only count timeouts: a few requests in a row
                more = 2 if first_ms < 10 * SLOW_MS else 0
                times = sorted([first_ms] + [one_request(page_url, cookie)[0]
                                             for _ in range(more)])
                results.append((label + f" (too slow for wrk: {len(times)} request(s) one "
                                "at a time)", {"requests": len(times),
                                               "p50": times[len(times) // 2], "p95": times[-1],
                                               "errors": 0}, size))
                continue
            results.append((label, wrk(page_url, cookie, script), size))
        print("submitting sheets ...", flush=True)
        results.append(("submitting an hour sheet (POST, one at a time)",
                        submit_sheets(base, submitters), 0))
        return results
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def measure_run(env: dict) -> dict:
    """`portal run-payments`' work (execute_run) in a child process: seconds, statements, peak
    memory. Last: it pays the approved sheets (and the submitted ones)."""
    print("portal run-payments ...", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run_day = f"{YEAR}-{PAYABLE_MONTH + 1:02d}-10"
    out = subprocess.run([str(VENV / "python"), "-c", RUN_SCRIPT, run_day], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    run = json.loads(out.strip().splitlines()[-1])
    run["peak_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return run


def report(args, n: int, load_at_start: str, built: float | None, results: list,
           run: dict | None) -> None:
    made = (f"Data generated in {built:.0f} s (tests/benchmarks/generate.py)" if built is not None
            else "Data generated earlier by tests/benchmarks/generate.py (--reuse), migrated to "
                 "the current head")
    lines = [f"## National scale, {n:,} households ({today().isoformat()})", "",
             f"{load_at_start}. {made}. gunicorn 2 sync workers; wrk 1 thread, 4 connections, "
             f"{DURATION} s per page; sheets submitted one at a time by a Python loop.", "",
             "| page | requests | p50 ms | p95 ms | p95 / trivial | bytes | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    trivial = results[0][1]["p95"] if results else 0
    for label, r, size in results:
        lines.append(f"| {label} | {r['requests']} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['p95'] / trivial:.1f}x | {size:,} | {r['errors']} |")
    if run is not None:
        per_1000 = run["statements"] / max(1, run["sheets"]) * 1000
        lines += ["", f"`portal run-payments` (execute_run in one process, a commit per batch): "
                  f"{run['sheets']:,} sheets in {run['seconds']:.1f} s, peak memory "
                  f"{run['peak_mb']:.0f} MB, {run['statements']:,} SQL statements "
                  f"({per_1000:.1f} per 1,000 sheets)."]
        if run.get("phases"):
            lines += ["", "Seconds per step of the run: " + ", ".join(
                f"{name.strip('_')} {seconds}" for name, seconds in run["phases"].items()) + "."]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section(f"bench_scale_{n}", body)


def more_sheets_if_paid(url: str) -> None:
    """A kept database whose approved sheets an earlier run paid: a next month of approved
    sheets on every agreement (generate.add_payable_month), for this run to pay."""
    import psycopg

    from tests.benchmarks.generate import add_payable_month

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        waiting, last = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'goedgekeurd'), "
            "max((extract(year FROM month)::int - %s) * 12 + extract(month FROM month)::int) "
            "FROM claims", (YEAR,)).fetchone()
    if not waiting:
        print(f"Approved sheets for month {last + 1} ...", flush=True)
        print(f"  {add_payable_month(url, last + 1):.0f} s", flush=True)


def prepare(args, name: str, env: dict) -> float | None:
    """The database: generated afresh, or (--reuse) kept from an earlier --keep run and brought
    up to the current migrations. Returns the seconds generating took (None when reused)."""
    if args.reuse:
        subprocess.run([str(VENV / "portal"), "init-db"], env=env, check=True)
        if not args.skip_run:
            more_sheets_if_paid(env["PORTAL_DATABASE_URL"])
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
    parser.add_argument("--skip-run", action="store_true",
                        help="measure the pages only (the run pays the approved sheets)")
    parser.add_argument("--run-only", action="store_true",
                        help="time the payment run only (no pages)")
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
        results = [] if args.run_only else measure_pages(n, env, instance)
        run = None if args.skip_run else measure_run(env)  # last: it pays the sheets
    finally:
        if not keep:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(instance, ignore_errors=True)
    report(args, n, load_at_start, built, results, run)


if __name__ == "__main__":
    main()
