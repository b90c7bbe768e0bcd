"""The `portal` command line (Click, through Flask's CLI).

Every command is one unit of work: it commits when it succeeds and writes nothing when it is
refused. A refusal prints its reasons and exits with status 1.
"""

from __future__ import annotations

import functools
import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from portal.database import transaction
from portal.refusals import Refusal, Refused


def refusals_exit(fn):
    """Turn a refused use case into a clear message on stderr and exit status 1; refuse to
    start on a database without the current schema (see needs_schema)."""

    @functools.wraps(fn)
    @needs_schema
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Refused as refused:
            for r in refused.refusals:
                click.echo(f"Geweigerd ({r.code}): {r.message}", err=True)
            sys.exit(1)

    return wrapper


UNREACHABLE = ("De database is niet bereikbaar. Controleer PORTAL_DATABASE_URL en of de "
               "databaseserver draait.")
NO_SCHEMA = ("De database is nog niet aangemaakt of niet bijgewerkt. Voer eerst 'portal init-db' "
             "uit en probeer het daarna opnieuw.")


def fail(message: str) -> NoReturn:
    """One line on stderr, exit status 1: what went wrong and what to do."""
    click.echo(message, err=True)
    sys.exit(1)


def needs_schema(fn):
    """Refuse to start a command on a database without the current schema (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from portal.migrate import schema_is_current

        try:
            current = schema_is_current()
        except OperationalError:
            fail(UNREACHABLE)
        if not current:
            fail(NO_SCHEMA)
        return fn(*args, **kwargs)

    return wrapper


def parse_cli_date(_ctx, _param, value):
    if value is None:
        return None
    from portal.dates import parse_date

    try:
        return parse_date(value)
    except Refused as refused:
        raise click.BadParameter(refused.refusals[0].message) from None


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    from portal.migrate import upgrade

    try:
        upgrade()
    except OperationalError:
        fail(UNREACHABLE)
    click.echo("Database is bijgewerkt.")


@click.command("make-migration")
@click.argument("message")
@with_appcontext
def make_migration_command(message):
    """(Developers) Write a new Alembic migration from the model changes."""
    from portal.migrate import make_revision

    make_revision(message)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="budgethouder, vertegenwoordiger, adviseur, "
              "zorgverlener, consulent of beheerder")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--household-id", type=int)
@click.option("--provider-id", type=int)
@click.option("--funder-id", type=int)
@with_appcontext
@refusals_exit
def create_user_command(email, name, role, password, household_id, provider_id, funder_id):
    """Create a login."""
    from portal.access.service import create_user

    with transaction():
        user = create_user(email, password, role, name, household_id=household_id,
                           provider_id=provider_id, funder_id=funder_id)
    click.echo(f"Account {user.email} ({user.role}) is aangemaakt.")


def cli_number(text: str | None, field: str, what: str) -> int | None:
    """A whole number typed on the command line, or a Dutch refusal (click's own is English)."""
    if text is None:
        return None
    cleaned = str(text).strip()
    if not cleaned.isdigit() or len(cleaned) > 18:
        raise Refused(Refusal(f"{field}_invalid", f"'{text}' is geen {what}. Schrijf een heel "
                              "getal, bijvoorbeeld 2027.", field))
    return int(cleaned)


def _changed(before: int | None, after: int) -> str:
    from portal.money import format_euro

    if before is None:
        return f"{format_euro(after)} (nieuw)"
    return f"{format_euro(after)} (was {format_euro(before)})"


def _euros(text: str) -> int:
    from portal.money import parse_euros

    return parse_euros(text, "amount")


@click.command("set-max-tariff")
@click.option("--funder", "funder", metavar="NUMMER|NAAM",
              help="De verstrekker (gemeente: Wmo, Jeugdwet): het nummer of de precieze naam, "
                   "bijv. \"Gemeente Utrecht\". Een onbekende noemt alle verstrekkers. "
                   "Weglaten: landelijk maximum (alleen Wlz).")
@click.option("--law", required=True, help="wmo, jeugdwet, wlz of zvw")
@click.option("--year", required=True, metavar="JJJJ")
@click.option("--unit", required=True, help="uur, dagdeel of etmaal")
@click.option("--informal/--formal", default=None,
              help="Voor familie en naasten (informeel) of voor zorgverleners van beroep (formeel).")
@click.option("--euros", required=True, metavar="BEDRAG", help="Maximum per eenheid, bijv. 65,00")
@with_appcontext
@refusals_exit
def set_max_tariff_command(funder, law, year, unit, informal, euros):
    """Set a maximum tariff (payment office, funder administrators)."""
    from portal.agreements.service import set_max_tariff
    from portal.budgets.constants import Law, Unit
    from portal.dates import today
    from portal.funders.service import find_funder

    with transaction():
        funder_id, funder_name = find_funder(funder) if funder is not None else (None, None)
        row, before = set_max_tariff(
            None, funder_id=funder_id, law=law.strip().lower(),
            year=cli_number(year, "year", "jaartal"), unit=unit.strip().lower(),
            informal=informal, max_cents=_euros(euros), today=today())
    kind = "informeel" if row.informal else "formeel"
    who = f"{funder_name}, nummer {row.funder_id}" if row.funder_id else "landelijk"
    click.echo(f"Maximumtarief {Law(row.law).label} {row.year}, {Unit(row.unit).label}, {kind} "
               f"({who}): {_changed(before, row.max_cents)}.")


@click.command("set-allowance-cap")
@click.option("--law", required=True, help="wlz")
@click.option("--kind", required=True, help="feestdagen")
@click.option("--year", required=True, metavar="JJJJ")
@click.option("--euros", required=True, metavar="BEDRAG", help="Maximum per jaar, bijv. 800,00")
@with_appcontext
@refusals_exit
def set_allowance_cap_command(law, kind, year, euros):
    """Set the yearly cap of an allowance, e.g. the Wlz holiday allowance (payment office)."""
    from portal.budgets.constants import AllowanceKind, Law
    from portal.budgets.service import set_allowance_cap
    from portal.dates import today

    with transaction():
        row, before = set_allowance_cap(None, law=law.strip().lower(), kind=kind.strip().lower(),
                                        year=cli_number(year, "year", "jaartal"),
                                        cap_cents=_euros(euros), today=today())
    click.echo(f"Maximum {AllowanceKind(row.kind).label.lower()} {Law(row.law).label} {row.year}: "
               f"{_changed(before, row.cap_cents)}.")


def register(app: Flask) -> None:
    for command in (init_db_command, make_migration_command, create_user_command,
                    set_max_tariff_command, set_allowance_cap_command):
        app.cli.add_command(command)
    # Commands owned by feature packages register themselves here too.
    from portal.demo.cli import seed_demo_command
    from portal.payments.cli import run_payments_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(run_payments_command)


def _create_app(*_args, **_kwargs):
    from portal import create_app
    from portal.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        fail(f"De instellingen kloppen niet: {error}")


cli = FlaskGroup(create_app=_create_app, add_default_commands=True,
                 help="PGB-portaal: beheer vanaf de opdrachtregel.")


def main() -> None:
    cli(prog_name="portal")

