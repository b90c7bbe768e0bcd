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
from portal.claims.rules import PricedLine, amount_of, check_reason, wage_amount
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
    """What several claims together paid per agreement line (a sheet and its corrections, in
    that order): the amounts added up (a claim-back's below zero). A correction's line
    carries the quantity and tariff due (correction_lines), so the quantity and tariff are
    the latest part's; 0 when nothing is paid any more."""
    summed: dict[LineKey, list] = {}
    for part in parts:
        for key, t in part.items():
            slot = summed.setdefault(key, [t.unit, 0, t.tariff_cents, 0])
            slot[1] = abs(t.quantity)
            slot[2] = t.tariff_cents
            slot[3] += t.amount_cents
    return {key: LineTotal(key[0], unit, key[1], qty if cents else 0, tariff, cents)
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


@dataclass(frozen=True)
class WageFix:
    """The office's correction of one line of a paid fixed monthly wage: the days of the month
    the wage was due (a first or last month) and the full monthly wage."""

    days: int
    wage_cents: int


def corrected_wage_totals(paid: dict[LineKey, LineTotal], fixes: dict[LineKey, WageFix],
                          days_in_month: int) -> dict[LineKey, LineTotal]:
    """What is due when the payment office corrects lines of a paid wage: the wage x the days
    / the days of the month, rounded once (claims.rules.wage_amount, as the wage itself was
    priced); lines not corrected stay as paid."""
    due = dict(paid)
    for key, fix in fixes.items():
        was = paid[key]
        due[key] = LineTotal(was.care_kind, was.unit, was.grant_id, fix.days, fix.wage_cents,
                             wage_amount(fix.wage_cents, fix.days, days_in_month))
    return due


def check_wage_correction(reason: str | None, fixes: dict[LineKey, WageFix],
                          paid: dict[LineKey, LineTotal], days_in_month: int) -> list[Refusal]:
    """The office's correction of a paid wage: a reason, known lines, days within the month,
    no negative wage, and at least one line that changes."""
    refusals = check_reason(reason)
    if any(key not in paid for key in fixes):
        refusals.append(Refusal("line_unknown", "Deze regel staat niet op het maandloon.",
                                "lines"))
    elif any(not 0 <= fix.days <= days_in_month or fix.wage_cents < 0
             for fix in fixes.values()):
        refusals.append(Refusal("quantity_invalid", f"Deze maand heeft {days_in_month} dagen: "
                                f"vul 0 tot en met {days_in_month} dagen in. Een loon kan niet "
                                "negatief zijn.", "lines"))
    elif all((paid[k].quantity, paid[k].tariff_cents) == (fix.days, fix.wage_cents)
             for k, fix in fixes.items()):
        refusals.append(Refusal("nothing_changed", "U heeft niets veranderd. Vul bij minstens "
                                "één regel de juiste dagen of het juiste loon in.", "lines"))
    return refusals


def corrected_amount_totals(paid: dict[LineKey, LineTotal], amount_cents: int
                            ) -> dict[LineKey, LineTotal]:
    """What is due when the payment office corrects the amount of a paid allowance (one line
    of one unit: the amount is its tariff)."""
    [(key, was)] = paid.items()
    return {key: LineTotal(was.care_kind, was.unit, was.grant_id, 1 if amount_cents else 0,
                           amount_cents, amount_cents)}


def check_amount_correction(reason: str | None, amount_cents: int | None,
                            paid_cents: int) -> list[Refusal]:
    """The office's correction of a paid allowance: a reason, an amount of 0 or more, and
    another amount than what was paid so far."""
    refusals = check_reason(reason)
    if amount_cents is None or amount_cents < 0:
        refusals.append(Refusal("amount_invalid", "Vul het juiste bedrag in, bijvoorbeeld "
                                "125,00. Het bedrag kan niet negatief zijn.", "amount"))
    elif amount_cents == paid_cents:
        refusals.append(Refusal("nothing_changed", "Dit bedrag is al betaald; er is geen "
                                "correctie nodig.", "amount"))
    return refusals


def check_allowance_cap(label: str, amount_cents: int, paid_cents: int, used_cents: int,
                        cap_cents: int | None) -> list[Refusal]:
    """A corrected allowance stays within its yearly cap: what else was used that year
    (`used_cents` counts this claim at `paid_cents`) plus the corrected amount. A lower
    amount is always allowed."""
    if amount_cents <= paid_cents or cap_cents is None:
        return []
    if used_cents - paid_cents + amount_cents <= cap_cents:
        return []
    room = max(0, cap_cents - used_cents + paid_cents)
    return [Refusal("allowance_cap_exceeded", f"Dit is meer dan het maximum van de {label}: "
                    f"{format_euro(cap_cents)} per jaar, met dit bedrag kan het hoogstens "
                    f"{format_euro(room)} zijn.", "amount")]


def correction_reference(kind: ClaimKind, agreement_id: int, month: dt.date,
                         sequence: int) -> str:
    """E.g. NB-202603-000123-1 (the first back-payment of March for agreement 123)."""
    return f"{PREFIX[kind]}-{month:%Y%m}-{agreement_id:06d}-{sequence}"


def holder_correction_reference(kind: ClaimKind, claim_reference: str, sequence: int) -> str:
    """A correction of a claim paid to the budget holder (no agreement), e.g. TV-VB-2026-000012-1."""
    return f"{PREFIX[kind]}-{claim_reference}-{sequence}"


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
                        "vrij besteedbaar bedrag kan als terugbetaald worden vastgelegd.",
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
