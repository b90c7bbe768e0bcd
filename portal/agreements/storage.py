"""The uploaded signed agreement (PDF): checked by its content, stored privately.

Checks first (all of them), write last: PDF only (the bytes start with %PDF- and pypdf reads at
least one page), at most 10 MB. The file goes under a random name into PORTAL_UPLOAD_DIR, which
lies outside static/: it is only ever served through a permission-checked view. The sha256 is
recorded and checked again when the file is opened.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from pypdf import PdfReader

from portal.agreements.models import AgreementDocument
from portal.extensions import db
from portal.refusals import Refusal

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

NOT_A_PDF = ("Dit bestand is geen PDF. Scan de ondertekende overeenkomst en sla de scan op als "
             "PDF-bestand. Upload daarna dat bestand.")


@dataclass(frozen=True)
class PdfCheck:
    refusals: list[Refusal]
    page_count: int = 0


def check_pdf(data: bytes) -> PdfCheck:
    """Is `data` a readable PDF of at most 10 MB with at least one page?"""
    if not data:
        return PdfCheck([Refusal("file_empty", "Het bestand is leeg. Kies het PDF-bestand met de "
                                 "ondertekende overeenkomst.", "file")])
    if len(data) > MAX_UPLOAD_BYTES:
        return PdfCheck([Refusal("file_too_large", "Het bestand is groter dan 10 MB. Scan de "
                                 "overeenkomst met een lagere resolutie, of in zwart-wit, en "
                                 "probeer het opnieuw.", "file")])
    if not data.startswith(PDF_MAGIC):
        return PdfCheck([Refusal("file_not_pdf", NOT_A_PDF, "file")])
    try:
        # strict=False: scanners write slightly irregular PDFs that are fine to read; pypdf
        # reports those irregularities through logging, not by failing.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return PdfCheck([Refusal("file_encrypted", "Deze PDF is beveiligd met een "
                                     "wachtwoord. Sla de scan op zonder wachtwoord en upload "
                                     "hem opnieuw.", "file")])
        pages = len(reader.pages)
    except Exception:  # pypdf raises many kinds of errors on broken files
        return PdfCheck([Refusal("file_broken", "Dit PDF-bestand is beschadigd en kan niet "
                                 "geopend worden. Sla de scan opnieuw op als PDF en upload hem "
                                 "nog een keer.", "file")])
    if pages < 1:
        return PdfCheck([Refusal("file_no_pages", "Deze PDF heeft geen pagina's. Upload de scan "
                                 "van de ondertekende overeenkomst.", "file")])
    return PdfCheck([], pages)


def upload_dir() -> Path:
    return Path(current_app.config["PORTAL_UPLOAD_DIR"])


def clean_filename(filename: str | None) -> str:
    name = PurePath(str(filename or "").replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "overeenkomst.pdf")[-255:]


def store_document(agreement_id: int, data: bytes, filename: str | None, *,
                   page_count: int, uploaded_by_id: int | None) -> AgreementDocument:
    """Add the document row, flush, then write the file. Call only after check_pdf passed."""
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
