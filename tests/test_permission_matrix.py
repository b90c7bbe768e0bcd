"""Every route of the portal x every kind of user -> the expected answer.

The table below has one row per (endpoint, method) of app.url_map. A route that is not in
the table fails `test_every_route_is_in_the_table`: a new route forces a decision about who
may use it. Each role then requests every row of the table with objects of household A (its
agreement, provider, funder, sheets, payments) and must get exactly the expected answer:

    200 / 302 / 400 / 422  the page or the action (an empty POST: the form's own answer)
    LOGIN                  302 to the login page (not logged in)
    403                    may see the household but not act on it (view-only authorisation)
    404                    not yours: an object that exists but is not yours says nothing

POST rows send an empty form: they test who gets past the permission check, not the action.
Adding a route = adding one row (`row(...)`) below.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from portal.access.constants import Role, Scope
from portal.agreements.constants import VersionStatus
from portal.budgets.constants import FunderKind, Law
from portal.budgets.models import Household
from portal.claims.constants import ClaimStatus
from portal.dates import add_months, first_of_month, now, today
from tests import factories as f

LOGIN = "login"

ROLES = ["anon", "holder_a", "holder_b", "provider", "rep_active", "rep_expired", "rep_revoked",
         "advisor", "consulent_a", "consulent_other", "office"]
LOGGED_IN = set(ROLES) - {"anon"}
VIEWERS = {"holder_a", "rep_active", "advisor"}   # may see household A's file
ACTORS = {"holder_a", "rep_active"}               # may act on it


@dataclass(frozen=True)
class Row:
    path: str
    method: str
    expect: dict[str, object] = field(default_factory=dict)


def answers(ok, status=200, *, others=404, anon=LOGIN, **special) -> dict[str, object]:
    """`ok` roles get `status`, anonymous gets `anon`, everyone else `others`; `special`
    overrides single roles (e.g. advisor=403)."""
    result = {role: (status if role in ok else others) for role in ROLES}
    result["anon"] = anon
    result.update(special)
    return result


def row(path, method="GET", **kw) -> Row:
    return Row(path, method, answers(**kw))


def view_only_403(ok=ACTORS, status=200):
    """Household pages that act: the view-only advisor sees the household, so 403, not 404."""
    return dict(ok=ok, status=status, advisor=403)


H = "/huishoudens/{household}"
AG = "/overeenkomsten/{agreement}"
DRAFT = "/overeenkomsten/{draft}"
SEE_AGREEMENT = VIEWERS | {"provider", "consulent_a", "office"}
# Hour sheets: the provider prepares and the budget holder's side approves; a view-only
# advisor sees the sheet but is refused the action (403).
CLAIM_ACT = dict(ok=ACTORS | {"provider"}, advisor=403)
CLAIM_HOLDER = dict(ok=ACTORS, advisor=403)

TABLE: dict[tuple[str, str], Row] = {
    # --- public and account pages ---
    ("access.index", "GET"): row("/", ok=LOGGED_IN, status=302),
    ("access.login", "GET"): row("/inloggen", ok=LOGGED_IN, anon=200),
    ("access.login", "POST"): row("/inloggen", "POST", ok=LOGGED_IN, status=422, anon=422),
    ("access.login_code", "GET"): row("/inloggen/code", ok=LOGGED_IN, status=302),
    ("access.login_code", "POST"): row("/inloggen/code", "POST", ok=LOGGED_IN, status=302),
    ("access.login_setup", "GET"): row("/inloggen/instellen", ok=LOGGED_IN, status=302),
    ("access.login_setup", "POST"): row("/inloggen/instellen", "POST", ok=LOGGED_IN, status=302),
    # DigiD and eHerkenning: not configured in this app, so no such page for anyone (the flow,
    # configured, is tested in tests/identity).
    ("identity.start", "GET"): row("/inloggen/digid", ok=set(), anon=404),
    ("identity.back", "GET"): row("/inloggen/eherkenning/terug", ok=set(), anon=404),
    ("access.forgot_password", "GET"): row("/wachtwoord-vergeten", ok=LOGGED_IN, anon=200),
    ("access.forgot_password", "POST"): row("/wachtwoord-vergeten", "POST", ok=LOGGED_IN,
                                            status=422, anon=422),
    ("access.reset", "GET"): row("/wachtwoord-herstellen/{token}", ok=LOGGED_IN, anon=200),
    ("access.reset", "POST"): row("/wachtwoord-herstellen/{token}", "POST", ok=LOGGED_IN,
                                  status=422, anon=422),
    ("access.home", "GET"): row("/start", ok=LOGGED_IN, status=302),
    ("access.keep_alive", "POST"): row("/sessie-verlengen", "POST", ok=LOGGED_IN, status=302),
    ("access.change_password", "GET"): row("/account/wachtwoord", ok=LOGGED_IN),
    ("access.change_password", "POST"): row("/account/wachtwoord", "POST", ok=LOGGED_IN,
                                            status=422),
    ("access.two_step", "GET"): row("/account/inloggen-in-twee-stappen", ok=LOGGED_IN),
    ("access.two_step", "POST"): row(
        "/account/inloggen-in-twee-stappen", "POST", ok=LOGGED_IN, status=422,
        # Already on (the two-step roles): nothing to confirm, back to the page.
        advisor=302, consulent_a=302, consulent_other=302, office=302),
    ("access.two_step_off", "POST"): row(
        "/account/inloggen-in-twee-stappen/uitzetten", "POST", ok=LOGGED_IN, status=422,
        # Without the two-step login there is nothing to turn off: back to the page.
        holder_a=302, holder_b=302, provider=302, rep_active=302, rep_expired=302,
        rep_revoked=302),
    # 'Waar bent u ingelogd': everyone their own sessions; {session} is holder A's other device.
    ("access.sessions", "GET"): row("/account/sessies", ok=LOGGED_IN),
    ("access.end_one_session", "POST"): row("/account/sessies/{session}/uitloggen", "POST",
                                            ok={"holder_a"}, status=302),
    ("access.end_all_sessions", "POST"): row("/account/sessies/overal-uitloggen", "POST",
                                             ok=LOGGED_IN, status=302),
    # --- authorisations and the access log (budget holder only; helpers: Mijn klanten) ---
    ("access.authorizations", "GET"): row(H + "/machtigingen", ok={"holder_a"}),
    ("access.authorizations", "POST"): row(H + "/machtigingen", "POST", ok={"holder_a"},
                                           status=422),
    ("access.revoke", "POST"): row(H + "/machtigingen/{authorization}/intrekken", "POST",
                                   ok={"holder_a"}, status=302),
    ("access.my_log", "GET"): row(H + "/inzage", ok={"holder_a"}),
    ("access.represented", "GET"): row("/mijn-klanten",
                                       ok={"rep_active", "rep_expired", "rep_revoked", "advisor"}),
    # --- the glossary (Begrippen): public, no personal data ---
    ("glossary.terms", "GET"): row("/begrippen", ok=LOGGED_IN, anon=200),
    # --- messages: each user their own ---
    ("messages.inbox", "GET"): row("/berichten", ok=LOGGED_IN),
    ("messages.show", "GET"): row("/berichten/{message}", ok={"holder_a"}),
    ("messages.mark_all_read", "POST"): row("/berichten/alles-gelezen", "POST", ok=LOGGED_IN,
                                            status=302),
    ("messages.mail_setting", "GET"): row("/account/e-mail-bij-berichten", ok=LOGGED_IN),
    ("messages.mail_setting", "POST"): row("/account/e-mail-bij-berichten", "POST",
                                           ok=LOGGED_IN, status=302),
    # --- the household's file ---
    ("overview.household", "GET"): row(H + "/budget", ok=VIEWERS),
    ("payments.household", "GET"): row(H + "/betalingen", ok=VIEWERS),
    # A helper reads the client's messages; the budget holder is sent to her own inbox.
    ("messages.household", "GET"): row(H + "/berichten", ok=VIEWERS, holder_a=302),
    ("agreements.index", "GET"): row(H + "/overeenkomsten", ok=VIEWERS),
    ("agreements.new", "GET"): row(H + "/overeenkomsten/nieuw", **view_only_403()),
    ("agreements.new", "POST"): row(H + "/overeenkomsten/nieuw", "POST",
                                    **view_only_403(status=422)),
    # 302: this step needs a draft agreement in the making; it sends the user back.
    ("agreements.new_provider", "GET"): row(H + "/overeenkomsten/nieuw/zorgverlener",
                                            **view_only_403(status=302)),
    ("agreements.new_provider", "POST"): row(H + "/overeenkomsten/nieuw/zorgverlener", "POST",
                                             **view_only_403(status=302)),
    ("claims.index", "GET"): row(H + "/urenbriefjes", ok=VIEWERS),
    ("claims.start", "GET"): row(H + "/urenbriefjes/nieuw", **view_only_403()),
    ("allowances.index", "GET"): row(H + "/uitkeringen", ok=VIEWERS),
    ("allowances.ask_free", "POST"): row(H + "/uitkeringen/{grant}/vrij", "POST",
                                         **view_only_403(status=422)),
    ("allowances.ask_holiday", "POST"): row(H + "/uitkeringen/{grant}/feestdagen", "POST",
                                            **view_only_403(status=422)),
    ("allowances.holder_iban", "GET"): row(H + "/rekeningnummer", **view_only_403()),
    ("allowances.holder_iban", "POST"): row(H + "/rekeningnummer", "POST",
                                            **view_only_403(status=422)),
    ("yearend.household", "GET"): row(H + "/jaaroverzicht/{year}", ok=VIEWERS),
    ("yearend.household_pdf", "GET"): row("/papier" + H + "/jaaroverzicht-{year}.pdf",
                                          ok=VIEWERS),
    # the end settlement: the funder's own case worker and the payment office
    ("yearend.settlement_csv", "GET"): row("/verstrekkers/{funder}/eindafrekening-{year}.csv",
                                           ok={"consulent_a", "office"}),
    ("yearend.settlement_pdf", "GET"): row("/verstrekkers/{funder}/eindafrekening-{year}.pdf",
                                           ok={"consulent_a", "office"}),
    ("paper.settings", "GET"): row(H + "/papier", **view_only_403()),
    ("paper.settings", "POST"): row(H + "/papier", "POST", **view_only_403(status=422)),
    ("paper.statement_pdf", "GET"): row("/papier" + H + "/budgetoverzicht.pdf", ok=VIEWERS),
    # --- one agreement of household A (provider: its own agreements) ---
    # The consulent of the funder that pays it and the payment office see an agreement too.
    ("agreements.show", "GET"): row(AG, ok=SEE_AGREEMENT),
    ("agreements.document", "GET"): row(AG + "/documenten/{document}", ok=SEE_AGREEMENT),
    ("agreements.step", "GET"): row(DRAFT + "/stap/model", ok=ACTORS),
    ("agreements.step", "POST"): row(DRAFT + "/stap/model", "POST", ok=ACTORS, status=422),
    ("agreements.share", "POST"): row(DRAFT + "/delen", "POST", ok=ACTORS, status=302),
    # 302: the approved agreement has nothing to sign; the signer is sent back to it.
    ("agreements.provider_sign", "GET"): row(AG + "/ondertekenen-zorgverlener", ok={"provider"},
                                             status=302),
    ("agreements.provider_sign", "POST"): row(AG + "/ondertekenen-zorgverlener", "POST",
                                              ok={"provider"}, status=302),
    ("agreements.holder_sign", "GET"): row(AG + "/ondertekenen", ok=ACTORS, status=302),
    ("agreements.holder_sign", "POST"): row(AG + "/ondertekenen", "POST", ok=ACTORS, status=302),
    # 302: the approved agreement is not with the provider; nothing to take back.
    ("agreements.withdraw", "GET"): row(AG + "/terughalen", ok=ACTORS, status=302),
    ("agreements.withdraw", "POST"): row(AG + "/terughalen", "POST", ok=ACTORS, status=302),
    ("agreements.upload", "GET"): row(AG + "/papier", ok=ACTORS),
    ("agreements.upload", "POST"): row(AG + "/papier", "POST", ok=ACTORS, status=422),
    ("agreements.end", "GET"): row(AG + "/beeindigen", ok=ACTORS),
    ("agreements.end", "POST"): row(AG + "/beeindigen", "POST", ok=ACTORS, status=422),
    ("agreements.change", "GET"): row(AG + "/wijzigen", ok=ACTORS),
    ("agreements.change", "POST"): row(AG + "/wijzigen", "POST", ok=ACTORS, status=422),
    ("paper.agreement_pdf", "GET"): row("/papier" + AG + ".pdf", ok=SEE_AGREEMENT),
    # --- hour sheets ---
    # POST 200: an empty sheet form shows the sheet again with its preview; 422: the sheet
    # service refuses the action in this state (the user may see the sheet, so no 404).
    ("claims.new", "GET"): row(AG + "/urenbriefje/{open_month}", **CLAIM_ACT),
    ("claims.new", "POST"): row(AG + "/urenbriefje/{open_month}", "POST",
                                **{**CLAIM_ACT, "status": 200}),
    ("claims.show", "GET"): row("/urenbriefjes/{claim}", ok=VIEWERS | {"provider", "office"}),
    ("claims.edit", "GET"): row("/urenbriefjes/{claim}/wijzigen", **CLAIM_ACT),
    ("claims.edit", "POST"): row("/urenbriefjes/{claim}/wijzigen", "POST",
                                 **{**CLAIM_ACT, "status": 200}),
    # The holder's check before the akkoord; a provider has no check page (404).
    ("claims.check", "GET"): row("/urenbriefjes/{claim}/controleren", **CLAIM_HOLDER),
    ("claims.approve", "POST"): row("/urenbriefjes/{claim}/akkoord", "POST",
                                    **{**CLAIM_HOLDER, "status": 302}),
    ("claims.refuse", "POST"): row("/urenbriefjes/{claim}/afwijzen", "POST",
                                   **{**CLAIM_HOLDER, "status": 422}, provider=422, office=422),
    ("claims.reopen", "POST"): row("/urenbriefjes/{claim}/heropenen", "POST",
                                   **{**CLAIM_HOLDER, "status": 422}, provider=422, office=422),
    ("claims.provider_start", "GET"): row("/zorgverlener/urenbriefje", ok={"provider"}),
    # Paper documents: also for the payment office, which handles paper by post.
    ("paper.hour_sheet_pdf", "GET"): row("/papier" + AG.replace("overeenkomsten", "urenbriefjes")
                                         + "/{free_month}.pdf",
                                         ok=VIEWERS | {"provider", "office"}),
    ("paper.refusal_letter_pdf", "GET"): row("/papier/afgekeurd/{refused_claim}.pdf",
                                             ok=VIEWERS | {"provider", "office"}),
    ("paper.claim_spec_pdf", "GET"): row("/papier/specificatie/{correction}.pdf",
                                         ok=VIEWERS | {"provider", "office"}),
    ("paper.payment_spec_pdf", "GET"): row("/papier/betalingen/{payment}.pdf",
                                           ok={"provider", "office"}),
    # --- the provider's portal ---
    ("providers.home", "GET"): row("/zorgverlener", ok={"provider"}),
    ("providers.payments", "GET"): row("/zorgverlener/betalingen", ok={"provider"}),
    ("providers.payment", "GET"): row("/zorgverlener/betalingen/{payment}", ok={"provider"}),
    # --- the funder's consulent ---
    ("funders.queue", "GET"): row("/verstrekker", ok={"consulent_a", "consulent_other"}),
    ("funders.review", "GET"): row("/verstrekker/beoordelen/{review_version}",
                                   ok={"consulent_a"}),
    ("funders.review", "POST"): row("/verstrekker/beoordelen/{review_version}", "POST",
                                    ok={"consulent_a"}, status=422),
    # The check page's confirm POST: without a decision it shows the review page again.
    ("funders.decide", "POST"): row("/verstrekker/beoordelen/{review_version}/besluit", "POST",
                                    ok={"consulent_a"}, status=422),
    ("funders.grants", "GET"): row("/verstrekker/toekenningen", ok={"consulent_a",
                                                                    "consulent_other"}),
    ("funders.new_grant", "GET"): row("/verstrekker/toekenningen/nieuw",
                                      ok={"consulent_a", "consulent_other"}),
    ("funders.new_grant", "POST"): row("/verstrekker/toekenningen/nieuw", "POST",
                                       ok={"consulent_a", "consulent_other"}, status=422),
    ("funders.end_grant", "GET"): row("/verstrekker/toekenningen/{grant}/beeindigen",
                                      ok={"consulent_a"}),
    ("funders.end_grant", "POST"): row("/verstrekker/toekenningen/{grant}/beeindigen", "POST",
                                       ok={"consulent_a"}, status=422),
    ("funders.import_grants", "GET"): row("/verstrekker/toekenningen/importeren",
                                          ok={"consulent_a", "consulent_other"}),
    ("funders.import_grants", "POST"): row("/verstrekker/toekenningen/importeren", "POST",
                                           ok={"consulent_a", "consulent_other"}, status=422),
    # --- the payment office ---
    ("office.payment_runs", "GET"): row("/betaalkantoor/betaalrondes", ok={"office"}),
    ("office.confirm_run_page", "GET"): row("/betaalkantoor/betaalrondes/bevestigen",
                                            ok={"office"}),
    ("office.check_submitted", "POST"): row("/betaalkantoor/betaalrondes/controleren", "POST",
                                            ok={"office"}, status=303),
    # 409: an empty form has no confirmation's fingerprint, so nothing is paid.
    ("office.execute", "POST"): row("/betaalkantoor/betaalrondes", "POST", ok={"office"},
                                    status=409),
    ("office.payment_run", "GET"): row("/betaalkantoor/betaalrondes/{run}", ok={"office"}),
    ("office.sepa", "GET"): row("/betaalkantoor/betaalrondes/{run}/sepa.xml", ok={"office"}),
    ("office.claims", "GET"): row("/betaalkantoor/urenbriefjes", ok={"office"}),
    ("office.claim", "GET"): row("/betaalkantoor/urenbriefjes/{claim}", ok={"office"}),
    # 422: an empty form takes no decision (and the waiting sheet is not the office's yet).
    ("office.claim", "POST"): row("/betaalkantoor/urenbriefjes/{claim}", "POST", ok={"office"},
                                  status=422),
    ("office.correction", "GET"): row("/betaalkantoor/urenbriefjes/{paid_claim}/correctie",
                                      ok={"office"}),
    # 422: an empty form corrects nothing (no reason, no line changed).
    ("office.correction", "POST"): row("/betaalkantoor/urenbriefjes/{paid_claim}/correctie",
                                       "POST", ok={"office"}, status=422),
    ("office.paper_intake", "GET"): row("/betaalkantoor/papier", ok={"office"}),
    ("office.paper_intake", "POST"): row("/betaalkantoor/papier", "POST", ok={"office"},
                                         status=422),
    ("office.paper_sheet", "GET"): row("/betaalkantoor/papier/{agreement}/{free_month}",
                                       ok={"office"}),
    ("office.paper_sheet", "POST"): row("/betaalkantoor/papier/{agreement}/{free_month}", "POST",
                                        ok={"office"}, status=422),
    # Logins: who needs one, make one (an empty form: 422), turn one off and on again, mail the
    # link to choose a password again.
    ("office.accounts", "GET"): row("/betaalkantoor/inlogaccounts", ok={"office"}),
    ("office.new_account", "GET"): row("/betaalkantoor/inlogaccounts/nieuw", ok={"office"}),
    ("office.new_account", "POST"): row("/betaalkantoor/inlogaccounts/nieuw", "POST",
                                        ok={"office"}, status=422),
    ("office.disable_account", "POST"): row("/betaalkantoor/inlogaccounts/{account}/uitzetten",
                                            "POST", ok={"office"}, status=302),
    ("office.enable_account", "POST"): row("/betaalkantoor/inlogaccounts/{account}/aanzetten",
                                           "POST", ok={"office"}, status=302),
    # 302: the demo-like account has a password, so the list says it needs no new mail.
    ("office.welcome_again", "POST"): row("/betaalkantoor/inlogaccounts/{account}/welkomstmail",
                                          "POST", ok={"office"}, status=302),
    # API keys: made and revoked by the office (an empty form: 422; an unknown key: 404).
    ("api_keys.index", "GET"): row("/betaalkantoor/api-sleutels", ok={"office"}),
    ("api_keys.index", "POST"): row("/betaalkantoor/api-sleutels", "POST", ok={"office"},
                                    status=422),
    ("api_keys.revoke", "POST"): row("/betaalkantoor/api-sleutels/999999/intrekken", "POST",
                                     ok=set()),
    # --- the API (/api/v1/): keys, not logins. A login's cookie opens nothing there (401 for
    # everyone); what each API key may do is tests/api/test_key_matrix.py. The OpenAPI document
    # and its documentation page are public. ---
    ("api-docs.openapi_json", "GET"): row("/api/v1/openapi.json", ok=set(ROLES), anon=200),
    ("api_pages.docs", "GET"): row("/api/v1/docs", ok=set(ROLES), anon=200),
    ("api.list_agreements", "GET"): row("/api/v1/agreements", ok=set(), others=401, anon=401),
    ("api.get_agreement", "GET"): row("/api/v1/agreements/{agreement}", ok=set(), others=401,
                                      anon=401),
    ("api.prepare_sheets", "POST"): row("/api/v1/sheets", "POST", ok=set(), others=401, anon=401),
    ("api.list_sheets", "GET"): row("/api/v1/sheets", ok=set(), others=401, anon=401),
    ("api.get_sheet", "GET"): row("/api/v1/sheets/{claim}", ok=set(), others=401, anon=401),
    ("api.list_payments", "GET"): row("/api/v1/payments", ok=set(), others=401, anon=401),
    ("api.register_grants", "POST"): row("/api/v1/grants", "POST", ok=set(), others=401,
                                         anon=401),
    ("api.list_reviews", "GET"): row("/api/v1/reviews", ok=set(), others=401, anon=401),
    ("api.decide_review", "POST"): row("/api/v1/reviews/{review_version}/decision", "POST",
                                       ok=set(), others=401, anon=401),
    ("api.list_runs", "GET"): row("/api/v1/runs", ok=set(), others=401, anon=401),
    ("api.run_sepa", "GET"): row("/api/v1/runs/{run}/sepa", ok=set(), others=401, anon=401),
    # --- the organisation's public pages (portal/organisation.py): for everyone ---
    ("site.privacy", "GET"): row("/privacy", ok=set(ROLES), anon=200),
    ("site.accessibility", "GET"): row("/toegankelijkheid", ok=set(ROLES), anon=200),
    ("site.contact", "GET"): row("/contact", ok=set(ROLES), anon=200),
    # Last: it ends the session.
    ("access.logout", "POST"): row("/uitloggen", "POST", ok=LOGGED_IN, status=LOGIN),
}

IGNORED = {"static"}


def app_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint not in IGNORED
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_table(app):
    missing = sorted(app_routes(app) - TABLE.keys())
    assert missing == [], ("Routes without a row in tests/test_permission_matrix.py (add one: "
                           f"who may use it?): {missing}")


def test_the_table_has_no_stale_rows(app):
    assert sorted(TABLE.keys() - app_routes(app)) == []


# --- the world: household A with everything, household B, one user per role ---


def build_world(db) -> dict:
    from portal.access.service import make_reset_token
    from portal.access.session_store import start_session
    from portal.agreements.storage import store_document
    from portal.messages.service import notify
    from portal.payments.service import run_payments
    from tests.payments.builders import make_approved_claim

    day = today()
    start = first_of_month(add_months(day, -6))
    end = add_months(start, 12) - dt.timedelta(days=1)
    funder_a = f.make_funder(FunderKind.GEMEENTE)
    funder_other = f.make_funder(FunderKind.GEMEENTE)
    household = f.make_household("Huishouden A")
    member = f.make_member(household)
    grant = f.make_grant(member, funder_a, law=Law.WMO, period_start=start, period_end=end,
                         amount_cents=5_000_000)
    provider = f.make_provider()
    agreement = f.make_agreement(grant, provider, starts_on=start, ends_on=end)
    draft = f.make_agreement(grant, f.make_provider(), status=VersionStatus.CONCEPT,
                             starts_on=start, ends_on=end)
    review_agreement = f.make_agreement(grant, f.make_provider(),
                                        status=VersionStatus.TER_BEOORDELING,
                                        starts_on=start, ends_on=end)
    holder_a = f.make_user(Role.BUDGETHOUDER, household_id=household.id, name="Anna A")
    users = {
        "holder_a": holder_a,
        "holder_b": f.make_user(Role.BUDGETHOUDER),
        "provider": f.make_user(Role.ZORGVERLENER, provider_id=provider.id),
        "rep_active": f.make_user(Role.VERTEGENWOORDIGER),
        "rep_expired": f.make_user(Role.VERTEGENWOORDIGER),
        "rep_revoked": f.make_user(Role.VERTEGENWOORDIGER),
        "advisor": f.make_user(Role.ADVISEUR),
        "consulent_a": f.make_user(Role.CONSULENT, funder_id=funder_a.id),
        "consulent_other": f.make_user(Role.CONSULENT, funder_id=funder_other.id),
        "office": f.make_user(Role.BEHEERDER),
    }
    active = f.make_authorization(household, users["rep_active"], holder_a, scope=Scope.HANDELEN,
                                  starts_on=day - dt.timedelta(days=10),
                                  ends_on=day + dt.timedelta(days=100))
    f.make_authorization(household, users["rep_expired"], holder_a, scope=Scope.HANDELEN,
                         starts_on=day - dt.timedelta(days=100),
                         ends_on=day - dt.timedelta(days=1))
    f.make_authorization(household, users["rep_revoked"], holder_a, scope=Scope.HANDELEN,
                         starts_on=day - dt.timedelta(days=10),
                         ends_on=day + dt.timedelta(days=100), revoked_at=now())
    f.make_authorization(household, users["advisor"], holder_a, scope=Scope.BEKIJKEN,
                         starts_on=day - dt.timedelta(days=10),
                         ends_on=day + dt.timedelta(days=100))
    last_month = first_of_month(add_months(day, -1))
    paid = make_approved_claim(agreement, add_months(last_month, -2))
    run = run_payments(users["office"], day)
    db.session.refresh(paid)
    from portal.claims.corrections import correct_paid_claim
    [correction] = correct_paid_claim(users["office"], paid,
                                      {(paid.lines[0].care_kind, grant.id): 60}, "Te veel")
    refused = make_approved_claim(agreement, add_months(last_month, -1),
                                  status=ClaimStatus.AFGEKEURD)
    waiting = make_approved_claim(agreement, last_month, status=ClaimStatus.WACHT_OP_AKKOORD)
    document = store_document(agreement.id, b"%PDF-1.4\n% matrix test\n", "getekend.pdf",
                              page_count=1, uploaded_by_id=holder_a.id)
    # The signed scan of the agreement's version: its lines are all funder A's, so consulent A
    # may download it (a scan with another funder's lines is not: tests/funders).
    agreement.versions[-1].document_id = document.id
    message = notify([holder_a.id], "test", "Een bericht voor A")[0]
    db.session.flush()
    ids = {
        "household": household.id, "grant": grant.id, "funder": funder_a.id, "year": day.year, "agreement": agreement.id, "draft": draft.id, "authorization": active.id,
        "claim": waiting.id, "refused_claim": refused.id, "run": run.id,
        "paid_claim": paid.id, "correction": correction.id,
        "payment": run.payments[0].id, "document": document.id, "message": message.id,
        "review_version": review_agreement.versions[-1].id,
        "free_month": add_months(last_month, -3).strftime("%Y-%m"),
        # A month a new sheet can still be started for: the running one (a concept).
        "open_month": first_of_month(day).strftime("%Y-%m"),
        "token": make_reset_token(holder_a),
        "account": f.make_user(Role.VERTEGENWOORDIGER).id,  # a login to turn off and on
        "session": start_session("matrix-other-device", user_id=holder_a.id, data="",
                                 device="Firefox op Windows", now=now()).id,
    }
    assert paid.id
    return {"users": users, "ids": ids, "holder_b_household": db.session.get(
        Household, users["holder_b"].household_id)}


def missing_identity(app, response) -> list[str]:
    """What an HTML page lacks of the service's identity (every page, error pages too): the
    organisation's name, phone, e-mail and address, and the links to Privacy,
    Toegankelijkheid and Contact."""
    from markupsafe import escape

    if response.mimetype != "text/html" or 300 <= response.status_code < 400:
        return []
    html = response.get_data(as_text=True)
    org = app.config
    wanted = {"name": org["PORTAL_ORG_NAME"], "phone": org["PORTAL_ORG_PHONE"],
              "e-mail": org["PORTAL_ORG_EMAIL"],
              "address": org["PORTAL_ORG_ADDRESS"].split(";")[0].strip(),
              "Privacy": 'href="/privacy"', "Toegankelijkheid": 'href="/toegankelijkheid"',
              "Contact": 'href="/contact"'}
    return [what for what, text in wanted.items()
            if str(escape(text)) not in html and text not in html]


def outcome(response) -> object:
    if response.status_code == 302:
        target = response.headers["Location"].split("?")[0]
        if target == "/inloggen" or target.endswith("://portal.test/inloggen"):
            return LOGIN
    return response.status_code


# Placeholders that stand for an object of household A: a page showing one shows the household's
# file, so a look by anyone but its budget holder must be in the budget holder's access log.
HOUSEHOLD_OBJECTS = ("{household}", "{agreement}", "{draft}", "{claim}", "{refused_claim}",
                     "{document}", "{review_version}", "{payment}", "{paid_claim}",
                     "{correction}")
DENIED = {403, 404, LOGIN}


def shows_household_object(r: Row) -> bool:
    return r.method == "GET" and any(p in r.path for p in HOUSEHOLD_OBJECTS)


def audit_events_of(db, household_id: int) -> int:
    from sqlalchemy import func, select

    from portal.access.models import AuditEvent

    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.household_id == household_id))


# The session store (portal.access.sessions) is no data a request writes: a refused request
# still has a session (a new one after logout, a form token, a message for the next page).
SESSION_TABLES = {"user_sessions"}


def row_counts(db) -> dict[str, int]:
    """The number of rows of every table but the session store, in one query."""
    from sqlalchemy import func, select

    tables = [t for t in db.metadata.sorted_tables if t.name not in SESSION_TABLES]
    counts = db.session.execute(select(*[
        select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])).one()
    return dict(zip([t.name for t in tables], counts, strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_as_expected_for(role, app, client, db, login):
    """The expected answer for every row; and on the way: a non-holder's look at a household's
    object is in that household's access log, the holder's own look is not, and a refused POST
    writes nothing at all."""
    with app.test_request_context():
        world = build_world(db)
    if role != "anon":
        login(world["users"][role])
    ids = world["ids"]
    household = ids["household"]
    wrong = []
    for key, r in TABLE.items():
        if key not in app_routes(app):
            continue
        path = r.path.format(**ids)
        events_before = audit_events_of(db, household)
        tables_before = row_counts(db) if r.method == "POST" and r.expect[role] in DENIED else None
        response = client.open(path, method=r.method)
        got = outcome(response)
        if got != r.expect[role]:
            wrong.append(f"{key[0]} {r.method} {path}: expected {r.expect[role]}, got {got}")
            continue
        if missing := missing_identity(app, response):
            wrong.append(f"{key[0]} {r.method} {path} ({got}): the page lacks {missing}")
        logged = audit_events_of(db, household) - events_before
        if role == "holder_a" and r.method == "GET" and logged:
            wrong.append(f"{key[0]} GET {path}: the budget holder's own look was logged")
        elif role != "holder_a" and got == 200 and shows_household_object(r) and not logged:
            wrong.append(f"{key[0]} GET {path}: a look at household A's file was not logged")
        if tables_before is not None and (after := row_counts(db)) != tables_before:
            changed = sorted(t for t in after if after[t] != tables_before[t])
            wrong.append(f"{key[0]} POST {path}: refused ({got}) but wrote to {changed}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_with_csrf_on_every_post_without_a_token_is_400_and_writes_nothing(role, app, client, db,
                                                                           login, monkeypatch):
    """The other passes run with CSRF off (to reach the permission checks); here it is on, as in
    production: every POST row without a token is refused before anything else, for everyone."""
    with app.test_request_context():
        world = build_world(db)
    db.session.commit()  # as a request would: a refused request's rollback keeps the world
    if role != "anon":
        login(world["users"][role])  # the login form itself is posted with CSRF still off
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ids = world["ids"]
    before = row_counts(db)
    wrong = []
    for key, r in TABLE.items():
        # The API takes no cookies (a key in the Authorization header), so no CSRF token.
        if r.method != "POST" or key not in app_routes(app) or r.path.startswith("/api/"):
            continue
        got = outcome(client.open(r.path.format(**ids), method="POST"))
        if got != 400:
            wrong.append(f"{key[0]} POST {r.path}: expected 400 without a CSRF token, got {got}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)
    assert row_counts(db) == before
    if role != "anon":  # still logged in (not even the logout went through), and a token works
        html = client.get("/berichten").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        answer = client.post("/berichten/alles-gelezen", data={"csrf_token": token})
        assert (answer.status_code, answer.headers["Location"].split("?")[0].endswith(
            "/berichten")) == (302, True)
