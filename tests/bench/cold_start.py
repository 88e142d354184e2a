"""Figure 4: what a cold start of each function costs before its first event, against a boto3-only handler.

Every ``functions/*/app.py`` (and ``baseline_app.py``) is loaded by path in a fresh interpreter
(``cold_start_probe.py``) with the function's environment from the template, as the local stack sets it,
plus ``AWS_LAMBDA_FUNCTION_NAME``. One untimed run first (it also writes the ``.pyc`` files, as a
deployed package would have them warm on disk) is made with ``-X importtime`` to tell which packages
the time goes to; then the timed runs, interleaved: every function once per pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from oms_local import REGION
from oms_local.template import Template

from tests.bench.stats import ratio, summarize

HERE = Path(__file__).resolve().parent
PROBE = HERE / "cold_start_probe.py"
BASELINE = HERE / "baseline_app.py"
BASELINE_NAME = "baseline (boto3 only)"


def _environment(template: Template, function: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "POWERTOOLS_", "OMS_")) and key not in template.environment()
    }
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    if function is not None:
        fn = template.functions[function]
        env.update(fn.environment)
        env["AWS_LAMBDA_FUNCTION_NAME"] = fn.name
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(fn.memory_mb)
    return env


def _probe(path: Path, env: dict[str, str], importtime: bool = False) -> tuple[dict[str, Any], float, str]:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), str(PROBE), str(path)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=path.parent)
    except OSError as error:
        raise RuntimeError(f"loading {path} failed: {error}") from error
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"loading {path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall, done.stderr


def import_time_by_package(importtime_stderr: str, top: int) -> list[dict[str, Any]]:
    """``-X importtime`` self times summed per top-level package: a partition of the import time, so the
    packages can be compared and added up (cumulative times nest and would count twice)."""
    found: dict[str, int] = {}
    for line in importtime_stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        package = parts[2].strip().split(".", 1)[0]
        found[package] = found.get(package, 0) + int(parts[0])
    ranked = sorted(found.items(), key=lambda kv: -kv[1])[:top]
    return [{"package": name, "self_ms": micros / 1000} for name, micros in ranked]


def run(template: Template, *, repetitions: int, only: list[str] | None, top_imports: int) -> dict[str, Any]:
    targets: list[tuple[str, Path, str | None]] = [(BASELINE_NAME, BASELINE, None)]
    for logical_id, fn in sorted(template.functions.items(), key=lambda kv: kv[1].code_dir.name):
        if only is not None and fn.code_dir.name not in only:
            continue
        if fn.module_file.is_file():
            targets.append((fn.code_dir.name, fn.module_file, logical_id))
    environments = {name: _environment(template, logical_id) for name, _, logical_id in targets}
    firsts: dict[str, dict[str, Any]] = {}
    imports: dict[str, list[dict[str, Any]]] = {}
    # The template is read once: a function whose code moved meanwhile (a rename while this runs) is
    # reported as skipped rather than failing the figure.
    skipped: dict[str, str] = {}
    for name, path, _ in targets:
        try:
            first, _, stderr = _probe(path, environments[name], importtime=top_imports > 0)
        except RuntimeError as error:
            skipped[name] = str(error)[:300]
            continue
        firsts[name] = first
        imports[name] = import_time_by_package(stderr, top_imports) if top_imports else []
    targets = [target for target in targets if target[0] not in skipped]
    # Timed runs interleaved (every function once per pass), so load from elsewhere spreads evenly.
    samples: dict[str, list[tuple[dict[str, Any], float, str]]] = {name: [] for name, _, _ in targets}
    for _ in range(repetitions):
        for name, path, _ in targets:
            if name in skipped:
                continue
            try:
                samples[name].append(_probe(path, environments[name]))
            except RuntimeError as error:
                skipped[name] = str(error)[:300]
    targets = [target for target in targets if target[0] not in skipped]
    rows: dict[str, dict[str, Any]] = {}
    for name, path, logical_id in targets:
        runs = samples[name]
        rows[name] = {
            "file": str(path.relative_to(path.parents[2])) if logical_id else str(path.name),
            "import": summarize([s["import_seconds"] for s, _, _ in runs]),
            "process_wall": summarize([wall for _, wall, _ in runs]),
            "peak_rss_mib": summarize([s["peak_rss_kib"] for s, _, _ in runs], scale=1 / 1024, unit="MiB"),
            "modules_loaded": firsts[name]["modules"],
            "import_time_by_package": imports[name],
        }
    baseline = rows[BASELINE_NAME]
    for row in rows.values():
        row["import_ratio_to_baseline"] = ratio(row["import"], baseline["import"])
        row["rss_ratio_to_baseline"] = ratio(row["peak_rss_mib"], baseline["peak_rss_mib"])
    return {
        "repetitions": repetitions,
        "environment": "function's template environment + AWS_LAMBDA_FUNCTION_NAME, tracing disabled as locally",
        "functions": rows,
        "skipped": skipped,
    }
