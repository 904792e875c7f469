"""The live-state interface every implementation provides."""

from __future__ import annotations

from abc import ABC, abstractmethod

from hitcircle.live.models import Match, OnlinePlayer, PlayerStatus


class MatchSlotsFull(Exception):
    """All 64 match ids are taken."""


class LiveState(ABC):
    # --- players -----------------------------------------------------------------------------------------
    @abstractmethod
    async def add_player(self, player: OnlinePlayer) -> None:
        """Put a player online (replacing an earlier session of the same id)."""

    @abstractmethod
    async def remove_player(self, user_id: int) -> None: ...

    @abstractmethod
    async def get_player(self, user_id: int) -> OnlinePlayer | None: ...

    @abstractmethod
    async def get_player_by_name(self, name: str) -> OnlinePlayer | None:
        """Look up by name; case-insensitive, spaces and underscores alike (safe name)."""

    @abstractmethod
    async def set_status(self, user_id: int, status: PlayerStatus) -> bool:
        """Replace a player's status; False when the player is not online."""

    @abstractmethod
    async def set_privileges(self, user_id: int, priv: int) -> bool:
        """Record a privilege change (e.g. a restriction) of an online player."""

    @abstractmethod
    async def online_players(self) -> list[OnlinePlayer]: ...

    @abstractmethod
    async def online_among(self, user_ids: list[int]) -> set[int]:
        """Which of `user_ids` are online (one round trip)."""

    @abstractmethod
    async def online_count(self) -> int:
        """Unrestricted online players, the bot not counted."""

    # --- matches -----------------------------------------------------------------------------------------
    @abstractmethod
    async def create_match(self, match: Match) -> Match:
        """Store a new match under the first free id (0-63); raises MatchSlotsFull."""

    @abstractmethod
    async def update_match(self, match: Match) -> None: ...

    @abstractmethod
    async def get_match(self, match_id: int) -> Match | None: ...

    @abstractmethod
    async def remove_match(self, match_id: int) -> None: ...

    @abstractmethod
    async def list_matches(self) -> list[Match]: ...

    # --- lifecycle ---------------------------------------------------------------------------------------
    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None

    @abstractmethod
    async def clear(self) -> None:
        """Forget everything (tests, and `serve` start-up so no ghost of the last run remains)."""
