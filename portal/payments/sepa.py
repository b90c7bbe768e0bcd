"""A payment run as a SEPA credit-transfer file (pain.001.001.03) for the payment office's bank.

One file per run, one batch (PmtInf), one transaction (CdtTrfTxInf) per payment: the provider's name and IBAN, the amount, end-to-end id
= the payment's reference (what the provider sees on the bank statement), remittance text =
the reference + "pgb". The debtor is the payment office's own account, from configuration
(PORTAL_PAYER_NAME / PORTAL_PAYER_IBAN / PORTAL_PAYER_BIC, see portal/config.py).

The requested execution date (ReqdExctnDt) is the run's date, or today when the file is
downloaded again later: a bank refuses (or moves) an order dated in the past, and the money is
owed now. sepaxml builds the XML and validates it against the XSD it ships before returning it;
the tests check it again against our own pinned copy of the official schema
(tests/payments/schemas/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sepaxml import SepaTransfer
from sqlalchemy import select

from portal.budgets.service import holder_labels
from portal.extensions import db
from portal.payments.constants import RunStatus
from portal.payments.models import Payment, PaymentRun
from portal.providers.models import Provider
from portal.refusals import Refusal, Refused

SCHEMA = "pain.001.001.03"
MEDIA_TYPE = "application/xml"


@dataclass(frozen=True)
class Payer:
    """The payment office's bank account: the debtor of every transfer."""

    name: str
    iban: str
    bic: str | None = None


def payer_from_config(config: Mapping[str, object]) -> Payer:
    """The configured account; refused (with what to set) when it is not configured."""
    name = str(config.get("PORTAL_PAYER_NAME") or "").strip()
    iban = str(config.get("PORTAL_PAYER_IBAN") or "").replace(" ", "").upper()
    bic = str(config.get("PORTAL_PAYER_BIC") or "").strip().upper() or None
    if not name or not iban:
        raise Refused(Refusal("payer_not_configured",
                              "De rekening van het betaalkantoor is niet ingesteld. Vraag de "
                              "beheerder van het portaal om PORTAL_PAYER_NAME en PORTAL_PAYER_IBAN "
                              "in te stellen."))
    return Payer(name=name, iban=iban, bic=bic)


def remittance_text(payment_reference: str) -> str:
    return f"{payment_reference} pgb"


class _RunTransfer(SepaTransfer):
    """sepaxml's transfer with the run's reference as message id (instead of a random one),
    so a file can be traced back to its run."""

    def __init__(self, config: dict, message_id: str):
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA)

    def _create_header(self):
        self.msg_id = self._message_id[:35]
        super()._create_header()


def filename(run: PaymentRun) -> str:
    return f"{run.reference}.xml"


def execution_date(run: PaymentRun, today: dt.date) -> dt.date:
    """The date the bank is asked to pay: the run's date, never a day in the past."""
    return max(run.run_on, today)


def _payee_name(payment: Payment, providers: Mapping[int, str], holders: Mapping[int, str]
                ) -> str:
    if payment.provider_id is not None:
        return providers[payment.provider_id]
    assert payment.household_id is not None  # exactly one is set (payments' check constraint)
    return holders[payment.household_id]


def build_sepa_xml(run: PaymentRun, payer: Payer, today: dt.date) -> bytes:
    """The run's pain.001.001.03 file (UTF-8 bytes), validated against the schema by sepaxml.

    `today`: the day the file is made; the execution date is never before it."""
    if run.status == RunStatus.BEZIG:  # paying batch by batch: its file is not complete yet
        raise Refused(Refusal("run_in_progress", "Deze betaalronde is nog bezig. Download het "
                              "SEPA-bestand als de betaalronde klaar is."))
    pay_on = execution_date(run, today)
    config: dict = {"name": payer.name, "IBAN": payer.iban, "batch": True, "currency": "EUR"}
    if payer.bic:
        config["BIC"] = payer.bic
    transfer = _RunTransfer(config, run.reference)
    providers = {p.id: p.name for p in db.session.scalars(
        select(Provider).where(Provider.id.in_({p.provider_id for p in run.payments
                                                if p.provider_id is not None})))}
    holders = holder_labels({p.household_id for p in run.payments if p.household_id})
    for payment in sorted(run.payments, key=lambda p: p.id):
        transfer.add_payment({
            "name": _payee_name(payment, providers, holders)[:70],
            "IBAN": payment.iban.replace(" ", "").upper(),
            "amount": int(payment.amount_cents),  # sepaxml takes integer cents
            "execution_date": pay_on,
            "description": remittance_text(payment.reference),
            "endtoend_id": payment.reference,
        })
    return transfer.export(validate=True)
