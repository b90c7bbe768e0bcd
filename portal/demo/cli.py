import click
from flask.cli import with_appcontext

from portal.cli import refusals_exit
from portal.database import transaction


@click.command("seed-demo")
@with_appcontext
@refusals_exit
def seed_demo_command():
    """Load the demo households (run again, it changes nothing)."""
    from portal.dates import today
    from portal.demo.seed import seed_demo

    with transaction():
        created = seed_demo(today())
    click.echo("Demogegevens zijn geladen." if created else "Demogegevens staan er al; niets veranderd.")
