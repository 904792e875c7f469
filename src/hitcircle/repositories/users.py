"""SQL over `users`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.db import schema

BOT_ID = 1
users = schema.users


class UsersRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def count_players(self) -> int:
        """Every registered account except the bot."""
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).where(users.c.id != BOT_ID))).scalar_one())
