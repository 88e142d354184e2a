"""The pinned run-time dependencies installed once per (requirements, platform, Python) and kept in ``build/``.

Rebuilding after a change to the service's own code copies nothing from here again; a new requirement or
release gets a new folder (its key changes), so a stale install is never reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from oms_build.files import BYTECODE_DIR, exclusive, remove_tree
from oms_build.project import BuildError
from oms_build.targets import Target

# Console scripts pip writes for jmespath and others: nothing on Lambda runs them.
_NOT_IMPORTED = ("bin",)


def installed(requirements: Sequence[str], target: Target, cache_root: Path) -> Path:
    """The folder holding ``requirements`` (and what they require) installed for ``target``."""
    key = target.cache_key(requirements)
    folder = cache_root / key
    if folder.is_dir():
        return folder
    with exclusive(cache_root / f"{key}.lock"):
        if folder.is_dir():  # another process installed it while this one waited
            return folder
        for leftover in cache_root.glob(f"{key}.*.partial"):  # from a build that was killed
            remove_tree(leftover)
        partial = cache_root / f"{key}.{os.getpid()}.partial"
        try:
            _pip_install(requirements, target, partial)
            _prune(partial, target)
            # Renaming the finished folder into place is what marks the install complete.
            partial.rename(folder)
        finally:
            remove_tree(partial)
    return folder


def _pip_install(requirements: Sequence[str], target: Target, into: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--only-binary=:all:",  # wheels only: nothing is compiled for the wrong machine
        "--target",
        str(into),
        *target.pip_options,
        *requirements,
    ]
    print(f"oms_build: installing {len(requirements)} requirements for {target.name} ...", file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BuildError(
            f"pip could not install the {target.name} dependencies (exit {done.returncode}):\n"
            f"{' '.join(command)}\n{done.stdout}{done.stderr}"
        )


def _prune(folder: Path, target: Target) -> None:
    for name in _NOT_IMPORTED:
        remove_tree(folder / name)
    if not target.keeps_bytecode:
        for bytecode in list(folder.rglob(BYTECODE_DIR)):
            remove_tree(bytecode)
