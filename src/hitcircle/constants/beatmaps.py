"""Beatmap ranked statuses (bancho-spec §5.10)."""

from enum import IntEnum


class RankedStatus(IntEnum):
    NOT_SUBMITTED = -1
    PENDING = 0
    UPDATE_AVAILABLE = 1
    RANKED = 2
    APPROVED = 3
    QUALIFIED = 4
    LOVED = 5

    @classmethod
    def from_osu_api(cls, approved: int) -> "RankedStatus":
        if approved in (-2, -1, 0):
            return cls.PENDING
        return {1: cls.RANKED, 2: cls.APPROVED, 3: cls.QUALIFIED, 4: cls.LOVED}.get(
            approved, cls.UPDATE_AVAILABLE
        )


LEADERBOARD_STATUSES = frozenset({RankedStatus.RANKED, RankedStatus.APPROVED, RankedStatus.LOVED})
RANKED_PP_STATUSES = frozenset({RankedStatus.RANKED, RankedStatus.APPROVED})
