"""Rows to the exact JSON objects of bancho-spec §1: key order, value types and rounding.

Rounding follows the reference's column types: pp and acc 3 decimals, bpm/cs/ar/od/hp 2, diff 3.
"""

from __future__ import annotations

from typing import Any

from hitcircle.repositories import AnyRow
from hitcircle.services.beatmaps import Beatmap


def row_dict(row: AnyRow) -> dict[str, Any]:
    """A result row as a dict in column order (much cheaper than `dict(row._mapping)`)."""
    return dict(zip(row._fields, row, strict=True))


#: rounded values already computed, per number of decimals: `round(x, n)` on a float is correctly
#: rounded through a decimal conversion (~0.5 us), and a score listing rounds 8 values per score; the
#: map columns repeat across scores and requests. Cleared when full, so memory stays bounded.
_ROUNDED: dict[int, dict[Any, float]] = {2: {}, 3: {}}
_ROUNDED_MAX = 100_000


def _rounded(value: Any, digits: int) -> float:
    memo = _ROUNDED[digits]
    found = memo.get(value)
    if found is None:
        found = round(float(value), digits)
        if len(memo) >= _ROUNDED_MAX:
            memo.clear()
        memo[value] = found
    return found


def r2(value: Any) -> float:
    return _rounded(value, 2)


def r3(value: Any) -> float:
    return _rounded(value, 3)


def beatmap_dict(b: Beatmap) -> dict[str, Any]:
    """`get_map_info`'s map object (bancho.py's `Beatmap.as_dict`)."""
    return {
        "md5": b.md5,
        "id": b.id,
        "set_id": b.set_id,
        "artist": b.artist,
        "title": b.title,
        "version": b.version,
        "creator": b.creator,
        "last_update": b.last_update,
        "total_length": b.total_length,
        "max_combo": b.max_combo,
        "status": int(b.status),
        "plays": b.plays,
        "passes": b.passes,
        "mode": b.mode,
        "bpm": r2(b.bpm),
        "cs": r2(b.cs),
        "od": r2(b.od),
        "ar": r2(b.ar),
        "hp": r2(b.hp),
        "diff": r3(b.diff),
    }


def pool_map_dict(b: Beatmap) -> dict[str, Any]:
    """`get_mappool`'s map object: like `beatmap_dict` with `id` before `md5`."""
    data = beatmap_dict(b)
    return {"id": data.pop("id"), **data}


def player_score_dict(r: AnyRow) -> dict[str, Any]:
    """A score of get_player_scores with its map (columns `map_*`, see `repositories.scores`). Written
    out attribute by attribute: the generic row -> dict -> dict path was a tenth of a listing's miss."""
    return {
        "id": r.id,
        "score": r.score,
        "pp": r3(r.pp),
        "acc": r3(r.acc),
        "max_combo": r.max_combo,
        "mods": r.mods,
        "n300": r.n300,
        "n100": r.n100,
        "n50": r.n50,
        "nmiss": r.nmiss,
        "ngeki": r.ngeki,
        "nkatu": r.nkatu,
        "grade": r.grade,
        "status": r.status,
        "mode": r.mode,
        "play_time": r.play_time,
        "time_elapsed": r.time_elapsed,
        "perfect": r.perfect,
        "beatmap": {
            "md5": r.map_md5,
            "id": r.map_id,
            "set_id": r.map_set_id,
            "artist": r.map_artist,
            "title": r.map_title,
            "version": r.map_version,
            "creator": r.map_creator,
            "last_update": r.map_last_update,
            "total_length": r.map_total_length,
            "max_combo": r.map_max_combo,
            "status": r.map_status,
            "plays": r.map_plays,
            "passes": r.map_passes,
            "mode": r.map_mode,
            "bpm": r2(r.map_bpm),
            "cs": r2(r.map_cs),
            "od": r2(r.map_od),
            "ar": r2(r.map_ar),
            "hp": r2(r.map_hp),
            "diff": r3(r.map_diff),
        },
    }


def map_score_dict(row: AnyRow) -> dict[str, Any]:
    data = row_dict(row)
    data["pp"] = r3(data["pp"])
    data["acc"] = r3(data["acc"])
    return data


def score_info_dict(row: AnyRow) -> dict[str, Any]:
    data = row_dict(row)
    data["pp"] = r3(data["pp"])
    data["acc"] = r3(data["acc"])
    return data


def stats_dict(row: AnyRow, rank: int, country_rank: int) -> dict[str, Any]:
    data = row_dict(row)
    data["acc"] = r3(data["acc"])
    data["rank"] = rank
    data["country_rank"] = country_rank
    return data


def leaderboard_dict(row: AnyRow) -> dict[str, Any]:
    data = row_dict(row)
    data["acc"] = r3(data["acc"])
    return data
