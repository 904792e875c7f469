"""`hitcircle maps import`: exit codes, messages and the rows it writes (embedded SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select

from hitcircle.cli.main import cli
from hitcircle.db import schema
from tests.beatmap_fakes import BEATMAPS, FILE_MD5_315

PRIVATE_315 = 1_000_000_000 + int(FILE_MD5_315[:7], 16) % 100_000_000


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


def run(workdir: Path, *args: str) -> Result:
    env: dict[str, str | None] = {
        "DATA_DIR": str(workdir / "data"),
        "DATABASE_URL": f"sqlite:///{workdir / 'data' / 'hitcircle.db'}",
        "REDIS_URL": "",
        "OSU_API_KEY": "",
        "BEATMAP_SOURCE_URL": "",
        "AUTO_MIGRATE": None,
        "LOG_LEVEL": "WARNING",
    }
    return CliRunner().invoke(cli, ["maps", "import", *args], env=env, catch_exceptions=False)


def statuses(workdir: Path) -> dict[int, tuple[int, int, str]]:
    engine = create_engine(f"sqlite:///{workdir / 'data' / 'hitcircle.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(schema.maps.c.id, schema.maps.c.status, schema.maps.c.frozen,
                                       schema.maps.c.server)).all()  # fmt: skip
    finally:
        engine.dispose()
    return {r.id: (r.status, r.frozen, r.server) for r in rows}


def test_import_a_directory_twice(workdir: Path) -> None:
    songs = workdir / "songs" / "nested"
    songs.mkdir(parents=True)
    for path in BEATMAPS.glob("*.osu"):
        shutil.copy(path, songs / path.name)
    (songs / "cover.jpg").write_bytes(b"\xff\xd8")
    first = run(workdir, str(workdir / "songs"))
    assert (first.exit_code, first.stdout, first.stderr) == (
        0, "imported 5 of 5 file(s): 5 new, 0 updated, 0 unchanged, 0 failed\n", ""
    )  # fmt: skip
    second = run(workdir, str(workdir / "songs"))
    assert (second.exit_code, second.stdout) == (
        0, "imported 5 of 5 file(s): 0 new, 0 updated, 5 unchanged, 0 failed\n"
    )  # fmt: skip
    assert statuses(workdir) == {
        PRIVATE_315: (2, 1, "private"), 1028484: (2, 1, "osu!"), 1638954: (2, 1, "osu!"),
        2118524: (2, 1, "osu!"), 2785319: (2, 1, "osu!"),
    }  # fmt: skip
    stored = sorted(p.name for p in (workdir / "data" / "osu").iterdir())
    assert stored == ["1028484.osu", f"{PRIVATE_315}.osu", "1638954.osu", "2118524.osu", "2785319.osu"]


def test_status_option(workdir: Path) -> None:
    result = run(workdir, "--status", "loved", str(BEATMAPS / "1028484.osu"), str(BEATMAPS / "315.osu"))
    assert (result.exit_code, result.stdout) == (
        0, "imported 2 of 2 file(s): 2 new, 0 updated, 0 unchanged, 0 failed\n"
    )  # fmt: skip
    assert statuses(workdir) == {1028484: (5, 1, "osu!"), PRIVATE_315: (5, 1, "private")}
    again = run(workdir, "--status", "RANKED", str(BEATMAPS / "1028484.osu"))
    assert again.stdout == "imported 1 of 1 file(s): 0 new, 1 updated, 0 unchanged, 0 failed\n"
    assert statuses(workdir)[1028484] == (2, 1, "osu!")


def test_missing_path_is_an_error(workdir: Path) -> None:
    result = run(workdir, str(BEATMAPS / "315.osu"), str(workdir / "nope"))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"error: no such file or directory: {workdir / 'nope'}\n"
    )  # fmt: skip
    assert not (workdir / "data").exists()


def test_directory_without_maps_is_an_error(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    result = run(workdir, str(workdir / "empty"))
    assert (result.exit_code, result.stderr) == (1, f"error: no .osu files found in {workdir / 'empty'}\n")


def test_unparsable_file_fails_alone(workdir: Path) -> None:
    bad = workdir / "bad.osu"
    bad.write_text("[General]\nMode: 0\n")
    result = run(workdir, str(bad), str(BEATMAPS / "1638954.osu"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {bad}: not an osu! beatmap (no 'osu file format' header)\n"
    assert result.stdout == "imported 1 of 2 file(s): 1 new, 0 updated, 0 unchanged, 1 failed\n"
    assert statuses(workdir) == {1638954: (2, 1, "osu!")}


def test_bad_status_is_a_usage_error(workdir: Path) -> None:
    result = run(workdir, "--status", "graveyard", str(BEATMAPS / "315.osu"))
    assert result.exit_code == 2
    assert "Invalid value for '--status'" in result.stderr
