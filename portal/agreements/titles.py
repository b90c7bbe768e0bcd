"""Human titles: an agreement named by whom the care is for, who gives it and under which law
("Zorg voor Daan door Youssef El Amrani (Jeugdwet)"), with its reference as secondary text.
One home for every list, page, message and paper document that names an agreement or a sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from portal.agreements.models import Agreement, AgreementLine, AgreementVersion
from portal.budgets.constants import Law
from portal.budgets.models import Grant, Member
from portal.dates import format_month
from portal.extensions import db
from portal.providers.models import Provider


def first_name(name: str) -> str:
    """'Daan Jansen' -> 'Daan': family members are called by their first name."""
    return name.split()[0] if name.split() else name


def _and(names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))  # each once, in order
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " en " + names[-1]


def care_for(members: Sequence[str], laws: Sequence[str]) -> str:
    """'zorg voor Daan (Jeugdwet)'; several members or laws joined; '' without members."""
    whom = _and([first_name(m) for m in members])
    if not whom:
        return ""
    laws = list(dict.fromkeys(laws))
    return f"zorg voor {whom}" + (f" ({', '.join(laws)})" if laws else "")


def care_title(members: Sequence[str], provider_name: str, laws: Sequence[str]) -> str:
    """'Zorg voor Daan door Youssef El Amrani (Jeugdwet)'; several members or laws joined
    ('Zorg voor Daan en Sara door ... (Jeugdwet, Wmo)'); without members: 'Zorg door ...'."""
    whom = _and([first_name(m) for m in members])
    text = f"Zorg voor {whom} door {provider_name}" if whom else f"Zorg door {provider_name}"
    laws = list(dict.fromkeys(laws))
    return f"{text} ({', '.join(laws)})" if laws else text


def sheet_title(month: dt.date, provider_name: str, care: str, *, wage: bool = False) -> str:
    """'Urenbriefje mei 2026 van Youssef El Amrani: zorg voor Daan (Jeugdwet)'."""
    what = "Maandloon" if wage else "Urenbriefje"
    text = f"{what} {format_month(month)} van {provider_name}"
    return f"{text}: {care}" if care else text


@dataclass(frozen=True)
class AgreementTitle:
    title: str      # "Zorg voor Daan door Youssef El Amrani (Jeugdwet)"
    reference: str  # "ZO-000123", the secondary text
    provider_name: str = ""
    care: str = ""  # "zorg voor Daan (Jeugdwet)"

    def sheet(self, month: dt.date, *, wage: bool = False) -> str:
        """The title of this agreement's sheet of `month` (sheet_title)."""
        return sheet_title(month, self.provider_name, self.care, wage=wage)


def agreement_titles(agreement_ids: Iterable[int]) -> dict[int, AgreementTitle]:
    """The human title of each agreement, from its newest version's lines (the members the
    budgets are for, and their laws). One query, whatever the number of agreements."""
    ids = sorted(set(agreement_ids))
    if not ids:
        return {}
    newest = (select(AgreementVersion.agreement_id,
                     func.max(AgreementVersion.number).label("number"))
              .where(AgreementVersion.agreement_id.in_(ids))
              .group_by(AgreementVersion.agreement_id).subquery())
    heads: dict[int, tuple[str, str]] = {}
    members: dict[int, list[str]] = {i: [] for i in ids}
    laws: dict[int, list[str]] = {i: [] for i in ids}
    for agreement_id, reference, provider, member, law in db.session.execute(
            select(Agreement.id, Agreement.reference, Provider.name, Member.name, Grant.law)
            .join(Provider, Provider.id == Agreement.provider_id)
            .outerjoin(newest, newest.c.agreement_id == Agreement.id)
            .outerjoin(AgreementVersion, (AgreementVersion.agreement_id == Agreement.id)
                       & (AgreementVersion.number == newest.c.number))
            .outerjoin(AgreementLine, AgreementLine.version_id == AgreementVersion.id)
            .outerjoin(Grant, Grant.id == AgreementLine.grant_id)
            .outerjoin(Member, Member.id == Grant.member_id)
            .where(Agreement.id.in_(ids))
            .order_by(Agreement.id, Member.id, Grant.law, AgreementLine.id)):
        heads[agreement_id] = (provider, reference)
        if member is not None:
            members[agreement_id].append(member)
            laws[agreement_id].append(Law(law).label)
    return {i: AgreementTitle(care_title(members[i], provider, laws[i]), reference, provider,
                              care_for(members[i], laws[i]))
            for i, (provider, reference) in heads.items()}


def agreement_title(agreement_id: int) -> str:
    """One agreement's human title ('' when it does not exist): for a page that shows one."""
    found = agreement_titles([agreement_id]).get(agreement_id)
    return found.title if found else ""
