"""Browser journeys: the portal served from a thread, driven by Playwright in Debian's Chromium.

Run with `.venv/bin/python -m pytest e2e -p no:cacheprovider` (`make test` does, after the
unit legs). The app runs on a temporary SQLite database whose schema comes from the
migrations, like in production; nothing is left running or written outside temp folders.

Fixtures live here; plain helpers (axe check, log in with the two-step code, keyboard, amounts,
the hour-sheet grid's cells, a PDF to upload) in e2e/helpers.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading

import pytest
from werkzeug.serving import make_server

# The test server hands Chromium our static files (send_file). When the browser answers a page's
# CSS from its cache or drops the connection (a 304, a navigation), werkzeug's development server
# can leave that file for the garbage collector to close, which Python reports as a
# ResourceWarning inside an "Exception ignored" message at some later moment, in whichever test
# runs then. It says nothing about the portal (production serves static files through the proxy),
# so for the browser journeys only, and only for files under static/, it is not an error.
STATIC_FILE_LEFT_OPEN = [
    r"ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
    r":pytest.PytestUnraisableExceptionWarning",
    r"ignore:unclosed file <_io.BufferedReader name='[^']*/static/:ResourceWarning",
]


def pytest_configure(config):
    for line in STATIC_FILE_LEFT_OPEN:
        config.addinivalue_line("filterwarnings", line)


# Chromium writes its profile and caches under XDG dirs: keep them out of $HOME.
_XDG = tempfile.mkdtemp(prefix="pgb-e2e-xdg-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_XDG, "config")
os.environ["XDG_CACHE_HOME"] = os.path.join(_XDG, "cache")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

PASSWORD = "e2e-wachtwoord-123"


def pytest_unconfigure(config):
    shutil.rmtree(_XDG, ignore_errors=True)


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args,
            "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def portal_app(tmp_path_factory):
    from portal import create_app

    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app(
        config={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            "PORTAL_ARGON2_FAST": True,
        },
        environ={"PORTAL_INSTANCE_DIR": str(instance)},
    )
    with app.app_context():
        from portal.migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        from portal.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def budget_holder(portal_app):
    """A budget holder with a household, made through the access service."""
    from portal.access.service import create_user
    from portal.budgets.models import Household
    from portal.database import transaction
    from portal.extensions import db

    with portal_app.app_context(), transaction():
        household = Household(name="Huishouden E2E")
        db.session.add(household)
        db.session.flush()
        user = create_user("anna.e2e@example.nl", PASSWORD, "budgethouder", "Anna Proef",
                           household_id=household.id)
        info = {"email": user.email, "name": user.name, "password": PASSWORD}
    return info


@pytest.fixture(scope="session")
def demo(portal_app):
    """The demo, seeded once into the shared e2e app (seeding again changes nothing): Anna's
    login and household. Journeys that change the demo use demo_server instead."""
    from portal.access.service import find_user_by_email
    from portal.database import transaction
    from portal.dates import today
    from portal.demo.seed import ANNA, DEMO_PASSWORD, seed_demo

    with portal_app.app_context():
        with transaction():
            seed_demo(today())
        anna = find_user_by_email(ANNA.email)
        return {"email": ANNA.email, "password": DEMO_PASSWORD, "household_id": anna.household_id}


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo loaded once (e2e.helpers.make_demo_app): its SQLite file, which demo_server
    copies for each test module instead of migrating and seeding again."""
    from e2e.helpers import make_demo_app
    from portal.extensions import db

    app = make_demo_app(tmp_path_factory.mktemp("e2e-demo-template"))
    with app.app_context():
        path = db.engine.url.database
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, demo_template):
    """A portal of the test module's own with the demo loaded (a copy of demo_template),
    served from a thread: (base URL, app). For journeys that change the demo (pay, refuse,
    sign)."""
    import sqlite3

    from e2e.helpers import serving
    from portal import create_app

    instance = tmp_path_factory.mktemp("e2e-demo")
    source, target = sqlite3.connect(demo_template), sqlite3.connect(instance / "e2e.sqlite3")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    app = create_app(config={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.sqlite3'}",
                             "RATELIMIT_ENABLED": False, "PORTAL_ARGON2_FAST": True},
                     environ={"PORTAL_INSTANCE_DIR": str(instance)})
    with serving(app) as base:
        yield base, app


@pytest.fixture(scope="session")
def live_server(portal_app):
    """The portal on 127.0.0.1 at a free port, served from a daemon thread."""
    server = make_server("127.0.0.1", 0, portal_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# The one inline <style> axe-core (e2e/helpers.assert_accessible) adds to a page while it
# measures: a report about the test's tool, not about the portal. Any other inline style or
# script (another hash) still fails the test.
AXE_STYLE_HASH = "sha256-rsXx3vF/Xc5thKQM3GzGjmfalVTPtAvicDmIDRkgICE="


def csp_violations(context) -> list[str]:
    """The Content-Security-Policy violations Chromium reports in the console of `context`'s
    pages from now on (an inline script or style, a resource from elsewhere)."""
    found: list[str] = []
    context.on("console", lambda message: found.append(message.text) if (
        message.type == "error" and "Content Security Policy" in message.text
        and AXE_STYLE_HASH not in message.text) else None)
    return found


@pytest.fixture
def context(context):
    """pytest-playwright's browser context: a test fails when a page breaks the CSP."""
    violations = csp_violations(context)
    yield context
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page_without_js(browser, browser_context_args):
    """A page in a browser context with JavaScript off: every form must work without it.
    (axe needs JavaScript, so pages seen here are checked in the journey's twin with it on.)"""
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    violations = csp_violations(context)
    page = context.new_page()
    yield page
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(scope="session")
def make_household(portal_app):
    """make_household(key) -> a household of its own in the shared e2e app, made through the
    services (e2e.helpers.household_with_agreement): Wim (Wlz budgets last year, this year and
    next), an approved agreement with the provider Jeroen (individuele begeleiding per hour,
    EUR 50,00), the budget holder Ria, and a representative (vertegenwoordiger) Kees who has no
    authorisation yet. E-mail addresses carry the key, so each caller gets its own people."""
    from e2e.helpers import household_with_agreement
    from portal.access.service import create_user
    from portal.database import transaction

    made: dict[str, dict] = {}

    def _make(key: str) -> dict:
        if key in made:
            return made[key]
        with portal_app.app_context(), transaction():
            world = household_with_agreement(key, f"Huishouden {key}", PASSWORD)
            representative = create_user(f"kees.{key}@e2e.pgb", PASSWORD, "vertegenwoordiger",
                                         f"Kees {key}")
            made[key] = {**world, "representative": representative.email,
                         "representative_name": representative.name, "password": PASSWORD}
        return made[key]

    return _make
