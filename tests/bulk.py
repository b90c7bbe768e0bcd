"""Many approved hour sheets at once, in a handful of INSERT ... SELECT statements (PostgreSQL).

For tests at national scale: factories write one row at a time, far too slow for 70,000
agreements. The rows satisfy the ledger's invariants (tests/ledger.py): each sheet's amount is
reserved on its grant, which is what an approval would have done.

Layout of `payable_sheets(n, ...)`: n households, each with one member, one grant, one
agreement with one approved version and one line, and one approved sheet of `month` with one
day line of 2 hours at EUR 60.00 (EUR 120.00). Providers are shared: agreement i goes to
provider i % providers. Every `without_iban`-th agreement has no IBAN (held back by the run).
Every `holder_every`-th household has a budget holder login; every provider has a login.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from portal.extensions import db

IBAN = "NL91ABNA0417164300"
TARIFF_CENTS = 6_000
MINUTES = 120
SHEET_CENTS = TARIFF_CENTS * MINUTES // 60


def payable_sheets(n: int, *, month: dt.date = dt.date(2026, 3, 1), providers: int = 5_000,
                   without_iban: int = 1_000, holder_every: int = 10, tag: str = "B") -> None:
    """Insert the rows (in the session's transaction; the caller commits or rolls back)."""
    s = db.session
    params = {"n": n, "p": providers, "month": month, "day": month + dt.timedelta(days=1),
              "start": month.replace(month=1), "end": month.replace(month=12, day=31),
              "iban": IBAN, "tariff": TARIFF_CENTS, "minutes": MINUTES, "cents": SHEET_CENTS,
              "noiban": without_iban, "holders": holder_every, "tag": tag}
    base = {name: s.execute(text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar_one()
            for name in ("households", "members", "grants", "providers", "agreements",
                         "agreement_versions", "claims", "funders")}
    params.update({f"b_{k}": v for k, v in base.items()})
    statements = [
        "INSERT INTO funders (id, name, kind) VALUES (:b_funders + 1, 'Gemeente ' || :tag || "
        "(:b_funders + 1), 'gemeente')",
        "INSERT INTO households (id, name, works_on_paper, created_at) SELECT :b_households + i, "
        "'Huishouden ' || :tag || i, false, now() FROM generate_series(1, :n) i",
        "INSERT INTO members (id, household_id, name, bsn, birth_date) SELECT :b_members + i, "
        ":b_households + i, 'Lid ' || :tag || i, lpad((:b_members + i)::text, 9, '0'), "
        "DATE '2010-05-01' FROM generate_series(1, :n) i",
        "INSERT INTO grants (id, member_id, funder_id, law, period_start, period_end, "
        "amount_cents, reserved_cents, paid_cents, care_kinds, decision_reference, created_at) "
        "SELECT :b_grants + i, :b_members + i, :b_funders + 1, 'wmo', :start, :end, 10000000, "
        ":cents, 0, '[\"individuele_begeleiding\"]', '', now() FROM generate_series(1, :n) i",
        "INSERT INTO providers (id, kind, name, iban, created_at) SELECT :b_providers + i, "
        "'persoon', 'Zorgverlener ' || :tag || i, :iban, now() FROM generate_series(1, :p) i",
        "INSERT INTO agreements (id, reference, household_id, provider_id, model, relation, "
        "created_at) SELECT :b_agreements + i, 'ZO-' || :tag || (:b_agreements + i), "
        ":b_households + i, :b_providers + 1 + (i % :p), 'opdracht', 'geen', now() "
        "FROM generate_series(1, :n) i",
        "INSERT INTO agreement_versions (id, agreement_id, number, status, starts_on, end_kind, "
        "days_per_week, iban, notice_months, signed_on_paper, top_up, review_round, created_at) "
        "SELECT :b_agreement_versions + i, :b_agreements + i, 1, 'goedgekeurd', :start, 'geen', "
        "0, CASE WHEN i % :noiban = 0 THEN NULL ELSE :iban END, 1, false, false, 1, now() "
        "FROM generate_series(1, :n) i",
        "INSERT INTO agreement_lines (version_id, grant_id, care_kind, unit, tariff_cents, "
        "weekly_quantity) SELECT :b_agreement_versions + i, :b_grants + i, "
        "'individuele_begeleiding', 'uur', :tariff, 240 FROM generate_series(1, :n) i",
        "INSERT INTO claims (id, reference, agreement_id, month, status, source, total_cents, "
        "note, created_at) SELECT :b_claims + i, 'UB-' || :tag || (:b_claims + i), "
        ":b_agreements + i, :month, 'goedgekeurd', 'portal', :cents, '', now() "
        "FROM generate_series(1, :n) i",
        "INSERT INTO claim_lines (claim_id, day, care_kind, unit, quantity, tariff_cents, "
        "amount_cents, grant_id) SELECT :b_claims + i, :day, 'individuele_begeleiding', 'uur', "
        ":minutes, :tariff, :cents, :b_grants + i FROM generate_series(1, :n) i",
        "INSERT INTO users (email, name, password_hash, role, is_active_account, household_id, "
        "created_at) SELECT 'bh' || :tag || i || '@bulk.invalid', 'Budgethouder ' || i, 'x', "
        "'budgethouder', true, :b_households + i, now() FROM generate_series(1, :n) i "
        "WHERE i % :holders = 0",
        "INSERT INTO users (email, name, password_hash, role, is_active_account, provider_id, "
        "created_at) SELECT 'zv' || :tag || i || '@bulk.invalid', 'Zorgverlener ' || i, 'x', "
        "'zorgverlener', true, :b_providers + i, now() FROM generate_series(1, :p) i",
    ]
    for statement in statements:
        s.execute(text(statement), params)
    for table in base:  # the sequences continue after the ids given here
        s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT max(id) FROM {table}))"))
    # Only the tables filled here: a database-wide ANALYZE also analyses the cluster's shared
    # catalogs (pg_authid ...), whose lock it then waits for behind any other database's.
    s.execute(text("ANALYZE " + ", ".join([*base, "agreement_lines", "claim_lines",
                                           "users"])))
