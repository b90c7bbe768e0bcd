from portal.enums import LabeledEnum


class RunStatus(LabeledEnum):
    UITGEVOERD = ("uitgevoerd", "Uitgevoerd")
