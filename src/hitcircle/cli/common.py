"""Helpers shared by CLI commands: settings, one-line errors, running async code."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from hitcircle.config import ConfigError, Settings, load_settings
from hitcircle.runtime import Runtime

P = ParamSpec("P")
T = TypeVar("T")


class CliError(click.ClickException):
    """Printed as `error: <message>` and exit status 1."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def run_async(func: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async click command; database and network failures become one-line errors."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:
            raise CliError(f"{exc.__class__.__name__}: {exc}") from None
        except Exception as exc:
            from sqlalchemy.exc import SQLAlchemyError

            if isinstance(exc, SQLAlchemyError):
                reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                raise CliError(f"database error: {reason}") from None
            raise

    return wrapper


def progress_bar(description: str) -> Progress:
    """A progress bar on stderr, shown only on a terminal (nothing in logs or pipes)."""
    console = Console(stderr=True)
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@asynccontextmanager
async def open_runtime(settings: Settings | None = None, *, migrate: bool = True) -> AsyncIterator[Runtime]:
    runtime = await Runtime.start(settings or settings_or_exit(), migrate=migrate)
    try:
        yield runtime
    finally:
        await runtime.close()
