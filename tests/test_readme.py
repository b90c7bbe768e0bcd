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
