"""Checks shared by several endpoints, in the order bancho.py applies them."""

from __future__ import annotations

from hitcircle.constants.gamemodes import INVALID_MODES
from hitcircle.constants.mods import mods_from_string
from hitcircle.http.errors import HTTPError
from hitcircle.repositories.scores import ModsFilter

MODS_MAX = 0x7FFFFFFF


def check_mode(mode: int) -> None:
    if mode in INVALID_MODES:
        raise HTTPError(400, "Invalid gamemode.")


def parse_mods_filter(text: str | None) -> ModsFilter | None:
    """`=` (all of, default) or `~` (any of), then a decimal number or a mod string; empty = no filter."""
    if not text:
        return None
    strong = True
    if text[0] in "=~":
        strong = text[0] == "="
        text = text[1:]
    if text.isdecimal():
        mods = int(text)
        if mods > MODS_MAX:
            raise HTTPError(400, "Invalid mods.")
    else:
        mods = mods_from_string(text)
    return ModsFilter(mods, strong)
