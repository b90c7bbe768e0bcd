"""Every stylesheet, script and image a page links to under /static is in the repository.

The NL Design System CSS is vendored (static/vendor/nlds, `make vendor-nlds`); once it was
ignored by git, so a fresh clone served the pages without it (404s) while every other test
passed. This walks the login page and a budget holder's start page and fetches each file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from portal.access.constants import Role
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
LINKED = re.compile(r'(?:href|src)="(/static/[^"?#]+)')


def static_links(html: str) -> set[str]:
    return set(LINKED.findall(html))


def test_every_static_file_a_page_links_to_is_served(client, login):
    pages = [client.get("/inloggen").get_data(as_text=True)]
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    pages.append(client.get("/", follow_redirects=True).get_data(as_text=True))
    links = set().union(*(static_links(page) for page in pages))
    assert any("vendor/nlds/" in link for link in links)  # the NL Design System is linked
    missing = []
    for link in sorted(links):
        response = client.get(link)
        if response.status_code != 200:
            missing.append(link)
        response.close()  # a file response holds the file open until closed
    assert missing == []


def test_every_static_file_a_template_names_is_tracked_by_git():
    """Served from a working copy is not enough: the file must be in a fresh clone."""
    named = set()
    for template in (ROOT / "templates").rglob("*.html"):
        named |= set(re.findall(r"url_for\('static', filename='([^']+)'\)",
                                template.read_text(encoding="utf-8")))
    assert named, "no template names a static file: the pattern is out of date"
    tracked = set(subprocess.run(["git", "ls-files", "static"], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.split())
    assert sorted(f"static/{name}" for name in named if f"static/{name}" not in tracked) == []
