from portal.enums import LabeledEnum


class RunStatus(LabeledEnum):
    # A run that commits batch by batch (the command line) is "bezig" until its last batch;
    # one interrupted halfway stays so, and the next run finishes it (payments.service).
    BEZIG = ("bezig", "Bezig")
    UITGEVOERD = ("uitgevoerd", "Uitgevoerd")
