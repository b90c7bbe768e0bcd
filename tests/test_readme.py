"""The README is part of the contract: it must name every demo login and every setting."""

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
