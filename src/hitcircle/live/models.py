"""Plain data kept in live state. Serialisable to JSON so Redis can hold it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

#: bancho.py's bot never logs out; this is its login time.
BOT_LOGIN_TIME = 2147483647.0
MATCH_SLOTS = 16
MAX_MATCHES = 64


@dataclass(slots=True)
class PlayerStatus:
    """The CHANGE_ACTION state of a player (bancho-spec §6.3.4); `mode` is 0-8 (relax/autopilot applied)."""

    action: int = 0
    info_text: str = ""
    map_md5: str = ""
    mods: int = 0
    mode: int = 0
    map_id: int = 0


@dataclass(slots=True)
class OnlinePlayer:
    id: int
    name: str
    priv: int
    country: str
    login_time: float
    utc_offset: int = 0
    status: PlayerStatus = field(default_factory=PlayerStatus)

    @property
    def safe_name(self) -> str:
        return make_safe_name(self.name)

    def clone(self) -> OnlinePlayer:
        return replace(self, status=replace(self.status))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OnlinePlayer:
        status = PlayerStatus(**data.get("status", {}))
        return cls(**{**data, "status": status})


@dataclass(slots=True)
class MatchSlot:
    status: int = 1  # SlotStatus.open
    team: int = 0
    mods: int = 0
    player_id: int | None = None
    loaded: bool = False
    skipped: bool = False


@dataclass(slots=True)
class Match:
    id: int
    name: str
    host_id: int
    mode: int = 0
    mods: int = 0
    seed: int = 0
    password: str = ""
    map_id: int = -1
    map_md5: str = ""
    map_name: str = ""
    in_progress: bool = False
    is_scrimming: bool = False
    freemods: bool = False
    team_type: int = 0
    win_condition: int = 0
    referee_ids: list[int] = field(default_factory=list)
    slots: list[MatchSlot] = field(default_factory=lambda: [MatchSlot() for _ in range(MATCH_SLOTS)])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def clone(self) -> Match:
        return replace(self, referee_ids=list(self.referee_ids), slots=[replace(slot) for slot in self.slots])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Match:
        slots = [MatchSlot(**s) for s in data.get("slots", [])]
        return cls(**{**data, "slots": slots})


def make_safe_name(name: str) -> str:
    """bancho.py's `safe_name`: lower case, spaces as underscores."""
    return name.lower().replace(" ", "_")
