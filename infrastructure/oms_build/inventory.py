"""What a built layer holds: distributions, importable top-level names, size."""

from __future__ import annotations

from email.parser import HeaderParser
from pathlib import Path

from oms_build.files import BYTECODE_DIR

_IMPORTABLE_SUFFIXES = (".py", ".so", ".pyd")


def distributions(layer_python: Path) -> dict[str, str]:
    """Each installed distribution's name (normalised) and version, from its ``.dist-info``."""
    found = {}
    for metadata in sorted(layer_python.glob("*.dist-info/METADATA")):
        headers = HeaderParser().parsestr(metadata.read_text(encoding="utf-8"))
        found[normalise(headers["Name"])] = headers["Version"]
    return found


def top_level_names(layer_python: Path) -> set[str]:
    """The names ``import <name>`` finds in the layer: packages (regular or namespace) and modules."""
    names = set()
    for entry in layer_python.iterdir():
        if entry.is_dir():
            if entry.name.isidentifier() and entry.name != BYTECODE_DIR:
                names.add(entry.name)
        elif entry.name.endswith(_IMPORTABLE_SUFFIXES):
            names.add(entry.name.split(".", 1)[0])
    return names


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``Typing_Extensions`` -> ``typing-extensions``."""
    return "-".join(part for part in name.replace("_", "-").replace(".", "-").lower().split("-") if part)
