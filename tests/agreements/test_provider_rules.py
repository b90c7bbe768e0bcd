"""Unit tests of the rules about providers: the same provider once (matching a 'new' provider
to a known one), one agreement per budget holder and provider, the relation, the login notice."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.agreements import rules
from portal.agreements.constants import ModelKind, ProviderKind, VersionStatus
from portal.agreements.periods import VersionPeriod, last_day_of_care
from portal.agreements.rules import ExistingAgreement
from portal.providers.rules import KnownProvider, match_provider, same_person_name

D = dt.date
TODAY = D(2026, 12, 1)
P, ORG = ProviderKind.PERSOON, ProviderKind.ORGANISATIE
IBAN = "NL20INGB0001234567"
MARIEKE = KnownProvider(1, P, "Marieke de Boer", IBAN, None, has_login=True)
LINDE = KnownProvider(2, ORG, "Thuiszorg De Linde B.V.", "NL39RABO0300065264", "30123456")


@pytest.mark.parametrize("a, b", [
    ("Marieke de Boer", "marieke de boer"), ("Marieke de Boer", "M. de Boer"),
    ("Marieke de Boer", "Marieke Johanna de Boer"), ("Zoë Öztürk", "Zoe Ozturk"),
    ("Marieke de Boer", "  Marieke  de  Boer "),
])
def test_same_person_name(a, b):
    assert same_person_name(a, b) and same_person_name(b, a)


@pytest.mark.parametrize("a, b", [
    ("Marieke de Boer", "Marieke"), ("Marieke de Boer", "Marieke de Vries"),
    ("Marieke de Boer", "Piet de Boer"), ("Marieke de Boer", ""), ("A. B.", "Bas Boer"),
])
def test_not_the_same_person_name(a, b):
    assert not same_person_name(a, b)


def test_a_person_with_a_known_iban_and_name_is_the_known_provider():
    match, refusals = match_provider(P, "M. de Boer", IBAN, None, [MARIEKE])
    assert (match, refusals) == (MARIEKE, [])


def test_a_provider_nobody_knows_is_new():
    assert match_provider(P, "Oma Jansen", "NL91ABNA0417164300", None, [MARIEKE]) == (None, [])


def test_the_known_provider_with_a_login_comes_first():
    copy = KnownProvider(0, P, "Marieke de Boer", IBAN)  # an older copy without a login
    match, _ = match_provider(P, "Marieke de Boer", IBAN, None, [copy, MARIEKE])
    assert match == MARIEKE


def test_a_known_iban_with_another_name_is_refused_without_saying_whose_it_is():
    match, refusals = match_provider(P, "Oma Jansen", IBAN, None, [MARIEKE])
    assert match is None and [r.code for r in refusals] == ["iban_other_name"]
    assert refusals[0].field == "iban" and "Marieke" not in refusals[0].message


def test_an_organisation_is_known_by_its_kvk_number():
    match, refusals = match_provider(ORG, "De Linde", "NL44RABO0123456789", "30123456", [LINDE])
    assert (match, refusals) == (LINDE, [])


def test_an_iban_of_another_kind_of_provider_is_refused():
    _, refusals = match_provider(P, "Linde", LINDE.iban, None, [LINDE])
    assert [r.code for r in refusals] == ["iban_of_organisation"]
    _, refusals = match_provider(ORG, "Marieke BV", IBAN, "11112222", [MARIEKE])
    assert [r.code for r in refusals] == ["iban_of_person"]


def test_an_organisation_iban_with_another_kvk_is_refused():
    _, refusals = match_provider(ORG, "Linde", LINDE.iban, "99998888", [LINDE])
    assert [r.code for r in refusals] == ["iban_other_kvk"]


JAN_1 = D(2026, 1, 1)


def period(status, starts_on=JAN_1, ends_on=None, ended_on=None, number=1):
    return VersionPeriod(number, status, starts_on, ends_on, ended_on)


def test_last_day_of_care():
    S = VersionStatus
    assert last_day_of_care([period(S.CONCEPT)]) is None
    assert last_day_of_care([period(S.GOEDGEKEURD)]) is None
    assert last_day_of_care([period(S.GOEDGEKEURD, ends_on=D(2026, 6, 30))]) == D(2026, 6, 30)
    assert last_day_of_care([period(S.BEEINDIGD, ended_on=D(2026, 3, 31))]) == D(2026, 3, 31)
    # An approved agreement with a change on its way may go on.
    assert last_day_of_care([period(S.GOEDGEKEURD, ends_on=D(2026, 6, 30)),
                                   period(S.TER_BEOORDELING, D(2026, 5, 1), number=2)]) is None
    assert last_day_of_care([]) == D.min


def existing(last_day):
    return ExistingAgreement(7, "ZO-2026-000007", "Marieke de Boer", last_day)


def test_one_agreement_per_budget_holder_and_provider():
    current, refusals = rules.check_one_agreement([existing(None)], TODAY)
    assert current.id == 7 and [r.code for r in refusals] == ["agreement_exists"]
    assert "ZO-2026-000007" in refusals[0].message and "Wijzig" in refusals[0].message


def test_an_agreement_that_ends_later_still_counts_and_says_until_when():
    _, refusals = rules.check_one_agreement([existing(D(2026, 12, 31))], TODAY)
    assert "tot en met 31 december 2026" in refusals[0].message
    _, refusals = rules.check_one_agreement([existing(TODAY)], TODAY)  # its last day
    assert [r.code for r in refusals] == ["agreement_exists"]


def test_a_new_agreement_once_the_earlier_one_is_over():
    assert rules.check_one_agreement([existing(D(2026, 11, 30))], TODAY) == (None, [])
    assert rules.check_one_agreement([], TODAY) == (None, [])


@pytest.mark.parametrize("model, relation, refused", [
    (ModelKind.FAMILIE, "", True), (ModelKind.FAMILIE, "geen", True),
    (ModelKind.FAMILIE, "onzin", True), (ModelKind.FAMILIE, "grootouder", False),
    (ModelKind.ARBEID, None, True), (ModelKind.ARBEID, "geen", False),
    (ModelKind.OPDRACHT, None, False), (ModelKind.ZORGINSTELLING, "", False),
])
def test_relation_choice(model, relation, refused):
    refusals = rules.check_relation_choice(model, relation)
    assert bool(refusals) is refused
    assert all(r.field == "relation" for r in refusals)


def test_provider_kind_and_default_start():
    assert rules.provider_kind_for(ModelKind.ZORGINSTELLING) is ORG
    assert {rules.provider_kind_for(m) for m in ModelKind if m != ModelKind.ZORGINSTELLING} == {P}
    assert rules.default_start(D(2026, 12, 1)) == D(2027, 1, 1)
    assert rules.default_start(D(2026, 1, 31)) == D(2026, 2, 1)


def test_login_notice_only_without_a_login():
    assert rules.provider_login_notice("Oma", True, "oma@example.nl") is None
    notice = rules.provider_login_notice("Oma", False, "oma@example.nl")
    assert "Oma heeft nog geen inlog" in notice.message and "oma@example.nl" in notice.message
    assert "betaalkantoor" in notice.message and "papier" in notice.message
    without_email = rules.provider_login_notice("Oma", False, None)
    assert "e-mailadres van de zorgverlener nodig" in without_email.message


def test_earliest_start_reaches_every_month_that_can_still_be_claimed():
    assert rules.earliest_start(D(2026, 12, 1)) == D(2026, 9, 1)
    assert rules.earliest_start(D(2026, 1, 15)) == D(2025, 10, 1)


def test_chosen_grants_must_be_the_households():
    from portal.agreements.rules import GrantFacts
    from portal.budgets.constants import Law

    mine = GrantFacts(1, 10, 5, Law.WMO, D(2026, 1, 1), D(2026, 12, 31), frozenset())
    theirs = GrantFacts(2, 11, 5, Law.WMO, D(2026, 1, 1), D(2026, 12, 31), frozenset())
    grants = {1: mine, 2: theirs}
    assert rules.check_chosen_grants(10, [1], grants) == []
    assert [r.code for r in rules.check_chosen_grants(10, [1, 2], grants)] == [
        "grant_other_household"]
    assert [r.field for r in rules.check_chosen_grants(10, [99], grants)] == ["grants"]
