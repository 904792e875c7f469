"""Developer API: player endpoints, exact bodies on every engine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.live.models import OnlinePlayer, PlayerStatus
from tests.factories import create_clan, create_map, create_score, create_user, join_clan, set_stats

EMPTY_STATS = {
    "tscore": 0,
    "rscore": 0,
    "pp": 0,
    "plays": 0,
    "playtime": 0,
    "acc": 0.0,
    "max_combo": 0,
    "total_hits": 0,
    "replay_views": 0,
    "xh_count": 0,
    "x_count": 0,
    "sh_count": 0,
    "s_count": 0,
    "a_count": 0,
    "rank": 0,
    "country_rank": 0,
}


def info_of(user: dict[str, Any], **changes: Any) -> dict[str, Any]:
    info = {
        "id": user["id"],
        "name": user["name"],
        "safe_name": user["safe_name"],
        "priv": user["priv"],
        "country": user["country"],
        "silence_end": 0,
        "donor_end": 0,
        "creation_time": 1_700_000_000,
        "latest_activity": 1_700_000_500,
        "clan_id": 0,
        "clan_priv": 0,
        "preferred_mode": 0,
        "play_style": 0,
        "custom_badge_name": None,
        "custom_badge_icon": None,
        "userpage_content": None,
    }
    info.update(changes)
    return info


async def test_get_player_count_counts_online_unrestricted_without_bot(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp
) -> None:
    alice = await create_user(engine, "Alice")
    banned = await create_user(engine, "Banned", priv=2)
    await create_user(engine, "Offline")
    live = app.runtime.live  # type: ignore[union-attr]
    await live.add_player(OnlinePlayer(alice["id"], "Alice", 3, "ca", 1.0))
    await live.add_player(OnlinePlayer(banned["id"], "Banned", 2, "ca", 1.0))
    response = await client.get("/v1/get_player_count")
    assert response.status_code == 200
    assert response.content == b'{"status":"success","counts":{"online":1,"total":3}}'


async def test_get_player_info_all_with_ranks(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await create_user(engine, "Alice Smith", country="ca")
    bob = await create_user(engine, "bob", country="de")
    carol = await create_user(engine, "carol", country="ca")
    banned = await create_user(engine, "banned", country="ca", priv=2)
    await set_stats(engine, alice["id"], 0, pp=500, acc=98.7654, plays=12, tscore=10**10, max_combo=700)
    await set_stats(engine, bob["id"], 0, pp=900)
    await set_stats(engine, carol["id"], 0, pp=500)  # tie with alice: lower id ranks first
    await set_stats(engine, banned["id"], 0, pp=5000)
    await set_stats(engine, alice["id"], 4, pp=100)
    response = await client.get("/v1/get_player_info", params={"name": "alice_smith", "scope": "all"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "player"]
    assert list(body["player"]) == ["info", "stats"]
    assert body["player"]["info"] == info_of(alice)
    assert list(body["player"]["info"]) == list(info_of(alice))
    stats = body["player"]["stats"]
    assert list(stats) == ["0", "1", "2", "3", "4", "5", "6", "8"]
    assert stats["0"] == {
        "id": alice["id"],
        "mode": 0,
        **EMPTY_STATS,
        "tscore": 10**10,
        "pp": 500,
        "plays": 12,
        "acc": 98.765,
        "max_combo": 700,
        "rank": 2,
        "country_rank": 1,
    }
    assert stats["4"]["rank"] == 1 and stats["4"]["country_rank"] == 1
    assert stats["1"] == {"id": alice["id"], "mode": 1, **EMPTY_STATS}
    assert list(stats["0"]) == ["id", "mode", *EMPTY_STATS]

    carol_body = (
        await client.get("/v1/get_player_info", params={"id": carol["id"], "scope": "stats"})
    ).json()
    assert list(carol_body["player"]) == ["stats"]
    assert (
        carol_body["player"]["stats"]["0"]["rank"],
        carol_body["player"]["stats"]["0"]["country_rank"],
    ) == (3, 2)
    banned_body = (
        await client.get("/v1/get_player_info", params={"id": banned["id"], "scope": "all"})
    ).json()
    assert banned_body["player"]["info"]["priv"] == 2  # restricted players are shown
    assert banned_body["player"]["stats"]["0"]["rank"] == 0


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({"scope": "info"}, 400, {"status": "Must provide either id OR name!"}),
        ({"scope": "info", "id": 3, "name": "abc"}, 400, {"status": "Must provide either id OR name!"}),
        ({"scope": "info", "id": 99999}, 404, {"status": "Player not found."}),
        ({"scope": "info", "name": "nobody"}, 404, {"status": "Player not found."}),
        (
            {"id": "1", "scope": "info"},
            422,
            {
                "detail": [
                    {
                        "type": "greater_than_equal",
                        "loc": ["query", "id"],
                        "msg": "Input should be greater than or equal to 3",
                        "input": "1",
                        "ctx": {"ge": 3},
                    }
                ]
            },
        ),
        (
            {"id": "3"},
            422,
            {
                "detail": [
                    {"type": "missing", "loc": ["query", "scope"], "msg": "Field required", "input": None}
                ]
            },
        ),
        (
            {"scope": "x", "name": "a"},
            422,
            {
                "detail": [
                    {
                        "type": "literal_error",
                        "loc": ["query", "scope"],
                        "msg": "Input should be 'stats', 'info' or 'all'",
                        "input": "x",
                        "ctx": {"expected": "'stats', 'info' or 'all'"},
                    },
                    {
                        "type": "string_pattern_mismatch",
                        "loc": ["query", "name"],
                        "msg": "String should match pattern '^[\\w \\[\\]-]{2,15}$'",
                        "input": "a",
                        "ctx": {"pattern": "^[\\w \\[\\]-]{2,15}$"},
                    },
                ]
            },
        ),
    ],
)
async def test_get_player_info_errors(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, body: dict[str, Any]
) -> None:
    response = await client.get("/v1/get_player_info", params=params)
    assert response.status_code == status
    assert response.json() == body


async def test_get_player_status_offline_online_and_bot(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp
) -> None:
    alice = await create_user(engine, "Alice")
    beatmap = await create_map(engine, id=4242, md5="a" * 32)
    offline = await client.get("/v1/get_player_status", params={"id": alice["id"]})
    assert offline.json() == {
        "status": "success",
        "player_status": {"online": False, "last_seen": 1_700_000_500},
    }

    live = app.runtime.live  # type: ignore[union-attr]
    status = PlayerStatus(
        action=2, info_text="Artist - Title", map_md5=beatmap["md5"], mods=72, mode=4, map_id=4242
    )
    await live.add_player(OnlinePlayer(alice["id"], "Alice", 3, "ca", 1_700_000_000.5, status=status))
    online = (await client.get("/v1/get_player_status", params={"name": "ALICE"})).json()
    assert online["player_status"]["online"] is True
    assert online["player_status"]["login_time"] == 1_700_000_000.5
    assert online["player_status"]["status"]["action"] == 2
    assert online["player_status"]["status"]["info_text"] == "Artist - Title"
    assert online["player_status"]["status"]["mode"] == 4
    assert online["player_status"]["status"]["mods"] == 72
    assert online["player_status"]["status"]["beatmap"]["id"] == 4242
    assert online["player_status"]["status"]["beatmap"]["md5"] == "a" * 32

    bot = (await client.get("/v1/get_player_status", params={"name": "BanchoBot"})).json()
    assert bot["player_status"]["online"] is True
    assert bot["player_status"]["login_time"] == 2147483647.0
    assert bot["player_status"]["status"] == {
        "action": 0,
        "info_text": "",
        "mode": 0,
        "mods": 0,
        "beatmap": None,
    }

    both = await client.get("/v1/get_player_status", params={"id": alice["id"], "name": "Alice"})
    assert (both.status_code, both.json()) == (400, {"status": "Must provide either id OR name!"})
    missing = await client.get("/v1/get_player_status", params={"id": 123456})
    assert (missing.status_code, missing.json()) == (404, {"status": "Player not found."})


async def test_get_player_scores_best_recent_and_filters(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await create_user(engine, "Alice")
    clan = await create_clan(engine, owner=alice["id"], name="Circles", tag="HC")
    ranked = await create_map(engine, status=2)
    loved = await create_map(engine, status=5)
    pending = await create_map(engine, status=0)
    a = await create_score(engine, userid=alice["id"], map_md5=ranked["md5"], pp=300.1234, mods=24, status=2)
    b = await create_score(engine, userid=alice["id"], map_md5=loved["md5"], pp=400, mods=8, status=2)
    await create_score(engine, userid=alice["id"], map_md5=pending["md5"], pp=500, status=2)
    failed = await create_score(
        engine,
        userid=alice["id"],
        map_md5=ranked["md5"],
        pp=0,
        status=0,
        play_time=a["play_time"].replace(year=2025),
    )
    rx = await create_score(engine, userid=alice["id"], map_md5=ranked["md5"], pp=600, mode=4, mods=128)
    await create_score(engine, userid=alice["id"], map_md5="f" * 32, pp=999)  # unknown map: excluded

    best = (await client.get("/v1/get_player_scores", params={"id": alice["id"], "scope": "best"})).json()
    assert [s["id"] for s in best["scores"]] == [a["id"]]
    assert best["player"] == {
        "id": alice["id"],
        "name": "Alice",
        "clan": {"id": clan["id"], "name": "Circles", "tag": "HC"},
    }
    score = best["scores"][0]
    assert list(score) == [
        "id", "score", "pp", "acc", "max_combo", "mods", "n300", "n100", "n50", "nmiss", "ngeki", "nkatu",
        "grade", "status", "mode", "play_time", "time_elapsed", "perfect", "beatmap",
    ]  # fmt: skip
    assert score["pp"] == 300.123
    assert score["play_time"] == "2024-01-01T12:30:00"
    assert score["beatmap"] == {
        "md5": ranked["md5"], "id": ranked["id"], "set_id": ranked["set_id"], "artist": "Artist",
        "title": ranked["title"], "version": "Insane", "creator": "mapper", "last_update": "2023-05-01T10:00:00",
        "total_length": 120, "max_combo": 500, "status": 2, "plays": 10, "passes": 5, "mode": 0, "bpm": 180.0,
        "cs": 4.0, "od": 8.5, "ar": 9.3, "hp": 6.0, "diff": 5.123,
    }  # fmt: skip

    loved_too = await client.get(
        "/v1/get_player_scores", params={"id": alice["id"], "scope": "best", "include_loved": "true"}
    )
    assert [s["id"] for s in loved_too.json()["scores"]] == [b["id"], a["id"]]
    recent = (await client.get("/v1/get_player_scores", params={"name": "alice", "scope": "recent"})).json()
    assert recent["scores"][0]["id"] == failed["id"]
    no_failed = await client.get(
        "/v1/get_player_scores", params={"name": "alice", "scope": "recent", "include_failed": "false"}
    )
    assert failed["id"] not in [s["id"] for s in no_failed.json()["scores"]]
    relax = await client.get("/v1/get_player_scores", params={"id": alice["id"], "scope": "best", "mode": 4})
    assert [s["id"] for s in relax.json()["scores"]] == [rx["id"]]

    async def ids(mods: str) -> list[int]:
        params = {"id": alice["id"], "scope": "best", "include_loved": "1", "mods": mods}
        return [s["id"] for s in (await client.get("/v1/get_player_scores", params=params)).json()["scores"]]

    assert await ids("HD") == [b["id"], a["id"]]
    assert await ids("=HDHR") == [a["id"]]
    assert await ids("24") == [a["id"]]
    assert await ids("~HR") == [a["id"]]
    assert await ids("~NM") == []
    assert await ids("") == [b["id"], a["id"]]
    limited = await client.get(
        "/v1/get_player_scores", params={"id": alice["id"], "scope": "best", "include_loved": "1", "limit": 1}
    )
    assert len(limited.json()["scores"]) == 1


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"scope": "best", "mode": 7, "id": 5, "name": "x y"}, 400, "Invalid gamemode."),
        ({"scope": "best", "mode": 11}, 400, "Invalid gamemode."),
        ({"scope": "best", "id": 5, "name": "abc"}, 400, "Must provide either id OR name!"),
        ({"scope": "best"}, 400, "Must provide either id OR name!"),
        ({"scope": "best", "id": 99999}, 404, "Player not found."),
        ({"scope": "best", "id": 3, "mods": "99999999999"}, 400, "Invalid mods."),
    ],
)
async def test_get_player_scores_errors(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, message: str
) -> None:
    response = await client.get("/v1/get_player_scores", params=params)
    assert (response.status_code, response.json()) == (status, {"status": message})


async def test_get_player_scores_limits(client: httpx.AsyncClient) -> None:
    for limit in ("0", "101"):
        response = await client.get(
            "/v1/get_player_scores", params={"scope": "best", "id": 3, "limit": limit}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    mode = await client.get("/v1/get_player_scores", params={"scope": "best", "id": 3, "mode": 12})
    assert mode.status_code == 422


async def test_get_player_most_played(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await create_user(engine, "Alice")
    first = await create_map(engine)
    second = await create_map(engine)
    for _ in range(3):
        await create_score(engine, userid=alice["id"], map_md5=second["md5"], status=0)
    await create_score(engine, userid=alice["id"], map_md5=first["md5"])
    await create_score(engine, userid=alice["id"], map_md5=first["md5"], mode=1)
    body = (
        await client.get("/v1/get_player_most_played", params={"id": alice["id"], "name": "ignored"})
    ).json()
    assert body == {
        "status": "success",
        "maps": [
            {
                "md5": second["md5"], "id": second["id"], "set_id": second["set_id"], "status": 2,
                "artist": "Artist", "title": second["title"], "version": "Insane", "creator": "mapper", "plays": 3,
            },
            {
                "md5": first["md5"], "id": first["id"], "set_id": first["set_id"], "status": 2,
                "artist": "Artist", "title": first["title"], "version": "Insane", "creator": "mapper", "plays": 1,
            },
        ],
    }  # fmt: skip
    neither = await client.get("/v1/get_player_most_played")
    assert (neither.status_code, neither.json()) == (400, {"status": "Must provide either id or name."})
    invalid = await client.get("/v1/get_player_most_played", params={"id": alice["id"], "mode": 9})
    assert (invalid.status_code, invalid.json()) == (400, {"status": "Invalid gamemode."})
    taiko = (await client.get("/v1/get_player_most_played", params={"name": "alice", "mode": 1})).json()
    assert [m["plays"] for m in taiko["maps"]] == [1]


async def test_search_players(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    ann = await create_user(engine, "Ann_Lee")
    annie = await create_user(engine, "annie")
    await create_user(engine, "unverified ann", priv=1)
    await create_user(engine, "restricted ann", priv=2)
    await create_user(engine, "Bob")
    body = (await client.get("/v1/search_players", params={"q": "AN"})).json()
    assert body == {
        "status": "success",
        "results": 2,
        "result": [{"id": ann["id"], "name": "Ann_Lee"}, {"id": annie["id"], "name": "annie"}],
    }
    literal = (await client.get("/v1/search_players", params={"q": "n_"})).json()
    assert literal["result"] == [{"id": ann["id"], "name": "Ann_Lee"}]
    percent = (await client.get("/v1/search_players", params={"q": "%%"})).json()
    assert percent["results"] == 0
    limited = (await client.get("/v1/search_players", params={"limit": 1})).json()
    assert limited["results"] == 1
    too_short = await client.get("/v1/search_players", params={"q": "a"})
    assert too_short.status_code == 422
    too_long = await client.get("/v1/search_players", params={"q": "a" * 33})
    assert too_long.status_code == 422
    everyone = (await client.get("/v1/search_players")).json()
    assert everyone["results"] == 3  # the bot is not verified


async def test_clan_owner_tag_in_player_scores_missing_clan(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await create_user(engine, "Alice")
    await join_clan(engine, alice["id"], 9999)  # clan row missing
    body = (await client.get("/v1/get_player_scores", params={"id": alice["id"], "scope": "recent"})).json()
    assert body["player"]["clan"] is None
    odd_country = await create_user(engine, "Zed", country="zz")
    response = await client.get("/v1/get_player_scores", params={"id": odd_country["id"], "scope": "best"})
    assert response.status_code == 200
