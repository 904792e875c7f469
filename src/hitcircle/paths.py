"""The data directory, laid out as bancho.py's `.data` so an existing folder can be reused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def replays(self) -> Path:
        return self.root / "osr"

    @property
    def beatmaps(self) -> Path:
        return self.root / "osu"

    @property
    def avatars(self) -> Path:
        return self.root / "avatars"

    @property
    def screenshots(self) -> Path:
        return self.root / "ss"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def state(self) -> Path:
        """hitcircle's own runtime files (the table-version counters of the read cache)."""
        return self.root / "state"

    @property
    def versions_file(self) -> Path:
        return self.state / "versions"

    def replay(self, score_id: int) -> Path:
        return self.replays / f"{score_id}.osr"

    def beatmap(self, map_id: int) -> Path:
        return self.beatmaps / f"{map_id}.osu"

    def ensure(self) -> None:
        for folder in (self.root, self.replays, self.beatmaps, self.avatars, self.screenshots, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
