"""Generated data for the scale benchmark: N households with a year of history, on PostgreSQL.

Everything is made by INSERT ... SELECT over generate_series (a few dozen statements, whatever
N), so 15,000 households take a minute or so. Per household: one budget holder login (password
BENCH_PASSWORD), one member, one Wmo grant for YEAR, two agreements (providers shared, one
provider per 3 households; provider 1 is large and holds every 30th agreement), each with an
approved version, and a sheet per agreement per month: months 1-10 paid in ten monthly runs
(one payment per provider per run), month 11 approved (what the benchmark's run pays). Each
sheet has 8 day lines of 2 hours at EUR 60.00 (EUR 960.00). The grants' running totals are set
from the lines, so tests/ledger.py's invariants hold.

    python tests/benchmarks/generate.py postgresql+psycopg://postgres@127.0.0.1/pgb_bench_x 1500
"""

from __future__ import annotations

import sys
import time

YEAR = 2026
PAID_MONTHS = 10  # months 1..10 paid; month 11 approved, waiting for the run
PAYABLE_MONTH = 11
DAYS = 8
MINUTES = 120
TARIFF_CENTS = 6_000
LINE_CENTS = TARIFF_CENTS * MINUTES // 60
SHEET_CENTS = LINE_CENTS * DAYS
IBAN = "NL91ABNA0417164300"
BENCH_PASSWORD = "bench-wachtwoord-123"

STATEMENTS = [
    "INSERT INTO funders (id, name, kind) VALUES (1, 'Gemeente Bench', 'gemeente')",
    "INSERT INTO households (id, name, works_on_paper, created_at) "
    "SELECT h, 'Huishouden ' || h, false, now() FROM generate_series(1, :n) h",
    "INSERT INTO members (id, household_id, name, bsn, birth_date) "
    "SELECT h, h, 'Lid ' || h, lpad(h::text, 9, '0'), DATE '2010-05-01' "
    "FROM generate_series(1, :n) h",
    "INSERT INTO grants (id, member_id, funder_id, law, period_start, period_end, amount_cents, "
    "reserved_cents, paid_cents, care_kinds, decision_reference, created_at) "
    "SELECT h, h, 1, 'wmo', make_date(:year, 1, 1), make_date(:year, 12, 31), 5000000, 0, 0, "
    "'[\"individuele_begeleiding\"]', 'B-' || h, now() FROM generate_series(1, :n) h",
    "INSERT INTO providers (id, kind, name, iban, created_at) "
    "SELECT p, CASE WHEN p = 1 THEN 'organisatie' ELSE 'persoon' END, "
    "CASE WHEN p = 1 THEN 'Thuiszorg Groot B.V.' ELSE 'Zorgverlener ' || p END, :iban, now() "
    "FROM generate_series(1, :p) p",
    # agreement a = 2h - 1 + k (k = 0, 1) of household h; provider 1 gets every 30th
    "INSERT INTO agreements (id, reference, household_id, provider_id, model, relation, "
    "created_at) SELECT 2 * h - 1 + k, 'ZO-B' || (2 * h - 1 + k), h, "
    "CASE WHEN (2 * h - 1 + k) % 30 = 0 THEN 1 ELSE 2 + ((h + k * 7) % (:p - 1)) END, "
    "'opdracht', 'geen', now() FROM generate_series(1, :n) h, generate_series(0, 1) k",
    "INSERT INTO household_providers (household_id, provider_id, iban, created_at) "
    "SELECT DISTINCT household_id, provider_id, :iban, now() FROM agreements",
    "INSERT INTO agreement_versions (id, agreement_id, number, status, starts_on, end_kind, "
    "days_per_week, iban, notice_months, signed_on_paper, top_up, review_round, created_at) "
    "SELECT a.id, a.id, 1, 'goedgekeurd', make_date(:year, 1, 1), 'geen', 2, :iban, 1, false, "
    "false, 1, now() FROM agreements a",
    "INSERT INTO agreement_lines (version_id, grant_id, care_kind, unit, tariff_cents, "
    "weekly_quantity) SELECT a.id, a.household_id, 'individuele_begeleiding', 'uur', :tariff, "
    "480 FROM agreements a",
    "INSERT INTO claims (id, reference, agreement_id, month, status, source, total_cents, note, "
    "submitted_at, decided_at, paid_on, created_at) "
    "SELECT (a.id - 1) * 11 + m, 'UB-B' || ((a.id - 1) * 11 + m), a.id, make_date(:year, m, 1), "
    "CASE WHEN m <= :paid THEN 'uitbetaald' ELSE 'goedgekeurd' END, 'portal', :sheet, '', "
    "make_date(:year, m, 1) + interval '1 month 2 days', "
    "make_date(:year, m, 1) + interval '1 month 3 days', "
    "CASE WHEN m <= :paid THEN (make_date(:year, m, 1) + interval '1 month 10 days')::date END, "
    "now() FROM agreements a, generate_series(1, :payable) m",
    "INSERT INTO claim_lines (claim_id, day, care_kind, unit, quantity, tariff_cents, "
    "amount_cents, grant_id) SELECT c.id, c.month + (d * 3), 'individuele_begeleiding', 'uur', "
    ":minutes, :tariff, :line, ag.household_id FROM claims c "
    "JOIN agreements ag ON ag.id = c.agreement_id, generate_series(0, :days - 1) d",
    "INSERT INTO payment_runs (id, reference, run_on, status, total_cents, created_at) "
    "SELECT m, 'PGB-' || to_char(make_date(:year, m, 1) + interval '1 month 10 days', "
    "'YYYYMMDD') || '-' || lpad(m::text, 4, '0'), "
    "(make_date(:year, m, 1) + interval '1 month 10 days')::date, 'uitgevoerd', 0, now() "
    "FROM generate_series(1, :paid) m",
    "INSERT INTO payments (run_id, provider_id, iban, amount_cents, reference) "
    "SELECT r.id, x.provider_id, :iban, x.cents, r.reference || '-' || "
    "lpad(x.n::text, greatest(3, length(x.n::text)), '0') "
    "FROM (SELECT m, provider_id, cents, row_number() OVER (PARTITION BY m ORDER BY "
    "provider_id) AS n FROM (SELECT extract(month FROM c.month)::int AS m, ag.provider_id, "
    "sum(c.total_cents) AS cents FROM claims c JOIN agreements ag ON ag.id = c.agreement_id "
    "WHERE c.status = 'uitbetaald' GROUP BY 1, 2) g) x JOIN payment_runs r ON r.id = x.m",
    "INSERT INTO payment_items (payment_id, claim_id, amount_cents) "
    "SELECT p.id, c.id, c.total_cents FROM claims c JOIN agreements ag ON ag.id = c.agreement_id "
    "JOIN payments p ON p.run_id = extract(month FROM c.month)::int "
    "AND p.provider_id = ag.provider_id WHERE c.status = 'uitbetaald'",
    "UPDATE payment_runs r SET total_cents = s.cents FROM (SELECT run_id, sum(amount_cents) "
    "AS cents FROM payments GROUP BY run_id) s WHERE s.run_id = r.id",
    "INSERT INTO claim_events (claim_id, from_status, to_status, at) "
    "SELECT c.id, 'goedgekeurd', 'uitbetaald', c.paid_on FROM claims c "
    "WHERE c.status = 'uitbetaald'",
    "UPDATE grants g SET paid_cents = s.paid, reserved_cents = s.reserved FROM ("
    "SELECT l.grant_id, sum(CASE WHEN c.status = 'uitbetaald' THEN l.amount_cents ELSE 0 END) "
    "AS paid, sum(CASE WHEN c.status = 'goedgekeurd' THEN l.amount_cents ELSE 0 END) AS reserved "
    "FROM claim_lines l JOIN claims c ON c.id = l.claim_id GROUP BY l.grant_id) s "
    "WHERE s.grant_id = g.id",
    "INSERT INTO users (email, name, password_hash, role, is_active_account, household_id, "
    "created_at) SELECT 'bh' || h || '@bench.example.nl', 'Budgethouder ' || h, :hash, "
    "'budgethouder', true, h, now() FROM generate_series(1, :n) h",
    "INSERT INTO users (email, name, password_hash, role, is_active_account, provider_id, "
    "created_at) SELECT 'zv' || p || '@bench.example.nl', 'Medewerker ' || p, :hash, "
    "'zorgverlener', true, p, now() FROM generate_series(1, :p) p",
]

SEQUENCES = ["funders", "households", "members", "grants", "providers", "agreements",
             "household_providers", "agreement_versions", "agreement_lines", "claims",
             "claim_lines", "payment_runs", "payments", "payment_items", "claim_events", "users"]


# Another month of approved sheets on every agreement, for a database the benchmark kept (--keep)
# whose approved sheets a run has paid: the next run pays these. (:month is 12 or later.)
NEXT_MONTH = [
    "INSERT INTO claims (reference, agreement_id, month, status, source, total_cents, note, "
    "submitted_at, decided_at, created_at) SELECT 'UB-M' || :month || '-' || a.id, a.id, "
    "(make_date(:year, 1, 1) + (:month - 1) * interval '1 month')::date, 'goedgekeurd', 'portal', "
    ":sheet, '', now(), now(), now() FROM agreements a JOIN agreement_versions v "
    "ON v.agreement_id = a.id AND v.number = 1 AND v.status = 'goedgekeurd' "
    "JOIN grants g ON g.id = a.household_id "  # a budget with room for both agreements' sheets
    "WHERE a.reference LIKE 'ZO-B%%' AND g.amount_cents - g.reserved_cents - g.paid_cents "
    ">= 2 * :sheet",
    "INSERT INTO claim_lines (claim_id, day, care_kind, unit, quantity, tariff_cents, "
    "amount_cents, grant_id) SELECT c.id, c.month + (d * 3), 'individuele_begeleiding', 'uur', "
    ":minutes, :tariff, :line, ag.household_id FROM claims c "
    "JOIN agreements ag ON ag.id = c.agreement_id, generate_series(0, :days - 1) d "
    "WHERE c.reference LIKE 'UB-M' || :month || '-%%'",
    "UPDATE grants g SET reserved_cents = g.reserved_cents + s.cents FROM (SELECT l.grant_id, "
    "sum(l.amount_cents) AS cents FROM claim_lines l JOIN claims c ON c.id = l.claim_id "
    "WHERE c.reference LIKE 'UB-M' || :month || '-%%' GROUP BY l.grant_id) s "
    "WHERE s.grant_id = g.id",
]


def add_payable_month(url: str, month: int, echo=print) -> float:
    """NEXT_MONTH for `month` (of YEAR; 13 is January of the next year), then the tables it
    filled analysed. Returns the seconds it took."""
    import psycopg

    params = {"year": YEAR, "month": month, "sheet": SHEET_CENTS, "minutes": MINUTES,
              "tariff": TARIFF_CENTS, "line": LINE_CENTS, "days": DAYS}
    started = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        for statement in NEXT_MONTH:
            t = time.perf_counter()
            sql = statement
            for name in sorted(params, key=len, reverse=True):
                sql = sql.replace(f":{name}", f"%({name})s")
            conn.execute(sql, params)
            echo(f"  {time.perf_counter() - t:6.1f} s  {statement[:60]}...")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE claims, claim_lines, grants, payments, payment_items")
    return time.perf_counter() - started


def generate(url: str, households: int, echo=print) -> float:
    """Fill the (migrated, empty) database at `url`; returns the seconds it took."""
    import psycopg
    from argon2 import PasswordHasher

    params = {"n": households, "p": max(2, households // 3), "year": YEAR, "iban": IBAN,
              "tariff": TARIFF_CENTS, "minutes": MINUTES, "line": LINE_CENTS,
              "sheet": SHEET_CENTS, "days": DAYS, "paid": PAID_MONTHS,
              "payable": PAYABLE_MONTH, "hash": PasswordHasher().hash(BENCH_PASSWORD)}
    started = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        for statement in STATEMENTS:
            t = time.perf_counter()
            sql = statement.replace("%", "%%")
            for name in sorted(params, key=len, reverse=True):  # :name -> %(name)s
                sql = sql.replace(f":{name}", f"%({name})s")
            conn.execute(sql, params)
            echo(f"  {time.perf_counter() - t:6.1f} s  {statement[:60]}...")
        for table in SEQUENCES:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


if __name__ == "__main__":
    seconds = generate(sys.argv[1], int(sys.argv[2]))
    print(f"{sys.argv[2]} households in {seconds:.0f} s")
