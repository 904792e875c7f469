"""AccountService on every engine: registration rules, privileges (live state, ranks hook) and API keys."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.config import normalise_database_url
from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.constants.privileges import Privileges
from hitcircle.db import schema
from hitcircle.db.engine import create_engine
from hitcircle.db.migrate import upgrade
from hitcircle.live.memory import InMemoryLiveState
from hitcircle.live.models import OnlinePlayer
from hitcircle.services.accounts import (
    AccountError,
    AccountNotFound,
    AccountService,
    verify_password,
    verify_password_md5,
)
from tests.conftest import RUN_ID, ServerDatabases
from tests.factories import create_user

PASSWORD = "correct horse"


class HookRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int]] = []

    async def __call__(self, user_id: int, old_priv: int, new_priv: int) -> None:
        self.calls.append((user_id, old_priv, new_priv))


@pytest.fixture
def live() -> InMemoryLiveState:
    return InMemoryLiveState()


@pytest.fixture
def hook() -> HookRecorder:
    return HookRecorder()


@pytest.fixture
def accounts(engine: AsyncEngine, live: InMemoryLiveState, hook: HookRecorder) -> AccountService:
    return AccountService(engine, live, on_privileges_changed=hook, bcrypt_rounds=4)


async def register(accounts: AccountService, name: str, *, priv: int = 1) -> int:
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    return (await accounts.register(name, email, PASSWORD, priv=priv)).id


# --- registration -------------------------------------------------------------------------------------------
async def test_register_writes_user_and_stats_rows(accounts: AccountService, engine: AsyncEngine) -> None:
    before = int(time.time())
    account = await accounts.register("Cool Guy", "cool@example.com", PASSWORD, country="DE")
    assert account.name == "Cool Guy"
    assert account.safe_name == "cool_guy"
    assert account.email == "cool@example.com"
    assert account.country == "de"
    assert account.priv == 1 == int(Privileges.UNRESTRICTED)
    assert not account.restricted
    assert account.api_key is None
    assert before <= account.creation_time == account.latest_activity <= int(time.time())
    async with engine.connect() as conn:
        row = (await conn.execute(select(schema.users).where(schema.users.c.id == account.id))).one()
        modes = (await conn.execute(select(schema.stats.c.mode).where(schema.stats.c.id == account.id))).all()
    assert row.country == "de"
    assert row.pw_bcrypt.startswith("$2b$")
    md5 = hashlib.md5(PASSWORD.encode()).hexdigest()
    assert bcrypt.checkpw(md5.encode(), row.pw_bcrypt.encode())
    assert verify_password(PASSWORD, row.pw_bcrypt)
    assert verify_password_md5(md5.upper(), row.pw_bcrypt)
    assert not verify_password("wrong password", row.pw_bcrypt)
    assert not verify_password(PASSWORD, "_" * 60)
    assert sorted(m for (m,) in modes) == list(VALID_MODES)


async def test_register_defaults_and_explicit_priv(accounts: AccountService) -> None:
    plain = await accounts.register("plain", "plain@example.com", PASSWORD)
    assert plain.country == "xx"
    staff = await accounts.register("boss", "boss@example.com", PASSWORD, priv=int(Privileges.STAFF) | 3)
    assert staff.priv == 28675


async def test_unicode_name_round_trips(accounts: AccountService) -> None:
    account = await accounts.register("Ñandú [x]-1", "nandu@example.com", PASSWORD)
    found = await accounts.find_by_name("ñandú_[x]-1")
    assert found is not None and found.id == account.id and found.name == "Ñandú [x]-1"


@pytest.mark.parametrize(
    ("name", "email", "password", "field", "message"),
    [
        ("a", "a@example.com", PASSWORD, "username", "must be 2-15 characters"),
        ("sixteen chars xx", "a@example.com", PASSWORD, "username", "must be 2-15 characters"),
        ("bad!name", "a@example.com", PASSWORD, "username", "must be 2-15 characters"),
        ("bad_name x", "a@example.com", PASSWORD, "username", "may contain '_' or ' ', but not both"),
        ("okname", "not-an-email", PASSWORD, "user_email", "not a valid email address"),
        ("okname", "a@b", PASSWORD, "user_email", "not a valid email address"),
        ("okname", "a b@example.com", PASSWORD, "user_email", "not a valid email address"),
        ("okname", "a@example.com", "short1", "password", "must be 8-32 characters long"),
        ("okname", "a@example.com", "x" * 33 + "abc", "password", "must be 8-32 characters long"),
        ("okname", "a@example.com", "abcabcabc", "password", "more than 3 different characters"),
    ],
)
async def test_register_rejects_invalid_fields(
    accounts: AccountService, name: str, email: str, password: str, field: str, message: str
) -> None:
    with pytest.raises(AccountError) as caught:
        await accounts.register(name, email, password)
    assert list(caught.value.errors) == [field]
    assert any(message in m for m in caught.value.errors[field])
    assert str(caught.value).startswith(f"{field}: ")
    assert await accounts.count_accounts() == 0


async def test_register_reports_every_problem_in_form_order(accounts: AccountService) -> None:
    with pytest.raises(AccountError) as caught:
        await accounts.register("x", "nope", "aaa")
    assert list(caught.value.errors) == ["username", "user_email", "password"]
    assert caught.value.errors["password"] == [
        "must be 8-32 characters long",
        "must contain more than 3 different characters",
    ]
    assert str(caught.value) == (
        "username: must be 2-15 characters: letters, digits, spaces, '_', '-', '[' or ']'; "
        "user_email: not a valid email address; password: must be 8-32 characters long; "
        "password: must contain more than 3 different characters"
    )


@pytest.mark.parametrize(
    ("name", "email"), [("Taken Name", "other@example.com"), ("other", "TAKEN@Example.com")]
)
async def test_register_rejects_taken_name_or_email(accounts: AccountService, name: str, email: str) -> None:
    await accounts.register("taken_name", "taken@example.com", PASSWORD)
    with pytest.raises(AccountError) as caught:
        await accounts.register(name, email, PASSWORD)
    field = "username" if name == "Taken Name" else "user_email"
    assert list(caught.value.errors) == [field]
    assert await accounts.count_accounts() == 1


async def test_bot_name_is_taken(accounts: AccountService) -> None:
    with pytest.raises(AccountError, match="'banchobot' is already taken"):
        await accounts.register("banchobot", "bot@example.com", PASSWORD)


@pytest.mark.parametrize("country", ["x", "usa", "12", "é1", ""])
async def test_register_rejects_bad_country(accounts: AccountService, country: str) -> None:
    with pytest.raises(AccountError, match="not a two-letter country code") as caught:
        await accounts.register("okname", "ok@example.com", PASSWORD, country=country)
    assert list(caught.value.errors) == ["country"]


@pytest.mark.parametrize("priv", [-1, 2**31])
async def test_register_rejects_out_of_range_priv(accounts: AccountService, priv: int) -> None:
    with pytest.raises(AccountError, match="out of range"):
        await accounts.register("okname", "ok@example.com", PASSWORD, priv=priv)


async def test_concurrent_registrations_of_one_name(accounts: AccountService) -> None:
    results = await asyncio.gather(
        *(accounts.register("racer", f"racer{i}@example.com", PASSWORD) for i in range(3)),
        return_exceptions=True,
    )
    created = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, AccountError)]
    assert len(created) == 1 and len(refused) == 2
    assert all(list(e.errors) == ["username"] for e in refused)
    assert await accounts.count_accounts() == 1


@pytest.fixture
async def fresh_engine(
    engine_kind: str, server_databases: ServerDatabases, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """A newly created and migrated database (auto-increment counters untouched by other tests)."""
    if engine_kind == "sqlite":
        url = normalise_database_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    else:
        url = await server_databases.create(engine_kind, f"hc_fresh_{RUN_ID}_{uuid.uuid4().hex[:6]}")
    eng = create_engine(url)
    await upgrade(eng)
    yield eng
    await eng.dispose()


async def test_first_account_on_a_fresh_database_is_id_3(fresh_engine: AsyncEngine) -> None:
    accounts = AccountService(fresh_engine, InMemoryLiveState(), bcrypt_rounds=4)
    first = await accounts.register("first", "first@example.com", PASSWORD)
    second = await accounts.register("second", "second@example.com", PASSWORD)
    assert (first.id, second.id) == (3, 4)


async def test_registration_is_one_transaction(fresh_engine: AsyncEngine) -> None:
    """A failing `stats` insert leaves no `users` row behind."""
    async with fresh_engine.begin() as conn:
        await conn.execute(schema.stats.insert().values(id=3, mode=5))  # collides with the next user
    accounts = AccountService(fresh_engine, InMemoryLiveState(), bcrypt_rounds=4)
    with pytest.raises(IntegrityError):
        await accounts.register("doomed", "doomed@example.com", PASSWORD)
    async with fresh_engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(schema.users))).scalar_one()
    assert count == 1  # the bot only
    assert await accounts.find_by_name("doomed") is None


# --- lookups and listing -----------------------------------------------------------------------------------
async def test_lookups(accounts: AccountService) -> None:
    user_id = await register(accounts, "Some One")
    by_id = await accounts.get(user_id)
    assert by_id is not None and by_id.name == "Some One"
    for text in ("some one", "SOME_ONE", str(user_id)):
        assert (await accounts.resolve(text)).id == user_id
    assert await accounts.get(999_999) is None
    assert await accounts.find_by_name("nobody") is None
    with pytest.raises(AccountNotFound, match="no user with id or name 'nobody'"):
        await accounts.resolve("nobody")
    for huge in ("2147483648", "99999999999999999999", "١٢"):
        with pytest.raises(AccountNotFound):
            await accounts.resolve(huge)


async def test_numeric_name_resolves_when_no_such_id(accounts: AccountService) -> None:
    user_id = await register(accounts, "31337")
    assert user_id != 31337
    assert (await accounts.resolve("31337")).id == user_id


async def test_listing_filters_and_pages(accounts: AccountService, engine: AsyncEngine) -> None:
    ids = [await register(accounts, name) for name in ("alpha one", "beta", "alpha_two", "gamma")]
    await create_user(engine, "zeta%", priv=0)  # a name registration would refuse, for the `%` search
    everyone = await accounts.list_accounts()
    assert [a.name for a in everyone] == ["alpha one", "beta", "alpha_two", "gamma", "zeta%"]
    assert [a.id for a in everyone][:4] == ids
    assert await accounts.count_accounts() == 5
    assert [a.name for a in await accounts.list_accounts(restricted_only=True)] == ["zeta%"]
    assert await accounts.count_accounts(restricted_only=True) == 1
    assert [a.name for a in await accounts.list_accounts(search="ALPHA")] == ["alpha one", "alpha_two"]
    assert [a.name for a in await accounts.list_accounts(search="a t")] == ["alpha_two"]
    assert [a.name for a in await accounts.list_accounts(search="%")] == ["zeta%"]
    assert await accounts.list_accounts(search="e_a") == []  # `_` is literal, not a wildcard
    assert await accounts.list_accounts(search="zz") == []
    page = await accounts.list_accounts(limit=2, offset=1)
    assert [a.name for a in page] == ["beta", "alpha_two"]


# --- privileges --------------------------------------------------------------------------------------------
def online(user_id: int, name: str, priv: int) -> OnlinePlayer:
    return OnlinePlayer(id=user_id, name=name, priv=priv, country="xx", login_time=time.time())


async def test_restrict_and_unrestrict(
    accounts: AccountService, live: InMemoryLiveState, hook: HookRecorder
) -> None:
    user_id = await register(accounts, "naughty", priv=3 | 16 | 256)  # 256: a bit we have no name for
    await live.add_player(online(user_id, "naughty", 3 | 16 | 256))
    change = await accounts.restrict(user_id)
    assert (change.old_priv, change.new_priv, change.changed) == (275, 274, True)
    assert change.account.restricted and change.account.priv == 274
    player = await live.get_player(user_id)
    assert player is not None and player.priv == 274
    assert hook.calls == [(user_id, 275, 274)]

    again = await accounts.restrict(user_id)
    assert not again.changed
    assert hook.calls == [(user_id, 275, 274)]

    back = await accounts.unrestrict(user_id)
    assert (back.old_priv, back.new_priv) == (274, 275)
    assert not back.account.restricted
    player = await live.get_player(user_id)
    assert player is not None and player.priv == 275
    assert hook.calls[-1] == (user_id, 274, 275)
    assert not (await accounts.unrestrict(user_id)).changed
    assert len(hook.calls) == 2


async def test_privilege_changes_of_offline_players(accounts: AccountService, hook: HookRecorder) -> None:
    user_id = await register(accounts, "offline")
    change = await accounts.set_privileges(user_id, 3 | int(Privileges.SUPPORTER))
    assert (change.old_priv, change.new_priv) == (1, 19)
    stored = await accounts.get(user_id)
    assert stored is not None and stored.priv == 19
    assert hook.calls == [(user_id, 1, 19)]
    await accounts.set_privileges(user_id, 0)
    assert (await accounts.restrict(user_id)).new_priv == 0
    assert hook.calls == [(user_id, 1, 19), (user_id, 19, 0)]


async def test_privilege_errors(accounts: AccountService) -> None:
    with pytest.raises(AccountNotFound, match="no user with id 999999"):
        await accounts.restrict(999_999)
    with pytest.raises(AccountNotFound):
        await accounts.unrestrict(999_999)
    with pytest.raises(AccountNotFound):
        await accounts.set_privileges(999_999, 3)
    with pytest.raises(AccountError, match="out of range"):
        await accounts.set_privileges(1, -5)
    with pytest.raises(AccountError, match="the bot cannot be restricted"):
        await accounts.restrict(1)


async def test_service_without_hook(engine: AsyncEngine) -> None:
    accounts = AccountService(engine, InMemoryLiveState(), bcrypt_rounds=4)
    user_id = await register(accounts, "nohook")
    assert (await accounts.restrict(user_id)).changed


# --- API keys ----------------------------------------------------------------------------------------------
async def test_api_key_lifecycle(accounts: AccountService) -> None:
    user_id = await register(accounts, "developer")
    key = await accounts.create_api_key(user_id)
    assert len(key) == 36 and uuid.UUID(key).version == 4 and str(uuid.UUID(key)) == key
    found = await accounts.find_by_api_key(key)
    assert found is not None and found.id == user_id and found.api_key == key

    rotated = await accounts.create_api_key(user_id)
    assert rotated != key
    assert await accounts.find_by_api_key(key) is None
    found = await accounts.find_by_api_key(rotated)
    assert found is not None and found.id == user_id

    assert await accounts.revoke_api_key(user_id) is True
    assert await accounts.find_by_api_key(rotated) is None
    assert await accounts.revoke_api_key(user_id) is False
    stored = await accounts.get(user_id)
    assert stored is not None and stored.api_key is None


async def test_api_key_lookup_is_exact(accounts: AccountService) -> None:
    user_id = await register(accounts, "exact")
    key = await accounts.create_api_key(user_id)
    assert await accounts.find_by_api_key(key.upper()) is None
    assert await accounts.find_by_api_key(key[:-1]) is None
    assert await accounts.find_by_api_key(key + "x") is None
    assert await accounts.find_by_api_key("") is None
    assert await accounts.find_by_api_key(" " * 40) is None
    found = await accounts.find_by_api_key(f" {key} ")
    assert found is not None and found.id == user_id


async def test_api_keys_are_per_user(accounts: AccountService) -> None:
    one, two = await register(accounts, "one1"), await register(accounts, "two2")
    key_one, key_two = await accounts.create_api_key(one), await accounts.create_api_key(two)
    assert key_one != key_two
    await accounts.revoke_api_key(one)
    found = await accounts.find_by_api_key(key_two)
    assert found is not None and found.id == two


async def test_api_key_errors(accounts: AccountService) -> None:
    with pytest.raises(AccountNotFound):
        await accounts.create_api_key(999_999)
    with pytest.raises(AccountNotFound):
        await accounts.revoke_api_key(999_999)
