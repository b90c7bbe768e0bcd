"""The `portal` command line: init-db, seed-demo and create-user, and what each says when the
input or the set-up is wrong (one Dutch line, exit status 1, no traceback, nothing written).

run-payments has its own tests in tests/payments/test_cli.py.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from portal import create_app
from portal.access.constants import Role
from portal.access.models import User
from portal.agreements.models import MaxTariff
from portal.agreements.tariffs import TariffRow, maximum_for
from portal.budgets.constants import FunderKind, Law, Unit
from portal.budgets.models import AllowanceCap, Household
from portal.cli import (
    cli,
    create_user_command,
    init_db_command,
    set_allowance_cap_command,
    set_max_tariff_command,
)
from portal.demo.cli import seed_demo_command
from portal.extensions import db as _db
from tests import factories as f

PASSWORD = "een-lang-wachtwoord"


def users_named(email: str) -> int:
    return _db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def create_user(app, *args: str):
    return app.test_cli_runner().invoke(create_user_command,
                                        ["--name", "Nieuw Account", "--password", PASSWORD, *args])


def one_dutch_line(result) -> str:
    """The command's whole complaint: exit status 1, a single line, no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


# --------------------------------------------------------------------------- a fresh database


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty SQLite file of its own: no schema until init-db runs."""
    app = create_app(config={"TESTING": True, "PORTAL_ARGON2_FAST": True,
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.sqlite3'}"},
                     environ={"PORTAL_INSTANCE_DIR": str(tmp_path)})
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_seed_demo_before_init_db_says_to_run_init_db_first(fresh_app):
    result = fresh_app.test_cli_runner().invoke(seed_demo_command)
    line = one_dutch_line(result)
    assert "portal init-db" in line and "nog niet aangemaakt" in line


def test_create_user_before_init_db_says_to_run_init_db_first(fresh_app):
    result = create_user(fresh_app, "--email", "a@example.nl", "--role", "beheerder")
    assert "portal init-db" in one_dutch_line(result)


@pytest.mark.parametrize("command", [["paper-run", "--month", "2026-10", "--out", "OUT"],
                                     ["run-payments"]])
def test_commands_on_a_database_without_schema_say_to_run_init_db_first(fresh_app, tmp_path,
                                                                       command):
    args = [str(tmp_path / "papier") if a == "OUT" else a for a in command]
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert "portal init-db" in one_dutch_line(result)
    assert not (tmp_path / "papier").exists()


def test_init_db_then_seed_demo_then_create_user_on_a_fresh_database(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(init_db_command)
    assert result.exit_code == 0, result.output
    assert "Database is bijgewerkt." in result.output
    again = runner.invoke(init_db_command)  # a second run changes nothing and says so calmly
    assert again.exit_code == 0, again.output

    result = runner.invoke(seed_demo_command)
    assert result.exit_code == 0, result.output
    assert "Demogegevens zijn geladen." in result.output
    assert "niets veranderd" in runner.invoke(seed_demo_command).output

    result = create_user(fresh_app, "--email", "nieuw@example.nl", "--role", "beheerder")
    assert result.exit_code == 0, result.output
    assert "Account nieuw@example.nl (beheerder) is aangemaakt." in result.output
    with fresh_app.app_context():
        assert users_named("nieuw@example.nl") == 1
        _db.session.remove()


def test_production_without_a_secret_key_says_so_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["seed-demo"], env={
        "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "",
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path)})
    line = one_dutch_line(result)
    assert "PORTAL_SECRET_KEY" in line and "geheime sleutel" in line


def test_an_unknown_mode_says_so_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["init-db"], env={
        "PORTAL_ENV": "staging", "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert "PORTAL_ENV" in one_dutch_line(result)


# --------------------------------------------------------------------------- Dutch help and usage

ENGLISH = ("Usage:", "Options:", "Commands:", "Error:", "Missing", "Try ", "Show this message",
           "[required]", "No such", "Invalid value", " TEXT", " INTEGER", "Positional")
# Flask's own commands and Flask-Limiter's: their texts are theirs; the listing says them in Dutch.
NOT_OURS = {"run", "shell", "routes", "limiter"}


def portal(tmp_path, *args: str, **kw):
    """`portal ARGS` as typed on the command line: the real group, which loads the app."""
    return CliRunner().invoke(cli, list(args), prog_name="portal",
                              env={"PORTAL_INSTANCE_DIR": str(tmp_path)}, **kw)


def dutch(output: str) -> str:
    found = [word for word in ENGLISH if word in output]
    assert found == [], output
    return output


def our_commands(tmp_path) -> list[str]:
    listing = dutch(portal(tmp_path, "--help").output)
    names = re.findall(r"^  ([a-z][a-z-]+)  ", listing.split("Opdrachten:\n")[1], re.M)
    assert {"create-user", "set-max-tariff", "run-payments", "paper-run"} <= set(names)
    return [name for name in names if name not in NOT_OURS]


def test_portal_help_is_dutch_and_lists_every_command_in_dutch(tmp_path):
    result = portal(tmp_path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Gebruik: portal [OPTIES] OPDRACHT")
    assert "Opties:" in result.output and "Opdrachten:" in result.output
    assert "set-max-tariff     Stel een maximumtarief in" in result.output
    assert "set-allowance-cap  Stel het maximum per jaar" in result.output
    assert "run-payments       Betaal alle goedgekeurde urenbriefjes" in result.output
    assert "run                Start de ontwikkelserver" in result.output
    dutch(result.output)


def test_the_help_of_every_portal_command_is_dutch(tmp_path):
    for name in our_commands(tmp_path):
        result = portal(tmp_path, name, "--help")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Gebruik: portal {name} [OPTIES]"), result.output
        assert "Laat deze uitleg zien en stop." in dutch(result.output)


def test_set_allowance_cap_help_says_what_each_option_takes(tmp_path):
    result = portal(tmp_path, "set-allowance-cap", "--help")
    assert "--kind SOORT    De soort uitkering: feestdagen. Verplicht." in result.output
    assert "--euros BEDRAG  Het maximum per jaar in euro, bijvoorbeeld 800,00." in result.output


@pytest.mark.parametrize("args, says", [
    (["set-allowance-cap", "--law", "wlz", "--year", "2026", "--euros", "800"],
     "Fout: De optie --kind ontbreekt. Geef --kind SOORT. De soort uitkering: feestdagen.\n"
     "Alle opties: portal set-allowance-cap --help\n"),
    (["create-user", "--name", "Nieuw", "--role", "beheerder"],
     "Fout: De optie --email ontbreekt. Geef --email ADRES."),
    (["create-user", "--email", "a@example.nl", "--name", "A", "--role", "budgethouder",
      "--password", "x", "--household-id", "een"], "De waarde van --household-id klopt niet."),
    (["set-max-tariff", "--lwa", "wmo"], "De optie --lwa bestaat niet. Bedoelt u --law?"),
    (["run-payments", "--date"], "De optie --date heeft een waarde nodig. Geef --date JJJJ-MM-DD."),
    (["run-payments", "2026-04-01"], "Deze opdracht is niet goed gegeven"),
    (["make-migration"], "Er ontbreekt iets: BESCHRIJVING."),
    (["seed-dem"], "De opdracht 'seed-dem' bestaat niet. Bedoelt u seed-demo?\n"
                   "Alle opdrachten: portal --help"),
])
def test_usage_errors_are_dutch_and_exit_2(tmp_path, args, says):
    result = portal(tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert says in dutch(result.output)


@pytest.mark.parametrize("option, value, says", [
    ("--name", "x" * 201, "Deze naam is te lang. Gebruik ten hoogste 200 tekens."),
    ("--email", "a" * 250 + "@b.nl", "Dit e-mailadres is te lang."),
    ("--name", "\x01\x02\u200b", "Vul een naam in."),
])
def test_create_user_refuses_what_the_users_table_cannot_hold(app, db, option, value, says):
    options = {"--email": "lang@example.nl", "--name": "Lang", "--role": "beheerder",
               "--password": PASSWORD, option: value}
    result = app.test_cli_runner().invoke(create_user_command,
                                          [x for pair in options.items() for x in pair])
    assert result.exit_code != 0 and says in dutch(result.output), result.output
    assert users_named(options["--email"]) == 0


def test_create_user_asks_for_the_password_twice_in_dutch(app, db):
    result = app.test_cli_runner().invoke(create_user_command, [
        "--email", "vraag@example.nl", "--name", "Nieuw", "--role", "beheerder"],
        input=f"{PASSWORD}\nanders\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Wachtwoord: " in result.output and "Herhaal het wachtwoord: " in result.output
    assert "de twee wachtwoorden zijn niet gelijk" in dutch(result.output)
    assert users_named("vraag@example.nl") == 1


# --------------------------------------------------------------------------- create-user


@pytest.mark.parametrize("role, option, code_word", [
    ("budgethouder", "--household-id", "huishouden"),
    ("zorgverlener", "--provider-id", "zorgverlener"),
    ("consulent", "--funder-id", "financier"),
])
def test_create_user_with_an_unknown_link_is_refused_and_writes_nothing(app, db, role, option,
                                                                       code_word):
    result = create_user(app, "--email", "x@example.nl", "--role", role, option, "999999")
    line = one_dutch_line(result)
    assert f"Er is geen {code_word} met nummer 999999" in line
    assert users_named("x@example.nl") == 0


def test_create_user_with_an_id_too_large_for_the_database_is_refused(app, db):
    result = create_user(app, "--email", "x@example.nl", "--role", "budgethouder",
                         "--household-id", "99999999999999999999")
    assert "Er is geen huishouden" in one_dutch_line(result)


def test_a_payment_office_account_with_a_household_is_refused(app, db):
    household = f.make_household()
    result = create_user(app, "--email", "x@example.nl", "--role", "beheerder",
                         "--household-id", str(household.id))
    line = one_dutch_line(result)
    assert "hoort niet bij een huishouden" in line and "Laat het huishouden weg" in line
    assert users_named("x@example.nl") == 0


def test_a_budget_holder_needs_a_household(app, db):
    result = create_user(app, "--email", "x@example.nl", "--role", "budgethouder")
    assert "Geef het nummer van het huishouden op" in one_dutch_line(result)


def test_create_user_with_existing_links_works(app, db):
    household = f.make_household()
    funder = f.make_funder()
    result = create_user(app, "--email", "h@example.nl", "--role", "budgethouder",
                         "--household-id", str(household.id))
    assert result.exit_code == 0, result.output
    result = create_user(app, "--email", "c@example.nl", "--role", "consulent",
                         "--funder-id", str(funder.id))
    assert result.exit_code == 0, result.output
    holder = _db.session.scalar(select(User).where(User.email == "h@example.nl"))
    consulent = _db.session.scalar(select(User).where(User.email == "c@example.nl"))
    assert (holder.role, holder.household_id) == (Role.BUDGETHOUDER, household.id)
    assert (consulent.role, consulent.funder_id, consulent.household_id) == \
        (Role.CONSULENT, funder.id, None)


def test_create_user_reports_every_reason_at_once(app, db):
    result = create_user(app, "--email", "geen-adres", "--role", "consulent",
                         "--household-id", "1")
    assert result.exit_code == 1
    assert "email_invalid" in result.output and "funder_missing" in result.output
    assert "link_not_allowed" in result.output


# --------------------------------------------------------------------------- maxima


def set_max_tariff(app, *args: str):
    return app.test_cli_runner().invoke(set_max_tariff_command, list(args))


def set_allowance_cap(app, *args: str):
    return app.test_cli_runner().invoke(set_allowance_cap_command, list(args))


def test_set_max_tariff_for_a_gemeente_then_change_it(app, db):
    gemeente = f.make_funder(FunderKind.GEMEENTE)
    args = ["--funder", str(gemeente.id), "--law", "wmo", "--year", "2026", "--unit", "uur",
            "--formal", "--euros", "65,00"]
    result = set_max_tariff(app, *args)
    assert result.exit_code == 0, result.output
    assert "Wmo 2015 2026, per uur, formeel" in result.output and "(nieuw)" in result.output
    result = set_max_tariff(app, *args[:-1], "66,50")
    assert result.exit_code == 0, result.output
    assert "was € 65,00" in result.output.replace("\xa0", " ")
    rows = _db.session.scalars(select(MaxTariff).where(MaxTariff.funder_id == gemeente.id)).all()
    assert [(r.law, r.year, r.unit, r.informal, r.max_cents) for r in rows] == \
        [(Law.WMO, 2026, Unit.UUR, False, 6650)]
    # the agreement checks read it: an hourly tariff for this gemeente's Wmo budget is capped
    facts = [TariffRow(r.law, r.year, r.informal, r.unit, r.max_cents, r.funder_id) for r in rows]
    assert maximum_for(Law.WMO, 2026, Unit.UUR, informal=False, funder_id=gemeente.id,
                       db_rows=facts).max_cents == 6650


def test_a_national_wlz_maximum_needs_no_funder_and_is_set_once(app, db):
    args = ["--law", "wlz", "--year", "2026", "--unit", "dagdeel", "--formal", "--euros", "72"]
    assert set_max_tariff(app, *args).exit_code == 0
    assert set_max_tariff(app, *args).exit_code == 0  # again: the same row, not a second one
    rows = _db.session.scalars(select(MaxTariff).where(MaxTariff.funder_id.is_(None),
                                                       MaxTariff.year == 2026)).all()
    assert [(r.unit, r.max_cents) for r in rows] == [(Unit.DAGDEEL, 7200)]


@pytest.mark.parametrize("args, code", [
    (["--funder", "999999", "--law", "wmo"], "funder_unknown"),
    (["--law", "wmo"], "funder_missing"),
    (["--funder", "GEMEENTE", "--law", "wlz"], "law_not_funded"),
    (["--law", "wlz", "--unit", "maandloon"], "unit_not_capped"),
    (["--law", "wlz", "--year", "twintig"], "year_invalid"),
    (["--law", "wlz", "--year", "1999"], "year_invalid"),
    (["--law", "wlz", "--euros", "veel"], "amount_invalid"),
    (["--law", "wlz", "--euros", "0"], "amount_not_positive"),
    (["--law", "wlz", "--informal-missing"], "informal_missing"),
    (["--law", "wet"], "law_unknown"),
])
def test_set_max_tariff_refuses_bad_input_in_dutch_and_writes_nothing(app, db, args, code):
    gemeente = f.make_funder(FunderKind.GEMEENTE)
    given = {"--year": "2026", "--unit": "uur", "--euros": "65,00"}
    flags = ["--formal"]
    it = iter(args)
    for name in it:
        if name == "--informal-missing":
            flags = []
            continue
        value = next(it)
        given[name] = str(gemeente.id) if value == "GEMEENTE" else value
    before = _db.session.scalar(select(func.count()).select_from(MaxTariff))
    result = set_max_tariff(app, *[x for kv in given.items() for x in kv], *flags)
    assert result.exit_code == 1, result.output
    assert f"({code})" in result.output and "Traceback" not in result.output
    assert _db.session.scalar(select(func.count()).select_from(MaxTariff)) == before


@pytest.mark.parametrize("given", ["NAME", "name in other capitals", "NUMBER"])
def test_set_max_tariff_takes_the_funders_number_or_exact_name(app, db, given):
    utrecht = f.make_funder(FunderKind.GEMEENTE, name="Gemeente Utrecht")
    f.make_funder(FunderKind.GEMEENTE, name="Gemeente Utrechtse Heuvelrug")
    text = {"NAME": "Gemeente Utrecht", "NUMBER": str(utrecht.id)}.get(given, "gemeente UTRECHT")
    result = set_max_tariff(app, "--funder", text, "--law", "wmo", "--year", "2026", "--unit",
                            "uur", "--formal", "--euros", "65,00")
    assert result.exit_code == 0, result.output
    assert f"(Gemeente Utrecht, nummer {utrecht.id})" in result.output
    assert _db.session.scalar(select(MaxTariff.funder_id)) == utrecht.id


@pytest.mark.parametrize("text", ["Utrecht", "999999", "Gemeente Utrech"])
def test_an_unknown_funder_is_refused_with_the_funders_there_are(app, db, text):
    utrecht = f.make_funder(FunderKind.GEMEENTE, name="Gemeente Utrecht")
    zorgkantoor = f.make_funder(FunderKind.ZORGKANTOOR, name="Zorgkantoor Midden-Nederland")
    result = set_max_tariff(app, "--funder", text, "--law", "wmo", "--year", "2026", "--unit",
                            "uur", "--formal", "--euros", "65,00")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"(funder_unknown): Er is geen financier met het nummer of de naam '{text}'" in \
        result.output
    assert f"  {utrecht.id}  Gemeente Utrecht\n" in result.output
    assert f"  {zorgkantoor.id}  Zorgkantoor Midden-Nederland\n" in result.output
    assert _db.session.scalar(select(func.count()).select_from(MaxTariff)) == 0


def test_set_allowance_cap_makes_the_holiday_allowance_usable(app, db):
    from portal.budgets.constants import AllowanceKind
    from portal.claims.allowances import allowance_status

    holder = f.make_user(Role.BUDGETHOUDER)
    member = f.make_member(_db.session.get(Household, holder.household_id))
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=2_000_000)
    holiday = AllowanceKind.FEESTDAGEN
    assert allowance_status([grant])[grant.id][holiday].cap_cents is None  # a fresh database
    result = set_allowance_cap(app, "--law", "wlz", "--kind", "feestdagen", "--year", "2026",
                               "--euros", "800,00")
    assert result.exit_code == 0, result.output
    assert "Maximum feestdagenuitkering Wlz 2026: € 800,00 (nieuw)" in \
        result.output.replace("\xa0", " ")
    assert allowance_status([grant])[grant.id][holiday].cap_cents == 80_000
    result = set_allowance_cap(app, "--law", "wlz", "--kind", "feestdagen", "--year", "2026",
                               "--euros", "850")
    assert "was € 800,00" in result.output.replace("\xa0", " ")
    assert _db.session.scalar(select(func.count()).select_from(AllowanceCap)) == 1


@pytest.mark.parametrize("args, code", [
    (["--law", "wlz", "--kind", "verantwoordingsvrij"], "allowance_cap_not_settable"),
    (["--law", "wmo", "--kind", "feestdagen"], "allowance_not_wlz"),
    (["--law", "wlz", "--kind", "kerst"], "allowance_kind_unknown"),
    (["--law", "wlz", "--kind", "feestdagen", "--year", "3000"], "year_invalid"),
    (["--law", "wlz", "--kind", "feestdagen", "--euros", "1000000,01"], "amount_too_large"),
])
def test_set_allowance_cap_refuses_bad_input_in_dutch_and_writes_nothing(app, db, args, code):
    given = {"--year": "2026", "--euros": "800,00", **dict(zip(args[::2], args[1::2],
                                                                strict=True))}
    result = set_allowance_cap(app, *[x for kv in given.items() for x in kv])
    assert result.exit_code == 1, result.output
    assert f"({code})" in result.output and "Traceback" not in result.output
    assert _db.session.scalar(select(func.count()).select_from(AllowanceCap)) == 0


def test_a_password_prompt_without_input_stops_in_dutch(tmp_path):
    assert portal(tmp_path, "init-db").exit_code == 0
    result = portal(tmp_path, "create-user", "--email", "stop@example.nl", "--name", "Stop",
                    "--role", "beheerder", input="")
    assert result.exit_code == 1
    assert "Afgebroken. Er is niets opgeslagen." in result.output
    assert "Aborted" not in result.output


def test_a_year_in_other_digits_is_refused_in_dutch(app, db):
    from portal.cli import set_max_tariff_command

    result = app.test_cli_runner().invoke(set_max_tariff_command, [
        "--law", "wlz", "--year", "²", "--unit", "uur", "--euros", "70,00"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "'²' is geen jaartal" in result.output, result.output
