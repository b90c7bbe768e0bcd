"""The uploaded signed agreement (PDF): checked by its content, stored privately.

Checks first (all of them), write last: at most 10 MB, not also a web page (an HTML/PDF
polyglot), a PDF that qpdf (pikepdf) can read with at least one page, no password, and no
active content anywhere in it - JavaScript, actions that start a program, send or read form
data, attached files, rich media, XFA forms. Every object of the file is looked at, not only
those a viewer would reach. What is stored is the PDF as qpdf writes it again: only the
objects the document uses, nothing appended behind them, so the stored file is the one that
was checked. The file name must be a plain name.

The file goes under a random name into PORTAL_UPLOAD_DIR, which lies outside static/: it is
only ever served through a permission-checked view, as an attachment in a sandbox
(portal.headers.as_uploaded_file). The sha256 is recorded and checked again when the file is
opened.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

import pikepdf
from flask import current_app

from portal.agreements.models import AgreementDocument
from portal.extensions import db
from portal.refusals import Refusal

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

NOT_A_PDF = ("Dit bestand is geen PDF. Scan de ondertekende overeenkomst en sla de scan op als "
             "PDF-bestand. Upload daarna dat bestand.")
# What to do instead, after each reason an active PDF is refused.
SCAN_AGAIN = (" Daarom nemen we het niet aan. Scan de ondertekende papieren overeenkomst en "
              "upload die scan, of sla het bestand opnieuw op met 'Afdrukken als PDF'.")

# A name anywhere in the PDF (a key or a value, e.g. /S /Launch) -> why it is refused.
ACTIVE_CONTENT: dict[str, tuple[str, str]] = {}
for _names, _code, _why in (
    (("/JS", "/JavaScript"), "pdf_javascript",
     "Deze PDF bevat JavaScript: een programmaatje dat kan starten als iemand het bestand opent."),
    (("/Launch",), "pdf_launch",
     "Deze PDF probeert een ander programma of bestand te openen."),
    (("/SubmitForm",), "pdf_submit_form",
     "Deze PDF bevat een formulier dat gegevens naar internet kan versturen."),
    (("/ImportData",), "pdf_import_data",
     "Deze PDF bevat een formulier dat gegevens uit een ander bestand kan inlezen."),
    (("/EmbeddedFiles", "/EmbeddedFile", "/FileAttachment"), "pdf_embedded_files",
     "In deze PDF zitten andere bestanden (bijlagen)."),
    (("/RichMedia", "/RichMediaContent", "/RichMediaExecute"), "pdf_rich_media",
     "Deze PDF bevat video, geluid of Flash."),
    (("/XFA",), "pdf_xfa",
     "Deze PDF is een XFA-formulier: een formulier met eigen programmacode."),
):
    for _name in _names:
        ACTIVE_CONTENT[_name] = (_code, _why + SCAN_AGAIN)

# What makes a browser take bytes for a web page (the HTML patterns of the WHATWG MIME
# sniffing standard, and the tags an HTML/PDF polyglot needs), in the first kilobytes.
HTML_SNIFF_BYTES = 4096
HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|style|title|table|div|font|"
    rb"h1|br|object|embed|meta|img|link|form)[\s>/]|<a\s+href\s*=", re.IGNORECASE)
HTML_REFUSAL = Refusal(
    "file_html", "Dit bestand is tegelijk een PDF en een webpagina (HTML). Zo'n bestand kan "
    "gevaarlijk zijn voor wie het opent." + SCAN_AGAIN, "file")

BAD_NAME = Refusal(
    "file_name", "De naam van het bestand bevat tekens die niet in een bestandsnaam horen, "
    "zoals '..' (een map hoger) of onzichtbare tekens die de leesrichting omdraaien. Geef het "
    "bestand een gewone naam, bijvoorbeeld overeenkomst.pdf, en upload het opnieuw.", "file")


@dataclass(frozen=True)
class PdfCheck:
    """The verdict on an upload; `data` is the PDF to store (as qpdf wrote it again)."""

    refusals: list[Refusal]
    page_count: int = 0
    data: bytes = b""


def check_file_name(filename: str | None) -> list[Refusal]:
    """A name that climbs folders ('..') or holds control or direction characters is refused.
    (A folder in front of the name, as an old browser sends C:\\scans\\scan.pdf, is dropped by
    clean_filename.)"""
    name = str(filename or "")
    if (any(part.strip() in (".", "..") for part in re.split(r"[/\\]", name))
            or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)):
        return [BAD_NAME]
    return []


def check_upload(data: bytes, filename: str | None) -> PdfCheck:
    """check_pdf, and the file name too."""
    pdf = check_pdf(data)
    refusals = check_file_name(filename) + pdf.refusals
    return PdfCheck(refusals, pdf.page_count, pdf.data) if refusals else pdf


def _refused(code: str, message: str) -> PdfCheck:
    return PdfCheck([Refusal(code, message, "file")])


def check_pdf(data: bytes) -> PdfCheck:
    """Is `data` a readable PDF of at most 10 MB, with at least one page and nothing active
    in it? If so, the PDF written again by qpdf (PdfCheck.data)."""
    if not data:
        return _refused("file_empty", "Het bestand is leeg. Kies het PDF-bestand met de "
                        "ondertekende overeenkomst.")
    if len(data) > MAX_UPLOAD_BYTES:
        return _refused("file_too_large", "Het bestand is groter dan 10 MB. Scan de overeenkomst "
                        "met een lagere resolutie, of in zwart-wit, en probeer het opnieuw.")
    if HTML_MARKERS.search(data[:HTML_SNIFF_BYTES]):
        return PdfCheck([HTML_REFUSAL])
    if not data.startswith(PDF_MAGIC):
        return _refused("file_not_pdf", NOT_A_PDF)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                return _refused("file_encrypted", "Deze PDF is beveiligd met een wachtwoord. Sla "
                                "de scan op zonder wachtwoord en upload hem opnieuw.")
            found = active_content(pdf)
            if found:
                return PdfCheck(found)
            pages = len(pdf.pages)
            if pages < 1:
                return _refused("file_no_pages", "Deze PDF heeft geen pagina's. Upload de scan "
                                "van de ondertekende overeenkomst.")
            out = io.BytesIO()
            pdf.save(out, compress_streams=True)
    except pikepdf.PasswordError:
        return _refused("file_encrypted", "Deze PDF is beveiligd met een wachtwoord. Sla de scan "
                        "op zonder wachtwoord en upload hem opnieuw.")
    except Exception:  # qpdf raises several kinds of errors on broken files
        return _refused("file_broken", "Dit PDF-bestand is beschadigd en kan niet geopend "
                        "worden. Sla de scan opnieuw op als PDF en upload hem nog een keer.")
    return PdfCheck([], pages, out.getvalue())


def active_content(pdf: pikepdf.Pdf) -> list[Refusal]:
    """A refusal for each kind of active content named anywhere in the file: every object,
    also one no page refers to, and every dictionary and array inside it."""
    codes: dict[str, Refusal] = {}
    for obj in pdf.objects:
        for name in _names_in(obj):
            if name in ACTIVE_CONTENT:
                code, message = ACTIVE_CONTENT[name]
                codes.setdefault(code, Refusal(code, message, "file"))
    return list(codes.values())


def _names_in(obj) -> set[str]:
    """The names used as keys or values in `obj` and the direct objects inside it (an
    indirect object inside is one of pdf.objects of its own)."""
    names: set[str] = set()
    todo = [obj]
    while todo:
        item = todo.pop()
        if not isinstance(item, pikepdf.Object) or (item.is_indirect and item is not obj):
            continue  # a number or string; or an object of its own in pdf.objects
        if isinstance(item, pikepdf.Stream):
            item = item.stream_dict
        if isinstance(item, pikepdf.Name):
            names.add(str(item))
        elif isinstance(item, pikepdf.Dictionary):
            for key, value in item.items():
                names.add(key)
                todo.append(value)
        elif isinstance(item, pikepdf.Array):
            todo.extend(item)
    return names


def upload_dir() -> Path:
    return Path(current_app.config["PORTAL_UPLOAD_DIR"])


def clean_filename(filename: str | None) -> str:
    name = PurePath(str(filename or "").replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "overeenkomst.pdf")[-255:]


def store_document(agreement_id: int, data: bytes, filename: str | None, *,
                   page_count: int, uploaded_by_id: int | None) -> AgreementDocument:
    """Add the document row, flush, then write the file. Call only after check_upload passed,
    with the PDF it gave back (PdfCheck.data)."""
    stored_name = secrets.token_hex(16) + ".pdf"
    doc = AgreementDocument(agreement_id=agreement_id, stored_name=stored_name,
                            original_name=clean_filename(filename), size_bytes=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), page_count=page_count,
                            uploaded_by_id=uploaded_by_id)
    db.session.add(doc)
    db.session.flush()
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    with open(path, "xb") as fh:  # never overwrite
        fh.write(data)
    return doc


class DocumentDamaged(RuntimeError):
    """The stored file is missing or no longer matches its recorded checksum."""


def open_document(doc: AgreementDocument) -> bytes:
    """The bytes of a stored document (checked against its sha256). Check permissions first."""
    name = doc.stored_name
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise DocumentDamaged(f"stored name {name!r} is not a plain file name")
    path = upload_dir() / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentDamaged(f"document {doc.id} is missing from the upload folder") from None
    if hashlib.sha256(data).hexdigest() != doc.sha256:
        raise DocumentDamaged(f"document {doc.id} does not match its checksum")
    return data
