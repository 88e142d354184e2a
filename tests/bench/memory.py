"""Figure 5: the local stack's memory after many orders, measured in a fresh process and extrapolated.

``memory_probe.py`` runs in its own interpreter (so nothing of this run's own state is counted) and
reports RSS at checkpoints; the growth between the first and last checkpoint, per order, carries the
figure to the target (10,000 orders) when the run stops short of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.bench.machine import PROJECT_ROOT


def run(*, engine: str, checkpoints: list[int], target: int, timeout: float, pollers: bool) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "tests.bench.memory_probe",
        "--engine",
        engine,
        "--checkpoints",
        ",".join(str(n) for n in checkpoints),
        "--consumers",
        "on" if pollers else "off",
    ]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"memory probe failed:\n{done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    snapshots = found["snapshots"]
    base, first, last = snapshots[0], snapshots[1], snapshots[-1]
    span = last["orders"] - base["orders"]
    per_order_mib = (last["rss_mib"] - base["rss_mib"]) / span if span else 0.0
    late_span = last["orders"] - first["orders"]
    late_per_order_mib = (last["rss_mib"] - first["rss_mib"]) / late_span if late_span else per_order_mib
    threads_per_order = (last["threads"] - base["threads"]) / span if span else 0.0
    extrapolated = last["orders"] < target
    projection: dict[str, Any] = {
        "target_orders": target,
        "extrapolated": extrapolated,
        "rss_mib": last["rss_mib"] + late_per_order_mib * (target - last["orders"]),
        "threads": round(last["threads"] + threads_per_order * (target - last["orders"])),
        "method": (
            "linear: RSS at the last checkpoint plus the growth per order between the first and last "
            "checkpoints times the orders still to go"
            if extrapolated
            else "measured"
        ),
    }
    first_ms, last_ms = first.get("ms_per_order_recently"), last.get("ms_per_order_recently")
    if first_ms and last_ms and late_span:
        # ms per order grows linearly with the orders stored on moto (its transactions copy the table).
        middle_first = (first["orders"] + base["orders"]) / 2
        middle_last = (last["orders"] + first["orders"]) / 2
        slope = (last_ms - first_ms) / (middle_last - middle_first)
        intercept = first_ms - slope * middle_first
        projection["ms_per_order_at_target"] = intercept + slope * target
        projection["seconds_to_place_target"] = (intercept * target + slope * target * target / 2) / 1000
    return {
        "engine": engine,
        "consumers": "running" if pollers else "paused (queues fill, no lifecycle executions)",
        "placed_through": "validate-order and reserve-stock handlers via Functions.invoke (no gateway, no Express workflow)",
        "snapshots": snapshots,
        "growth_mib_per_1000_orders": per_order_mib * 1000,
        "late_growth_mib_per_1000_orders": late_per_order_mib * 1000,
        "threads_per_order": threads_per_order,
        "projection": projection,
        "handler_log_bytes_per_order": found["handler_log_bytes"] / max(1, last["orders"] + 5),
    }
