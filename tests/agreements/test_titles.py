"""Human titles (issue 11, part 3): one function names an agreement by whom the care is for,
who gives it and under which law; the reference is secondary text."""

from __future__ import annotations

import datetime as dt

from portal.agreements.titles import agreement_titles, care_title, sheet_title
from portal.budgets.constants import CareKind, Law, Unit
from tests import factories as f


def test_care_title_names_the_person_the_provider_and_the_law():
    assert care_title(["Daan Jansen"], "Youssef El Amrani", ["Jeugdwet"]) == \
        "Zorg voor Daan door Youssef El Amrani (Jeugdwet)"
    assert care_title(["Daan Jansen", "Sara Jansen", "Sara Jansen"], "Youssef El Amrani",
                      ["Jeugdwet", "Wmo", "Wmo"]) == \
        "Zorg voor Daan en Sara door Youssef El Amrani (Jeugdwet, Wmo)"
    assert care_title([], "Thuiszorg De Linde", []) == "Zorg door Thuiszorg De Linde"


def test_sheet_title_puts_the_month_and_the_provider_first():
    assert sheet_title(dt.date(2026, 5, 1), "Youssef", "zorg voor Daan (Jeugdwet)") == \
        "Urenbriefje mei 2026 van Youssef: zorg voor Daan (Jeugdwet)"
    assert sheet_title(dt.date(2026, 5, 1), "Youssef", "", wage=True) == \
        "Maandloon mei 2026 van Youssef"


def test_agreement_titles_read_the_newest_version_in_one_query(db):
    household = f.make_household()
    daan = f.make_grant(f.make_member(household, name="Daan Jansen"), law=Law.JEUGDWET)
    sara = f.make_grant(f.make_member(household, name="Sara Jansen"), law=Law.WMO)
    youssef = f.make_provider(name="Youssef El Amrani")
    both = f.make_agreement(daan, youssef, lines=[
        (daan, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 60),
        (sara, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 60)])
    one = f.make_agreement(sara, f.make_provider(name="Marieke de Boer"))
    titles = agreement_titles([both.id, one.id])
    assert titles[both.id].title == \
        "Zorg voor Daan en Sara door Youssef El Amrani (Jeugdwet, Wmo 2015)"
    assert titles[both.id].reference == both.reference
    assert titles[one.id].title == "Zorg voor Sara door Marieke de Boer (Wmo 2015)"
    assert titles[one.id].sheet(dt.date(2026, 5, 1)) == \
        "Urenbriefje mei 2026 van Marieke de Boer: zorg voor Sara (Wmo 2015)"
    assert agreement_titles([]) == {}
