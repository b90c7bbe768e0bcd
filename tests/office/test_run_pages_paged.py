"""The office's run pages show a page of transfers, never the whole run."""

import datetime as dt
import re

import pytest

from portal.access.constants import Role
from portal.payments.service import PREVIEW_PAGE_SIZE, RUN_PAGE_SIZE, execute_run
from tests import factories as f
from tests.payments.builders import make_approved_claim

MARCH = dt.date(2026, 3, 1)
PROVIDERS = max(PREVIEW_PAGE_SIZE, RUN_PAGE_SIZE) + 3


@pytest.fixture
def many_providers(db):
    grant = f.make_grant(amount_cents=10_000_000)
    for _ in range(PROVIDERS):
        make_approved_claim(f.make_agreement(grant), MARCH)
    return f.make_user(Role.BEHEERDER)


def rows(html: str, table_id: str) -> int:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", body))


def test_the_preview_shows_a_page_of_transfers_with_the_whole_total(client, login, db,
                                                                     many_providers):
    login(many_providers)
    html = client.get("/betaalkantoor/betaalrondes").get_data(as_text=True)
    assert rows(html, "volgende-ronde") == PREVIEW_PAGE_SIZE
    assert f"{PROVIDERS} overboekingen voor {PROVIDERS} urenbriefjes" in html
    assert 'rel="next"' in html and "pagina=2" in html
    html = client.get("/betaalkantoor/betaalrondes?pagina=2").get_data(as_text=True)
    assert rows(html, "volgende-ronde") == PROVIDERS - PREVIEW_PAGE_SIZE
    assert 'rel="prev"' in html


def test_an_executed_run_shows_a_page_of_its_payments(client, login, db, many_providers):
    run = execute_run(many_providers, dt.date(2026, 4, 10)).run
    login(many_providers)
    html = client.get(f"/betaalkantoor/betaalrondes/{run.id}").get_data(as_text=True)
    assert rows(html, "betalingen") == RUN_PAGE_SIZE
    assert f"{PROVIDERS} ({PROVIDERS} urenbriefjes)" in html
    html = client.get(f"/betaalkantoor/betaalrondes/{run.id}?pagina=2").get_data(as_text=True)
    assert rows(html, "betalingen") == PROVIDERS - RUN_PAGE_SIZE


def test_the_sheets_to_check_are_paged_per_list(client, login, db):
    from portal.claims.constants import ClaimStatus
    from portal.office.service import HANDLE_PAGE_SIZE

    grant = f.make_grant(amount_cents=10_000_000)
    for _ in range(HANDLE_PAGE_SIZE + 2):
        make_approved_claim(f.make_agreement(grant), MARCH, status=ClaimStatus.INGEDIEND)
    make_approved_claim(f.make_agreement(grant), MARCH, status=ClaimStatus.OPGESCHORT)
    login(f.make_user(Role.BEHEERDER))
    html = client.get("/betaalkantoor/urenbriefjes").get_data(as_text=True)
    assert rows(html, "tabel-ingediend") == HANDLE_PAGE_SIZE
    assert rows(html, "tabel-opgeschort") == 1
    assert "status=ingediend" in html and 'rel="next"' in html
    html = client.get("/betaalkantoor/urenbriefjes?status=ingediend&pagina=2").get_data(
        as_text=True)
    assert rows(html, "tabel-ingediend") == 2
    assert rows(html, "tabel-opgeschort") == 1
