from portal.enums import LabeledEnum


class Role(LabeledEnum):
    BUDGETHOUDER = ("budgethouder", "Budgethouder")
    VERTEGENWOORDIGER = ("vertegenwoordiger", "Vertegenwoordiger")
    ADVISEUR = ("adviseur", "Adviseur (Per Saldo)")
    ZORGVERLENER = ("zorgverlener", "Zorgverlener")
    CONSULENT = ("consulent", "Consulent van de financier")
    BEHEERDER = ("beheerder", "Medewerker betaalkantoor")


# Roles that must log in with a second step (TOTP).
TWO_STEP_ROLES = frozenset({Role.CONSULENT, Role.BEHEERDER, Role.ADVISEUR})


class Scope(LabeledEnum):
    BEKIJKEN = ("bekijken", "Alleen bekijken")
    HANDELEN = ("handelen", "Bekijken en handelen (ondertekenen, urenbriefjes goedkeuren)")
