"""ASVS V5 (validation, sanitisation, encoding): redirects stay on the portal (V5.1.5); one-line
fields refuse line breaks and control characters (V5.1.3, V5.1.4); the log writes one event per
line whatever a value holds (V7.3.1, log injection)."""

from __future__ import annotations

import pytest

from portal.access.constants import Role
from portal.web import safe_redirect_target
from tests import factories as f

# --- V5.1.5: redirects only to the portal's own paths -----------------------------------------

OUTSIDE = [
    "https://evil.example/start", "http://evil.example", "//evil.example/start",
    "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "https:evil.example", "javascript:alert(1)", "data:text/html,hoi", "start", "",
    "http://portal.test@evil.example/", "http://evil.example/http://portal.test/",
    "/\n/evil.example", "ftp://portal.test/start",
]


@pytest.mark.parametrize("target", OUTSIDE)
def test_v5_1_5_no_redirect_target_outside_the_portal(app, target):
    """V5.1.5: a scheme, another host, '//', a backslash or a control character is no path of
    ours."""
    with app.test_request_context("/"):
        assert safe_redirect_target(target) is None


def test_v5_1_5_the_portals_own_paths_are_kept(app):
    """V5.1.5: a path of the portal, or a full address of the portal itself (a Referer), is
    answered with just its path and query."""
    with app.test_request_context("/"):
        assert safe_redirect_target("/huishoudens/1/budget?maand=2026-01") == \
            "/huishoudens/1/budget?maand=2026-01"
        assert safe_redirect_target("http://portal.test/berichten") == "/berichten"
        assert safe_redirect_target("https://portal.test/berichten#x") == "/berichten"


@pytest.mark.parametrize("referer", ["https://evil.example/phish", "//evil.example/",
                                     "http://portal.test\\@evil.example/"])
def test_v5_1_5_keep_alive_never_sends_the_browser_to_another_site(referer, client, db, login):
    """V5.1.5 (issue 9, finding 7): 'Blijf ingelogd' without JavaScript used to redirect to
    whatever the Referer said."""
    login(f.make_user(Role.BUDGETHOUDER))
    response = client.post("/sessie-verlengen", headers={"Referer": referer})
    assert response.status_code == 302
    assert response.headers["Location"] == "/start"


def test_v5_1_5_keep_alive_goes_back_to_the_portals_own_page(client, db, login):
    login(f.make_user(Role.BUDGETHOUDER))
    response = client.post("/sessie-verlengen",
                           headers={"Referer": "http://portal.test/berichten?pagina=2"})
    assert response.headers["Location"] == "/berichten?pagina=2"


# --- V5.1.3 / V5.1.4: one-line fields refuse line breaks; multi-line fields keep them ----------

FORGED = "Els Blijft\n2026-01-01 INFO portal: Ingelogd als beheerder"


def test_v5_1_4_a_name_with_a_forged_log_line_is_refused_by_the_form(client, db, login):
    """V5.1.4 (issue 9, finding 6): the office's new login with a line break in its name is
    refused next to the field, and no login is made."""
    from sqlalchemy import func, select

    from portal.access.models import User
    from portal.text import ONE_LINE_MESSAGE

    login(f.make_user(Role.BEHEERDER))
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/betaalkantoor/inlogaccounts/nieuw", data={
        "name": FORGED, "email": "els@example.nl", "role": "vertegenwoordiger"})
    assert response.status_code == 422
    assert ONE_LINE_MESSAGE.split(",")[0] in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.parametrize("value", ["Els\rBlijft", "Els\tBlijft", "Els\x0bBlijft",
                                   "Els\u2028Blijft", "Els\x85Blijft"])
def test_v5_1_4_every_one_line_form_field_refuses_control_characters(app, value):
    """V5.1.4: CR, TAB, vertical tab, the Unicode line separator and NEL, in any text field of
    any form that is not a text area; the text area keeps its line breaks."""
    from werkzeug.datastructures import MultiDict

    from portal.office.forms import DecisionForm, PaperLookupForm
    from portal.text import ONE_LINE_MESSAGE

    with app.test_request_context("/", method="POST"):
        lookup = PaperLookupForm(formdata=MultiDict({"reference": value}), meta={"csrf": False})
        assert not lookup.validate()
        assert lookup.reference.errors == [ONE_LINE_MESSAGE]
        reason = DecisionForm(formdata=MultiDict({"reason": "Eerste regel.\r\nTweede regel."}),
                              meta={"csrf": False})
        assert reason.validate(), reason.errors
        assert reason.reason.data == "Eerste regel.\r\nTweede regel."


def test_v5_1_4_provider_fields_and_create_user_refuse_line_breaks():
    """V5.1.4: the provider's name and e-mail address (agreements.rules) and a new login's
    (access.rules, for the office's page and `portal create-user` alike)."""
    from portal.access.rules import check_new_user
    from portal.agreements.constants import ProviderKind
    from portal.providers.rules import check_provider_fields

    _, refusals = check_provider_fields(ProviderKind.PERSOON, FORGED, "NL91ABNA0417164300", None,
                                        None, "zorg@example.nl\nBcc: iedereen@example.nl")
    assert sorted((r.code, r.field) for r in refusals) == [("not_one_line", "email"),
                                                           ("not_one_line", "name")]
    refusals = check_new_user("els@example.nl", None, "beheerder", FORGED)
    assert [(r.code, r.field) for r in refusals] == [("not_one_line", "name")]


def test_v5_1_4_create_user_on_the_command_line_refuses_a_line_break(app, db):
    """V5.1.4: `portal create-user --name` with a line break: a Dutch refusal, no login."""
    from portal.cli import create_user_command

    result = app.test_cli_runner().invoke(create_user_command, [
        "--email", "regels@example.nl", "--name", FORGED, "--role", "beheerder",
        "--password", "een-lang-wachtwoord"])
    assert result.exit_code == 1 and "Gebruik geen regeleinden" in result.output


def test_v5_1_4_the_csv_import_refuses_a_value_with_a_line_break():
    """V5.1.4: a quoted value with a line break in the funder's CSV import."""
    from portal.funders.csv_import import column_of, parse_row

    row, refusals = parse_row(2, {
        "bsn": "111222333", "wet": "wmo", "begindatum": "2026-01-01", "einddatum": "2026-12-31",
        "bedrag": "100", "zorgsoorten": "begeleiding",
        "beschikkingsnummer": "B-1\n2026-01-01 INFO forged"})
    assert row is None
    assert [(r.code, column_of(r)) for r in refusals] == [("not_one_line", "beschikkingsnummer")]


# --- V7.3.1: the log and the audit log write one event per line --------------------------------


def test_v7_3_1_a_value_that_reaches_the_log_another_way_stays_on_one_line(app, caplog):
    """V7.3.1 (log injection): a value already stored, an exception message, the development
    mail log: each event is one line, its line breaks escaped."""
    from portal.access.mail import send_mail

    with app.app_context(), caplog.at_level("INFO"):
        app.logger.warning("Login of %s", FORGED)
        try:
            raise ValueError(FORGED)
        except ValueError:
            app.logger.exception("Could not handle %s", "x")
        send_mail("els@example.nl", "Onderwerp", "Beste Els,\n\nDe link: https://x/y\n")
    lines = [line for line in caplog.text.splitlines() if line.strip()]
    assert len(lines) == 3, caplog.text
    assert "Els Blijft\\n2026-01-01 INFO" in lines[0]
    assert "Traceback" in lines[1] and "ValueError: Els Blijft\\n2026" in lines[1]
    assert "Beste Els,\\n\\nDe link: https://x/y\\n" in lines[2]


def test_v7_3_1_an_audit_summary_is_one_line(db):
    """V7.3.1: the audit log's summary of an event escapes line breaks of a name in it."""
    from portal.access.service import record

    event = record("login", actor=None, summary=f"Ingelogd: {FORGED}")
    assert event.summary == "Ingelogd: Els Blijft\\n2026-01-01 INFO portal: Ingelogd als beheerder"
