"""Check before you sign: the budget holder's and the provider's check page (what will be
signed, the button at the end), the final POST that signs exactly what was checked, and the
confirmation panel on the agreement's page afterwards (issue 11)."""

from __future__ import annotations

import pytest

from portal.agreements import signing
from portal.agreements.constants import VersionStatus
from tests.agreements.conftest import TODAY, text
from tests.agreements.test_views import World, settle
from tests.check_pages import checked_token

__all__ = ["World"]  # the `w` fixture builds the World of this module

pytestmark = pytest.mark.usefixtures("fixed_today")


def _provider_signed(w):
    agreement = w.shared()
    signing.provider_sign(w.provider_user, agreement.versions[0], TODAY)
    settle()
    return agreement


def test_holder_check_page_shows_what_is_signed_with_the_button_at_the_end(w, client, login):
    agreement = _provider_signed(w)
    login(w.holder)
    page = text(client.get(f"/overeenkomsten/{agreement.id}/ondertekenen"))
    assert "<h1>Controleer de overeenkomst met Piet Zorg</h1>" in page
    assert "Zorg voor Sara door Piet Zorg (Wlz)" in page  # the human title
    assert "1 februari 2026 tot en met 31 december 2026" in page
    assert "Kosten per week" in page and "€ 240,00" in page  # 4 hours x EUR 60
    assert "Budget na deze overeenkomst" in page and "Over na deze overeenkomst" in page
    funder = w.zorgkantoor.name
    assert f"gaat de overeenkomst naar {funder}" in page and "verstrekker" not in page
    button = page.index(">Ondertekenen</button>")
    assert button > page.index('id="kosten"') and button > page.index('id="zorg"')


def test_holder_signs_only_what_was_checked(w, client, login):
    agreement = _provider_signed(w)
    version = agreement.versions[0]
    login(w.holder)
    url = f"/overeenkomsten/{agreement.id}/ondertekenen"
    seen = checked_token(client.get(url))
    version.lines[0].tariff_cents = 6500  # the version changed after the check page
    settle()
    changed = client.post(url, data={"agree": "y", "gecontroleerd": seen})
    assert changed.status_code == 422
    page = text(changed)
    assert "De overeenkomst is veranderd nadat u hem controleerde" in page
    assert 'class="error-summary"' in page and "€ 65,00" in page  # shown again, as it is now
    assert version.status == VersionStatus.GEDEELD and version.signed_by_holder_at is None
    missing = client.post(url, data={"agree": "y"})
    assert missing.status_code == 422 and version.signed_by_holder_at is None

    signed = client.post(url, data={"agree": "y", "gecontroleerd": checked_token(page)})
    assert signed.status_code == 302
    assert signed.location.endswith(f"/overeenkomsten/{agreement.id}#wat-gebeurt-er-nu")
    assert version.status == VersionStatus.TER_BEOORDELING
    again = client.post(url, data={"agree": "y", "gecontroleerd": checked_token(page)})
    assert again.status_code in (302, 303)  # nothing to sign any more; never a second effect


def test_after_signing_the_page_says_what_happens_next(w, client, login):
    agreement = _provider_signed(w)
    login(w.holder)
    url = f"/overeenkomsten/{agreement.id}/ondertekenen"
    client.post(url, data={"agree": "y", "gecontroleerd": checked_token(client.get(url))})
    page = text(client.get(f"/overeenkomsten/{agreement.id}"))
    panel = page[page.index('id="wat-gebeurt-er-nu"'):]
    panel = panel[:panel.index("</section>")]
    assert f"ligt nu bij {w.zorgkantoor.name}" in panel
    assert "U krijgt een bericht" in panel and "1 februari 2026" in panel


def test_provider_checks_then_signs_exactly_that(w, client, login):
    agreement = w.shared()
    version = agreement.versions[0]
    login(w.provider_user)
    url = f"/overeenkomsten/{agreement.id}/ondertekenen-zorgverlener"
    details = {"name": "Piet Zorg", "iban": "NL20INGB0001234567"}
    check = text(client.post(url, data={**details, "action": "controleren"}))
    assert "<h1>Controleer de overeenkomst</h1>" in check
    assert "Zorg voor Sara door Piet Zorg (Wlz)" in check and "NL20INGB0001234567" in check
    assert "Budget na deze overeenkomst" not in check  # a provider never sees budgets
    assert check.index(">Ondertekenen</button>") > check.index('id="zorg"')
    assert version.signed_by_provider_at is None  # the check page writes nothing

    version.days_per_week = 3
    settle()
    changed = client.post(url, data={**details, "action": "ondertekenen", "agree": "y",
                                     "gecontroleerd": checked_token(check)})
    assert changed.status_code == 422 and "veranderd" in text(changed)
    assert version.signed_by_provider_at is None

    back = client.post(url, data={**details, "action": "aanpassen"})
    assert back.status_code == 200 and 'name="iban"' in text(back) and "Verder naar" in text(back)

    signed = client.post(url, data={**details, "action": "ondertekenen", "agree": "y",
                                    "gecontroleerd": checked_token(changed)})
    assert signed.status_code == 302 and signed.location.endswith("#wat-gebeurt-er-nu")
    assert version.signed_by_provider_at is not None and version.iban == "NL20INGB0001234567"
    page = text(client.get(f"/overeenkomsten/{agreement.id}"))
    panel = page[page.index('id="wat-gebeurt-er-nu"'):]
    assert "controleert" in panel[:panel.index("</section>")]
    assert w.zorgkantoor.name in panel[:panel.index("</section>")]


def test_a_view_only_helper_gets_no_check_page_and_no_button(w, client, login):
    agreement = _provider_signed(w)
    login(w.viewer)
    assert client.get(f"/overeenkomsten/{agreement.id}/ondertekenen").status_code == 404
    page = text(client.get(f"/overeenkomsten/{agreement.id}"))
    assert "ondertekenen" not in page.lower().replace("op papier te ondertekenen", "")
