import click
from flask.cli import with_appcontext

from portal.database import transaction
from portal.dates import today
from portal.demo.seed import seed_demo
from portal.dutch_cli import DutchCommand, refusals_exit


@click.command("seed-demo", cls=DutchCommand)
@with_appcontext
@refusals_exit
def seed_demo_command():
    """Laad de demohuishoudens (een tweede keer verandert er niets)."""
    with transaction():
        created = seed_demo(today())
    click.echo("Demogegevens zijn geladen." if created else "Demogegevens staan er al; niets veranderd.")
