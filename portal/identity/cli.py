"""`portal link-bsn`: let a person's login be found by DigiD (only a keyed hash is stored)."""

import click
from flask.cli import with_appcontext

from portal.database import transaction
from portal.dutch_cli import DutchCommand, refusals_exit
from portal.identity.service import link_bsn_by_email


@click.command("link-bsn", cls=DutchCommand)
@click.option("--email", required=True, metavar="ADRES",
              help="Het e-mailadres van de inlog (budgethouder, vertegenwoordiger, adviseur of "
                   "zorgverlener die een persoon is).")
@with_appcontext
@refusals_exit
def link_bsn_command(email):
    """Koppel een BSN aan een inlog, zodat de persoon met DigiD inlogt. Het portaal vraagt om
    het BSN (niet zichtbaar, niet in de opdrachtregel) en bewaart alleen een versleutelde
    afdruk ervan."""
    bsn = click.prompt("Burgerservicenummer (BSN)", hide_input=True)
    with transaction():
        user = link_bsn_by_email(email, bsn)
    click.echo(f"DigiD is gekoppeld aan de inlog van {user.name} ({user.email}).")
