"""Which hitcircle a run measures: a frozen copy of `src/hitcircle`, taken when the run starts.

Other people edit and commit `src/` while a benchmark runs; servers started later in the run (the
2-worker one, the 1M dataset after the 10k one) would otherwise import newer code than the first. The
servers import the copy instead (`PYTHONPATH`), so every row of a run measures the same code, named by
the commit plus a digest of uncommitted changes under `src/` (`7135900` or `7135900+src:1a2b3c4d`).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def source_state() -> str:
    """The commit, plus a digest of the uncommitted changes under src/ when there are any."""
    try:
        head = _git("rev-parse", "--short", "HEAD").strip()
        untracked = _git("ls-files", "--others", "--exclude-standard", "src")
        changes = _git("diff", "HEAD", "--", "src") + untracked
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    if not changes:
        return head
    digest = hashlib.sha1(changes.encode())
    for name in untracked.splitlines():
        path = ROOT / name
        if path.is_file():
            digest.update(path.read_bytes())
    return f"{head}+src:{digest.hexdigest()[:8]}"


def freeze_source(destination: Path) -> tuple[str, Path]:
    """Copy src/hitcircle to `destination/hitcircle`; returns (its name, the directory for PYTHONPATH).

    The copy is retried while src/ changes under it, so the name matches what was copied."""
    for _ in range(5):
        before = source_state()
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(
            ROOT / "src" / "hitcircle",
            destination / "hitcircle",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        if source_state() == before:
            return before, destination
    raise RuntimeError("src/ keeps changing; could not take a consistent copy")
