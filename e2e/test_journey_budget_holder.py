"""Issue 3's journey of a budget holder, from start to paid, in a real Chromium on the demo.

Anna (the demo budget holder) logs in and sees her seeded figures; makes an agreement with a
new provider (Opa Jansen, for Daan's Jeugdwet budget) through the wizard; signs on paper (a
renamed .exe is refused next to the file field, a signed PDF is accepted); the consulent of
Gemeente Utrecht approves it (two-step login); Opa Jansen prepares last month's hour sheet (a day
in the future is refused next to its cell first); Anna approves it and it shows as in progress;
`portal run-payments` pays it; it shows as paid and Daan's "Uitbetaald" moved by exactly the
sheet's amount. Every figure read from the page is checked against household_usage, and every
page visited gets an axe check. Fields are filled and buttons reached with the keyboard
(Tab, Enter) where that is how a keyboard user would do it.

The journey runs on a portal and database of its own (the `demo_server` fixture). Before it
starts, the payment office pays what the demo left approved or submitted (as it would have done
on any other day), so that the journey's payment run pays only the journey's sheet.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, cents, euro, log_in, log_out, pdf_file, press, tab_to
from e2e.helpers import hour_cell as cell

pytestmark = pytest.mark.e2e

PROVIDER_NAME = "Opa Jansen"
PROVIDER_EMAIL = "opa.jansen@e2e.pgb"
PROVIDER_PASSWORD = "e2e-opa-wachtwoord-1"
TARIFF_CENTS = 2400


@pytest.fixture(scope="module")
def world(demo_server):
    """The demo on its own portal, after the payment office's run of today."""
    from portal.access.service import find_user_by_email
    from portal.database import transaction
    from portal.dates import today
    from portal.demo.seed import ANNA
    from portal.payments.service import execute_run

    base, app = demo_server
    with app.app_context():
        with transaction():
            execute_run(None, today())
        household_id = find_user_by_email(ANNA.email).household_id
    return {"base": base, "app": app, "household_id": household_id}


def usage_row(app, household_id: int, member: str, law: str):
    from portal.dates import today
    from portal.overview.service import household_usage

    with app.app_context():
        day = today()
        usage = household_usage(household_id, day)
    # the budget running today (next year's, once granted, is shown too)
    rows = [r for r in usage.rows if r.member_name == member and r.law_label == law
            and r.period_start <= day <= r.period_end]
    assert len(rows) == 1, rows
    return usage, rows[0].usage


def figures_on_page(page: Page, member: str, law: str) -> dict[str, int]:
    """The row of one budget in the overview table on Mijn budget, read as cents."""
    table = page.get_by_role("table", name="Uw budgetten per gezinslid en per wet, en het totaal")
    # the budget running today: its row names no other period ("budget 2027" and the like)
    row = table.get_by_role("row", name=re.compile(rf"^{member}, {law} €"))
    values = [cents(t) for t in row.get_by_role("cell").all_inner_texts()]
    return dict(zip(("granted", "paid", "in_progress", "available", "committed"), values,
                    strict=True))


def open_start_page(page: Page, base: str, household_id: int) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn budget").click()
    expect(page).to_have_url(f"{base}/huishoudens/{household_id}/budget")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn budget")


def save_and_next(page: Page) -> None:
    press(page, page.get_by_role("button", name="Opslaan en verder"))


def provider_login(app, agreement_id: int) -> str:
    """The new provider has no login yet (the budget holder registered them); the payment
    office would make one. Here the test does, through the access service."""
    from portal.access.service import create_user
    from portal.agreements.models import Agreement
    from portal.database import transaction
    from portal.extensions import db

    with app.app_context(), transaction():
        agreement = db.session.get(Agreement, agreement_id)
        create_user(PROVIDER_EMAIL, PROVIDER_PASSWORD, "zorgverlener", PROVIDER_NAME,
                    provider_id=agreement.provider_id)
        return agreement.reference


def test_budget_holder_journey_from_agreement_to_payment(page: Page, world, tmp_path):
    from portal.dates import add_months, first_of_month, format_day, format_month, today
    from portal.demo.seed import ANNA, CONSULENT_UTRECHT, DEMO_PASSWORD

    base, app, household_id = world["base"], world["app"], world["household_id"]
    now = today()
    last_month = first_of_month(add_months(now, -1))
    next_month = first_of_month(add_months(now, 1))
    member, law = "Daan Jansen", "Jeugdwet"

    # 1. Anna logs in (Enter in the password field) and sees her seeded figures.
    log_in(page, base, ANNA.email, DEMO_PASSWORD)
    expect(page).to_have_url(f"{base}/huishoudens/{household_id}/budget")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn budget")
    usage, _ = usage_row(app, household_id, member, law)
    running = [r for r in usage.rows if r.period_start <= now <= r.period_end]
    assert len(running) == 4
    for row in running:
        u = row.usage
        assert figures_on_page(page, row.member_name, row.law_label) == {
            "granted": u.granted_cents, "paid": u.paid_cents, "in_progress": u.in_progress_cents,
            "available": u.available_cents, "committed": u.committed_cents}
    total = page.get_by_role("row", name=re.compile(r"^Totaal"))
    expect(total).to_contain_text(euro(usage.total.available_cents))
    assert_accessible(page)
    before = figures_on_page(page, member, law)

    # 2. The wizard: the family model, then a new provider.
    press(page, page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Zorgovereenkomsten"))
    expect(page.get_by_role("heading", level=1, name="Zorgovereenkomsten")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Nieuwe zorgovereenkomst maken"))
    expect(page.get_by_role("radio", name="Zorgovereenkomst met familie of partner")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Zorgovereenkomst met familie of partner").check()
    press(page, page.get_by_role("button", name="Verder"))

    expect(page.get_by_role("heading", name="Stap 2: de zorgverlener")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Naam van de zorgverlener").fill(PROVIDER_NAME)
    page.get_by_label("IBAN (rekeningnummer van de zorgverlener)").fill("NL91ABNA0417164300")
    page.get_by_label("E-mailadres van de zorgverlener (niet verplicht)").fill(PROVIDER_EMAIL)
    page.get_by_label("Wat is de zorgverlener van degene die de zorg krijgt?").select_option(
        label="Grootouder")
    save_and_next(page)

    # The draft is saved from here on. The care began last month: the period first, so that
    # the budgets step offers the budget of last month's year.
    expect(page.get_by_role("heading", name="Voor wie en uit welk budget")).to_be_visible()
    assert_accessible(page)
    agreement_id = int(re.search(r"/overeenkomsten/(\d+)/", page.url).group(1))
    steps = page.get_by_role("navigation", name="Stappen van de overeenkomst")
    press(page, steps.get_by_role("link", name="Periode"))
    expect(page.get_by_role("heading", name="De periode")).to_be_visible()
    assert_accessible(page)
    starts = page.get_by_role("group", name="Eerste dag van de zorg")  # dag, maand, jaar
    starts.get_by_label("Dag").fill(str(last_month.day))
    starts.get_by_label("Maand").fill(str(last_month.month))
    starts.get_by_label("Jaar").fill(str(last_month.year))
    page.get_by_role("radio", name="Zonder einddatum").check()
    save_and_next(page)

    press(page, page.get_by_role("navigation", name="Stappen van de overeenkomst")
          .get_by_role("link", name="Budgetten"))
    expect(page.get_by_role("heading", name="Voor wie en uit welk budget")).to_be_visible()
    # Last month's budget: one choice, also when the agreement (without an end date) runs into
    # another year in December and January; its dates draw on the grants of both years.
    budget = page.get_by_role("checkbox", name=re.compile(rf"^{member} - {law} "))
    expect(budget).to_have_count(1)
    budget.check()
    save_and_next(page)

    # One row per budget and kind of care; it holds for every year the agreement covers.
    expect(page.get_by_role("heading", name="Soorten zorg en tarieven")).to_be_visible()
    assert_accessible(page)
    group = page.get_by_role("group", name=re.compile(rf"^{member} - {law} "))
    group.get_by_role("checkbox", name="Individuele begeleiding").check()
    group.get_by_label("Tarief voor individuele begeleiding in euro").fill("24,00")
    save_and_next(page)

    expect(page.get_by_role("heading", name="Uren per week")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(rf"^Individuele begeleiding voor {member} ")).fill("3:00")
    save_and_next(page)
    expect(page.get_by_role("heading", name="De periode")).to_be_visible()
    expect(page.get_by_role("group", name="Eerste dag van de zorg").get_by_label("Jaar")
           ).not_to_have_value("")
    save_and_next(page)

    # The check step: what it costs next to what is available.
    expect(page.get_by_role("table", name=re.compile("Wat de overeenkomst kost"))).to_contain_text(
        member)
    assert_accessible(page)

    # 3. The paper route: the signed scan. A renamed Windows program is refused next to the field.
    press(page, page.get_by_role("link", name=re.compile("Upload de scan")))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    fake = tmp_path / "overeenkomst.pdf"
    fake.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 500)
    file_input = page.get_by_label(re.compile("De ondertekende overeenkomst"))
    file_input.set_input_files(str(fake))
    press(page, page.get_by_role("button", name="Uploaden"))
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#file-error")).to_contain_text("Dit bestand is geen PDF")
    expect(page.get_by_role("alert")).to_contain_text("Dit bestand is geen PDF")
    assert_accessible(page)
    file_input.set_input_files(pdf_file(tmp_path / "getekend.pdf"))
    press(page, page.get_by_role("button", name="Uploaden"))
    expect(page.get_by_text("De ondertekende overeenkomst is ontvangen")).to_be_visible()
    expect(page.get_by_text("Wacht op beoordeling").first).to_be_visible()
    assert_accessible(page)
    agreement_url = f"{base}/overeenkomsten/{agreement_id}"
    assert page.url == agreement_url
    log_out(page)

    # 4. The consulent of Gemeente Utrecht (two steps) approves it.
    reference = provider_login(app, agreement_id)
    log_in(page, base, CONSULENT_UTRECHT.email, DEMO_PASSWORD, CONSULENT_UTRECHT.totp_secret)
    expect(page.get_by_role("heading", level=1, name="Te beoordelen")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name=reference, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Zorgovereenkomst {reference} beoordelen")
    expect(page.get_by_text("Op papier (ondertekende PDF geüpload)")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Goedkeuren"))
    # The check page sums up the decision; the confirm button at the end.
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw besluit: goedkeuren")
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Goedkeuren bevestigen"))
    expect(page.get_by_role("status").filter(has_text=reference)).to_be_visible()
    expect(page.get_by_role("region", name="Wat gebeurt er nu?")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Terug naar te beoordelen"))
    expect(page.get_by_role("link", name=reference, exact=True)).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # 5. Opa Jansen prepares the hour sheets. First next month, by its address: not begun, so
    # refused with the reason, before any grid to fill in.
    log_in(page, base, PROVIDER_EMAIL, PROVIDER_PASSWORD)
    assert_accessible(page)
    page.goto(f"{base}/overeenkomsten/{agreement_id}/urenbriefje/{next_month:%Y-%m}")
    expect(page.get_by_role("heading", name=re.compile("^U kunt geen urenbriefje over"))
           ).to_be_visible()
    expect(page.get_by_text("is nog niet begonnen")).to_be_visible()
    expect(page.locator("#urenbriefje")).to_have_count(0)
    assert_accessible(page)

    # Then last month, chosen on the provider's start screen.
    press(page, page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Urenbriefje invullen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Urenbriefje invullen")
    assert_accessible(page)
    page.get_by_label("Zorgovereenkomst").select_option(label=f"Anna Jansen ({reference})")
    page.get_by_label("Maand").select_option(value=f"{last_month:%Y-%m}")
    press(page, page.get_by_role("button", name="Urenbriefje invullen"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Urenbriefje {format_month(last_month)}")
    assert_accessible(page)
    first_visit = cell(page, last_month.replace(day=6))
    first_visit.focus()
    page.keyboard.type("1:30")
    page.keyboard.press("Tab")
    cell(page, last_month.replace(day=13)).fill("1:30")
    press(page, page.get_by_role("button", name="Klaarzetten voor de budgethouder"))
    expect(page.get_by_text("staat klaar voor de budgethouder")).to_be_visible()
    expect(page.get_by_text("Wacht op akkoord").first).to_be_visible()
    assert_accessible(page)
    sheet_url = page.url
    sheet_cents = cents(page.locator(".facts dt:text-is('Totaal') + dd").inner_text())
    assert sheet_cents == 3 * TARIFF_CENTS  # 2 x 1:30 at EUR 24,00
    log_out(page)

    # 6. Anna approves it; it shows as in progress.
    log_in(page, base, ANNA.email, DEMO_PASSWORD)
    expect(page.get_by_text(re.compile(r"wacht op uw akkoord")).first).to_be_visible()
    press(page, page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Urenbriefjes"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Urenbriefjes")
    assert_accessible(page)
    waiting = page.get_by_role("region", name="Wacht op uw akkoord")
    press(page, waiting.get_by_role(
        "link", name=f"Urenbriefje {format_month(last_month)} van {PROVIDER_NAME}"))
    press(page, page.get_by_role("link", name="Controleren en akkoord geven"))
    expect(page.get_by_role("heading", level=1, name=re.compile("^Controleer het urenbriefje"))
           ).to_be_visible()
    expect(page.get_by_role("heading", name="Budget over na dit urenbriefje")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Akkoord en indienen"))
    expect(page.get_by_role("heading", name="Wat gebeurt er nu?")).to_be_visible()
    expect(page.get_by_text("U heeft akkoord gegeven")).to_be_visible()
    expect(page.locator(".facts .tag")).to_have_text("Ingediend")
    assert_accessible(page)

    open_start_page(page, base, household_id)
    in_progress = figures_on_page(page, member, law)
    assert in_progress["paid"] == before["paid"]
    assert in_progress["in_progress"] == before["in_progress"] + sheet_cents
    assert in_progress["available"] == before["available"] - sheet_cents
    _, u = usage_row(app, household_id, member, law)
    assert (u.paid_cents, u.in_progress_cents) == (in_progress["paid"], in_progress["in_progress"])
    assert_accessible(page)

    # 7. The payment run, as `portal run-payments` starts it.
    result = app.test_cli_runner().invoke(args=["run-payments"])
    assert result.exit_code == 0, result.output
    assert "betaalronde PGB-" in result.output

    # 8. Paid: the sheet says so, and "Uitbetaald" moved by exactly the sheet's amount.
    page.goto(sheet_url)
    expect(page.locator(".facts .tag")).to_have_text("Uitbetaald")
    expect(page.locator(".facts dt:text-is('Betaald op') + dd")).to_have_text(format_day(now))
    assert_accessible(page)
    open_start_page(page, base, household_id)
    after = figures_on_page(page, member, law)
    assert after["paid"] - before["paid"] == sheet_cents
    assert after["in_progress"] == before["in_progress"]
    assert after["available"] == before["available"] - sheet_cents
    assert after["granted"] == before["granted"]
    _, u = usage_row(app, household_id, member, law)
    assert (u.paid_cents, u.in_progress_cents, u.available_cents) == (
        after["paid"], after["in_progress"], after["available"])
    assert_accessible(page)

    # Betalingen: the payment to Opa Jansen for last month, with its reference.
    press(page, page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Betalingen"))
    paid_to = page.get_by_role("table", name=re.compile(rf"^Betaald aan {PROVIDER_NAME}"))
    expect(paid_to).to_contain_text(euro(sheet_cents))
    expect(paid_to).to_contain_text(re.compile(r"PGB-\d{8}-\d{4}-\d{3}"))
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Uitloggen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/inloggen$"))
