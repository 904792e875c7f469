"""Entry point of the `hitcircle` command."""

from __future__ import annotations

import click

from hitcircle import __version__
from hitcircle.cli.cache import cache
from hitcircle.cli.db import db
from hitcircle.cli.demo import demo
from hitcircle.cli.maps import maps
from hitcircle.cli.ranks import ranks
from hitcircle.cli.serve import serve
from hitcircle.cli.users import apikey, user


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hitcircle")
def cli() -> None:
    """hitcircle: an osu! private server speaking the bancho.py API.

    Configuration comes from environment variables or a .env file (see README).
    """


cli.add_command(serve)
cli.add_command(db)
cli.add_command(cache)
cli.add_command(user)
cli.add_command(apikey)
cli.add_command(maps)
cli.add_command(ranks)
cli.add_command(demo)


def main() -> None:
    cli(prog_name="hitcircle")
