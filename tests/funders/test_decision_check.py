"""Check before you decide: a consulent's approval or refusal goes through a check page (the
decision, the version, this funder's budgets and cost, the reason), is taken only by the check
page's POST on exactly the version it showed, and is followed by a panel saying what happens
next, naming the funders (issue 11)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.agreements.constants import VersionStatus
from portal.agreements.models import FunderReview
from portal.extensions import db as _db
from tests.check_pages import checked_token, decide
from tests.funders.test_review_per_funder import REASON, World, _approve


@pytest.fixture
def w(db):
    return World()


def _reviews() -> int:
    return _db.session.scalar(select(func.count()).select_from(FunderReview))


def _panel(html: str) -> str:
    panel = html[html.index('id="wat-gebeurt-er-nu"'):]
    return panel[:panel.index("</section>")]


def test_the_check_page_sums_up_the_decision_and_writes_nothing(client, login, w):
    login(w.c_gemeente)
    response = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                           data={"decision": "afkeuren", "reason": REASON})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Controleer uw besluit: afkeuren</h1>" in html
    assert "Zorg voor Sara door Thuiszorg Proef" in html  # the human title
    assert REASON in html and "versie 1" in html and "Gemeente Proefstad" in html
    assert "Individuele begeleiding" in html and "Verpleging" not in html  # own budgets only
    button = html.index("Afkeuren bevestigen</button>")
    assert button > html.index('id="kosten"') and button > html.index(REASON)
    assert f'action="/verstrekker/beoordelen/{w.version.id}/besluit"' in html
    assert _reviews() == 0 and w.version.status == VersionStatus.TER_BEOORDELING

    back = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                       data={"action": "aanpassen", "reason": REASON})
    assert back.status_code == 200 and REASON in back.get_data(as_text=True)
    assert 'value="goedkeuren"' in back.get_data(as_text=True)


def test_a_refusal_without_a_reason_never_reaches_the_check_page(client, login, w):
    login(w.c_gemeente)
    response = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                           data={"decision": "afkeuren", "reason": "nee"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="reason-error"' in html and "Controleer uw besluit" not in html


def test_the_decision_is_taken_on_exactly_the_version_checked(client, login, w):
    login(w.c_gemeente)
    check = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                        data={"decision": "goedkeuren"})
    w.version.lines[0].weekly_quantity = 240  # changed after the check page was read
    _db.session.commit()
    changed = client.post(f"/verstrekker/beoordelen/{w.version.id}/besluit",
                          data={"decision": "goedkeuren", "gecontroleerd": checked_token(check)})
    assert changed.status_code == 422
    html = changed.get_data(as_text=True)
    assert "De overeenkomst is veranderd nadat u hem controleerde" in html
    assert 'class="error-summary"' in html and _reviews() == 0
    no_token = client.post(f"/verstrekker/beoordelen/{w.version.id}/besluit",
                           data={"decision": "goedkeuren"})
    assert no_token.status_code == 422 and _reviews() == 0


def test_after_the_first_of_two_approvals_the_panel_names_who_decides_next(client, login, w):
    login(w.c_gemeente)
    done = decide(client, w.version.id, "goedkeuren")
    assert done.status_code == 302 and done.location.endswith("#wat-gebeurt-er-nu")
    panel = _panel(client.get(done.location).get_data(as_text=True))
    assert "Nu beslist nog Verzekeraar Proef" in panel
    assert "Als iedereen heeft goedgekeurd" in panel and "1 februari 2026" in panel
    assert _reviews() == 1

    check = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                        data={"decision": "goedkeuren"})  # the page has no buttons now
    assert check.status_code == 422 and "gecontroleerd" not in check.get_data(as_text=True)


def test_the_last_approval_says_the_agreement_holds_and_a_repeat_is_done(client, login, w):
    _approve(w.c_gemeente, w.version)
    _db.session.commit()
    login(w.c_verzekeraar)
    check = client.post(f"/verstrekker/beoordelen/{w.version.id}",
                        data={"decision": "goedkeuren"})
    html = check.get_data(as_text=True)
    assert "De overeenkomst is dan goedgekeurd" in html
    data = {"decision": "goedkeuren", "gecontroleerd": checked_token(check)}
    done = client.post(f"/verstrekker/beoordelen/{w.version.id}/besluit", data=data)
    assert done.status_code == 302
    _db.session.refresh(w.version)
    assert w.version.status == VersionStatus.GOEDGEKEURD
    panel = _panel(client.get(done.location).get_data(as_text=True))
    assert "goedgekeurd door iedereen die meebetaalt" in panel and "bericht" in panel
    again = client.post(f"/verstrekker/beoordelen/{w.version.id}/besluit", data=data)
    assert again.status_code == 303 and _reviews() == 2  # a repeat: nothing written again


def test_the_refusal_panel_says_the_holder_hears_the_reason(client, login, w):
    login(w.c_verzekeraar)
    done = decide(client, w.version.id, "afkeuren", REASON)
    assert done.status_code == 302
    panel = _panel(client.get(done.location).get_data(as_text=True))
    assert "De overeenkomst is afgekeurd" in panel and "met de reden" in panel


def test_an_unrelated_funder_cannot_post_a_decision(client, login, w):
    login(w.c_elders)
    response = client.post(f"/verstrekker/beoordelen/{w.version.id}/besluit",
                           data={"decision": "goedkeuren", "gecontroleerd": "x"})
    assert response.status_code == 404 and _reviews() == 0
