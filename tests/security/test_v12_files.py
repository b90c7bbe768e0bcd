"""ASVS V12 (files and resources): the signed agreement scan is the one file a user uploads.

V12.1.1 size, V12.2.1 content matches the type, V12.3.1 no path in the stored name, V12.4.1
stored outside the web root under a random name, V12.5.2 served as an attachment in a sandbox
(tests/security/test_v14_headers.py), V12.6 / V5.2.x no active content passes.
"""

from __future__ import annotations

import hashlib
import io
import os

import pikepdf
import pytest
from sqlalchemy import func, select

from portal.agreements import storage
from portal.agreements.models import AgreementDocument
from tests.test_permission_matrix import build_world


def clean_pdf(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_with(change) -> bytes:
    """A one-page PDF, changed by change(pdf) before it is written."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def open_action(**action):
    def change(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(**action))
    return change


def annotation(**annot):
    def change(pdf):
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Rect=[0, 0, 10, 10], **annot))]))
    return change


def embedded_file(pdf):
    pdf.attachments["virus.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", mime_type="x")


def xfa_form(pdf):
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(),
                                           XFA=pdf.make_stream(b"<xdp:xdp/>"))


JAVASCRIPT = pdf_with(open_action(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
LAUNCH = pdf_with(open_action(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")))
PAGE = clean_pdf()
# A browser takes this for a web page; a PDF reader for a PDF.
POLYGLOT = PAGE.replace(b"\n", b"\n%<html><body><script>alert(1)</script></body></html>\n", 1)
GARBAGE = b"%PDF-1.7\n" + bytes(range(256)) * 40
OVER_THE_LIMIT = b"%PDF-1.4\n" + b"0" * (storage.MAX_UPLOAD_BYTES + 1 - 9)

# (what, bytes, file name, refusal code): the upload set of issue 9.
REFUSED_UPLOADS = [
    ("javascript", JAVASCRIPT, "overeenkomst.pdf", "pdf_javascript"),
    ("launch", LAUNCH, "overeenkomst.pdf", "pdf_launch"),
    ("polyglot", POLYGLOT, "overeenkomst.pdf", "file_html"),
    ("garbage", GARBAGE, "overeenkomst.pdf", "file_broken"),
    ("empty", b"", "overeenkomst.pdf", "file_empty"),
    ("one byte over", OVER_THE_LIMIT, "overeenkomst.pdf", "file_too_large"),
    ("climbs folders", PAGE, "../../instance/overeenkomst.pdf", "file_name"),
    ("climbs folders (Windows)", PAGE, "..\\..\\overeenkomst.pdf", "file_name"),
    ("direction mark", PAGE, "overeenkomst\u202efdp.exe", "file_name"),
]


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def draft(app, db, uploads, client, login):
    """Household A's draft agreement, its budget holder logged in; the upload folder empty."""
    with app.test_request_context():
        world = build_world(db)
    for name in os.listdir(uploads):  # build_world's own document
        os.remove(uploads / name)
    login(world["users"]["holder_a"])
    return world["ids"]["draft"]


def upload(client, agreement_id, data, name):
    """A browser's upload, encoded by hand: the file name goes out exactly as given (and the
    test client keeps no temporary file of its own open)."""
    quoted = name.replace("\\", "\\\\").replace('"', '\\"').encode()
    body = (b"--grens\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + quoted
            + b"\"\r\nContent-Type: application/pdf\r\n\r\n" + data + b"\r\n--grens--\r\n")
    return client.post(f"/overeenkomsten/{agreement_id}/papier", data=body,
                       content_type="multipart/form-data; boundary=grens")


def documents(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AgreementDocument))


@pytest.mark.parametrize(("what", "data", "name", "code"), REFUSED_UPLOADS,
                         ids=[u[0] for u in REFUSED_UPLOADS])
def test_v12_refused_uploads_say_why_in_dutch_and_store_nothing(what, data, name, code, draft,
                                                                client, db, uploads):
    """V12.1.1, V12.2.1, V12.3.1, V5.2.x: each upload of the set is refused with its own Dutch
    reason next to the file field, and neither a file nor a row is stored."""
    before = documents(db)
    response = upload(client, draft, data, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = next(r.message for r in _refusals(data, name) if r.code == code)
    assert message.split(".")[0] in page.replace("&#39;", "'")
    assert documents(db) == before
    assert not uploads.exists() or os.listdir(uploads) == []


def _refusals(data, name):
    return storage.check_upload(data, name).refusals


def test_v12_each_kind_of_active_content_has_its_own_reason():
    """V12.2.1 / V5.2: JavaScript (also hidden behind an escaped name), launch, submit-form,
    import-data, embedded files, rich media and XFA are each refused with their own reason."""
    hidden = JAVASCRIPT.replace(b"/JavaScript", b"/J#61vaScript")  # qpdf reads it as /JavaScript
    cases = {
        "pdf_javascript": [JAVASCRIPT, hidden, pdf_with(annotation(
            Subtype=pikepdf.Name.Link, A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                          JS=pikepdf.String("x"))))],
        "pdf_launch": [LAUNCH],
        "pdf_submit_form": [pdf_with(open_action(S=pikepdf.Name.SubmitForm,
                                                 F=pikepdf.String("https://evil.example/")))],
        "pdf_import_data": [pdf_with(open_action(S=pikepdf.Name.ImportData,
                                                 F=pikepdf.String("data.fdf")))],
        "pdf_embedded_files": [pdf_with(embedded_file),
                               pdf_with(annotation(Subtype=pikepdf.Name.FileAttachment))],
        "pdf_rich_media": [pdf_with(annotation(Subtype=pikepdf.Name.RichMedia))],
        "pdf_xfa": [pdf_with(xfa_form)],
    }
    messages = set()
    for code, files in cases.items():
        for data in files:
            check = storage.check_pdf(data)
            assert [r.code for r in check.refusals] == [code]
            assert check.data == b""
            messages.add(check.refusals[0].message)
    assert len(messages) == len(cases)


def test_v12_a_clean_pdf_is_stored_as_qpdf_wrote_it_again(draft, client, db, uploads):
    """V12.2.1 / V12.4.1: what is stored is the checked PDF written again (whatever followed
    the document in the upload is gone), under a random name, with its checksum."""
    data = clean_pdf(pages=2) + b"\n" + b" " * 5000 + b"<script>alert(1)</script>\n"
    response = upload(client, draft, data, "getekend.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)
    doc = db.session.scalar(select(AgreementDocument).where(
        AgreementDocument.agreement_id == draft))
    stored = (uploads / doc.stored_name).read_bytes()
    assert os.listdir(uploads) == [doc.stored_name] and doc.stored_name != "getekend.pdf"
    assert b"<script" not in stored and stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == doc.sha256 and doc.size_bytes == len(stored)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 2 == doc.page_count
    assert doc.original_name == "getekend.pdf"
