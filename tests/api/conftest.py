"""A care organisation, a funder and the payment office, each with an API key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from portal.access.constants import Role
from portal.agreements.constants import ProviderKind
from portal.agreements.models import Agreement
from portal.api.service import create_api_key
from portal.budgets.models import Funder, Grant
from portal.extensions import db as database
from portal.providers.models import Provider
from tests.factories import make_agreement, make_grant, make_provider, make_user

TODAY = dt.date(2026, 12, 6)
MONTH = "2026-11"
ALL_PROVIDER = ["claims:read", "claims:write", "payments:read"]
ALL_FUNDER = ["grants:write", "reviews:read", "reviews:write"]


@dataclass
class World:
    provider: Provider
    agreement: Agreement
    grant: Grant
    funder: Funder
    other_provider: Provider
    other_agreement: Agreement

    def other_funder_id(self) -> int:
        version = self.other_agreement.versions[0]
        return database.session.get(Grant, version.lines[0].grant_id).funder_id

    def key(self, kind: str = "provider", scopes: list[str] | None = None, *,
            other: bool = False, expires_on: dt.date | None = None) -> str:
        owner = {"provider": dict(owner_kind="provider",
                                  provider_id=(self.other_provider if other else self.provider).id),
                 "funder": dict(owner_kind="funder", funder_id=(
                     self.other_funder_id() if other else self.funder.id)),
                 "office": dict(owner_kind="office")}[kind]
        default = {"provider": ALL_PROVIDER, "funder": ALL_FUNDER, "office": ["runs:read"]}[kind]
        _key, token = create_api_key(None, label=f"Test {kind}", scopes=default if scopes is None
                                     else scopes, expires_on=expires_on or dt.date(2027, 6, 30),
                                     today=TODAY, **owner)
        database.session.commit()  # as the office's request would: a refused call rolls back
        return token


@pytest.fixture
def world(db, today_is) -> World:
    today_is(TODAY, "portal.api.views")
    provider = make_provider(ProviderKind.ORGANISATIE, name="Thuiszorg Test")
    grant = make_grant()
    agreement = make_agreement(grant, provider)
    make_user(Role.BUDGETHOUDER, household_id=agreement.household_id, name="Marieke Test")
    other_provider = make_provider(ProviderKind.ORGANISATIE, name="Andere Zorg")
    other_agreement = make_agreement(make_grant(), other_provider)
    funder = database.session.get(Funder, grant.funder_id)
    database.session.commit()  # into the test's savepoint: a refused API call rolls back
    return World(provider, agreement, grant, funder, other_provider, other_agreement)


def bearer(token: str, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}


def sheet(agreement_id: int, month: str = MONTH, days=(2, 3), minutes: int = 120) -> dict:
    year, m = (int(x) for x in month.split("-"))
    return {"agreement_id": agreement_id, "month": month,
            "lines": [{"day": dt.date(year, m, d).isoformat(), "care_kind": "individuele_begeleiding",
                       "quantity": minutes} for d in days]}
