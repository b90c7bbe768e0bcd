from __future__ import annotations

from portal.enums import LabeledEnum


class ApiScope(LabeledEnum):
    CLAIMS_WRITE = ("claims:write", "Urenbriefjes klaarzetten")
    CLAIMS_READ = ("claims:read", "Overeenkomsten en urenbriefjes lezen")
    PAYMENTS_READ = ("payments:read", "Betalingen en specificaties lezen")
    GRANTS_WRITE = ("grants:write", "Budgetten (toekenningen) registreren")
    REVIEWS_READ = ("reviews:read", "Zorgovereenkomsten ter beoordeling lezen")
    REVIEWS_WRITE = ("reviews:write", "Zorgovereenkomsten goedkeuren of afkeuren")
    RUNS_READ = ("runs:read", "Betaalrondes en SEPA-bestanden lezen")


class OwnerKind(LabeledEnum):
    PROVIDER = ("provider", "Zorgorganisatie")
    FUNDER = ("funder", "Financier")
    OFFICE = ("office", "Betaalkantoor")


# Which scopes fit which kind of organisation: a funder never writes hour sheets, a provider
# never registers grants.
SCOPES_OF = {
    OwnerKind.PROVIDER: (ApiScope.CLAIMS_WRITE, ApiScope.CLAIMS_READ, ApiScope.PAYMENTS_READ),
    OwnerKind.FUNDER: (ApiScope.GRANTS_WRITE, ApiScope.REVIEWS_READ, ApiScope.REVIEWS_WRITE),
    OwnerKind.OFFICE: (ApiScope.RUNS_READ,),
}

# A key lives at most this long; the office makes a new one before it ends.
MAX_VALID_DAYS = 2 * 366
TOKEN_PREFIX = "pgb_"
