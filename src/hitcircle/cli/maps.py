"""`hitcircle maps`: beatmaps the server knows."""

from __future__ import annotations

from pathlib import Path

import click

from hitcircle.cli.common import CliError, open_runtime, progress_bar, run_async, settings_or_exit
from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.services.beatmaps import BeatmapService

IMPORT_STATUSES = {
    "ranked": RankedStatus.RANKED,
    "approved": RankedStatus.APPROVED,
    "qualified": RankedStatus.QUALIFIED,
    "loved": RankedStatus.LOVED,
    "pending": RankedStatus.PENDING,
}


@click.group()
def maps() -> None:
    """Beatmap commands."""


def collect_osu_files(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; directories searched recursively for `*.osu`. Sorted, without duplicates."""
    found: dict[Path, None] = {}
    for path in paths:
        if not path.exists():
            raise CliError(f"no such file or directory: {path}")
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".osu")
            found.update(dict.fromkeys(matches))
        else:
            found[path] = None
    if not found:
        raise CliError("no .osu files found in " + ", ".join(str(p) for p in paths))
    return list(found)


@maps.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--status",
    type=click.Choice(list(IMPORT_STATUSES), case_sensitive=False),
    default="ranked",
    show_default=True,
    help="Ranked status given to the imported maps (frozen: the beatmap source never changes it).",
)
@run_async
async def maps_import(paths: tuple[Path, ...], status: str) -> None:
    """Import local .osu files (files, or directories searched recursively).

    Metadata, max combo and star rating are computed from each file; the file is stored in
    DATA_DIR/osu/<id>.osu. Maps without a BeatmapID get an id in the private range from 1000000000.
    Importing the same file again changes nothing.
    """
    files = collect_osu_files(paths)
    settings = settings_or_exit()
    async with open_runtime(settings, migrate=settings.should_auto_migrate) as runtime:
        service = BeatmapService(runtime.engine, runtime.http, settings, runtime.paths)
        progress = progress_bar("importing")
        with progress:
            task = progress.add_task("import", total=len(files))
            results = await service.import_osu_files(
                files,
                lambda done: progress.update(task, completed=done),
                status=IMPORT_STATUSES[status.lower()],
            )
    counts = {outcome: 0 for outcome in ("new", "updated", "unchanged", "failed")}
    for result in results:
        counts[result.outcome] += 1
        if result.error is not None:
            click.echo(f"error: {result.path}: {result.error}", err=True)
    imported = len(results) - counts["failed"]
    click.echo(
        f"imported {imported} of {len(results)} file(s): {counts['new']} new, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['failed']} failed"
    )
    if counts["failed"]:
        raise click.exceptions.Exit(1)
