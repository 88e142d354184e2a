"""Where the build reads from and writes to, and the run-time dependencies it installs.

``pyproject.toml``'s ``[project].dependencies`` is the one list of what the functions need at run time; the
template's ``CodeUri`` folders are the functions. Only the standard library is used here, so the build runs
from a bare Python 3.11+ with pip (what ``sam build`` on a deploy machine has).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
TEMPLATE = PROJECT_ROOT / "template.yaml"
OMS_PACKAGE = PROJECT_ROOT / "shared" / "oms"
BUILD_ROOT = PROJECT_ROOT / "build"

# `CodeUri: functions/notify/` on a line of its own; the template's CodeUris are plain relative paths.
_CODE_URI = re.compile(r"^\s+CodeUri:\s*['\"]?([^'\"\s#]+)['\"]?\s*(?:#.*)?$", re.MULTILINE)
# A requirement pinned to one release: `name[extras]==version`, with an optional environment marker.
_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*==\s*[^=,;\s]+\s*(;.*)?$")


class BuildError(RuntimeError):
    """The artefact cannot be built as asked (unpinned requirement, pip failure, missing code)."""


def runtime_requirements(pyproject: Path = PYPROJECT) -> tuple[str, ...]:
    """``[project].dependencies``, each pinned (``==``): the layer holds exactly what is tested."""
    with pyproject.open("rb") as file:
        requirements = tuple(tomllib.load(file)["project"]["dependencies"])
    unpinned = [requirement for requirement in requirements if not _PINNED.match(requirement)]
    if unpinned:
        raise BuildError(f"run-time dependencies must be pinned with ==: {', '.join(unpinned)}")
    return requirements


def function_code_dirs(template: Path = TEMPLATE) -> tuple[Path, ...]:
    """Every function's ``CodeUri`` folder, in template order (read without a YAML parser: stdlib only)."""
    found: list[Path] = []
    for uri in _CODE_URI.findall(template.read_text(encoding="utf-8")):
        code_dir = (template.parent / uri).resolve()
        if not code_dir.is_dir():
            raise BuildError(f"CodeUri {uri} in {template.name} is not a folder")
        if code_dir not in found:
            found.append(code_dir)
    if not found:
        raise BuildError(f"no CodeUri found in {template}")
    return tuple(found)
