"""Figure 4: each function's cold start from the built artefact, in a clean interpreter, against boto3 alone.

Each handler is imported as Lambda's Python runtime imports it: ``python -I -S`` (the standard library
and nothing of the development environment), ``sys.path`` = the function's built code folder then the
layer's python folder (boto3 from the layer when the build bundles it), the working directory the code
folder, and only the environment the local stack gives that function's workers (the template's Globals
and the function's own, plus what Lambda sets; :func:`oms_local.runtime.environments._lambda_environment`).
The baseline is a handler that imports boto3 only, loaded the same way with the same layer.

Per function: one untimed run with ``-X importtime`` (where the time goes; it also writes the ``.pyc``
files, as a deployed package has them), then the timed runs interleaved, every target once per pass, so
load from elsewhere spreads evenly; medians are quoted. A last pass per function defers, with
:class:`importlib.util.LazyLoader`, the modules our code imports directly: those that init never runs are
what a lazy import would take out of the cold start, and the timed runs with them deferred show how much.
AWS is reached at a closed loopback port, so an init that calls AWS fails here instead of leaving the
machine.

The interpreter is the one running the benchmark. Where the machine also has the runtime's Python (3.12),
every pass loads each handler with it too, from the same build for that version (``oms_build``'s
``runtime`` platform), so the ratios are also given under the Python Lambda runs.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from oms_build import build, bytecode
from oms_build.targets import runtime_target
from oms_local import REGION
from oms_local.functions import Functions
from oms_local.runtime import artefact
from oms_local.runtime.environments import FunctionSpec, RuntimeSettings, _lambda_environment
from oms_local.template import Template

from tests.bench import import_profile, snapstart
from tests.bench.stats import ratio, summarize

HERE = Path(__file__).resolve().parent
PROBE = HERE / "cold_start_probe.py"
BASELINE_DIR = HERE / "baseline_function"
BASELINE_NAME = "baseline (boto3 only)"
# What the product card's libraries cost with no service code: a worker's and an API function's.
FLOORS = {
    "floor (boto3, pydantic, Logger)": (HERE / "floor_function", False),
    "floor (API: + validated HTTP resolver)": (HERE / "floor_api_function", True),
}
HANDLER = "app.handler"
LIBRARY_SETTINGS = ("PYDANTIC_",)
# Nothing listens there: an AWS call during init fails at once and names itself.
UNREACHABLE_AWS = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# What Lambda's runtime provides besides the standard library.
BOTO3_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3", "six")
# Deferral candidates below this (cumulative ms in the importtime run) are not worth a line.
CANDIDATE_MINIMUM_MS = 0.5


@dataclass(frozen=True)
class Target:
    """One handler to start cold: what the probe imports, from where, with which environment."""

    name: str
    paths: tuple[str, ...]
    environment: dict[str, str]
    api: bool
    python: str = sys.executable

    def command(self, *extra: str, lazy: list[str] | None = None) -> list[str]:
        lazy_args = ["--lazy", ",".join(lazy)] if lazy else []
        module = HANDLER.rpartition(".")[0]
        return [self.python, "-I", "-S", *extra, str(PROBE), module, *self.paths, *lazy_args]


def _runtime_boto3() -> Path:
    """Lambda's Python runtime brings boto3 (``/var/runtime``); for a layer that does not bundle it, the
    same: a folder holding only boto3 and what it imports, linked from this environment's copies."""
    folder = Path(tempfile.gettempdir()) / "oms-bench-runtime-boto3"
    folder.mkdir(exist_ok=True)
    for distribution in BOTO3_DISTRIBUTIONS:
        for top in _top_level_names(distribution):
            source = Path(str(importlib.metadata.distribution(distribution).locate_file(top)))
            link = folder / top
            if not link.exists():
                link.symlink_to(source)
    return folder


def _top_level_names(distribution: str) -> set[str]:
    files = importlib.metadata.distribution(distribution).files or []
    return {
        str(f).split("/")[0]
        for f in files
        if not str(f).startswith((".", "__pycache__")) and ".dist-info" not in str(f).split("/")[0]
    }


def _settings() -> RuntimeSettings:
    return RuntimeSettings(
        endpoints=dict(UNREACHABLE_AWS),
        credentials=lambda spec: dict(CREDENTIALS),
        clock_offset=lambda: 0.0,
        region=REGION,
    )


def targets(template: Template, only: list[str] | None) -> list[Target]:
    """The baseline and every function whose code is on disk, as the local stack's workers see them."""
    built = artefact.host()
    functions = Functions(template)
    functions.layer_dir = built.layer_python
    functions.code_dir_of = lambda fn: built.function_dir(fn.code_dir)
    settings = _settings()

    # boto3 from the layer when the build bundles it, else as the runtime provides it.
    runtime = () if (Path(built.layer_python) / "boto3").is_dir() else (str(_runtime_boto3()),)

    def target(name: str, spec: FunctionSpec, api: bool) -> Target:
        paths = (str(spec.code_dir), str(spec.layer_dir), *runtime)
        return Target(name, paths, _lambda_environment(spec, settings), api)

    baseline = FunctionSpec(
        logical_id="Baseline",
        name="baseline",
        arn=f"arn:aws:lambda:{REGION}:123456789012:function:baseline",
        handler=HANDLER,
        code_dir=BASELINE_DIR,
        layer_dir=Path(built.layer_python),
        environment={},
        timeout_seconds=10.0,
        memory_mb=512,
    )
    found = [target(BASELINE_NAME, baseline, False)]
    # The libraries' own settings from the template (not the service's) apply to the floors as well.
    libraries = {k: v for k, v in template.environment().items() if k.startswith(LIBRARY_SETTINGS)}
    for name, (folder, api) in FLOORS.items():
        floor = replace(baseline, logical_id="Floor", code_dir=folder, environment=libraries)
        found.append(target(name, floor, api))
    for fn in sorted(template.functions.values(), key=lambda fn: fn.code_dir.name):
        if only is not None and fn.code_dir.name not in only:
            continue
        if fn.module_file.is_file():
            found.append(target(fn.code_dir.name, functions.spec(fn), bool(fn.routes)))
    return found


def under_runtime_python(found: list[Target]) -> tuple[str | None, dict[str, Target]]:
    """The same targets loaded by the runtime's Python version from the build for it (``runtime``), where
    this machine has that Python: its version and the targets by name; else (None, {})."""
    python = bytecode.interpreter(runtime_target().python_version)
    if python is None:
        return None, {}
    host, runtime = artefact.host(), build("runtime")

    def moved(path: str) -> str:
        # A function folder of the host build becomes the runtime build's; the benchmark's own stay.
        return (
            str(runtime.root / Path(path).relative_to(host.root))
            if Path(path).is_relative_to(host.root)
            else path
        )

    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return version, {
        t.name: replace(t, python=python, paths=(moved(t.paths[0]), str(runtime.layer_python))) for t in found
    }


def _probe(target: Target, *extra: str, lazy: list[str] | None = None) -> tuple[dict[str, Any], str]:
    try:
        done = subprocess.run(
            target.command(*extra, lazy=lazy),
            env=target.environment,
            cwd=target.paths[0],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeError(f"starting {target.name} failed: {error}") from error
    if done.returncode != 0:
        raise RuntimeError(f"starting {target.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _interleaved(
    targets: list[Target], repetitions: int, run: Callable[[Target], dict[str, Any]], skipped: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Every target once per pass, ``repetitions`` passes; a target that fails is skipped from then on."""
    samples: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
    for _ in range(repetitions):
        for target in targets:
            if target.name in skipped:
                continue
            try:
                samples[target.name].append(run(target))
            except RuntimeError as error:
                skipped[target.name] = _tail(error)
    return samples


def run(template: Template, *, repetitions: int, only: list[str] | None, top_imports: int) -> dict[str, Any]:
    chosen = targets(template, only)
    skipped: dict[str, str] = {}
    profiles: dict[str, list[import_profile.Imported]] = {}
    for target in chosen:
        try:
            _, stderr = _probe(target, "-X", "importtime")
        except RuntimeError as error:
            skipped[target.name] = _tail(error)
            continue
        profiles[target.name] = import_profile.parse(stderr)
    chosen = [t for t in chosen if t.name not in skipped]
    # Which directly imported modules init never runs (one run each, deferring them all at once).
    candidates = {
        t.name: import_profile.deferrable_candidates(profiles[t.name], CANDIDATE_MINIMUM_MS)
        for t in chosen
        if not _reference(t.name)
    }
    never_ran: dict[str, list[str]] = {}
    kept_out: dict[str, dict[str, float]] = {}
    for target in chosen:
        if candidates.get(target.name):
            try:
                found = _probe(target, lazy=sorted(candidates[target.name]))[0]
            except RuntimeError as error:
                skipped[f"{target.name} (deferred)"] = _tail(error)
                continue
            never_ran[target.name] = found["never_ran"]
            kept_out[target.name] = _kept_out(profiles[target.name], found["never_ran"], set(found["ran"]))

    # Timed, taking turns within each pass: compiled (the .pyc the first run wrote, as a layer shipping
    # bytecode would have them), from source (as deployed today: Lambda cannot write to /opt, so it
    # compiles the layer's modules at each cold start), compiled with the unneeded imports deferred, and
    # by the runtime's Python version where the machine has one.
    uncompiled = _bytecode_for_stdlib_only(chosen)
    runtime_version, on_runtime = under_runtime_python(chosen)
    for name, runtime_target_ in list(on_runtime.items()):  # writes the function folders' .pyc
        try:
            _probe(runtime_target_)
        except RuntimeError as error:
            skipped[f"{name} (Python {runtime_version})"] = _tail(error)
            del on_runtime[name]

    def one_pass(target: Target) -> dict[str, dict[str, Any]]:
        found = {"compiled": _probe(target)[0], "source": _probe(target, *uncompiled)[0]}
        if never_ran.get(target.name):
            found["deferred"] = _probe(target, lazy=never_ran[target.name])[0]
        if target.name in on_runtime:
            found["runtime"] = _probe(on_runtime[target.name])[0]
        return found

    passes = _interleaved(chosen, repetitions, one_pass, skipped)
    timed = {name: [p["compiled"] for p in runs] for name, runs in passes.items()}
    timed_source = {name: [p["source"] for p in runs] for name, runs in passes.items()}
    timed_deferred = {name: [p["deferred"] for p in runs if "deferred" in p] for name, runs in passes.items()}
    timed_runtime = {name: [p["runtime"] for p in runs if "runtime" in p] for name, runs in passes.items()}

    chosen = [t for t in chosen if t.name not in skipped]
    rows: dict[str, dict[str, Any]] = {}
    for target in chosen:
        runs = timed[target.name]
        row: dict[str, Any] = {
            "api": target.api,
            "import": summarize([s["import_seconds"] for s in runs]),
            "import_cpu": summarize([s["import_cpu_seconds"] for s in runs]),
            "import_from_source": summarize([s["import_seconds"] for s in timed_source[target.name]]),
            "import_cpu_from_source": summarize([s["import_cpu_seconds"] for s in timed_source[target.name]]),
            "gc": summarize([s["gc_seconds"] for s in runs], scale=1000, unit="ms"),
            "gc_collections": runs[0]["gc_collections"],
            "peak_rss_mib": summarize([s["peak_rss_kib"] for s in runs], scale=1 / 1024, unit="MiB"),
            "modules_loaded": runs[0]["modules"],
            "import_time_by_package": import_profile.by_package(profiles[target.name], top_imports),
            "import_time_beyond_baseline": import_profile.beyond(
                profiles[target.name], profiles[BASELINE_NAME], top_imports
            ),
        }
        if timed_runtime.get(target.name):
            row["runtime_import_cpu"] = summarize(
                [s["import_cpu_seconds"] for s in timed_runtime[target.name]]
            )
        deferred_runs = timed_deferred.get(target.name)
        if deferred_runs:
            scale = _untraced_scale(profiles[target.name], row["import_cpu"]["median"])
            row["importtime_scale"] = scale
            row["deferred_modules"] = {name: ms * scale for name, ms in kept_out[target.name].items()}
            ran = set(deferred_runs[0]["ran"])
            row["deferred_kept_out_ms"] = (
                scale * sum(item.self_us for item in profiles[target.name] if item.name not in ran) / 1000
            )
            row["import_deferred"] = summarize([s["import_seconds"] for s in deferred_runs])
            row["import_cpu_deferred"] = summarize([s["import_cpu_seconds"] for s in deferred_runs])
            row["peak_rss_deferred_mib"] = summarize(
                [s["peak_rss_kib"] for s in deferred_runs], scale=1 / 1024, unit="MiB"
            )
        rows[target.name] = row
    baseline = rows[BASELINE_NAME]
    for name, row in rows.items():
        row["import_ratio_to_baseline"] = ratio(row["import"], baseline["import"])
        floor = _floor_of(rows, row["api"])
        if floor is not None and not _reference(name):
            # The service code's own share: over the floor of the libraries it must import.
            row["import_ratio_to_floor"] = ratio(row["import"], floor["import"])
            row["import_cpu_ratio_to_floor"] = ratio(row["import_cpu"], floor["import_cpu"])
        row["import_cpu_ratio_to_baseline"] = ratio(row["import_cpu"], baseline["import_cpu"])
        row["import_cpu_from_source_ratio_to_baseline"] = ratio(
            row["import_cpu_from_source"], baseline["import_cpu_from_source"]
        )
        row["rss_ratio_to_baseline"] = ratio(row["peak_rss_mib"], baseline["peak_rss_mib"])
        if "runtime_import_cpu" in row and "runtime_import_cpu" in baseline:
            row["runtime_import_cpu_ratio_to_baseline"] = ratio(
                row["runtime_import_cpu"], baseline["runtime_import_cpu"]
            )
            if floor is not None and "runtime_import_cpu" in floor and not _reference(name):
                row["runtime_import_cpu_ratio_to_floor"] = ratio(
                    row["runtime_import_cpu"], floor["runtime_import_cpu"]
                )
        if "import_deferred" in row:
            row["import_deferred_ratio_to_baseline"] = ratio(row["import_deferred"], baseline["import"])
            row["import_cpu_deferred_ratio_to_baseline"] = ratio(
                row["import_cpu_deferred"], baseline["import_cpu"]
            )
    return {
        "summary": _summary(rows),
        "repetitions": repetitions,
        "artefact": {
            "layer": str(chosen[0].paths[1]) if chosen else None,
            "boto3_from": "the runtime (not in the layer)"
            if chosen and len(chosen[0].paths) > 2
            else "the layer",
        },
        "interpreter": f"python -I -S ({sys.version.split()[0]}), sys.path = code folder + layer",
        "runtime_python": runtime_version,
        "environment": "the function's template environment (Globals + its own) and what Lambda sets, "
        "as the local stack's workers get it",
        "functions": rows,
        "lazy_import_candidates": lazy_import_candidates(rows, profiles),
        "snapstart": snapstart.assess({n: r for n, r in rows.items() if not _reference(n)}),
        "skipped": skipped,
    }


GOAL_RATIO = 1.5
# The libraries the product card fixes take most of that on their own (the floors); what the service's own
# code may add on top of its floor.
FLOOR_GOAL_RATIO = 1.25


def _reference(name: str) -> bool:
    """The baseline and the floors: measured beside the functions, not functions of the service."""
    return name == BASELINE_NAME or name in FLOORS


def _floor_of(rows: dict[str, dict[str, Any]], api: bool) -> dict[str, Any] | None:
    for name, (_, floor_api) in FLOORS.items():
        if floor_api == api and name in rows:
            return rows[name]
    return None


def _summary(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The spread of import time over the baseline's, as built and with the unneeded imports deferred;
    the floors' own ratios; the functions' ratios to their floor (what the service's code adds)."""
    functions = [row for name, row in rows.items() if not _reference(name)]

    def spread(key: str, goal: float = GOAL_RATIO) -> dict[str, Any]:
        ratios = sorted(row[key] for row in functions if key in row)
        if not ratios:
            return {}
        return {
            "min": ratios[0],
            "median": ratios[len(ratios) // 2],
            "max": ratios[-1],
            "goal": goal,
            "within_goal": sum(1 for r in ratios if r <= goal),
            "functions": len(ratios),
        }

    return {
        "goal_ratio": GOAL_RATIO,
        "floors": {
            name: {
                "import_ratio_to_baseline": rows[name]["import_ratio_to_baseline"],
                "import_cpu_ratio_to_baseline": rows[name]["import_cpu_ratio_to_baseline"],
                **{k: rows[name][k] for k in ("runtime_import_cpu_ratio_to_baseline",) if k in rows[name]},
            }
            for name in FLOORS
            if name in rows
        },
        "over_floor": spread("import_ratio_to_floor", FLOOR_GOAL_RATIO),
        "over_floor_cpu": spread("import_cpu_ratio_to_floor", FLOOR_GOAL_RATIO),
        "as_built": spread("import_ratio_to_baseline"),
        "deferred": spread("import_deferred_ratio_to_baseline"),
        "as_built_cpu": spread("import_cpu_ratio_to_baseline"),
        "from_source_cpu": spread("import_cpu_from_source_ratio_to_baseline"),
        "deferred_cpu": spread("import_cpu_deferred_ratio_to_baseline"),
        "runtime_cpu": spread("runtime_import_cpu_ratio_to_baseline"),
        "runtime_over_floor_cpu": spread("runtime_import_cpu_ratio_to_floor", FLOOR_GOAL_RATIO),
    }


def _bytecode_for_stdlib_only(targets: list[Target]) -> tuple[str, ...]:
    """Interpreter options under which the artefact's modules compile from source at every start while
    the standard library's stay compiled, as in Lambda: bytecode is read from (and never written to) a
    cache tree that holds the standard library's only."""
    cache = Path(tempfile.gettempdir()) / "oms-bench-stdlib-bytecode"
    if cache.exists():
        shutil.rmtree(cache)
    for target in targets:  # fills the tree with every module the handlers load...
        with contextlib.suppress(RuntimeError):
            _probe(target, "-X", f"pycache_prefix={cache}")
    for target in targets:  # ...then takes the artefact's back out
        for path in target.paths:
            shutil.rmtree(cache / Path(path).resolve().relative_to("/"), ignore_errors=True)
    return ("-B", "-X", f"pycache_prefix={cache}")


def _tail(error: Exception) -> str:
    """The end of a failed start's message: the exception, not the probe's own frames."""
    lines = str(error).strip().splitlines()
    return " | ".join([lines[0], *lines[-3:]]) if len(lines) > 4 else " | ".join(lines)


def _untraced_scale(profile: list[import_profile.Imported], import_ms: float) -> float:
    """``-X importtime`` slows every import it times; its figures are scaled by the untraced import time
    over the traced total so that they add up to what the timed runs measured."""
    traced_ms = sum(item.self_us for item in profile) / 1000
    return import_ms / traced_ms if traced_ms else 1.0


def _kept_out(
    profile: list[import_profile.Imported], never_ran: list[str], ran: set[str]
) -> dict[str, float]:
    """Per deferred module that init never ran, the import ms it kept out of the cold start; one nested in
    another such module's imports is counted with the outer one."""
    outer = set(never_ran)
    for name in never_ran:
        inside = {item.name for item in import_profile.subtree(profile, name)} - {name}
        outer -= inside
    return {name: import_profile.kept_out_ms(profile, name, ran) for name in sorted(outer)}


def lazy_import_candidates(
    rows: dict[str, dict[str, Any]], profiles: dict[str, list[import_profile.Imported]]
) -> list[dict[str, Any]]:
    """Per module init never runs: which functions import it for nothing, who imports it, and the import
    ms deferring it kept out of their cold start (``-X importtime`` self times of what then did not run,
    scaled to the untraced import; median over those functions)."""
    found: dict[str, dict[str, Any]] = {}
    for name, row in rows.items():
        for module, ms in row.get("deferred_modules", {}).items():
            entry = found.setdefault(
                module, {"module": module, "functions": [], "ms": [], "importers": set()}
            )
            entry["functions"].append(name)
            entry["ms"].append(ms)
            importer = import_profile.importer_of(profiles[name], module)
            if importer:
                entry["importers"].add(importer)
    listed = []
    for entry in found.values():
        samples = sorted(entry["ms"])
        listed.append(
            {
                "module": entry["module"],
                "imported_by": sorted(entry["importers"]),
                "functions": sorted(entry["functions"]),
                "median_ms": samples[len(samples) // 2],
                "max_ms": samples[-1],
            }
        )
    return sorted(listed, key=lambda e: -e["median_ms"] * len(e["functions"]))
