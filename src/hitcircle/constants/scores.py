"""Score submission statuses and grades (bancho-spec §5.8)."""

from enum import IntEnum


class SubmissionStatus(IntEnum):
    FAILED = 0
    SUBMITTED = 1
    BEST = 2


GRADES: tuple[str, ...] = ("N", "F", "D", "C", "B", "A", "S", "SH", "X", "XH")


class ClanPrivileges(IntEnum):
    MEMBER = 1
    OFFICER = 2
    OWNER = 3
