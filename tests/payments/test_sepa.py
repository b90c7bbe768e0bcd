"""The SEPA credit-transfer file (pain.001.001.03) of a payment run, checked against the
official XSD with lxml (independently of the check sepaxml makes itself)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
from lxml import etree
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import User
from portal.demo.seed import BEHEERDER, seed_demo
from portal.payments.models import PaymentRun
from portal.payments.sepa import Payer, build_sepa_xml, payer_from_config, remittance_text
from portal.payments.service import execute_run
from portal.refusals import Refused
from tests import factories as f
from tests.payments.builders import make_approved_claim

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
TODAY = dt.date(2026, 11, 25)
PAYER = Payer(name="Betaalkantoor Test", iban="NL91ABNA0417164300", bic="ABNANL2A")


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def parse_valid(xml: bytes, schema) -> etree._Element:
    doc = etree.fromstring(xml)
    schema.assertValid(doc)  # raises with the schema's reason when the file is not valid
    return doc


def text(doc, path: str) -> str:
    return doc.find(path, NS).text


def test_the_demo_payment_run_validates_and_its_header_matches_the_run(db, schema):
    seed_demo(TODAY)
    office = db.session.scalar(select(User).where(User.email == BEHEERDER.email))
    outcome = execute_run(office, TODAY)
    run = outcome.run
    assert run is not None and len(run.payments) >= 1

    doc = parse_valid(build_sepa_xml(run, PAYER), schema)

    header = "p:CstmrCdtTrfInitn/p:GrpHdr/"
    assert int(text(doc, header + "p:NbOfTxs")) == len(run.payments)
    assert Decimal(text(doc, header + "p:CtrlSum")) * 100 == run.total_cents
    assert text(doc, header + "p:MsgId") == run.reference
    info = "p:CstmrCdtTrfInitn/p:PmtInf/"
    assert text(doc, info + "p:ReqdExctnDt") == TODAY.isoformat()
    assert text(doc, info + "p:DbtrAcct/p:Id/p:IBAN") == PAYER.iban
    assert text(doc, info + "p:DbtrAgt/p:FinInstnId/p:BIC") == PAYER.bic
    transactions = doc.findall(info + "p:CdtTrfTxInf", NS)
    assert [(text(t, "p:PmtId/p:EndToEndId"), text(t, "p:CdtrAcct/p:Id/p:IBAN"),
             int(Decimal(text(t, "p:Amt/p:InstdAmt")) * 100), text(t, "p:RmtInf/p:Ustrd"))
            for t in transactions] == [
        (p.reference, p.iban, p.amount_cents, remittance_text(p.reference))
        for p in sorted(run.payments, key=lambda p: p.id)]
    assert all(t.find("p:Amt/p:InstdAmt", NS).get("Ccy") == "EUR" for t in transactions)


def test_every_earlier_demo_run_validates_too(db, schema):
    seed_demo(TODAY)
    runs = db.session.scalars(select(PaymentRun)).all()
    assert len(runs) >= 8
    for run in runs:
        doc = parse_valid(build_sepa_xml(run, PAYER), schema)
        assert int(text(doc, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs")) == len(run.payments)


def test_amounts_are_exact_cents_and_names_are_made_bank_safe(db, schema):
    provider = f.make_provider(name="Zoë Çelik-Ğüneş", iban="NL20 INGB 0001 2345 67")
    make_approved_claim(f.make_agreement(provider=provider), dt.date(2026, 3, 1), minutes=[15])
    run = execute_run(f.make_user(Role.BEHEERDER), dt.date(2026, 4, 10)).run
    assert run.total_cents == 1_500  # a quarter at EUR 60 an hour

    doc = parse_valid(build_sepa_xml(run, Payer(name="Betaalkantoor", iban="NL91ABNA0417164300")),
                      schema)
    tx = doc.find("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", NS)
    assert text(tx, "p:Amt/p:InstdAmt") == "15.00"
    assert text(tx, "p:Cdtr/p:Nm") == "Zoe Celik-Gunes"
    assert text(tx, "p:CdtrAcct/p:Id/p:IBAN") == "NL20INGB0001234567"
    assert doc.find("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BIC", NS) is None


def test_without_a_configured_account_the_file_is_refused_with_what_to_set():
    with pytest.raises(Refused) as refused:
        payer_from_config({"PORTAL_PAYER_NAME": "Betaalkantoor", "PORTAL_PAYER_IBAN": " "})
    assert refused.value.codes == ["payer_not_configured"]
    assert "PORTAL_PAYER_IBAN" in refused.value.refusals[0].message


def test_a_configured_account_is_normalised():
    payer = payer_from_config({"PORTAL_PAYER_NAME": " Betaalkantoor ",
                               "PORTAL_PAYER_IBAN": "nl91 abna 0417 1643 00",
                               "PORTAL_PAYER_BIC": ""})
    assert payer == Payer(name="Betaalkantoor", iban="NL91ABNA0417164300", bic=None)


def test_development_has_a_demo_account_and_production_none(tmp_path):
    from portal.config import load_config

    dev = load_config({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert payer_from_config(dev).iban == "NL91ABNA0417164300"
    prod = load_config({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 40,
                        "PORTAL_DATABASE_URL": "sqlite://", "PORTAL_INSTANCE_DIR": str(tmp_path)})
    with pytest.raises(Refused):
        payer_from_config(prod)
