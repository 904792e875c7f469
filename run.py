#!/usr/bin/env python3
"""Run hitcircle from a fresh checkout with nothing but python3 (3.11 or newer).

    python3 run.py demo [SERVE ARGS...]   load the demo data, then serve it (e.g. --port 8080)
    python3 run.py test [PYTEST ARGS...]  run the test suite; exits with pytest's status
    python3 run.py lint                   ruff check src tests, then mypy src

Each command first makes sure `.venv` exists (`python3 -m venv .venv`) and holds the project
(`pip install -e '.[test,dev]'`). The install runs again only when pyproject.toml has changed since the
last one: its SHA-256 is kept in `.venv/hitcircle-install.sha256`.

Only the standard library is used here, so this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYPROJECT = ROOT / "pyproject.toml"
HASH_FILE = VENV / "hitcircle-install.sha256"
EXTRAS = "test,dev"
MIN_PYTHON = (3, 11)
USAGE = (__doc__ or "").strip()
BIN_DIR = VENV / ("Scripts" if os.name == "nt" else "bin")


def say(message: str) -> None:
    print(f"run.py: {message}", file=sys.stderr, flush=True)


def venv_tool(name: str) -> Path:
    """Path of an executable installed in the virtual environment."""
    return BIN_DIR / (f"{name}.exe" if os.name == "nt" else name)


def run(command: Sequence[str | Path]) -> int:
    """Run a command in the repository root and return its exit status (Ctrl+C waits for it to stop)."""
    process = subprocess.Popen([str(part) for part in command], cwd=ROOT)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # The child got the same SIGINT from the terminal; let it shut down cleanly.
        try:
            return process.wait(timeout=30)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            process.kill()
            return 130


def pyproject_hash() -> str:
    digest = hashlib.sha256(PYPROJECT.read_bytes())
    # Extras and interpreter are part of what was installed: a change of either reinstalls too.
    digest.update(f"\n{EXTRAS}\n{sys.version_info[:2]}".encode())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create `.venv` if needed and (re)install the project when pyproject.toml changed."""
    if sys.version_info < MIN_PYTHON:
        raise SystemExit(
            f"run.py: hitcircle needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; "
            f"this is {sys.version.split()[0]}"
        )
    python = venv_tool("python")
    if not python.exists():
        say("creating .venv")
        if run([sys.executable, "-m", "venv", VENV]) != 0:
            raise SystemExit(
                "run.py: could not create .venv; on Debian/Ubuntu install the python3-venv package"
            )
    wanted = pyproject_hash()
    installed = HASH_FILE.read_text().strip() if HASH_FILE.exists() else ""
    if installed == wanted and venv_tool("hitcircle").exists():
        return
    say(f"installing hitcircle into .venv (pip install -e '.[{EXTRAS}]'); this takes a minute the first time")
    pip: list[str | Path] = [
        python,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "--quiet",
    ]
    status = run([*pip, "-e", f".[{EXTRAS}]"])
    if status != 0:
        raise SystemExit(f"run.py: pip install failed (exit status {status})")
    HASH_FILE.write_text(wanted + "\n")


# --- commands ------------------------------------------------------------------------------------------


def cmd_demo(args: list[str]) -> int:
    """Load the demo data into the default database, then serve it with demo live state (online
    players, a match); extra args go to `hitcircle serve`."""
    hitcircle = venv_tool("hitcircle")
    if "-h" in args or "--help" in args:
        return run([hitcircle, "serve", "--help"])
    status = run([hitcircle, "demo", "load"])
    if status != 0:
        say(f"`hitcircle demo load` failed (exit status {status})")
        return status
    # --demo also puts demo players online and opens a match (live state normally comes from the game)
    return run([hitcircle, "serve", "--demo", *args])


def cmd_test(args: list[str]) -> int:
    """Run pytest with the given arguments; returns pytest's exit status."""
    return run([venv_tool("python"), "-m", "pytest", *args])


def cmd_lint(args: list[str]) -> int:
    """`ruff check src tests` and `mypy src`; fails when either does."""
    ruff = run([venv_tool("ruff"), "check", "src", "tests", *args])
    mypy = run([venv_tool("mypy"), "src"])
    return ruff or mypy


COMMANDS: dict[str, Callable[[list[str]], int]] = {"demo": cmd_demo, "test": cmd_test, "lint": cmd_lint}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, args = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"run.py: unknown command {command!r}; choose one of: {', '.join(COMMANDS)}", file=sys.stderr)
        print(USAGE, file=sys.stderr)
        return 2
    ensure_venv()
    return COMMANDS[command](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
