"""What ``python -X importtime`` says about a handler's init: time per top package, and who imported what.

Each ``import time:`` line is one module's first import: its self time, its cumulative time (itself and
the imports it started) and its name, indented by nesting depth. A module's children come before it,
so the importer of a line is the next line one level shallower.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Our own code: the handler module of each function folder and the layer's package.
OWN_PACKAGES = ("oms",)
HANDLER_MODULE = "app"


@dataclass(frozen=True)
class Imported:
    name: str
    self_us: int
    cumulative_us: int
    depth: int
    importer: str | None  # the module whose import started this one (None at the top)


def parse(importtime_stderr: str) -> list[Imported]:
    rows: list[tuple[str, int, int, int]] = []
    for line in importtime_stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        self_part, cumulative_part, name_part = line.removeprefix("import time:").split("|")
        if not self_part.strip().isdigit():
            continue  # the header line
        depth = (len(name_part) - len(name_part.lstrip(" ")) - 1) // 2
        rows.append((name_part.strip(), int(self_part), int(cumulative_part), depth))
    found: list[Imported] = []
    for index, (name, self_us, cumulative_us, depth) in enumerate(rows):
        importer = next((r[0] for r in rows[index + 1 :] if r[3] == depth - 1), None) if depth else None
        found.append(Imported(name, self_us, cumulative_us, depth, importer))
    return found


def by_package(imports: list[Imported], top: int) -> list[dict[str, Any]]:
    """Self times summed per top-level package: a partition of the import time, so the packages can be
    compared and added up (cumulative times nest and would count twice)."""
    totals: dict[str, int] = {}
    for item in imports:
        package = item.name.split(".", 1)[0]
        totals[package] = totals.get(package, 0) + item.self_us
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
    return [{"package": name, "self_ms": micros / 1000} for name, micros in ranked]


def beyond(imports: list[Imported], baseline: list[Imported], top: int) -> list[dict[str, Any]]:
    """Self ms per top package beyond what the baseline's import spends on it: where the extra time goes."""
    ours = {p["package"]: p["self_ms"] for p in by_package(imports, len(imports))}
    theirs = {p["package"]: p["self_ms"] for p in by_package(baseline, len(baseline))}
    extra = {name: ms - theirs.get(name, 0.0) for name, ms in ours.items()}
    ranked = sorted(extra.items(), key=lambda kv: -kv[1])[:top]
    return [{"package": name, "self_ms": ms} for name, ms in ranked if ms > 0]


def is_own(name: str) -> bool:
    return name == HANDLER_MODULE or name.split(".", 1)[0] in OWN_PACKAGES


def deferrable_candidates(imports: list[Imported], minimum_ms: float) -> dict[str, float]:
    """Modules our own code imports directly, with their cumulative ms: what an import inside the function
    that uses it (rather than at module level) could move out of the cold start, if init never uses it.
    The probe then tells which of them init really uses."""
    return {
        item.name: item.cumulative_us / 1000
        for item in imports
        if item.importer is not None
        and is_own(item.importer)
        and item.name != HANDLER_MODULE
        and item.cumulative_us / 1000 >= minimum_ms
    }


def subtree(imports: list[Imported], name: str) -> list[Imported]:
    """The module and every import it started (they come just before it, one level deeper or more)."""
    for index, item in enumerate(imports):
        if item.name == name:
            start = index
            while start > 0 and imports[start - 1].depth > item.depth:
                start -= 1
            return imports[start : index + 1]
    return []


def kept_out_ms(imports: list[Imported], name: str, ran: set[str]) -> float:
    """Self ms of the module's subtree that did not run with it deferred: what deferring it saved (a
    module it pulled in that something else needs anyway still ran, and is not counted)."""
    return sum(item.self_us for item in subtree(imports, name) if item.name not in ran) / 1000


def importer_of(imports: list[Imported], name: str) -> str | None:
    return next((item.importer for item in imports if item.name == name), None)
