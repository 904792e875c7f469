"""Demo live state for `hitcircle serve --demo`: online players and a multiplayer match.

Until the bancho protocol writes live state, this puts five demo players online — one playing map 315
with HDHR, one idle (the match's referee), three multiplaying — and opens one match hosted by one of them
with the three in slots 0-2, on map 315. Nothing happens unless `hitcircle demo load` has created the
players. Idempotent: players already online keep their session, and no match is opened while one named
`dataset.MATCH_NAME` exists.
"""

from __future__ import annotations

import logging
import random
import time

from sqlalchemy import select

from hitcircle.db import schema
from hitcircle.demo import dataset
from hitcircle.live.models import MATCH_SLOTS, Match, MatchSlot, OnlinePlayer, PlayerStatus, make_safe_name
from hitcircle.services.container import Services

ACTION_IDLE, ACTION_PLAYING, ACTION_MULTIPLAYING = 0, 2, 12
SLOT_NOT_READY, SLOT_READY = 4, 8
LIVE_NAMES = (dataset.PLAYING, dataset.IDLE, *dataset.MATCH_PLAYERS)
log = logging.getLogger("hitcircle.demo")


async def seed_demo_live_state(services: Services) -> bool:
    """Put the demo players online and open the demo match; False when the demo players don't exist."""
    users, maps = schema.users, schema.maps
    wanted = {make_safe_name(name) for name in LIVE_NAMES}
    async with services.runtime.engine.connect() as conn:
        query = select(users.c.id, users.c.name, users.c.safe_name, users.c.priv, users.c.country)
        rows = {r.safe_name: r for r in (await conn.execute(query.where(users.c.safe_name.in_(wanted))))}
        map_query = select(maps.c.md5, maps.c.artist, maps.c.title, maps.c.version)
        beatmap = (await conn.execute(map_query.where(maps.c.id == dataset.LIVE_MAP))).first()
    if set(rows) != wanted:
        log.warning("no demo players to put online: run `hitcircle demo load` first")
        return False
    ids = {name: int(rows[make_safe_name(name)].id) for name in LIVE_NAMES}
    md5 = str(beatmap.md5) if beatmap is not None else ""
    map_name = f"{beatmap.artist} - {beatmap.title} [{beatmap.version}]" if beatmap is not None else ""
    map_id = dataset.LIVE_MAP if beatmap is not None else 0
    offsets = {p.name: p.utc_offset for p in dataset.PLAYERS}
    statuses = {
        dataset.PLAYING: PlayerStatus(ACTION_PLAYING, map_name, md5, dataset.PLAYING_MODS, 0, map_id),
        dataset.IDLE: PlayerStatus(ACTION_IDLE),
    }
    live = services.runtime.live
    now = time.time()
    for name in LIVE_NAMES:
        if await live.get_player(ids[name]) is not None:
            continue
        row = rows[make_safe_name(name)]
        status = statuses.get(name) or PlayerStatus(ACTION_MULTIPLAYING, map_name, md5, 0, 0, map_id)
        player = OnlinePlayer(
            id=ids[name],
            name=str(row.name),
            priv=int(row.priv),
            country=str(row.country),
            login_time=now - 600 * (1 + LIVE_NAMES.index(name)),
            utc_offset=offsets[name],
            status=status,
        )
        await live.add_player(player)
    if any(match.name == dataset.MATCH_NAME for match in await live.list_matches()):
        return True
    slots = [MatchSlot() for _ in range(MATCH_SLOTS)]
    for i, name in enumerate(dataset.MATCH_PLAYERS):
        slots[i] = MatchSlot(status=SLOT_READY if i < 2 else SLOT_NOT_READY, player_id=ids[name])
    match = Match(
        id=-1,
        name=dataset.MATCH_NAME,
        host_id=ids[dataset.MATCH_HOST],
        seed=random.randrange(2**31),
        map_id=map_id or -1,
        map_md5=md5,
        map_name=map_name,
        referee_ids=[ids[dataset.IDLE]],
        slots=slots,
    )
    await live.create_match(match)
    return True
