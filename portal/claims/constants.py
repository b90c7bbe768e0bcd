from portal.enums import LabeledEnum
from portal.vocabulary import SHEET


class ClaimStatus(LabeledEnum):
    """An hour sheet's status; its words (label and explanation) are portal.vocabulary's."""

    CONCEPT = ("concept", SHEET["concept"].label)
    WACHT_OP_AKKOORD = ("wacht_op_akkoord", SHEET["wacht_op_akkoord"].label)
    INGEDIEND = ("ingediend", SHEET["ingediend"].label)
    GOEDGEKEURD = ("goedgekeurd", SHEET["goedgekeurd"].label)
    AFGEKEURD = ("afgekeurd", SHEET["afgekeurd"].label)
    OPGESCHORT = ("opgeschort", SHEET["opgeschort"].label)
    UITBETAALD = ("uitbetaald", SHEET["uitbetaald"].label)

    @property
    def explanation(self) -> str:
        return SHEET[self.value].explanation

    @property
    def tone(self) -> str:
        """The colour of the status's tag (the tag's text always says the status too)."""
        return STATUS_TONES[self]


STATUS_TONES = {
    ClaimStatus.CONCEPT: "neutral",
    ClaimStatus.WACHT_OP_AKKOORD: "warn",
    ClaimStatus.INGEDIEND: "neutral",
    ClaimStatus.GOEDGEKEURD: "ok",
    ClaimStatus.OPGESCHORT: "warn",
    ClaimStatus.AFGEKEURD: "error",
    ClaimStatus.UITBETAALD: "ok",
}


# Statuses whose amount is reserved on the grants (in behandeling).
RESERVED_STATUSES = frozenset({ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD, ClaimStatus.OPGESCHORT})


class ClaimSource(LabeledEnum):
    PORTAL = ("portal", "Portaal")
    PAPER = ("papier", "Papieren urenbriefje")
    API = ("api", "Koppeling")


class ClaimKind(LabeledEnum):
    """What a claim pays: the hours of a sheet, or a fixed monthly wage (loon) the portal
    puts ready itself each month an employment agreement ran (claims.service.make_wage_claims)."""

    UREN = ("uren", "Urenbriefje")
    LOON = ("loon", "Maandloon")
