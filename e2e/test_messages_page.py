"""Berichten in a real Chromium: the budget holder's messages grouped by day, each with the
agreement's human title and who sent it; then the opt-in e-mail turned on. An axe check on each
page, and the inbox fits a 320 px wide screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, fits_narrow_screen, log_in

pytestmark = pytest.mark.e2e


def test_messages_by_day_with_title_and_the_mail_setting(page: Page, live_server, make_household):
    world = make_household("berichten")
    log_in(page, live_server, world["holder"], world["password"])
    page.get_by_role("link", name=re.compile(r"^Berichten")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")
    expect(page.get_by_role("heading", level=2, name="Vandaag")).to_be_visible()
    today = page.get_by_role("list", name="Vandaag")
    expect(today.get_by_role("listitem").filter(
        has_text=re.compile(r"Zorg voor Wim .*door Jeroen Smits")).first).to_be_visible()
    expect(today.get_by_role("listitem").filter(has_text="Nieuw").first).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    assert fits_narrow_screen(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("link", name=re.compile("e-mail als er iets op u wacht")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail bij nieuwe berichten")
    box = page.get_by_role("checkbox", name="Stuur mij een e-mail als er iets op mij wacht")
    expect(box).not_to_be_checked()
    assert_accessible(page)
    box.check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("U krijgt een e-mail als er iets op u wacht.")).to_be_visible()
    expect(box).to_be_checked()
    assert_accessible(page)
