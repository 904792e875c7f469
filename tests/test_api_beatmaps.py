"""Developer API: map info, map scores, score info and replays."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from osrparse import Replay
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from tests.factories import create_clan, create_map, create_score, create_user
from tests.osr_tools import frames_of

REPLAYS = Path(__file__).parent / "fixtures" / "replays"


def map_body(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "md5": m["md5"], "id": m["id"], "set_id": m["set_id"], "artist": m["artist"], "title": m["title"],
        "version": m["version"], "creator": m["creator"], "last_update": m["last_update"].isoformat(),
        "total_length": m["total_length"], "max_combo": m["max_combo"], "status": m["status"],
        "plays": m["plays"], "passes": m["passes"], "mode": m["mode"], "bpm": m["bpm"], "cs": m["cs"],
        "od": m["od"], "ar": m["ar"], "hp": m["hp"], "diff": m["diff"],
    }  # fmt: skip


async def test_get_map_info_by_id_and_md5(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    beatmap = await create_map(engine, bpm=174.999, cs=4.2, diff=6.54321)
    by_id = await client.get("/v1/get_map_info", params={"id": beatmap["id"]})
    assert by_id.status_code == 200
    expected = {"status": "success", "map": {**map_body(beatmap), "bpm": 175.0, "diff": 6.543}}
    assert by_id.json() == expected
    assert list(by_id.json()["map"]) == list(map_body(beatmap))
    by_md5 = await client.get("/v1/get_map_info", params={"md5": beatmap["md5"]})
    assert by_md5.json() == expected
    id_wins = await client.get("/v1/get_map_info", params={"id": beatmap["id"], "md5": "0" * 32})
    assert id_wins.json() == expected


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({}, 400, {"status": "Must provide either id or md5!"}),
        ({"id": 77777777}, 404, {"status": "Map not found."}),
        ({"md5": "0" * 32}, 404, {"status": "Map not found."}),
    ],
)
async def test_get_map_info_errors(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, body: dict[str, Any]
) -> None:
    response = await client.get("/v1/get_map_info", params=params)
    assert (response.status_code, response.json()) == (status, body)


async def test_get_map_info_md5_length_is_validated(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/get_map_info", params={"md5": "abc"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_too_short"


async def test_get_map_scores(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    beatmap = await create_map(engine)
    alice = await create_user(engine, "Alice", country="ca")
    bob = await create_user(engine, "Bob", country="de")
    banned = await create_user(engine, "Banned", priv=2)
    clan = await create_clan(engine, owner=alice["id"], name="Circles", tag="HC")
    md5 = beatmap["md5"]
    a = await create_score(engine, userid=alice["id"], map_md5=md5, score=500_000, pp=200, mods=8)
    b = await create_score(
        engine, userid=bob["id"], map_md5=md5, score=900_000, pp=100, play_time=datetime(2024, 3, 1)
    )
    bob_old = await create_score(
        engine, userid=bob["id"], map_md5=md5, score=800_000, status=1, play_time=datetime(2024, 2, 1)
    )
    await create_score(engine, userid=bob["id"], map_md5=md5, status=0, play_time=datetime(2024, 4, 1))
    await create_score(engine, userid=banned["id"], map_md5=md5, score=10**9)
    rx_a = await create_score(engine, userid=alice["id"], map_md5=md5, score=1, pp=300, mode=4, mods=128)
    rx_b = await create_score(engine, userid=bob["id"], map_md5=md5, score=2, pp=250, mode=4, mods=128)

    best = (await client.get("/v1/get_map_scores", params={"id": beatmap["id"], "scope": "best"})).json()
    assert best["status"] == "success"
    assert [s["score"] for s in best["scores"]] == [900_000, 500_000]
    assert best["scores"][1] == {
        "map_md5": md5, "score": 500_000, "pp": 200.0, "acc": 98.76, "max_combo": 480, "mods": 8, "n300": 400,
        "n100": 10, "n50": 2, "nmiss": 1, "ngeki": 80, "nkatu": 5, "grade": "S", "status": 2, "mode": 0,
        "play_time": "2024-01-01T12:30:00", "time_elapsed": 120_000, "userid": alice["id"], "perfect": 0,
        "player_name": "Alice", "player_country": "ca", "clan_id": clan["id"], "clan_name": "Circles",
        "clan_tag": "HC",
    }  # fmt: skip
    assert best["scores"][0]["clan_id"] is None and best["scores"][0]["clan_name"] is None
    recent = (await client.get("/v1/get_map_scores", params={"md5": md5, "scope": "recent"})).json()
    assert [s["play_time"] for s in recent["scores"]] == [
        "2024-03-01T00:00:00", "2024-02-01T00:00:00", "2024-01-01T12:30:00",
    ]  # fmt: skip
    assert [s["score"] for s in recent["scores"]] == [b["score"], bob_old["score"], a["score"]]
    relax = (await client.get("/v1/get_map_scores", params={"md5": md5, "scope": "best", "mode": 4})).json()
    assert [s["pp"] for s in relax["scores"]] == [rx_a["pp"], rx_b["pp"]]  # relax ranks by pp
    hidden = (
        await client.get("/v1/get_map_scores", params={"md5": md5, "scope": "best", "mods": "~HD"})
    ).json()
    assert [s["userid"] for s in hidden["scores"]] == [alice["id"]]
    one = (await client.get("/v1/get_map_scores", params={"md5": md5, "scope": "best", "limit": 1})).json()
    assert len(one["scores"]) == 1


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"scope": "best", "mode": 10}, 400, "Invalid gamemode."),
        ({"scope": "best"}, 400, "Must provide either id or md5!"),
        ({"scope": "best", "id": 5}, 404, "Map not found."),
    ],
)
async def test_get_map_scores_errors(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, message: str
) -> None:
    response = await client.get("/v1/get_map_scores", params=params)
    assert (response.status_code, response.json()) == (status, {"status": message})


async def test_get_score_info(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    user = await create_user(engine)
    score = await create_score(engine, userid=user["id"], map_md5="b" * 32, pp=123.4567, acc=99.1234)
    response = await client.get("/v1/get_score_info", params={"id": score["id"]})
    assert response.json() == {
        "status": "success",
        "score": {
            "id": score["id"], "map_md5": "b" * 32, "score": 1_000_000, "pp": 123.457, "acc": 99.123,
            "max_combo": 480, "mods": 0, "n300": 400, "n100": 10, "n50": 2, "nmiss": 1, "ngeki": 80, "nkatu": 5,
            "grade": "S", "status": 2, "mode": 0, "play_time": "2024-01-01T12:30:00", "time_elapsed": 120_000,
            "client_flags": 0, "userid": user["id"], "perfect": 0, "online_checksum": score["online_checksum"],
        },
    }  # fmt: skip
    missing = await client.get("/v1/get_score_info", params={"id": 9_223_372_036_854_775_807})
    assert (missing.status_code, missing.json()) == (404, {"status": "Score not found."})
    too_big = await client.get("/v1/get_score_info", params={"id": 9_223_372_036_854_775_808})
    assert too_big.status_code == 422


@pytest.mark.parametrize("name", ["replay", "taiko", "ctb", "mania"])
async def test_get_replay_round_trips_through_osrparse(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp, name: str
) -> None:
    original_bytes = (REPLAYS / f"{name}.osr").read_bytes()
    original = Replay.from_string(original_bytes)
    user = await create_user(engine, original.username)
    beatmap = await create_map(
        engine, md5=original.beatmap_hash, artist="アーティスト", title="Title", version="Extra"
    )
    score = await create_score(
        engine,
        userid=user["id"],
        map_md5=original.beatmap_hash,
        mode=original.mode.value,
        n300=original.count_300,
        n100=original.count_100,
        n50=original.count_50,
        ngeki=original.count_geki,
        nkatu=original.count_katu,
        nmiss=original.count_miss,
        score=original.score,
        max_combo=original.max_combo,
        perfect=int(original.perfect),
        mods=original.mods.value,
        play_time=original.timestamp.replace(tzinfo=None, microsecond=0),
    )
    frames = frames_of(original_bytes)
    paths = app.runtime.paths  # type: ignore[union-attr]
    paths.replay(score["id"]).write_bytes(frames)

    raw = await client.get("/v1/get_replay", params={"id": score["id"], "include_headers": "false"})
    assert raw.status_code == 200
    assert raw.content == frames
    assert raw.headers["content-type"] == "application/octet-stream"
    assert "content-disposition" not in raw.headers

    full = await client.get("/v1/get_replay", params={"id": score["id"]})
    assert full.status_code == 200
    assert full.headers["content-description"] == "File Transfer"
    day = original.timestamp.strftime("%Y-%m-%d")
    ascii_name = f"{original.username} - ______ - Title [Extra] ({day}).osr"
    assert full.headers["content-disposition"].startswith(
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''"
    )
    parsed = Replay.from_string(full.content)
    assert parsed.mode == original.mode
    assert parsed.game_version == 20200207
    assert parsed.beatmap_hash == beatmap["md5"]
    assert parsed.username == original.username
    assert (parsed.count_300, parsed.count_100, parsed.count_50) == (
        original.count_300, original.count_100, original.count_50,
    )  # fmt: skip
    assert (parsed.count_geki, parsed.count_katu, parsed.count_miss) == (
        original.count_geki, original.count_katu, original.count_miss,
    )  # fmt: skip
    assert parsed.score == original.score
    assert parsed.max_combo == original.max_combo
    assert parsed.perfect == original.perfect
    assert parsed.mods == original.mods
    assert parsed.timestamp == original.timestamp.replace(microsecond=0)
    assert parsed.replay_id == score["id"]
    assert parsed.replay_data == original.replay_data


async def test_get_replay_errors_and_clamping(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp
) -> None:
    missing = await client.get("/v1/get_replay", params={"id": 424242})
    assert (missing.status_code, missing.json()) == (404, {"status": "Replay not found."})
    paths = app.runtime.paths  # type: ignore[union-attr]
    paths.replay(999_999).write_bytes(b"frames")
    orphan = await client.get("/v1/get_replay", params={"id": 999_999})
    assert (orphan.status_code, orphan.json()) == (404, {"status": "Score not found."})
    user = await create_user(engine, "Big")
    beatmap = await create_map(engine)
    score = await create_score(
        engine, userid=user["id"], map_md5=beatmap["md5"], n300=70_000, max_combo=99_999
    )
    paths.replay(score["id"]).write_bytes(frames_of((REPLAYS / "replay.osr").read_bytes()))
    parsed = Replay.from_string((await client.get("/v1/get_replay", params={"id": score["id"]})).content)
    assert parsed.count_300 == 65535
    assert parsed.max_combo == 65535
    bad_bool = await client.get("/v1/get_replay", params={"id": 1, "include_headers": "maybe"})
    assert bad_bool.status_code == 422
    assert bad_bool.json()["detail"][0]["type"] == "bool_parsing"
