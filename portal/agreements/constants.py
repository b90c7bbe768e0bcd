from portal.enums import LabeledEnum
from portal.vocabulary import AGREEMENT


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
    """A version's stored status; shown as its EffectiveStatus (the words of
    portal.vocabulary.AGREEMENT)."""

    CONCEPT = ("concept", AGREEMENT["concept"].label)
    GEDEELD = ("gedeeld", AGREEMENT["gedeeld"].label)
    ONDERTEKEND = ("ondertekend", AGREEMENT["ondertekend"].label)
    TER_BEOORDELING = ("ter_beoordeling", AGREEMENT["ter_beoordeling"].label)
    GOEDGEKEURD = ("goedgekeurd", "Goedgekeurd")
    AFGEKEURD = ("afgekeurd", AGREEMENT["afgekeurd"].label)
    BEEINDIGD = ("beeindigd", AGREEMENT["beeindigd"].label)
    VERVANGEN = ("vervangen", AGREEMENT["vervangen"].label)


# Versions still on their way to approval; an agreement has at most one of these at a time.
OPEN_STATUSES = frozenset({VersionStatus.CONCEPT, VersionStatus.GEDEELD, VersionStatus.ONDERTEKEND,
                           VersionStatus.TER_BEOORDELING, VersionStatus.AFGEKEURD})


class EffectiveStatus(LabeledEnum):
    """What a version is today, for people: the stored status read together with the dates.
    Its words (label and explanation) are portal.vocabulary.AGREEMENT's."""

    CONCEPT = ("concept", AGREEMENT["concept"].label)
    GEDEELD = ("gedeeld", AGREEMENT["gedeeld"].label)
    ONDERTEKEND_ZORGVERLENER = ("ondertekend_zorgverlener",
                                AGREEMENT["ondertekend_zorgverlener"].label)
    ONDERTEKEND = ("ondertekend", AGREEMENT["ondertekend"].label)
    TER_BEOORDELING = ("ter_beoordeling", AGREEMENT["ter_beoordeling"].label)
    AFGEKEURD = ("afgekeurd", AGREEMENT["afgekeurd"].label)
    GOEDGEKEURD = ("goedgekeurd", AGREEMENT["goedgekeurd"].label)
    ACTIEF = ("actief", AGREEMENT["actief"].label)
    OPGEZEGD = ("opgezegd", AGREEMENT["opgezegd"].label)
    AFGELOPEN = ("afgelopen", AGREEMENT["afgelopen"].label)
    BEEINDIGD = ("beeindigd", AGREEMENT["beeindigd"].label)
    VERVANGEN = ("vervangen", AGREEMENT["vervangen"].label)

    @property
    def explanation(self) -> str:
        return AGREEMENT[self.value].explanation


class Party(LabeledEnum):
    """The part someone plays in an agreement; the transition table says who may do what."""

    HOLDER = ("budgethouder", "Budgethouder (of wie namens hem of haar mag handelen)")
    PROVIDER = ("zorgverlener", "Zorgverlener van deze overeenkomst")
    CONSULENT = ("consulent", "Consulent van een verstrekker die meebetaalt")
    SYSTEM = ("systeem", "Het portaal zelf")


class ReviewDecision(LabeledEnum):
    """One funder's decision on a version it helps pay."""

    GOEDGEKEURD = ("goedgekeurd", "Goedgekeurd")
    AFGEKEURD = ("afgekeurd", "Afgekeurd")


class Action(LabeledEnum):
    EDIT = ("wijzigen", "Concept wijzigen")
    SHARE = ("delen", "Delen met de zorgverlener")
    WITHDRAW = ("terughalen", "Terughalen bij de zorgverlener")
    PROVIDER_SIGN = ("ondertekenen_zorgverlener", "Ondertekenen door de zorgverlener")
    HOLDER_SIGN = ("ondertekenen_budgethouder", "Ondertekenen door de budgethouder")
    SUBMIT = ("indienen", "Indienen bij de verstrekker")
    UPLOAD_PAPER = ("papier", "Ondertekende overeenkomst (PDF) uploaden")
    APPROVE = ("goedkeuren", "Goedkeuren")
    REJECT = ("afkeuren", "Afkeuren")
    REWORK = ("herzien", "Afgekeurde versie aanpassen")
    END = ("beeindigen", "Beëindigen")


# Notice period in months per model (overeenkomst van opdracht: one month by default).
DEFAULT_NOTICE_MONTHS: dict[ModelKind, int] = {
    ModelKind.ZORGINSTELLING: 1,
    ModelKind.OPDRACHT: 1,
    ModelKind.FAMILIE: 1,
    ModelKind.ARBEID: 1,
}

# An employment contract of this many days a week or more needs the payment office's payroll.
PAYROLL_DAYS_PER_WEEK = 4
