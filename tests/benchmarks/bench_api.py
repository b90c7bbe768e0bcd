"""Benchmark: preparing 1,000 hour sheets in one bulk API call, with every rule, against 1,000
single GET /api/v1/agreements/{id} calls of the same organisation, on PostgreSQL (issue 13,
"Numbers"). Target: the bulk call takes at most 10x the time of the 1,000 reads.

The organisation has 1,000 clients (a household, a member, a Wmo grant and an approved
agreement each), made directly in the database; then the reads (after a warm-up of 20) and the
one bulk call of 1,000 sheets for last month (two days of two hours each) go through the
app's test client, so every call does what a real one does: the key, the scope, the audit
log, the permission function, the rules, one commit.

Run: .venv/bin/python tests/benchmarks/bench_api.py [--database-url URL] [--write]
The database (default postgresql+psycopg://postgres@127.0.0.1/pgb_api_bench) is dropped and
made anew. --write puts the section into RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import machine, today, write_section  # noqa: E402

CLIENTS = 1_000
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/pgb_api_bench"


def fresh_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = f"host={parsed.host or '127.0.0.1'} user={parsed.username or 'postgres'} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def build(app) -> tuple[str, list[int]]:
    from portal.access.constants import Role
    from portal.access.models import User
    from portal.access.service import unusable_password_hash
    from portal.agreements.constants import ModelKind, ProviderKind, VersionStatus
    from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
    from portal.api.service import create_api_key
    from portal.budgets.constants import CareKind, FunderKind, Law, Unit
    from portal.budgets.models import Funder, Grant, Household, Member
    from portal.database import transaction
    from portal.extensions import db
    from portal.providers.models import Provider
    from tests.factories import valid_bsn

    year = (today().replace(day=1) - dt.timedelta(days=1)).year
    with app.app_context(), transaction():
        funder = Funder(name="Gemeente Bench", kind=FunderKind.GEMEENTE)
        provider = Provider(kind=ProviderKind.ORGANISATIE, name="Thuiszorg Bench",
                            iban="NL91ABNA0417164300", kvk="12345678", agb="87654321")
        db.session.add_all([funder, provider])
        db.session.flush()
        households = [Household(name=f"Huishouden {n}") for n in range(CLIENTS)]
        db.session.add_all(households)
        db.session.flush()
        members = [Member(household_id=h.id, name=f"Cliënt {n}", bsn=valid_bsn(n + 1),
                          birth_date=dt.date(1950, 1, 1)) for n, h in enumerate(households)]
        db.session.add_all(members)
        db.session.add_all([User(email=f"holder{n}@bench.invalid", name=f"Budgethouder {n}",
                                 role=Role.BUDGETHOUDER, household_id=h.id,
                                 password_hash=unusable_password_hash())
                            for n, h in enumerate(households)])
        db.session.flush()
        grants = [Grant(member_id=m.id, funder_id=funder.id, law=Law.WMO,
                        period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                        amount_cents=5_000_000, reserved_cents=0, paid_cents=0,
                        care_kinds=[CareKind.INDIVIDUELE_BEGELEIDING.value]) for m in members]
        db.session.add_all(grants)
        db.session.flush()
        agreements = [Agreement(reference=f"ZO-B{n:06d}", household_id=h.id,
                                provider_id=provider.id, model=ModelKind.ZORGINSTELLING)
                      for n, h in enumerate(households)]
        db.session.add_all(agreements)
        db.session.flush()
        versions = [AgreementVersion(agreement_id=a.id, number=1, status=VersionStatus.GOEDGEKEURD,
                                     starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31),
                                     iban=provider.iban) for a in agreements]
        db.session.add_all(versions)
        db.session.flush()
        db.session.add_all([AgreementLine(version_id=v.id, grant_id=g.id,
                                          care_kind=CareKind.INDIVIDUELE_BEGELEIDING,
                                          unit=Unit.UUR, tariff_cents=6000, weekly_quantity=240)
                            for v, g in zip(versions, grants, strict=True)])
        _key, token = create_api_key(None, label="Bench", owner_kind="provider",
                                     provider_id=provider.id,
                                     scopes=["claims:read", "claims:write"],
                                     expires_on=today() + dt.timedelta(days=30), today=today())
        return token, [a.id for a in agreements]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from portal import create_app
    from portal.migrate import upgrade

    fresh_database(args.database_url)
    app = create_app(config={"PORTAL_ARGON2_FAST": True, "RATELIMIT_ENABLED": False},
                     environ={"PORTAL_INSTANCE_DIR": tempfile.mkdtemp(prefix="pgb-bench-"),
                              "PORTAL_DATABASE_URL": args.database_url})
    with app.app_context():
        upgrade()
    start_load = machine()
    token, ids = build(app)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    for agreement_id in ids[:20]:  # warm-up
        assert client.get(f"/api/v1/agreements/{agreement_id}", headers=headers).status_code == 200

    started = time.perf_counter()
    for agreement_id in ids:
        answer = client.get(f"/api/v1/agreements/{agreement_id}", headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    reads = time.perf_counter() - started

    month = (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    sheets = [{"agreement_id": agreement_id, "month": f"{month:%Y-%m}",
               "lines": [{"day": month.replace(day=d).isoformat(),
                          "care_kind": "individuele_begeleiding", "quantity": 120}
                         for d in (3, 10)]} for agreement_id in ids]
    started = time.perf_counter()
    answer = client.post("/api/v1/sheets", json={"sheets": sheets}, headers=headers)
    bulk = time.perf_counter() - started
    body = answer.get_json()
    assert answer.status_code == 200 and body["created"] == CLIENTS, body["results"][:2]

    ratio = bulk / reads
    verdict = "met" if ratio <= 10 else "NOT met"
    section = (
        f"## API: 1,000 sheets in one bulk call vs 1,000 single reads ({today()})\n\n"
        f"{start_load}; PostgreSQL; through the app's test client (key, scope, permission, "
        f"rules, audit log, commit per call).\n\n"
        f"| what | seconds | per item |\n| --- | ---: | ---: |\n"
        f"| 1,000 x GET /api/v1/agreements/{{id}} | {reads:.2f} | {reads:.2f} ms |\n"
        f"| 1 x POST /api/v1/sheets with 1,000 sheets | {bulk:.2f} | {bulk:.2f} ms |\n\n"
        f"- bulk / reads: **{ratio:.1f}x** (target at most 10x): {verdict}\n")
    print(section)
    if args.write:
        write_section("bench_api", section)


if __name__ == "__main__":
    main()
