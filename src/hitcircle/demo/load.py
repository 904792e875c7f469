"""`load_demo`: write the demo data set (`demo.dataset`) into the configured database and data folder.

Players are registered with `AccountService.register` (bcrypt passwords, `stats` rows), beatmaps imported
with `BeatmapService.import_osu_files`; everything else (scores, `stats` totals, clans, the map pool,
relationships) is written with SQLAlchemy Core, so it works on SQLite, MariaDB/MySQL and PostgreSQL.

Idempotent: the demo players are recognised by name, and each part is added only when missing:

* a player whose name exists is reused as is (never re-registered or changed);
* beatmaps are re-imported (unchanged files change nothing);
* scores, with their `stats` totals and map play counts, are written in one transaction, and only when no
  demo player has any score yet;
* replay files are written for every passed demo score whose file is missing;
* clans, the pool, relationships and the API key are created when absent (an existing key is kept).

Running it again therefore adds nothing and keeps ids and the API key. To start over, use a fresh
database. With REDIS_URL set the rank sets are rebuilt at the end.
"""

from __future__ import annotations

import asyncio
import calendar
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.db import schema
from hitcircle.demo import dataset
from hitcircle.demo.scores import (
    DemoScore,
    MapFacts,
    assign_statuses,
    generate_scores,
    map_counts,
    player_stats,
)
from hitcircle.services.accounts import Account, AccountError
from hitcircle.services.beatmaps import Beatmap, utc_now
from hitcircle.services.container import Services
from hitcircle.services.pp import (
    HitCounts,
    PerformanceCalculator,
    PpBackendUnavailable,
    RosuCalculator,
    ScoreParams,
    calculate_in_thread,
    make_calculator,
)

#: (step name, done, total): called as the load progresses
ProgressCallback = Callable[[str, int, int], None]
scores_t, stats_t, users_t, maps_t = schema.scores, schema.stats, schema.users, schema.maps
clans_t, pools_t, pool_maps_t = schema.clans, schema.tourney_pools, schema.tourney_pool_maps
relationships_t = schema.relationships


class DemoError(Exception):
    """The demo could not be loaded; the message is one line meant for a person."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    added: bool  # False when the demo was already complete and nothing was written
    players: tuple[tuple[int, str], ...]  # (id, name), in dataset order
    password: str
    api_key_owner: tuple[int, str]
    api_key: str
    map_ids: tuple[int, ...]
    loved_map_ids: tuple[int, ...]
    scores: int
    replays: int
    clan_ids: tuple[int, ...]
    pool_id: int
    example_score_id: int  # the key owner's best std score (it has a replay)


class _Steps:
    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self.total = len(dataset.PLAYERS) + len(dataset.MAPS) + 4
        self.done = 0

    def advance(self, step: str, units: int = 1) -> None:
        self.done += units
        if self._callback is not None:
            self._callback(step, self.done, self.total)


async def load_demo(services: Services, progress: ProgressCallback | None = None) -> DemoSummary:
    """Load the demo data set (see the module docstring); raises DemoError."""
    steps = _Steps(progress)
    engine = services.runtime.engine
    accounts, added = await _ensure_players(services, steps)
    beatmaps, changed_maps = await _ensure_beatmaps(services, steps)
    added += changed_maps
    ids = [accounts[p.name].id for p in dataset.PLAYERS]
    added += await _ensure_scores(services, accounts, beatmaps)
    steps.advance("scores")
    added += await _ensure_replays(services, ids)
    steps.advance("replays")
    clan_ids, clans_added = await _ensure_clans(engine, accounts)
    pool_id, pool_added = await _ensure_pool(engine, accounts)
    added += clans_added + pool_added + await _ensure_relationships(engine, accounts)
    owner = accounts[dataset.KEY_OWNER]
    api_key = owner.api_key
    if not api_key:
        api_key = await services.accounts.create_api_key(owner.id)
        added += 1
    steps.advance("clans, pool, friends")
    await services.ranks.rebuild()
    steps.advance("ranks")
    score_count, replays, example = await _score_summary(services, ids, owner.id)
    return DemoSummary(
        added=added > 0,
        players=tuple((accounts[p.name].id, p.name) for p in dataset.PLAYERS),
        password=dataset.DEMO_PASSWORD,
        api_key_owner=(owner.id, owner.name),
        api_key=api_key,
        map_ids=tuple(m.id for m in dataset.MAPS),
        loved_map_ids=tuple(m.id for m in dataset.MAPS if m.status == RankedStatus.LOVED),
        scores=score_count,
        replays=replays,
        clan_ids=clan_ids,
        pool_id=pool_id,
        example_score_id=example,
    )


# --- players and beatmaps ---------------------------------------------------------------------------------
async def _ensure_players(services: Services, steps: _Steps) -> tuple[dict[str, Account], int]:
    accounts: dict[str, Account] = {}
    added = 0
    for player in dataset.PLAYERS:
        account = await services.accounts.find_by_name(player.name)
        if account is None:
            try:
                account = await services.accounts.register(
                    player.name, player.email, dataset.DEMO_PASSWORD, country=player.country, priv=player.priv
                )
            except AccountError as exc:
                raise DemoError(f"cannot register demo player {player.name}: {exc}") from None
            added += 1
        accounts[player.name] = account
        steps.advance("players")
    return accounts, added


async def _ensure_beatmaps(services: Services, steps: _Steps) -> tuple[dict[int, Beatmap], int]:
    beatmaps: dict[int, Beatmap] = {}
    changed = 0
    for status in (RankedStatus.RANKED, RankedStatus.LOVED):
        paths = [m.path for m in dataset.MAPS if m.status == status]
        results = await services.beatmaps.import_osu_files(
            paths, lambda _: steps.advance("beatmaps"), status=status
        )
        for result in results:
            if result.beatmap is None:
                raise DemoError(f"cannot import demo beatmap {result.path.name}: {result.error}")
            beatmaps[result.beatmap.id] = result.beatmap
            changed += result.outcome != "unchanged"
    missing = {m.id for m in dataset.MAPS} - set(beatmaps)
    if missing:
        raise DemoError(f"demo beatmaps imported under other ids: {sorted(missing)} missing")
    return beatmaps, changed


# --- scores, stats, replays -------------------------------------------------------------------------------
def _map_facts(path: Path, beatmap: Beatmap) -> MapFacts:
    """Object counts of a map, from rosu-pp-py's SS score state."""
    import rosu_pp_py

    state = rosu_pp_py.Performance(lazer=False).calculate(rosu_pp_py.Beatmap(path=str(path))).state
    if state is None:
        raise DemoError(f"cannot count the objects of demo beatmap {beatmap.id}")
    mode = beatmap.mode
    return MapFacts(
        id=beatmap.id,
        md5=beatmap.md5,
        mode=mode,
        status=beatmap.status,
        max_combo=beatmap.max_combo,
        length=beatmap.total_length,
        objects=int(state.n300 + state.n_geki) if mode == 3 else int(state.n300),
        droplets=int(state.n100) if mode == 2 else 0,
        tiny_droplets=int(state.n50) if mode == 2 else 0,
    )


def _pp_params(score: DemoScore) -> ScoreParams:
    h = score.hits
    vanilla = score.mode % 4
    if vanilla == 3:
        hits = HitCounts(ngeki=h.ngeki, nkatu=h.nkatu, n100=h.n100, n50=h.n50)
    elif vanilla == 2:
        hits = HitCounts(nkatu=h.nkatu, n100=h.n100, n50=h.n50)
    else:
        hits = HitCounts(n100=h.n100, n50=h.n50)
    return ScoreParams(mode=vanilla, mods=score.mods, hits=hits, misses=h.nmiss, combo=score.max_combo)


def _calculator(services: Services) -> PerformanceCalculator:
    try:
        return make_calculator(services.runtime.settings)
    except PpBackendUnavailable:
        return RosuCalculator()


async def _osu_files(services: Services, beatmaps: dict[int, Beatmap]) -> dict[int, Path]:
    files: dict[int, Path] = {}
    for map_id, beatmap in beatmaps.items():
        path = await services.beatmaps.ensure_osu_file(beatmap)
        if path is None:
            raise DemoError(
                f"the file of demo beatmap {map_id} is missing from {services.runtime.paths.beatmaps}"
            )
        files[map_id] = path
    return files


async def _ensure_scores(
    services: Services, accounts: dict[str, Account], beatmaps: dict[int, Beatmap]
) -> int:
    engine = services.runtime.engine
    user_ids = {name: account.id for name, account in accounts.items()}
    async with engine.connect() as conn:
        query = select(func.count()).select_from(scores_t).where(scores_t.c.userid.in_(user_ids.values()))
        if int((await conn.execute(query)).scalar_one()):
            return 0
    files = await _osu_files(services, beatmaps)
    facts = {i: await asyncio.to_thread(_map_facts, files[i], b) for i, b in beatmaps.items()}
    scores = generate_scores(facts, utc_now())
    calculator = _calculator(services)
    by_map: dict[int, list[DemoScore]] = defaultdict(list)
    for score in scores:
        if score.passed:
            by_map[score.beatmap.id].append(score)
    for map_id, group in by_map.items():
        params = [_pp_params(s) for s in group]
        results = await calculate_in_thread(calculator, files[map_id], params, md5=beatmaps[map_id].md5)
        for score, result in zip(group, results, strict=True):
            score.pp = result.pp
    assign_statuses(scores)
    async with engine.begin() as conn:
        for score in scores:
            await conn.execute(insert(scores_t).values(**score.row(user_ids[score.player.name])))
        for (name, mode), values in player_stats(scores).items():
            await conn.execute(
                update(stats_t).where(stats_t.c.id == user_ids[name], stats_t.c.mode == mode).values(**values)
            )
        for map_id, (plays, passes) in map_counts(scores).items():
            await conn.execute(
                update(maps_t)
                .where(maps_t.c.id == map_id)
                .values(plays=maps_t.c.plays + plays, passes=maps_t.c.passes + passes)
            )
        for name, user_id in user_ids.items():
            times = [calendar.timegm(s.play_time.timetuple()) for s in scores if s.player.name == name]
            if times:
                created = min(times) - int(timedelta(days=30).total_seconds())
                await conn.execute(
                    update(users_t)
                    .where(users_t.c.id == user_id)
                    .values(creation_time=created, latest_activity=max(times))
                )
    return len(scores)


def _write_missing(files: Sequence[tuple[Path, str]]) -> int:
    frames: dict[str, bytes] = {}
    written = 0
    for path, kind in files:
        if path.exists():
            continue
        if kind not in frames:
            frames[kind] = (dataset.REPLAY_FILES / f"{kind}.lzma").read_bytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(frames[kind])
        written += 1
    return written


async def _ensure_replays(services: Services, user_ids: list[int]) -> int:
    """`<DATA_DIR>/osr/<id>.osr` (raw LZMA frames, as uploaded) for every passed demo score lacking one."""
    query = select(scores_t.c.id, scores_t.c.mode).where(
        scores_t.c.userid.in_(user_ids), scores_t.c.status > 0
    )
    async with services.runtime.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    paths = services.runtime.paths
    files = [(paths.replay(int(r.id)), dataset.REPLAY_OF_MODE[int(r.mode) % 4]) for r in rows]
    return await asyncio.to_thread(_write_missing, files)


async def _score_summary(services: Services, user_ids: list[int], owner_id: int) -> tuple[int, int, int]:
    """(demo scores, passed demo scores with a replay file, the key owner's best std score id)."""
    async with services.runtime.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(scores_t.c.id, scores_t.c.status).where(scores_t.c.userid.in_(user_ids))
            )
        ).all()
        example_query = (
            select(scores_t.c.id)
            .where(scores_t.c.userid == owner_id, scores_t.c.mode == 0, scores_t.c.status == 2)
            .order_by(scores_t.c.pp.desc(), scores_t.c.id)
            .limit(1)
        )
        example = (await conn.execute(example_query)).scalar()
    paths = services.runtime.paths
    passed = [int(r.id) for r in rows if int(r.status) > 0]
    replays = await asyncio.to_thread(lambda: sum(paths.replay(i).exists() for i in passed))
    return len(rows), replays, int(example or 0)


# --- clans, pool, relationships ---------------------------------------------------------------------------
async def _ensure_clans(engine: AsyncEngine, accounts: dict[str, Account]) -> tuple[tuple[int, ...], int]:
    ids: list[int] = []
    added = 0
    async with engine.begin() as conn:
        for clan in dataset.CLANS:
            found = (await conn.execute(select(clans_t.c.id).where(clans_t.c.name == clan.name))).scalar()
            if found is None:
                values = {
                    "name": clan.name,
                    "tag": clan.tag,
                    "owner": accounts[clan.owner].id,
                    "created_at": utc_now() - timedelta(days=clan.age_days),
                }
                result = await conn.execute(insert(clans_t).values(**values))
                found = int(result.inserted_primary_key[0])  # type: ignore[index]
                added += 1
                ranks = [(clan.owner, 3)]
                ranks += [(name, 2) for name in clan.officers] + [(name, 1) for name in clan.members]
                for name, clan_priv in ranks:
                    await conn.execute(
                        update(users_t)
                        .where(users_t.c.id == accounts[name].id)
                        .values(clan_id=found, clan_priv=clan_priv)
                    )
            ids.append(int(found))
    return tuple(ids), added


async def _ensure_pool(engine: AsyncEngine, accounts: dict[str, Account]) -> tuple[int, int]:
    creator = accounts[dataset.POOL_CREATOR].id
    async with engine.begin() as conn:
        query = select(pools_t.c.id).where(
            pools_t.c.name == dataset.POOL_NAME, pools_t.c.created_by == creator
        )
        found = (await conn.execute(query)).scalar()
        if found is not None:
            return int(found), 0
        values = {"name": dataset.POOL_NAME, "created_at": utc_now(), "created_by": creator}
        result = await conn.execute(insert(pools_t).values(**values))
        pool_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        rows = [
            {"map_id": m, "pool_id": pool_id, "mods": mods, "slot": slot}
            for m, mods, slot in dataset.POOL_MAPS
        ]
        await conn.execute(insert(pool_maps_t), rows)
    return pool_id, 1


async def _ensure_relationships(engine: AsyncEngine, accounts: dict[str, Account]) -> int:
    ids = [a.id for a in accounts.values()]
    async with engine.begin() as conn:
        query = select(relationships_t.c.user1, relationships_t.c.user2).where(
            relationships_t.c.user1.in_(ids)
        )
        existing = {(int(r.user1), int(r.user2)) for r in (await conn.execute(query)).all()}
        missing = [
            {"user1": accounts[a].id, "user2": accounts[b].id, "type": kind}
            for a, b, kind in dataset.RELATIONSHIPS
            if (accounts[a].id, accounts[b].id) not in existing
        ]
        if missing:
            await conn.execute(insert(relationships_t), missing)
    return len(missing)
