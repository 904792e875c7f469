"""Create missing schema objects and seed rows without touching what already exists."""

from __future__ import annotations

import re
import time

from sqlalchemy import Connection, Table, func, inspect, select, text

from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.db import schema

BOT_ID = 1
BOT_NAME = "BanchoBot"
#: Ids below this are reserved (1 = the bot, 2 = reserved as in bancho.py); players start here.
FIRST_PLAYER_ID = 3

#: (name, topic, read_priv, write_priv, auto_join) — bancho.py's default channels.
DEFAULT_CHANNELS: tuple[tuple[str, str, int, int, bool], ...] = (
    ("#osu", "General discussion.", 1, 2, True),
    ("#announce", "Exemplary performance and public announcements.", 1, 24576, True),
    ("#lobby", "Multiplayer lobby discussion room.", 1, 2, False),
    ("#supporter", "General discussion for supporters.", 48, 48, False),
    ("#staff", "General discussion for staff members.", 28672, 28672, True),
    ("#admin", "General discussion for administrators.", 24576, 24576, True),
    ("#dev", "General discussion for developers.", 16384, 16384, True),
)


def ensure_schema(conn: Connection) -> None:
    inspector = inspect(conn)
    existing = set(inspector.get_table_names())
    for table in schema.metadata.sorted_tables:
        if table.name not in existing:
            table.create(conn, checkfirst=True)
        else:
            _ensure_indexes(conn, table)


def _ensure_indexes(conn: Connection, table: Table) -> None:
    """Add plain indexes we define that an existing table lacks (matched by column list, not name)."""
    inspector = inspect(conn)
    covered: set[tuple[str, ...]] = set()
    for idx in inspector.get_indexes(table.name):
        covered.add(tuple(str(c) for c in idx["column_names"] if c is not None))
    for uq in inspector.get_unique_constraints(table.name):
        covered.add(tuple(uq["column_names"]))
    pk = inspector.get_pk_constraint(table.name)
    if pk and pk.get("constrained_columns"):
        covered.add(tuple(pk["constrained_columns"]))
    existing_names = {idx["name"] for idx in inspector.get_indexes(table.name)}
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        cols = tuple(c.name for c in index.columns)
        if index.unique or cols in covered or index.name in existing_names:
            continue
        index.create(conn)


def ensure_seed_rows(conn: Connection) -> None:
    users, stats, channels = schema.users, schema.stats, schema.channels
    now = int(time.time())
    if conn.execute(select(users.c.id).where(users.c.id == BOT_ID)).first() is None:
        conn.execute(
            users.insert().values(
                id=BOT_ID,
                name=BOT_NAME,
                safe_name=BOT_NAME.lower(),
                email="bot@hitcircle.invalid",
                priv=1,
                pw_bcrypt="_" * 60,
                country="ca",
                creation_time=now,
                latest_activity=now,
            )
        )
    have = {row[0] for row in conn.execute(select(stats.c.mode).where(stats.c.id == BOT_ID))}
    missing = [{"id": BOT_ID, "mode": m} for m in VALID_MODES if m not in have]
    if missing:
        conn.execute(stats.insert(), missing)
    names = {row[0] for row in conn.execute(select(channels.c.name))}
    rows = [
        {"name": n, "topic": t, "read_priv": r, "write_priv": w, "auto_join": int(a)}
        for n, t, r, w, a in DEFAULT_CHANNELS
        if n not in names
    ]
    if rows:
        conn.execute(channels.insert(), rows)
    reserve_player_ids(conn)


def reserve_player_ids(conn: Connection) -> None:
    """Make the next auto-increment user id at least FIRST_PLAYER_ID."""
    floor = FIRST_PLAYER_ID - 1
    dialect = conn.dialect.name
    if dialect == "sqlite":
        row = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'users'")).first()
        if row is None:
            conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('users', :s)"), {"s": floor})
        elif row[0] < floor:
            conn.execute(text("UPDATE sqlite_sequence SET seq = :s WHERE name = 'users'"), {"s": floor})
    elif dialect in ("mysql", "mariadb"):
        # Only ever raise the counter: lowering it would hand a deleted account's id to a new player.
        create = str(conn.exec_driver_sql("SHOW CREATE TABLE users").one()[1])
        found = re.search(r"AUTO_INCREMENT=(\d+)", create)
        if (int(found.group(1)) if found else 1) < FIRST_PLAYER_ID:
            highest = conn.execute(select(func.max(schema.users.c.id))).scalar() or 0
            conn.execute(text(f"ALTER TABLE users AUTO_INCREMENT = {max(int(highest), floor) + 1}"))
    elif dialect == "postgresql":
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('users', 'id'), GREATEST("
                "(SELECT COALESCE(MAX(id), 0) FROM users), :s, "
                "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM users_id_seq)))"
            ),
            {"s": floor},
        )
