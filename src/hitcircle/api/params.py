"""Query parameters of every v1 endpoint, as bancho.py declares them (bancho-spec §1) with the limits
decisions.md adds. Validation errors answer 422 in FastAPI's shape (see `hitcircle.http.params`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hitcircle.http.params import QueryParams

INT32_MAX = 2_147_483_647
INT64_MAX = 9_223_372_036_854_775_807
USERNAME_PATTERN = r"^[\w \[\]-]{2,15}$"

PlayerId = Annotated[int | None, Field(ge=3, le=INT32_MAX, description="User id (3 and up).")]
PlayerName = Annotated[
    str | None,
    Field(pattern=USERNAME_PATTERN, description="User name (case-insensitive; space = underscore)."),
]
Mode = Annotated[
    int,
    Field(ge=0, le=11, description="0-3 vanilla, 4-6 relax, 8 autopilot; 7, 9, 10, 11 answer 400."),
]
MapMd5 = Annotated[str | None, Field(min_length=32, max_length=32, description="Beatmap file MD5.")]
ModsText = Annotated[
    str | None,
    Field(
        max_length=64,
        description="`=` (has all, default) or `~` (has any), then a number or mod string, e.g. `~HDHR`.",
    ),
]
Scope = Literal["recent", "best"]


class PlayerInfoParams(QueryParams):
    scope: Literal["stats", "info", "all"]
    id: PlayerId = None
    name: PlayerName = None


class PlayerStatusParams(QueryParams):
    id: PlayerId = None
    name: PlayerName = None


class PlayerScoresParams(QueryParams):
    scope: Scope
    id: PlayerId = None
    name: PlayerName = None
    mods: ModsText = None
    mode: Mode = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    include_loved: bool = False
    include_failed: bool = True


class PlayerMostPlayedParams(QueryParams):
    id: PlayerId = None
    name: PlayerName = None
    mode: Mode = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 25


class MapInfoParams(QueryParams):
    id: Annotated[int | None, Field(ge=3, le=INT32_MAX, description="Beatmap id.")] = None
    md5: MapMd5 = None


class MapScoresParams(QueryParams):
    scope: Scope
    id: Annotated[int | None, Field(ge=0, le=INT32_MAX, description="Beatmap id.")] = None
    md5: MapMd5 = None
    mods: ModsText = None
    mode: Mode = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class ScoreInfoParams(QueryParams):
    id: Annotated[int, Field(ge=0, le=INT64_MAX, description="Score id.")]


class ReplayParams(QueryParams):
    id: Annotated[int, Field(ge=0, le=INT64_MAX, description="Score id.")]
    include_headers: bool = True


class MatchParams(QueryParams):
    id: Annotated[int, Field(ge=0, le=INT32_MAX, description="Match id as the game shows it (0-based).")]


class LeaderboardParams(QueryParams):
    sort: Literal["tscore", "rscore", "pp", "acc", "plays", "playtime"] = "pp"
    mode: Mode = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    offset: Annotated[int, Field(ge=0, le=INT32_MAX)] = 0
    country: Annotated[
        str | None, Field(min_length=2, max_length=2, description="Two-letter country code, any case.")
    ] = None


class ClanParams(QueryParams):
    id: Annotated[int, Field(ge=1, le=INT32_MAX)]


class MappoolParams(QueryParams):
    id: Annotated[int, Field(ge=1, le=INT32_MAX)]


class SearchPlayersParams(QueryParams):
    q: Annotated[
        str | None,
        Field(min_length=2, max_length=32, description="Part of a name; `%` and `_` match literally."),
    ] = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
