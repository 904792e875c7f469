"""SQL over `users` for reading players."""

from __future__ import annotations

import asyncio
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.live.models import make_safe_name
from hitcircle.repositories import NO_CACHE, AnyRow, storable_text

BOT_ID = 1
users = schema.users

#: `get_player_info`'s `info` object, in the order it is serialised (bancho-spec §1.4)
INFO_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.safe_name,
    users.c.priv,
    users.c.country,
    users.c.silence_end,
    users.c.donor_end,
    users.c.creation_time,
    users.c.latest_activity,
    users.c.clan_id,
    users.c.clan_priv,
    users.c.preferred_mode,
    users.c.play_style,
    users.c.custom_badge_name,
    users.c.custom_badge_icon,
    users.c.userpage_content,
)


# Statements are built once (building one costs more than running it on SQLite).
_COUNT_PLAYERS = select(func.count()).select_from(users).where(users.c.id != BOT_ID)
_INFO_BY_ID = select(*INFO_COLUMNS).where(users.c.id == bindparam("user_id"))
_INFO_BY_NAME = select(*INFO_COLUMNS).where(users.c.safe_name == bindparam("safe_name"))
_VERIFIED = (
    select(users.c.id, users.c.name)
    .where(users.c.priv.op("&")(3) == 3)
    .order_by(users.c.id)
    .limit(bindparam("limit", type_=Integer))
)
_ALL_VERIFIED = select(users.c.id, users.c.name).where(users.c.priv.op("&")(3) == 3).order_by(users.c.id)


class NameMatch(NamedTuple):
    id: int
    name: str


class NameIndex:
    """Verified, unrestricted names in id order, for substring search without scanning rows in SQL.

    A `LIKE '%q%'` cannot use an index in any of the three databases. Here every lower-cased name is cut
    into trigrams, each with the ascending list of the names that contain it: a search of three or more
    characters checks only the names of its rarest trigram (`needle in name`), so its cost follows the
    number of candidates, not of players. Shorter searches walk all names, joined by newlines (which no
    name contains) into one string, with `str.find` at C speed; a hit maps back to its player by a binary
    search over the offsets. `build` makes the trigram lists in steps, giving the event loop back.
    """

    __slots__ = ("_grams", "_haystack", "_lowered", "_players", "_starts")

    def __init__(self, rows: Iterable[AnyRow], *, trigrams: bool = True) -> None:
        self._players = [NameMatch(int(row.id), str(row.name)) for row in rows]
        self._lowered = [player.name.lower() for player in self._players]  # may be longer than name
        self._starts: list[int] = []
        position = 0
        for name in self._lowered:
            self._starts.append(position)
            position += len(name) + 1
        self._haystack = "\n".join(self._lowered)
        self._grams: dict[str, array[int]] | None = None
        if trigrams:
            self._grams = {}
            self._add_trigrams(0, len(self._lowered))

    @classmethod
    async def build(cls, rows: Iterable[AnyRow], step: int = 5_000) -> NameIndex:
        index = cls(rows, trigrams=False)
        grams: dict[str, array[int]] = {}
        index._grams = grams
        for start in range(0, len(index._lowered), step):
            await asyncio.sleep(0)
            index._add_trigrams(start, min(start + step, len(index._lowered)))
        return index

    def _add_trigrams(self, start: int, stop: int) -> None:
        grams = self._grams
        assert grams is not None
        for slot in range(start, stop):
            name = self._lowered[slot]
            for i in range(len(name) - 2):
                posting = grams.get(name[i : i + 3])
                if posting is None:
                    grams[name[i : i + 3]] = array("L", (slot,))
                elif posting[-1] != slot:  # a trigram seen twice in one name counts once
                    posting.append(slot)

    def search(self, text: str, limit: int) -> list[NameMatch]:
        needle = text.lower()
        if len(needle) >= 3 and self._grams is not None:
            postings = []
            for i in range(len(needle) - 2):
                posting = self._grams.get(needle[i : i + 3])
                if posting is None:
                    return []
                postings.append(posting)
            found: list[NameMatch] = []
            for slot in min(postings, key=len):
                if needle in self._lowered[slot]:
                    found.append(self._players[slot])
                    if len(found) == limit:
                        break
            return found
        return self._scan(needle, limit)

    def _scan(self, needle: str, limit: int) -> list[NameMatch]:
        found: list[NameMatch] = []
        start = 0
        while len(found) < limit:
            hit = self._haystack.find(needle, start)
            if hit < 0:
                break
            slot = bisect_right(self._starts, hit) - 1
            found.append(self._players[slot])
            start = self._starts[slot + 1] if slot + 1 < len(self._starts) else len(self._haystack)
        return found


_NAMES = select(users.c.id, users.c.name).where(users.c.id.in_(bindparam("ids", expanding=True)))


class UsersRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def count_players(self) -> int:
        """Every registered account except the bot."""
        return await self._cache.get(("users.count",), ("users",), self._count_players)

    async def _count_players(self) -> int:
        return int(await self._db.scalar(_COUNT_PLAYERS))

    async def info(self, user_id: int | None = None, name: str | None = None) -> AnyRow | None:
        """The public `info` columns of one user, by id or by name (safe-name match)."""
        return await self._cache.get(
            ("users.info", user_id, make_safe_name(name) if name is not None else None),
            ("users",),
            lambda: self._info(user_id, name),
        )

    async def _info(self, user_id: int | None, name: str | None) -> AnyRow | None:
        if user_id is not None:
            return await self._db.first(_INFO_BY_ID, {"user_id": user_id})
        if name is None or not storable_text(name):
            return None
        return await self._db.first(_INFO_BY_NAME, {"safe_name": make_safe_name(name)})

    async def search(self, text: str | None, limit: int) -> list[AnyRow]:
        """Verified, unrestricted players whose name contains `text` literally (case-insensitive)."""
        return await self._cache.get(
            ("users.search", text, limit), ("users",), lambda: self._search(text, limit)
        )

    async def _search(self, text: str | None, limit: int) -> list[AnyRow]:
        if not text:
            return list(await self._db.all(_VERIFIED, {"limit": limit}))
        if not storable_text(text) or "\n" in text:
            return []
        index = await self._cache.get(
            ("users.name_index",), ("users",), self._name_index, refresh_in_background=True
        )
        return index.search(text, limit)  # type: ignore[return-value]

    async def _name_index(self) -> NameIndex:
        return await NameIndex.build(await self._db.all(_ALL_VERIFIED))

    async def names(self, user_ids: list[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        key = ("users.names", tuple(sorted(user_ids)))
        return await self._cache.get(key, ("users",), lambda: self._names(user_ids))

    async def _names(self, user_ids: list[int]) -> dict[int, str]:
        rows = await self._db.all(_NAMES, {"ids": list(user_ids)})
        return {int(r.id): str(r.name) for r in rows}
