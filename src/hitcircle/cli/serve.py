"""`hitcircle serve`: run the server under granian."""

from __future__ import annotations

import asyncio
import importlib.util
import os

import click

from hitcircle.cli.common import CliError, settings_or_exit
from hitcircle.config import Settings


async def _prepare(settings: Settings) -> None:
    """Migrate (embedded default) and run one-time start-up work before workers fork."""
    from hitcircle.runtime import Runtime
    from hitcircle.services.container import Services
    from hitcircle.services.startup import prepare_server

    runtime = await Runtime.start(settings)
    try:
        async with runtime.engine.connect() as conn:  # fail here, once, rather than in every worker
            await conn.exec_driver_sql("SELECT 1")
        await prepare_server(Services.build(runtime))
    finally:
        await runtime.close()


def event_loop() -> str:
    """uvloop when installed (a dependency wherever libuv builds): the same handlers answer 25-50% more
    requests on it than on asyncio's own loop (measured, docs/architecture.md). Named rather than left
    to granian's `auto`, which would take any experimental loop that happens to be installed."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


@click.command()
@click.option("--host", help="Address to bind (HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port to bind (PORT, default 8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (WORKERS, default 1).")
@click.option("--access-log/--no-access-log", default=False, help="Log every request.")
@click.option(
    "--demo",
    is_flag=True,
    help="Show demo live state: demo players online and a match (after `hitcircle demo load`).",
)
def serve(host: str | None, port: int | None, workers: int | None, access_log: bool, demo: bool) -> None:
    """Start the server (all surfaces: API, osu! web, bancho, avatars)."""
    if demo:
        os.environ["HITCIRCLE_DEMO_LIVE"] = "1"  # read by each worker at start-up
    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:
            os.environ[name] = str(value)
    settings = settings_or_exit()
    if settings.workers > 1 and settings.redis_url is None:
        click.echo(
            "warning: several workers without REDIS_URL each keep their own live state "
            "(online players, matches); set REDIS_URL to share it",
            err=True,
        )
    try:
        asyncio.run(_prepare(settings))
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CliError(f"start-up failed: {reason}") from None
    # Workers must not race to migrate: the main process has done it.
    os.environ["AUTO_MIGRATE"] = "false"

    from granian import Granian

    click.echo(
        f"hitcircle on http://{settings.host}:{settings.port} "
        f"(domain {settings.domain}, {settings.workers} worker(s) on {event_loop()}, "
        f"database {settings.resolved_database_url.split('://', 1)[0]})",
        err=True,
    )
    Granian(
        "hitcircle.app:create_serving_app",
        factory=True,
        interface="asgi",  # type: ignore[arg-type]
        loop=event_loop(),  # type: ignore[arg-type]
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_access=access_log,
        log_level=settings.log_level.lower(),  # type: ignore[arg-type]
        respawn_failed_workers=True,
    ).serve()
