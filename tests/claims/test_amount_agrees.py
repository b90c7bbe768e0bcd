"""Figures that agree (issue 11): one claim's amount - the stored Claim.total_cents, below
zero for a claim-back - on the budget holder's pages (start page, the sheet's page), the
provider's pages (start page, upcoming payments) and the claim specification PDF comes from
one function, claims.rules.claim_amount_cents."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.claims import rules as claim_rules
from portal.claims.constants import ClaimStatus
from tests import factories as f
from tests.paper.conftest import pdf_text
from tests.paper.test_claim_spec import paid_sheet_and_claim_back
from tests.payments.builders import make_approved_claim


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


@pytest.fixture
def claims(db, today_is):
    """A paid sheet, its claim-back of one hour (EUR 60,00), and a sheet of the next month
    waiting for the holder's akkoord (two hours, EUR 120,00)."""
    today_is(dt.date(2026, 5, 20))
    grant = f.make_grant(amount_cents=1_000_000, period_start=dt.date(2026, 1, 1),
                         period_end=dt.date(2026, 12, 31))
    agreement, _sheet, claim_back = paid_sheet_and_claim_back(db, grant)
    waiting = make_approved_claim(agreement, dt.date(2026, 4, 1), minutes=[120],
                                  status=ClaimStatus.WACHT_OP_AKKOORD)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    provider = f.make_user(Role.ZORGVERLENER, provider_id=agreement.provider_id)
    return agreement, claim_back, waiting, holder, provider


def _pages(client, login, claims) -> dict[str, str]:
    agreement, claim_back, waiting, holder, provider = claims
    login(holder)
    pages = {
        "holder start": client.get(f"/huishoudens/{agreement.household_id}/budget"),
        "holder claim-back": client.get(f"/urenbriefjes/{claim_back.id}"),
        "holder sheet": client.get(f"/urenbriefjes/{waiting.id}"),
        "holder spec": client.get(f"/papier/specificatie/{claim_back.id}.pdf"),
    }
    login(provider)
    pages["provider start"] = client.get("/zorgverlener")
    pages["provider spec"] = client.get(f"/papier/specificatie/{claim_back.id}.pdf")
    shown = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = (pdf_text(response.data) if response.mimetype == "application/pdf"
                else response.get_data(as_text=True))
        shown[name] = plain(text).replace(" ", "")
    return shown


def test_a_claims_amount_is_the_same_on_every_page_and_paper(client, login, claims):
    shown = _pages(client, login, claims)
    for name in ("holder claim-back", "holder spec", "provider start", "provider spec"):
        assert "-60,00" in shown[name] or "−60,00" in shown[name], name
    for name in ("holder start", "holder sheet", "provider start"):
        assert "120,00" in shown[name], name


def test_every_page_and_paper_takes_the_amount_from_one_function(client, login, claims,
                                                                 monkeypatch):
    monkeypatch.setattr(claim_rules, "claim_amount_cents", lambda kind, total: 12_345_678)
    shown = _pages(client, login, claims)
    for name, text in shown.items():
        assert "123.456,78" in text, name
