"""Plain helpers shared by the browser journeys: the axe check, logging in (with the two-step
code when the account has one), keyboard use, reading euro amounts, an approved agreement and a
household with one made through the services, and a portal of its own with the demo loaded,
served from a thread. Fixtures built on these live in conftest.py."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import make_server

from portal.providers.service import create_provider

NARROW = {"width": 320, "height": 720}  # WCAG 1.4.10 reflow: 320 CSS px wide


def _settled(page: Page) -> None:
    """Wait until the page has loaded its stylesheets: after a click that navigates, the new
    page's text is there before the NL Design System CSS (400 kB) is applied, and axe would
    measure a button link in the plain link colour (it once failed color-contrast so)."""
    page.wait_for_load_state("load")


def _violations(page: Page, where: str) -> list[str]:
    _settled(page)
    return [f"{where}: {v['id']} ({v['impact']}): {v['help']} - "
            + ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:3])
            for v in Axe().run(page).response["violations"]]


def assert_accessible(page: Page) -> None:
    """axe-core on the page as it is now, strict: no violation of any impact (minor included),
    at the journey's own width and again 320 px wide, where the page must also not scroll
    sideways (only a table may, inside its own region) and each table's key column (status,
    beschikbaar, bedrag) must be in sight (key_cells_out_of_sight). The width is put back
    afterwards."""
    found = _violations(page, "wide")
    size = page.viewport_size
    if size is not None and size["width"] != NARROW["width"]:
        page.set_viewport_size(NARROW)
        try:
            found += _violations(page, "320 px")
            found += [f"320 px: the key column is out of sight (scroll sideways to see it): {cell}"
                      for cell in key_cells_out_of_sight(page)]
            if not fits_narrow_screen(page):
                found.append("320 px: the page scrolls sideways ("
                             + str(page.evaluate("document.documentElement.scrollWidth"))
                             + " px wide): " + ", ".join(wider_than_screen(page)))
        finally:
            page.set_viewport_size(size)
    assert found == [], f"{page.url}:\n" + "\n".join(found)


_last_step: dict[tuple[str, str], int] = {}


def fresh_totp_code(secret: str, where: str = "") -> str:
    """A code not used before on this portal (`where`: its base URL; each portal's database
    remembers its own last used code). A used code is refused and the portal accepts one step
    ahead, so a second login within the same 30 s takes the next step's code, and a third
    waits for the next 30 s window."""
    key = (where, secret)
    step = max(int(time.time()) // 30, _last_step.get(key, 0) + 1)
    if step > int(time.time()) // 30 + 1:
        time.sleep(max(0.0, (step - 1) * 30 - time.time()) + 0.2)
    _last_step[key] = step
    return pyotp.TOTP(secret).at(step * 30)


def log_in(page: Page, base: str, email: str, password: str, totp_secret: str | None = None,
           *, check_code_page: bool = True) -> None:
    """Log in through the login page; the second step (code from the app) when one is asked.
    The login page gets an axe check, and so does the code page unless check_code_page is
    False."""
    page.goto(f"{base}/inloggen")
    expect(page.get_by_label("E-mailadres")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_label("Wachtwoord").press("Enter")
    if totp_secret is not None:
        expect(page.get_by_label("Code uit uw app")).to_be_visible()
        if check_code_page:
            assert_accessible(page)
        page.get_by_label("Code uit uw app").fill(fresh_totp_code(totp_secret, base))
        page.get_by_label("Code uit uw app").press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def log_in_demo(page: Page, base: str, login) -> None:
    """Log in as one of the demo's people (a portal.demo.seed.DemoLogin)."""
    from portal.demo.seed import DEMO_PASSWORD

    log_in(page, base, login.email, DEMO_PASSWORD, login.totp_secret)


def log_in_as_office(page: Page, base: str) -> None:
    """Log in as the demo's payment office (two steps: the code page gets an axe check too)."""
    from portal.demo.seed import BEHEERDER

    log_in_demo(page, base, BEHEERDER)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen$"))


def account_link(page: Page, name: str) -> Locator:
    """A link of the account menu under the user's name in the header (a details element, so
    it works without JavaScript), opened first when it is closed."""
    menu = page.locator("details.site-user__menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return page.get_by_role("navigation", name="Mijn account").get_by_role("link", name=name)


def tab_to(page: Page, target: Locator, limit: int = 150) -> None:
    """Press Tab until the target has the focus (fails when it never gets it): keyboard only."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def press(page: Page, target: Locator, key: str = "Enter") -> None:
    """Reach the target with Tab and press a key on it (Enter for a button or link)."""
    tab_to(page, target)
    page.keyboard.press(key)


def cents(text: str) -> int:
    """'€ 1.234,56' (or '-€ 5,00') -> 123456; the way the euro filter writes amounts."""
    cleaned = text.replace("\xa0", " ").strip()
    match = re.fullmatch(r"(-)?\s*€\s*(-)?([\d.]+),(\d{2})", cleaned)
    assert match, f"not an amount: {text!r}"
    value = int(match.group(3).replace(".", "")) * 100 + int(match.group(4))
    return -value if (match.group(1) or match.group(2)) else value


def euro(amount_cents: int) -> str:
    """An amount as the page shows it, with an ordinary space."""
    from portal.money import format_euro

    return format_euro(amount_cents).replace("\xa0", " ")


def hour_cell(page: Page, day: dt.date) -> Locator:
    """The hour sheet grid's field for one day (one kind of care)."""
    from portal.claims.grid import day_label

    return page.get_by_label(re.compile(rf", {re.escape(day_label(day))}: uren$"))


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    """A date field (portal.forms.DatePartsField): the group named by its legend, then its
    three inputs Dag, Maand, Jaar."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Dag").fill(str(day.day))
    group.get_by_label("Maand").fill(str(day.month))
    group.get_by_label("Jaar").fill(str(day.year))


def pdf_file(path: Path) -> str:
    """A one-page PDF written to path (a 'signed scan' to upload); returns the path."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return str(path)


KEY_CELLS_OUT_OF_SIGHT = """() => {
  const key = /status|beschikbaar|bedrag/i;
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const table of document.querySelectorAll('main table')) {
    const heads = [...table.querySelectorAll('thead tr:last-child th')];
    const columns = heads.map((h, i) => key.test(h.textContent) ? i : -1).filter(i => i >= 0);
    for (const row of [...table.querySelectorAll('tbody tr')].slice(0, 3)) {
      const cells = [...row.children];
      for (const i of columns) {
        const cell = cells[i];
        if (!cell || cells.length !== heads.length) continue;
        const box = cell.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // an empty cell left out of a card
        if (box.left < -1 || box.right > width + 1) {
          out.push(`${table.id || table.className} ${heads[i].textContent.trim()}`);
        }
      }
    }
  }
  return [...new Set(out)];
}"""


def key_cells_out_of_sight(page: Page) -> list[str]:
    """Tables whose key column (a header naming status, beschikbaar or bedrag) has a cell in
    the first rows that is not in sight without scrolling sideways, at the page's width now
    (WCAG reflow: on a phone the cards show status and amount first)."""
    return page.evaluate(KEY_CELLS_OUT_OF_SIGHT)


def fits_narrow_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def wider_than_screen(page: Page) -> list[str]:
    """The outermost elements that stick out on the right (to say what makes a page too wide)."""
    return page.evaluate("""() => {
        const w = window.innerWidth, out = [];
        const clipped = el => {  // inside a box that scrolls on its own (absolute boxes escape)
            if (getComputedStyle(el).position === "absolute") return false;
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                if (getComputedStyle(p).overflowX !== "visible"
                    && p.getBoundingClientRect().right <= w + 1) return true;
            }
            return false;
        };
        for (const el of document.querySelectorAll("body *")) {
            if (el.getBoundingClientRect().right <= w + 1) continue;
            if (out.some(o => o.contains(el)) || clipped(el)) continue;
            out.push(el);
        }
        return out.slice(0, 5).map(el => el.tagName.toLowerCase()
            + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className) : ""));
    }""")


def pieters_budgets(start: dt.date) -> tuple:
    """The demo's Pieter Bakker, the consulent of his gemeente and his budgets running on or
    after `start` (in the caller's app context): what a journey needs to give Pieter an
    agreement of its own with approved_agreement."""
    from sqlalchemy import select

    from portal.access.service import find_user_by_email
    from portal.budgets.models import Grant, Member
    from portal.demo.seed import CONSULENT_AMERSFOORT, PIETER
    from portal.extensions import db

    pieter = find_user_by_email(PIETER.email)
    consulent = find_user_by_email(CONSULENT_AMERSFOORT.email)
    grants = db.session.scalars(
        select(Grant).join(Member, Member.id == Grant.member_id)
        .where(Member.household_id == pieter.household_id, Grant.period_end >= start)
        .order_by(Grant.period_start)).all()
    return pieter, consulent, grants


def approved_agreement(holder, provider_user, consulent, *, provider_id: int, grants,
                       care_kind, tariff_cents: int, weekly_quantity: int, starts_on: dt.date,
                       on: dt.date, model: str = "opdracht"):
    """An agreement for self-employed care (opdracht, or `model`) with the provider, from
    `starts_on` with no
    end, one line per grant (care_kind per hour at tariff_cents, weekly_quantity minutes a week),
    drafted, signed and approved on day `on` through the services (demo.seed.sign_and_approve).
    Call it in an app context, inside a transaction; returns the agreement."""
    from portal.agreements import service as agreements
    from portal.agreements.constants import EndKind, ModelKind, Relation
    from portal.agreements.rules import LineInput
    from portal.budgets.constants import Unit
    from portal.demo.seed import sign_and_approve

    agreement = agreements.create_draft(
        holder, household_id=holder.household_id, provider_id=provider_id,
        model=ModelKind(model), relation=Relation.GEEN, starts_on=starts_on, ends_on=None,
        end_kind=EndKind.GEEN, days_per_week=0, today=on,
        lines=[LineInput(grant_id=grant.id, care_kind=care_kind, unit=Unit.UUR,
                         tariff_cents=tariff_cents, weekly_quantity=weekly_quantity)
               for grant in grants])
    sign_and_approve(agreement.versions[-1], holder, provider_user, [consulent], on)
    return agreement


def _valid_bsns() -> Iterator[str]:
    from stdnum.nl import bsn

    return (f"{n:09d}" for n in range(300_000_000, 400_000_000) if bsn.is_valid(f"{n:09d}"))


_bsns = _valid_bsns()


def household_with_agreement(key: str, household_name: str, password: str) -> dict:
    """A household of its own, made through the services (in an app context, inside a
    transaction): Wim de Graaf with Wlz budgets of last year, this year and next (so last month
    and next month always have one) from a zorgkantoor of its own; the budget holder Ria de
    Graaf; the provider Jeroen Smits (a person, with a login); and an agreement with him from 1
    January of last year, individuele begeleiding at EUR 50,00 an hour, 4 hours a week, approved
    by the zorgkantoor's consulent. E-mail addresses carry the key; every login has `password`.
    Returns the ids, the agreement's reference and the logins' e-mail addresses."""
    from portal.access.service import create_user
    from portal.agreements import service as agreements
    from portal.agreements.constants import ProviderKind
    from portal.agreements.tariffs import missing_national_maxima
    from portal.budgets import service as budgets
    from portal.budgets.constants import CareKind, FunderKind, Law, Unit
    from portal.budgets.models import Funder
    from portal.dates import today
    from portal.extensions import db

    now = today()
    funder = Funder(name=f"Zorgkantoor {key}", kind=FunderKind.ZORGKANTOOR)
    db.session.add(funder)
    db.session.flush()
    household = budgets.register_household(None, household_name)
    member = budgets.register_member(None, household.id, "Wim de Graaf", next(_bsns),
                                     dt.date(1950, 2, 3), today=now)
    grants = [budgets.register_grant(
        None, member_id=member.id, funder_id=funder.id, law=Law.WLZ.value,
        period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
        amount_cents=3_000_000, care_kinds=[CareKind.INDIVIDUELE_BEGELEIDING.value],
        decision_reference=f"WLZ-{key}-{year}") for year in range(now.year - 1, now.year + 2)]
    holder = create_user(f"ria.{key}@e2e.pgb", password, "budgethouder", "Ria de Graaf",
                         household_id=household.id)
    provider = create_provider(holder, kind=ProviderKind.PERSOON, name="Jeroen Smits",
                                          iban="NL91ABNA0417164300")
    provider_user = create_user(f"jeroen.{key}@e2e.pgb", password, "zorgverlener",
                                "Jeroen Smits", provider_id=provider.id)
    consulent = create_user(f"consulent.{key}@e2e.pgb", password, "consulent",
                            f"Consulent {key}", funder_id=funder.id)
    # The national Wlz maxima of years not built in, as the payment office enters them
    # (portal set-max-tariff); test figures: 2024's formal hourly maximum.
    for year in range(now.year - 1, now.year + 2):
        if missing_national_maxima(Law.WLZ, year):
            agreements.set_max_tariff(None, funder_id=None, law=Law.WLZ.value, year=year,
                                      unit=Unit.UUR.value, informal=False, max_cents=7700,
                                      today=now)
    start = dt.date(now.year - 1, 1, 1)
    agreement = approved_agreement(
        holder, provider_user, consulent, provider_id=provider.id, grants=grants,
        care_kind=CareKind.INDIVIDUELE_BEGELEIDING, tariff_cents=5000, weekly_quantity=240,
        starts_on=start, on=start - dt.timedelta(days=15))
    return {"household_id": household.id, "agreement_id": agreement.id,
            "reference": agreement.reference, "holder": holder.email,
            "provider": provider_user.email}


def make_demo_app(instance: Path):
    """A portal on its own SQLite file (schema from the migrations) with the demo loaded."""
    from portal import create_app
    from portal.database import transaction
    from portal.dates import today
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.migrate import upgrade

    app = create_app(config={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.sqlite3'}",
                             "RATELIMIT_ENABLED": False, "PORTAL_ARGON2_FAST": True},
                     environ={"PORTAL_INSTANCE_DIR": str(instance)})
    with app.app_context():
        upgrade()
        with transaction():
            seed_demo(today())
        db.session.remove()
    return app


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve the app on 127.0.0.1 at a free port from a daemon thread; yields the base URL."""
    from portal.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
