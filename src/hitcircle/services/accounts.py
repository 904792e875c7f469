"""Player accounts: registration with bancho.py's rules, privileges and API keys (bancho-spec §6.0, §3.1).

Passwords are stored as bancho.py stores them: bcrypt of the lowercase hex MD5 of the password (the osu!
client sends that MD5 when it logs in). Registration validates every field and reports all problems at
once in `AccountError.errors` (field -> messages, using the osu! registration form's field names), so the
in-game registration endpoint and the operator CLI share one set of rules.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import bcrypt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.constants.privileges import NEW_ACCOUNT, Privileges
from hitcircle.live.base import LiveState
from hitcircle.live.models import make_safe_name
from hitcircle.repositories import NO_CACHE
from hitcircle.repositories.accounts import BOT_ID, Account, AccountsRepository, NewAccount

__all__ = [
    "Account",
    "AccountError",
    "AccountNotFound",
    "AccountService",
    "PrivilegeChange",
    "PrivilegesChangedHook",
    "hash_password",
    "verify_password",
    "verify_password_md5",
]

NAME_RE = re.compile(r"^[\w \[\]-]{2,15}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,200}@[^@\s.]{1,30}(?:\.[^@.\s]{2,24})+$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
PASSWORD_MIN, PASSWORD_MAX = 8, 32
EMAIL_MAX = 254  # users.email is varchar(254)
PRIV_MAX = 2**31 - 1  # users.priv (and users.id) are signed 32-bit ints
_UNRESTRICTED = int(Privileges.UNRESTRICTED)
DEFAULT_BCRYPT_ROUNDS = 12

# Field names of the osu! registration form (`user[username]`, `user[user_email]`, `user[password]`).
FIELD_NAME, FIELD_EMAIL, FIELD_PASSWORD = "username", "user_email", "password"
FIELD_COUNTRY, FIELD_PRIV = "country", "priv"


class AccountError(Exception):
    """An account operation was refused; `str(error)` is one line meant for a person.

    `errors` maps a field to its problems (registration reports every invalid field at once).
    """

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = errors or {}

    @classmethod
    def from_errors(cls, errors: dict[str, list[str]]) -> AccountError:
        message = "; ".join(f"{field}: {msg}" for field, msgs in errors.items() for msg in msgs)
        return cls(message, errors)


class AccountNotFound(AccountError):
    """No account has the given id, name or key."""


class PrivilegesChangedHook(Protocol):
    """Called after a user's `priv` changed in the database (e.g. the rank service drops a restricted
    player from the leaderboards and puts an unrestricted one back)."""

    async def __call__(self, user_id: int, old_priv: int, new_priv: int) -> None: ...


@dataclass(frozen=True, slots=True)
class PrivilegeChange:
    account: Account  # as it is after the change
    old_priv: int
    new_priv: int

    @property
    def changed(self) -> bool:
        return self.old_priv != self.new_priv


def password_md5(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()


def hash_password(password: str, rounds: int = DEFAULT_BCRYPT_ROUNDS) -> str:
    """The `users.pw_bcrypt` value of a plain-text password."""
    return bcrypt.hashpw(password_md5(password).encode(), bcrypt.gensalt(rounds)).decode()


def verify_password_md5(md5_hex: str, pw_bcrypt: str) -> bool:
    """Check the MD5 hex the osu! client sends against a stored hash."""
    try:
        return bcrypt.checkpw(md5_hex.lower().encode(), pw_bcrypt.encode())
    except ValueError:  # not a bcrypt hash (e.g. the bot's placeholder)
        return False


def verify_password(password: str, pw_bcrypt: str) -> bool:
    return verify_password_md5(password_md5(password), pw_bcrypt)


def name_problems(name: str) -> list[str]:
    problems = []
    if not NAME_RE.fullmatch(name):
        problems.append("must be 2-15 characters: letters, digits, spaces, '_', '-', '[' or ']'")
    elif any(ord(ch) > 0xFFFF for ch in name):
        problems.append("contains characters that cannot be stored")
    if "_" in name and " " in name:
        problems.append("may contain '_' or ' ', but not both")
    return problems


def email_problems(email: str) -> list[str]:
    if len(email) > EMAIL_MAX or not EMAIL_RE.fullmatch(email):
        return ["not a valid email address"]
    return []


def password_problems(password: str) -> list[str]:
    problems = []
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        problems.append(f"must be {PASSWORD_MIN}-{PASSWORD_MAX} characters long")
    if len(set(password)) <= 3:
        problems.append("must contain more than 3 different characters")
    return problems


def normalise_country(country: str) -> str:
    """Any two ASCII letters, stored lower case; raises AccountError otherwise."""
    if not COUNTRY_RE.fullmatch(country):
        raise AccountError.from_errors({FIELD_COUNTRY: [f"{country!r} is not a two-letter country code"]})
    return country.lower()


def check_priv(priv: int) -> int:
    if not 0 <= priv <= PRIV_MAX:
        raise AccountError.from_errors({FIELD_PRIV: [f"{priv} is out of range (0-{PRIV_MAX})"]})
    return priv


class AccountService:
    def __init__(
        self,
        engine: AsyncEngine,
        live: LiveState,
        *,
        on_privileges_changed: PrivilegesChangedHook | None = None,
        bcrypt_rounds: int = DEFAULT_BCRYPT_ROUNDS,
        cache: ReadCache = NO_CACHE,
    ) -> None:
        self.repo = AccountsRepository(engine)
        self._cache = cache
        self._live = live
        self._on_privileges_changed = on_privileges_changed
        self._bcrypt_rounds = bcrypt_rounds

    # --- registration ------------------------------------------------------------------------------------
    async def validate(self, name: str, email: str, password: str) -> dict[str, list[str]]:
        """Every problem with a prospective registration, by form field; empty when it may proceed."""
        errors: dict[str, list[str]] = {}
        for field, problems in (
            (FIELD_NAME, name_problems(name)),
            (FIELD_EMAIL, email_problems(email)),
            (FIELD_PASSWORD, password_problems(password)),
        ):
            if problems:
                errors[field] = problems
        await self._add_taken(errors, name, email)
        order = (FIELD_NAME, FIELD_EMAIL, FIELD_PASSWORD)
        return {field: errors[field] for field in order if field in errors}

    async def _add_taken(self, errors: dict[str, list[str]], name: str, email: str) -> None:
        if FIELD_NAME not in errors and await self.repo.get_by_safe_name(make_safe_name(name)):
            errors.setdefault(FIELD_NAME, []).append(f"{name!r} is already taken")
        if FIELD_EMAIL not in errors and await self.repo.get_by_email(email):
            errors.setdefault(FIELD_EMAIL, []).append("already used by another account")

    async def register(
        self,
        name: str,
        email: str,
        password: str,
        country: str = "xx",
        priv: int = NEW_ACCOUNT,
    ) -> Account:
        """Create an account and its 8 `stats` rows; raises AccountError listing every invalid field."""
        country = normalise_country(country)
        check_priv(priv)
        errors = await self.validate(name, email, password)
        if errors:
            raise AccountError.from_errors(errors)
        pw_bcrypt = await asyncio.to_thread(hash_password, password, self._bcrypt_rounds)
        new = NewAccount(
            name=name,
            safe_name=make_safe_name(name),
            email=email,
            pw_bcrypt=pw_bcrypt,
            priv=priv,
            country=country,
            creation_time=int(time.time()),
        )
        try:
            user_id = await self.repo.create(new)
        except IntegrityError:
            # Lost a race with another registration (or the collation considers two names equal).
            taken: dict[str, list[str]] = {}
            await self._add_taken(taken, name, email)
            if taken:
                raise AccountError.from_errors(taken) from None
            raise
        account = await self.repo.get_by_id(user_id)
        assert account is not None
        return account

    # --- lookups -----------------------------------------------------------------------------------------
    async def get(self, user_id: int) -> Account | None:
        return await self.repo.get_by_id(user_id)

    async def find_by_name(self, name: str) -> Account | None:
        """Case-insensitive; spaces and underscores alike."""
        return await self.repo.get_by_safe_name(make_safe_name(name))

    async def find_by_api_key(self, key: str) -> Account | None:
        key = key.strip()
        if not key or len(key) > 36:
            return None
        # cached: every authorised request asks; any write to `users` (a revocation) invalidates it at once
        return await self._cache.get(
            ("accounts.api_key", key), ("users",), lambda: self.repo.get_by_api_key(key)
        )

    async def resolve(self, name_or_id: str) -> Account:
        """An account by id (all digits) or else by name; raises AccountNotFound."""
        text = name_or_id.strip()
        account = None
        if text.isascii() and text.isdecimal() and int(text) <= PRIV_MAX:  # users.id is a 32-bit int
            account = await self.repo.get_by_id(int(text))
        if account is None:
            account = await self.find_by_name(text)
        if account is None:
            raise AccountNotFound(f"no user with id or name {name_or_id!r}")
        return account

    async def list_accounts(
        self,
        *,
        restricted_only: bool = False,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Account]:
        """Player accounts (the bot excluded) by id ascending."""
        return await self.repo.list_accounts(
            restricted_only=restricted_only, search=search, limit=limit, offset=offset
        )

    async def count_accounts(self, *, restricted_only: bool = False, search: str | None = None) -> int:
        return await self.repo.count_accounts(restricted_only=restricted_only, search=search)

    # --- privileges --------------------------------------------------------------------------------------
    async def set_privileges(self, user_id: int, priv: int) -> PrivilegeChange:
        check_priv(priv)
        return await self._change_priv(user_id, lambda _old: priv)

    async def restrict(self, user_id: int) -> PrivilegeChange:
        """Clear UNRESTRICTED: hidden from leaderboards and the online count."""
        if user_id == BOT_ID:
            raise AccountError("the bot cannot be restricted")
        return await self._change_priv(user_id, lambda old: old & ~_UNRESTRICTED)

    async def unrestrict(self, user_id: int) -> PrivilegeChange:
        return await self._change_priv(user_id, lambda old: old | _UNRESTRICTED)

    async def _change_priv(self, user_id: int, change: Callable[[int], int]) -> PrivilegeChange:
        result = await self.repo.change_priv(user_id, change)
        if result is None:
            raise AccountNotFound(f"no user with id {user_id}")
        old, new = result
        if old != new:
            await self._live.set_privileges(user_id, new)
            if self._on_privileges_changed is not None:
                await self._on_privileges_changed(user_id, old, new)
        account = await self.repo.get_by_id(user_id)
        if account is None:  # deleted meanwhile
            raise AccountNotFound(f"no user with id {user_id}")
        return PrivilegeChange(account=account, old_priv=old, new_priv=new)

    # --- API keys ----------------------------------------------------------------------------------------
    async def create_api_key(self, user_id: int) -> str:
        """A new UUID4 key for the user, replacing any previous one at once."""
        key = str(uuid.uuid4())
        if not await self.repo.set_api_key(user_id, key):
            raise AccountNotFound(f"no user with id {user_id}")
        return key

    async def revoke_api_key(self, user_id: int) -> bool:
        """Remove the user's key; False when there was none. Raises AccountNotFound for an unknown id."""
        if await self.repo.clear_api_key(user_id):
            return True
        if await self.repo.get_by_id(user_id) is None:
            raise AccountNotFound(f"no user with id {user_id}")
        return False
