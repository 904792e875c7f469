"""`users.priv` bit flags (bancho-spec §5.5)."""

from enum import IntFlag


class Privileges(IntFlag):
    UNRESTRICTED = 1
    VERIFIED = 2
    WHITELISTED = 4
    SUPPORTER = 16
    PREMIUM = 32
    ALUMNI = 128
    TOURNEY_MANAGER = 1024
    NOMINATOR = 2048
    MODERATOR = 4096
    ADMINISTRATOR = 8192
    DEVELOPER = 16384

    DONATOR = SUPPORTER | PREMIUM
    STAFF = MODERATOR | ADMINISTRATOR | DEVELOPER


#: Privileges of a freshly registered account.
NEW_ACCOUNT = int(Privileges.UNRESTRICTED)
#: Privileges of a normal, verified, unrestricted player.
NORMAL_PLAYER = int(Privileges.UNRESTRICTED | Privileges.VERIFIED)


def is_restricted(priv: int) -> bool:
    return not priv & Privileges.UNRESTRICTED


#: every name, combined ones (donator, staff) included
PRIVILEGE_NAMES: dict[str, int] = {name.lower(): int(flag) for name, flag in Privileges.__members__.items()}


def parse_privileges(text: str) -> int:
    """Parse `3`, `unrestricted,verified` or `unrestricted|staff` into a bit mask."""
    text = text.strip()
    if text.isdecimal():
        return int(text)
    value = 0
    for part in text.replace("|", ",").split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in PRIVILEGE_NAMES:
            raise ValueError(f"unknown privilege {part.strip()!r} (known: {', '.join(PRIVILEGE_NAMES)})")
        value |= PRIVILEGE_NAMES[name]
    return value
