"""Every operator command documents itself; `ranks rebuild` and `db status` work."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hitcircle.cli.main import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


COMMANDS = all_commands(cli)


def test_every_expected_command_exists() -> None:
    expected = {
        ("serve",), ("db", "upgrade"), ("db", "status"), ("user", "add"), ("user", "list"), ("user", "set-priv"),
        ("user", "restrict"), ("user", "unrestrict"), ("apikey", "create"), ("apikey", "revoke"),
        ("demo", "load"), ("maps", "import"), ("ranks", "rebuild"),
    }  # fmt: skip
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) >= 3, result.output  # usage, a description, options


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "DATA_DIR": str(tmp_path / "data"), **extra}


def test_ranks_rebuild_needs_redis(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ranks", "rebuild"], env=env_for(tmp_path, REDIS_URL=""))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: REDIS_URL is not set; without Redis, ranks are read from the database directly"
    ]


def test_ranks_rebuild_fills_redis(tmp_path: Path, redis_url: str) -> None:
    runner = CliRunner()
    env = env_for(tmp_path, REDIS_URL=redis_url)
    assert runner.invoke(cli, ["demo", "load"], env=env).exit_code == 0
    result = runner.invoke(cli, ["ranks", "rebuild"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("rebuilt ranks: ")
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.zcard("bancho:leaderboard:0") > 0
        assert client.zscore("bancho:leaderboard:0", "10") is None  # Camille, the restricted demo player
    finally:
        client.close()


def test_db_status_reports_revision(tmp_path: Path) -> None:
    runner = CliRunner()
    env = env_for(tmp_path)
    assert runner.invoke(cli, ["db", "upgrade"], env=env).output.startswith("database at revision 0004")
    status = runner.invoke(cli, ["db", "status"], env=env)
    assert status.exit_code == 0
    assert status.output.strip() == "database: 0004; this release: 0004"
