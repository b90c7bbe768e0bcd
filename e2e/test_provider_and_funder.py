"""The consulent and the provider in a real Chromium, on the demo data.

1. The consulent of Gemeente Utrecht logs in in two steps, finds Youssef's change awaiting
   review, first forgets the reason (the page says what is missing), then refuses it with a
   reason; the budget holder (Anna) reads that reason in Berichten.
2. The consulent's grant pages (list, form, CSV import) render and are accessible.
3. A provider (Thuiszorg De Linde) sees a paid sheet with its payment reference on its
   overview, and the same reference in the payment specification.
An axe check on every page visited. The journey changes the demo (it refuses a version), so it
runs on a portal and a database of its own.
"""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

try:  # the shared helper, once the plumbing moves it into conftest
    from e2e.conftest import assert_accessible
except ImportError:  # pragma: no cover - until then it lives with the smoke journey
    from e2e.test_smoke import assert_accessible

pytestmark = pytest.mark.e2e

REASON = "Het aantal uren begeleiding past niet bij de beschikking. Verlaag de uren per week."


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A portal with the demo loaded, on its own SQLite file, served from a daemon thread."""
    from portal import create_app
    from portal.database import transaction
    from portal.dates import today
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.migrate import upgrade

    instance = tmp_path_factory.mktemp("e2e-roles")
    app = create_app(config={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'roles.sqlite3'}",
                             "RATELIMIT_ENABLED": False, "PORTAL_ARGON2_FAST": True},
                     environ={"PORTAL_INSTANCE_DIR": str(instance)})
    with app.app_context():
        upgrade()
        with transaction():
            seed_demo(today())
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


_last_step: dict[str, int] = {}


def _fresh_code(secret: str) -> str:
    """A code not used before (a used code is refused; the portal accepts one step ahead)."""
    step = max(int(time.time()) // 30, _last_step.get(secret, 0) + 1)
    _last_step[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


def log_in(page: Page, base: str, login) -> None:
    from portal.demo.seed import DEMO_PASSWORD

    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(login.email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if "/inloggen/code" in page.url:  # two-step login (consulent)
        assert_accessible(page)
        page.get_by_label("Code uit uw app").fill(_fresh_code(login.totp_secret))
        page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", level=1, name="Inloggen")).to_be_visible()


def test_consulent_refuses_with_a_reason_and_the_budget_holder_reads_it(page: Page, demo_server):
    from portal.demo.seed import ANNA, CONSULENT_UTRECHT

    base, app = demo_server
    log_in(page, base, CONSULENT_UTRECHT)

    # The consulent's start page is the review queue.
    expect(page.get_by_role("heading", level=1, name="Te beoordelen")).to_be_visible()
    queue = page.get_by_role("table", name=re.compile(r"wachten op beoordeling$"))
    change = queue.get_by_role("link", name=re.compile(r"\(wijziging, versie 2\)$"))
    expect(change).to_have_count(1)
    reference = change.inner_text().split(" ")[0]
    expect(queue.get_by_role("row").filter(has_text="Youssef El Amrani")).to_have_count(1)
    assert_accessible(page)

    change.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Zorgovereenkomst {reference} beoordelen")
    expect(page.get_by_role("table", name="Zorg en tarieven in deze versie")).to_be_visible()
    assert_accessible(page)

    # Refusing without a reason: the page says what is missing, next to the field.
    page.get_by_role("button", name="Afkeuren").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Schrijf bij een afkeuring wat er niet goed is")
    reason = page.get_by_label("Reden van afkeuren")
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    reason.fill(REASON)
    page.get_by_role("button", name="Afkeuren").click()
    expect(page.get_by_role("status").filter(has_text=f"zorgovereenkomst {reference} afgekeurd")
           ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(re.escape(reference)))).to_have_count(0)
    assert_accessible(page)

    # The grant pages of the consulent.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Toekenningen").click()
    expect(page.get_by_role("heading", level=1, name="Toekenningen van Gemeente Utrecht")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Budget registreren").click()
    page.get_by_label("Burgerservicenummer (BSN) van het gezinslid").fill("123456782")
    page.get_by_role("button", name="Gezinslid opzoeken").click()
    expect(page.get_by_role("status").filter(has_text="Gevonden: D. J.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Budget registreren").click()  # the rest is still empty
    expect(page.get_by_role("alert")).to_contain_text("Vul de begindatum in")
    assert_accessible(page)
    page.goto(f"{base}/verstrekker/toekenningen/importeren")
    expect(page.get_by_role("table", name="De kolommen")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # The budget holder reads the reason in Berichten.
    log_in(page, base, ANNA)
    with app.app_context():
        has_inbox = "messages.inbox" in app.view_functions
    if has_inbox:
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
            "link", name=re.compile("^Berichten")).click()
        expect(page.get_by_role("heading", level=1, name="Berichten")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name=f"Zorgovereenkomst {reference} is afgekeurd").click()
        expect(page.get_by_text(REASON)).to_be_visible()
        assert_accessible(page)
    else:  # pragma: no cover - before the inbox existed: the message row itself
        from sqlalchemy import select

        from portal.access.service import find_user_by_email
        from portal.extensions import db
        from portal.messages.models import Message

        with app.app_context():
            anna = find_user_by_email(ANNA.email)
            bodies = db.session.scalars(select(Message.body).where(Message.user_id == anna.id))
            assert any(REASON in b for b in bodies)
            db.session.remove()


def test_provider_sees_a_paid_sheet_with_its_reference(page: Page, demo_server):
    from portal.demo.seed import LINDE

    base, _app = demo_server
    log_in(page, base, LINDE)

    expect(page.get_by_role("heading", level=1, name="Mijn overeenkomsten")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Huishouden Bakker"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Huishouden Jansen"))).to_be_visible()
    paid = page.get_by_text(re.compile(r"^Betaald op \d+ \w+ \d{4} met kenmerk PGB-\d{8}-\d{4}-\d{3}$"))
    expect(paid.first).to_be_visible()
    reference = paid.first.inner_text().rsplit(" ", 1)[1]
    expect(page.get_by_text("Wacht op akkoord van de budgethouder").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Betalingen").click()
    expect(page.get_by_role("heading", level=1, name="Betalingen")).to_be_visible()
    spec = page.get_by_role("table", name=f"Specificatie van betaling {reference}")
    expect(spec).to_be_visible()
    expect(spec.get_by_role("cell", name=re.compile("^Huishouden "))).not_to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\*{4} \d{4}$")).first).to_be_visible()
    assert_accessible(page)
