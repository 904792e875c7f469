"""Start-up work: once per server (`prepare_server`, before workers fork) and once per worker."""

from __future__ import annotations

import logging
import os
import time

from sqlalchemy import select

from hitcircle.db import schema
from hitcircle.live.models import BOT_LOGIN_TIME, OnlinePlayer
from hitcircle.services.container import Services

log = logging.getLogger("hitcircle.startup")
BOT_ID = 1


async def prepare_server(services: Services) -> None:
    """Reset shared live state (no ghosts of the last run) and rebuild Redis ranks from the database."""
    await services.runtime.live.clear()
    ranked = await services.ranks.rebuild()
    if services.runtime.redis is not None:
        log.info("rebuilt Redis ranks: %d ranked player-modes", ranked)


async def on_worker_start(services: Services) -> None:
    await put_bot_online(services)
    # Leaderboard boards are built before the worker answers: until then ranks and pages would come from
    # SQL, and a rank counted in SQL reads every player ahead (hundreds of ms on 100k players).
    started = time.monotonic()
    services.leaderboards.warm()
    await services.leaderboards.wait()
    log.info("leaderboards built in %.2f s", time.monotonic() - started)
    if os.environ.get("HITCIRCLE_DEMO_LIVE") == "1":  # `hitcircle serve --demo`
        from hitcircle.demo.live import seed_demo_live_state

        await seed_demo_live_state(services)


async def put_bot_online(services: Services) -> None:
    """The bot is always online, as in bancho.py (reachable by name, never counted)."""
    users = schema.users
    async with services.runtime.engine.connect() as conn:
        query = select(users.c.name, users.c.priv, users.c.country).where(users.c.id == BOT_ID)
        row = (await conn.execute(query)).first()
    if row is None:
        return
    await services.runtime.live.add_player(
        OnlinePlayer(id=BOT_ID, name=row.name, priv=row.priv, country=row.country, login_time=BOT_LOGIN_TIME)
    )
