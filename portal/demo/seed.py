"""The demo: two households with a history, one login per role.

Long because: the demo is one story told in steps (seed_demo), next to the logins it makes,
which the tests, the browser journeys and the README read from here.

Built through the same services as real use (so every rule applies to the demo too), with
`today` moved along the timeline: each month's sheets are prepared, approved and paid on
plausible dates after that month. Dates are relative to the day it is run, so the demo always
shows "the last ten months". Running it again changes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import update

from portal.access.constants import Role, Scope
from portal.access.models import Authorization, User
from portal.access.service import create_user, find_user_by_email
from portal.agreements import changing, funder_review, signing
from portal.agreements import service as agreements
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
from portal.agreements.costs import cost_by_grant_cents
from portal.agreements.models import Agreement, AgreementVersion, MaxTariff
from portal.agreements.rules import LineInput as AgreementLineInput
from portal.agreements.tariffs import NATIONAL, missing_national_maxima
from portal.api.service import create_api_key
from portal.budgets import service as budgets
from portal.budgets.constants import AllowanceKind, CareKind, FunderKind, Law, Unit
from portal.budgets.models import AllowanceCap, Funder, Grant, Household, Member
from portal.claims import service as claims
from portal.claims.rules import LineInput as ClaimLineInput
from portal.dates import add_months, first_of_month, last_of_month, month_days, now
from portal.demo.corrections import seed_corrections
from portal.demo.money import seed_allowances
from portal.demo.wages import draft_employment
from portal.extensions import db
from portal.identity.service import link_bsn
from portal.messages.models import Message
from portal.payments.service import run_payments
from portal.providers.models import Provider
from portal.providers.service import create_provider

DEMO_PASSWORD = "demo-wachtwoord"


def demo_totp_secret(label: str) -> str:
    """A fixed base32 secret per demo account (documented in the README; never in production)."""
    # 20 bytes -> 32 base32 characters, the length authenticator apps expect.
    return base64.b32encode(hashlib.sha1(f"pgb-demo-{label}".encode()).digest()).decode()


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    what: str
    totp_label: str | None = None
    # The BSN this person logs in with through (Test-)DigiD; only a keyed hash of it is kept
    # on the login (portal.identity). Anna's and Pieter's are their own member BSNs.
    bsn: str | None = None

    @property
    def totp_secret(self) -> str | None:
        return demo_totp_secret(self.totp_label) if self.totp_label else None


# Anna's and Pieter's BSNs: of their member rows, and what they log in with through DigiD.
ANNA_BSN = "111222333"
PIETER_BSN = "240692263"

ANNA = DemoLogin("anna.jansen@demo.pgb", "Anna Jansen", Role.BUDGETHOUDER,
                 "Budgethouder: haarzelf (Wlz), zoon Daan (Jeugdwet), dochter Sara (Wmo en Zvw)",
                 bsn=ANNA_BSN)
PIETER = DemoLogin("pieter.bakker@demo.pgb", "Pieter Bakker", Role.BUDGETHOUDER,
                   "Budgethouder van het tweede huishouden (Wmo, gemeente Amersfoort)",
                   bsn=PIETER_BSN)
KEES = DemoLogin("kees.jansen@demo.pgb", "Kees Jansen", Role.VERTEGENWOORDIGER,
                 "Vertegenwoordiger van Anna Jansen (machtiging: bekijken en handelen)",
                 bsn="555666773")
FATIMA = DemoLogin("fatima.ouali@demo.pgb", "Fatima Ouali", Role.ADVISEUR,
                   "Adviseur van Per Saldo (machtiging van Anna Jansen: alleen bekijken)", "adviseur")
MARIEKE = DemoLogin("marieke.deboer@demo.pgb", "Marieke de Boer", Role.ZORGVERLENER,
                    "Zorgverlener: zus van Anna, familie-overeenkomst", bsn="333444553")
LINDE = DemoLogin("planning@thuiszorg-delinde.demo.pgb", "Thuiszorg De Linde", Role.ZORGVERLENER,
                  "Zorgverlener: zorginstelling (werkt voor beide huishoudens)")
YOUSSEF = DemoLogin("youssef.elamrani@demo.pgb", "Youssef El Amrani", Role.ZORGVERLENER,
                    "Zorgverlener: zelfstandige (overeenkomst van opdracht)")
SANNE = DemoLogin("sanne.vermeulen@demo.pgb", "Sanne Vermeulen", Role.ZORGVERLENER,
                  "Zorgverlener: in loondienst bij Anna (arbeidsovereenkomst, vast maandloon)",
                  bsn="444555663")
CONSULENT_ZK = DemoLogin("consulent@zorgkantoor.demo.pgb", "Ingrid Visser", Role.CONSULENT,
                         "Consulent van Zorgkantoor Midden-Nederland (Wlz)", "zorgkantoor")
CONSULENT_UTRECHT = DemoLogin("consulent@utrecht.demo.pgb", "Mohamed Yilmaz", Role.CONSULENT,
                              "Consulent van Gemeente Utrecht (Wmo, Jeugdwet)", "utrecht")
CONSULENT_ZV = DemoLogin("consulent@verzekeraar.demo.pgb", "Els de Wit", Role.CONSULENT,
                         "Consulent van Zorgverzekeraar Samen Gezond (Zvw)", "verzekeraar")
CONSULENT_AMERSFOORT = DemoLogin("consulent@amersfoort.demo.pgb", "Bram Smit", Role.CONSULENT,
                                 "Consulent van Gemeente Amersfoort (Wmo)", "amersfoort")
BEHEERDER = DemoLogin("beheer@betaalkantoor.demo.pgb", "Sandra Mulder", Role.BEHEERDER,
                      "Medewerker van het betaalkantoor", "beheerder")

DEMO_LOGINS = [ANNA, PIETER, KEES, FATIMA, MARIEKE, LINDE, YOUSSEF, SANNE, CONSULENT_ZK,
               CONSULENT_UTRECHT, CONSULENT_ZV, CONSULENT_AMERSFOORT, BEHEERDER]

WEEKDAYS = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4}

# Sara's Wmo care: Youssef, 3 hours on Tuesdays at EUR 52.50 an hour.
SARA_WMO_TARIFF_CENTS = 5250
SARA_WMO_DAYS = ("di",)
SARA_WMO_MINUTES = 180
# This year her Wmo budget is about a month of care short (see _sara_wmo_euros).
SARA_WMO_SHORT_CENTS = 70_000


# The demo's API keys (README, "API"): public like the demo passwords, for the demo only.
DEMO_API_KEYS = {
    "linde": "pgb_demo_thuiszorg_de_linde_0123456789abcdefghij",
    "utrecht": "pgb_demo_gemeente_utrecht_0123456789abcdefghijkl",
    "office": "pgb_demo_betaalkantoor_0123456789abcdefghijklmnop",
}


def _user(login: DemoLogin, **links) -> User:
    user = create_user(login.email, DEMO_PASSWORD, login.role.value, login.name,
                       totp_secret=login.totp_secret, **links)
    if login.bsn:
        link_bsn(user, login.bsn)
    return user


def _sara_wmo_euros(year: int, window_start: dt.date, today: dt.date) -> int:
    """Sara's Wmo budget for `year`: EUR 7,500 in other years (enough for the months of care
    the demo holds). This year: what her care costs this year less about a month of it, in
    hundreds of euros, so that every sheet claimed so far fits and the care still to come does
    not. On whatever day the demo is loaded, the start page warns that it will not last."""
    if year != today.year:
        return 7_500
    first = max(window_start, dt.date(year, 1, 1))  # her care starts with the window
    weekly = AgreementLineInput(grant_id=0, care_kind=CareKind.INDIVIDUELE_BEGELEIDING,
                                unit=Unit.UUR, tariff_cents=SARA_WMO_TARIFF_CENTS,
                                weekly_quantity=len(SARA_WMO_DAYS) * SARA_WMO_MINUTES)
    # the cost rule the start page's prognosis uses (weekly cost x days / 7)
    cost = cost_by_grant_cents([weekly], first, None, first, dt.date(year, 12, 31))[0]
    return (cost - SARA_WMO_SHORT_CENTS) // 10_000 * 100


def _grant(member_id: int, funder: Funder, law: Law, year: int, amount_euros: int,
           kinds: list[CareKind], ref: str) -> Grant:
    return budgets.register_grant(
        None, member_id=member_id, funder_id=funder.id, law=law.value,
        period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
        amount_cents=amount_euros * 100, care_kinds=[k.value for k in kinds],
        decision_reference=f"{ref}-{year}")


@dataclass(frozen=True)
class Pattern:
    """A line of an agreement and when the care is given: weekdays and minutes per visit."""

    grants: dict[int, Grant]  # year -> grant
    care_kind: CareKind
    tariff_cents: int
    days: tuple[str, ...]
    minutes: int

    @property
    def weekly_minutes(self) -> int:
        return len(self.days) * self.minutes


@dataclass
class Demo:
    """What the steps of seed_demo make, for the steps after them, by the demo's short names
    ("anna", "utrecht", "linde_j": De Linde's agreement with Jansen). A new part of the demo is
    one more step: a function of a Demo, called in seed_demo."""

    today: dt.date
    funders: dict[str, Funder] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    grants: dict[str, dict[int, Grant]] = field(default_factory=dict)  # per budget, per year
    users: dict[str, User] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    patterns: dict[str, list[Pattern]] = field(default_factory=dict)  # per agreement
    agreements: dict[str, Agreement] = field(default_factory=dict)

    @property
    def window_start(self) -> dt.date:
        """The first of the ten months of history."""
        return first_of_month(add_months(self.today, -10))

    @property
    def next_month(self) -> dt.date:
        return first_of_month(add_months(self.today, 1))

    @property
    def years(self) -> range:
        """Every year the demo touches: in December the funders have decided next year's
        budgets already, and the waiting tariff change starts in January."""
        return range(self.window_start.year, self.next_month.year + 1)

    @property
    def before(self) -> dt.date:
        """The day the agreements were made, just before the window."""
        return self.window_start - dt.timedelta(days=10)


def _agreement(holder: User, provider_user: User, consulents: list[User], household_id: int,
               provider: int | dict[str, str], model: ModelKind, relation: Relation,
               starts_on: dt.date, patterns: list[Pattern], on: dt.date,
               top_up: bool = False) -> Agreement:
    """An approved agreement: drafted, shared, signed by both, and approved by the consulent of
    every funder that pays from it (each decides for its own budgets).

    provider: its id, or its details as the budget holder types them in the wizard, for a
    provider the portal already knows (found by its KvK number).
    """
    lines = [AgreementLineInput(grant_id=g.id, care_kind=p.care_kind, unit=Unit.UUR,
                                tariff_cents=p.tariff_cents, weekly_quantity=p.weekly_minutes)
             for p in patterns for g in p.grants.values()]
    if isinstance(provider, dict):
        agreement = agreements.start_agreement(
            holder, household_id=household_id, model=model, relation=None, today=on,
            name=provider["name"], iban=provider["iban"], kvk=provider.get("kvk"),
            agb=provider.get("agb")).agreement
        agreements.update_draft(holder, agreement.versions[-1], starts_on=starts_on,
                                ends_on=None, end_kind=EndKind.GEEN, days_per_week=0,
                                lines=lines, today=on)
    else:
        agreement = agreements.create_draft(
            holder, household_id=household_id, provider_id=provider, model=model,
            relation=relation, starts_on=starts_on, ends_on=None, end_kind=EndKind.GEEN,
            days_per_week=0, lines=lines, today=on, top_up=top_up)
    sign_and_approve(agreement.versions[-1], holder, provider_user, consulents, on)
    return agreement


def sign_and_approve(version: AgreementVersion, holder: User, provider_user: User,
                     consulents: list[User], on: dt.date) -> None:
    """A draft through every step on day `on`, as the people would take it: shared, signed by
    the provider and then the budget holder, approved by the consulent of every funder that
    pays from it. (The browser journeys' own households are approved this way too.)"""
    signing.share(holder, version, on)
    signing.provider_sign(provider_user, version, on)
    signing.holder_sign(holder, version, on)
    for consulent in consulents:
        funder_review.review(consulent, version, approve=True, reason=None, today=on)


def _sheet_lines(patterns: list[Pattern], month: dt.date) -> list[ClaimLineInput]:
    lines = []
    for day in month_days(month):
        for p in patterns:
            if day.weekday() in {WEEKDAYS[d] for d in p.days}:
                lines.append(ClaimLineInput(day=day, care_kind=p.care_kind.value,
                                            quantity=p.minutes, grant_id=p.grants[day.year].id))
    return lines


def seed_demo(today: dt.date) -> bool:
    """Load the demo. Returns False (and changes nothing) when it is there already."""
    if find_user_by_email(ANNA.email) is not None:
        return False
    demo = Demo(today)
    _funders(demo)
    _tariffs_and_caps(demo)
    _households(demo)
    _grants(demo)
    _people(demo)
    _agreements(demo)
    _employment(demo)
    _sheet_history(demo)
    _corrections(demo)
    _pending_change(demo)
    _allowances(demo)
    _api_keys(demo)
    return True


def _funders(demo: Demo) -> None:
    demo.funders = {
        "zorgkantoor": Funder(name="Zorgkantoor Midden-Nederland", kind=FunderKind.ZORGKANTOOR),
        "utrecht": Funder(name="Gemeente Utrecht", kind=FunderKind.GEMEENTE),
        "verzekeraar": Funder(name="Zorgverzekeraar Samen Gezond",
                              kind=FunderKind.ZORGVERZEKERAAR),
        "amersfoort": Funder(name="Gemeente Amersfoort", kind=FunderKind.GEMEENTE),
    }
    db.session.add_all(demo.funders.values())
    db.session.flush()


def _tariffs_and_caps(demo: Demo) -> None:
    """The maxima gemeente Utrecht set for its own pgb's, the national Wlz maxima of a year the
    code does not know yet, and the Wlz holiday allowance's cap."""
    utrecht = demo.funders["utrecht"]
    for year in demo.years:
        for law in (Law.WMO, Law.JEUGDWET):
            db.session.add_all([
                MaxTariff(funder_id=utrecht.id, law=law, year=year, informal=False, unit=Unit.UUR,
                          max_cents=6500),
                MaxTariff(funder_id=utrecht.id, law=law, year=year, informal=True, unit=Unit.UUR,
                          max_cents=2500),
            ])
        # The national Wlz maxima of a year not yet in agreements.tariffs.NATIONAL, as the
        # payment office enters them (portal set-max-tariff); demo figures: the latest table's.
        if missing_national_maxima(Law.WLZ, year):
            latest = max(row.year for row in NATIONAL)
            db.session.add_all([MaxTariff(funder_id=None, law=row.law, year=year,
                                          informal=row.informal, unit=row.unit,
                                          max_cents=row.max_cents)
                                for row in NATIONAL if row.year == latest])
        db.session.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=year,
                                    cap_cents=80_000, note="Demobedrag"))


def _households(demo: Demo) -> None:
    """Household Jansen (Anna and her children Daan and Sara) and household Bakker (Pieter)."""
    today = demo.today
    jansen = budgets.register_household(None, "Jansen")
    demo.members["anna"] = budgets.register_member(None, jansen.id, "Anna Jansen", ANNA_BSN,
                                                   dt.date(1984, 3, 12), today=today)
    demo.members["daan"] = budgets.register_member(None, jansen.id, "Daan Jansen", "123456782",
                                                   dt.date(2012, 9, 4), today=today)
    demo.members["sara"] = budgets.register_member(None, jansen.id, "Sara Jansen", "232262536",
                                                   dt.date(2015, 1, 22), today=today)
    bakker = budgets.register_household(None, "Bakker")
    demo.members["pieter"] = budgets.register_member(None, bakker.id, "Pieter Bakker",
                                                     PIETER_BSN, dt.date(1951, 6, 30), today=today)
    demo.households = {"jansen": jansen, "bakker": bakker}


def _grants(demo: Demo) -> None:
    """A budget per member and law for every year the demo touches."""
    f, m = demo.funders, demo.members
    budgets_of: dict[str, dict[int, Grant]] = {
        "anna": {}, "daan": {}, "sara_wmo": {}, "sara_zvw": {}, "pieter": {}}
    for year in demo.years:
        budgets_of["anna"][year] = _grant(
            m["anna"].id, f["zorgkantoor"], Law.WLZ, year, 48_000,
            [CareKind.PERSOONLIJKE_VERZORGING, CareKind.INDIVIDUELE_BEGELEIDING,
             CareKind.VERPLEGING, CareKind.LOGEEROPVANG], "WLZ-88120")
        budgets_of["daan"][year] = _grant(
            m["daan"].id, f["utrecht"], Law.JEUGDWET, year, 14_000,
            [CareKind.INDIVIDUELE_BEGELEIDING, CareKind.LOGEEROPVANG], "JW-4471")
        budgets_of["sara_wmo"][year] = _grant(
            m["sara"].id, f["utrecht"], Law.WMO, year,
            _sara_wmo_euros(year, demo.window_start, demo.today),
            [CareKind.INDIVIDUELE_BEGELEIDING, CareKind.GROEPSBEGELEIDING], "WMO-5520")
        budgets_of["sara_zvw"][year] = _grant(
            m["sara"].id, f["verzekeraar"], Law.ZVW, year, 12_000,
            [CareKind.VERPLEGING, CareKind.PERSOONLIJKE_VERZORGING], "ZVW-3107")
        budgets_of["pieter"][year] = _grant(
            m["pieter"].id, f["amersfoort"], Law.WMO, year, 5_000,
            [CareKind.HUISHOUDELIJKE_HULP, CareKind.INDIVIDUELE_BEGELEIDING], "WMO-A-0912")
    demo.grants = budgets_of


def _people(demo: Demo) -> None:
    """Every login; the budget holder registers her providers and authorises Kees and Fatima."""
    today, f, h = demo.today, demo.funders, demo.households
    anna = _user(ANNA, household_id=h["jansen"].id)
    p = demo.providers
    p["marieke"] = create_provider(anna, kind=ProviderKind.PERSOON, name="Marieke de Boer",
                                   iban="NL20INGB0001234567", email=MARIEKE.email)
    p["linde"] = create_provider(anna, kind=ProviderKind.ORGANISATIE,
                                 name="Thuiszorg De Linde B.V.", iban="NL39RABO0300065264",
                                 kvk="30123456", agb="03012345", email=LINDE.email)
    p["youssef"] = create_provider(anna, kind=ProviderKind.PERSOON, name="Youssef El Amrani",
                                   iban="NL02ABNA0123456789", kvk="71234567", email=YOUSSEF.email)
    demo.users = {
        "anna": anna,
        "pieter": _user(PIETER, household_id=h["bakker"].id),
        "kees": _user(KEES),
        "fatima": _user(FATIMA),
        "marieke": _user(MARIEKE, provider_id=p["marieke"].id),
        "linde": _user(LINDE, provider_id=p["linde"].id),
        "youssef": _user(YOUSSEF, provider_id=p["youssef"].id),
        "c_zk": _user(CONSULENT_ZK, funder_id=f["zorgkantoor"].id),
        "c_utrecht": _user(CONSULENT_UTRECHT, funder_id=f["utrecht"].id),
        "c_zv": _user(CONSULENT_ZV, funder_id=f["verzekeraar"].id),
        "c_amersfoort": _user(CONSULENT_AMERSFOORT, funder_id=f["amersfoort"].id),
        "office": _user(BEHEERDER),
    }
    jansen_id = h["jansen"].id
    db.session.add_all([
        Authorization(household_id=jansen_id, grantee_id=demo.users["kees"].id,
                      granted_by_id=anna.id, scope=Scope.HANDELEN, starts_on=demo.before,
                      ends_on=dt.date(today.year + 1, 12, 31)),
        Authorization(household_id=jansen_id, grantee_id=demo.users["fatima"].id,
                      granted_by_id=anna.id, scope=Scope.BEKIJKEN,
                      starts_on=today - dt.timedelta(days=30),
                      ends_on=today + dt.timedelta(days=180)),
    ])
    db.session.flush()
    # Anna's own account: never a care provider's; the free-to-spend amount is paid to it.
    budgets.set_holder_iban(anna, jansen_id, "NL09RABO0417164301")


def _agreements(demo: Demo) -> None:
    """Approved agreements, all starting at the beginning of the ten-month window."""
    g, u, p = demo.grants, demo.users, demo.providers
    jansen_id, bakker_id = demo.households["jansen"].id, demo.households["bakker"].id
    start, on = demo.window_start, demo.before
    demo.patterns = {
        # Marieke's tariff is above the Wlz informal maximum: Anna tops up the difference
        # herself (bijbetaling), shown on every sheet and the budget statement.
        "marieke": [Pattern(g["anna"], CareKind.PERSOONLIJKE_VERZORGING, 2600, ("ma", "do"),
                            240)],
        "linde_j": [Pattern(g["anna"], CareKind.PERSOONLIJKE_VERZORGING, 6200, ("di", "vr"), 120),
                    Pattern(g["sara_zvw"], CareKind.VERPLEGING, 6800, ("wo",), 120)],
        "youssef": [Pattern(g["daan"], CareKind.INDIVIDUELE_BEGELEIDING, 5500, ("ma", "wo"), 120),
                    Pattern(g["sara_wmo"], CareKind.INDIVIDUELE_BEGELEIDING,
                            SARA_WMO_TARIFF_CENTS, SARA_WMO_DAYS, SARA_WMO_MINUTES)],
        "linde_b": [Pattern(g["pieter"], CareKind.HUISHOUDELIJKE_HULP, 3000, ("do",), 180)],
    }
    pattern = demo.patterns
    a = demo.agreements
    a["marieke"] = _agreement(u["anna"], u["marieke"], [u["c_zk"]], jansen_id,
                              p["marieke"].id, ModelKind.FAMILIE, Relation.BROER_ZUS, start,
                              pattern["marieke"], on, top_up=True)
    # De Linde's agreement with Anna draws on a Wlz and a Zvw budget: both funders approve it.
    a["linde_j"] = _agreement(u["anna"], u["linde"], [u["c_zk"], u["c_zv"]], jansen_id,
                              p["linde"].id, ModelKind.ZORGINSTELLING, Relation.GEEN, start,
                              pattern["linde_j"], on)
    a["youssef"] = _agreement(u["anna"], u["youssef"], [u["c_utrecht"]], jansen_id,
                              p["youssef"].id, ModelKind.OPDRACHT, Relation.GEEN, start,
                              pattern["youssef"], on)
    # Pieter types De Linde's details in the wizard; the portal knows the organisation by its
    # KvK number, so the agreement is with the same provider (one login for both households).
    a["linde_b"] = _agreement(u["pieter"], u["linde"], [u["c_amersfoort"]], bakker_id,
                              dict(name="Thuiszorg De Linde", iban="NL39RABO0300065264",
                                   kvk="30123456", agb="03012345"),
                              ModelKind.ZORGINSTELLING, Relation.GEEN, start,
                              pattern["linde_b"], on)


def _employment(demo: Demo) -> None:
    """Anna employs Sanne Vermeulen at a fixed monthly wage from her Wlz budgets
    (portal/demo/wages.py): the demo's payment runs pay each month that is over. Made after
    the other agreements, so their ids stay those the README's API examples use."""
    anna = demo.users["anna"]
    jansen_id = demo.households["jansen"].id
    provider = create_provider(anna, kind=ProviderKind.PERSOON, name=SANNE.name,
                               iban="NL36INGB0007654321", email=SANNE.email)
    demo.providers["sanne"] = provider
    demo.users["sanne"] = _user(SANNE, provider_id=provider.id)
    version = draft_employment(anna, jansen_id, provider.id, demo.grants["anna"],
                               demo.window_start, demo.before)
    sign_and_approve(version, anna, demo.users["sanne"], [demo.users["c_zk"]], demo.before)
    demo.agreements["sanne"] = version.agreement


# Which agreement's sheet ends in which status, by agreement and months back; every other
# sheet is paid. So every status of the lifecycle appears.
SHEET_ENDS = {
    ("marieke", 1): "wacht_op_akkoord",
    ("linde_j", 1): "goedgekeurd",
    ("youssef", 1): "concept",
    ("linde_b", 1): "wacht_op_akkoord",
    ("linde_j", 2): "opgeschort",
    ("youssef", 2): "ingediend",
    ("marieke", 3): "afgekeurd",
}
# Whose sheets: agreement, the provider's login, the budget holder's login.
SHEET_PLAN = [("marieke", "marieke", "anna"), ("linde_j", "linde", "anna"),
              ("youssef", "youssef", "anna"), ("linde_b", "linde", "pieter")]


def _sheet_history(demo: Demo) -> None:
    """Ten months of hour sheets, each taken through its steps on plausible days after its
    month; a payment run after each month but the last. Most are paid; the recent ones show
    every other status."""
    for back in range(10, 0, -1):
        if back == 1:  # what happened before last month has been read long ago
            db.session.execute(update(Message).values(read_at=now()))
        month = first_of_month(add_months(demo.today, -back))
        end = last_of_month(month)

        def on(days: int, end: dt.date = end) -> dt.date:
            return min(end + dt.timedelta(days=days), demo.today)

        for agreement_key, provider_key, holder_key in SHEET_PLAN:
            _sheet(demo, agreement_key, demo.users[provider_key], demo.users[holder_key], month,
                   SHEET_ENDS.get((agreement_key, back), "uitbetaald"), on)
        if back >= 2:
            run_payments(demo.users["office"], on(8))


def _sheet(demo: Demo, agreement_key: str, provider_user: User, holder: User, month: dt.date,
           status: str, on: Callable[[int], dt.date]) -> None:
    """One month's sheet of an agreement, taken as far as `status`."""
    agreement, office = demo.agreements[agreement_key], demo.users["office"]
    lines = _sheet_lines(demo.patterns[agreement_key], month)
    if status == "concept":  # the budget holder started filling it in herself
        claims.prepare_claim(holder, agreement, month, lines, on(4))
        return
    claim = claims.prepare_claim(provider_user, agreement, month, lines, on(3))
    if status == "wacht_op_akkoord":
        return
    claims.approve_claim(holder, claim, on(5))
    if status == "ingediend":
        return
    if status == "opgeschort":
        claims.office_suspend(office, claim, "Wij controleren de uren op 3 dagen met "
                              "meer dan 4 uur zorg. U hoeft niets te doen.", on(6))
    elif status == "afgekeurd":
        claims.office_refuse(office, claim, "Op twee dagen staan uren in een week waarin "
                             "de zorgverlener met vakantie was. Pas het urenbriefje aan en "
                             "dien het opnieuw in.", on(6))
    elif status in ("goedgekeurd", "uitbetaald"):
        claims.office_approve(office, claim, on(6))


def _corrections(demo: Demo) -> None:
    """Corrections after payment: a back-payment for Marieke, a claim-back from Youssef."""
    seed_corrections(demo.users["office"], demo.agreements["marieke"],
                     demo.agreements["youssef"], demo.today)


def _pending_change(demo: Demo) -> None:
    """A change awaiting the funder: Youssef's tariff goes up from next month, on the budgets
    of the year that month lies in."""
    today, next_month = demo.today, demo.next_month
    anna, youssef = demo.users["anna"], demo.users["youssef"]
    change_lines = [AgreementLineInput(grant_id=p.grants[next_month.year].id,
                                       care_kind=p.care_kind, unit=Unit.UUR,
                                       tariff_cents=p.tariff_cents + 450,
                                       weekly_quantity=p.weekly_minutes)
                    for p in demo.patterns["youssef"]]
    change = changing.propose_change(anna, demo.agreements["youssef"], starts_on=next_month,
                                     ends_on=None, end_kind=EndKind.GEEN, days_per_week=0,
                                     lines=change_lines, today=today)
    signing.share(anna, change, today)
    signing.provider_sign(youssef, change, today)
    signing.holder_sign(anna, change, today)


def _allowances(demo: Demo) -> None:
    """Money the rules owe (portal/demo/money.py): a Wlz allowance claim of each kind."""
    seed_allowances(demo.users["anna"], demo.today)


def _api_keys(demo: Demo) -> None:
    """API keys with fixed tokens (README, "API"), like the demo passwords: for the demo only."""
    demo_keys: list[tuple[str, str, str, dict[str, int], list[str]]] = [
        (DEMO_API_KEYS["linde"], "Planningssysteem De Linde", "provider",
         dict(provider_id=demo.providers["linde"].id),
         ["claims:read", "claims:write", "payments:read"]),
        (DEMO_API_KEYS["utrecht"], "Zaaksysteem Utrecht", "funder",
         dict(funder_id=demo.funders["utrecht"].id),
         ["grants:write", "reviews:read", "reviews:write"]),
        (DEMO_API_KEYS["office"], "Boekhouding betaalkantoor", "office", {}, ["runs:read"])]
    for token, label, kind, owner, scopes in demo_keys:
        create_api_key(None, label=label, owner_kind=kind, scopes=scopes,
                       expires_on=demo.today + dt.timedelta(days=365), today=demo.today,
                       token=token, **owner)
