from portal.enums import LabeledEnum


class ProviderKind(LabeledEnum):
    PERSOON = ("persoon", "Persoon")
    ORGANISATIE = ("organisatie", "Organisatie (zorginstelling)")


class ModelKind(LabeledEnum):
    """The payment office's four model agreements."""

    ZORGINSTELLING = ("zorginstelling", "Zorgovereenkomst met een zorginstelling")
    OPDRACHT = ("opdracht", "Overeenkomst van opdracht (zelfstandige zorgverlener)")
    FAMILIE = ("familie", "Zorgovereenkomst met familie of partner")
    ARBEID = ("arbeid", "Arbeidsovereenkomst")


class Relation(LabeledEnum):
    """Relation of the provider to the member who receives care."""

    GEEN = ("geen", "Geen familie")
    PARTNER = ("partner", "Partner")
    OUDER = ("ouder", "Ouder")
    KIND = ("kind", "Kind")
    BROER_ZUS = ("broer_zus", "Broer of zus")
    GROOTOUDER = ("grootouder", "Grootouder")
    KLEINKIND = ("kleinkind", "Kleinkind")


FAMILY_RELATIONS = frozenset(r for r in Relation if r is not Relation.GEEN)


class EndKind(LabeledEnum):
    EINDDATUM = ("einddatum", "Tot een einddatum")
    GEEN = ("geen", "Zonder einddatum")
    VERVANGING = ("vervanging", "Vervanging bij ziekte van de vaste zorgverlener")


class VersionStatus(LabeledEnum):
    CONCEPT = ("concept", "Concept")
    GEDEELD = ("gedeeld", "Gedeeld met zorgverlener")
    ONDERTEKEND = ("ondertekend", "Ondertekend")
    TER_BEOORDELING = ("ter_beoordeling", "Ter beoordeling bij verstrekker")
    GOEDGEKEURD = ("goedgekeurd", "Goedgekeurd")
    AFGEKEURD = ("afgekeurd", "Afgekeurd")
    BEEINDIGD = ("beeindigd", "Beëindigd")
    VERVANGEN = ("vervangen", "Vervangen door nieuwere versie")
