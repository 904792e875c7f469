"""API keys (decisions.md "Authorisation").

`Authorization: Bearer <key>` or a bare `Authorization: <key>`. Keys are looked up in `users.api_key` on
every request, so `hitcircle apikey create/revoke` takes effect at once in every worker.
"""

from __future__ import annotations

from hitcircle.constants.privileges import is_restricted
from hitcircle.http.errors import HTTPError
from hitcircle.http.request import Request
from hitcircle.services.accounts import Account, AccountService

INVALID_KEY = "Invalid API key."
FORBIDDEN = "Forbidden."


def key_from_header(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() == "bearer":
        value = rest.strip()
    return value or None


async def authenticate(request: Request, accounts: AccountService) -> Account:
    """The key's owner; 401 for a missing or unknown key."""
    key = key_from_header(request.headers.get("authorization"))
    account = await accounts.find_by_api_key(key) if key is not None else None
    if account is None:
        raise HTTPError(401, INVALID_KEY)
    return account


async def authenticate_writer(request: Request, accounts: AccountService) -> Account:
    """Like `authenticate`, and 403 when the owner is restricted (writes only)."""
    account = await authenticate(request, accounts)
    if is_restricted(account.priv):
        raise HTTPError(403, FORBIDDEN)
    return account
