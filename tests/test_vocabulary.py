"""The glossary test (issue 11, 'One vocabulary'): every status the portal shows maps to one
label and one explanation (portal.vocabulary), the same for every role; the glossary page
(Begrippen) explains each of them at its own anchor; retired words are gone from the pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from portal import vocabulary
from portal.access.authorizations import AuthorizationRow
from portal.access.constants import Scope
from portal.agreements.constants import EffectiveStatus, ReviewDecision, VersionStatus
from portal.api.service import KeyRow
from portal.claims.constants import ClaimKind, ClaimStatus, status_key, status_kind, status_label
from portal.office.rules import account_state
from portal.payments.constants import RunStatus
from portal.providers.pages import payment_status

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 6, 15)
SHOWN = [("urenbriefje", ClaimStatus), ("zorgovereenkomst", EffectiveStatus),
         ("betaalronde", RunStatus)]


@pytest.mark.parametrize(("kind", "enum"), SHOWN)
def test_every_status_has_exactly_the_vocabularys_label_and_an_explanation(kind, enum):
    assert set(vocabulary.STATUSES[kind]) == {member.value for member in enum}
    for member in enum:
        term = vocabulary.term(kind, member.value)
        assert member.label == term.label
        assert term.explanation.endswith(".") and len(term.explanation) > 30


def test_every_other_status_shown_has_a_term():
    """The statuses that are no enum of their own: what each page's code can give the status
    tag is a status of its kind in the vocabulary."""
    assert {d.value for d in ReviewDecision} | {"open"} == set(vocabulary.DECISION)
    claim_backs = {status_key(ClaimKind.TERUGVORDERING, status, netted=netted)
                   for status in (ClaimStatus.GOEDGEKEURD, ClaimStatus.UITBETAALD)
                   for netted in (True, False)}
    assert claim_backs == set(vocabulary.CLAIM_BACK)
    logins = {account_state(active, password)[0]
              for active in (True, False) for password in (True, False)}
    assert logins | {"geen_inlog"} == set(vocabulary.LOGIN)
    keys = {KeyRow(1, "x", "p", "o", [], TODAY, revoked, expired).status
            for revoked in (True, False) for expired in (True, False)}
    assert keys == set(vocabulary.API_KEY)
    authorisations = {AuthorizationRow(1, 1, "x", "x", Scope.BEKIJKEN, TODAY, TODAY, revoked,
                                       active).status
                      for revoked in (TODAY, None) for active in (True, False)}
    assert authorisations == set(vocabulary.AUTHORISATION)
    for kind in vocabulary.STATUSES:
        assert kind in vocabulary.KIND_TITLES


@pytest.mark.parametrize("kind", list(ClaimKind))
@pytest.mark.parametrize("status", list(ClaimStatus))
def test_every_claim_reads_its_status_in_one_word(kind, status):
    """Sheets, wages, corrections and allowances alike: the label is the vocabulary's of the
    kind the status tag links to; the provider reads the same word first."""
    term = vocabulary.term(status_kind(kind, status), status.value)
    assert status_label(kind, status) == term.label
    assert payment_status(status, kind=kind, today=TODAY).text.startswith(term.label)


@pytest.mark.parametrize(("kind", "enum"), SHOWN)
def test_no_two_statuses_of_a_kind_share_a_label(kind, enum):
    labels = [vocabulary.label(kind, member.value) for member in enum]
    assert len(labels) == len(set(labels))


def test_a_stored_agreement_status_speaks_the_words_of_the_status_it_is_shown_as():
    for member in VersionStatus:
        if member is not VersionStatus.GOEDGEKEURD:  # shown as actief / goedgekeurd / ...
            assert member.label == EffectiveStatus(member.value).label


@pytest.mark.parametrize("status", list(ClaimStatus))
def test_the_provider_reads_the_same_status_word_as_the_budget_holder(status):
    assert payment_status(status).text.startswith(status.label)


def test_the_glossary_page_explains_every_status_at_its_anchor(client, db):
    response = client.get("/begrippen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for kind, statuses in vocabulary.STATUSES.items():
        for value, term in statuses.items():
            anchor = term.anchor(kind, value)
            match = re.search(rf'<dt id="{anchor}">(.*?)</dt>\s*<dd>(.*?)</dd>', html, re.S)
            assert match, anchor
            assert match.group(1) == term.label
            assert match.group(2).replace("&#39;", "'") == term.explanation
    for word in vocabulary.GLOSSARY:
        assert f">{word}</dt>" in html


RETIRED = ["Opgeschort", "Ter beoordeling bij verstrekker", "Betaalrun", "betaalrun",
           "In behandeling", "in behandeling", "verstrekker", "Verstrekker",
           "verantwoordingsvrij", "Verantwoordingsvrij"]
# A route's path is an address, not page text (/verstrekker/... stays for old bookmarks).
ROUTE = re.compile(r"^/[\w/<>:.-]*$")
# The zorgkantoor's word for the free amount is named once, in the glossary's explanation of
# "Vrij besteedbaar bedrag" (so a letter from the zorgkantoor can be matched); the allowance
# kind's stored value "verantwoordingsvrij" is data, not page text.
FREE_AMOUNT = vocabulary.GLOSSARY["Vrij besteedbaar bedrag"]
ALLOWED = {"verantwoordingsvrij"}


def allowed(path: Path, string: str) -> bool:
    if path.name == "vocabulary.py" and string and string in FREE_AMOUNT:
        return True
    return string in ALLOWED


def retired_words_in(paths) -> list[str]:
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":  # the Dutch strings only: code and comments are English
            strings = [s for s in re.findall(r'"([^"\n]*)"', text) if not ROUTE.match(s)]
        else:
            strings = [re.sub(r"\{\{[^}]*url_for[^}]*\}\}", "", line)
                       for line in text.splitlines()]
        found += [f"{path.name}: {string.strip()}" for string in strings
                  for word in RETIRED if word in string and not allowed(path, string)]
    return found


def test_the_retired_words_are_not_on_the_pages():
    """Words the vocabulary replaced ('Wordt nagekeken', 'Wacht op beoordeling', 'Betaalronde',
    'Onderweg', 'financier' or the funder's own name) appear in no template, no PDF template
    and no Dutch string of the portal (its messages, refusals, flashes and command line)."""
    assert retired_words_in([*ROOT.glob("templates/**/*.html"),
                             *ROOT.glob("pdf_templates/**/*.html"),
                             *ROOT.glob("portal/**/*.py")]) == []


def test_the_retired_words_check_finds_a_retired_word(tmp_path):
    page, code = tmp_path / "page.html", tmp_path / "rules.py"
    page.write_text("<p>Daarna gaat hij naar de verstrekker.</p>", encoding="utf-8")
    code.write_text('MESSAGE = "Vraag het aan de verstrekker."\n'
                    '@bp.get("/verstrekker/toekenningen")\n', encoding="utf-8")
    assert retired_words_in([page, code]) == [
        "page.html: <p>Daarna gaat hij naar de verstrekker.</p>",
        "rules.py: Vraag het aan de verstrekker."]


def test_the_zorgkantoors_word_for_the_free_amount_is_named_once_in_the_glossary():
    """Pages, PDFs and messages say 'vrij besteedbaar bedrag'; the glossary tells that the
    zorgkantoor's letters call it 'verantwoordingsvrij bedrag'."""
    assert "verantwoordingsvrij bedrag" in FREE_AMOUNT
    assert "zorgkantoor" in FREE_AMOUNT


def test_the_retired_words_check_finds_the_zorgkantoors_word_outside_the_glossary(tmp_path):
    code = tmp_path / "rules.py"
    code.write_text('KIND = ("verantwoordingsvrij", "Verantwoordingsvrij bedrag")\n'
                    'MESSAGE = "U krijgt het verantwoordingsvrij bedrag."\n', encoding="utf-8")
    assert retired_words_in([code]) == [
        "rules.py: Verantwoordingsvrij bedrag",
        "rules.py: U krijgt het verantwoordingsvrij bedrag."]


def test_a_role_has_one_word_with_a_glossary_entry():
    assert "Financier" in vocabulary.GLOSSARY


# ------------------------------------------------------------------ status tags on the pages


def status_tags(root, linked_to: str | None = None):
    """Every status badge on a rendered page, with the glossary anchor its status tag links to
    (None: a badge outside a linked status tag)."""
    for element in root.children:
        anchor = linked_to
        if element.tag == "span" and "status-tag" in (element.attrs.get("class") or "").split():
            links = [a.attrs.get("href") for a in element.all("a")]
            begrip = element.attrs.get("data-begrip")
            anchor = begrip if f"/begrippen#{begrip}" in links else None
        if "utrecht-status-badge" in (element.attrs.get("class") or ""):
            yield element.full_text(), anchor
        yield from status_tags(element, anchor)


def history_lines(root):
    """Every line of a history on a rendered page (a sheet's 'Geschiedenis', an agreement's
    events), with the glossary anchors of the status tags in it."""
    for ol in root.all("ol"):
        if not {"history", "events"} & set((ol.attrs.get("class") or "").split()):
            continue
        for li in ol.all("li"):
            yield li.full_text(), [anchor for _, anchor in status_tags(li)]


def anchors_of_the_glossary(client) -> set[str]:
    html = client.get("/begrippen").get_data(as_text=True)
    return set(re.findall(r'<dt id="([^"]+)"', html))


def test_every_status_tag_in_the_templates_names_its_kind():
    """Also on pages the walk below does not reach with data: each call of the status tag
    macro names the vocabulary's kind, so the tag has its label and its link."""
    calls = [(path.name, call) for path in ROOT.glob("templates/**/*.html")
             for call in re.findall(r"status_tag\((.*?)\) ?}}", path.read_text(encoding="utf-8"))]
    assert calls
    assert [(name, call) for name, call in calls if "kind=" not in call] == []


def test_the_check_finds_a_status_tag_without_its_explanation(app):
    from tests.ui.pagetree import parse

    with app.test_request_context():
        macros = app.jinja_env.get_template("macros/ui.html").module
        linked = str(macros.status_tag("ingediend", kind="urenbriefje"))
        explained = str(macros.status_tag("actief", kind="zorgovereenkomst", explain=True))
        bare = str(macros.status_tag("Ingediend"))
    assert list(status_tags(parse(linked))) == [("Ingediend", "urenbriefje-ingediend")]
    assert list(status_tags(parse(explained))) == [("Actief", "zorgovereenkomst-actief")]
    assert list(status_tags(parse(bare))) == [("Ingediend", None)]
    page = parse(f'<ol class="history"><li>{linked} - 1 juni</li><li>Ingediend - 2 juni</li></ol>')
    assert [anchors for _, anchors in history_lines(page)] == [["urenbriefje-ingediend"], []]


def add_history(db, world) -> None:
    """A history for the world's waiting sheet and its agreement: each step a status tag."""
    from portal.agreements.models import AgreementEvent
    from portal.claims.models import ClaimEvent

    holder = world["users"]["holder_a"].id
    for before, after in [(None, "concept"), ("concept", "wacht_op_akkoord")]:
        db.session.add(ClaimEvent(claim_id=world["ids"]["claim"], from_status=before,
                                  to_status=after, actor_id=holder, reason="Test"))
    for before, after in [(None, "concept"), ("concept", "gedeeld"), ("gedeeld", "ondertekend"),
                          ("ondertekend", "ter_beoordeling"), ("ter_beoordeling", "goedgekeurd")]:
        db.session.add(AgreementEvent(agreement_id=world["ids"]["agreement"], from_status=before,
                                      to_status=after, actor_id=holder))
    db.session.flush()


@pytest.mark.parametrize("role", ["holder_a", "provider", "advisor", "consulent_a", "office"])
def test_every_status_tag_on_every_page_links_to_its_explanation(role, app, client, db, login):
    """The glossary test over the rendered pages: each role opens every page it may see (the
    permission matrix's table, with its world of data: sheets paid, refused and waiting, a
    correction, a payment run, authorisations current and ended, an agreement under review)
    and every status badge on it is a status tag linking to its own anchor on Begrippen; every
    line of a history (a sheet's, an agreement's) names its status with such a tag."""
    from portal.api.service import create_api_key
    from portal.dates import today
    from tests.test_permission_matrix import TABLE, app_routes, build_world
    from tests.ui.pagetree import parse

    with app.test_request_context():
        world = build_world(db)
        add_history(db, world)
        create_api_key(world["users"]["office"], label="Planning", owner_kind="funder",
                       funder_id=world["ids"]["funder"], scopes=["grants:write"],
                       expires_on=today() + dt.timedelta(days=30), today=today())
    anchors = anchors_of_the_glossary(client)
    login(world["users"][role])
    seen, history, wrong = 0, 0, []
    for (endpoint, method), row in TABLE.items():
        if method != "GET" or row.expect[role] != 200 or (endpoint, method) not in app_routes(app):
            continue
        path = row.path.format(**world["ids"])
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = parse(response.get_data(as_text=True))
        for text, anchor in status_tags(page):
            seen += 1
            if anchor not in anchors:
                wrong.append(f"{path}: '{text}' links to {anchor}")
        for text, linked in history_lines(page):
            history += 1
            if len(linked) != 1:
                wrong.append(f"{path}: history line '{text}' has {len(linked)} status tags")
    assert wrong == []
    assert seen > 0
    assert history > 0
