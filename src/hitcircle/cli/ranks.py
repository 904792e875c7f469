"""`hitcircle ranks`: rank bookkeeping."""

from __future__ import annotations

import click

from hitcircle.cli.common import CliError, open_runtime, run_async
from hitcircle.services.container import Services


@click.group()
def ranks() -> None:
    """Global and country ranks."""


@ranks.command("rebuild")
@run_async
async def ranks_rebuild() -> None:
    """Rebuild the Redis rank sets (bancho:leaderboard:*) from the database. Needs REDIS_URL."""
    async with open_runtime() as runtime:
        if runtime.redis is None:
            raise CliError("REDIS_URL is not set; without Redis, ranks are read from the database directly")
        count = await Services.build(runtime).ranks.rebuild()
    click.echo(f"rebuilt ranks: {count} ranked player-mode entries")
