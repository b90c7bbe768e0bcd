"""`portal run-payments`: approve what was submitted, then pay every approved claim."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.database import transaction
from portal.dates import today
from portal.dutch_cli import DutchCommand, parse_cli_date, refusals_exit
from portal.money import format_euro
from portal.payments.ledger import check_and_record, differences_of
from portal.payments.service import batch_commits, execute_run, run_progress


@click.command("run-payments", cls=DutchCommand)
@click.option("--date", "run_on", callback=parse_cli_date, metavar="JJJJ-MM-DD",
              help="Datum van de betaalronde (standaard: vandaag).")
@with_appcontext
@refusals_exit
def run_payments_command(run_on):
    """Betaal alle goedgekeurde urenbriefjes: één overboeking per zorgverlener en rekening.
    Eerst keurt de opdracht de ingediende urenbriefjes goed die door de controles komen."""
    run_on = run_on or today()
    # The same use case as the office's screen, each batch of payments committed on its own
    # (batch_commits): stopped halfway, it keeps what it paid and the next run pays the rest.
    # The bar shows the sheets paid so far (on a terminal; nothing in a pipe or a log).
    with click.progressbar(length=0, label="Betalen", show_pos=True,
                           file=sys.stderr) as bar:

        def report(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        with run_progress(report), batch_commits(), transaction():
            outcome = execute_run(None, run_on)
    if outcome.approved:
        click.echo(f"{len(outcome.approved)} urenbriefje(s) goedgekeurd.")
    for held in outcome.held_back:  # no valid IBAN in the agreement: left for a later run
        click.echo(f"Urenbriefje {held.claim_reference}: {held.reason}")
    run = outcome.run
    if run is None:
        click.echo("Er is niets te betalen.")
        return
    click.echo(f"{len(run.payments)} betalingen, totaal {format_euro(run.total_cents)} "
               f"(betaalronde {run.reference}).")


@click.command("check-ledger", cls=DutchCommand)
@with_appcontext
@refusals_exit
def check_ledger_command():
    """Controleer het grootboek: tel per budget opnieuw op wat in behandeling en wat betaald is,
    uit de urenbriefjes, de uitkeringen en de betaalrondes, en vergelijk dat met de lopende
    totalen. Elk verschil wordt genoemd (exitstatus 1); de uitkomst staat op de startpagina van
    het betaalkantoor."""
    with transaction():
        check = check_and_record()
    differences = differences_of(check)
    for difference in differences:
        click.echo(difference.text)
    if differences:
        click.echo(f"{len(differences)} verschil(len) gevonden in {check.grant_count} budget(ten). "
                   "Neem contact op met de beheerder van het portaal.")
        sys.exit(1)
    click.echo(f"Grootboek gecontroleerd: {check.grant_count} budget(ten), geen verschillen.")
