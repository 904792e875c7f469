"""Cached reads are invalidated by writes: in the same worker, in other workers, from CLI commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.cache.readcache import ReadCache
from hitcircle.cache.versions import FileVersions, MemoryVersions, RedisVersions
from hitcircle.cli.main import cli
from hitcircle.db import schema
from hitcircle.db.engine import create_engine
from tests.conftest import API, make_settings
from tests.factories import create_map, create_score, create_user, set_stats


async def test_read_cache_serves_until_a_table_it_read_changes() -> None:
    versions = MemoryVersions()
    cache = ReadCache(versions)
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        return loads

    assert await cache.get("k", ("users",), load) == 1
    assert await cache.get("k", ("users",), load) == 1
    versions.bump(["scores"])  # a table the entry did not read
    assert await cache.get("k", ("users",), load) == 1
    versions.bump(["users"])
    assert await cache.get("k", ("users",), load) == 2


async def test_a_write_during_a_load_makes_the_result_stale_at_once() -> None:
    versions = MemoryVersions()
    cache = ReadCache(versions)

    async def load_while_someone_writes() -> str:
        versions.bump(["users"])  # committed while the old rows were being read
        return "old"

    assert await cache.get("k", ("users",), load_while_someone_writes) == "old"

    async def load_new() -> str:
        return "new"

    assert await cache.get("k", ("users",), load_new) == "new"


async def test_concurrent_misses_share_one_load_and_its_failure() -> None:
    versions = MemoryVersions()
    cache = ReadCache(versions)
    release = asyncio.Event()
    loads = 0

    async def slow_load() -> str:
        nonlocal loads
        loads += 1
        await release.wait()
        if loads == 2:
            raise RuntimeError("database went away")
        return f"rows{loads}"

    first = [asyncio.create_task(cache.get("k", ("users",), slow_load)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*first) == ["rows1"] * 5
    assert loads == 1

    versions.bump(["users"])
    release.clear()
    failing = [asyncio.create_task(cache.get("k", ("users",), slow_load)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*failing, return_exceptions=True)
    assert [str(r) for r in results] == ["database went away"] * 3 and loads == 2
    assert await cache.get("k", ("users",), slow_load) == "rows3"  # a failure is never cached


async def test_a_cancelled_load_leaves_its_waiters_to_load_for_themselves() -> None:
    cache = ReadCache(MemoryVersions())
    started = asyncio.Event()
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            started.set()
            await asyncio.sleep(3600)  # the client of this request disconnects
        return calls

    leader = asyncio.create_task(cache.get("k", ("users",), load))
    await started.wait()
    waiter = asyncio.create_task(cache.get("k", ("users",), load))
    await asyncio.sleep(0)
    leader.cancel()
    assert await waiter == 2
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_costly_result_past_its_ttl_is_served_while_one_reload_runs() -> None:
    now = [0.0]
    versions = MemoryVersions()
    cache = ReadCache(versions, ttl=60, clock=lambda: now[0])
    release = asyncio.Event()
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        if loads > 1:
            await release.wait()
        return loads

    def get() -> Awaitable[int]:
        return cache.get("index", ("users",), load, refresh_in_background=True)

    assert await get() == 1
    now[0] = 61  # past the TTL, nothing written through hitcircle
    assert await get() == 1  # the old result at once ...
    await asyncio.sleep(0)
    assert await get() == 1
    await asyncio.sleep(0)
    assert loads == 2  # ... and a single reload in the background
    release.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await get() == 2
    versions.bump(["users"])  # a write through hitcircle: never served stale
    release.set()
    assert await get() == 3


async def test_ttl_bounds_writes_made_outside_hitcircle_and_zero_disables() -> None:
    now = [0.0]
    cache = ReadCache(MemoryVersions(), ttl=60, clock=lambda: now[0])
    values = iter(["a", "b"])

    async def load() -> str:
        return next(values)

    assert await cache.get("k", ("maps",), load) == "a"
    now[0] = 59.0
    assert await cache.get("k", ("maps",), load) == "a"
    now[0] = 61.0
    assert await cache.get("k", ("maps",), load) == "b"
    off = ReadCache(MemoryVersions(), ttl=0)
    counter = iter(range(10))

    async def count() -> int:
        return next(counter)

    assert [await off.get("k", ("maps",), count) for _ in range(3)] == [0, 1, 2]


async def test_capacity_evicts_least_recently_used() -> None:
    cache = ReadCache(MemoryVersions(), capacity=2)

    async def value(v: str) -> str:
        return v

    await cache.get("a", ("users",), lambda: value("a"))
    await cache.get("b", ("users",), lambda: value("b"))
    await cache.get("a", ("users",), lambda: value("a"))
    await cache.get("c", ("users",), lambda: value("c"))
    assert len(cache) == 2
    assert await cache.get("b", ("users",), lambda: value("b2")) == "b2"  # evicted, reloaded


async def test_a_large_cache_keeps_its_capacity_and_recent_results_across_shards() -> None:
    cache = ReadCache(MemoryVersions(), capacity=32_768)  # 16 LRU tables of 2,048
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        return loads

    for i in range(40_000):
        await cache.get(("k", i), ("users",), load)
    assert len(cache) <= 32_768
    assert loads == 40_000
    for i in range(39_000, 40_000):  # the latest results are kept in every table
        await cache.get(("k", i), ("users",), load)
    assert loads == 40_000
    await cache.get(("k", 0), ("users",), load)  # the oldest one was evicted
    assert loads == 40_001


def test_file_versions_are_shared_between_instances(tmp_path: Path) -> None:
    path = tmp_path / "state" / "versions"
    worker_a, worker_b = FileVersions(path), FileVersions(path)
    try:
        before = asyncio.run(worker_a.snapshot(("users", "scores")))
        worker_b.bump(["users"])
        assert asyncio.run(worker_a.snapshot(("users", "scores"))) == (before[0] + 1, before[1])
    finally:
        worker_a.close()
        worker_b.close()


async def test_redis_versions_are_shared(redis_url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    a, b = RedisVersions(client, redis_url), RedisVersions(client, redis_url)
    try:
        before = await a.snapshot(("maps",))
        b.bump(["maps"])
        assert await a.snapshot(("maps",)) == (before[0] + 1,)
    finally:
        a.close()
        b.close()
        await client.aclose()


async def test_profile_update_restriction_and_new_score_show_in_the_next_response(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp
) -> None:
    key = "c0ffee00-0000-4000-8000-000000000001"
    alice = await create_user(engine, "Alice", api_key=key)
    bob = await create_user(engine, "Bob")
    await set_stats(engine, alice["id"], 0, pp=500)
    await set_stats(engine, bob["id"], 0, pp=400)
    beatmap = await create_map(engine)
    await create_score(engine, userid=bob["id"], map_md5=beatmap["md5"], score=100)

    async def info() -> dict[str, object]:
        body = (await client.get("/v1/get_player_info", params={"id": alice["id"], "scope": "info"})).json()
        return body["player"]["info"]  # type: ignore[no-any-return]

    assert (await info())["country"] == "ca"
    await client.post("/v1/set_player_info", headers={"Authorization": key}, json={"country": "jp"})
    assert (await info())["country"] == "jp"

    board = (await client.get("/v1/get_leaderboard")).json()["leaderboard"]
    assert [row["name"] for row in board] == ["Alice", "Bob"]
    services = app.services
    assert services is not None
    await services.accounts.restrict(alice["id"])
    board = (await client.get("/v1/get_leaderboard")).json()["leaderboard"]
    assert [row["name"] for row in board] == ["Bob"]

    scores = (await client.get("/v1/get_map_scores", params={"id": beatmap["id"], "scope": "best"})).json()
    assert [s["score"] for s in scores["scores"]] == [100]
    await create_score(engine, userid=bob["id"], map_md5=beatmap["md5"], score=999, status=1)
    await create_score(engine, userid=bob["id"], map_md5=beatmap["md5"], score=500)
    scores = (await client.get("/v1/get_map_scores", params={"id": beatmap["id"], "scope": "best"})).json()
    assert [s["score"] for s in scores["scores"]] == [500, 100]


async def test_revoking_a_key_from_the_cli_takes_effect_in_the_running_server(
    client: httpx.AsyncClient, engine: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    key = "c0ffee00-0000-4000-8000-000000000002"
    await create_user(engine, "Keyholder", api_key=key)
    assert (await client.get("/v1/get_friends", headers={"Authorization": key})).status_code == 200
    env = {
        "DATABASE_URL": db_url,
        "DATA_DIR": str(tmp_path / "data"),
        "REDIS_URL": "",
        "AUTO_MIGRATE": "false",
    }
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["apikey", "revoke", "Keyholder"], env=env)
    assert result.exit_code == 0, result.output
    revoked = await client.get("/v1/get_friends", headers={"Authorization": key})
    assert (revoked.status_code, revoked.json()) == (401, {"status": "Invalid API key."})


async def two_workers(db_url: str, data_dir: Path, **overrides: object) -> tuple[HitcircleApp, HitcircleApp]:
    apps = (
        HitcircleApp(make_settings(db_url, data_dir, **overrides)),
        HitcircleApp(make_settings(db_url, data_dir, **overrides)),
    )
    for application in apps:
        await application.startup()
    return apps


@pytest.mark.parametrize("shared_by", ["file", "redis"])
async def test_a_write_in_one_worker_is_seen_by_the_other(
    db_url: str, engine: AsyncEngine, tmp_path: Path, shared_by: str, request: pytest.FixtureRequest
) -> None:
    overrides: dict[str, object] = {}
    if shared_by == "redis":
        overrides["REDIS_URL"] = request.getfixturevalue("redis_url")
    alice = await create_user(engine, "Alice", api_key="c0ffee00-0000-4000-8000-000000000003")
    worker_a, worker_b = await two_workers(db_url, tmp_path / "workers", **overrides)
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=worker_a), base_url=API) as a,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=worker_b), base_url=API) as b,
        ):
            params = {"id": alice["id"], "scope": "info"}
            assert (await a.get("/v1/get_player_info", params=params)).json()["player"]["info"][
                "play_style"
            ] == 0
            changed = await b.post(
                "/v1/set_player_info",
                headers={"Authorization": "c0ffee00-0000-4000-8000-000000000003"},
                json={"play_style": 5},
            )
            assert changed.status_code == 200
            assert (await a.get("/v1/get_player_info", params=params)).json()["player"]["info"][
                "play_style"
            ] == 5
    finally:
        await worker_a.shutdown()
        await worker_b.shutdown()


async def test_writes_outside_hitcircle_wait_for_the_ttl(db_url: str, tmp_path: Path) -> None:
    raw = create_engine(db_url)  # an untracked writer, like another program on the same database
    try:
        async with raw.begin() as conn:
            await conn.execute(
                schema.users.insert().values(
                    name="Outsider", safe_name="outsider", email="o@example.com", pw_bcrypt="x" * 60, priv=3
                )
            )
        application = HitcircleApp(make_settings(db_url, tmp_path / "ttl", CACHE_TTL="0"))
        await application.startup()
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application), base_url=API
            ) as http:
                first = (await http.get("/v1/get_player_count")).json()["counts"]["total"]
                async with raw.begin() as conn:
                    await conn.execute(
                        update(schema.users).where(schema.users.c.safe_name == "outsider").values(priv=3)
                    )
                    await conn.execute(
                        schema.users.insert().values(
                            name="Second", safe_name="second", email="s@example.com", pw_bcrypt="x" * 60
                        )
                    )
                assert (await http.get("/v1/get_player_count")).json()["counts"]["total"] == first + 1
        finally:
            await application.shutdown()
    finally:
        await raw.dispose()


async def test_cache_flush_command_invalidates_running_servers(db_url: str, tmp_path: Path) -> None:
    raw = create_engine(db_url)  # untracked, as a hand edit would be
    application = HitcircleApp(make_settings(db_url, tmp_path / "data"))
    await application.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url=API) as http:
            before = (await http.get("/v1/get_player_count")).json()["counts"]["total"]
            async with raw.begin() as conn:
                await conn.execute(
                    schema.users.insert().values(
                        name="Hand", safe_name="hand", email="h@example.com", pw_bcrypt="x" * 60
                    )
                )
            assert (await http.get("/v1/get_player_count")).json()["counts"]["total"] == before  # cached
            env = {"DATABASE_URL": db_url, "DATA_DIR": str(tmp_path / "data"), "REDIS_URL": ""}
            result = await asyncio.to_thread(CliRunner().invoke, cli, ["cache", "flush"], env=env)
            assert result.exit_code == 0, result.output
            assert (await http.get("/v1/get_player_count")).json()["counts"]["total"] == before + 1
    finally:
        await application.shutdown()
        await raw.dispose()


async def test_ranks_follow_a_restriction_and_new_pp_at_once(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp
) -> None:
    alice = await create_user(engine, "Alice", country="se")
    bob = await create_user(engine, "Bob", country="se")
    await set_stats(engine, alice["id"], 0, pp=900)
    await set_stats(engine, bob["id"], 0, pp=800)

    async def bob_rank() -> tuple[int, int]:
        body = (await client.get("/v1/get_player_info", params={"id": bob["id"], "scope": "stats"})).json()
        mode = body["player"]["stats"]["0"]
        return mode["rank"], mode["country_rank"]

    assert await bob_rank() == (2, 2)
    services = app.services
    assert services is not None
    await services.accounts.restrict(alice["id"])
    assert await bob_rank() == (1, 1)
    await services.accounts.unrestrict(alice["id"])
    assert await bob_rank() == (2, 2)
    await set_stats(engine, bob["id"], 0, pp=1000)
    assert await bob_rank() == (1, 1)


async def test_cached_answers_get_fresh_headers_and_errors_are_not_cached(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    missing = await client.get("/v1/get_map_info", params={"id": 424242})
    assert missing.status_code == 404
    await create_map(engine, id=424242)
    found = await client.get("/v1/get_map_info", params={"id": 424242})
    assert found.status_code == 200
    again = await client.get(
        "/v1/get_map_info", params={"id": 424242}, headers={"Origin": "https://x.example"}
    )
    assert again.content == found.content
    assert again.headers.get_list("access-control-allow-origin") == ["*"]
    assert again.headers["x-request-id"] != found.headers["x-request-id"]
