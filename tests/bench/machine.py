"""Where a run happened: machine, interpreter, library versions and commit, recorded beside every figure."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str | None:
    """What ``git ARGS`` prints in the project, or None where git or the repository is missing."""
    try:
        found = subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip()


def commit() -> str:
    return _git("rev-parse", "--short", "HEAD") or "unknown"


def worktree_dirty() -> bool:
    return bool(_git("status", "--porcelain", "--untracked-files=no"))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def java_version() -> str | None:
    try:
        found = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (found.stderr or found.stdout).strip().splitlines()
    return first[0] if first else None


def describe() -> dict[str, Any]:
    return {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit(),
        "worktree_dirty": worktree_dirty(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {
            name: _version(name)
            for name in ("boto3", "botocore", "moto", "aws-lambda-powertools", "pydantic", "pyinstrument")
        },
        "java": java_version(),
    }
