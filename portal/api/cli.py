"""`portal create-api-key`: a key for a care organisation, a funder or the payment office."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.api.service import create_api_key
from portal.database import transaction
from portal.dates import today
from portal.dutch_cli import DutchCommand, parse_cli_date, refusals_exit


@click.command("create-api-key", cls=DutchCommand)
@click.option("--naam", "label", required=True, help="Naam van de sleutel (het programma).")
@click.option("--zorgverlener", "provider_id", type=int, default=None,
              help="Id van de zorgorganisatie.")
@click.option("--financier", "funder_id", type=int, default=None,
              help="Id van de financier.")
@click.option("--betaalkantoor", "office", is_flag=True, help="Een sleutel van het betaalkantoor.")
@click.option("--recht", "scopes", multiple=True, metavar="SCOPE",
              help="Een recht, bijvoorbeeld claims:write (meer keren te geven).")
@click.option("--tot", "expires_on", callback=parse_cli_date, required=True,
              metavar="JJJJ-MM-DD", help="Geldig tot en met deze datum.")
@with_appcontext
@refusals_exit
def create_api_key_command(label, provider_id, funder_id, office, scopes, expires_on):
    """Maak een API-sleutel. De sleutel wordt één keer getoond: bewaar hem meteen."""
    kind = ("office" if office else "provider" if provider_id is not None
            else "funder" if funder_id is not None else "")
    with transaction():
        key, token = create_api_key(None, label=label, owner_kind=kind, provider_id=provider_id,
                                    funder_id=funder_id, scopes=list(scopes),
                                    expires_on=expires_on, today=today())
        key_id = key.id
    click.echo(f"API-sleutel {key_id} gemaakt. Bewaar hem nu, hij wordt niet nog eens getoond:")
    click.echo(token)
