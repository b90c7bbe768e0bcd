from portal.enums import LabeledEnum
from portal.vocabulary import RUN


class RunStatus(LabeledEnum):
    # A run that commits batch by batch (the command line) is "bezig" until its last batch;
    # one interrupted halfway stays so, and the next run finishes it (payments.service).
    BEZIG = ("bezig", RUN["bezig"].label)
    UITGEVOERD = ("uitgevoerd", RUN["uitgevoerd"].label)
