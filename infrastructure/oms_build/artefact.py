"""The artefact: a Lambda layer (dependencies and the ``oms`` package) and each function's code folder.

Layout under ``root`` (``build/<platform>/`` unless told otherwise)::

    layer/python/          what Lambda unpacks to /opt/python: pinned dependencies + oms
    functions/<step>/      a function's CodeUri folder, what Lambda unpacks to /var/task
    .dependencies          which cached install the layer was made from
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from oms_build import bytecode, dependencies
from oms_build.files import exclusive, link_tree, remove_tree, sync_tree
from oms_build.project import (
    BUILD_ROOT,
    OMS_PACKAGE,
    PROJECT_ROOT,
    function_code_dirs,
    runtime_requirements,
)
from oms_build.targets import PlatformName, target

_LAYER = Path("layer", "python")
_FUNCTIONS = "functions"
_DEPENDENCIES_MARK = ".dependencies"


@dataclass(frozen=True)
class Artefact:
    """A built artefact on disk."""

    root: Path
    layer_python: Path  # the directory that goes on sys.path (Lambda's /opt/python)
    # The interpreter that compiled the shipped bytecode (Lambda builds), None when none could.
    bytecode_by: str | None = None

    def function_dir(self, code_dir: Path) -> Path:
        """The built copy of a function's CodeUri folder (Lambda's /var/task)."""
        absolute = code_dir if code_dir.is_absolute() else PROJECT_ROOT / code_dir
        try:
            return self.root / absolute.resolve().relative_to(PROJECT_ROOT)
        except ValueError:  # a code folder outside the project (a test's): keyed by its name
            return self.root / _FUNCTIONS / absolute.name


def build(platform: PlatformName, out: Path | None = None) -> Artefact:
    """Build (or bring up to date) the artefact for ``platform`` in ``out`` (default ``build/<platform>``).

    The dependencies are installed once per requirements, platform and Python version (kept under
    ``build/dependencies``); afterwards only the service's own code is copied again, and only what changed.
    """
    chosen = target(platform)
    root = (out or BUILD_ROOT / platform).resolve()
    artefact = Artefact(root=root, layer_python=root / _LAYER)
    requirements = runtime_requirements()
    code_dirs = function_code_dirs()
    installed = dependencies.installed(requirements, chosen, BUILD_ROOT / "dependencies")
    with exclusive(root.with_name(f"{root.name}.lock")):
        _build_layer(artefact, installed, keep_bytecode=chosen.keeps_bytecode)
        for code_dir in code_dirs:
            sync_tree(code_dir, artefact.function_dir(code_dir), keep_bytecode=chosen.keeps_bytecode)
        _remove_functions_not_in(artefact, {artefact.function_dir(code_dir) for code_dir in code_dirs})
        if not chosen.keeps_bytecode:
            artefact = _with_bytecode(artefact, chosen.python_version)
    return artefact


def _with_bytecode(artefact: Artefact, version: str) -> Artefact:
    python = bytecode.interpreter(version)
    if python is None:
        return artefact
    bytecode.compile_trees(python, artefact.layer_python, artefact.root / _FUNCTIONS)
    return replace(artefact, bytecode_by=python)


def host_artefact() -> Artefact:
    """The artefact for this interpreter in ``build/host`` (what the local stack's workers and tests run)."""
    return build("host")


def _build_layer(artefact: Artefact, installed: Path, *, keep_bytecode: bool) -> None:
    for leftover in artefact.layer_python.parent.glob("python.*.*"):  # from a build that was killed
        remove_tree(leftover)
    mark = artefact.root / _DEPENDENCIES_MARK
    current = mark.read_text().strip() if mark.is_file() else None
    if current == installed.name and artefact.layer_python.is_dir():
        sync_tree(OMS_PACKAGE, artefact.layer_python / "oms", keep_bytecode=keep_bytecode)
        return
    # New dependencies: a complete layer is made beside the old one, then takes its place.
    fresh = artefact.layer_python.with_name(f"python.{os.getpid()}.partial")
    stale = artefact.layer_python.with_name(f"python.{os.getpid()}.stale")
    link_tree(installed, fresh)
    sync_tree(OMS_PACKAGE, fresh / "oms", keep_bytecode=keep_bytecode)
    if artefact.layer_python.exists():
        artefact.layer_python.rename(stale)
    fresh.rename(artefact.layer_python)
    mark.write_text(installed.name + "\n")
    remove_tree(stale)


def _remove_functions_not_in(artefact: Artefact, wanted: set[Path]) -> None:
    functions = artefact.root / _FUNCTIONS
    if functions.is_dir():
        for folder in functions.iterdir():
            if folder not in wanted:
                remove_tree(folder)
