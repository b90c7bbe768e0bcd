"""`portal paper-run --month YYYY-MM --out DIR`: the month's paper for every household on paper.

For each household with works_on_paper: the month's budget statement and an hour sheet per
agreement in force that month, made in worker processes (recycled every --max-tasks-per-child
documents, since WeasyPrint's memory grows in long loops), with a progress bar. The workers are
a multiprocessing.Pool started from a forkserver (see pool_context); not ProcessPoolExecutor,
whose max_tasks_per_child on Python 3.11 does not replace a recycled worker when the tasks were
all submitted at once (the run then slows down and finally hangs). Resumable: a
document whose file and manifest entry exist with a matching sha256 is skipped. manifest.json
says who (household, budget holder), which documents, and their checksums.

With --queue and PORTAL_REDIS_URL set, the same job function goes to an rq queue instead; on
the embedded default (no Redis) the work runs here.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.dutch_cli import DutchCommand, fail, refusals_exit
from portal.folders import why_not_writable
from portal.paper.jobs import MANIFEST

SAVE_SECONDS = 10  # the manifest is saved at most this often during a run


def check_out_dir(out: str) -> Path:
    """The output folder, created if needed; refused when it cannot be written to."""
    if not str(out).strip():
        raise click.ClickException("Geef de map voor de PDF's met --out, bijvoorbeeld "
                                   "--out papier/2026-03.")
    path = Path(out)
    why = why_not_writable(path)
    if why:
        raise click.ClickException(f"In de map {out} kan niet geschreven worden: {why}. "
                                   "Kies een andere map met --out.")
    if (path / MANIFEST).is_dir():
        raise click.ClickException(f"In de map {out} staat een map {MANIFEST}; daar hoort het "
                                   "manifest van paper-run. Kies een andere map met --out.")
    return path


def _who(household_ids: list[int]) -> dict[str, dict[str, str]]:
    from sqlalchemy import select

    from portal.access.permissions import budget_holder_names
    from portal.budgets.models import Household
    from portal.extensions import db

    if not household_ids:
        return {}
    names = dict(db.session.execute(select(Household.id, Household.name)
                                    .where(Household.id.in_(household_ids))).all())
    holders = budget_holder_names(household_ids)
    return {str(h): {"household": names.get(h, ""), "budget_holder": holders.get(h, "")}
            for h in household_ids}


def worker_settings() -> tuple[dict, dict]:
    """What a worker process needs to make its own app on the same database."""
    config = {"SQLALCHEMY_DATABASE_URI": current_app.config["SQLALCHEMY_DATABASE_URI"],
              "PORTAL_ARGON2_FAST": current_app.config.get("PORTAL_ARGON2_FAST", False)}
    environ = {**os.environ, "PORTAL_INSTANCE_DIR": current_app.config["PORTAL_INSTANCE_DIR"]}
    return config, environ


PRELOAD = ["portal", "portal.models", "portal.paper.jobs", "portal.paper.service",
           "portal.paper.documents", "portal.paper.pdf", "weasyprint"]


def pool_context():
    """The start method of the worker processes: forkserver, with the portal and WeasyPrint
    imported once in the server. A pool that recycles its workers (max_tasks_per_child) may not
    use fork, and Python then spawns: a fresh interpreter per worker that imports everything
    again (about 4 s of CPU here, for every recycled worker too). A forkserver child starts
    warm. Where forkserver does not exist (not Linux/Unix), spawn."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(PRELOAD)
    return context


def run_paper(month: dt.date, out: Path, *, workers: int, max_tasks_per_child: int,
              today: dt.date, progress: bool = True) -> dict:
    """Make what is not done yet. Returns counts and the per-document results (with RSS)."""
    from portal.database import write_intent
    from portal.extensions import db
    from portal.paper import jobs
    from portal.paper.service import plan_paper_run

    token = write_intent.set(False)  # reads only (on SQLite: no writer's lock)
    try:
        plan = plan_paper_run(month)
        households = _who(sorted({p.household_id for p in plan}))
    finally:
        db.session.remove()  # the parent's connections stay in the parent
        write_intent.reset(token)
    manifest = jobs.load_manifest(out)
    manifest["month"] = f"{month:%Y-%m}"
    manifest["households"].update(households)
    todo = [p for p in plan if not jobs.is_done(out, manifest, p.path)]
    results, errors, not_needed = [], [], []
    if todo:
        config, environ = worker_settings()
        tasks = (({**asdict(p), "month": p.month.isoformat()}, str(out), today.isoformat())
                 for p in todo)
        pool = pool_context().Pool(processes=workers, initializer=jobs.init_worker,
                                   initargs=(config, environ),
                                   maxtasksperchild=max_tasks_per_child)
        saved = time.monotonic()
        try:
            with click.progressbar(length=len(todo), label="Documenten maken", file=sys.stderr,
                                   hidden=not progress) as bar:
                for entry in pool.imap_unordered(jobs.render_task, tasks, chunksize=1):
                    if entry.get("error"):  # one bad document does not stop the run
                        errors.append(entry)
                    elif entry.get("not_needed"):  # nothing to print (a fixed wage)
                        not_needed.append(entry)
                    else:
                        results.append(entry)
                        manifest["documents"][entry["path"]] = jobs.manifest_entry(
                            entry, entry["sha256"], entry["bytes"])
                    bar.update(1)
                    if time.monotonic() - saved >= SAVE_SECONDS:  # resumable after a crash
                        jobs.save_manifest(out, manifest)
                        saved = time.monotonic()
            pool.close()  # let the workers end by themselves (their font folders go too)
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    manifest["made_on"] = today.isoformat()
    jobs.save_manifest(out, manifest)
    return {"planned": len(plan), "made": len(results), "skipped": len(plan) - len(todo),
            "errors": errors, "results": results, "households": len(households),
            "not_needed": not_needed}


def enqueue_paper(month: dt.date, out: Path, today: dt.date, redis_url: str, *,
                  queue_name: str = "paper") -> int:
    """Production: the same job function, on an rq queue; a last job writes the manifest.

    The manifest job waits for every document job and runs also when some of them failed
    (allow_failure): the documents that were made are listed, the others under "not_made".
    """
    from redis import Redis
    from rq import Queue
    from rq.job import Dependency

    from portal.paper import jobs
    from portal.paper.service import plan_paper_run

    plan = plan_paper_run(month)
    households = _who(sorted({p.household_id for p in plan}))
    manifest = jobs.load_manifest(out)
    todo = [p for p in plan if not jobs.is_done(out, manifest, p.path)]
    queue = Queue(queue_name, connection=Redis.from_url(redis_url))
    specs = [{**asdict(p), "month": p.month.isoformat()} for p in todo]
    queued = [queue.enqueue(jobs.render_to_file, spec, str(out), today.isoformat())
              for spec in specs]
    queue.enqueue(jobs.finish_manifest, str(out), month.isoformat(),
                  [{**asdict(p), "month": p.month.isoformat()} for p in plan], households,
                  today.isoformat(),
                  depends_on=Dependency(jobs=queued, allow_failure=True) if queued else None)
    return len(queued)


MAX_WORKERS = 32  # more processes than this only wait for each other (and for memory)
OPTION_HINTS = {  # what to give, where an option's help says it less well (portal/dutch_cli.py)
    "month_text": "Geef de maand als JJJJ-MM, bijvoorbeeld --month 2026-03.",
    "out": "Geef de map voor de PDF's, bijvoorbeeld --out papier/2026-03.",
    "workers": f"Geef een heel getal van 1 tot en met {MAX_WORKERS}, bijvoorbeeld --workers 2, "
               "of laat --workers weg (dan het aantal processorkernen).",
    "max_tasks_per_child": "Geef een heel getal van 1 of meer, bijvoorbeeld "
                           "--max-tasks-per-child 300.",
}
@click.command("paper-run", cls=DutchCommand, hints=OPTION_HINTS)
@click.option("--month", "month_text", required=True, metavar="JJJJ-MM",
              help="De maand van de overzichten en urenbriefjes, bijvoorbeeld 2026-03.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              metavar="MAP", help="Map waarin de PDF's en manifest.json komen.")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None,
              metavar="AANTAL",
              help="Aantal werkprocessen (standaard: het aantal processorkernen).")
@click.option("--max-tasks-per-child", type=click.IntRange(min=1), default=300, metavar="AANTAL",
              help="Een werkproces stopt na zoveel documenten en een nieuw neemt het over "
                   "(standaard 300).")
@click.option("--queue", "use_queue", is_flag=True,
              help="In productie (PORTAL_REDIS_URL): zet het werk in de wachtrij voor rq.")
@with_appcontext
@refusals_exit
def paper_run_command(month_text, out, workers, max_tasks_per_child, use_queue):
    """Maak de papieren post van een maand: het budgetoverzicht en de urenbriefjes van elk
    huishouden dat op papier werkt, met manifest.json. Een tweede keer slaat over wat klaar is."""
    from portal.database import write_intent
    from portal.dates import parse_month, today

    write_intent.set(False)  # the command itself only reads; workers write files, not rows

    month = parse_month(month_text)  # refused: one Dutch line (refusals_exit)
    try:
        out_dir = check_out_dir(out)
    except click.ClickException as error:
        fail(error.message)
    run_on = today()
    if use_queue:
        redis_url = current_app.config.get("PORTAL_REDIS_URL")
        if redis_url:
            count = enqueue_paper(month, out_dir, run_on, redis_url)
            click.echo(f"{count} documenten in de wachtrij 'paper' gezet; een rq-worker maakt "
                       f"ze en schrijft daarna {out_dir / 'manifest.json'}.")
            return
        click.echo("Geen Redis ingesteld (PORTAL_REDIS_URL): het werk gebeurt hier.")
    result = run_paper(month, out_dir, workers=workers or min(os.cpu_count() or 1, MAX_WORKERS),
                       max_tasks_per_child=max_tasks_per_child, today=run_on)
    click.echo(f"{result['households']} huishoudens op papier: {result['made']} documenten "
               f"gemaakt, {result['skipped']} waren er al"
               + (f", {len(result['not_needed'])} niet nodig (vast maandloon)"
                  if result["not_needed"] else "") + ". Overzicht: "
               f"{out_dir / 'manifest.json'}.")
    if result["errors"]:
        for failed in result["errors"]:
            click.echo(f"Mislukt: {failed['path']}: {failed['error']}", err=True)
        sys.exit(1)
