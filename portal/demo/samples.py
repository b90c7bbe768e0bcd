"""`make pdf-samples`: one of each paper document, from the demo data, for a person to look at.

Uses a temporary SQLite database with the demo (never the real one) and writes the PDFs into
the folder given (pdf-samples/ by default, ignored by git). The temporary database is removed
afterwards, also when something fails.

    .venv/bin/python -m portal.demo.samples [FOLDER]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path


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


def _write_samples(app, out: Path) -> list[Path]:
    from sqlalchemy import select

    from portal.agreements.models import Agreement
    from portal.claims.constants import ClaimStatus
    from portal.claims.models import Claim
    from portal.database import transaction
    from portal.dates import add_months, first_of_month, today
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.paper import documents
    from portal.paper.service import render_document
    from portal.payments.models import Payment

    out.mkdir(parents=True, exist_ok=True)
    run_on = today()
    last_month = first_of_month(add_months(run_on, -1))
    written = []
    with app.app_context():
        from portal.migrate import upgrade

        upgrade()
        with transaction():
            seed_demo(run_on)
        agreements = db.session.scalars(select(Agreement).order_by(Agreement.id)).all()
        first = agreements[0]
        docs = {
            "1-zorgovereenkomst": documents.agreement_document(first, run_on),
            "2-urenbriefje": documents.hour_sheet_document(agreements[1], last_month, run_on),
            "3-budgetoverzicht-jaar": documents.statement_document(
                first.household_id, run_on.replace(month=1, day=1), run_on.replace(month=12, day=1),
                run_on),
            "3-budgetoverzicht-maand": documents.statement_document(
                first.household_id, last_month, last_month, run_on),
            "4-betaalspecificatie": documents.payment_spec_document(
                db.session.scalars(select(Payment).order_by(Payment.id)).first(), run_on),
            "5-afwijzingsbrief": documents.refusal_letter_document(
                db.session.scalar(select(Claim).where(Claim.status == ClaimStatus.AFGEKEURD)),
                run_on),
        }
        for agreement in agreements[1:]:  # every model kind in the demo
            doc = documents.agreement_document(agreement, run_on)
            docs.setdefault(f"1-zorgovereenkomst-{doc.model}", doc)
        for name, doc in docs.items():
            _html, pdf = render_document(doc)
            path = out / f"{name}.pdf"
            path.write_bytes(pdf)
            written.append(path)
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
