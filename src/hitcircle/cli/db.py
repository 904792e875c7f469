"""`hitcircle db`: schema migrations."""

from __future__ import annotations

import click

from hitcircle.cli.common import open_runtime, run_async, settings_or_exit
from hitcircle.db.migrate import current_revision, head_revision, upgrade


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@run_async
async def db_upgrade() -> None:
    """Create or upgrade the schema (never drops or renames anything)."""
    settings = settings_or_exit()
    async with open_runtime(settings, migrate=False) as runtime:
        before = await current_revision(runtime.engine)
        await upgrade(runtime.engine)
        after = await current_revision(runtime.engine)
    click.echo(f"database at revision {after} (was {before or 'unversioned'})")


@db.command("status")
@run_async
async def db_status() -> None:
    """Show the schema revision of the database and of this release."""
    async with open_runtime(migrate=False) as runtime:
        current = await current_revision(runtime.engine)
    click.echo(f"database: {current or 'unversioned'}; this release: {head_revision()}")
