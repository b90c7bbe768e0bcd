"""The job of the paper run: make one planned document and write it to the output folder.

The same function runs in a worker process of the embedded default (a multiprocessing.Pool,
see cli.py) and in an rq worker in production (PORTAL_REDIS_URL). A worker never shares the
parent's database connections: `init_worker` makes the process's own app and disposes any
engine it may have inherited; an rq worker makes its app from the environment on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

_APP = None


def init_worker(config: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> None:
    """Initializer of a worker process: its own app, its own connections, and the fonts and
    stylesheet loaded once (not on the first document). When the process ends (recycled by
    the pool), WeasyPrint's font folder in /tmp is removed: a pool's worker leaves through
    os._exit, which skips atexit, but multiprocessing's own finalizers do run."""
    global _APP
    from multiprocessing import util

    from portal import create_app
    from portal.extensions import db
    from portal.paper import pdf

    _APP = create_app(config=config, environ=environ)
    with _APP.app_context():
        db.engine.dispose(close=False)  # nothing inherited is ever used
    pdf.warm_up()
    util.Finalize(None, pdf.release, exitpriority=10)


def _app():
    if _APP is None:
        init_worker()  # rq worker: configuration from the environment
    return _APP


def rss_kb() -> int:
    """Resident memory of this process in kB (Linux), 0 where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def render_to_file(planned: dict[str, Any], out_dir: str, today_iso: str) -> dict[str, Any]:
    """Make one planned document (service.PlannedDocument as a dict) under `out_dir`.

    Returns the manifest entry: path, reference, sha256, bytes, and the worker's pid and RSS.
    """
    from portal.extensions import db
    from portal.paper.service import PlannedDocument, build_planned, render_document

    spec = PlannedDocument(household_id=planned["household_id"], kind=planned["kind"],
                           month=dt.date.fromisoformat(planned["month"]), path=planned["path"],
                           agreement_id=planned.get("agreement_id"),
                           reference=planned.get("reference", ""))
    from portal.database import write_intent
    from portal.paper.documents import NotAvailable

    started = time.perf_counter()
    token = write_intent.set(False)  # read only: on SQLite a plain BEGIN, no writer's lock
    try:
        with _app().app_context():
            try:
                doc = build_planned(spec, dt.date.fromisoformat(today_iso))
            except NotAvailable as reason:  # e.g. only a fixed monthly wage: no sheet needed
                return {"path": spec.path, "household_id": spec.household_id,
                        "kind": spec.kind, "agreement_id": spec.agreement_id,
                        "reference": spec.reference, "not_needed": str(reason),
                        "pid": os.getpid(), "rss_kb": rss_kb()}
            finally:
                db.session.remove()
    finally:
        write_intent.reset(token)
    built = time.perf_counter()
    _html, pdf = render_document(doc)
    rendered = time.perf_counter()
    target = Path(out_dir) / spec.path
    write_atomically(target, pdf)
    return {"path": spec.path, "household_id": spec.household_id, "kind": spec.kind,
            "agreement_id": spec.agreement_id, "reference": doc.reference,
            "sha256": hashlib.sha256(pdf).hexdigest(), "bytes": len(pdf),
            "pid": os.getpid(), "rss_kb": rss_kb(),
            # for the benchmark: where the time goes
            "build_ms": round((built - started) * 1000, 1),
            "render_ms": round((rendered - built) * 1000, 1)}


def render_task(task: tuple[dict[str, Any], str, str]) -> dict[str, Any]:
    """The pool's task: render_to_file(*task); a failure comes back as {"path", "error"}, so
    one bad document never stops the run and the parent knows which one it was."""
    planned, out_dir, today_iso = task
    try:
        return render_to_file(planned, out_dir, today_iso)
    except Exception as error:
        return {"path": planned["path"], "error": repr(error), "pid": os.getpid()}


# --------------------------------------------------------------------------- the manifest

MANIFEST = "manifest.json"


def load_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST
    if not path.exists():
        return {"documents": {}, "households": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):  # unreadable, or no manifest of ours: start afresh
        return {"documents": {}, "households": {}}
    for part in ("documents", "households"):
        if not isinstance(data.get(part), dict):
            data[part] = {}
    return data


def save_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    body = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
    write_atomically(out_dir / MANIFEST, body)


def is_done(out_dir: Path, manifest: dict[str, Any], relpath: str) -> bool:
    """Done: the file exists and its checksum matches its manifest entry."""
    entry = manifest["documents"].get(relpath)
    path = out_dir / relpath
    return isinstance(entry, dict) and path.is_file() and sha256_of(path) == entry.get("sha256")


def manifest_entry(planned: dict[str, Any], sha256: str, size: int) -> dict[str, Any]:
    """The manifest's entry of one document (the same in the pool and the rq path)."""
    return {"household_id": planned["household_id"], "kind": planned["kind"],
            "agreement_id": planned.get("agreement_id"), "reference": planned["reference"],
            "sha256": sha256, "bytes": size}


def finish_manifest(out_dir: str, month_iso: str, planned: list[dict[str, Any]],
                    households: dict[str, dict[str, str]], made_on: str | None = None) -> int:
    """(rq) After the queued documents, also when some of them failed: write the manifest from
    the files that were made; the planned documents without a file are listed under
    "not_made" (a next run makes them). Returns the number of documents in the manifest."""
    root = Path(out_dir)
    manifest = load_manifest(root)
    manifest["month"] = month_iso[:7]
    manifest["households"].update(households)
    if made_on:
        manifest["made_on"] = made_on
    made, missing = 0, []
    for spec in planned:
        path = root / spec["path"]
        if path.is_file():
            manifest["documents"][spec["path"]] = manifest_entry(spec, sha256_of(path),
                                                                 path.stat().st_size)
            made += 1
        else:
            manifest["documents"].pop(spec["path"], None)
            missing.append(spec["path"])
    manifest["not_made"] = missing
    save_manifest(root, manifest)
    return made
