"""What waits in each of a helper's client files, for the list 'Mijn klanten': a few counts
per household, counted from the list the client's own start page shows (one home)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.agreements.constants import VersionStatus
from portal.overview import service
from portal.overview.service import Attention


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

    @classmethod
    def of(cls, attention: Attention) -> FileAttention:
        """The counts of one file's attention list, as its start page lists the tasks."""
        statuses = [VersionStatus(a.status) for a in attention.agreements_open]
        return cls(sheets_to_approve=len(attention.sheets_waiting),
                   agreements_to_sign=statuses.count(VersionStatus.ONDERTEKEND),
                   agreements_to_finish=sum(s in (VersionStatus.CONCEPT, VersionStatus.AFGEKEURD)
                                            for s in statuses),
                   agreements_at_funder=len(attention.agreements_waiting))


def files_attention(household_ids) -> dict[int, FileAttention]:
    """Per household: what waits for its budget holder (or whoever acts for them), counted
    from the very list the client's start page shows its tasks from
    (service.households_attention; a fixed number of queries, whatever the number of files)."""
    return {i: FileAttention.of(attention)
            for i, attention in service.households_attention(household_ids).items()}
