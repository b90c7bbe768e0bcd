"""The glossary test (issue 11, 'One vocabulary'): every status the portal shows maps to one
label and one explanation (portal.vocabulary), the same for every role; the glossary page
(Begrippen) explains each of them at its own anchor; retired words are gone from the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import vocabulary
from portal.agreements.constants import EffectiveStatus, VersionStatus
from portal.claims.constants import ClaimStatus
from portal.payments.constants import RunStatus
from portal.providers.pages import payment_status

ROOT = Path(__file__).resolve().parent.parent
SHOWN = [("urenbriefje", ClaimStatus), ("zorgovereenkomst", EffectiveStatus),
         ("betaalronde", RunStatus)]


@pytest.mark.parametrize(("kind", "enum"), SHOWN)
def test_every_status_has_exactly_the_vocabularys_label_and_an_explanation(kind, enum):
    assert set(vocabulary.STATUSES[kind]) == {member.value for member in enum}
    for member in enum:
        term = vocabulary.term(kind, member.value)
        assert member.label == term.label
        assert term.explanation.endswith(".") and len(term.explanation) > 30


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
           "In behandeling", "in behandeling", "verstrekker", "Verstrekker"]
# A route's path is an address, not page text (/verstrekker/... stays for old bookmarks).
ROUTE = re.compile(r"^/[\w/<>:.-]*$")


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
                  for word in RETIRED if word in string]
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


def test_a_role_has_one_word_with_a_glossary_entry():
    assert "Financier" in vocabulary.GLOSSARY
