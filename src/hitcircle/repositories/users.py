"""SQL over `users` for reading players."""

from __future__ import annotations

import asyncio
from array import array
from bisect import bisect_right
from collections.abc import AsyncIterable, Iterable, Sequence
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
#: with the read cache off, a search asks the database for names containing the text, case-insensitively
#: by the engine's own rules (`ILIKE` on PostgreSQL, `lower() LIKE lower()` elsewhere), then keeps the
#: ones `str.lower` agrees with; `!` escapes the wildcards (a backslash means something else in MySQL
#: string literals)
_LIKE_ESCAPE = "!"
_SEARCH_LIKE = (
    select(users.c.id, users.c.name)
    .where(users.c.priv.op("&")(3) == 3, users.c.name.ilike(bindparam("pattern"), escape=_LIKE_ESCAPE))
    .order_by(users.c.id)
    .limit(bindparam("limit", type_=Integer))
)
#: names read and indexed per step of a name-index build (a few milliseconds each)
NAME_CHUNK = 1_000
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
    search over the offsets. `build` indexes streamed rows in steps, giving the event loop back.
    """

    __slots__ = ("_grams", "_haystack", "_lowered", "_players", "_starts")

    def __init__(self, rows: Iterable[AnyRow] = (), *, trigrams: bool = True) -> None:
        self._players: list[NameMatch] = []
        self._lowered: list[str] = []  # a lower-cased name may be longer than the name
        self._starts: list[int] = []  # offset of each name in the haystack
        self._grams: dict[str, array[int]] | None = {} if trigrams else None
        self._extend(rows)
        self._haystack = "\n".join(self._lowered)

    @classmethod
    async def build(cls, chunks: AsyncIterable[Sequence[AnyRow]]) -> NameIndex:
        """An index of streamed rows (in id order), one chunk at a time, giving the event loop back in
        between: built in one go, 100k names held a worker for 40 ms at a time (measured)."""
        index = cls()
        async for chunk in chunks:
            index._extend(chunk)
            await asyncio.sleep(0)
        index._haystack = "\n".join(index._lowered)
        return index

    def _extend(self, rows: Iterable[AnyRow]) -> None:
        first = len(self._lowered)
        position = self._starts[-1] + len(self._lowered[-1]) + 1 if self._lowered else 0
        for row in rows:
            player = NameMatch(int(row.id), str(row.name))
            lowered = player.name.lower()
            self._players.append(player)
            self._lowered.append(lowered)
            self._starts.append(position)
            position += len(lowered) + 1
        if self._grams is not None:
            self._add_trigrams(first, len(self._lowered))

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
        if not self._cache.enabled:
            # no index to keep: building one (every verified name) per search took seconds at 100k
            return await self._search_in_database(text, limit)
        index = await self._cache.get(
            ("users.name_index",), ("users",), self._name_index, refresh_in_background=True
        )
        return index.search(text, limit)  # type: ignore[return-value]

    async def _search_in_database(self, text: str, limit: int) -> list[AnyRow]:
        """What `NameIndex.search` answers, read from the database: the engine's case-insensitive LIKE
        matches at least the names that `str.lower` does for such names as bancho.py accepts (MariaDB's
        also ignores accents), so its rows are checked again here; a few more than `limit` are read
        for the ones that check drops, and all of them when that was not enough."""
        needle = text.lower()
        escaped = "".join(_LIKE_ESCAPE + c if c in ("%", "_", _LIKE_ESCAPE) else c for c in text)
        read = limit * 2 + 8
        while True:
            rows = await self._db.all(_SEARCH_LIKE, {"pattern": f"%{escaped}%", "limit": read})
            found = [row for row in rows if needle in str(row.name).lower()][:limit]
            if len(found) == limit or len(rows) < read:
                return found
            read = 2**31 - 1

    async def _name_index(self) -> NameIndex:
        return await NameIndex.build(self._db.stream(_ALL_VERIFIED, size=NAME_CHUNK))

    async def names(self, user_ids: list[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        key = ("users.names", tuple(sorted(user_ids)))
        return await self._cache.get(key, ("users",), lambda: self._names(user_ids))

    async def _names(self, user_ids: list[int]) -> dict[int, str]:
        rows = await self._db.all(_NAMES, {"ids": list(user_ids)})
        return {int(r.id): str(r.name) for r in rows}
