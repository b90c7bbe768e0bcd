"""Check before you sign or decide: the final step acts on exactly the version that was
checked (agreements.checked, compared in service._check_step under the row lock)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.agreements import funder_review, service, signing
from portal.agreements.checked import VERSION_CHANGED, check_checked, checked_token
from portal.agreements.constants import VersionStatus
from portal.refusals import AlreadyDone
from tests.agreements.test_service import TODAY, World, refused

__all__ = ["World"]  # the `w` fixture builds the World of this module

S = VersionStatus


def _plain(**kw):
    version = SimpleNamespace(id=7, number=1, review_round=0, starts_on="2026-02-01",
                              ends_on=None, end_kind="geen", days_per_week=2,
                              iban="NL91ABNA0417164300", top_up=False, notice_months=1)
    line = SimpleNamespace(grant_id=3, care_kind="ib", unit="uur", tariff_cents=6000,
                           weekly_quantity=240, budget_tariff_cents=None)
    provider = SimpleNamespace(name="Piet Zorg", email=None, kvk=None, agb=None)
    for key, value in kw.items():
        target, field = key.split("__")
        setattr({"version": version, "line": line, "provider": provider}[target], field, value)
    return checked_token(version, [line], provider)


def test_the_token_names_the_version_and_changes_with_its_content():
    same = _plain()
    assert same == _plain() and same.startswith("7-")
    for change in ({"line__tariff_cents": 6100}, {"line__weekly_quantity": 300},
                   {"version__iban": "NL20INGB0001234567"}, {"version__ends_on": "2026-12-31"},
                   {"version__review_round": 1}, {"provider__name": "P. Zorg"},
                   {"version__id": 8}):
        assert _plain(**change) != same, change
    assert check_checked(same, same) == []
    assert [r.code for r in check_checked(_plain(line__tariff_cents=1), same)] == [VERSION_CHANGED]
    assert [r.code for r in check_checked(None, same)] == [VERSION_CHANGED]


def _shared(w, *, provider_signed: bool):
    version = w.draft().versions[0]
    signing.share(w.holder, version, TODAY)
    if provider_signed:
        signing.provider_sign(w.provider_user, version, TODAY)
    return version


def test_holder_signs_only_the_version_checked(w, db):
    version = _shared(w, provider_signed=True)
    seen = service.current_token(version)
    version.lines[0].tariff_cents = 6500  # changed after the check page was read
    db.session.flush()
    assert refused(signing.holder_sign, w.holder, version, TODAY, seen) == [VERSION_CHANGED]
    assert version.status == S.GEDEELD and version.signed_by_holder_at is None

    seen = service.current_token(version)
    signing.holder_sign(w.holder, version, TODAY, seen)
    assert version.status == S.TER_BEOORDELING
    with pytest.raises(AlreadyDone):  # the same POST again: a repeat, not an error
        signing.holder_sign(w.holder, version, TODAY, seen)


def test_provider_signs_only_the_version_checked(w, db):
    version = _shared(w, provider_signed=False)
    stale = service.current_token(version)
    version.days_per_week = 3
    db.session.flush()
    assert refused(signing.provider_sign, w.provider_user, version, TODAY,
                   checked=stale) == [VERSION_CHANGED]
    assert version.signed_by_provider_at is None
    signing.provider_sign(w.provider_user, version, TODAY,
                          checked=service.current_token(version))
    assert version.signed_by_provider_at is not None


def test_funder_decides_only_on_the_version_checked(w, db):
    version = _shared(w, provider_signed=True)
    signing.holder_sign(w.holder, version, TODAY)
    stale = f"{version.id + 1000}-{service.current_token(version).split('-')[1]}"
    assert refused(funder_review.review, w.consulent, version, approve=True, reason=None,
                   today=TODAY, checked=stale) == [VERSION_CHANGED]
    assert version.status == S.TER_BEOORDELING
    funder_review.review(w.consulent, version, approve=True, reason=None, today=TODAY,
                         checked=service.current_token(version))
    assert version.status == S.GOEDGEKEURD
