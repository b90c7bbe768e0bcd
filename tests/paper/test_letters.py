"""The paper letters in the government letter layout: the addressee in the window of a C5
envelope, the sender and 'Heeft u vragen?' with the organisation's contact details, and for a
refusal what the person can do by which date (the same rule as the screen) and how to object.
Read from the PDF itself (pypdf)."""

from __future__ import annotations

import datetime as dt
import io

from portal.claims import rules
from portal.dates import format_day
from portal.paper import documents
from portal.paper.service import render_document
from tests.paper.conftest import TODAY, pdf_text

MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT_MM = 297
# The window of a C5 window envelope for an A4 folded in three (NEN 1026, venster links):
# 20 to 110 mm from the left, 45 to 90 mm from the top of the sheet.
WINDOW = (20, 45, 110, 90)


def texts_in_mm(pdf: bytes) -> list[tuple[float, float, str]]:
    """Every text run on page 1 with its position: (mm from the left, mm from the top, text)."""
    from pypdf import PdfReader

    found: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = cm[4] + tm[4] * cm[0]
            y = cm[5] + tm[5] * cm[3]
            found.append((x / MM, A4_HEIGHT_MM - y / MM, text.strip()))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def in_window(pdf: bytes, text: str) -> bool:
    left, top, right, bottom = WINDOW
    return any(left <= x <= right and top <= y <= bottom and text in t
               for x, y, t in texts_in_mm(pdf))


def test_a_refusal_made_on_6_december_gives_at_least_four_weeks(demo, db):
    """Finding: a sheet over September refused on 6 December said 'uiterlijk 9 December' (the
    normal deadline, 10 weeks after the month) - three days. After a refusal the person has at
    least RESUBMIT_WEEKS, on paper and on the screen alike (claims.rules.resubmit_deadline)."""
    claim = demo.refused
    # As in the finding: refused three days before the normal deadline (September's sheet
    # refused on 6 December: 'uiterlijk 9 december').
    refused_on = rules.submit_deadline(claim.month) - dt.timedelta(days=3)
    claim.decided_at = dt.datetime.combine(refused_on, dt.time(10, 0))
    doc = documents.refusal_letter_document(claim, refused_on)
    at_least = refused_on + dt.timedelta(weeks=4)
    assert doc.submit_by >= at_least, doc.submit_by
    assert not doc.late
    # The screen's rule says the same: submitting on the letter's last day is in time.
    assert rules.check_submit_in_time(claim.month, doc.submit_by, refused_on) == []
    assert rules.check_submit_in_time(claim.month, doc.submit_by + dt.timedelta(days=1),
                                      refused_on) != []
    text = pdf_text(render_document(doc)[1])
    assert f"uiterlijk {format_day(doc.submit_by)}" in text


def test_refusal_letter_is_a_letter_for_a_window_envelope(demo, db, app):
    doc = documents.refusal_letter_document(demo.refused, TODAY)
    _html, pdf = render_document(doc)
    text = pdf_text(pdf)
    org = app.config
    # The addressee in the window; the organisation's return address above it.
    assert in_window(pdf, doc.holder_name), texts_in_mm(pdf)[:12]
    assert in_window(pdf, "Postbus 1234")
    # Sender, date and reference, subject.
    assert org["PORTAL_ORG_NAME"] in text and f"Datum {format_day(TODAY)}" in text
    assert f"Ons kenmerk {doc.reference}" in text and f"Onderwerp {doc.title}" in text
    # Heeft u vragen? With the contact details.
    assert "Heeft u vragen?" in text
    assert org["PORTAL_ORG_PHONE"] in text and org["PORTAL_ORG_EMAIL"] in text
    assert org["PORTAL_ORG_HOURS"] in text
    # What to do and by when; how to object and complain.
    assert f"uiterlijk {format_day(doc.submit_by)}" in text
    assert "bezwaar" in text and "klacht" in text


def test_payment_specification_and_statement_are_letters_too(demo, db, app):
    spec = documents.payment_spec_document(demo.payment, TODAY)
    _html, pdf = render_document(spec)
    assert in_window(pdf, spec.provider_name)
    text = pdf_text(pdf)
    assert "Heeft u vragen?" in text and app.config["PORTAL_ORG_PHONE"] in text

    start = dt.date(TODAY.year, 1, 1)
    statement = documents.statement_document(demo.jansen.id, start, dt.date(TODAY.year, 12, 31),
                                             TODAY)
    _html, pdf = render_document(statement)
    assert in_window(pdf, statement.holder_name)
    text = pdf_text(pdf)
    assert "Heeft u vragen?" in text and app.config["PORTAL_ORG_EMAIL"] in text


def test_every_other_paper_document_names_the_organisation_and_its_phone(demo, db, app):
    agreement = demo.jansen_agreements[0]
    for doc in (documents.agreement_document(agreement, TODAY),
                documents.hour_sheet_document(agreement, dt.date(TODAY.year, TODAY.month - 1, 1),
                                              TODAY)):
        text = pdf_text(render_document(doc)[1])
        assert app.config["PORTAL_ORG_NAME"] in text and app.config["PORTAL_ORG_PHONE"] in text


def test_a_printed_sheet_with_hours_prints_them_as_a_copy_and_next_month_stays_blank(demo, db):
    """Finding: 'Urenbriefje printen' on a filled-in sheet printed a blank form."""
    from sqlalchemy import select

    from portal.claims.constants import ClaimStatus
    from portal.claims.grid import input_value
    from portal.claims.models import Claim
    from portal.dates import add_months

    paid = db.session.scalars(select(Claim).where(Claim.status == ClaimStatus.UITBETAALD)
                              .order_by(Claim.month)).first()
    agreement = next(a for a in demo.agreements if a.id == paid.agreement_id)
    doc = documents.hour_sheet_document(agreement, paid.month, TODAY)
    assert doc.copy_note.startswith("Kopie van het urenbriefje zoals het is ingediend op")
    text = pdf_text(render_document(doc)[1])
    assert "Kopie van het urenbriefje" in text and "Stuur deze kopie niet opnieuw in" in text
    line = paid.lines[0]
    day = next(d for d in doc.days if d.day == line.day)
    assert input_value(line.unit, line.quantity) in day.values
    assert any(total for total in doc.totals)

    later = max(c.month for c in db.session.scalars(
        select(Claim).where(Claim.agreement_id == agreement.id)))
    blank = documents.hour_sheet_document(agreement, add_months(later, 1), TODAY)
    assert blank.copy_note == "" and all(not d.values for d in blank.days)
    assert "Kopie" not in pdf_text(render_document(blank)[1])


def test_every_paper_document_points_to_privacy_accessibility_and_contact(demo, db, app):
    """Issue 12: every PDF names the three public pages and where they are (the website of
    PORTAL_ORG_WEBSITE and the path), like the footer of every page."""
    agreement = demo.jansen_agreements[0]
    last_month = dt.date(TODAY.year, TODAY.month - 1, 1)
    for doc in (documents.agreement_document(agreement, TODAY),
                documents.hour_sheet_document(agreement, last_month, TODAY)):
        text = " ".join(pdf_text(render_document(doc)[1]).split())
        for page, path in (("Privacy", "/privacy"), ("Toegankelijkheid", "/toegankelijkheid"),
                           ("Contact", "/contact")):
            assert f"{page}: " in text and path in text, (page, text[text.find("Op het PGB"):][:400])
        assert app.config["PORTAL_ORG_WEBSITE"].rstrip("/") in text
