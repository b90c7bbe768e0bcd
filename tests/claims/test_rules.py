"""Unit tests of the claim rules: every refusal and its boundary. No database."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.agreements.constants import VersionStatus
from portal.agreements.periods import VersionPeriod
from portal.budgets.constants import CareKind, Unit
from portal.budgets.service import budget_refusal
from portal.claims import rules
from portal.claims.constants import ClaimStatus
from portal.claims.rules import (
    Action,
    AgreedLine,
    AgreedVersion,
    GrantBalance,
    LineInput,
    SheetFacts,
    Side,
    Stage,
)

D = dt.date
MARCH = D(2026, 3, 1)
APRIL_10 = D(2026, 4, 10)
YEAR_START = D(2026, 1, 1)
YEAR_END = D(2026, 12, 31)
IB = CareKind.INDIVIDUELE_BEGELEIDING.value
PV = CareKind.PERSOONLIJKE_VERZORGING.value
LOG = CareKind.LOGEEROPVANG.value
GB = CareKind.GROEPSBEGELEIDING.value
HH = CareKind.HUISHOUDELIJKE_HULP.value


def version(number=1, status=VersionStatus.GOEDGEKEURD, starts=YEAR_START, ends=YEAR_END,
            lines=None, ended_on=None):
    lines = lines if lines is not None else [AgreedLine(IB, Unit.UUR, 6000, 1)]
    return AgreedVersion(VersionPeriod(number, status, starts, ends, ended_on), tuple(lines))


def facts(*versions, **kw):
    return SheetFacts(versions=tuple(versions) or (version(),), **kw)


def codes(refusals):
    return [r.code for r in refusals]


def check(lines, fcts=None, today=APRIL_10, stage=Stage.CONCEPT, month=MARCH, **kw):
    return rules.check_sheet(month, lines, fcts or facts(), today, stage, **kw)


# ------------------------------------------------------------------ month_not_over


def test_month_not_over_on_last_day_of_month():
    refusals = rules.check_month_over(MARCH, D(2026, 3, 31))
    assert codes(refusals) == ["month_not_over"]
    assert refusals[0].field == "month"
    assert "1 april 2026" in refusals[0].message


def test_month_over_on_first_day_of_next_month():
    assert rules.check_month_over(MARCH, D(2026, 4, 1)) == []


def test_check_sheet_refuses_running_month():
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60)], today=D(2026, 3, 31))
    assert "month_not_over" in codes(refusals)


def test_day_in_future_refused():
    _, refusals = rules.price_lines([LineInput(D(2026, 3, 11), IB, 60)], MARCH, facts(),
                                    today=D(2026, 3, 10))
    assert codes(refusals) == ["month_not_over"]
    assert refusals[0].field == "lines[0].day"


def test_day_today_is_not_future():
    priced, refusals = rules.price_lines([LineInput(D(2026, 3, 10), IB, 60)], MARCH, facts(),
                                         today=D(2026, 3, 10))
    assert refusals == [] and len(priced) == 1


# ------------------------------------------------------------------ day_outside_agreement


def test_day_not_in_claimed_month_refused():
    _, refusals = check([LineInput(D(2026, 4, 1), IB, 60)])
    assert codes(refusals) == ["day_outside_agreement"]
    assert refusals[0].field == "lines[0].day"


def test_day_before_agreement_start_refused_and_start_day_allowed():
    f = facts(version(starts=D(2026, 3, 10)))
    _, refusals = check([LineInput(D(2026, 3, 9), IB, 60)], f)
    assert codes(refusals) == ["day_outside_agreement"]
    priced, refusals = check([LineInput(D(2026, 3, 10), IB, 60)], f)
    assert refusals == [] and priced[0].amount_cents == 6000


def test_day_after_agreement_end_refused_and_end_day_allowed():
    f = facts(version(ends=D(2026, 3, 20)))
    assert codes(check([LineInput(D(2026, 3, 21), IB, 60)], f)[1]) == ["day_outside_agreement"]
    assert check([LineInput(D(2026, 3, 20), IB, 60)], f)[1] == []


def test_day_after_ended_on_refused():
    f = facts(version(ended_on=D(2026, 3, 15)))
    assert codes(check([LineInput(D(2026, 3, 16), IB, 60)], f)[1]) == ["day_outside_agreement"]
    assert check([LineInput(D(2026, 3, 15), IB, 60)], f)[1] == []


# ------------------------------------------------------------------ agreement_not_approved


@pytest.mark.parametrize("status", [VersionStatus.CONCEPT, VersionStatus.TER_BEOORDELING,
                                    VersionStatus.AFGEKEURD, VersionStatus.ONDERTEKEND])
def test_agreement_not_approved(status):
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60)], facts(version(status=status)))
    # said once for the sheet, not again per day
    assert codes(refusals) == ["agreement_not_approved"]
    assert refusals[0].field == "agreement"


def test_ended_agreement_still_counts_as_approved_for_its_days():
    f = facts(version(status=VersionStatus.BEEINDIGD))
    assert check([LineInput(D(2026, 3, 2), IB, 60)], f)[1] == []


# ------------------------------------------------------------------ care kind, grant, tariff


def test_care_kind_not_agreed():
    _, refusals = check([LineInput(D(2026, 3, 2), PV, 60)])
    assert codes(refusals) == ["care_kind_not_agreed"]
    assert refusals[0].field == "lines[0].care_kind"
    assert "persoonlijke verzorging" in refusals[0].message


def test_care_kind_of_governing_version_counts():
    """A new version from 16 March adds personal care: allowed from that day, not before."""
    v1 = version(1, VersionStatus.VERVANGEN)
    v2 = version(2, starts=D(2026, 3, 16), lines=[AgreedLine(IB, Unit.UUR, 6000, 1),
                                                   AgreedLine(PV, Unit.UUR, 6500, 1)])
    f = facts(v1, v2)
    assert codes(check([LineInput(D(2026, 3, 15), PV, 60)], f)[1]) == ["care_kind_not_agreed"]
    priced, refusals = check([LineInput(D(2026, 3, 16), PV, 60)], f)
    assert refusals == [] and priced[0].tariff_cents == 6500


def test_monthly_wage_never_on_a_sheet():
    f = facts(version(lines=[AgreedLine(HH, Unit.MAANDLOON, 150_000, 1)]))
    _, refusals = check([LineInput(D(2026, 3, 2), HH, 60)], f)
    assert codes(refusals) == ["monthly_wage_not_claimable"]


def test_grant_required_when_care_kind_on_two_grants():
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 6000, 1), AgreedLine(IB, Unit.UUR, 6000, 2)]))
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60)], f)
    assert codes(refusals) == ["grant_required"]
    assert refusals[0].field == "lines[0].grant_id"
    priced, refusals = check([LineInput(D(2026, 3, 2), IB, 60, grant_id=2)], f)
    assert refusals == [] and priced[0].grant_id == 2


def test_grant_not_agreed():
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60, grant_id=99)])
    assert codes(refusals) == ["grant_not_agreed"]
    assert check([LineInput(D(2026, 3, 2), IB, 60, grant_id=1)])[1] == []


def test_day_outside_grant_period():
    f = facts(grant_periods={1: (D(2026, 3, 10), D(2026, 12, 31))})
    assert codes(check([LineInput(D(2026, 3, 9), IB, 60)], f)[1]) == ["day_outside_grant"]
    assert check([LineInput(D(2026, 3, 10), IB, 60)], f)[1] == []


def test_tariff_differs():
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60, tariff_cents=6001)])
    assert codes(refusals) == ["tariff_differs"]
    assert refusals[0].field == "lines[0].tariff"
    assert "60,00" in refusals[0].message
    assert check([LineInput(D(2026, 3, 2), IB, 60, tariff_cents=6000)])[1] == []


def test_tariff_differs_from_the_version_governing_the_day():
    v1 = version(1, VersionStatus.VERVANGEN)
    v2 = version(2, starts=D(2026, 3, 16), lines=[AgreedLine(IB, Unit.UUR, 7000, 1)])
    f = facts(v1, v2)
    assert codes(check([LineInput(D(2026, 3, 16), IB, 60, tariff_cents=6000)], f)[1]) \
        == ["tariff_differs"]
    assert check([LineInput(D(2026, 3, 15), IB, 60, tariff_cents=6000)], f)[1] == []


# ------------------------------------------------------------------ quantity_invalid


@pytest.mark.parametrize("minutes", [0, -15, -60, 10, 61, 14])
def test_quantity_invalid_hours(minutes):
    _, refusals = check([LineInput(D(2026, 3, 2), IB, minutes)])
    assert codes(refusals) == ["quantity_invalid"]
    assert refusals[0].field == "lines[0].quantity"


@pytest.mark.parametrize("minutes", [15, 75, 600])
def test_quantity_in_quarters_allowed(minutes):
    assert check([LineInput(D(2026, 3, 2), IB, minutes)])[1] == []


def test_quantity_invalid_count():
    f = facts(version(lines=[AgreedLine(GB, Unit.DAGDEEL, 7000, 1)]))
    assert codes(check([LineInput(D(2026, 3, 2), GB, 0)], f)[1]) == ["quantity_invalid"]
    priced, refusals = check([LineInput(D(2026, 3, 2), GB, 1)], f)
    assert refusals == [] and priced[0].amount_cents == 7000


# ------------------------------------------------------------------ pricing


def test_amount_hours_rounded_half_up():
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 2444, 1)]))
    priced, _ = check([LineInput(D(2026, 3, 2), IB, 15)], f)
    assert priced[0].amount_cents == 611  # 24.44 / 4 = 6.11
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 2298, 1)]))
    priced, _ = check([LineInput(D(2026, 3, 2), IB, 15)], f)
    assert priced[0].amount_cents == 575  # 5.745 -> 5.75


def test_amount_per_unit_is_count_times_tariff():
    f = facts(version(lines=[AgreedLine(LOG, Unit.ETMAAL, 15_000, 1)]))
    priced, _ = check([LineInput(D(2026, 3, 2), LOG, 1)], f)
    assert priced[0].amount_cents == 15_000 and priced[0].unit is Unit.ETMAAL


def test_shares_per_grant():
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 6000, 1), AgreedLine(PV, Unit.UUR, 5000, 2)]))
    priced, refusals = check([LineInput(D(2026, 3, 2), IB, 60), LineInput(D(2026, 3, 3), IB, 30),
                              LineInput(D(2026, 3, 2), PV, 120)], f)
    assert refusals == []
    assert rules.shares_of(priced) == {1: 9000, 2: 10_000}


def test_lines_missing_and_line_duplicate():
    assert codes(check([])[1]) == ["lines_missing"]
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60), LineInput(D(2026, 3, 2), IB, 30)])
    assert codes(refusals) == ["line_duplicate"]
    assert refusals[0].field == "lines[1].day"


# ------------------------------------------------------------------ duplicate_sheet


def test_duplicate_sheet():
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 60)],
                        facts(existing_reference="UB-202603-000001"))
    assert codes(refusals) == ["duplicate_sheet"]
    assert "UB-202603-000001" in refusals[0].message


def test_no_duplicate_without_other_sheet():
    assert check([LineInput(D(2026, 3, 2), IB, 60)], facts(existing_reference=None))[1] == []


# ------------------------------------------------------------------ day_over_24_hours


def test_exactly_24_hours_allowed_24_15_refused():
    assert check([LineInput(D(2026, 3, 2), IB, 24 * 60)])[1] == []
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 24 * 60 + 15)])
    assert codes(refusals) == ["day_over_24_hours"]
    assert "24:15" in refusals[0].message


def test_24_hours_across_lines_and_units():
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 6000, 1), AgreedLine(GB, Unit.DAGDEEL, 7000, 1),
                             AgreedLine(LOG, Unit.ETMAAL, 15000, 1)]))
    # 5 day parts (20h) + 4h = 24h: allowed
    assert check([LineInput(D(2026, 3, 2), GB, 5), LineInput(D(2026, 3, 2), IB, 240)], f)[1] == []
    _, refusals = check([LineInput(D(2026, 3, 2), GB, 5), LineInput(D(2026, 3, 2), IB, 255)], f)
    assert codes(refusals) == ["day_over_24_hours"]
    _, refusals = check([LineInput(D(2026, 3, 2), LOG, 1), LineInput(D(2026, 3, 2), IB, 15)], f)
    assert codes(refusals) == ["day_over_24_hours"]
    # the same hours on two different days are fine
    assert check([LineInput(D(2026, 3, 2), LOG, 1), LineInput(D(2026, 3, 3), IB, 15)], f)[1] == []


def test_24_hours_counts_person_provider_other_sheets():
    other = {D(2026, 3, 2): 20 * 60}
    f = facts(other_minutes_by_day=other, provider_is_person=True)
    assert check([LineInput(D(2026, 3, 2), IB, 240)], f)[1] == []
    _, refusals = check([LineInput(D(2026, 3, 2), IB, 255)], f)
    assert codes(refusals) == ["day_over_24_hours"]
    assert "andere urenbriefjes" in refusals[0].message


def test_24_hours_organisation_counts_per_agreement_only():
    f = facts(other_minutes_by_day={D(2026, 3, 2): 20 * 60}, provider_is_person=False)
    assert check([LineInput(D(2026, 3, 2), IB, 24 * 60)], f)[1] == []


# ------------------------------------------------------------------ budget_insufficient


def grant(gid=1, amount=100_000, reserved=0, paid=0):
    return GrantBalance(id=gid, law="wmo", period_start=D(2026, 1, 1), period_end=D(2026, 12, 31),
                        amount_cents=amount, reserved_cents=reserved, paid_cents=paid)


def test_budget_exactly_remaining_allowed_one_cent_more_refused():
    grants = {1: grant(amount=100_000, reserved=40_000, paid=54_000)}  # 6,000 left
    assert rules.check_budget({1: 6000}, grants, budget_refusal) == []
    refusals = rules.check_budget({1: 6001}, grants, budget_refusal)
    assert codes(refusals) == ["budget_insufficient"]
    assert "60,01" in refusals[0].message and "60,00" in refusals[0].message


def test_budget_each_grant_covers_its_own_share():
    grants = {1: grant(1, amount=10_000), 2: grant(2, amount=5_000)}
    # together 15,000 would fit 15,000, but grant 2 cannot carry 6,000
    refusals = rules.check_budget({1: 9_000, 2: 6_000}, grants, budget_refusal)
    assert codes(refusals) == ["budget_insufficient"]
    assert "50,00" in refusals[0].message
    assert rules.check_budget({1: 10_000, 2: 5_000}, grants, budget_refusal) == []


def test_budget_checked_only_at_submit():
    grants = {1: grant(amount=5_000)}
    lines = [LineInput(D(2026, 3, 2), IB, 60)]
    _, refusals = check(lines, stage=Stage.SUBMIT, grants=grants, refusal_for=budget_refusal)
    assert codes(refusals) == ["budget_insufficient"]
    _, refusals = check(lines, stage=Stage.HANDOVER, grants=grants, refusal_for=budget_refusal)
    assert refusals == []


# ------------------------------------------------------------------ too_late


def test_handover_deadline_last_day_allowed_next_day_refused():
    # March ends 31 March; 6 weeks later is 12 May.
    assert rules.handover_deadline(MARCH) == D(2026, 5, 12)
    assert rules.check_handover_in_time(MARCH, D(2026, 5, 12)) == []
    refusals = rules.check_handover_in_time(MARCH, D(2026, 5, 13))
    assert codes(refusals) == ["too_late"] and refusals[0].field == "handed_over_on"
    assert "12 mei 2026" in refusals[0].message


def test_submit_deadline_last_day_allowed_next_day_refused():
    # 10 weeks after 31 March is 9 June.
    assert rules.submit_deadline(MARCH) == D(2026, 6, 9)
    assert rules.check_submit_in_time(MARCH, D(2026, 6, 9)) == []
    assert codes(rules.check_submit_in_time(MARCH, D(2026, 6, 10))) == ["too_late"]


def test_too_late_by_stage():
    lines = [LineInput(D(2026, 3, 2), IB, 60)]
    assert codes(check(lines, today=D(2026, 5, 13), stage=Stage.HANDOVER)[1]) == ["too_late"]
    assert check(lines, today=D(2026, 5, 13), stage=Stage.SUBMIT)[1] == []
    assert codes(check(lines, today=D(2026, 6, 10), stage=Stage.SUBMIT)[1]) == ["too_late"]
    assert check(lines, today=D(2026, 6, 10), stage=Stage.RECHECK)[1] == []


def test_all_reasons_at_once():
    lines = [LineInput(D(2026, 3, 2), PV, 60), LineInput(D(2026, 3, 3), IB, 10)]
    _, refusals = check(lines, facts(existing_reference="UB-202603-000001"), today=D(2026, 3, 31))
    assert set(codes(refusals)) == {"month_not_over", "duplicate_sheet", "care_kind_not_agreed",
                                    "quantity_invalid"}


# ------------------------------------------------------------------ reference


def test_reference_round_trip():
    assert rules.claim_reference(123, MARCH) == "UB-202603-000123"
    assert rules.parse_reference(" ub-202603-000123 ") == (123, MARCH)
    assert rules.parse_reference("UB-202613-000123") is None
    assert rules.parse_reference("ZO-202603-000123") is None
    # A year the portal does not handle, or an agreement number no id column holds: no
    # reference (both crashed the paper intake).
    assert rules.parse_reference("UB-000001-000001") is None
    assert rules.parse_reference("UB-999912-000001") is None
    assert rules.parse_reference("UB-202611-99999999999") is None
    assert rules.parse_reference("UB-202611-2147483647") == (2147483647, dt.date(2026, 11, 1))


# ------------------------------------------------------------------ lifecycle


S = ClaimStatus


@pytest.mark.parametrize("status,action,side,to", [
    (S.CONCEPT, Action.HAND_OVER, Side.PROVIDER, S.WACHT_OP_AKKOORD),
    (S.WACHT_OP_AKKOORD, Action.SUBMIT, Side.HOLDER, S.INGEDIEND),
    (S.CONCEPT, Action.SUBMIT, Side.HOLDER, S.INGEDIEND),
    (S.WACHT_OP_AKKOORD, Action.REFUSE_BY_HOLDER, Side.HOLDER, S.CONCEPT),
    (S.INGEDIEND, Action.OFFICE_APPROVE, Side.OFFICE, S.GOEDGEKEURD),
    (S.INGEDIEND, Action.OFFICE_APPROVE, Side.SYSTEM, S.GOEDGEKEURD),
    (S.INGEDIEND, Action.OFFICE_SUSPEND, Side.OFFICE, S.OPGESCHORT),
    (S.OPGESCHORT, Action.OFFICE_APPROVE, Side.OFFICE, S.GOEDGEKEURD),
    (S.INGEDIEND, Action.OFFICE_REFUSE, Side.OFFICE, S.AFGEKEURD),
    (S.OPGESCHORT, Action.OFFICE_REFUSE, Side.OFFICE, S.AFGEKEURD),
    (S.AFGEKEURD, Action.REOPEN, Side.HOLDER, S.CONCEPT),
    (S.AFGEKEURD, Action.REOPEN, Side.PROVIDER, S.CONCEPT),
    (S.GOEDGEKEURD, Action.PAY, Side.SYSTEM, S.UITBETAALD),
])
def test_allowed_transitions(status, action, side, to):
    assert rules.check_transition(status, action, side) == (to, [])


@pytest.mark.parametrize("status", list(ClaimStatus))
def test_provider_can_never_submit(status):
    to, refusals = rules.check_transition(status, Action.SUBMIT, Side.PROVIDER)
    assert to is None and len(refusals) == 1
    assert refusals[0].code in ("not_allowed", "status_not_allowed")


def test_provider_submit_message_explains():
    _, refusals = rules.check_transition(S.WACHT_OP_AKKOORD, Action.SUBMIT, Side.PROVIDER)
    assert codes(refusals) == ["not_allowed"]
    assert "niet zelf indienen" in refusals[0].message


@pytest.mark.parametrize("status,action,side", [
    (S.INGEDIEND, Action.SUBMIT, Side.HOLDER),
    (S.UITBETAALD, Action.OFFICE_REFUSE, Side.OFFICE),
    (S.CONCEPT, Action.OFFICE_APPROVE, Side.OFFICE),
    (S.GOEDGEKEURD, Action.REOPEN, Side.HOLDER),
    (S.INGEDIEND, Action.PAY, Side.SYSTEM),
    (S.UITBETAALD, Action.PAY, Side.SYSTEM),
])
def test_refused_transitions(status, action, side):
    to, refusals = rules.check_transition(status, action, side)
    assert to is None and codes(refusals) == ["status_not_allowed"]


def test_office_cannot_act_as_holder():
    assert codes(rules.check_transition(S.WACHT_OP_AKKOORD, Action.SUBMIT, Side.OFFICE)[1]) \
        == ["not_allowed"]


def test_reason_missing():
    assert codes(rules.check_reason("  ")) == ["reason_missing"]
    assert rules.check_reason("Uren kloppen niet") == []


def test_topped_up_line_is_paid_at_the_budget_tariff_and_checked_against_the_agreed_one():
    """Tariff above the maximum, topped up by the budget holder: the budget pays the maximum."""
    import datetime as dt

    from portal.agreements.constants import VersionStatus
    from portal.agreements.periods import VersionPeriod
    from portal.budgets.constants import Unit
    from portal.claims import rules

    line = rules.AgreedLine(care_kind="verpleging", unit=Unit.UUR, tariff_cents=8000, grant_id=1,
                            budget_tariff_cents=7700)
    version = rules.AgreedVersion(
        period=VersionPeriod(number=1, status=VersionStatus.GOEDGEKEURD,
                             starts_on=dt.date(2026, 1, 1), ends_on=None),
        lines=(line,))
    facts = rules.SheetFacts(versions=(version,))
    today = dt.date(2026, 4, 2)
    priced, refusals = rules.price_lines(
        [rules.LineInput(day=dt.date(2026, 3, 2), care_kind="verpleging", quantity=60,
                         tariff_cents=8000)], dt.date(2026, 3, 1), facts, today)
    assert refusals == []
    assert priced[0].amount_cents == 7700
    _, refused = rules.price_lines(
        [rules.LineInput(day=dt.date(2026, 3, 2), care_kind="verpleging", quantity=60,
                         tariff_cents=7700)], dt.date(2026, 3, 1), facts, today)
    assert [r.code for r in refused] == ["tariff_differs"]



def test_every_status_has_a_tone_the_status_tag_knows():
    import re
    from pathlib import Path

    # The status_tag macro maps each tone onto an NL Design System status badge (neutral is
    # its default).
    ui = (Path(__file__).resolve().parents[2] / "templates" / "macros" / "ui.html").read_text()
    mapped = re.search(r'\{("ok".*?)\}\.get\(tone, "neutral"\)', ui).group(1)
    tags = set(re.findall(r'"([a-z]+)": "[a-z]+"', mapped)) | {"neutral"}
    assert {status.tone for status in ClaimStatus} == tags == {"neutral", "warn", "ok", "error"}
    assert ClaimStatus.OPGESCHORT.tone == ClaimStatus.WACHT_OP_AKKOORD.tone == "warn"


# ------------------------------------------------------------------ rounding once per line


def test_sheet_rounds_once_per_agreement_line_not_per_day():
    """31 days of 0:15 at EUR 22.98: 7:45 x 22.98 = 178.095 -> 178.10, not 31 x 5.75 = 178.25."""
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 2298, 1)]))
    lines = [LineInput(D(2026, 3, day), IB, 15) for day in range(1, 32)]
    priced, refusals = check(lines, f)
    assert refusals == []
    assert sum(p.amount_cents for p in priced) == 17_810
    assert rules.shares_of(priced) == {1: 17_810}
    assert all(p.amount_cents >= 0 for p in priced)


def test_top_up_line_rounds_once_at_the_budget_tariff():
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 3000, 1, budget_tariff_cents=2298)]))
    lines = [LineInput(D(2026, 3, day), IB, 15) for day in range(1, 32)]
    priced, _ = check(lines, f)
    assert sum(p.amount_cents for p in priced) == 17_810


_MINUTES = st.lists(st.integers(min_value=1, max_value=96).map(lambda q: q * 15),
                    min_size=1, max_size=31)


@settings(max_examples=150, deadline=None)
@given(ib_minutes=_MINUTES, pv_minutes=_MINUTES,
       ib_tariff=st.integers(min_value=1, max_value=20_000),
       pv_tariff=st.integers(min_value=1, max_value=20_000),
       ib_budget=st.one_of(st.none(), st.integers(min_value=1, max_value=20_000)))
def test_sheet_total_is_exact_product_rounded_once_per_line(ib_minutes, pv_minutes, ib_tariff,
                                                            pv_tariff, ib_budget):
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, ib_tariff, 1, budget_tariff_cents=ib_budget),
                             AgreedLine(PV, Unit.UUR, pv_tariff, 2)]))
    lines = ([LineInput(D(2026, 3, i + 1), IB, m) for i, m in enumerate(ib_minutes)]
             + [LineInput(D(2026, 3, i + 1), PV, m) for i, m in enumerate(pv_minutes)])
    priced, refusals = check(lines, f)
    assert not [r for r in refusals if r.code != "day_over_24_hours"]
    paid_ib = ib_tariff if ib_budget is None else ib_budget

    def once(minutes, tariff):
        exact = Decimal(sum(minutes)) * Decimal(tariff) / Decimal(60)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    assert rules.shares_of(priced) == {1: once(ib_minutes, paid_ib), 2: once(pv_minutes, pv_tariff)}
    assert all(p.amount_cents >= 0 for p in priced)
    # The top-up is the rest of the agreed amount, itself rounded once.
    assert sum(p.holder_cents for p in priced) == \
        once(ib_minutes, ib_tariff) - once(ib_minutes, paid_ib)


# ------------------------------------------------------------------ top-up (bijbetaling)


def test_a_top_up_line_records_what_the_budget_pays_and_what_the_holder_pays():
    """Issue 16, finding 8: 2:00 at EUR 30.00 with a maximum of EUR 24.44: the budget pays
    EUR 48.88, the holder EUR 11.12, together the agreed EUR 60.00."""
    f = facts(version(lines=[AgreedLine(IB, Unit.UUR, 3000, 1, budget_tariff_cents=2444)]))
    priced, refusals = check([LineInput(D(2026, 3, 2), IB, 60), LineInput(D(2026, 3, 3), IB, 60)],
                             f)
    assert refusals == []
    assert sum(p.amount_cents for p in priced) == 4888
    assert sum(p.holder_cents for p in priced) == 1112
    assert [p.tariff_cents for p in priced] == [3000, 3000]


def test_a_top_up_per_unit_and_none_without():
    f = facts(version(lines=[AgreedLine(LOG, Unit.ETMAAL, 20_000, 1, budget_tariff_cents=15_000),
                             AgreedLine(IB, Unit.UUR, 2298, 1)]))
    priced, _ = check([LineInput(D(2026, 3, 2), LOG, 2), LineInput(D(2026, 3, 2), IB, 60)], f)
    by_kind = {p.care_kind: p for p in priced}
    assert (by_kind[LOG].amount_cents, by_kind[LOG].holder_cents) == (30_000, 10_000)
    assert (by_kind[IB].amount_cents, by_kind[IB].holder_cents) == (2298, 0)
