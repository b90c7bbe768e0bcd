"""Pure decisions about corrections after payment: no Flask, no session.

What was paid is never edited. When it turns out that a paid sheet or wage should have paid
another amount (an approved change with a new tariff from a month already paid, or the payment
office finds the sheet wrong), the difference per agreement line (kind of care and budget) is
a correction of its own: what is owed more is a back-payment (nabetaling), paid like a sheet;
what was paid too much is a claim-back (terugvordering), netted against the provider's next
payments (payments.rules.group_into_payments). Each correction names the claim it corrects
and why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from portal.budgets.constants import Unit
from portal.claims.constants import ClaimKind
from portal.claims.rules import PricedLine, amount_of, check_reason
from portal.money import format_euro
from portal.refusals import Refusal

PREFIX = {ClaimKind.NABETALING: "NB", ClaimKind.TERUGVORDERING: "TV"}

LineKey = tuple[str, int]  # (kind of care, grant id): one agreement line


@dataclass(frozen=True)
class LineTotal:
    """What one agreement line of a claim paid (or should have paid) in its month."""

    care_kind: str
    unit: str
    grant_id: int
    quantity: int
    tariff_cents: int
    amount_cents: int  # what the budget pays (positive; a claim-back's sign is its kind)


def line_totals(lines: Iterable, sign: int = 1) -> dict[LineKey, LineTotal]:
    """Per agreement line: the quantity and amount of `lines` (anything with care_kind, unit,
    grant_id, quantity, tariff_cents, amount_cents), times `sign` (-1 for a claim-back)."""
    totals: dict[LineKey, list] = {}
    for line in lines:
        key = (str(line.care_kind), int(line.grant_id))
        slot = totals.setdefault(key, [str(line.unit), 0, int(line.tariff_cents), 0])
        slot[1] += sign * int(line.quantity)
        slot[2] = int(line.tariff_cents)
        slot[3] += sign * int(line.amount_cents)
    return {key: LineTotal(key[0], unit, key[1], qty, tariff, cents)
            for key, (unit, qty, tariff, cents) in totals.items()}


def add_totals(*parts: dict[LineKey, LineTotal]) -> dict[LineKey, LineTotal]:
    """What several claims together paid per agreement line (a sheet and its corrections)."""
    summed: dict[LineKey, list] = {}
    for part in parts:
        for key, t in part.items():
            slot = summed.setdefault(key, [t.unit, 0, t.tariff_cents, 0])
            slot[1] += t.quantity
            slot[3] += t.amount_cents
    return {key: LineTotal(key[0], unit, key[1], qty, tariff, cents)
            for key, (unit, qty, tariff, cents) in summed.items()}


def correction_lines(paid: dict[LineKey, LineTotal], due: dict[LineKey, LineTotal],
                     month: dt.date) -> dict[ClaimKind, list[PricedLine]]:
    """The corrections that make what was paid (the sheet and its earlier corrections) equal
    to what is due, per agreement line: a line owed more goes on a back-payment, a line paid
    too much on a claim-back, each for the difference (rounded once already: both sides are
    priced per line). Kinds with no line are left out. Each line is dated the first of the
    month; its quantity is the quantity due (or, when nothing is due, what was paid)."""
    result: dict[ClaimKind, list[PricedLine]] = defaultdict(list)
    for key in sorted(set(paid) | set(due)):
        was, should = paid.get(key), due.get(key)
        difference = (should.amount_cents if should else 0) - (was.amount_cents if was else 0)
        if difference == 0:
            continue
        ref = should if should is not None and should.quantity > 0 else was
        assert ref is not None
        kind = ClaimKind.NABETALING if difference > 0 else ClaimKind.TERUGVORDERING
        result[kind].append(PricedLine(day=month, care_kind=key[0], unit=Unit(ref.unit),
                                       quantity=max(1, abs(ref.quantity)),
                                       tariff_cents=ref.tariff_cents,
                                       amount_cents=abs(difference), grant_id=key[1]))
    return dict(result)


def corrected_totals(paid: dict[LineKey, LineTotal], quantities: dict[LineKey, int],
                     tariffs: dict[LineKey, int]) -> dict[LineKey, LineTotal]:
    """What is due when the payment office corrects the quantity of agreement lines of a paid
    sheet: the corrected quantity x what the budget pays per unit (`tariffs`), rounded once
    per line (claims.rules.amount_of); lines not corrected stay as paid."""
    due = dict(paid)
    for key, quantity in quantities.items():
        was = paid[key]
        due[key] = LineTotal(was.care_kind, was.unit, was.grant_id, quantity, tariffs[key],
                             amount_of(was.unit, quantity, tariffs[key]) if quantity else 0)
    return due


def correction_reference(kind: ClaimKind, agreement_id: int, month: dt.date,
                         sequence: int) -> str:
    """E.g. NB-202603-000123-1 (the first back-payment of March for agreement 123)."""
    return f"{PREFIX[kind]}-{month:%Y%m}-{agreement_id:06d}-{sequence}"


def check_correction(reason: str | None, quantities: dict[LineKey, int],
                     paid: dict[LineKey, LineTotal]) -> list[Refusal]:
    """The office's correction of a paid sheet: a reason, known lines, no negative
    quantity, and at least one line that changes."""
    refusals = check_reason(reason)
    if any(key not in paid for key in quantities):
        refusals.append(Refusal("line_unknown", "Deze regel staat niet op het urenbriefje.",
                                "lines"))
    elif any(q < 0 for q in quantities.values()):
        refusals.append(Refusal("quantity_invalid", "Een aantal kan niet negatief zijn.",
                                "lines"))
    elif all(paid[k].quantity == q for k, q in quantities.items()):
        refusals.append(Refusal("nothing_changed", "U heeft niets veranderd. Vul bij minstens "
                                "één regel het juiste aantal in.", "lines"))
    return refusals


def describe(kind: ClaimKind, lines: Sequence[PricedLine]) -> str:
    total = sum(line.amount_cents for line in lines)
    return f"{kind.label} van {format_euro(total)}"


def check_repayment(*, is_holder_claim_back: bool, received_on: dt.date, made_in: dt.date,
                    today: dt.date, amount_cents: int, open_cents: int) -> list[Refusal]:
    """May the payment office record that the budget holder paid an open claim-back back by
    bank transfer: received on `received_on`, `amount_cents`? Only a claim-back of the holder's
    own (the free amount's), only the whole open amount, received between the first day of
    the month the claim-back was made in (`made_in`) and today."""
    if not is_holder_claim_back:
        return [Refusal("not_a_holder_claim_back", "Alleen een terugvordering van het "
                        "verantwoordingsvrij bedrag kan als terugbetaald worden vastgelegd.",
                        "status")]
    refusals = []
    if received_on > today:
        refusals.append(Refusal("received_on_in_future", "De datum van ontvangst ligt in de "
                                "toekomst. Vul de dag in waarop het geld binnenkwam: vandaag "
                                "of eerder.", "received_on"))
    elif received_on < made_in:
        refusals.append(Refusal("received_before_claim_back", "De datum van ontvangst ligt voor "
                                "de maand waarin de terugvordering werd vastgelegd. Vul de dag "
                                "in waarop het geld binnenkwam.", "received_on"))
    if amount_cents != open_cents:
        refusals.append(Refusal("repayment_not_whole", "Het ontvangen bedrag moet het hele open "
                                f"bedrag zijn: {format_euro(open_cents)}. Een deel vastleggen "
                                "kan niet. Kwam er minder binnen? Wacht dan tot het hele bedrag "
                                "binnen is.", "amount"))
    return refusals
