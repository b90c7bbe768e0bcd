from decimal import Decimal

from portal.enums import LabeledEnum


class Law(LabeledEnum):
    WMO = ("wmo", "Wmo 2015")
    JEUGDWET = ("jeugdwet", "Jeugdwet")
    WLZ = ("wlz", "Wlz")
    ZVW = ("zvw", "Zvw")


class FunderKind(LabeledEnum):
    GEMEENTE = ("gemeente", "Gemeente")
    ZORGKANTOOR = ("zorgkantoor", "Zorgkantoor")
    ZORGVERZEKERAAR = ("zorgverzekeraar", "Zorgverzekeraar")


# Which laws each kind of funder grants budgets under (DOMAIN.md, "The laws and funders").
LAWS_BY_FUNDER_KIND: dict[FunderKind, frozenset[Law]] = {
    FunderKind.GEMEENTE: frozenset({Law.WMO, Law.JEUGDWET}),
    FunderKind.ZORGKANTOOR: frozenset({Law.WLZ}),
    FunderKind.ZORGVERZEKERAAR: frozenset({Law.ZVW}),
}


class CareKind(LabeledEnum):
    """Zorgfunctie: a kind of care with its own tariff and unit in an agreement."""

    INDIVIDUELE_BEGELEIDING = ("individuele_begeleiding", "Individuele begeleiding")
    GROEPSBEGELEIDING = ("groepsbegeleiding", "Groepsbegeleiding (dagbesteding)")
    PERSOONLIJKE_VERZORGING = ("persoonlijke_verzorging", "Persoonlijke verzorging")
    VERPLEGING = ("verpleging", "Verpleging")
    HUISHOUDELIJKE_HULP = ("huishoudelijke_hulp", "Huishoudelijke hulp")
    LOGEEROPVANG = ("logeeropvang", "Logeeropvang (kortdurend verblijf)")
    VERVOER = ("vervoer", "Vervoer")


class Unit(LabeledEnum):
    UUR = ("uur", "per uur")
    DAGDEEL = ("dagdeel", "per dagdeel")
    ETMAAL = ("etmaal", "per etmaal (24 uur)")
    MAANDLOON = ("maandloon", "vast maandloon")


# Hours of care one unit stands for, for the "at most 24 hours on one day" check.
# A day part counts as 4 hours, a 24-hour stay as 24. Hourly care counts its own minutes.
MINUTES_PER_UNIT: dict[Unit, int] = {Unit.DAGDEEL: 4 * 60, Unit.ETMAAL: 24 * 60}


class AllowanceKind(LabeledEnum):
    VERANTWOORDINGSVRIJ = ("verantwoordingsvrij", "Vrij besteedbaar bedrag")
    FEESTDAGEN = ("feestdagen", "Feestdagenuitkering")


# The allowance in a sentence, with its article ("Het vrij besteedbaar bedrag 2026 ...").
ALLOWANCE_IN_A_SENTENCE: dict[AllowanceKind, str] = {
    AllowanceKind.VERANTWOORDINGSVRIJ: "het vrij besteedbaar bedrag",  # see vocabulary.GLOSSARY
    AllowanceKind.FEESTDAGEN: "de feestdagenuitkering",
}


# Wlz vrij besteedbaar bedrag (DOMAIN.md, "Yearly allowances"): 1.5% of the budget a year,
# at least EUR 250 and at most EUR 1,250. A grant for part of a year uses its own amount.
FREE_ALLOWANCE_PERCENT = Decimal("1.5")
FREE_ALLOWANCE_MIN_CENTS = 25_000
FREE_ALLOWANCE_MAX_CENTS = 125_000

# Laws whose grants carry yearly allowances.
ALLOWANCE_LAWS = frozenset({Law.WLZ})

# From this share of a cap used, the start page warns ("bijna op").
CLOSE_TO_CAP_PERCENT = 80

# A sanity limit on one grant (a typo with extra zeros); far above any real pgb.
GRANT_AMOUNT_MAX_CENTS = 100_000_000  # EUR 1,000,000

# A birth date further back than this many years is a typing error.
OLDEST_AGE_YEARS = 125
