"""Pure decisions about payment runs: no Flask, no session. Plain data in, verdict out.

A run pays every approved, unpaid claim to the IBAN of the agreement version the claim falls
under; each provider gets one transfer per run per account, for the sum of those claims. What
is paid per claim is what the claim reserved on its grants (its shares), which must add up to
the claim's total. A claim whose agreement has no valid IBAN waits for a later run
(check_payment_account); it does not stop the run for everyone else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from portal.identifiers import check_iban
from portal.money import format_euro
from portal.refusals import Refusal

REFERENCE_PREFIX = "PGB"


@dataclass(frozen=True)
class PayableClaim:
    """What a run needs to know of one approved claim."""

    claim_id: int
    provider_id: int | None  # None: paid to the budget holder (to_holder)
    iban: str  # of the agreement version the claim falls under (compact, upper case)
    household_id: int
    amount_cents: int
    # A Wlz vrij besteedbaar bedrag: paid to the household's own account, not a provider.
    to_holder: bool = False

    @property
    def payee_key(self) -> int:
        """The provider's id, or the household's id made negative for a budget holder."""
        if self.to_holder:
            return -self.household_id
        assert self.provider_id is not None  # only a claim paid to the holder has no provider
        return self.provider_id


@dataclass(frozen=True)
class PlannedPayment:
    """One transfer to one provider's account: which claims it pays and how much in total."""

    number: int  # 1, 2, ... within the run, in provider and IBAN order
    provider_id: int | None
    iban: str
    claims: tuple[PayableClaim, ...]
    holder_household_id: int | None = None  # a payment to a budget holder's own account

    @property
    def payee_key(self) -> int:
        return self.claims[0].payee_key

    @property
    def amount_cents(self) -> int:
        return sum(c.amount_cents for c in self.claims)

    @property
    def claim_ids(self) -> tuple[int, ...]:
        return tuple(c.claim_id for c in self.claims)


def group_into_payments(claims: Sequence[PayableClaim]) -> list[PlannedPayment]:
    """One payment per provider and IBAN, in provider id and IBAN order; claims in id order
    within a payment. A provider paid on two accounts (two agreements, two IBANs) gets two.

    A claim of zero euro needs no transfer; a provider whose claims add up to zero gets no
    payment (the service closes those claims without one, see `zero_claims`).

    A claim-back (amount below zero, claims.corrections) is netted, oldest first, against
    the provider's largest payment of this run that stays above zero after it; a transfer is
    never negative or empty. A claim-back larger than what the provider is due now is in no
    payment: it is carried over to a later run (`carried_over`).
    """
    per_account: dict[tuple[int, str], list[PayableClaim]] = {}
    claim_backs = []
    for claim in sorted(claims, key=lambda c: c.claim_id):
        if claim.amount_cents < 0:
            claim_backs.append(claim)
        elif claim.amount_cents > 0:
            per_account.setdefault((claim.payee_key, claim.iban), []).append(claim)
    totals = {key: sum(c.amount_cents for c in mine) for key, mine in per_account.items()}
    for claim_back in claim_backs:
        room = [key for key in sorted(per_account) if key[0] == claim_back.payee_key
                and totals[key] + claim_back.amount_cents > 0]
        if not room:
            continue
        key = max(room, key=lambda k: totals[k])  # the first of the largest
        per_account[key].append(claim_back)
        totals[key] += claim_back.amount_cents
    payments: list[PlannedPayment] = []
    # providers first (in id order), then the budget holders paid on their own account
    for payee, iban in sorted(per_account, key=lambda k: (k[0] < 0, abs(k[0]), k[1])):
        mine = tuple(sorted(per_account[payee, iban], key=lambda c: c.claim_id))
        payments.append(PlannedPayment(number=len(payments) + 1,
                                       provider_id=payee if payee > 0 else None, iban=iban,
                                       claims=mine,
                                       holder_household_id=-payee if payee < 0 else None))
    return payments


def carried_over(claims: Sequence[PayableClaim], payments: Sequence[PlannedPayment]
                 ) -> list[PayableClaim]:
    """The claim-backs a run could not net (the provider is due less now): for a later run."""
    netted = {c.claim_id for p in payments for c in p.claims}
    return [c for c in claims if c.amount_cents < 0 and c.claim_id not in netted]


def zero_claims(claims: Sequence[PayableClaim]) -> list[PayableClaim]:
    """Approved claims of zero euro: closed as paid without a transfer."""
    return sorted((c for c in claims if c.amount_cents == 0), key=lambda c: c.claim_id)


class HasAmount(Protocol):
    @property
    def amount_cents(self) -> int: ...


def run_total(payments: Sequence[HasAmount]) -> int:
    """The total of a run's transfers: the one home of the figure the runs page (the next
    run), the confirmation page and the run as executed start from."""
    return sum(p.amount_cents for p in payments)


def run_reference(run_on: dt.date, run_number: int) -> str:
    """'PGB-20261125-0007': the day of the run and the run's own number."""
    if run_number < 1:
        raise ValueError("run_number starts at 1")
    return f"{REFERENCE_PREFIX}-{run_on:%Y%m%d}-{run_number:04d}"


def payment_reference(run_on: dt.date, run_number: int, payment_number: int) -> str:
    """'PGB-20261125-0007-003': what the provider sees on the bank statement."""
    if payment_number < 1:
        raise ValueError("payment_number starts at 1")
    return f"{run_reference(run_on, run_number)}-{payment_number:03d}"


def check_claim_amounts(claim_id: int, reference: str, total_cents: int,
                        shares: Mapping[int, int]) -> list[Refusal]:
    """A claim is paid by its shares on the grants; they must add up to the claim's total."""
    refusals = []
    if any(cents < 0 for cents in shares.values()):
        refusals.append(Refusal("claim_share_negative",
                                f"Urenbriefje {reference} heeft een negatief bedrag voor een budget. "
                                "Zet het urenbriefje op 'opgeschort' en laat het controleren.",
                                "claim"))
    if sum(shares.values()) != total_cents:
        refusals.append(Refusal("claim_amount_mismatch",
                                f"Bij urenbriefje {reference} kloppen de bedragen niet: totaal "
                                f"{format_euro(total_cents)}, verdeeld over de budgetten "
                                f"{format_euro(sum(shares.values()))}. Zet het urenbriefje op "
                                "'opgeschort' en laat het controleren; start daarna de "
                                "betaalronde opnieuw.", "claim"))
    return refusals


def check_payment_account(provider_name: str, agreement_reference: str,
                          iban: str | None, amount_cents: int = 1) -> list[Refusal]:
    """A transfer needs a valid IBAN in the agreement. Without one, the provider's sheets under
    that agreement stay approved and wait for a later run; everyone else is paid. A sheet of
    zero euro (amount_cents 0) needs no transfer, so no account either."""
    if amount_cents <= 0 or (iban and iban.strip() and not check_iban(iban)[1]):
        return []
    problem = (f"het IBAN in zorgovereenkomst {agreement_reference} ({iban.strip()}) is niet "
               "geldig" if iban and iban.strip() else
               f"in zorgovereenkomst {agreement_reference} staat geen IBAN")
    return [Refusal("agreement_iban_invalid",
                    f"Niet betaald aan {provider_name}: {problem}. Het urenbriefje blijft "
                    "goedgekeurd en wordt betaald in de eerste "
                    "betaalronde nadat de overeenkomst een geldig IBAN heeft. Neem contact op "
                    "met de zorgverlener en de budgethouder.", "iban")]


def check_holder_account(holder_name: str, iban: str | None, amount_cents: int = 1
                         ) -> list[Refusal]:
    """The vrij besteedbaar bedrag goes to the budget holder's own account; without a valid
    one it waits for a later run, like a sheet without an IBAN in its agreement."""
    if amount_cents <= 0 or (iban and not check_iban(iban)[1]):
        return []
    return [Refusal("holder_iban_invalid",
                    f"Niet betaald aan {holder_name}: er staat geen geldig eigen rekeningnummer "
                    "van de budgethouder in het portaal. Het vrij besteedbaar bedrag blijft "
                    "goedgekeurd en wordt betaald zodra de budgethouder een geldig IBAN heeft "
                    "ingevuld.", "iban")]


def run_fingerprint(candidates: Iterable[tuple[int, str, int]]) -> str:
    """What a run would handle now, as a short fingerprint: (claim id, status, amount in cents)
    of every approved unpaid and every submitted sheet, and their total. The office's run form
    carries the fingerprint of the preview it showed; the run goes ahead only when what is
    payable still has the same one (see office.service.execute_previewed_run)."""
    rows = sorted((int(claim_id), str(status), int(cents)) for claim_id, status, cents in candidates)
    text = ";".join(f"{claim_id}:{status}:{cents}" for claim_id, status, cents in rows)
    text += f"|{sum(cents for _id, _status, cents in rows)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------- when runs are held

# The payment office holds a payment run every working day (Monday to Friday). The one rule for
# "when will this be paid": the budget holder's confirmation panel, the provider's expected
# payment dates and the office's pages all ask next_run_date.
RUN_WEEKDAYS = frozenset({0, 1, 2, 3, 4})


def next_run_date(today: dt.date) -> dt.date:
    """The day of the next payment run after `today` (today's run may already have been held,
    so a sheet approved today is expected in the next one)."""
    day = today + dt.timedelta(days=1)
    while day.weekday() not in RUN_WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


def expected_payment_date(status: str, today: dt.date, paid_on: dt.date | None = None
                          ) -> dt.date | None:
    """When a sheet in `status` is expected to be paid: its payment day once paid, the next
    run's day while submitted or approved, None while it is not on its way to a payment
    (a concept, waiting for the budget holder, suspended or refused)."""
    if status == "uitbetaald":
        return paid_on
    if status in ("ingediend", "goedgekeurd"):
        return next_run_date(today)
    return None


# What a payment paid, in words: (one, more) per kind of claim.
_PAID_NOUNS: dict[str, tuple[str, str]] = {
    "uren": ("urenbriefje", "urenbriefjes"),
    "loon": ("maandloon", "maandlonen"),
    "nabetaling": ("nabetaling", "nabetalingen"),
    "terugvordering": ("verrekening", "verrekeningen"),
    "vrij": ("vrij besteedbaar bedrag", "vrij besteedbare bedragen"),
    "feestdagen": ("feestdagenuitkering", "feestdagenuitkeringen"),
}


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def payment_title(kinds: Sequence[str], payees: Iterable[str]) -> str:
    """A payment's human title, for its messages: what was paid and to whom, e.g. "Betaling
    van 3 urenbriefjes aan Thuiszorg De Linde" (`kinds`: the ClaimKind of each item paid, in
    order; `payees`: who got them, each named once in order)."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[str(kind)] = counts.get(str(kind), 0) + 1
    what = [f"{n} {_PAID_NOUNS[kind][0 if n == 1 else 1]}" for kind, n in counts.items()]
    names = list(dict.fromkeys(payees))
    return f"Betaling van {_and(what)}" + (f" aan {_and(names)}" if names else "")
