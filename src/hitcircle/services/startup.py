"""Work done once when a server process starts."""

from __future__ import annotations

from sqlalchemy import select

from hitcircle.db import schema
from hitcircle.live.models import BOT_LOGIN_TIME, OnlinePlayer
from hitcircle.runtime import Runtime

BOT_ID = 1


async def on_startup(runtime: Runtime) -> None:
    await put_bot_online(runtime)


async def put_bot_online(runtime: Runtime) -> None:
    """The bot is always online, as in bancho.py (reachable by name, never counted)."""
    users = schema.users
    async with runtime.engine.connect() as conn:
        row = (
            await conn.execute(
                select(users.c.name, users.c.priv, users.c.country).where(users.c.id == BOT_ID)
            )
        ).first()
    if row is None:
        return
    await runtime.live.add_player(
        OnlinePlayer(id=BOT_ID, name=row.name, priv=row.priv, country=row.country, login_time=BOT_LOGIN_TIME)
    )
