from portal.enums import LabeledEnum
from portal.vocabulary import CLAIM_BACK, SHEET, STATUSES


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
    # Corrections of a paid sheet or wage (claims.corrections): never an edit of what was paid.
    # A back-payment is paid like a sheet; a claim-back is netted against the provider's next
    # payments (its lines are positive; the kind gives the sign).
    NABETALING = ("nabetaling", "Nabetaling")
    TERUGVORDERING = ("terugvordering", "Terugvordering")
    # The Wlz yearly allowances, asked for by the budget holder (claims.allowances):
    VRIJ = ("vrij", "Vrij besteedbaar bedrag")  # paid to the budget holder's own account
    FEESTDAGEN = ("feestdagen", "Feestdagenuitkering")  # paid to the provider who gave the care

    @property
    def is_correction(self) -> bool:
        return self in CORRECTION_KINDS

    @property
    def sign(self) -> int:
        """+1: money to the provider from the budget; -1: money back to the budget."""
        return -1 if self is ClaimKind.TERUGVORDERING else 1


CORRECTION_KINDS = frozenset({ClaimKind.NABETALING, ClaimKind.TERUGVORDERING})
# Kinds a budget holder asks for once in a while instead of claiming care given.
ALLOWANCE_KINDS = frozenset({ClaimKind.VRIJ, ClaimKind.FEESTDAGEN})


def status_kind(kind: ClaimKind | str, status: ClaimStatus | str) -> str:
    """The vocabulary's kind the status is read as (portal.vocabulary.STATUSES): a claim-back
    that is approved or paid is 'te verrekenen' / 'verrekend' (terugvordering); everything
    else, hour sheets, wages, corrections and allowances alike, reads as an hour sheet."""
    if ClaimKind(kind) is ClaimKind.TERUGVORDERING and str(status) in CLAIM_BACK:
        return "terugvordering"
    return "urenbriefje"


def status_key(kind: ClaimKind | str, status: ClaimStatus | str, *, netted: bool = True) -> str:
    """The vocabulary's key of the status within its kind: the stored status, except a paid
    claim-back the holder paid back by bank transfer (not `netted`): 'terugbetaald'."""
    if (ClaimKind(kind) is ClaimKind.TERUGVORDERING and not netted
            and ClaimStatus(status) is ClaimStatus.UITBETAALD):
        return "terugbetaald"
    return str(ClaimStatus(status))


def status_label(kind: ClaimKind | str, status: ClaimStatus | str, *,
                 netted: bool = True) -> str:
    """The status as people read it: a claim-back is 'te verrekenen' until a run nets it, then
    'verrekend' (or 'terugbetaald' when the holder paid it back by bank transfer: not
    `netted`); everything else has its status's own label."""
    return STATUSES[status_kind(kind, status)][status_key(kind, status, netted=netted)].label
