"""Everything a running server holds, built once at start-up and passed explicitly to each surface."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle import __version__
from hitcircle.cache.changes import ChangeProbe
from hitcircle.cache.invalidation import track_writes
from hitcircle.cache.readcache import ReadCache
from hitcircle.cache.versions import FileVersions, RedisVersions, TableVersions
from hitcircle.config import Settings
from hitcircle.db.database import Database
from hitcircle.db.engine import create_engine
from hitcircle.db.migrate import upgrade
from hitcircle.live.base import LiveState
from hitcircle.live.memory import InMemoryLiveState
from hitcircle.live.redis import RedisLiveState
from hitcircle.paths import DataPaths

log = logging.getLogger("hitcircle")


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    live: LiveState
    redis: Redis | None
    http: httpx.AsyncClient
    paths: DataPaths
    versions: TableVersions
    cache: ReadCache
    db: Database

    @classmethod
    async def start(cls, settings: Settings, *, migrate: bool | None = None) -> Runtime:
        paths = DataPaths(settings.data_dir)
        paths.ensure()
        engine = create_engine(settings.resolved_database_url)
        if settings.should_auto_migrate if migrate is None else migrate:
            await upgrade(engine)
        redis: Redis | None = None
        live: LiveState
        if settings.redis_url:
            redis = Redis.from_url(settings.redis_url)
            live = RedisLiveState(redis)
        else:
            live = InMemoryLiveState()
        versions: TableVersions
        if redis is not None and settings.redis_url:
            versions = RedisVersions(redis, settings.redis_url)
        else:
            versions = FileVersions(paths.versions_file)
        track_writes(engine, versions)
        db = await Database.connect(engine, sqlite_mmap_bytes=settings.sqlite_mmap_mb << 20)
        cache = ReadCache(
            versions,
            capacity=settings.cache_size,
            ttl=settings.cache_ttl,
            changes=ChangeProbe(db.change_marker),
        )
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0, connect=5.0),
            headers={"User-Agent": f"hitcircle/{__version__}"},
            follow_redirects=True,
        )
        return cls(
            settings=settings,
            engine=engine,
            live=live,
            redis=redis,
            http=client,
            paths=paths,
            versions=versions,
            cache=cache,
            db=db,
        )

    async def close(self) -> None:
        await self.http.aclose()
        await self.live.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.close()
        await self.engine.dispose()
        self.versions.close()

    async def health(self) -> dict[str, str]:
        report = {"database": "ok", "live_state": "ok"}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unavailable: %s", exc)
            report["database"] = "unavailable"
        try:
            await self.live.ping()
        except Exception as exc:
            log.warning("health check: live state unavailable: %s", exc)
            report["live_state"] = "unavailable"
        return report
