"""Every document (all five, and the agreement in all four model kinds) is an accessible PDF:
tagged (/MarkInfo, a structure tree), /Lang nl and /Title, fonts embedded, its tables with
header cells (/TH) in the structure tree, the expected number of pages, and a QR code made from
exactly its reference (issue 5, Build 2 and 6).

No QR decoder is installed (no zbar or OpenCV), so the QR is checked at its source: the code is
made by qr_svg from the document's reference and nothing else, and qr_svg draws segno's code
of exactly that text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from portal.extensions import db as _db
from portal.paper import documents
from portal.paper.service import render_document
from tests.conftest import rolled_back
from tests.paper.conftest import TODAY, demo_rows, page_count

OCTOBER = dt.date(2026, 10, 1)


def _documents(demo) -> dict[str, tuple[object, int]]:
    """name -> (view-model, expected page count)."""
    by_model = {a.model: a for a in demo.agreements}  # the demo has all four model kinds
    docs = {f"agreement-{model}": (documents.agreement_document(a, TODAY), 2)
            for model, a in by_model.items()}
    docs["hour_sheet"] = (documents.hour_sheet_document(demo.jansen_agreements[1], OCTOBER,
                                                        TODAY), 2)
    # 3: the first page is a letter (the window envelope's address block, pdf_templates/_base).
    docs["statement-12"] = (documents.statement_document(
        demo.jansen.id, dt.date(2026, 1, 1), dt.date(2026, 12, 1), TODAY), 3)
    docs["statement-1"] = (documents.statement_document(demo.bakker.id, OCTOBER, OCTOBER,
                                                        TODAY), 1)
    docs["payment_spec"] = (documents.payment_spec_document(demo.payment, TODAY), 1)
    docs["refusal_letter"] = (documents.refusal_letter_document(demo.refused, TODAY), 1)
    return docs


@pytest.fixture(scope="module")
def rendered(app, demo_engine):
    """Every document made once for this module (they only read what is made): name -> (view
    model, HTML, PDF, expected page count)."""
    result = {}
    with app.app_context(), rolled_back(demo_engine):
        for name, (doc, pages) in _documents(demo_rows(_db.session)).items():
            html, pdf = render_document(doc)
            result[name] = (doc, html, pdf, pages)
    return result


def structure_types(pdf: bytes) -> set[str]:
    """Every structure type (/S) in the PDF's structure tree."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    seen: set[str] = set()
    stack = [root["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack.extend(node)
        elif hasattr(node, "get"):
            if node.get("/S") is not None:
                seen.add(str(node["/S"]))
            if node.get("/K") is not None:
                stack.append(node["/K"])
    return seen


def fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(base font, embedded) of every font used on a page."""
    result = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            result.append((str(described["/BaseFont"]), any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return result


def test_all_four_model_kinds_and_every_document_are_made(rendered):
    assert {name for name in rendered if name.startswith("agreement-")} == {
        "agreement-familie", "agreement-zorginstelling", "agreement-opdracht",
        "agreement-arbeid"}
    assert set(rendered) >= {"hour_sheet", "statement-12", "statement-1", "payment_spec",
                             "refusal_letter"}


def test_every_document_is_tagged_with_language_and_title(rendered):
    for name, (doc, _html, pdf, _pages) in rendered.items():
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"] in (True, "true"), name
        assert "/StructTreeRoot" in root, name
        assert root["/Lang"] == "nl", name
        assert reader.metadata.title == doc.title, name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true"), name


def test_every_document_embeds_its_fonts(rendered):
    for name, (_doc, _html, pdf, _pages) in rendered.items():
        used = fonts(pdf)
        assert used and all(embedded for _font, embedded in used), (name, used)
        assert any("PGB-Sans" in font for font, _ in used), (name, used)


def test_every_documents_tables_have_header_cells_in_the_structure_tree(rendered):
    for name, (_doc, html, pdf, _pages) in rendered.items():
        assert "<th scope=" in html, name
        types = structure_types(pdf)
        assert {"/Table", "/TR", "/TH", "/TD"} <= types, (name, sorted(types))
        assert "/H1" in types and "/Figure" in types, (name, sorted(types))  # title, QR code


def test_page_counts(rendered):
    for name, (_doc, _html, pdf, pages) in rendered.items():
        assert page_count(pdf) == pages, name


def test_the_employment_agreement_has_its_own_clauses(rendered):
    doc, html, _pdf, _pages = rendered["agreement-arbeid"]
    assert doc.model_label == "Arbeidsovereenkomst"
    assert "Een familielid kan geen arbeidsovereenkomst krijgen" in html
    from portal.demo.wages import WAGE_DAYS_PER_WEEK  # the demo's employment agreement

    assert f"<th scope=\"row\">Dagen per week</th><td>{WAGE_DAYS_PER_WEEK}</td>" in html
    assert "vast maandloon" in html  # the fixed wage line is part of the agreement


def test_each_qr_code_is_made_from_exactly_the_reference(demo, db, monkeypatch):
    made = []
    original = documents.qr_svg

    def spy(text, title):
        made.append(text)
        return original(text, title)

    monkeypatch.setattr(documents, "qr_svg", spy)
    docs = _documents(demo)
    assert made == [doc.reference for doc, _pages in docs.values()]  # one code each


def test_qr_svg_draws_segnos_code_of_that_text_and_titles_it():
    import segno

    from portal.paper.pdf import qr_svg

    svg = qr_svg("UB-202610-000042", "QR-code met het kenmerk UB-202610-000042")
    assert svg == segno.make("UB-202610-000042", error="m").svg_inline(
        scale=2, title="QR-code met het kenmerk UB-202610-000042", border=2)
    assert svg != qr_svg("UB-202610-000043", "QR-code met het kenmerk UB-202610-000042")
    assert "<title>QR-code met het kenmerk UB-202610-000042</title>" in svg


def test_the_qr_code_in_each_documents_html_is_that_of_its_reference(rendered):
    from portal.paper.pdf import qr_svg

    for name, (doc, html, _pdf, _pages) in rendered.items():
        expected = qr_svg(doc.reference, f"QR-code met het kenmerk {doc.reference}")
        assert str(doc.qr) == str(expected) and str(expected) in html, name
