"""Beatmap and score endpoints: map info, map leaderboards, score info, replays."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hitcircle.api.common import check_mode, parse_mods_filter
from hitcircle.api.params import MapInfoParams, MapScoresParams, ReplayParams, ScoreInfoParams
from hitcircle.api.serializers import beatmap_dict, map_score_dict, row_dict, score_info_dict
from hitcircle.http.errors import HTTPError
from hitcircle.http.params import parse_query
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.services.beatmaps import Beatmap
from hitcircle.services.container import Services
from hitcircle.services.replays import ReplayHeader, build_osr, content_disposition

MAP_NOT_FOUND = "Map not found."
ID_OR_MD5 = "Must provide either id or md5!"


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _is_hex(text: str) -> bool:
    return text.isascii() and all(c in "0123456789abcdefABCDEF" for c in text)


def routes(svc: Services) -> list[Route]:
    async def find_map(map_id: int | None, md5: str | None) -> Beatmap:
        if map_id is None and md5 is None:
            raise HTTPError(400, ID_OR_MD5)
        if map_id is None and not _is_hex(md5 or ""):
            raise HTTPError(404, MAP_NOT_FOUND)  # no beatmap file hashes to non-hex text
        beatmap = await (svc.beatmaps.by_id(map_id) if map_id is not None else svc.beatmaps.by_md5(md5 or ""))
        if beatmap is None:
            raise HTTPError(404, MAP_NOT_FOUND)
        return beatmap

    async def get_map_info(request: Request) -> Response:
        p = parse_query(MapInfoParams, request)
        beatmap = await find_map(p.id, p.md5)
        return json_response({"status": "success", "map": beatmap_dict(beatmap)})

    async def get_map_scores(request: Request) -> Response:
        p = parse_query(MapScoresParams, request)
        check_mode(p.mode)
        mods = parse_mods_filter(p.mods)
        beatmap = await find_map(p.id, p.md5)
        rows = await svc.scores.map_scores(beatmap.md5, p.mode, p.scope, mods, p.limit)
        return json_response({"status": "success", "scores": [map_score_dict(r) for r in rows]})

    async def get_score_info(request: Request) -> Response:
        p = parse_query(ScoreInfoParams, request)
        row = await svc.scores.by_id(p.id)
        if row is None:
            raise HTTPError(404, "Score not found.")
        return json_response({"status": "success", "score": score_info_dict(row)})

    async def get_replay(request: Request) -> Response:
        p = parse_query(ReplayParams, request)
        frames = await asyncio.to_thread(_read, svc.runtime.paths.replay(p.id))
        if frames is None:
            raise HTTPError(404, "Replay not found.")
        headers = [(b"content-description", b"File Transfer")]
        if not p.include_headers:
            return Response(frames, content_type=b"application/octet-stream", headers=headers)
        row = await svc.scores.replay_header(p.id)
        if row is None:
            raise HTTPError(404, "Score not found.")
        header = ReplayHeader(**row_dict(row))
        response = Response(
            build_osr(header, frames, p.id), content_type=b"application/octet-stream", headers=headers
        )
        response.set_header("content-disposition", content_disposition(header))
        return response

    return [
        Route(
            "/v1/get_map_info",
            get_map_info,
            params=MapInfoParams,
            summary="A beatmap by id or md5 (id wins when both are given)",
            tag="beatmaps",
            responses={400: "Neither id nor md5", 404: "Map not found"},
            cache_tables=("maps", "mapsets"),
        ),
        Route(
            "/v1/get_map_scores",
            get_map_scores,
            params=MapScoresParams,
            summary="A beatmap's leaderboard (best) or its newest passes (recent)",
            tag="beatmaps",
            responses={400: "Invalid gamemode, or neither id nor md5", 404: "Map not found"},
            cache_tables=("maps", "mapsets", "scores", "users", "clans"),
        ),
        Route(
            "/v1/get_score_info",
            get_score_info,
            params=ScoreInfoParams,
            summary="One score with every stored column",
            tag="scores",
            responses={404: "Score not found"},
            cache_tables=("scores",),
        ),
        Route(
            "/v1/get_replay",
            get_replay,
            params=ReplayParams,
            summary="A score's replay: a complete .osr, or the raw frames with include_headers=false",
            tag="scores",
            responses={404: "Replay or score not found"},
            response_type="application/octet-stream",
        ),
    ]
