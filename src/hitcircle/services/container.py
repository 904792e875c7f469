"""The services and repositories of one running server, built once from the runtime."""

from __future__ import annotations

from dataclasses import dataclass

from hitcircle.repositories.clans import ClansRepository
from hitcircle.repositories.pools import PoolsRepository
from hitcircle.repositories.scores import ScoresRepository
from hitcircle.repositories.stats import StatsRepository
from hitcircle.repositories.users import UsersRepository
from hitcircle.runtime import Runtime
from hitcircle.services.accounts import AccountService
from hitcircle.services.beatmaps import BeatmapService
from hitcircle.services.leaderboards import Leaderboards
from hitcircle.services.pp import PerformanceCalculator, make_calculator
from hitcircle.services.ranks import DatabaseRanks, RankService, RedisRanks


@dataclass(frozen=True)
class Services:
    runtime: Runtime
    users: UsersRepository
    stats: StatsRepository
    scores: ScoresRepository
    clans: ClansRepository
    pools: PoolsRepository
    leaderboards: Leaderboards
    ranks: RankService
    beatmaps: BeatmapService
    accounts: AccountService
    pp: PerformanceCalculator

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        engine, db, cache = runtime.engine, runtime.db, runtime.cache
        stats = StatsRepository(db, cache)
        leaderboards = Leaderboards(
            stats,
            cache.versions,
            ttl=runtime.settings.cache_ttl,
            enabled=cache.enabled,
            changes=cache.changes,
        )
        ranks: RankService = (
            RedisRanks(stats, runtime.redis)
            if runtime.redis is not None
            else DatabaseRanks(stats, leaderboards)
        )
        return cls(
            runtime=runtime,
            users=UsersRepository(db, cache),
            stats=stats,
            leaderboards=leaderboards,
            scores=ScoresRepository(db, cache),
            clans=ClansRepository(db, cache),
            pools=PoolsRepository(db, cache),
            ranks=ranks,
            beatmaps=BeatmapService(db, runtime.http, runtime.settings, runtime.paths, cache=cache),
            accounts=AccountService(
                engine, runtime.live, on_privileges_changed=ranks.on_privileges_changed, cache=cache
            ),
            pp=make_calculator(runtime.settings),
        )
