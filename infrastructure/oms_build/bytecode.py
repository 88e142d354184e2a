"""Bytecode for the Lambda runtime.

Lambda unpacks layers and code read-only (``/opt``, ``/var/task``), so a module shipped without its
``.pyc`` is compiled again at every cold start (measured in tests/bench: about 2.4x the import time).
Only the runtime's own Python version can write that bytecode; the build uses one when the machine has
it (``OMS_BUILD_PYTHON``, ``python3.12`` on PATH, or one pyenv installed) and otherwise ships source alone and says so.
Hash-based, unchecked ``.pyc`` files are valid whatever timestamps the zip gives the sources.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

INTERPRETER_VARIABLE = "OMS_BUILD_PYTHON"
_TIMEOUT_SECONDS = 600


def _candidates(version: str) -> list[str]:
    named = [os.environ.get(INTERPRETER_VARIABLE), shutil.which(f"python{version}")]
    # pyenv's shim answers only for the active versions; the installed ones are used directly.
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv", "versions")
    installed = sorted(pyenv.glob(f"{version}*/bin/python{version}"), reverse=True)
    return [c for c in named if c] + [str(path) for path in installed]


def interpreter(version: str) -> str | None:
    """A Python ``version`` interpreter that runs, if this machine has one."""
    return next((c for c in _candidates(version) if _runs_as(c, version)), None)


def _runs_as(candidate: str, version: str) -> bool:
    try:
        answer = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.returncode == 0 and answer.stdout.strip() == version


def compile_trees(python: str, *roots: Path) -> None:
    """Compile every module under ``roots`` with ``python`` (unchecked-hash ``.pyc`` beside each source)."""
    subprocess.run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            *map(str, roots),
        ],
        check=True,
        timeout=_TIMEOUT_SECONDS,
        stdout=subprocess.DEVNULL,
    )
