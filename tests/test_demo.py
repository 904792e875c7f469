"""`hitcircle demo load`: idempotent, and every read endpoint answers with demo data on every engine."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from osrparse import Replay
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.cli.main import cli
from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.db import schema
from hitcircle.demo import DemoSummary, load_demo, seed_demo_live_state
from hitcircle.demo.dataset import DEMO_PASSWORD, MATCH_NAME, REPLAY_FILES
from hitcircle.services.accounts import AccountService, verify_password
from hitcircle.services.container import Services
from tests.conftest import API, make_settings

COUNTED = (
    schema.users,
    schema.stats,
    schema.scores,
    schema.maps,
    schema.mapsets,
    schema.clans,
    schema.tourney_pools,
    schema.tourney_pool_maps,
    schema.relationships,
)


def services_of(app: HitcircleApp) -> Services:
    """The app's services, registering players with cheap bcrypt (4 rounds) to keep the tests quick."""
    services = app.services
    assert services is not None
    accounts = AccountService(
        services.runtime.engine,
        services.runtime.live,
        on_privileges_changed=services.ranks.on_privileges_changed,
        bcrypt_rounds=4,
    )
    return dataclasses.replace(services, accounts=accounts)


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t.name: int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
            for t in COUNTED
        }


async def get(client: httpx.AsyncClient, endpoint: str, **params: Any) -> Any:
    response = await client.get(f"/v1/{endpoint}", params=params)
    assert response.status_code == 200, (endpoint, params, response.text)
    return response.json()


def player_id(summary: DemoSummary, name: str) -> int:
    return next(user_id for user_id, player in summary.players if player == name)


async def test_load_is_idempotent(app: HitcircleApp, engine: AsyncEngine) -> None:
    services = services_of(app)
    first = await load_demo(services)
    counts = await row_counts(engine)
    replays = sorted(p.name for p in services.runtime.paths.replays.iterdir())
    steps: list[tuple[str, int, int]] = []
    second = await load_demo(services, lambda *step: steps.append(step))
    assert (first.added, second.added) == (True, False)
    assert await row_counts(engine) == counts
    assert sorted(p.name for p in services.runtime.paths.replays.iterdir()) == replays
    assert second == dataclasses.replace(first, added=False)  # same ids, same key
    assert counts["users"] == 9 and counts["clans"] == 2 and counts["tourney_pool_maps"] == 4
    assert counts["scores"] == first.scores > 100
    assert len(replays) == first.replays > 80
    assert steps[-1][1] == steps[-1][2]  # progress reaches its total
    maple = await services.accounts.find_by_name("Maple")
    assert maple is not None and verify_password(DEMO_PASSWORD, maple.pw_bcrypt)
    # a lost replay file comes back
    services.runtime.paths.replay(first.example_score_id).unlink()
    assert (await load_demo(services)).added is True
    assert services.runtime.paths.replay(first.example_score_id).exists()


async def test_every_read_endpoint_answers_with_demo_data(
    app: HitcircleApp, client: httpx.AsyncClient
) -> None:
    summary = await load_demo(services_of(app))
    maple, camille = player_id(summary, "Maple"), player_id(summary, "Camille")

    counts = await get(client, "get_player_count")
    assert counts["counts"] == {"online": 0, "total": 8}

    ranked_modes: set[int] = set()
    for user_id, name in summary.players:
        player = (await get(client, "get_player_info", id=user_id, scope="all"))["player"]
        assert player["info"]["name"] == name
        for mode, stats in player["stats"].items():
            if stats["pp"] > 0 and stats["rank"] > 0 and stats["plays"] > 0 and stats["acc"] > 0:
                ranked_modes.add(int(mode))
        if user_id == camille:  # restricted: stats, but no rank
            assert player["stats"]["0"]["pp"] > 0 and player["stats"]["0"]["rank"] == 0
    assert ranked_modes == set(VALID_MODES)

    for mode in (0, 1, 4, 8):
        best = (await get(client, "get_player_scores", id=maple, scope="best", mode=mode))["scores"]
        recent = await get(
            client, "get_player_scores", id=maple, scope="recent", mode=mode, include_failed=True
        )
        assert best and all(s["status"] == 2 and s["pp"] > 0 for s in best)
        assert recent["scores"] and recent["player"]["clan"]["tag"] == "HC"
    relax = (await get(client, "get_player_scores", id=maple, scope="best", mode=4))["scores"]
    autopilot = (await get(client, "get_player_scores", id=maple, scope="best", mode=8))["scores"]
    assert all(s["mods"] & 128 for s in relax) and all(s["mods"] & 8192 for s in autopilot)

    most_played = (await get(client, "get_player_most_played", id=maple, mode=0))["maps"]
    assert most_played and most_played[0]["plays"] > 0

    ranked_map = (await get(client, "get_map_info", id=315))["map"]
    loved_map = (await get(client, "get_map_info", id=2785319))["map"]
    assert (ranked_map["status"], loved_map["status"]) == (2, 5)
    assert ranked_map["plays"] >= ranked_map["passes"] > 0
    for map_id, mode in ((315, 0), (315, 4), (315, 8), (2785319, 0), (1028484, 1), (1028484, 5),
                         (2118524, 2), (2118524, 6), (1638954, 3)):  # fmt: skip
        for scope in ("best", "recent"):
            scores = (await get(client, "get_map_scores", id=map_id, mode=mode, scope=scope))["scores"]
            assert scores, (map_id, mode, scope)
            assert camille not in {s["userid"] for s in scores}

    score = (await get(client, "get_score_info", id=summary.example_score_id))["score"]
    assert (score["userid"], score["mode"], score["status"]) == (maple, 0, 2)
    osr = await client.get("/v1/get_replay", params={"id": summary.example_score_id})
    assert osr.status_code == 200
    replay = Replay.from_string(osr.content)
    assert (replay.username, replay.beatmap_hash, replay.count_300) == (
        "Maple",
        score["map_md5"],
        score["n300"],
    )
    assert replay.replay_data
    raw = await client.get(
        "/v1/get_replay", params={"id": summary.example_score_id, "include_headers": "false"}
    )
    assert raw.content == (REPLAY_FILES / "std.lzma").read_bytes()

    for mode in VALID_MODES:
        board = (await get(client, "get_leaderboard", mode=mode))["leaderboard"]
        assert len(board) >= 3 and camille not in {row["player_id"] for row in board}, mode
        assert [row["pp"] for row in board] == sorted((row["pp"] for row in board), reverse=True)

    clan = await get(client, "get_clan", id=summary.clan_ids[0])
    assert clan["owner"]["name"] == "Maple"
    assert [m["rank"] for m in clan["members"]] == ["Owner", "Officer", "Member", "Member"]
    pool = await get(client, "get_mappool", id=summary.pool_id)
    assert set(pool["maps"]) == {"NM1", "HD1", "HR1", "DT1"}
    assert pool["created_by"]["clan"]["tag"] == "SB"

    found = await get(client, "search_players")
    names = {r["name"] for r in found["result"]}
    assert found["results"] == 7 and "Camille" not in names and "Maple" in names

    auth = {"Authorization": f"Bearer {summary.api_key}"}
    friends = (await client.get("/v1/get_friends", headers=auth)).json()["friends"]
    blocks = (await client.get("/v1/get_friends", params={"blocks": "true"}, headers=auth)).json()["friends"]
    assert [f["name"] for f in friends] == ["Beatriz", "Hoshino", "Kestrel", "Riley"]
    assert [b["name"] for b in blocks] == ["Camille"]
    assert not any(f["online"] for f in friends)


async def test_live_state(app: HitcircleApp, client: httpx.AsyncClient) -> None:
    services = services_of(app)
    assert await seed_demo_live_state(services) is False  # no demo players yet: nothing to show
    assert (await get(client, "get_player_count"))["counts"]["online"] == 0
    summary = await load_demo(services)
    assert await seed_demo_live_state(services) is True
    assert await seed_demo_live_state(services) is True  # again: no second match, same sessions
    live = services.runtime.live
    matches = await live.list_matches()
    assert [m.name for m in matches] == [MATCH_NAME]

    assert (await get(client, "get_player_count"))["counts"] == {"online": 5, "total": 8}
    status = (await get(client, "get_player_status", name="Hoshino"))["player_status"]
    assert status["online"] is True
    assert (status["status"]["action"], status["status"]["mods"]) == (2, 24)
    assert status["status"]["beatmap"]["id"] == 315
    idle = (await get(client, "get_player_status", name="Kestrel"))["player_status"]
    assert idle["online"] is True and idle["status"]["action"] == 0
    offline = (await get(client, "get_player_status", name="Maple"))["player_status"]
    assert offline == {"online": False, "last_seen": offline["last_seen"]} and offline["last_seen"] > 0

    match = (await get(client, "get_match", id=matches[0].id))["match"]
    assert match["host"]["name"] == "Riley"
    assert [r["name"] for r in match["refs"]] == ["Riley", "Kestrel"]
    assert [s["player"]["name"] for s in match["active_slots"].values()] == ["Riley", "Minseo", "Linnea"]
    assert match["map"]["id"] == 315 and len(match["map"]["md5"]) == 32

    friends = (
        await client.get("/v1/get_friends", headers={"Authorization": f"Bearer {summary.api_key}"})
    ).json()
    online = {f["name"]: f["online"] for f in friends["friends"]}
    assert online == {"Beatriz": False, "Hoshino": True, "Kestrel": True, "Riley": True}
    pool = await get(client, "get_mappool", id=summary.pool_id)
    assert pool["created_by"]["online"] is True


async def test_ranks_in_redis(
    db_url: str, app: HitcircleApp, client: httpx.AsyncClient, redis_url: str, tmp_path: Path
) -> None:
    redis_app = HitcircleApp(make_settings(db_url, tmp_path / "redis-data", REDIS_URL=redis_url))
    await redis_app.startup()
    try:
        summary = await load_demo(services_of(redis_app))  # rebuilds the rank sets at the end
        # `app` shares no version store with `redis_app` (another data directory, no Redis): to it these
        # are writes by another program, which `hitcircle cache flush` makes visible at once
        assert app.runtime is not None
        app.runtime.versions.bump_all()
        assert await seed_demo_live_state(services_of(redis_app)) is True
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=redis_app), base_url=API
        ) as redis_client:
            for user_id, _ in summary.players:
                params = {"id": user_id, "scope": "stats"}
                from_redis = (await redis_client.get("/v1/get_player_info", params=params)).json()
                assert from_redis == (await client.get("/v1/get_player_info", params=params)).json()
            assert (await get(redis_client, "get_player_count"))["counts"]["online"] == 5
            assert (await get(redis_client, "get_match", id=0))["match"]["name"] == MATCH_NAME
    finally:
        await redis_app.shutdown()


def test_cli_demo_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    env: dict[str, str | None] = {
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'hitcircle.db'}",
        "REDIS_URL": "",
        "OSU_API_KEY": "",
        "BEATMAP_SOURCE_URL": "",
        "AUTO_MIGRATE": None,
        "LOG_LEVEL": "WARNING",
    }
    first = CliRunner().invoke(cli, ["demo", "load"], env=env, catch_exceptions=False)
    assert (first.exit_code, first.stderr) == (0, "")
    key = re.search(r"^API key of Maple \(id 3\): ([0-9a-f-]{36})$", first.stdout, re.MULTILINE)
    assert key is not None, first.stdout
    assert first.stdout.startswith("demo data loaded\n")
    assert f"Authorization: Bearer {key.group(1)}" in first.stdout
    assert "curl 'http://127.0.0.1:8000/v1/get_player_info?name=Maple&scope=all'" in first.stdout
    assert len(list((tmp_path / "data" / "osr").iterdir())) > 80

    again = CliRunner().invoke(cli, ["demo", "load"], env=env, catch_exceptions=False)
    assert again.exit_code == 0
    assert again.stdout.startswith("demo data already present; nothing added\n")
    assert f"API key of Maple (id 3): {key.group(1)}" in again.stdout
