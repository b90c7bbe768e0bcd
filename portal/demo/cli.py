import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo households (run again, it changes nothing)."""
    raise click.ClickException("Nog niet gebouwd.")
