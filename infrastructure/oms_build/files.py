"""File operations safe while other processes import from the same folders.

The local stack's workers import from ``build/host`` while a test or another stack rebuilds it, so a file is
never half-written where an import can see it: each changed file is written beside its place and renamed
over it, and files that did not change are left alone (their ``__pycache__`` stays valid).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

BYTECODE_DIR = "__pycache__"
# Never part of an artefact: caches and editor or test leftovers in a source folder.
_IGNORED_DIRS = frozenset({BYTECODE_DIR, ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_IGNORED_SUFFIXES = (".pyc", ".pyo")


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """One builder at a time for what ``lock_file`` guards, across processes."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def source_files(root: Path) -> dict[Path, Path]:
    """The files of a source folder that belong in an artefact, by path relative to ``root``."""
    found: dict[Path, Path] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(name for name in dirs if name not in _IGNORED_DIRS)
        for name in files:
            if not name.endswith(_IGNORED_SUFFIXES):
                path = Path(folder, name)
                found[path.relative_to(root)] = path
    return found


def sync_tree(source: Path, destination: Path, *, keep_bytecode: bool) -> int:
    """Make ``destination`` hold ``source``'s files; returns how many were written.

    Unchanged files (same size and modification time) are not touched. With ``keep_bytecode``, the
    ``__pycache__`` folders an interpreter wrote into ``destination`` stay (Python checks each entry against
    its source); without it they go, like anything else ``source`` does not have.
    """
    wanted = source_files(source)
    written = 0
    for relative, path in wanted.items():
        target = destination / relative
        if not _same_file(path, target):
            _replace_with_copy(path, target)
            written += 1
    _remove_extra(destination, set(wanted), keep_bytecode=keep_bytecode)
    return written


def link_tree(source: Path, destination: Path) -> None:
    """A copy of ``source`` made of hard links where the filesystem allows (a cached install is read-only)."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, destination, copy_function=link_or_copy, symlinks=True)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def size_bytes(root: Path) -> int:
    """Bytes of every file under ``root`` (what the unzipped layer counts against Lambda's 250 MB)."""
    return sum(Path(folder, name).stat().st_size for folder, _, files in os.walk(root) for name in files)


def _same_file(source: Path, target: Path) -> bool:
    try:
        target_stat = target.stat()
    except FileNotFoundError:
        return False
    source_stat = source.stat()
    return source_stat.st_size == target_stat.st_size and source_stat.st_mtime_ns == target_stat.st_mtime_ns


def _replace_with_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copy2(source, partial)
    os.replace(partial, target)


def _remove_extra(destination: Path, wanted: set[Path], *, keep_bytecode: bool) -> None:
    for folder, dirs, files in os.walk(destination, topdown=False):
        here = Path(folder)
        inside_bytecode = BYTECODE_DIR in here.relative_to(destination).parts
        if keep_bytecode and inside_bytecode:
            continue
        for name in files:
            path = here / name
            if path.relative_to(destination) not in wanted:
                path.unlink(missing_ok=True)
        for name in dirs:
            path = here / name
            if keep_bytecode and name == BYTECODE_DIR:
                continue
            if path.is_dir() and not any(path.iterdir()):
                with contextlib.suppress(OSError):  # a worker may have just written bytecode into it
                    path.rmdir()
