"""The one render function: tagged PDF/UA, title and language, fonts embedded, page numbers,
and a URL fetcher that serves only our own static files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from portal.paper.pdf import FetchRefused, qr_svg, render_pdf, static_path, url_fetcher
from tests.paper.conftest import page_count, pdf_text


def _reference(text="Hallo"):
    from types import SimpleNamespace

    return SimpleNamespace(title="Proefdocument", reference="REF-000001", made_on=dt.date(2026, 3, 5),
                           qr=qr_svg("REF-000001", "QR-code met het kenmerk REF-000001"), text=text)


@pytest.fixture(scope="module")
def reference_pdf():
    return render_pdf("reference.html", {"doc": _reference()})


def test_render_returns_the_html_and_a_pdf(reference_pdf):
    html, pdf = reference_pdf
    assert '<html lang="nl">' in html and "<title>Proefdocument</title>" in html
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert "Proefdocument" in text and "5 maart 2026" in text
    assert "pagina 1 van 1" in text


def test_pdf_is_tagged_with_title_and_language(reference_pdf):
    reader = PdfReader(io.BytesIO(reference_pdf[1]))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] in (True, "true")
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert reader.metadata.title == "Proefdocument"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")


def test_fonts_are_embedded(reference_pdf):
    reader = PdfReader(io.BytesIO(reference_pdf[1]))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            fonts.append((str(described["/BaseFont"]),
                          any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    assert fonts, "no fonts found"
    assert all(embedded for _name, embedded in fonts), fonts
    assert any("PGB-Sans" in name for name, _ in fonts), fonts  # DejaVu, through @font-face


def test_qr_code_is_an_svg_figure_with_alternative_text(reference_pdf):
    html, _pdf = reference_pdf
    assert "<svg" in html and "<title>QR-code met het kenmerk REF-000001</title>" in html


def test_fetcher_serves_our_static_files_only():
    fetch = url_fetcher()
    response = fetch("pgb-static:css/portal.css")
    assert b"{" in response.read()
    assert static_path("pgb-static:/css/portal.css").name == "portal.css"
    for url in ("file:///etc/passwd", "http://example.org/x.css", "https://example.org/",
                "data:text/plain,hallo", "pgb-static:../pyproject.toml",
                "pgb-static:/../../etc/passwd", "pgb-static:", "pgb-static:css/bestaat-niet.css",
                "ftp://example.org/x"):
        with pytest.raises(FetchRefused):
            fetch(url)


def test_user_text_is_escaped_and_never_fetched():
    seen = []
    fetcher = url_fetcher()
    original = fetcher.fetch

    def spy(url, headers=None):
        seen.append(url)
        return original(url, headers)

    fetcher.fetch = spy
    note = '<img src="file:///etc/passwd"><link rel="stylesheet" href="https://example.org/x.css">'
    html, pdf = render_pdf("reference.html", {"doc": _reference(note)}, fetcher=fetcher)
    assert "<img src" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert '<img src="file:///etc/passwd">' in pdf_text(pdf).replace("\n", "")
    assert all(url.startswith("pgb-static:") for url in seen), seen
    assert not any("passwd" in url or "example.org" in url for url in seen)


def test_the_stylesheet_fetcher_reads_installed_fonts_only():
    from portal.paper.pdf import stylesheet_fetcher

    fetch = stylesheet_fetcher()
    assert fetch("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").read(4) == b"\x00\x01\x00\x00"
    for url in ("file:///etc/passwd", "file:///usr/share/fonts/../../../etc/passwd",
                "file://example.org/usr/share/fonts/x.ttf", "https://example.org/f.ttf"):
        with pytest.raises(FetchRefused):
            fetch(url)


def test_no_font_falls_back(caplog):
    render_pdf("reference.html", {"doc": _reference()})
    assert not [r for r in caplog.records if "cannot be loaded" in r.getMessage()]


def test_release_removes_weasyprints_font_folder():
    """A worker process calls release() when it ends: the fonts WeasyPrint copied into /tmp for
    our @font-face rules go with it (its own __del__ does not run while layouts refer to it)."""
    from portal.paper import pdf

    render_pdf("reference.html", {"doc": _reference()})
    folder = pdf._STYLE_CACHE["font_config"]._folder
    assert folder is not None and folder.is_dir()
    pdf.release()
    assert not folder.exists() and not pdf._STYLE_CACHE
    render_pdf("reference.html", {"doc": _reference()})  # loads them again when needed
    assert pdf._STYLE_CACHE["font_config"]._folder.is_dir()
