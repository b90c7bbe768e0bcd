"""`make screenshots`: a full-page screenshot of every page of each demo role, 1280 and 320 px
wide, into screenshots/ (gitignored), so a reviewer can look at every page in a minute.

Reuses the journeys' helpers: the demo portal on its own SQLite file, served from a thread, and
Debian's Chromium. The pages of a role are the ones its menus link to (the task menu, the
account menu and the footer), plus the pages those link to one step further that stay inside
the portal (no downloads, no logout), at most MAX_PAGES per role.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from e2e.helpers import fresh_totp_code, make_demo_app, serving

WIDTHS = (1280, 320)
MAX_PAGES = 40
SKIP = re.compile(r"\.(pdf|xml|csv|json)$|/uitloggen|/api/|^mailto:|^tel:")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "start"


def log_in(page, base: str, login) -> None:
    from portal.demo.seed import DEMO_PASSWORD

    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(login.email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    if login.totp_secret:
        page.get_by_label("Code uit uw app").fill(fresh_totp_code(login.totp_secret, base))
        page.get_by_label("Code uit uw app").press("Enter")
    page.wait_for_load_state()


def links_on(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs
            if h and h.startswith("/") and not SKIP.search(h) and not h.startswith("/static/")]


def shoot(page, base: str, path: str, folder: Path, index: int) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + path)
        page.screenshot(path=str(folder / f"{index:02d}-{slug(path)}-{width}.png"),
                        full_page=True)


def pages_of(page, base: str) -> list[str]:
    page.set_viewport_size({"width": 1280, "height": 900})
    first = page.url.removeprefix(base)
    found = [first]
    for href in links_on(page, base):
        if href not in found:
            found.append(href)
    for href in list(found):
        if len(found) >= MAX_PAGES:
            break
        page.goto(base + href)
        for deeper in links_on(page, base):
            if deeper not in found and len(found) < MAX_PAGES:
                found.append(deeper)
    return found[:MAX_PAGES]


def run(out: Path) -> None:
    import logging

    from playwright.sync_api import sync_playwright

    from portal.demo.seed import DEMO_LOGINS

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("XDG_CONFIG_HOME", tmp)
        os.environ.setdefault("XDG_CACHE_HOME", tmp)
        app = make_demo_app(Path(tmp))
        with serving(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            anonymous = out / "0-niet-ingelogd"
            anonymous.mkdir(exist_ok=True)
            for index, path in enumerate(["/inloggen", "/wachtwoord-vergeten", "/privacy",
                                          "/toegankelijkheid", "/contact", "/bestaat-niet"]):
                shoot(page, base, path, anonymous, index)
            context.close()
            for number, login in enumerate(DEMO_LOGINS, start=1):
                context = browser.new_context()
                page = context.new_page()
                log_in(page, base, login)
                folder = out / f"{number}-{slug(login.name)}"
                folder.mkdir(exist_ok=True)
                for index, path in enumerate(pages_of(page, base)):
                    shoot(page, base, path, folder, index)
                print(f"{login.name}: {len(list(folder.glob('*.png')))} schermafdrukken")
                context.close()
            browser.close()
    print(f"Schermafdrukken in {out}/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="screenshots")
    parser.add_argument("--only", help="alleen demo-personen van wie de naam dit bevat")
    args = parser.parse_args()
    if args.only:
        from portal.demo import seed

        seed.DEMO_LOGINS[:] = [d for d in seed.DEMO_LOGINS if args.only.lower() in d.name.lower()]
    run(Path(args.out))


if __name__ == "__main__":
    main()
