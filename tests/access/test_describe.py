"""The access log in plain Dutch: access.describe turns each audit event into the line the budget
holder reads - never a path, a method or a status code."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal import describe
from portal.access.constants import Role
from portal.budgets.models import Household
from portal.claims.constants import ClaimStatus
from portal.claims.rules import claim_reference
from portal.dates import add_months, first_of_month, format_month, today
from tests import factories as f
from tests.payments.builders import make_approved_claim

RAW = re.compile(r"->|\b(GET|POST)\b|/\w|\b[a-z]+_[a-z_]+\b")  # what the page must never show


def claim_event(step, frm, to, reference="UB-202610-000001", reason=None):
    detail = {"reference": reference, "from": frm, "to": to, **({"reason": reason} if reason else {})}
    return describe.describe_event(f"claim.{step}", "claim",
                                   f"Urenbriefje {reference}: {frm or '-'} -> {to}", detail)


def test_a_look_names_what_was_seen():
    what = describe.sheet(dt.date(2026, 10, 1), "Marieke de Boer")
    assert what == "urenbriefje oktober 2026 van Marieke de Boer"
    assert describe.describe_event("view", "claim", what) == (
        "Bekeek urenbriefje oktober 2026 van Marieke de Boer")
    assert describe.describe_event("view", "agreement", describe.agreement(
        "ZO-2026-000001", "Marieke de Boer")) == "Bekeek zorgovereenkomst ZO-2026-000001 met Marieke de Boer"
    assert describe.describe_event("act", "page", describe.page("Werken op papier")) == (
        "Deed iets op de pagina 'Werken op papier'")
    assert describe.describe_event("document_viewed", "claim", describe.document(
        "urenbriefje UB-202610-000001")) == "Bekeek de PDF van urenbriefje UB-202610-000001"


def test_a_page_is_named_by_its_menu_name_for_a_look_and_for_an_old_path():
    assert describe.page_for_endpoint("paper.settings") == "de pagina 'Werken op papier'"
    assert describe.page_for_endpoint("overview.household") == "de pagina 'Mijn budget'"
    assert describe.page_for_endpoint("claims.start") == "een pagina van uw dossier"  # no menu
    assert describe.page_for_endpoint(None) == "een pagina van uw dossier"  # no route at all


def test_older_events_with_a_path_or_a_pdf_reference_read_as_words_too():
    assert describe.describe_event("view", "page", "GET /huishoudens/3/budget",
                                   page_name=lambda path: "de pagina 'Mijn budget'") == (
        "Bekeek de pagina 'Mijn budget'")
    assert describe.describe_event("act", "page", "POST /huishoudens/3/papier") == (
        "Deed iets op een pagina van uw dossier")
    assert describe.describe_event("document_viewed", "agreement", "PDF bekeken: ZO-2026-000001") == (
        "Bekeek de PDF van ZO-2026-000001")


def test_a_status_change_says_what_was_done_with_the_dutch_status_label():
    assert claim_event("office_approve", "ingediend", "goedgekeurd") == (
        "Keurde urenbriefje oktober 2026 (UB-202610-000001) goed")
    assert claim_event("prepare", None, "wacht_op_akkoord") == (
        "Maakte urenbriefje oktober 2026 (UB-202610-000001). Status nu: "
        f"{ClaimStatus.WACHT_OP_AKKOORD.label}")
    assert claim_event("office_refuse", "opgeschort", "afgekeurd",
                       reason="Twee dagen vallen buiten de overeenkomst.") == (
        "Keurde urenbriefje oktober 2026 (UB-202610-000001) af. Reden: Twee dagen vallen buiten "
        "de overeenkomst.")
    assert claim_event("submit", "wacht_op_akkoord", "ingediend") == (
        "Gaf akkoord op urenbriefje oktober 2026 (UB-202610-000001) en diende het in")


@pytest.mark.parametrize("frm, to", [(None, s.value) for s in ClaimStatus]
                         + [(a.value, b.value) for a in ClaimStatus for b in ClaimStatus])
@pytest.mark.parametrize("step", [*describe.CLAIM_ACTIONS, "a_future_step"])
def test_no_claim_event_shows_a_code(step, frm, to):
    text = claim_event(step, frm, to)
    assert not RAW.search(text), text
    if step == "a_future_step":  # a step this page does not know yet: the new status in words
        assert text.endswith(f"Status nu: {ClaimStatus(to).label}")


def test_other_events_keep_the_services_own_dutch_summary():
    assert describe.describe_event("authorization_granted", "authorization",
                                   "Machtiging gegeven aan Kees") == "Machtiging gegeven aan Kees"
    assert describe.describe_event("claim.approve", "claim", "Goedgekeurd") == "Goedgekeurd"
    assert describe.status_label("opgeschort") == ClaimStatus.OPGESCHORT.label
    assert describe.status_label("onbekend") == "onbekend"


def test_the_log_page_reads_a_providers_look_and_an_office_decision_in_words(client, db, login):
    """Through the real pages: the provider opens a sheet, the office refuses it; the budget
    holder's log names both without codes."""
    from portal.claims.service import office_refuse

    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    household_id = holder.household_id
    household = db.session.get(Household, household_id)
    month = first_of_month(add_months(today(), -1))
    grant = f.make_grant(f.make_member(household), year=month.year)
    provider = f.make_provider(name="Marieke de Boer")
    agreement = f.make_agreement(grant, provider, household=household)
    claim = make_approved_claim(agreement, month, status=ClaimStatus.INGEDIEND)
    claim.reference = claim_reference(agreement.id, month)  # the builder's is shorter
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=provider.id, name="Marieke de Boer")
    office = f.make_user(Role.BEHEERDER, name="Sandra Mulder")

    login(provider_user)
    assert client.get(f"/urenbriefjes/{claim.id}").status_code == 200
    office_refuse(office, claim, "Twee dagen vallen buiten de overeenkomst.", today())
    db.session.flush()
    login(holder)
    html = client.get(f"/huishoudens/{household_id}/inzage").get_data(as_text=True)

    label = describe.sheet(month, "Marieke de Boer")
    assert f"Bekeek {label}" in html
    assert "Marieke de Boer (zorgverlener)" in html
    assert f"Keurde urenbriefje {format_month(month)} ({claim.reference}) af" in html
    assert "-&gt;" not in html and "GET /" not in html and "ingediend" not in html
