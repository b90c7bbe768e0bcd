"""The `portal` command line (Click, through Flask's CLI).

Every command is one unit of work: it commits when it succeeds and writes nothing when it is
refused. A refusal prints its reasons and exits with status 1. Help and usage errors are in
Dutch: every command is a DutchCommand, the group a DutchGroup (portal/dutch_cli.py).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from portal.access.service import create_user
from portal.access.session_store import purge_sessions
from portal.agreements.service import set_max_tariff
from portal.api.cli import create_api_key_command
from portal.budgets.constants import AllowanceKind, Law, Unit
from portal.budgets.service import set_allowance_cap
from portal.database import parse_id, transaction
from portal.dates import now, today
from portal.demo.cli import seed_demo_command
from portal.dutch_cli import UNREACHABLE, DutchCommand, DutchGroup, fail, refusals_exit
from portal.funders.service import find_funder
from portal.identity.cli import link_bsn_command
from portal.migrate import make_revision, upgrade
from portal.money import format_euro, parse_euros
from portal.paper.cli import paper_run_command
from portal.payments.cli import check_ledger_command, run_payments_command
from portal.refusals import Refusal, Refused


@click.command("init-db", cls=DutchCommand)
@with_appcontext
def init_db_command():
    """Maak de database aan of werk hem bij (de Alembic-migraties)."""

    try:
        upgrade()
    except OperationalError:
        fail(UNREACHABLE)
    click.echo("Database is bijgewerkt.")


@click.command("make-migration", cls=DutchCommand, hints={
    "message": "Zeg in een paar woorden wat er verandert, bijvoorbeeld: "
               "portal make-migration \"betalingen: kolom kenmerk\"."})
@click.argument("message", metavar="BESCHRIJVING",
                help="Wat de migratie verandert, in een paar woorden.")
@with_appcontext
def make_migration_command(message):
    """(Voor ontwikkelaars) Schrijf een nieuwe Alembic-migratie uit de wijzigingen in de
    modellen."""
    make_revision(message)


def _ask_password(_ctx, _param, value):
    """Not given: asked for twice, not shown (click's own confirmation speaks English)."""
    if value is not None:
        return value
    while True:
        first = click.prompt("Wachtwoord", hide_input=True)
        if first == click.prompt("Herhaal het wachtwoord", hide_input=True):
            return first
        click.echo("Fout: de twee wachtwoorden zijn niet gelijk. Typ het wachtwoord opnieuw.",
                   err=True)


@click.command("create-user", cls=DutchCommand)
@click.option("--email", required=True, metavar="ADRES",
              help="Het e-mailadres waarmee de persoon inlogt.")
@click.option("--name", required=True, metavar="NAAM", help="De naam van de persoon.")
@click.option("--role", required=True, metavar="ROL", help="De rol: budgethouder, "
              "vertegenwoordiger, adviseur, zorgverlener, consulent of beheerder.")
@click.option("--password", metavar="WACHTWOORD", callback=_ask_password,
              help="Weglaten: het portaal vraagt er twee keer om, zonder het te tonen.")
@click.option("--household-id", type=int, metavar="NUMMER",
              help="Het nummer van het huishouden (bij een budgethouder).")
@click.option("--provider-id", type=int, metavar="NUMMER",
              help="Het nummer van de zorgverlener (bij een zorgverlener).")
@click.option("--funder-id", type=int, metavar="NUMMER",
              help="Het nummer van de financier (bij een consulent).")
@with_appcontext
@refusals_exit
def create_user_command(email, name, role, password, household_id, provider_id, funder_id):
    """Maak een inlogaccount aan."""
    with transaction():
        user = create_user(email, password, role, name, household_id=household_id,
                           provider_id=provider_id, funder_id=funder_id)
    click.echo(f"Account {user.email} ({user.role}) is aangemaakt.")


def cli_number(text: str, field: str, what: str) -> int:
    """A whole number typed on the command line, or a Dutch refusal (click's own is English)."""
    number = parse_id(text)
    if number is None:
        raise Refused(Refusal(f"{field}_invalid", f"'{text}' is geen {what}. Schrijf een heel "
                              "getal, bijvoorbeeld 2027.", field))
    return number


def _changed(before: int | None, after: int) -> str:

    if before is None:
        return f"{format_euro(after)} (nieuw)"
    return f"{format_euro(after)} (was {format_euro(before)})"


def _euros(text: str) -> int:

    return parse_euros(text, "amount")


@click.command("set-max-tariff", cls=DutchCommand)
@click.option("--funder", "funder", metavar="NUMMER|NAAM",
              help="De financier (gemeente: Wmo, Jeugdwet): het nummer of de precieze naam, "
                   "bijv. \"Gemeente Utrecht\". Een onbekende noemt alle financiers. "
                   "Weglaten: landelijk maximum (alleen Wlz).")
@click.option("--law", required=True, metavar="WET", help="De wet: wmo, jeugdwet, wlz of zvw.")
@click.option("--year", required=True, metavar="JJJJ", help="Het jaar, bijvoorbeeld 2027.")
@click.option("--unit", required=True, metavar="EENHEID", help="De eenheid: uur, dagdeel of "
              "etmaal.")
@click.option("--informal/--formal", default=None,
              help="Voor familie en naasten (informeel) of voor zorgverleners van beroep (formeel).")
@click.option("--euros", required=True, metavar="BEDRAG",
              help="Het maximum per eenheid in euro, bijvoorbeeld 65,00.")
@with_appcontext
@refusals_exit
def set_max_tariff_command(funder, law, year, unit, informal, euros):
    """Stel een maximumtarief in (betaalkantoor, beheerders van een financier)."""
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


@click.command("set-allowance-cap", cls=DutchCommand)
@click.option("--law", required=True, metavar="WET", help="De wet: wlz.")
@click.option("--kind", required=True, metavar="SOORT", help="De soort uitkering: feestdagen.")
@click.option("--year", required=True, metavar="JJJJ", help="Het jaar, bijvoorbeeld 2027.")
@click.option("--euros", required=True, metavar="BEDRAG",
              help="Het maximum per jaar in euro, bijvoorbeeld 800,00.")
@with_appcontext
@refusals_exit
def set_allowance_cap_command(law, kind, year, euros):
    """Stel het maximum per jaar van een uitkering in, bijvoorbeeld de feestdagenuitkering van
    de Wlz (betaalkantoor)."""
    with transaction():
        row, before = set_allowance_cap(None, law=law.strip().lower(), kind=kind.strip().lower(),
                                        year=cli_number(year, "year", "jaartal"),
                                        cap_cents=_euros(euros), today=today())
    click.echo(f"Maximum {AllowanceKind(row.kind).label.lower()} {Law(row.law).label} {row.year}: "
               f"{_changed(before, row.cap_cents)}.")


@click.command("purge-sessions", cls=DutchCommand)
@with_appcontext
@refusals_exit
def purge_sessions_command():
    """Ruim sessies op die niet meer gelden: van wie niet is ingelogd na de tijd zonder
    activiteit, en alle sessies die langer dan 30 dagen niet zijn gebruikt (bijvoorbeeld elk
    uur vanuit cron)."""
    from flask import current_app


    with transaction():
        removed = purge_sessions(now(), current_app.permanent_session_lifetime)
    click.echo(f"{removed} sessies opgeruimd.")


def register(app: Flask) -> None:
    for command in (init_db_command, make_migration_command, create_user_command,
                    set_max_tariff_command, set_allowance_cap_command, purge_sessions_command):
        app.cli.add_command(command)
    # Commands owned by feature packages are gathered here too.
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(run_payments_command)
    app.cli.add_command(check_ledger_command)
    app.cli.add_command(link_bsn_command)
    app.cli.add_command(create_api_key_command)
    app.cli.add_command(paper_run_command)


def _create_app(*_args, **_kwargs):
    from portal import create_app
    from portal.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        fail(f"De instellingen kloppen niet: {error}")


class PortalGroup(DutchGroup, FlaskGroup):
    """Flask's command group, with Dutch help and usage errors."""


cli = PortalGroup(create_app=_create_app, add_default_commands=True,
                  help="PGB-portaal: beheer vanaf de opdrachtregel.")


def main() -> None:
    cli(prog_name="portal")

