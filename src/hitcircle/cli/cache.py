"""`hitcircle cache`: the read cache of running servers."""

from __future__ import annotations

import click

from hitcircle.cli.common import open_runtime, run_async


@click.group()
def cache() -> None:
    """The read cache of running servers."""


@cache.command("flush")
@run_async
async def cache_flush() -> None:
    """Make every running server re-read everything (after editing the database by hand).

    Writes made through hitcircle invalidate cached reads by themselves; only writes by other programs
    need this, or wait CACHE_TTL seconds.
    """
    async with open_runtime(migrate=False) as runtime:
        runtime.versions.bump_all()
    click.echo("flushed: every server re-reads on its next request")
