"""Entry point of the `hitcircle` command."""

from __future__ import annotations

import click

from hitcircle import __version__
from hitcircle.cli.db import db
from hitcircle.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hitcircle")
def cli() -> None:
    """hitcircle: an osu! private server speaking the bancho.py API.

    Configuration comes from environment variables or a .env file (see README).
    """


cli.add_command(serve)
cli.add_command(db)


def main() -> None:
    cli(prog_name="hitcircle")
