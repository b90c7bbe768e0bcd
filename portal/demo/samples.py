"""`make pdf-samples`: one of each paper document, from the demo data, for a person to look at.

Uses a temporary SQLite database with the demo (never the real one) and writes the PDFs into
the folder given (pdf-samples/ by default, ignored by git) with portal.paper.samples, which
picks the documents from whatever data there is. The temporary database is removed afterwards,
also when something fails.

    .venv/bin/python -m portal.demo.samples [FOLDER]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def make_samples(out: Path) -> list[Path]:
    """Write the samples into `out`; the temporary instance folder is removed afterwards."""
    from portal import create_app

    instance = tempfile.mkdtemp(prefix="pgb-samples-")
    try:
        app = create_app(config={"PORTAL_ARGON2_FAST": True},
                         environ={**os.environ, "PORTAL_INSTANCE_DIR": instance,
                                  "PORTAL_DATABASE_URL": ""})
        return _write_samples(app, out)
    finally:  # the temporary database goes, whatever happened
        shutil.rmtree(instance, ignore_errors=True)


def _write_samples(app: Flask, out: Path) -> list[Path]:
    """The demo into the (empty) temporary database, then the paper floor's samples of it."""
    from portal.database import transaction
    from portal.dates import today
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.migrate import upgrade
    from portal.paper.samples import write_samples

    run_on = today()
    with app.app_context():
        upgrade()
        with transaction():
            seed_demo(run_on)
        written = write_samples(out, run_on)
        db.session.remove()
        db.engine.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "pdf-samples")
    for path in make_samples(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
