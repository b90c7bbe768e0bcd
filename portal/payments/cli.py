import click
from flask.cli import with_appcontext


@click.command("run-payments")
@with_appcontext
def run_payments_command():
    """Pay all approved claims: one transfer per provider."""
    raise click.ClickException("Nog niet gebouwd.")
