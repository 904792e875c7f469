"""Game modes (bancho-spec §5.6). 0-3 vanilla, 4-6 relax, 8 autopilot standard."""

from enum import IntEnum


class GameMode(IntEnum):
    VANILLA_OSU = 0
    VANILLA_TAIKO = 1
    VANILLA_CATCH = 2
    VANILLA_MANIA = 3
    RELAX_OSU = 4
    RELAX_TAIKO = 5
    RELAX_CATCH = 6
    RELAX_MANIA = 7
    AUTOPILOT_OSU = 8
    AUTOPILOT_TAIKO = 9
    AUTOPILOT_CATCH = 10
    AUTOPILOT_MANIA = 11


#: The modes that have leaderboards and `stats` rows, in table order.
VALID_MODES: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 8)
INVALID_MODES: frozenset[int] = frozenset({7, 9, 10, 11})


def is_valid_mode(mode: int) -> bool:
    return mode in VALID_MODES


def vanilla(mode: int) -> int:
    return mode % 4


def ranks_by_pp(mode: int) -> bool:
    """Relax and autopilot leaderboards are ordered by pp, vanilla ones by score."""
    return mode >= 4
