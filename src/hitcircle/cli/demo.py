"""`hitcircle demo load`: the demo data set, so every developer API endpoint has something to show."""

from __future__ import annotations

import click

from hitcircle.cli.common import CliError, open_runtime, progress_bar, run_async, settings_or_exit
from hitcircle.demo import DemoError, DemoSummary, load_demo
from hitcircle.services.container import Services

BASE_URL = "http://127.0.0.1:{port}"


@click.group()
def demo() -> None:
    """Demo data for trying the server out."""


@demo.command("load")
@run_async
async def demo_load() -> None:
    """Load the demo data set: 8 players, 5 beatmaps, scores with replays, clans, a map pool.

    Safe to run again: what already exists is kept (ids and the API key stay the same) and only what is
    missing is added. Players log in with the password "demo-password".
    """
    settings = settings_or_exit()
    async with open_runtime(settings, migrate=settings.should_auto_migrate) as runtime:
        progress = progress_bar("{task.description:<22}")
        with progress:
            task = progress.add_task("starting", total=None)

            def report(step: str, done: int, total: int) -> None:
                progress.update(task, description=step, completed=done, total=total)

            try:
                summary = await load_demo(Services.build(runtime), report)
            except DemoError as exc:
                raise CliError(str(exc)) from None
    for line in summary_lines(summary, settings.port):
        click.echo(line)


def summary_lines(summary: DemoSummary, port: int) -> list[str]:
    base = BASE_URL.format(port=port)
    owner_id, owner = summary.api_key_owner
    players = ", ".join(f"{name} ({user_id})" for user_id, name in summary.players)
    maps = ", ".join(
        f"{map_id} (loved)" if map_id in summary.loved_map_ids else str(map_id) for map_id in summary.map_ids
    )
    return [
        "demo data loaded" if summary.added else "demo data already present; nothing added",
        f"  {len(summary.players)} players: {players}",
        f'  password of every demo player: "{summary.password}"',
        f"  {len(summary.map_ids)} beatmaps: {maps}",
        f"  {summary.scores} scores ({summary.replays} with replays), {len(summary.clan_ids)} clans "
        f"(ids {', '.join(map(str, summary.clan_ids))}), map pool {summary.pool_id}",
        f"API key of {owner} (id {owner_id}): {summary.api_key}",
        "",
        "Start the server with `hitcircle serve --demo` (demo players online and a match), then try:",
        f"  curl '{base}/v1/get_player_info?name={owner}&scope=all'",
        f"  curl '{base}/v1/get_map_scores?id={summary.map_ids[0]}&scope=best'",
        f"  curl '{base}/v1/get_leaderboard?mode=0&sort=pp'",
        f"  curl -H 'Authorization: Bearer {summary.api_key}' '{base}/v1/get_friends'",
        f"  curl -o replay.osr '{base}/v1/get_replay?id={summary.example_score_id}'",
        f"  curl '{base}/v1/get_match?id=0'",
    ]
