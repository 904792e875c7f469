"""An operator can point hitcircle at a bancho.py MySQL database.

A database laid out like a fresh bancho.py install (`fixtures/banchopy_base.sql`, written from
bancho-spec §5.3) is filled with realistic rows, then `hitcircle db upgrade` runs on it as a real process.
Afterwards every table, column, key and index is as before (hitcircle may only add `alembic_version` and
`hc_*` indexes), every row is identical, a second upgrade changes nothing, and the app serves the data.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hitcircle.app import create_app
from tests.conftest import API, ServerDatabases, make_settings

pytestmark = pytest.mark.mysql

BASE_SQL = Path(__file__).parent / "fixtures" / "banchopy_base.sql"
ADDED_TABLES = {"alembic_version"}
ADDED_INDEX_PREFIX = "hc_"
BOT_ID = 1
MODES = (0, 1, 2, 3, 4, 5, 6, 8)
#: UNRESTRICTED|VERIFIED|WHITELISTED|DONATOR|ALUMNI|TOURNEY_MANAGER|NOMINATOR|STAFF: bancho.py's user 3
OWNER_PRIV = 1 | 2 | 4 | 48 | 128 | 1024 | 2048 | 28672


def sql_statements(script: str) -> list[str]:
    """Split the fixture into statements: `--` comment lines dropped, `;` at a line end ends one."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [stmt.strip() for stmt in re.split(r";\s*$", "\n".join(lines), flags=re.M) if stmt.strip()]


def md5(value: str) -> str:
    return hashlib.md5(value.encode()).hexdigest()


# --- the database ------------------------------------------------------------------------------------------


async def insert(engine: AsyncEngine, table: str, *rows: dict[str, Any]) -> list[int]:
    """Insert rows with plain SQL (not hitcircle's schema) and return their auto-increment ids."""
    ids = []
    async with engine.begin() as conn:
        for row in rows:
            columns = ", ".join(f"`{name}`" for name in row)
            values = ", ".join(f":{name}" for name in row)
            result = await conn.execute(text(f"INSERT INTO `{table}` ({columns}) VALUES ({values})"), row)
            ids.append(int(result.lastrowid or 0))
    return ids


def user(name: str, safe_name: str, priv: int, country: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "safe_name": safe_name,
        "email": f"{uuid.uuid5(uuid.NAMESPACE_DNS, safe_name).hex[:12]}@example.com",
        "priv": priv,
        "pw_bcrypt": "$2b$12$" + hashlib.sha256(name.encode()).hexdigest()[:53],
        "country": country,
        "creation_time": 1_650_000_000,
        "latest_activity": 1_700_000_000,
        **extra,
    }


async def fill_like_a_live_server(engine: AsyncEngine) -> dict[str, int]:
    """Rows a bancho.py server in use has: players (one restricted, one never logged in), stats, maps,
    scores, a clan, friends and blocks, and at least one row in every other table."""
    ids = await insert(
        engine,
        "users",
        user(
            "Owner",
            "owner",
            OWNER_PRIV,
            "ca",
            api_key=str(uuid.UUID(int=3)),
            donor_end=2_000_000_000,
            userpage_content="[b]hello[/b] ünïcödé",
            custom_badge_name="Dev",
            custom_badge_icon="fas fa-code",
            preferred_mode=4,
            play_style=3,
        ),
        user("ゆき", "ゆき", 3, "jp", preferred_mode=1),
        user("Jöhn Dœ", "jöhn_dœ", 3, "de", silence_end=1_700_003_600),
        user("cheater", "cheater", 2, "us"),  # restricted: VERIFIED without UNRESTRICTED
        user("newbie", "newbie", 1, "xx"),  # registered, never logged in
        user("deleted", "deleted", 3, "fr"),
    )
    owner, yuki, john, cheater, newbie, deleted = ids
    assert ids == [3, 4, 5, 6, 7, 8], "AUTO_INCREMENT = 3: the first player is user 3"
    players = [owner, yuki, john, cheater, newbie, deleted]
    await insert(engine, "stats", *({"id": uid, "mode": mode} for uid in players for mode in MODES))
    async with engine.begin() as conn:
        # An operator removed the newest account: the counter keeps its id from being handed out again.
        await conn.execute(text("DELETE FROM stats WHERE id = :id"), {"id": deleted})
        await conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": deleted})
        await conn.execute(
            text(
                "UPDATE stats SET tscore = 123456789012, rscore = 98765432100, pp = 4321, plays = 1234, "
                "playtime = 360000, acc = 98.765, max_combo = 2345, total_hits = 987654, replay_views = 12,"
                " xh_count = 5, x_count = 10, sh_count = 20, s_count = 40, a_count = 80 "
                "WHERE id = :id AND mode = 0"
            ),
            {"id": owner},
        )
        await conn.execute(
            text("UPDATE stats SET pp = 812, plays = 40, acc = 96.5 WHERE id = :id AND mode = 4"),
            {"id": yuki},
        )
        await conn.execute(text("UPDATE stats SET pp = 9999 WHERE id = :id AND mode = 0"), {"id": cheater})

    maps = [
        {"server": "osu!", "id": 315, "set_id": 141, "status": 2, "md5": md5("map315"),
         "artist": "Hige Driver join. SELEN", "title": "Dear Brave", "version": "Insane",
         "creator": "mapper", "filename": "Hige Driver join. SELEN - Dear Brave (mapper) [Insane].osu",
         "last_update": datetime(2014, 5, 18, 15, 41, 48), "total_length": 142, "max_combo": 706,
         "plays": 3, "passes": 2, "mode": 0, "bpm": 174.0, "cs": 4.0, "ar": 9.0, "od": 8.0, "hp": 6.0,
         "diff": 5.419},
        {"server": "osu!", "id": 316, "set_id": 141, "status": 5, "md5": md5("map316"),
         "artist": "ひげドライバー", "title": "ディアブレイブ", "version": "Ōni", "creator": "mapper",
         "filename": "ひげドライバー - ディアブレイブ (mapper) [Ōni].osu", "frozen": 1,
         "last_update": datetime(2015, 1, 2, 3, 4, 5), "total_length": 141, "max_combo": 1203,
         "mode": 1, "bpm": 174.0, "cs": 5.0, "ar": 5.0, "od": 6.0, "hp": 5.0, "diff": 4.87},
        {"server": "private", "id": 50_000_001, "set_id": 50_000_000, "status": 0, "md5": md5("private"),
         "artist": "local", "title": "custom", "version": "Hard", "creator": "owner",
         "filename": "local - custom (owner) [Hard].osu", "last_update": datetime(2024, 2, 29, 23, 59, 59),
         "total_length": 60, "max_combo": 300, "mode": 3, "bpm": 120.5, "cs": 7.0, "ar": 5.0,
         "od": 7.0, "hp": 7.0, "diff": 2.5},
    ]  # fmt: skip
    await insert(engine, "maps", *maps)
    await insert(
        engine,
        "mapsets",
        {"server": "osu!", "id": 141, "last_osuapi_check": datetime(2024, 6, 1, 12, 0, 0)},
        {"server": "private", "id": 50_000_000, "last_osuapi_check": datetime(2024, 6, 2, 12, 0, 0)},
    )

    def score(uid: int, beatmap: dict[str, Any], **values: Any) -> dict[str, Any]:
        row = {
            "map_md5": beatmap["md5"], "score": 9_876_543, "pp": 312.456, "acc": 98.123, "max_combo": 700,
            "mods": 24, "n300": 600, "n100": 12, "n50": 1, "nmiss": 0, "ngeki": 120, "nkatu": 9,
            "grade": "SH", "status": 2, "mode": beatmap["mode"], "play_time": datetime(2024, 3, 1, 20, 15),
            "time_elapsed": 142_000, "client_flags": 0, "userid": uid, "perfect": 0,
            "online_checksum": md5(f"{uid}{beatmap['id']}{values}"),
        }  # fmt: skip
        return {**row, **values}

    score_ids = await insert(
        engine,
        "scores",
        score(owner, maps[0]),
        score(owner, maps[0], score=5_000_000, pp=201.5, grade="A", status=1, mods=0),
        score(owner, maps[0], score=120_000, pp=0.0, grade="F", status=0, nmiss=40, mods=1),
        score(yuki, maps[0], mode=4, mods=128, pp=412.0, perfect=1, grade="XH", acc=100.0),
        score(yuki, maps[1], score=1_234_567, pp=150.25, grade="S", mods=0),
        score(cheater, maps[0], pp=999.999, grade="XH", acc=100.0, perfect=1, client_flags=2),
    )
    (clan_id,) = await insert(
        engine, "clans", {"name": "Hitters", "tag": "HIT", "owner": owner, "created_at": datetime(2023, 1, 1)}
    )
    async with engine.begin() as conn:
        for uid, clan_priv in ((owner, 3), (john, 1)):
            await conn.execute(
                text("UPDATE users SET clan_id = :clan, clan_priv = :priv WHERE id = :id"),
                {"clan": clan_id, "priv": clan_priv, "id": uid},
            )
    await insert(
        engine,
        "relationships",
        {"user1": owner, "user2": yuki, "type": "friend"},
        {"user1": yuki, "user2": owner, "type": "friend"},
        {"user1": owner, "user2": cheater, "type": "block"},
    )
    achievement_ids = await insert(
        engine,
        "achievements",
        {"file": "osu-skill-pass-5", "name": "Rising Star", "desc": "Five stars, one pass.",
         "cond": "(score.mods & 1 == 0) and 5 <= score.sr < 6 and mode_vn == 0"},
        {"file": "osu-combo-500", "name": "500 Combo", "desc": "500 big ones!",
         "cond": "(score.max_combo >= 500) and mode_vn == 0"},
    )  # fmt: skip
    await insert(
        engine,
        "user_achievements",
        *({"userid": owner, "achid": a} for a in achievement_ids),
        {"userid": yuki, "achid": achievement_ids[1]},
    )
    (pool_id,) = await insert(
        engine, "tourney_pools", {"name": "OWC QF", "created_at": datetime(2024, 4, 1), "created_by": owner}
    )
    await insert(
        engine,
        "tourney_pool_maps",
        {"map_id": 315, "pool_id": pool_id, "mods": 0, "slot": 1},
        {"map_id": 316, "pool_id": pool_id, "mods": 8, "slot": 1},
    )
    await insert(
        engine,
        "client_hashes",
        {"userid": owner, "osupath": md5("path"), "adapters": md5("adapters"), "uninstall_id": md5("u"),
         "disk_serial": md5("disk"), "latest_time": datetime(2024, 3, 1, 20, 0), "occurrences": 12},
    )  # fmt: skip
    await insert(
        engine,
        "ingame_logins",
        {"userid": owner, "ip": "2001:db8::1", "osu_ver": date(2024, 1, 1), "osu_stream": "stable40",
         "datetime": datetime(2024, 3, 1, 19, 59)},
    )  # fmt: skip
    await insert(
        engine,
        "comments",
        {"target_id": score_ids[0], "target_type": "replay", "userid": yuki, "time": 71_000,
         "comment": "nice pass ✓", "colour": "ff66aa"},
        {"target_id": 141, "target_type": "song", "userid": john, "time": 1_000, "comment": "bop",
         "colour": None},
    )  # fmt: skip
    await insert(engine, "favourites", {"userid": owner, "setid": 141, "created_at": 1_700_000_100})
    await insert(
        engine,
        "logs",
        {"from": owner, "to": cheater, "action": "restrict", "msg": "impossible pp",
         "time": datetime(2024, 3, 2, 9, 0)},
    )  # fmt: skip
    await insert(
        engine, "mail", {"from_id": owner, "to_id": yuki, "msg": "gg ゆき", "time": 1_700_000_200, "read": 0}
    )
    await insert(
        engine,
        "map_requests",
        {"map_id": 316, "player_id": yuki, "datetime": datetime(2024, 3, 3), "active": 1},
    )
    await insert(
        engine,
        "performance_reports",
        {"scoreid": score_ids[0], "os": "Windows 10", "fullscreen": 1, "fps_cap": "240",
         "compatibility": 0, "version": "20240123", "start_time": 1_000, "end_time": 143_000,
         "frame_count": 34_000, "spike_frames": 3, "aim_rate": 1000, "completion": 1,
         "identifier": None, "average_frametime": 4166},
    )  # fmt: skip
    await insert(engine, "ratings", {"userid": yuki, "map_md5": maps[0]["md5"], "rating": 9})
    await insert(
        engine, "startups", {"ver_major": 5, "ver_minor": 3, "ver_micro": 0, "datetime": datetime(2024, 1, 1)}
    )
    return {"players": 5, "deleted_user": deleted}


# --- snapshots ---------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Reflection results as comparable plain data (types by their full repr, charset included)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def schema_snapshot(conn: Connection) -> dict[str, dict[str, Any]]:
    inspector = inspect(conn)
    tables: dict[str, dict[str, Any]] = {}
    for name in sorted(inspector.get_table_names()):
        create = conn.exec_driver_sql(f"SHOW CREATE TABLE `{name}`").one()[1]
        tables[name] = {
            "columns": _plain(inspector.get_columns(name)),
            "primary_key": _plain(inspector.get_pk_constraint(name)),
            "unique": _plain(sorted(inspector.get_unique_constraints(name), key=lambda u: str(u["name"]))),
            "indexes": {str(i["name"]): _plain(i) for i in inspector.get_indexes(name)},
            "foreign_keys": _plain(inspector.get_foreign_keys(name)),
            "options": _plain(inspector.get_table_options(name)),
            # The server's own account of the table, minus the counter (checked on its own below).
            "create": re.sub(r" AUTO_INCREMENT=\d+", "", create),
            "auto_increment": _auto_increment(create),
        }
    return tables


def _auto_increment(create_table: str) -> int | None:
    found = re.search(r"\) ENGINE=.* AUTO_INCREMENT=(\d+)", create_table)
    return int(found.group(1)) if found else None


def rows_snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    inspector = inspect(conn)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for name in sorted(set(inspector.get_table_names()) - ADDED_TABLES):
        columns = [c["name"] for c in inspector.get_columns(name)]
        order = inspector.get_pk_constraint(name)["constrained_columns"] or columns
        query = f"SELECT * FROM `{name}` ORDER BY {', '.join(f'`{c}`' for c in order)}"
        rows[name] = [tuple(row) for row in conn.exec_driver_sql(query)]
    return rows


@dataclass
class Snapshot:
    schema: dict[str, dict[str, Any]]
    rows: dict[str, list[tuple[Any, ...]]]


async def snapshot(engine: AsyncEngine) -> Snapshot:
    async with engine.connect() as conn:
        return Snapshot(await conn.run_sync(schema_snapshot), await conn.run_sync(rows_snapshot))


# --- the upgrade, as an operator runs it ----------------------------------------------------------------


@dataclass
class Upgrade:
    returncode: int
    stdout: str
    stderr: str


async def hitcircle_db_upgrade(database_url: str, workdir: Path) -> Upgrade:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "AUTO_MIGRATE", "DATA_DIR")}
    env.update(DATABASE_URL=database_url, DATA_DIR=str(workdir / "data"), LOG_LEVEL="WARNING")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hitcircle",
        "db",
        "upgrade",
        cwd=workdir,  # no stray .env
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    return Upgrade(process.returncode or 0, stdout.decode(), stderr.decode())


@dataclass
class LegacyDatabase:
    url: str
    expected: dict[str, int]
    before: Snapshot
    first: Upgrade
    after: Snapshot
    second: Upgrade
    after_second: Snapshot


@pytest.fixture(scope="module")
async def legacy(
    server_databases: ServerDatabases, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LegacyDatabase]:
    url = await server_databases.create("mysql", f"hc_legacy_{uuid.uuid4().hex[:8]}")
    engine = create_async_engine(make_url(url).update_query_dict({"charset": "utf8mb4"}))
    try:
        async with engine.begin() as conn:
            for statement in sql_statements(BASE_SQL.read_text(encoding="utf-8")):
                await conn.exec_driver_sql(statement)
        expected = await fill_like_a_live_server(engine)
        before = await snapshot(engine)
        workdir = tmp_path_factory.mktemp("legacy")
        first = await hitcircle_db_upgrade(url, workdir)
        after = await snapshot(engine)
        second = await hitcircle_db_upgrade(url, workdir)
        after_second = await snapshot(engine)
        yield LegacyDatabase(url, expected, before, first, after, second, after_second)
    finally:
        await engine.dispose()


# --- what the operator may rely on ---------------------------------------------------------------------


def upgraded(legacy: LegacyDatabase) -> LegacyDatabase:
    """The checks below mean nothing unless `hitcircle db upgrade` ran to the end."""
    assert legacy.first.returncode == 0, f"hitcircle db upgrade failed:\n{legacy.first.stderr}"
    return legacy


def test_fixture_is_a_fresh_banchopy_install(legacy: LegacyDatabase) -> None:
    schema, rows = legacy.before.schema, legacy.before.rows
    assert len(schema) == 22
    assert schema["maps"]["primary_key"]["constrained_columns"] == ["server", "id"]
    assert (
        "CHARACTER SET utf8mb3" in schema["users"]["create"] or "CHARSET=utf8 " in schema["users"]["create"]
    )
    assert [r[1] for r in rows["channels"]][:3] == ["#osu", "#announce", "#lobby"]
    assert len(rows["channels"]) == 7
    assert [(r[0], r[1]) for r in rows["stats"] if r[0] == BOT_ID] == [(BOT_ID, m) for m in MODES]
    assert rows["users"][0][:3] == (BOT_ID, "BanchoBot", "banchobot")


def test_upgrade_succeeds(legacy: LegacyDatabase) -> None:
    assert legacy.first.returncode == 0, legacy.first.stderr
    assert "Traceback" not in legacy.first.stderr
    assert "(was unversioned)" in legacy.first.stdout


def test_no_table_or_column_changes(legacy: LegacyDatabase) -> None:
    legacy = upgraded(legacy)
    before, after = legacy.before.schema, legacy.after.schema
    assert set(after) - set(before) <= ADDED_TABLES, "only alembic_version may be added"
    assert set(before) <= set(after), "no table may disappear"
    for name, table in before.items():
        assert after[name]["columns"] == table["columns"], name
        assert after[name]["options"] == table["options"], name


def test_keys_and_indexes_unchanged_only_hc_indexes_added(legacy: LegacyDatabase) -> None:
    legacy = upgraded(legacy)
    before, after = legacy.before.schema, legacy.after.schema
    for name, table in before.items():
        now = after[name]
        assert now["primary_key"] == table["primary_key"], name
        assert now["unique"] == table["unique"], name
        assert now["foreign_keys"] == table["foreign_keys"], name
        for index_name, index in table["indexes"].items():
            assert now["indexes"].get(index_name) == index, f"{name}.{index_name} changed"
        added = set(now["indexes"]) - set(table["indexes"])
        assert all(i.startswith(ADDED_INDEX_PREFIX) for i in added), f"{name}: {added}"
        # SHOW CREATE TABLE, with hitcircle's added index lines taken out, reads exactly as before.
        kept = "\n".join(
            line
            for line in now["create"].splitlines()
            if not line.strip().startswith(f"KEY `{ADDED_INDEX_PREFIX}")
        )
        assert kept.replace(",\n)", "\n)") == table["create"].replace(",\n)", "\n)"), name
    assert any(i.startswith(ADDED_INDEX_PREFIX) for i in after["scores"]["indexes"])


def test_every_row_identical(legacy: LegacyDatabase) -> None:
    legacy = upgraded(legacy)
    assert legacy.after.rows == legacy.before.rows


def test_auto_increment_counters_unchanged(legacy: LegacyDatabase) -> None:
    """A deleted account's id must not be handed out again: bancho.py's data (scores, replays,
    avatars) may still refer to it."""
    legacy = upgraded(legacy)
    counters_before = {name: t["auto_increment"] for name, t in legacy.before.schema.items()}
    counters_after = {name: legacy.after.schema[name]["auto_increment"] for name in counters_before}
    assert counters_before["users"] == legacy.expected["deleted_user"] + 1
    assert counters_after == counters_before


def test_second_upgrade_is_a_no_op(legacy: LegacyDatabase) -> None:
    legacy = upgraded(legacy)
    assert legacy.second.returncode == 0, legacy.second.stderr
    assert "(was unversioned)" not in legacy.second.stdout
    assert legacy.after_second == legacy.after


async def test_app_serves_the_database(legacy: LegacyDatabase, tmp_path: Path) -> None:
    legacy = upgraded(legacy)
    app = create_app(make_settings(legacy.url, tmp_path / "data"))
    await app.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=API) as client:
            response = await client.get("/v1/get_player_count")
    finally:
        await app.shutdown()
    assert response.status_code == 200
    non_bot_users = len([row for row in legacy.before.rows["users"] if row[0] != BOT_ID])
    assert non_bot_users == legacy.expected["players"]
    assert response.json() == {"status": "success", "counts": {"online": 0, "total": non_bot_users}}
