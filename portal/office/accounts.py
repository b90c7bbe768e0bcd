"""What the payment office's page 'Inlogaccounts' reads: who still needs a login ('Eerst te
doen'), every login (searched, a page at a time), and the households, providers and funders a
new login can belong to. A fixed number of queries each, whatever the number of logins.

The writes - a new login with its welcome mail, turning a login off or on - are
portal.access.service.invite_user and set_account_active.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import and_, case, distinct, exists, func, or_, select, true

from portal.access.constants import Role
from portal.access.models import User
from portal.access.permissions import active_login
from portal.access.rules import check_welcome_again
from portal.access.service import as_local, has_usable_password, stored_timezone, welcome_state
from portal.agreements.constants import ProviderKind, VersionStatus
from portal.agreements.models import Agreement, AgreementVersion
from portal.budgets.constants import FunderKind
from portal.budgets.models import Funder, Grant, Household, Member
from portal.extensions import db
from portal.identity.rules import EXTERNAL_LABELS, scheme_of
from portal.office.rules import (
    ACCOUNTS_PER_PAGE,
    LOGIN_NEEDED_STATUSES,
    SEARCH_MAX_LENGTH,
    TODO_LIMIT,
    account_state,
)
from portal.pagination import Page, paginate
from portal.providers.models import Provider

# --------------------------------------------------------------------------- Eerst te doen


@dataclass(frozen=True)
class ProviderWithoutLogin:
    provider_id: int
    name: str
    email: str | None
    kind: ProviderKind
    agreements: int
    waiting_for_signature: bool  # an agreement was shared with them and waits for them


@dataclass(frozen=True)
class HouseholdWithoutLogin:
    household_id: int
    name: str
    members_with_budget: int


@dataclass(frozen=True)
class AccountsTodo:
    providers: list[ProviderWithoutLogin]
    providers_total: int
    households: list[HouseholdWithoutLogin]
    households_total: int

    @property
    def empty(self) -> bool:
        return not self.providers_total and not self.households_total

    @property
    def providers_more(self) -> int:
        """Providers without a login beyond the ones shown."""
        return self.providers_total - len(self.providers)

    @property
    def households_more(self) -> int:
        return self.households_total - len(self.households)


def accounts_todo(today: dt.date, limit: int = TODO_LIMIT) -> AccountsTodo:
    """Providers with a shared or approved agreement (still running) and households with a
    budget (still running) that have no active login: the first `limit` of each, the ones an
    agreement waits for first. Four queries."""
    provider_needed = and_(
        AgreementVersion.status.in_(LOGIN_NEEDED_STATUSES),
        or_(AgreementVersion.ends_on.is_(None), AgreementVersion.ends_on >= today),
        ~exists().where(active_login(Role.ZORGVERLENER, User.provider_id == Provider.id)))
    waiting = func.max(case((AgreementVersion.status == VersionStatus.GEDEELD, 1), else_=0))
    provider_rows = db.session.execute(
        select(Provider.id, Provider.name, Provider.email, Provider.kind,
               func.count(distinct(Agreement.id)), waiting)
        .join(Agreement, Agreement.provider_id == Provider.id)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .where(provider_needed)
        .group_by(Provider.id, Provider.name, Provider.email, Provider.kind)
        .order_by(waiting.desc(), Provider.name, Provider.id).limit(limit)).all()
    providers_total = db.session.scalar(
        select(func.count(distinct(Provider.id)))
        .join(Agreement, Agreement.provider_id == Provider.id)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .where(provider_needed)) or 0

    household_needed = and_(
        Grant.period_end >= today,
        ~exists().where(active_login(Role.BUDGETHOUDER, User.household_id == Household.id)))
    household_rows = db.session.execute(
        select(Household.id, Household.name, func.count(distinct(Member.id)))
        .join(Member, Member.household_id == Household.id)
        .join(Grant, Grant.member_id == Member.id)
        .where(household_needed)
        .group_by(Household.id, Household.name)
        .order_by(Household.name, Household.id).limit(limit)).all()
    households_total = db.session.scalar(
        select(func.count(distinct(Household.id)))
        .join(Member, Member.household_id == Household.id)
        .join(Grant, Grant.member_id == Member.id)
        .where(household_needed)) or 0
    return AccountsTodo(
        providers=[ProviderWithoutLogin(pid, name, email, ProviderKind(kind), count, bool(wait))
                   for pid, name, email, kind, count, wait in provider_rows],
        providers_total=providers_total,
        households=[HouseholdWithoutLogin(hid, name, members)
                    for hid, name, members in household_rows],
        households_total=households_total)


# --------------------------------------------------------------------------- the logins


@dataclass(frozen=True)
class AccountRow:
    user_id: int
    name: str
    email: str
    role: Role
    belongs_to: str | None  # the household, provider or funder of the login
    active: bool
    has_password: bool
    own: bool  # the office employee's own login: no buttons (nobody turns off their own)
    # The welcome link's state the page saw (access.service.welcome_state): the button sends
    # it back, so a second click on the same page is answered "Dit is al gedaan".
    welcome_state: str = ""
    # "DigiD" or "eHerkenning" when the login is linked to one (portal.identity), and when it
    # last logged in that way.
    login_via: str | None = None
    external_login_at: dt.datetime | None = None

    @property
    def made_by_eherkenning(self) -> bool:
        """Made at a first login through eHerkenning: no e-mail address, no password."""
        return self.login_via == "eHerkenning"

    @property
    def state(self) -> tuple[str, str]:
        return account_state(self.active, self.has_password)

    @property
    def may_mail_again(self) -> bool:
        return not check_welcome_again(active=self.active, has_password=self.has_password,
                                       name=self.name)


@dataclass(frozen=True)
class AccountPage(Page):
    rows: list[AccountRow]
    search: str


def list_accounts(search: str = "", page: int = 1, actor_id: int | None = None,
                  per_page: int = ACCOUNTS_PER_PAGE) -> AccountPage:
    """Every login whose name or e-mail address contains `search` (capitals do not matter),
    by name, a page at a time, with what it belongs to. Two queries, whatever the number."""
    search = (search or "").strip()[:SEARCH_MAX_LENGTH]
    condition = or_(func.lower(User.name).contains(search.lower(), autoescape=True),
                    func.lower(User.email).contains(search.lower(), autoescape=True)
                    ) if search else true()
    condition = and_(condition, ~User.is_machine)  # API keys' own accounts are no logins
    total = db.session.scalar(select(func.count()).select_from(User).where(condition)) or 0
    shown, offset = paginate(total, page, per_page)
    rows = db.session.execute(
        select(User, Household.name, Provider.name, Funder.name)
        .outerjoin(Household, Household.id == User.household_id)
        .outerjoin(Provider, Provider.id == User.provider_id)
        .outerjoin(Funder, Funder.id == User.funder_id)
        .where(condition)
        .order_by(func.lower(User.name), User.id)
        .limit(per_page).offset(offset)).all()
    result = []
    stored = stored_timezone()
    for user, household, provider, funder in rows:
        belongs = (f"Huishouden {household}" if household else provider or funder or None)
        via = EXTERNAL_LABELS.get(scheme_of(user.external_id) or "")
        result.append(AccountRow(user.id, user.name, user.email, Role(user.role), belongs,
                                 user.is_active_account,
                                 # an eHerkenning login logs in without a password
                                 has_usable_password(user) or via == "eHerkenning",
                                 user.id == actor_id, welcome_state(user), via,
                                 user.external_login_at and as_local(user.external_login_at,
                                                                     stored)))
    return AccountPage(**asdict(shown), rows=result, search=search)


# --------------------------------------------------------------------------- a new login


@dataclass(frozen=True)
class LinkChoices:
    """What a new login can belong to, as (id, label) for the form's lists."""

    households: list[tuple[int, str]]
    providers: list[tuple[int, str]]
    funders: list[tuple[int, str]]


def link_choices() -> LinkChoices:
    """Every household, provider and funder, by name. Three queries."""
    households = db.session.execute(
        select(Household.id, Household.name).order_by(Household.name, Household.id)).all()
    providers = db.session.execute(
        select(Provider.id, Provider.name, Provider.kind, Provider.email)
        .order_by(Provider.name, Provider.id)).all()
    funders = db.session.execute(
        select(Funder.id, Funder.name, Funder.kind).order_by(Funder.name, Funder.id)).all()
    return LinkChoices(
        households=[(hid, f"{name} (nummer {hid})") for hid, name in households],
        providers=[(pid, f"{name} ({ProviderKind(kind).label.lower()}"
                         f"{', ' + email if email else ''}; nummer {pid})")
                   for pid, name, kind, email in providers],
        funders=[(fid, f"{name} ({FunderKind(kind).label.lower()}, nummer {fid})")
                 for fid, name, kind in funders])


@dataclass(frozen=True)
class Prefill:
    """What 'Inlog maken' next to an item of 'Eerst te doen' fills in."""

    role: str | None = None
    name: str | None = None
    email: str | None = None
    household_id: int | None = None
    provider_id: int | None = None


def prefill_for(provider_id: int | None, household_id: int | None) -> Prefill:
    """The new login's role, name and e-mail for this provider (what the budget holder typed
    in the wizard) or household. At most one query."""
    if provider_id is not None:
        provider = db.session.get(Provider, provider_id)
        if provider is not None:
            return Prefill(role=Role.ZORGVERLENER.value, name=provider.name,
                           email=provider.email, provider_id=provider.id)
    if household_id is not None and db.session.get(Household, household_id) is not None:
        return Prefill(role=Role.BUDGETHOUDER.value, household_id=household_id)
    return Prefill()
