"""The README is part of the contract: it must name every demo login and every setting."""

import datetime as dt

from portal.config import PROJECT_ROOT, SETTINGS
from portal.demo.seed import DEMO_LOGINS, DEMO_PASSWORD

README = (PROJECT_ROOT / "README.md").read_text()


def test_readme_lists_every_demo_login_with_its_totp_secret():
    assert f"`{DEMO_PASSWORD}`" in README
    for demo in DEMO_LOGINS:
        assert f"`{demo.email}`" in README, demo.email
        if demo.totp_secret:
            assert f"`{demo.totp_secret}`" in README, demo.email


def test_readme_documents_every_setting():
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, setting.env


def test_readme_names_the_two_commands():
    assert "make run" in README and "make test" in README


def test_readme_lists_every_demo_api_key():
    from portal.demo.seed import DEMO_API_KEYS

    for token in DEMO_API_KEYS.values():
        assert f"`{token}`" in README, token


def test_readme_python_api_example_runs_against_the_demo(client, db, capsys, monkeypatch):
    """The README's Python client, run against the demo through the test client (its urlopen
    sends the request to the app instead of a server)."""
    import io
    import urllib.request

    from portal.dates import today
    from portal.demo.seed import seed_demo

    seed_demo(today())
    # Three more clients of De Linde without a sheet yet (the demo's have last month's).
    from sqlalchemy import select

    from portal.access.constants import Role
    from portal.dates import first_of_month
    from portal.providers.models import Provider
    from tests.factories import make_agreement, make_grant, make_user

    linde = db.session.scalar(select(Provider).where(Provider.name.like("Thuiszorg De Linde%")))
    last_month = first_of_month(today()) - dt.timedelta(days=1)
    for _ in range(3):
        agreement = make_agreement(make_grant(year=last_month.year), linde)
        make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    code = README.split("```python\n", 1)[1].split("```", 1)[0]

    def urlopen(request):
        answer = client.open(request.full_url.replace("http://127.0.0.1:5000", ""),
                             method=request.get_method(), data=request.data,
                             headers=dict(request.header_items()))
        assert answer.status_code < 400, answer.get_data(as_text=True)
        return io.BytesIO(answer.data)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed and all(line.startswith(("UB-", "refused:")) for line in printed)
    assert sum(line.startswith("UB-") for line in printed) == 3, printed


def _linde_bakker_ids() -> tuple[int, int]:
    """De Linde's agreement with the Bakker household and the budget its care line draws on:
    the README names them by their ids on a fresh demo (4 and 5)."""
    from sqlalchemy import select

    from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
    from portal.budgets.models import Household
    from portal.extensions import db as _db
    from portal.providers.models import Provider

    return _db.session.execute(
        select(Agreement.id, AgreementLine.grant_id)
        .join(Household, Household.id == Agreement.household_id)
        .join(Provider, Provider.id == Agreement.provider_id)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(AgreementLine, AgreementLine.version_id == AgreementVersion.id)
        .where(Household.name == "Bakker", Provider.name.like("Thuiszorg De Linde%"))
        .limit(1)).one()


def test_readme_curl_api_example_runs_against_the_demo(client, db, is_postgres):
    """The README's curl lines, sent through the test client to the demo: the agreements, a
    sheet for last month (refused on the demo: that month has its sheet) and the sheets."""
    import re
    import shlex

    from portal.dates import first_of_month, today
    from portal.demo.seed import seed_demo

    seed_demo(today())
    agreement_id, grant_id = _linde_bakker_ids()
    if not is_postgres:  # a fresh database numbers them as the README says
        assert (agreement_id, grant_id) == (4, 5)
    block = README.split("With curl (GNU `date`)", 1)[1].split("```\n", 2)[1]
    # PostgreSQL's sequences go on after rolled-back tests: the README's ids are this demo's
    block = block.replace('"agreement_id": 4', f'"agreement_id": {agreement_id}').replace(
        '"grant_id": 5', f'"grant_id": {grant_id}')
    month = (first_of_month(today()) - dt.timedelta(days=1)).strftime("%Y-%m")
    variables = {}
    answers = []
    commands: list[str] = []
    for line in block.splitlines():  # a command goes on until the next curl or VAR=
        if line.startswith("curl") or re.match(r"^\w+=", line):
            commands.append(line)
        else:
            commands[-1] += "\n" + line
    for command in (c.replace("\\\n", " ") for c in commands):
        name, equals, value = command.partition("=")
        if equals and name.isidentifier():
            variables[name] = month if name == "MONTH" else value
            continue
        for name, value in variables.items():
            command = command.replace(f"${name}", value)
        words = shlex.split(command)
        assert words[0] == "curl"
        method, headers, data, url = "GET", {}, None, None
        i = 1
        while i < len(words):
            if words[i] == "-X":
                method, i = words[i + 1], i + 2
            elif words[i] == "-H":
                key, _, value = words[i + 1].partition(": ")
                headers[key], i = value, i + 2
            elif words[i] == "-d":
                data, i = words[i + 1], i + 2
            elif words[i] == "-s":
                i += 1
            else:
                url, i = words[i], i + 1
        answer = client.open(url.replace("http://127.0.0.1:5000", ""), method=method,
                             headers=headers, data=data)
        answers.append(answer)
    agreements, prepared, sheets = answers
    assert agreements.status_code == 200 and {a["id"] for a in agreements.get_json()["items"]} \
        >= {agreement_id}
    assert prepared.status_code == 200, prepared.get_json()
    result = prepared.get_json()["results"][0]
    assert result["outcome"] == "refused"
    assert [e["code"] for e in result["problem"]["errors"]] == ["duplicate_sheet"]
    assert sheets.status_code == 200 and len(sheets.get_json()["items"]) == 2
