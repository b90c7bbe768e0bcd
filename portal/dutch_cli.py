"""The `portal` command line in Dutch: help, usage errors and the one-line failure.

click writes its help and its usage errors in English ("Usage:", "Error: Missing option
'--kind'."). Every portal command is made with `cls=DutchCommand` and the `portal` group is a
DutchGroup: their help says Gebruik / Opties / Opdrachten, and a usage error is one Dutch
sentence that says what to give, then where all options are (exit status 2, as click's).
A command may give `hints` (option name -> what to give) where the option's own help does not
say it well enough; otherwise the hint is made from the option's name, metavar and help.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, NoReturn

import click
from sqlalchemy.exc import OperationalError

from portal.dates import parse_date
from portal.migrate import schema_is_current
from portal.refusals import Refused

HELP_OPTION_TEXT = "Laat deze uitleg zien en stop."

# click's default metavars (and those of Flask's own options), in Dutch.
METAVARS = {"TEXT": "TEKST", "INTEGER": "GETAL", "INTEGER RANGE": "GETAL", "FLOAT": "GETAL",
            "FLOAT RANGE": "GETAL", "DIRECTORY": "MAP", "FILE": "BESTAND", "FILENAME": "BESTAND",
            "PATH": "PAD", "BOOLEAN": "JA|NEE", "IMPORT": "MODULE:NAAM"}

# The `portal` group's own options (Flask's) and the commands that Flask and its extensions bring,
# as one Dutch line each; their texts come from those packages.
GROUP_OPTION_TEXTS = {
    "env_file": "Lees omgevingsvariabelen uit dit bestand; ze gaan voor die in .env en .flaskenv. "
                "Wat direct in de omgeving staat, gaat voor alles.",
    "app": "De Flask-app of de functie die hem maakt, als module:naam (standaard: het portaal).",
    "debug": "Zet de debugmodus aan of uit.",
    "version": "Laat de versies van Python, Flask en Werkzeug zien en stop.",
}
FOREIGN_COMMAND_TEXTS = {
    "run": "Start de ontwikkelserver (niet voor productie).",
    "shell": "Open een Python-shell met het portaal geladen.",
    "routes": "Laat alle adressen (routes) van het portaal zien.",
    "limiter": "Onderhoud van de limieten op aanvragen (Flask-Limiter).",
}


def fail(message: str) -> NoReturn:
    """One line on stderr, exit status 1: what went wrong and what to do."""
    click.echo(f"Fout: {message}", err=True)
    sys.exit(1)


def help_hint(ctx: click.Context | None) -> str:
    if ctx is None or isinstance(ctx.command, click.Group):
        return "Alle opdrachten: portal --help"
    return f"Alle opties: portal {ctx.info_name} --help"


class DutchUsageError(click.UsageError):
    """A usage error said in Dutch, in two lines (exit status 2, as click's)."""

    def show(self, file=None) -> None:
        click.echo(f"Fout: {self.message}", err=True)
        click.echo(help_hint(self.ctx), err=True)


def bad_value(ctx: click.Context, param: click.Parameter, message: str) -> DutchUsageError:
    """For a callback that checks a value itself: its own Dutch message, after the option."""
    return DutchUsageError(f"De waarde van {option_name(param)} klopt niet. {message}", ctx)


def option_name(param: click.Parameter) -> str:
    return max(getattr(param, "opts", None) or [f"--{param.name}"], key=len)


def dutch_metavar(param: click.Parameter, ctx: click.Context) -> str:
    shown = param.make_metavar(ctx)
    return METAVARS.get(shown, shown)


def _takes_value(param: click.Parameter) -> bool:
    return not (isinstance(param, click.Option) and (param.is_flag or param.count))


def _usage_of(param: click.Parameter, ctx: click.Context) -> str:
    """'--law WET', or the argument's metavar."""
    if isinstance(param, click.Argument):
        return dutch_metavar(param, ctx)
    if not _takes_value(param):
        return option_name(param)
    return f"{option_name(param)} {dutch_metavar(param, ctx)}"


def _hint(param: click.Parameter, ctx: click.Context, hints: dict[str, str]) -> str:
    if param.name in hints:
        return hints[param.name]
    text = f"Geef {_usage_of(param, ctx)}."
    own = getattr(param, "help", None)
    return f"{text} {own}" if own else text


def _param_of(ctx: click.Context, option: str) -> click.Parameter | None:
    return next((p for p in ctx.command.get_params(ctx)
                 if option in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])), None)


def dutch_usage_message(error: click.UsageError, ctx: click.Context,
                        hints: dict[str, str] | None = None) -> str:
    """click's English usage error as a Dutch sentence that says what to do."""
    hints = hints or {}
    param = getattr(error, "param", None)
    if isinstance(error, click.MissingParameter) and param is not None:
        if isinstance(param, click.Argument):
            return f"Er ontbreekt iets: {dutch_metavar(param, ctx)}. {_hint(param, ctx, hints)}"
        return f"De optie {option_name(param)} ontbreekt. {_hint(param, ctx, hints)}"
    if isinstance(error, click.BadParameter) and param is not None:
        return f"De waarde van {option_name(param)} klopt niet. {_hint(param, ctx, hints)}"
    if isinstance(error, click.NoSuchOption):
        text = f"De optie {error.option_name} bestaat niet."
        if error.possibilities:
            text += f" Bedoelt u {' of '.join(sorted(error.possibilities))}?"
        return text
    if isinstance(error, click.BadOptionUsage):
        found = _param_of(ctx, error.option_name)
        hint = _hint(found, ctx, hints) if found is not None else ""
        return f"De optie {error.option_name} heeft een waarde nodig. {hint}".strip()
    if isinstance(error, click.exceptions.NoSuchCommand):
        text = f"De opdracht '{error.command_name}' bestaat niet."
        if error.possibilities:
            text += f" Bedoelt u {' of '.join(sorted(error.possibilities))}?"
        return text
    text = "Deze opdracht is niet goed gegeven: er staat iets bij dat geen optie is."
    required = [_usage_of(p, ctx) for p in ctx.command.get_params(ctx) if p.required]
    if required:
        text += f" Gebruik {' en '.join(required)}."
    return text


if TYPE_CHECKING:
    # The mixins below are read by the type checker as the click classes they are mixed into.
    _Command = click.Command
    _Group = click.Group
else:
    _Command = _Group = object


class _DutchHelp(_Command):
    """What DutchCommand and DutchGroup share: Dutch usage errors and Dutch help."""

    hints: dict[str, str]
    option_texts: dict[str, str] = {}

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except (DutchUsageError, click.exceptions.NoArgsIsHelpError):
            raise
        except click.UsageError as error:
            raise DutchUsageError(dutch_usage_message(error, ctx, self.hints), ctx) from None

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix="Gebruik: ")

    def format_arguments(self, ctx, formatter) -> None:
        records = [(dutch_metavar(p, ctx), p.help or "") for p in self.get_params(ctx)
                   if isinstance(p, click.Argument)]
        if records:
            with formatter.section("Argumenten"):
                formatter.write_dl(records)

    def format_options(self, ctx, formatter) -> None:
        records = []  # click's own extras ("[required]", "[x>=1]") are English: ours instead
        for p in self.get_params(ctx):
            record = p.get_help_record(ctx) if isinstance(p, click.Option) else None
            if not record:
                continue
            names = record[0]
            if _takes_value(p):
                shown = p.make_metavar(ctx)
                if names.endswith(shown):
                    names = names[:-len(shown)] + dutch_metavar(p, ctx)
            text = self.option_texts.get(p.name, p.help or "")
            records.append((names, text + (" Verplicht." if p.required else "")))
        if records:
            with formatter.section("Opties"):
                formatter.write_dl(records)


class DutchCommand(_DutchHelp, click.Command):
    """A portal command whose usage errors and help are in Dutch (`cls=DutchCommand`)."""

    def __init__(self, *args, hints: dict[str, str] | None = None, **kwargs):
        kwargs.setdefault("options_metavar", "[OPTIES]")
        super().__init__(*args, **kwargs)
        self.hints = hints or {}


class DutchGroup(_DutchHelp, _Group):
    """Mixed into the `portal` group (a FlaskGroup): Dutch help, usage errors and listing."""

    hints: dict[str, str] = {}
    option_texts = GROUP_OPTION_TEXTS

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("subcommand_metavar", "OPDRACHT [ARGUMENTEN]...")
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except DutchUsageError:
            raise
        except click.exceptions.NoSuchCommand as error:
            # the commands of the app and its blueprints are not in self.commands: look wider
            error = click.exceptions.NoSuchCommand(
                error.command_name, possibilities=self.list_commands(ctx), ctx=ctx)
            raise DutchUsageError(dutch_usage_message(error, ctx), ctx) from None
        except click.UsageError as error:
            raise DutchUsageError(dutch_usage_message(error, ctx), ctx) from None

    def invoke(self, ctx):
        """click says 'Aborted!' when a prompt gets Ctrl-C or no more input: say it in Dutch."""
        try:
            return super().invoke(ctx)
        except (click.Abort, EOFError, KeyboardInterrupt):
            fail("Afgebroken. Er is niets opgeslagen.")

    def format_options(self, ctx, formatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Opdrachten"):
            formatter.write_dl([
                (name, command.get_short_help_str(limit) if isinstance(command, DutchCommand)
                 else FOREIGN_COMMAND_TEXTS.get(name, command.get_short_help_str(limit)))
                for name, command in rows])


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


def needs_schema(fn):
    """Refuse to start a command on a database without the current schema (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            current = schema_is_current()
        except OperationalError:
            fail(UNREACHABLE)
        if not current:
            fail(NO_SCHEMA)
        return fn(*args, **kwargs)

    return wrapper


def parse_cli_date(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_date(value)
    except Refused as refused:
        raise bad_value(ctx, param, refused.refusals[0].message) from None
