"""portal.overview.service.household_attention: what waits for the funder or the budget holder."""

from __future__ import annotations

import datetime as dt

from portal.agreements.constants import VersionStatus
from portal.agreements.models import AgreementVersion
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.overview.service import household_attention
from tests import factories as f

D = dt.date


def sheet(agreement, month: dt.date, status: ClaimStatus, cents: int = 10_000) -> Claim:
    return f.add(Claim(reference=f"UB-T{f.seq():06d}", agreement_id=agreement.id, month=month,
                       status=status, total_cents=cents))


def test_agreements_waiting_for_the_funder_and_sheets_waiting_for_the_holder(db):
    household = f.make_household()
    grant = f.make_grant(f.make_member(household))
    waiting = f.make_agreement(grant, provider=f.make_provider(name="Youssef"),
                               status=VersionStatus.TER_BEOORDELING, starts_on=D(2026, 7, 1))
    approved = f.make_agreement(grant, provider=f.make_provider(name="Marieke"))
    # an approved agreement with a change waiting for the funder
    f.add(AgreementVersion(agreement_id=approved.id, number=2, status=VersionStatus.TER_BEOORDELING,
                           starts_on=D(2026, 9, 1)))
    f.make_agreement(grant, status=VersionStatus.ONDERTEKEND)   # not at the funder yet
    f.make_agreement(grant, status=VersionStatus.AFGEKEURD)     # back with the holder
    sheet(approved, D(2026, 5, 1), ClaimStatus.WACHT_OP_AKKOORD, 79_200)
    sheet(approved, D(2026, 4, 1), ClaimStatus.WACHT_OP_AKKOORD)
    for status in (ClaimStatus.CONCEPT, ClaimStatus.INGEDIEND, ClaimStatus.UITBETAALD):
        sheet(waiting, D(2026, 3, 1) if status is ClaimStatus.CONCEPT else
              D(2026, 2, 1) if status is ClaimStatus.INGEDIEND else D(2026, 1, 1), status)
    # another household's waiting items never show
    other = f.make_grant()
    other_agreement = f.make_agreement(other, status=VersionStatus.TER_BEOORDELING)
    sheet(other_agreement, D(2026, 5, 1), ClaimStatus.WACHT_OP_AKKOORD)

    result = household_attention(household.id)
    assert [(a.provider_name, a.version_number, a.starts_on) for a in result.agreements_waiting] == \
        [("Youssef", 1, D(2026, 7, 1)), ("Marieke", 2, D(2026, 9, 1))]
    assert result.agreements_waiting[0].reference == waiting.reference
    assert [(s.provider_name, s.month, s.total_cents) for s in result.sheets_waiting] == \
        [("Marieke", D(2026, 4, 1), 10_000), ("Marieke", D(2026, 5, 1), 79_200)]


def test_nothing_waiting(db):
    result = household_attention(f.make_household().id)
    assert result.agreements_waiting == [] and result.sheets_waiting == []
