"""One vocabulary: every status word the portal shows, for every role, with what it means.

One mapping per kind of thing (an hour sheet, a care agreement, a payment run) from the
stored status to its label and a plain-Dutch "Wat betekent dit?" explanation, and the other
words the pages use (GLOSSARY). The areas' enums take their labels from here
(claims.constants, agreements.constants, payments.constants), the status tags link to the
explanation on the glossary page (Begrippen, /begrippen), and tests/test_vocabulary.py checks
that every status has exactly one label and one explanation, and that no label is used twice
for different meanings.

Ground floor: plain data, no imports from the areas.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    label: str
    explanation: str  # "Wat betekent dit?", for everyone who sees the status

    def anchor(self, kind: str, value: str) -> str:
        return f"{kind}-{value}".replace("_", "-")


# An hour sheet (urenbriefje) or a monthly wage (maandloon): the same words for the budget
# holder, the provider, a helper and the payment office.
SHEET: dict[str, Term] = {
    "concept": Term(
        "Concept",
        "Het urenbriefje is nog niet klaar. Wie het invult, kan de uren nog aanpassen. Het is "
        "nog niet naar de budgethouder of het betaalkantoor gestuurd. Een maand die nog loopt, "
        "kan alleen een concept zijn."),
    "wacht_op_akkoord": Term(
        "Wacht op akkoord",
        "De zorgverlener heeft het urenbriefje klaargezet. De budgethouder controleert de uren "
        "en geeft akkoord, of stuurt het terug met een reden."),
    "ingediend": Term(
        "Ingediend",
        "De budgethouder heeft akkoord gegeven. Dat is de opdracht om te betalen. Het "
        "betaalkantoor controleert het urenbriefje nu."),
    "opgeschort": Term(
        "Wordt nagekeken",
        "Het betaalkantoor kijkt iets na voordat het urenbriefje betaald kan worden. De reden "
        "staat bij het urenbriefje. Het geld blijft gereserveerd."),
    "goedgekeurd": Term(
        "Goedgekeurd",
        "Het betaalkantoor heeft het urenbriefje goedgekeurd. Het wordt betaald in de volgende "
        "betaalronde; de verwachte betaaldatum staat erbij."),
    "afgekeurd": Term(
        "Afgekeurd",
        "Het betaalkantoor betaalt dit urenbriefje niet. De reden staat erbij. Het urenbriefje "
        "kan opnieuw worden geopend, verbeterd en opnieuw ingediend."),
    "uitbetaald": Term(
        "Uitbetaald",
        "Het geld is overgemaakt naar de rekening van de zorgverlener. De datum en het kenmerk "
        "van de betaling staan erbij."),
}

# A care agreement (zorgovereenkomst), as it is today (its stored status read with its dates).
AGREEMENT: dict[str, Term] = {
    "concept": Term(
        "Concept",
        "De budgethouder maakt de zorgovereenkomst. Niemand anders ziet hem nog."),
    "gedeeld": Term(
        "Bij de zorgverlener",
        "De budgethouder heeft de zorgovereenkomst naar de zorgverlener gestuurd. De "
        "zorgverlener vult zijn gegevens aan en ondertekent."),
    "ondertekend_zorgverlener": Term(
        "Ondertekend door zorgverlener",
        "De zorgverlener heeft ondertekend. De budgethouder controleert wat de zorgverlener "
        "heeft ingevuld en ondertekent ook."),
    "ondertekend": Term(
        "Ondertekend",
        "Beide partijen hebben ondertekend. De zorgovereenkomst gaat naar de financier: de "
        "gemeente, het zorgkantoor of de zorgverzekeraar die het budget geeft."),
    "ter_beoordeling": Term(
        "Wacht op beoordeling",
        "De financier (de gemeente, het zorgkantoor of de zorgverzekeraar die het budget geeft) "
        "controleert de zorgovereenkomst. Pas als die is goedgekeurd, kan er zorg uit het "
        "budget worden betaald."),
    "afgekeurd": Term(
        "Afgekeurd",
        "De financier keurt de zorgovereenkomst niet goed. De reden staat erbij. De "
        "budgethouder kan hem aanpassen en opnieuw versturen."),
    "goedgekeurd": Term(
        "Goedgekeurd, nog niet begonnen",
        "De financier heeft de zorgovereenkomst goedgekeurd. Hij gaat in op de begindatum."),
    "actief": Term(
        "Actief",
        "De zorgovereenkomst loopt. De zorgverlener kan urenbriefjes invullen."),
    "opgezegd": Term(
        "Actief, opgezegd",
        "De zorgovereenkomst loopt nog, maar is opgezegd. Hij stopt op de einddatum."),
    "afgelopen": Term(
        "Afgelopen",
        "De einddatum is voorbij. Urenbriefjes over de maanden waarin hij liep, kunnen nog "
        "worden ingevuld zolang de termijn loopt."),
    "beeindigd": Term(
        "Beëindigd",
        "De budgethouder heeft de zorgovereenkomst beëindigd."),
    "vervangen": Term(
        "Vervangen door nieuwere versie",
        "Er is een nieuwere versie van deze zorgovereenkomst. Deze versie blijft zichtbaar "
        "voor wie wil terugkijken."),
}

# A payment run (betaalronde): the office's word, also in the command line and the PDFs.
RUN: dict[str, Term] = {
    "bezig": Term(
        "Bezig",
        "De betaalronde betaalt nog. Wordt hij onderbroken, dan maakt de volgende betaalronde "
        "hem af; niets wordt twee keer betaald."),
    "uitgevoerd": Term(
        "Uitgevoerd",
        "De betaalronde is klaar: alle betalingen zijn gemaakt en de urenbriefjes staan op "
        "Uitbetaald."),
}

# A claim-back (terugvordering) of a paid sheet: not paid but netted against the provider's
# next payment. Its other statuses read as an hour sheet's.
CLAIM_BACK: dict[str, Term] = {
    "goedgekeurd": Term(
        "Te verrekenen met de volgende betaling",
        "Er is te veel betaald. Het betaalkantoor haalt het bedrag af van de volgende betaling "
        "aan de zorgverlener. Het geld gaat terug naar het budget."),
    "uitbetaald": Term(
        "Verrekend",
        "Het te veel betaalde bedrag is afgehaald van een betaling aan de zorgverlener. Het "
        "geld staat weer in het budget."),
    "terugbetaald": Term(
        "Terugbetaald",
        "De budgethouder heeft het te veel ontvangen bedrag zelf teruggestort. Het "
        "betaalkantoor heeft het geld ontvangen; het staat weer in het budget."),
}

# One financier's decision on an agreement it helps pay (several may pay for one agreement).
DECISION: dict[str, Term] = {
    "open": Term(
        "Nog niet beoordeeld",
        "Deze financier heeft nog niet beslist over de zorgovereenkomst. Betalen meer "
        "financiers mee, dan beslist elk over de eigen budgetten."),
    "goedgekeurd": Term(
        "Goedgekeurd",
        "Deze financier keurt de zorgovereenkomst goed voor de eigen budgetten. De "
        "zorgovereenkomst is goedgekeurd als alle financiers die meebetalen hem goedkeuren."),
    "afgekeurd": Term(
        "Afgekeurd",
        "Deze financier keurt de zorgovereenkomst niet goed. De reden staat erbij. De "
        "budgethouder kan hem aanpassen en opnieuw versturen."),
}

# A machtiging: someone may look at (or act in) a budget holder's file.
AUTHORISATION: dict[str, Term] = {
    "geldt": Term(
        "Geldt",
        "De persoon mag nu in het dossier kijken, of ook handelen als dat is toegestaan, tot "
        "en met de einddatum."),
    "ingetrokken": Term(
        "Ingetrokken",
        "De budgethouder heeft de machtiging gestopt. De persoon kan het dossier niet meer "
        "zien."),
    "afgelopen": Term(
        "Afgelopen",
        "De einddatum van de machtiging is voorbij. De persoon kan het dossier niet meer zien. "
        "De budgethouder kan een nieuwe machtiging geven."),
}

# A login (inlog), as the payment office's list shows it.
LOGIN: dict[str, Term] = {
    "actief": Term(
        "Actief",
        "De inlog werkt: de persoon kan inloggen in het portaal."),
    "wacht_op_wachtwoord": Term(
        "Wacht op wachtwoord",
        "De inlog is gemaakt, maar de persoon heeft nog geen wachtwoord gekozen. De link "
        "daarvoor staat in de welkomstmail."),
    "uitgezet": Term(
        "Uitgezet",
        "Het betaalkantoor heeft de inlog uitgezet. De persoon kan niet inloggen tot de inlog "
        "weer aan wordt gezet."),
    "geen_inlog": Term(
        "Nog geen inlog",
        "Een zorgverlener met een zorgovereenkomst heeft nog geen inlog. Zonder inlog kan hij "
        "niet ondertekenen en geen urenbriefjes maken. Het betaalkantoor maakt de inlog."),
}

# An API key: how the software of an organisation uses the portal.
API_KEY: dict[str, Term] = {
    "actief": Term(
        "Actief",
        "De sleutel werkt tot en met de datum waarop hij verloopt."),
    "verlopen": Term(
        "Verlopen",
        "De datum tot wanneer de sleutel gold, is voorbij. De software kan er niets meer mee. "
        "Het betaalkantoor kan een nieuwe sleutel maken."),
    "ingetrokken": Term(
        "Ingetrokken",
        "Het betaalkantoor heeft de sleutel gestopt. De software kan er niets meer mee."),
}

# Every kind, by its name in the glossary's anchors (e.g. #urenbriefje-ingediend).
STATUSES: dict[str, dict[str, Term]] = {
    "urenbriefje": SHEET,
    "terugvordering": CLAIM_BACK,
    "zorgovereenkomst": AGREEMENT,
    "besluit": DECISION,
    "betaalronde": RUN,
    "machtiging": AUTHORISATION,
    "inlog": LOGIN,
    "api-sleutel": API_KEY,
}

KIND_TITLES = {  # the glossary's headings
    "urenbriefje": "Status van een urenbriefje, maandloon, correctie of aanvraag",
    "terugvordering": "Status van een terugvordering",
    "zorgovereenkomst": "Status van een zorgovereenkomst",
    "besluit": "Besluit van een financier",
    "betaalronde": "Status van een betaalronde",
    "machtiging": "Status van een machtiging",
    "inlog": "Status van een inlog",
    "api-sleutel": "Status van een API-sleutel",
}

# Other words the pages use, in alphabetical order. Betaalronde is the one word for a payment
# run; financier or the funder's own name, never verstrekker; onderweg, not in behandeling.
GLOSSARY: dict[str, str] = {
    "Beschikbaar": "Wat er van het budget over is: toegekend, min wat is betaald, min wat "
                   "onderweg is.",
    "Betaalronde": "Het moment waarop het betaalkantoor alle goedgekeurde urenbriefjes "
                   "betaalt. Elke werkdag is er een betaalronde.",
    "Budgethouder": "De persoon die het persoonsgebonden budget (pgb) heeft, of de ouder of "
                    "vertegenwoordiger die het voor iemand beheert.",
    "Financier": "De organisatie die het budget geeft: de gemeente (Wmo, Jeugdwet), het "
                 "zorgkantoor (Wlz) of de zorgverzekeraar (Zvw). Zij beoordeelt de "
                 "zorgovereenkomsten.",
    "Onderweg": "Ingediend of goedgekeurd, maar nog niet betaald. Dat geld is gereserveerd.",
    "Toegekend": "Het bedrag dat de financier voor deze periode heeft toegekend.",
    "Uitbetaald": "Wat al naar de zorgverleners is overgemaakt.",
    "Urenbriefje": "Een overzicht van de gewerkte uren van één zorgovereenkomst in één maand. "
                   "Als de budgethouder akkoord geeft, is het de opdracht om te betalen.",
    "Vrij besteedbaar bedrag": "Een bedrag uit het Wlz-budget dat de budgethouder zonder "
                               "bonnetjes mag uitgeven, tot een maximum per jaar. In brieven "
                               "van het zorgkantoor heet dit 'verantwoordingsvrij bedrag'.",
    "Zorgovereenkomst": "De afspraak tussen de budgethouder en de zorgverlener: welke zorg, "
                        "hoeveel en tegen welk tarief. De financier keurt hem goed.",
}


def term(kind: str, value: str) -> Term:
    """The label and explanation of a status; KeyError for one the vocabulary does not know
    (the glossary test makes sure every status the portal has is here)."""
    return STATUSES[kind][str(value)]


def label(kind: str, value: str) -> str:
    return term(kind, value).label
