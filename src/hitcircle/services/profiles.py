"""Profile edits through `set_player_info` (decisions.md "Authorisation").

Every field is validated before anything is written; a request with any unknown or invalid field changes
nothing. Who may set what:

* everyone (about themselves): `userpage_content`, `preferred_mode`, `play_style`, `country`;
* donors and staff: also `custom_badge_name`, `custom_badge_icon`;
* administrators: any of the above about anyone (`id`), plus `priv`, `silence_end`, `donor_end`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pycountry

from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.constants.privileges import Privileges
from hitcircle.repositories import storable_text
from hitcircle.services.accounts import Account, AccountService

INT32_MAX = 2**31 - 1
SELF_FIELDS = frozenset({"userpage_content", "preferred_mode", "play_style", "country"})
BADGE_FIELDS = frozenset({"custom_badge_name", "custom_badge_icon"})
ADMIN_FIELDS = frozenset({"priv", "silence_end", "donor_end"})
ALL_FIELDS = SELF_FIELDS | BADGE_FIELDS | ADMIN_FIELDS
#: ISO 3166-1 alpha-2, lower case
COUNTRY_CODES = frozenset(c.alpha_2.lower() for c in pycountry.countries)
_BADGE_HOLDERS = int(Privileges.DONATOR | Privileges.STAFF)


class ProfileError(Exception):
    """Refused edit: `status` is the HTTP status, `message` the `status` text, `errors` per field."""

    def __init__(self, status: int, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


@dataclass(frozen=True)
class ProfileEdit:
    target_id: int
    values: dict[str, object]


def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError("must be an integer")
    if isinstance(value, str):
        text = value.strip()
        if not (text.lstrip("-").isascii() and text.lstrip("-").isdecimal()) or len(text) > 12:
            raise ValueError("must be an integer")
        value = int(text)
    if not isinstance(value, int):
        raise ValueError("must be an integer")
    if not low <= value <= high:
        raise ValueError(f"must be between {low} and {high}")
    return value


def _text(value: Any, limit: int, *, nullable: bool = True) -> str | None:
    if value is None or value == "":
        if nullable:
            return None
        raise ValueError("must not be empty")
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters")
    if "\x00" in value or not storable_text(value):
        raise ValueError("contains characters that cannot be stored")
    return value


def _validate(field: str, value: Any) -> object:
    if field == "userpage_content":
        return _text(value, 2048)
    if field == "preferred_mode":
        mode = _int(value, 0, 8)
        if mode not in VALID_MODES:
            raise ValueError("must be a valid mode (0-6 or 8)")
        return mode
    if field == "play_style":
        return _int(value, 0, INT32_MAX)
    if field == "country":
        if not isinstance(value, str) or value.lower() not in COUNTRY_CODES:
            raise ValueError("must be an ISO 3166-1 alpha-2 country code")
        return value.lower()
    if field == "custom_badge_name":
        return _text(value, 16)
    if field == "custom_badge_icon":
        return _text(value, 64)
    if field == "priv":
        return _int(value, 0, INT32_MAX)
    # silence_end, donor_end: unix times
    return _int(value, 0, INT32_MAX)


def plan_edit(actor: Account, data: dict[str, Any]) -> ProfileEdit:
    """Check permissions and values; raises ProfileError, returns what to write."""
    fields = {k: v for k, v in data.items() if k != "id"}
    unknown = sorted(k for k in fields if k not in ALL_FIELDS)
    if unknown:
        raise ProfileError(400, f"Unknown field(s): {', '.join(unknown)}.")
    if not fields:
        raise ProfileError(400, "No fields to update.")
    is_admin = bool(actor.priv & Privileges.ADMINISTRATOR)
    target_id = actor.id
    if "id" in data and data["id"] not in (None, ""):
        try:
            target_id = _int(data["id"], 1, INT32_MAX)
        except ValueError as exc:
            raise ProfileError(400, "Invalid value(s).", {"id": str(exc)}) from None
    if (target_id != actor.id or fields.keys() & ADMIN_FIELDS) and not is_admin:
        raise ProfileError(403, "Forbidden.")
    if fields.keys() & BADGE_FIELDS and not (is_admin or actor.priv & _BADGE_HOLDERS):
        raise ProfileError(403, "Forbidden.")
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for field, value in fields.items():
        try:
            values[field] = _validate(field, value)
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise ProfileError(400, "Invalid value(s).", errors)
    return ProfileEdit(target_id, values)


class ProfileService:
    def __init__(self, accounts: AccountService) -> None:
        self._accounts = accounts

    async def apply(self, actor: Account, data: dict[str, Any]) -> int:
        """Validate, then write; returns the edited user's id.

        A privilege change goes through the account service so live state and ranks follow it.
        """
        edit = plan_edit(actor, data)
        columns = {k: v for k, v in edit.values.items() if k != "priv"}
        if await self._accounts.get(edit.target_id) is None:
            raise ProfileError(404, "Player not found.")
        if columns:
            await self._accounts.repo.update_columns(edit.target_id, columns)
        if "priv" in edit.values:
            await self._accounts.set_privileges(edit.target_id, int(str(edit.values["priv"])))
        return edit.target_id
