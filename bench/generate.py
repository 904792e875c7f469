"""Generate a realistic, skewed hitcircle dataset into SQLite, MariaDB/MySQL or PostgreSQL.

    python bench/generate.py --database-url sqlite:///bench/.data/hc_bench_1000000.db
    python bench/generate.py --database-url mysql://root@127.0.0.1:3306/hc_bench_10000 --scores 10000

Defaults: 100k users, 1M scores, 20k maps, 1k clans. Given only --scores, the other sizes keep those
proportions (10k scores -> 1k users, 200 maps, 10 clans). The schema comes from hitcircle's migrations.
A database that already holds players, scores or maps is refused unless --force (which empties it).
Besides the data, a sidecar JSON (`<sqlite file>.bench.json`, or --sample-out) lists hot and cold
parameters (players, maps, scores, clans, pools, search text) for `bench/run.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from loaders import NotEmptyError, database_name, dialect_of, ensure_database, make_loader, prepare_schema
from plays import SCORE_COLUMNS, Plays
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.engine import make_url
from world import Sizes, World

from hitcircle.config import normalise_database_url

BENCH_DIR = Path(__file__).resolve().parent
CHUNK = 10_000
#: version of the sidecar's layout and sample; `run.py --reuse` regenerates datasets with another one
SAMPLE_FORMAT = 3
T = TypeVar("T")

COLUMNS: dict[str, tuple[str, ...]] = {
    "scores": SCORE_COLUMNS,
    "maps": (
        "server", "id", "set_id", "status", "md5", "artist", "title", "version", "creator", "filename",
        "last_update", "total_length", "max_combo", "frozen", "plays", "passes", "mode", "bpm", "cs", "ar",
        "od", "hp", "diff",
    ),
    "mapsets": ("server", "id", "last_osuapi_check"),
    "users": (
        "id", "name", "safe_name", "email", "priv", "pw_bcrypt", "country", "silence_end", "donor_end",
        "creation_time", "latest_activity", "clan_id", "clan_priv", "preferred_mode", "play_style",
        "custom_badge_name", "custom_badge_icon", "userpage_content", "api_key",
    ),
    "stats": (
        "id", "mode", "tscore", "rscore", "pp", "plays", "playtime", "acc", "max_combo", "total_hits",
        "replay_views", "xh_count", "x_count", "sh_count", "s_count", "a_count",
    ),
    "clans": ("id", "name", "tag", "owner", "created_at"),
    "tourney_pools": ("id", "name", "created_at", "created_by"),
    "tourney_pool_maps": ("map_id", "pool_id", "mods", "slot"),
    "relationships": ("user1", "user2", "type"),
}  # fmt: skip


def batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def default_sample_path(url: str) -> Path:
    url = normalise_database_url(url)
    if dialect_of(url) == "sqlite":
        return Path(f"{make_url(url).database}.bench.json")
    return BENCH_DIR / ".data" / f"{database_name(url)}.{dialect_of(url)}.bench.json"


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
    )


async def generate(
    url: str,
    sizes: Sizes,
    *,
    seed: int = 1,
    force: bool = False,
    sample_out: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Fill the database at `url`; returns (and writes) the sidecar with the sample and timings."""
    started = time.monotonic()
    await ensure_database(url)
    await prepare_schema(url, force)
    world = World(sizes, seed, datetime.now(UTC).replace(tzinfo=None))
    plays = Plays(world)
    loader = make_loader(url)
    await loader.open()
    counts: dict[str, int] = {}
    timings: dict[str, float] = {}
    with _progress(progress) as bar:

        async def load(table: str, chunks: Iterable[Sequence[Any]], total: int) -> None:
            task = bar.add_task(table, total=total)
            began = time.monotonic()
            for chunk in chunks:
                await loader.write(table, COLUMNS[table], chunk)
                counts[table] = counts.get(table, 0) + len(chunk)
                bar.advance(task, len(chunk))
            bar.update(task, total=counts.get(table, 0), completed=counts.get(table, 0))
            timings[table] = round(time.monotonic() - began, 1)

        await load("scores", plays.chunks(CHUNK), sizes.scores)
        maps = world.map_rows(plays.map_plays, plays.map_passes)
        await load("maps", batched(maps, CHUNK), len(maps))
        mapsets = world.mapset_rows()
        await load("mapsets", batched(mapsets, CHUNK), len(mapsets))
        users = world.user_rows(plays.first_play, plays.last_play)
        await load("users", batched(users, CHUNK), len(users))
        await load("stats", batched(plays.stats_rows(), CHUNK), len(users) * 8)
        clans = world.clan_rows()
        await load("clans", batched(clans, CHUNK), len(clans))
        pools, pool_maps = world.pool_rows()
        await load("tourney_pools", [pools], len(pools))
        await load("tourney_pool_maps", [pool_maps], len(pool_maps))
        friends = world.relationship_rows()
        await load("relationships", batched(friends, CHUNK), len(friends))
        task = bar.add_task("indexes, analyze", total=1)
        began = time.monotonic()
        await loader.finish()
        timings["indexes"] = round(time.monotonic() - began, 1)
        bar.advance(task)
    sidecar = {
        "format": SAMPLE_FORMAT,
        "database": make_url(normalise_database_url(url)).render_as_string(hide_password=True),
        "dialect": dialect_of(normalise_database_url(url)),
        "sizes": {"users": sizes.users, "scores": sizes.scores, "maps": sizes.maps, "clans": sizes.clans},
        "seed": seed,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": counts,
        "seconds": {"total": round(time.monotonic() - started, 1), **timings},
        "sample": plays.sample(),
    }
    path = sample_out or default_sample_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sidecar, indent=1))
    return sidecar


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", required=True, help="sqlite:///file.db, mysql://..., postgresql://..."
    )
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, help="default: scores / 10")
    parser.add_argument("--maps", type=int, help="default: scores / 50")
    parser.add_argument("--clans", type=int, help="default: scores / 1000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="empty a database that already has data")
    parser.add_argument("--sample-out", type=Path, help="where to write the sidecar JSON")
    parser.add_argument("--no-progress", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = Sizes.scaled(args.scores, args.users, args.maps, args.clans)
    try:
        sidecar = asyncio.run(
            generate(
                args.database_url,
                sizes,
                seed=args.seed,
                force=args.force,
                sample_out=args.sample_out,
                progress=not args.no_progress,
            )
        )
    except (NotEmptyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{table} {count:,}" for table, count in sidecar["rows"].items())
    print(f"generated in {sidecar['seconds']['total']:.1f} s: {rows}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
