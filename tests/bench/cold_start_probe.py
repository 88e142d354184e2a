"""Run as ``python -I -S cold_start_probe.py <module> <path>... [--lazy name,...]``: one Lambda init.

A clean interpreter: no site-packages, no user paths; ``sys.path`` is the standard library plus the given
paths (the function's built code folder, then the layer), as Lambda's Python runtime has them. The probe
imports the handler module as the runtime does and prints one JSON line: seconds to import it (its
imports and module-level set-up) on the clock and in CPU time, of which collecting garbage, peak RSS,
modules loaded. Standard library only, and nothing of its
own is imported before the clock starts, so the figure is the handler's.

``--lazy`` names modules to load with :class:`importlib.util.LazyLoader`: each is created but runs only
when something reads one of its attributes. The names that never ran are printed as ``never_ran``: the
handler's init does not need them, and the timing shows what deferring them saves.

Peak RSS is ``VmHWM`` from ``/proc/self/status``: ``getrusage``'s ``ru_maxrss`` survives ``exec`` and so
still holds the high-water mark of the forked parent.
"""

from __future__ import annotations

import json
import resource
import sys
import time

started = time.perf_counter()
cpu_started = time.process_time()

import gc  # noqa: E402 - built in, already loaded
import importlib  # noqa: E402 - timed on purpose, as part of what loading a handler costs
import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not loaded for the probe: its import would count as the handler's
    from collections.abc import Sequence
    from typing import Any, ClassVar


class _Collected:
    """Time spent collecting garbage during the import, and the collections per generation."""

    seconds = 0.0
    began = 0.0
    per_generation: ClassVar[list[int]] = [0, 0, 0]


def _on_gc(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _Collected.began = time.perf_counter()
    else:
        _Collected.seconds += time.perf_counter() - _Collected.began
        _Collected.per_generation[info["generation"]] += 1


gc.callbacks.append(_on_gc)


class _LazyFinder:
    """Hands out lazy loaders for the named modules and remembers which of them actually ran."""

    def __init__(self, names: list[str]) -> None:
        self.names = set(names)
        self.lazy: dict[str, importlib.machinery.ModuleSpec] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(fullname, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        spec.loader = importlib.util.LazyLoader(loader)
        self.lazy[fullname] = spec
        return spec

    def never_ran(self) -> list[str]:
        # A lazy module that ran has swapped its class back to the plain module type.
        return sorted(
            name
            for name in self.lazy
            if name in sys.modules and type(sys.modules[name]).__name__ == "_LazyModule"
        )


def main() -> None:
    args = sys.argv[1:]
    lazy_names: list[str] = []
    if "--lazy" in args:
        at = args.index("--lazy")
        lazy_names = [n for n in args[at + 1].split(",") if n]
        del args[at : at + 2]
    module_name, paths = args[0], args[1:]
    sys.path[:0] = paths
    finder = _LazyFinder(lazy_names)
    if lazy_names:
        sys.meta_path.insert(0, finder)
    module = importlib.import_module(module_name)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    gc.callbacks.remove(_on_gc)
    never_ran = finder.never_ran()
    high_water_kib = None
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    high_water_kib = int(line.split()[1])
    except OSError:
        pass
    print(
        json.dumps(
            {
                "import_seconds": elapsed,
                # CPU time of the import: what a busy machine disturbs least.
                "import_cpu_seconds": cpu,
                "peak_rss_kib": high_water_kib or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "modules": len(sys.modules),
                # The collector's share of it (and how many collections of each generation).
                "gc_seconds": _Collected.seconds,
                "gc_collections": _Collected.per_generation,
                "has_handler": callable(getattr(module, "handler", None)),
                "never_ran": never_ran,
                # With modules deferred: which ran, so the caller can tell what the deferral kept out.
                "ran": sorted(set(sys.modules) - set(never_ran)) if lazy_names else [],
            }
        )
    )


main()
