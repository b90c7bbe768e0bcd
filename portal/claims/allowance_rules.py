"""Pure decisions about the Wlz yearly allowances as claims: no Flask, no session.

Two claims of their own kind (claims.constants.ClaimKind), each paid by the payment run like a
sheet and each drawing on the member's Wlz budget of that year:

- the vrij besteedbaar bedrag (ClaimKind.VRIJ): 1.5% of what was *spent* (paid out) from the
  member's Wlz budgets of the year so far, at least EUR 250 and at most EUR 1,250 a year
  (budgets.rules.free_allowance_cap does the arithmetic); asked for by the budget holder within
  the budget year, once a year, only after payments were made; paid to the budget holder's own
  account (households.holder_iban, checked). When the budget ends during the year (care in kind,
  death), a proportional part is paid back (claim_back_cents).
- the feestdagenuitkering (ClaimKind.FEESTDAGEN): an extra for a care provider who gave care on a
  public holiday, paid to that provider. Source of the rule: the SVB's pgb pages ("Bij een budget
  van het zorgkantoor (Wlz) is een feestdagenuitkering altijd toegestaan ... maximaal EUR 272 per
  jaar per zorgverlener"). The budget holder chooses the amount, at most the yearly cap per
  provider (the AllowanceCap table, set by the payment office each year, `portal
  set-allowance-cap`) minus what that provider already got that year; only for a provider who
  gave care on a Dutch public holiday (public_holidays) that year, according to its sheets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.budgets.constants import ALLOWANCE_LAWS, FREE_ALLOWANCE_PERCENT
from portal.budgets.rules import free_allowance_cap
from portal.money import format_euro, round_half_up
from portal.refusals import Refusal

__all__ = ["public_holidays", "easter_sunday", "free_allowance_amount", "check_free_allowance",
           "check_holiday_allowance", "claim_back_cents"]


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> dict[dt.date, str]:
    """The Dutch public holidays (algemeen erkende feestdagen) of a year, with their names.
    Koningsdag moves to 26 April when 27 April is a Sunday; Bevrijdingsdag counts every year."""
    easter = easter_sunday(year)
    kings_day = dt.date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = dt.date(year, 4, 26)
    days = {
        dt.date(year, 1, 1): "Nieuwjaarsdag",
        easter - dt.timedelta(days=2): "Goede Vrijdag",
        easter: "Eerste Paasdag",
        easter + dt.timedelta(days=1): "Tweede Paasdag",
        kings_day: "Koningsdag",
        dt.date(year, 5, 5): "Bevrijdingsdag",
        easter + dt.timedelta(days=39): "Hemelvaartsdag",
        easter + dt.timedelta(days=49): "Eerste Pinksterdag",
        easter + dt.timedelta(days=50): "Tweede Pinksterdag",
        dt.date(year, 12, 25): "Eerste Kerstdag",
        dt.date(year, 12, 26): "Tweede Kerstdag",
    }
    return dict(sorted(days.items()))


def free_allowance_amount(spent_cents: int) -> int:
    """1.5% of what was spent from the member's Wlz budgets this year, at least EUR 250 and at
    most EUR 1,250 (0 while nothing was spent: it cannot be asked for yet)."""
    if spent_cents <= 0:
        return 0
    return free_allowance_cap(spent_cents)


def _not_wlz() -> Refusal:
    return Refusal("allowance_not_wlz", "Een vrij besteedbaar bedrag of een "
                   "feestdagenuitkering hoort alleen bij een Wlz-budget. Kies het Wlz-budget.",
                   "grant")


def check_free_allowance(*, law: str, year: int, today: dt.date, spent_cents: int,
                         already_asked: bool, holder_iban_ok: bool,
                         available_cents: int) -> list[Refusal]:
    """May the budget holder ask for the vrij besteedbaar bedrag of `year` now? Every reason.

    spent_cents: paid out this year from the member's Wlz budgets (allowances not counted);
    already_asked: a free-amount claim of that year that was not refused exists;
    available_cents: what the budget can still pay."""
    if law not in ALLOWANCE_LAWS:
        return [_not_wlz()]
    refusals: list[Refusal] = []
    if today.year != year:
        refusals.append(Refusal("allowance_outside_year", "U kunt het vrij besteedbaar bedrag "
                                f"van {year} alleen in {year} aanvragen.", "grant"))
    if already_asked:
        refusals.append(Refusal("allowance_already_asked", "U heeft het vrij besteedbaar "
                                f"bedrag van {year} al aangevraagd. Dat kan één keer per jaar.",
                                "grant"))
    if spent_cents <= 0:
        refusals.append(Refusal("allowance_nothing_spent", "U kunt het vrij besteedbaar bedrag "
                                "pas aanvragen als er uit uw budget is betaald.", "grant"))
    if not holder_iban_ok:
        refusals.append(Refusal("holder_iban_missing", "Vul eerst uw eigen rekeningnummer (IBAN) "
                                "in. Het vrij besteedbaar bedrag wordt naar die rekening "
                                "betaald.", "iban"))
    amount = free_allowance_amount(spent_cents)
    if amount > available_cents and spent_cents > 0:
        refusals.append(Refusal("budget_insufficient", "Er is niet genoeg budget over: nodig "
                                f"{format_euro(amount)}, beschikbaar "
                                f"{format_euro(available_cents)}.", "grant"))
    return refusals


def check_holiday_allowance(*, law: str, year: int, today: dt.date, amount_cents: int,
                            cap_cents: int | None, used_cents: int, holiday_days: int,
                            provider_name: str, available_cents: int) -> list[Refusal]:
    """May the budget holder give this provider a feestdagenuitkering of `amount_cents` for
    `year`? cap_cents: the yearly cap per provider (None: not set for that year); used_cents:
    what this provider already got (or has in progress) that year; holiday_days: public
    holidays in that year on which the provider's sheets have care."""
    if law not in ALLOWANCE_LAWS:
        return [_not_wlz()]
    refusals: list[Refusal] = []
    if year > today.year:
        refusals.append(Refusal("allowance_outside_year", "De feestdagenuitkering van "
                                f"{year} kunt u pas in {year} aanvragen.", "grant"))
    if holiday_days <= 0:
        refusals.append(Refusal("allowance_no_holiday_care", f"{provider_name} heeft in {year} "
                                "geen zorg gegeven op een feestdag, volgens de urenbriefjes. "
                                "Een feestdagenuitkering kan alleen voor zorg op een feestdag.",
                                "agreement"))
    if amount_cents <= 0:
        refusals.append(Refusal("amount_not_positive", "Het bedrag moet groter zijn dan "
                                f"{format_euro(0)}.", "amount"))
    elif cap_cents is None:
        refusals.append(Refusal("allowance_cap_missing", "Het maximum voor de "
                                f"feestdagenuitkering van {year} is nog niet vastgesteld. "
                                "Vraag het betaalkantoor ernaar en probeer het daarna opnieuw.",
                                "amount"))
    elif used_cents + amount_cents > cap_cents:
        refusals.append(Refusal("allowance_cap_exceeded", "Dit is meer dan er over is van de "
                                f"feestdagenuitkering van {year} voor {provider_name}: maximaal "
                                f"{format_euro(cap_cents)} per zorgverlener, al gebruikt "
                                f"{format_euro(used_cents)}, nog over "
                                f"{format_euro(max(0, cap_cents - used_cents))}. Verlaag het "
                                "bedrag.", "amount"))
    if amount_cents > 0 and amount_cents > available_cents:
        refusals.append(Refusal("budget_insufficient", "Er is niet genoeg budget over: nodig "
                                f"{format_euro(amount_cents)}, beschikbaar "
                                f"{format_euro(available_cents)}. Verlaag het bedrag.", "amount"))
    return refusals


def claim_back_cents(paid_cents: int, year: int, ended_on: dt.date) -> int:
    """The part of a paid vrij besteedbaar bedrag that is paid back when the budget ends
    during its year (care in kind, death): the share of the year after `ended_on`, by days,
    rounded half up once. Nothing when the budget runs to 31 December (or ended before the
    year: then the whole amount)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if paid_cents <= 0 or ended_on >= last:
        return 0
    if ended_on < first:
        return paid_cents
    days_in_year = (last - first).days + 1
    days_after = (last - ended_on).days
    return round_half_up(Decimal(paid_cents) * days_after / days_in_year)


# For the page: the percentage in words ("1,5%").
FREE_ALLOWANCE_PERCENT_TEXT = f"{FREE_ALLOWANCE_PERCENT}".replace(".", ",") + "%"
