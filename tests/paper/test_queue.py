"""The production path of `portal paper-run --queue`: rq jobs on the real Redis at
127.0.0.1:6379 (a database number of its own, every key we made removed afterwards), done by
rq's SimpleWorker in burst mode in this process. Skipped, with the reason, when Redis cannot be
reached."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.paper.conftest import TODAY

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_conn():
    from redis import Redis
    from redis.exceptions import RedisError

    conn = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    before = set(conn.keys("*"))
    yield conn
    made = set(conn.keys("*")) - before
    if made:
        conn.delete(*made)
    conn.close()


@pytest.fixture
def worker_app(monkeypatch, paper_app, tmp_path):
    """rq's worker makes its app from the environment, as in production (jobs._app)."""
    from portal.extensions import db
    from portal.paper import jobs

    monkeypatch.setenv("PORTAL_DATABASE_URL", paper_app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path / "worker-instance"))
    monkeypatch.setattr(jobs, "_APP", None)
    yield
    if jobs._APP is not None:
        with jobs._APP.app_context():
            db.engine.dispose()
    monkeypatch.setattr(jobs, "_APP", None)


def _enqueue_and_work(app, redis_conn, out, queue_name):
    import datetime as dt

    from rq import Queue, SimpleWorker

    from portal.paper.cli import enqueue_paper

    with app.app_context():
        count = enqueue_paper(dt.date(2026, 10, 1), out, TODAY, REDIS_URL, queue_name=queue_name)
    queue = Queue(queue_name, connection=redis_conn)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    return count, queue


def test_queued_run_writes_documents_and_a_manifest_with_references(
        paper_app, redis_conn, worker_app, tmp_path):
    app = paper_app
    out = tmp_path / "papier"
    out.mkdir()
    count, queue = _enqueue_and_work(app, redis_conn, out, f"paper-test-{uuid.uuid4().hex}")
    assert count == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["month"] == "2026-10" and manifest["not_made"] == []
    assert {h["budget_holder"] for h in manifest["households"].values()} == {"Anna Jansen",
                                                                            "Pieter Bakker"}
    docs = manifest["documents"]
    assert len(docs) == 6
    for relpath, entry in docs.items():
        assert (out / relpath).read_bytes().startswith(b"%PDF-")
        if entry["kind"] == "statement":
            assert entry["reference"] == f"OV-{entry['household_id']:06d}-202610-202610"
        else:
            assert entry["reference"] == f"UB-202610-{entry['agreement_id']:06d}"
    assert queue.failed_job_registry.count == 0


def test_a_failed_document_does_not_block_the_manifest(
        paper_app, redis_conn, worker_app, tmp_path, monkeypatch):
    import datetime as dt

    app = paper_app
    from portal.paper import service

    with app.app_context():
        broken = next(p for p in service.plan_paper_run(dt.date(2026, 10, 1))
                      if p.kind == "hour_sheet")
    original = service.build_planned

    def fails_for_one_sheet(planned, today):
        if planned.path == broken.path:
            raise RuntimeError("kapotte printer")
        return original(planned, today)

    monkeypatch.setattr(service, "build_planned", fails_for_one_sheet)
    out = tmp_path / "papier"
    out.mkdir()
    count, queue = _enqueue_and_work(app, redis_conn, out, f"paper-test-{uuid.uuid4().hex}")
    assert count == 6
    assert queue.failed_job_registry.count == 1
    manifest = json.loads((out / "manifest.json").read_text())  # the manifest job ran
    assert len(manifest["documents"]) == 5
    assert manifest["not_made"] == [broken.path] and broken.path not in manifest["documents"]
