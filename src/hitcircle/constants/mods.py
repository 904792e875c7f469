"""Mod bits and their two-letter names (bancho-spec §5.7)."""

from enum import IntFlag


class Mods(IntFlag):
    NOMOD = 0
    NOFAIL = 1
    EASY = 2
    TOUCHSCREEN = 4
    HIDDEN = 8
    HARDROCK = 16
    SUDDENDEATH = 32
    DOUBLETIME = 64
    RELAX = 128
    HALFTIME = 256
    NIGHTCORE = 512
    FLASHLIGHT = 1024
    AUTOPLAY = 2048
    SPUNOUT = 4096
    AUTOPILOT = 8192
    PERFECT = 16384
    KEY4 = 32768
    KEY5 = 65536
    KEY6 = 131072
    KEY7 = 262144
    KEY8 = 524288
    FADEIN = 1048576
    RANDOM = 2097152
    CINEMA = 4194304
    TARGET = 8388608
    KEY9 = 16777216
    KEYCOOP = 33554432
    KEY1 = 67108864
    KEY3 = 134217728
    KEY2 = 268435456
    SCOREV2 = 536870912
    MIRROR = 1073741824


MOD_NAMES: tuple[tuple[int, str], ...] = (
    (1, "NF"),
    (2, "EZ"),
    (4, "TD"),
    (8, "HD"),
    (16, "HR"),
    (32, "SD"),
    (64, "DT"),
    (128, "RX"),
    (256, "HT"),
    (512, "NC"),
    (1024, "FL"),
    (2048, "AU"),
    (4096, "SO"),
    (8192, "AP"),
    (16384, "PF"),
    (32768, "4K"),
    (65536, "5K"),
    (131072, "6K"),
    (262144, "7K"),
    (524288, "8K"),
    (1048576, "FI"),
    (2097152, "RN"),
    (4194304, "CN"),
    (8388608, "TP"),
    (16777216, "9K"),
    (33554432, "CO"),
    (67108864, "1K"),
    (134217728, "3K"),
    (268435456, "2K"),
    (536870912, "V2"),
    (1073741824, "MR"),
)
_BY_NAME: dict[str, int] = {name: bit for bit, name in MOD_NAMES}

SPEED_CHANGING = int(Mods.DOUBLETIME | Mods.NIGHTCORE | Mods.HALFTIME)


def mods_from_string(text: str) -> int:
    """Two-letter chunks, case-insensitive; unknown chunks (including `NM`) are ignored."""
    value = 0
    upper = text.upper()
    for i in range(0, len(upper) - 1, 2):
        value |= _BY_NAME.get(upper[i : i + 2], 0)
    return value


def mods_to_string(mods: int) -> str:
    """`HDHR`; `NM` for no mods. Used for mappool keys."""
    if not mods:
        return "NM"
    return "".join(name for bit, name in MOD_NAMES if mods & bit)
