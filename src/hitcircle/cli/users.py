"""`hitcircle user ...` and `hitcircle apikey ...`: manage accounts, privileges and API keys.

Users are named by id (all digits) or by name (case-insensitive, spaces and underscores alike).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import click
from redis.exceptions import RedisError
from rich.console import Console
from rich.table import Table

from hitcircle.cli.common import CliError, open_runtime, run_async, settings_or_exit
from hitcircle.constants.privileges import NEW_ACCOUNT, PRIVILEGE_NAMES, Privileges, parse_privileges
from hitcircle.runtime import Runtime
from hitcircle.services.accounts import Account, AccountError, AccountService, PrivilegeChange
from hitcircle.services.container import Services

PRIV_HELP = "a number (e.g. 3) or a comma list of names (e.g. unrestricted,verified,supporter)"


def build_account_service(runtime: Runtime) -> AccountService:
    """The account service the commands use (ranks are updated through its privileges hook)."""
    return Services.build(runtime).accounts


@asynccontextmanager
async def account_service() -> AsyncIterator[AccountService]:
    """Open the configured database (migrating an embedded one) and turn AccountError into `error:`."""
    settings = settings_or_exit()
    async with open_runtime(settings, migrate=settings.should_auto_migrate) as runtime:
        try:
            yield build_account_service(runtime)
        except AccountError as exc:
            raise CliError(str(exc)) from None
        except RedisError as exc:  # only privilege changes touch live state, after the database write
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CliError(
                f"database updated, but the live state (REDIS_URL) is unavailable: {reason}"
            ) from None


def parse_priv_spec(spec: str) -> int:
    if not spec.strip():
        raise CliError(f"invalid privileges {spec!r}: expected {PRIV_HELP}")
    try:
        return parse_privileges(spec)
    except ValueError as exc:
        raise CliError(f"invalid privileges {spec!r}: {exc}") from None


def describe_priv(priv: int) -> str:
    """`3 (unrestricted,verified)`; `0 (none)` for no flags."""
    names = [flag.name.lower() for flag in Privileges if flag.name and priv & flag]
    return f"{priv} ({','.join(names) or 'none'})"


def label(account: Account) -> str:
    return f"{account.name} (id {account.id})"


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


# --- user --------------------------------------------------------------------------------------------------
@click.group()
def user() -> None:
    """Create and list player accounts; change their privileges."""


@user.command("add")
@click.argument("name")
@click.option("--email", required=True, help="E-mail address (unique).")
@click.option(
    "--password",
    help="Password (8-32 characters). Prompted for, hidden, when omitted and stdin is a terminal.",
)
@click.option("--country", default="xx", show_default=True, help="Two-letter country code.")
@click.option(
    "--priv", "priv_spec", metavar="SPEC", help=f"Privileges: {PRIV_HELP}. Default 1 (unrestricted)."
)
@run_async
async def user_add(name: str, email: str, password: str | None, country: str, priv_spec: str | None) -> None:
    """Register the account NAME (2-15 characters: letters, digits, space, _, -, [ ])."""
    priv = parse_priv_spec(priv_spec) if priv_spec is not None else NEW_ACCOUNT
    if password is None:
        if not stdin_is_tty():
            raise CliError("--password is required when stdin is not a terminal")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    async with account_service() as accounts:
        account = await accounts.register(name, email, password, country=country, priv=priv)
    click.echo(f"created user {label(account)}")


@user.command("list")
@click.option("--restricted", is_flag=True, help="Only restricted accounts.")
@click.option("--search", metavar="TEXT", help="Only names containing TEXT (case-insensitive).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Rows to show.")
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True, help="Rows to skip.")
@run_async
async def user_list(restricted: bool, search: str | None, limit: int, offset: int) -> None:
    """List player accounts (the bot excluded) by id."""
    async with account_service() as accounts:
        rows = await accounts.list_accounts(
            restricted_only=restricted, search=search, limit=limit, offset=offset
        )
        total = await accounts.count_accounts(restricted_only=restricted, search=search)
    if not rows:
        click.echo("no users found")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "name", "country", "privileges", "status", "api key", "created (UTC)"):
        table.add_column(column, no_wrap=True)
    for account in rows:
        created = datetime.fromtimestamp(account.creation_time, UTC).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(account.id),
            account.name,
            account.country,
            describe_priv(account.priv),
            "restricted" if account.restricted else "active",
            "yes" if account.api_key else "no",
            created,
        )
    # Piped output is never truncated or wrapped; a terminal gets its own width.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 10_000)
    with console.capture() as captured:
        console.print(table)
    for line in captured.get().splitlines():
        click.echo(line.rstrip())
    click.echo(f"{len(rows)} of {total} user(s) shown")


def _report_toggle(change: PrivilegeChange, done: str, unchanged: str) -> None:
    if change.changed:
        click.echo(f"{done} {label(change.account)}")
    else:
        click.echo(f"{label(change.account)} {unchanged}")


@user.command(
    "set-priv",
    help="Replace a user's privileges with SPEC: a number or a comma list of names "
    f"({', '.join(PRIVILEGE_NAMES)}).",
)
@click.argument("name_or_id", metavar="NAME_OR_ID")
@click.argument("spec", metavar="SPEC")
@run_async
async def user_set_priv(name_or_id: str, spec: str) -> None:
    priv = parse_priv_spec(spec)
    async with account_service() as accounts:
        account = await accounts.resolve(name_or_id)
        change = await accounts.set_privileges(account.id, priv)
    click.echo(
        f"{label(change.account)}: privileges {describe_priv(change.old_priv)} -> "
        f"{describe_priv(change.new_priv)}"
    )


@user.command("restrict")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@run_async
async def user_restrict(name_or_id: str) -> None:
    """Restrict a user: hidden from leaderboards, rankings and the online count."""
    async with account_service() as accounts:
        account = await accounts.resolve(name_or_id)
        change = await accounts.restrict(account.id)
    _report_toggle(change, "restricted", "is already restricted")


@user.command("unrestrict")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@run_async
async def user_unrestrict(name_or_id: str) -> None:
    """Lift a user's restriction."""
    async with account_service() as accounts:
        account = await accounts.resolve(name_or_id)
        change = await accounts.unrestrict(account.id)
    _report_toggle(change, "unrestricted", "is not restricted")


# --- apikey ------------------------------------------------------------------------------------------------
@click.group()
def apikey() -> None:
    """Create and revoke developer API keys.

    A user has at most one key; creating or revoking it takes effect at once, without a restart.
    """


@apikey.command("create")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@run_async
async def apikey_create(name_or_id: str) -> None:
    """Give a user a new API key, replacing any previous one; prints only the key."""
    async with account_service() as accounts:
        account = await accounts.resolve(name_or_id)
        key = await accounts.create_api_key(account.id)
    click.echo(key)


@apikey.command("revoke")
@click.argument("name_or_id", metavar="NAME_OR_ID")
@run_async
async def apikey_revoke(name_or_id: str) -> None:
    """Remove a user's API key."""
    async with account_service() as accounts:
        account = await accounts.resolve(name_or_id)
        revoked = await accounts.revoke_api_key(account.id)
    if revoked:
        click.echo(f"revoked the API key of {label(account)}")
    else:
        click.echo(f"{label(account)} has no API key")
