"""SQL for player accounts: the `users` row and its `stats` rows (bancho-spec §5.3, §6.0).

Portable SQLAlchemy Core over SQLite, MariaDB/MySQL and PostgreSQL. Validation lives in
`hitcircle.services.accounts`; this module only reads and writes rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, RowMapping, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.constants.privileges import Privileges, is_restricted
from hitcircle.db import schema

BOT_ID = 1
users = schema.users
stats = schema.stats

_ACCOUNT_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.safe_name,
    users.c.email,
    users.c.priv,
    users.c.pw_bcrypt,
    users.c.country,
    users.c.silence_end,
    users.c.donor_end,
    users.c.creation_time,
    users.c.latest_activity,
    users.c.clan_id,
    users.c.clan_priv,
    users.c.preferred_mode,
    users.c.play_style,
    users.c.api_key,
)


@dataclass(frozen=True, slots=True)
class Account:
    """One `users` row (the columns account management and log-in need)."""

    id: int
    name: str
    safe_name: str
    email: str
    priv: int
    pw_bcrypt: str = field(repr=False)
    country: str
    silence_end: int
    donor_end: int
    creation_time: int
    latest_activity: int
    clan_id: int
    clan_priv: int
    preferred_mode: int
    play_style: int
    api_key: str | None = field(repr=False)

    @property
    def restricted(self) -> bool:
        return is_restricted(self.priv)

    @property
    def privileges(self) -> Privileges:
        return Privileges(self.priv)

    @classmethod
    def from_mapping(cls, m: RowMapping) -> Account:
        api_key = m["api_key"]
        return cls(
            id=int(m["id"]),
            name=str(m["name"]),
            safe_name=str(m["safe_name"]),
            email=str(m["email"]),
            priv=int(m["priv"]),
            pw_bcrypt=str(m["pw_bcrypt"]).rstrip(),
            country=str(m["country"]).rstrip().lower(),
            silence_end=int(m["silence_end"]),
            donor_end=int(m["donor_end"]),
            creation_time=int(m["creation_time"]),
            latest_activity=int(m["latest_activity"]),
            clan_id=int(m["clan_id"]),
            clan_priv=int(m["clan_priv"]),
            preferred_mode=int(m["preferred_mode"]),
            play_style=int(m["play_style"]),
            api_key=str(api_key).rstrip() if api_key is not None else None,
        )


@dataclass(frozen=True, slots=True)
class NewAccount:
    """The values of a validated registration, ready to insert."""

    name: str
    safe_name: str
    email: str
    pw_bcrypt: str
    priv: int
    country: str
    creation_time: int


class AccountsRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    # --- creation ----------------------------------------------------------------------------------------
    async def create(self, new: NewAccount) -> int:
        """Insert the `users` row and one `stats` row per valid mode in one transaction; returns the id.

        Raises `sqlalchemy.exc.IntegrityError` when a unique column is taken (nothing is written then).
        """
        async with self._engine.begin() as conn:
            result = await conn.execute(
                users.insert().values(
                    name=new.name,
                    safe_name=new.safe_name,
                    email=new.email,
                    pw_bcrypt=new.pw_bcrypt,
                    priv=new.priv,
                    country=new.country,
                    creation_time=new.creation_time,
                    latest_activity=new.creation_time,
                )
            )
            pk = result.inserted_primary_key
            assert pk is not None
            user_id = int(pk[0])
            await conn.execute(stats.insert(), [{"id": user_id, "mode": mode} for mode in VALID_MODES])
        return user_id

    # --- lookups -----------------------------------------------------------------------------------------
    async def _one(self, condition: ColumnElement[bool]) -> Account | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*_ACCOUNT_COLUMNS).where(condition))).mappings().first()
        return Account.from_mapping(row) if row is not None else None

    async def get_by_id(self, user_id: int) -> Account | None:
        return await self._one(users.c.id == user_id)

    async def get_by_safe_name(self, safe_name: str) -> Account | None:
        return await self._one(users.c.safe_name == safe_name)

    async def get_by_email(self, email: str) -> Account | None:
        """Case-insensitive, whatever the column's collation."""
        return await self._one(func.lower(users.c.email) == email.lower())

    async def get_by_api_key(self, api_key: str) -> Account | None:
        """Exact match only: MySQL's collations would otherwise accept other cases and trailing spaces."""
        account = await self._one(users.c.api_key == api_key)
        if account is None or account.api_key != api_key:
            return None
        return account

    async def list_accounts(
        self,
        *,
        restricted_only: bool = False,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        include_bot: bool = False,
    ) -> list[Account]:
        """Accounts by id ascending. `search` matches part of the name (case-insensitive, literal `%`/`_`;
        spaces and underscores alike, as in safe names)."""
        query = select(*_ACCOUNT_COLUMNS).where(*self._filters(restricted_only, search, include_bot))
        query = query.order_by(users.c.id).limit(limit).offset(offset)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [Account.from_mapping(row) for row in rows]

    async def count_accounts(
        self, *, restricted_only: bool = False, search: str | None = None, include_bot: bool = False
    ) -> int:
        query = select(func.count()).select_from(users)
        query = query.where(*self._filters(restricted_only, search, include_bot))
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    @staticmethod
    def _filters(restricted_only: bool, search: str | None, include_bot: bool) -> list[ColumnElement[bool]]:
        filters: list[ColumnElement[bool]] = []
        if not include_bot:
            filters.append(users.c.id != BOT_ID)
        if restricted_only:
            filters.append(users.c.priv.op("&")(int(Privileges.UNRESTRICTED)) == 0)
        if search:
            needle = search.lower().replace(" ", "_")
            filters.append(users.c.safe_name.contains(needle, autoescape=True))
        return filters

    # --- updates -----------------------------------------------------------------------------------------
    async def change_priv(self, user_id: int, change: Callable[[int], int]) -> tuple[int, int] | None:
        """Read `priv` under a row lock, write `change(priv)`; returns (old, new), None for no such user."""
        async with self._engine.begin() as conn:
            old = await self._locked_priv(conn, user_id)
            if old is None:
                return None
            new = change(old)
            if new != old:
                await conn.execute(update(users).where(users.c.id == user_id).values(priv=new))
        return old, new

    @staticmethod
    async def _locked_priv(conn: AsyncConnection, user_id: int) -> int | None:
        query = select(users.c.priv).where(users.c.id == user_id).with_for_update()
        value = (await conn.execute(query)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def update_columns(self, user_id: int, values: dict[str, object]) -> bool:
        """Write profile columns of one user in one statement; False when the user does not exist."""
        async with self._engine.begin() as conn:
            result = await conn.execute(users.update().where(users.c.id == user_id).values(**values))
            return bool(result.rowcount)

    async def set_api_key(self, user_id: int, api_key: str) -> bool:
        """Store (or replace) a user's key; False when there is no such user."""
        async with self._engine.begin() as conn:
            exists = (await conn.execute(select(users.c.id).where(users.c.id == user_id))).first()
            if exists is None:
                return False
            await conn.execute(update(users).where(users.c.id == user_id).values(api_key=api_key))
        return True

    async def clear_api_key(self, user_id: int) -> bool:
        """Remove a user's key; True when there was one."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(users)
                .where(and_(users.c.id == user_id, users.c.api_key.is_not(None)))
                .values(api_key=None)
            )
        return bool(result.rowcount)
