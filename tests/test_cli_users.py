"""`hitcircle user ...` and `hitcircle apikey ...` against a fresh SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

from hitcircle.cli.main import cli
from hitcircle.db.engine import create_engine
from hitcircle.live.memory import InMemoryLiveState
from hitcircle.services.accounts import Account, AccountService, verify_password

T = TypeVar("T")
Invoke = Callable[..., Result]

HEADER = (
    "id  name       country  privileges                                  status      api key  created (UTC)"
)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def invoke(tmp_path: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.chdir(tmp_path)  # no stray .env
    env: dict[str, str | None] = {
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DATA_DIR": str(tmp_path / "data"),
        "REDIS_URL": "",
        "AUTO_MIGRATE": None,
        "LOG_LEVEL": "WARNING",
    }
    runner = CliRunner()

    def run(*args: str, input: str | None = None, **extra_env: str) -> Result:
        return runner.invoke(cli, list(args), env={**env, **extra_env}, input=input)

    return run


def with_accounts(db_file: Path, work: Callable[[AccountService], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        engine = create_engine(f"sqlite+aiosqlite:///{db_file}")
        try:
            return await work(AccountService(engine, InMemoryLiveState()))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def find_by_key(db_file: Path, key: str) -> Account | None:
    return with_accounts(db_file, lambda accounts: accounts.find_by_api_key(key))


def ok(result: Result, stdout: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (0, stdout, ""), result.output


def fails(result: Result, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n"), result.output


def add(invoke: Invoke, name: str, *extra: str, **env: str) -> Result:
    email = name.lower().replace(" ", ".") + "@example.com"
    return invoke("user", "add", name, "--email", email, "--password", "secretpw1", *extra, **env)


def test_add_gives_the_first_account_id_3(invoke: Invoke, db_file: Path) -> None:
    ok(add(invoke, "alice"), "created user alice (id 3)\n")
    ok(
        add(invoke, "Bob Smith", "--country", "DE", "--priv", "unrestricted,verified"),
        "created user Bob Smith (id 4)\n",
    )
    bob = with_accounts(db_file, lambda accounts: accounts.resolve("bob_smith"))
    assert (bob.country, bob.priv, bob.email) == ("de", 3, "bob.smith@example.com")
    assert verify_password("secretpw1", bob.pw_bcrypt)


def test_list(invoke: Invoke) -> None:
    ok(invoke("user", "list"), "no users found\n")
    add(invoke, "alice")
    add(invoke, "Bob Smith", "--priv", "8195", "--country", "de")
    add(invoke, "carol", "--priv", "0")
    result = invoke("user", "list")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == HEADER
    rows = [line.rsplit(None, 2)[0] for line in lines[1:4]]  # the creation date and time vary
    assert rows == [
        "3   alice      xx       1 (unrestricted)                            active      no",
        "4   Bob Smith  de       8195 (unrestricted,verified,administrator)  active      no",
        "5   carol      xx       0 (none)                                    restricted  no",
    ]
    assert lines[4:] == ["3 of 3 user(s) shown"]
    assert all("BanchoBot" not in line for line in lines)

    restricted = invoke("user", "list", "--restricted").stdout.splitlines()
    assert [line.split()[1] for line in restricted[1:-1]] == ["carol"]
    assert restricted[-1] == "1 of 1 user(s) shown"
    searched = invoke("user", "list", "--search", "BOB S").stdout.splitlines()
    assert [line.split()[0] for line in searched[1:-1]] == ["4"]
    paged = invoke("user", "list", "--limit", "1", "--offset", "1").stdout.splitlines()
    assert [line.split()[0] for line in paged[1:-1]] == ["4"]
    assert paged[-1] == "1 of 3 user(s) shown"
    ok(invoke("user", "list", "--search", "nobody"), "no users found\n")


def test_add_refusals(invoke: Invoke) -> None:
    add(invoke, "alice")
    fails(
        invoke("user", "add", "Alice", "--email", "other@example.com", "--password", "secretpw1"),
        "username: 'Alice' is already taken",
    )
    fails(
        invoke("user", "add", "other", "--email", "ALICE@example.com", "--password", "secretpw1"),
        "user_email: already used by another account",
    )
    fails(
        invoke("user", "add", "a_b c", "--email", "x@example.com", "--password", "aaaaaaaa"),
        "username: may contain '_' or ' ', but not both; "
        "password: must contain more than 3 different characters",
    )
    fails(
        invoke(
            "user", "add", "dave", "--email", "d@example.com", "--password", "secretpw1", "--country", "usa"
        ),
        "country: 'usa' is not a two-letter country code",
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bogus", "invalid privileges 'bogus': unknown privilege 'bogus' (known: unrestricted, verified, "),
        ("", "invalid privileges '': expected a number (e.g. 3) or a comma list of names "),
        ("-1", "invalid privileges '-1': unknown privilege '-1' (known: "),
    ],
)
def test_invalid_priv_spec(invoke: Invoke, spec: str, message: str) -> None:
    add(invoke, "alice")
    for args in (
        ("user", "set-priv", "--", "alice", spec),
        ("user", "add", "bob", "--email", "b@example.com", "--password", "secretpw1", f"--priv={spec}"),
    ):
        result = invoke(*args)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith(f"error: {message}")
        assert result.stderr.count("\n") == 1


def test_priv_out_of_range(invoke: Invoke) -> None:
    add(invoke, "alice")
    fails(
        invoke("user", "set-priv", "alice", "2147483648"), "priv: 2147483648 is out of range (0-2147483647)"
    )


def test_password_prompt(invoke: Invoke, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fails(
        invoke("user", "add", "alice", "--email", "a@example.com"),
        "--password is required when stdin is not a terminal",
    )
    monkeypatch.setattr("hitcircle.cli.users.stdin_is_tty", lambda: True)
    result = invoke("user", "add", "alice", "--email", "a@example.com", input="hidden pw\nhidden pw\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "created user alice (id 3)"
    assert "hidden pw" not in result.stdout
    alice = with_accounts(db_file, lambda accounts: accounts.resolve("alice"))
    assert verify_password("hidden pw", alice.pw_bcrypt)


def test_privileges(invoke: Invoke, db_file: Path) -> None:
    add(invoke, "alice")
    ok(
        invoke("user", "set-priv", "ALICE", "unrestricted,verified,supporter"),
        "alice (id 3): privileges 1 (unrestricted) -> 19 (unrestricted,verified,supporter)\n",
    )
    ok(
        invoke("user", "set-priv", "3", "3"),
        "alice (id 3): privileges 19 (unrestricted,verified,supporter) -> 3 (unrestricted,verified)\n",
    )
    ok(invoke("user", "restrict", "alice"), "restricted alice (id 3)\n")
    ok(invoke("user", "restrict", "3"), "alice (id 3) is already restricted\n")
    alice = with_accounts(db_file, lambda accounts: accounts.get(3))
    assert alice is not None and alice.priv == 2 and alice.restricted
    ok(invoke("user", "unrestrict", "alice"), "unrestricted alice (id 3)\n")
    ok(invoke("user", "unrestrict", "alice"), "alice (id 3) is not restricted\n")
    alice = with_accounts(db_file, lambda accounts: accounts.get(3))
    assert alice is not None and alice.priv == 3


def test_bot_cannot_be_restricted(invoke: Invoke) -> None:
    fails(invoke("user", "restrict", "1"), "the bot cannot be restricted")


def test_api_keys(invoke: Invoke, db_file: Path) -> None:
    add(invoke, "alice")
    created = invoke("apikey", "create", "alice")
    assert created.exit_code == 0 and created.stderr == ""
    key = created.stdout.strip()
    assert created.stdout == f"{key}\n" and len(key) == 36
    found = find_by_key(db_file, key)
    assert found is not None and found.name == "alice"

    rotated = invoke("apikey", "create", "3").stdout.strip()
    assert rotated != key
    assert find_by_key(db_file, key) is None
    assert find_by_key(db_file, rotated) is not None
    assert "  yes  " in invoke("user", "list").stdout.splitlines()[1]

    ok(invoke("apikey", "revoke", "alice"), "revoked the API key of alice (id 3)\n")
    assert find_by_key(db_file, rotated) is None
    ok(invoke("apikey", "revoke", "alice"), "alice (id 3) has no API key\n")


@pytest.mark.parametrize(
    "args",
    [
        ("user", "set-priv", "nobody", "3"),
        ("user", "restrict", "nobody"),
        ("user", "unrestrict", "nobody"),
        ("apikey", "create", "nobody"),
        ("apikey", "revoke", "nobody"),
    ],
)
def test_unknown_user(invoke: Invoke, args: tuple[str, ...]) -> None:
    fails(invoke(*args), "no user with id or name 'nobody'")


def test_unknown_user_id(invoke: Invoke) -> None:
    fails(invoke("user", "restrict", "42"), "no user with id or name '42'")


def test_database_unreachable(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("user", "list", DATABASE_URL="mysql://root@127.0.0.1:1/nowhere")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: database error: ") and result.stderr.count("\n") == 1
    (tmp_path / "a-file").write_text("")
    result = add(invoke, "alice", DATABASE_URL=f"sqlite:///{tmp_path / 'a-file' / 'db.sqlite'}")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_bad_configuration(invoke: Invoke) -> None:
    result = invoke("user", "list", DATABASE_URL="oracle://x/y")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid configuration: DATABASE_URL: ")


@pytest.mark.parametrize(
    "command",
    [
        ("user",),
        ("user", "add"),
        ("user", "list"),
        ("user", "set-priv"),
        ("user", "restrict"),
        ("user", "unrestrict"),
        ("apikey",),
        ("apikey", "create"),
        ("apikey", "revoke"),
    ],
)
def test_help(invoke: Invoke, command: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {' '.join(command)} ")
    description = result.stdout.split("\n\n")[1].strip()
    assert len(description) > 10


def test_restriction_reaches_players_online_in_redis(invoke: Invoke, redis_url: str) -> None:
    from redis.asyncio import Redis

    from hitcircle.live.models import OnlinePlayer
    from hitcircle.live.redis import RedisLiveState

    async def put_online() -> None:
        client = Redis.from_url(redis_url)
        try:
            await RedisLiveState(client).add_player(OnlinePlayer(3, "alice", 3, "xx", 0.0))
        finally:
            await client.aclose()

    async def online_priv() -> int | None:
        client = Redis.from_url(redis_url)
        try:
            player = await RedisLiveState(client).get_player(3)
        finally:
            await client.aclose()
        return player.priv if player is not None else None

    add(invoke, "alice", "--priv", "3")
    asyncio.run(put_online())
    ok(invoke("user", "restrict", "alice", REDIS_URL=redis_url), "restricted alice (id 3)\n")
    assert asyncio.run(online_priv()) == 2
    ok(
        invoke("user", "set-priv", "alice", "19", REDIS_URL=redis_url),
        "alice (id 3): privileges 2 (verified) -> 19 (unrestricted,verified,supporter)\n",
    )
    assert asyncio.run(online_priv()) == 19


def test_unreachable_redis(invoke: Invoke) -> None:
    add(invoke, "alice")
    result = invoke("user", "restrict", "alice", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(
        "error: database updated, but the live state (REDIS_URL) is unavailable: "
    )
    assert result.stderr.count("\n") == 1
