"""What waits in each of a helper's client files, for the list 'Mijn klanten': a few counts
per household, for any number of files in two GROUP BY queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from portal.agreements.constants import VersionStatus
from portal.agreements.models import Agreement, AgreementVersion
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.extensions import db


@dataclass(frozen=True)
class FileAttention:
    """What waits in one client's file, for the list of clients ('Mijn klanten')."""

    sheets_to_approve: int = 0
    agreements_to_sign: int = 0     # the provider signed; the budget holder signs next
    agreements_to_finish: int = 0   # a concept, or refused by the funder
    agreements_at_funder: int = 0

    @property
    def lines(self) -> list[str]:
        """The sentences, most urgent first; [] when nothing waits for the client."""
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"
        lines = []
        if self.sheets_to_approve:
            lines.append(n(self.sheets_to_approve, "urenbriefje wacht", "urenbriefjes wachten")
                         + " op akkoord")
        if self.agreements_to_sign:
            lines.append(n(self.agreements_to_sign, "zorgovereenkomst wacht",
                           "zorgovereenkomsten wachten") + " op ondertekening")
        if self.agreements_to_finish:
            lines.append(n(self.agreements_to_finish, "zorgovereenkomst moet",
                           "zorgovereenkomsten moeten") + " worden afgemaakt of verbeterd")
        return lines


def files_attention(household_ids) -> dict[int, FileAttention]:
    """Per household: what waits for its budget holder (or whoever acts for them). Two GROUP
    BY queries, whatever the number of files."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    counts: dict[int, dict[str, int]] = {i: defaultdict(int) for i in ids}
    for household_id, count in db.session.execute(
            select(Agreement.household_id, func.count(Claim.id))
            .join(Claim, Claim.agreement_id == Agreement.id)
            .where(Agreement.household_id.in_(ids),
                   Claim.status == ClaimStatus.WACHT_OP_AKKOORD)
            .group_by(Agreement.household_id)):
        counts[household_id]["sheets_to_approve"] += int(count)
    field_of = {VersionStatus.ONDERTEKEND: "agreements_to_sign",
                VersionStatus.CONCEPT: "agreements_to_finish",
                VersionStatus.AFGEKEURD: "agreements_to_finish",
                VersionStatus.TER_BEOORDELING: "agreements_at_funder"}
    for household_id, status, count in db.session.execute(
            select(Agreement.household_id, AgreementVersion.status,
                   func.count(AgreementVersion.id))
            .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
            .where(Agreement.household_id.in_(ids),
                   AgreementVersion.status.in_([s.value for s in field_of]))
            .group_by(Agreement.household_id, AgreementVersion.status)):
        counts[household_id][field_of[VersionStatus(status)]] += int(count)
    return {i: FileAttention(**c) for i, c in counts.items()}
