"""The in-process and Redis live states behave the same through the interface."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hitcircle.live.base import LiveState, MatchSlotsFull
from hitcircle.live.memory import InMemoryLiveState
from hitcircle.live.models import MAX_MATCHES, Match, MatchSlot, OnlinePlayer, PlayerStatus
from hitcircle.live.redis import RedisLiveState


@pytest.fixture(params=["memory", "redis"])
async def live(request: pytest.FixtureRequest) -> AsyncIterator[LiveState]:
    if request.param == "memory":
        yield InMemoryLiveState()
        return
    url = request.getfixturevalue("redis_url")
    client = Redis.from_url(url)
    state = RedisLiveState(client, prefix="hitcircle-test:")
    await state.clear()
    yield state
    await state.clear()
    await client.aclose()


async def test_players_online_status_and_count(live: LiveState) -> None:
    await live.add_player(OnlinePlayer(1, "BanchoBot", 1, "ca", 2147483647.0))
    await live.add_player(OnlinePlayer(3, "Cool Guy", 3, "de", 10.5))
    await live.add_player(OnlinePlayer(4, "restricted", 2, "de", 11.0))
    assert await live.online_count() == 1
    found = await live.get_player_by_name("COOL_GUY")
    assert found is not None and found.id == 3 and found.login_time == 10.5
    status = PlayerStatus(action=2, info_text="playing", map_md5="a" * 32, mods=128, mode=4, map_id=7)
    assert await live.set_status(3, status) is True
    assert await live.set_status(99, status) is False
    player = await live.get_player(3)
    assert player is not None and player.status == status
    assert await live.set_privileges(4, 3) is True
    assert await live.online_count() == 2
    await live.add_player(OnlinePlayer(3, "Renamed", 3, "de", 12.0))
    assert await live.get_player_by_name("cool guy") is None
    assert (await live.get_player_by_name("renamed")) is not None
    await live.remove_player(3)
    assert await live.get_player(3) is None
    assert await live.get_player_by_name("renamed") is None
    assert sorted(p.id for p in await live.online_players()) == [1, 4]


async def test_matches_take_the_first_free_id(live: LiveState) -> None:
    first = await live.create_match(Match(id=-1, name="one", host_id=3))
    second = await live.create_match(Match(id=-1, name="two", host_id=4))
    assert (first.id, second.id) == (0, 1)
    await live.remove_match(0)
    third = await live.create_match(Match(id=-1, name="three", host_id=5))
    assert third.id == 0
    third.slots[2] = MatchSlot(status=8, player_id=5)
    third.in_progress = True
    await live.update_match(third)
    stored = await live.get_match(0)
    assert stored is not None and stored.slots[2].player_id == 5 and stored.in_progress
    assert [m.name for m in await live.list_matches()] == ["three", "two"]
    for _ in range(MAX_MATCHES - 2):
        await live.create_match(Match(id=-1, name="filler", host_id=6))
    with pytest.raises(MatchSlotsFull):
        await live.create_match(Match(id=-1, name="overflow", host_id=7))
    await live.clear()
    assert await live.list_matches() == []
