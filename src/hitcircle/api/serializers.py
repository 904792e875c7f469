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


def r2(value: Any) -> float:
    return round(float(value), 2)


def r3(value: Any) -> float:
    return round(float(value), 3)


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


def joined_map_dict(row: dict[str, Any], prefix: str = "map_") -> dict[str, Any]:
    """The map object from columns selected with a prefix (see `repositories.scores.MAP_COLUMNS`)."""
    return {
        "md5": row[f"{prefix}md5"],
        "id": row[f"{prefix}id"],
        "set_id": row[f"{prefix}set_id"],
        "artist": row[f"{prefix}artist"],
        "title": row[f"{prefix}title"],
        "version": row[f"{prefix}version"],
        "creator": row[f"{prefix}creator"],
        "last_update": row[f"{prefix}last_update"],
        "total_length": row[f"{prefix}total_length"],
        "max_combo": row[f"{prefix}max_combo"],
        "status": row[f"{prefix}status"],
        "plays": row[f"{prefix}plays"],
        "passes": row[f"{prefix}passes"],
        "mode": row[f"{prefix}mode"],
        "bpm": r2(row[f"{prefix}bpm"]),
        "cs": r2(row[f"{prefix}cs"]),
        "od": r2(row[f"{prefix}od"]),
        "ar": r2(row[f"{prefix}ar"]),
        "hp": r2(row[f"{prefix}hp"]),
        "diff": r3(row[f"{prefix}diff"]),
    }


def player_score_dict(r: AnyRow) -> dict[str, Any]:
    row = row_dict(r)
    return {
        "id": row["id"],
        "score": row["score"],
        "pp": r3(row["pp"]),
        "acc": r3(row["acc"]),
        "max_combo": row["max_combo"],
        "mods": row["mods"],
        "n300": row["n300"],
        "n100": row["n100"],
        "n50": row["n50"],
        "nmiss": row["nmiss"],
        "ngeki": row["ngeki"],
        "nkatu": row["nkatu"],
        "grade": row["grade"],
        "status": row["status"],
        "mode": row["mode"],
        "play_time": row["play_time"],
        "time_elapsed": row["time_elapsed"],
        "perfect": row["perfect"],
        "beatmap": joined_map_dict(row),
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
