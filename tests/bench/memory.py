"""Figure 5: the local stack's memory and time per order as orders pile up, up to 10,000 orders.

``memory_probe.py`` runs in its own interpreter (so nothing of this run's own state is counted) and
reports RSS, threads and time at checkpoints. Two runs per figure, the same probe:

- the local stack as it is (``oms_local.moto_patches`` applied), through the stretches to the target
  (1,000, 2,500, 5,000, 10,000 orders), within a time budget: where the budget stops it short, the rest is
  extrapolated from the last stretch and the figure says so;
- moto as shipped (``--as-shipped all``: the same stack without the patches that keep the cost per order
  flat), at the caller's small checkpoints, so the ratio is measured in the same run of the bench.

The 10,000-order figures by hand (each well under 15 minutes on an idle 2-core machine)::

    .venv/bin/python -m tests.bench.memory_probe --consumers off --checkpoints 1000,2500,5000,10000
    .venv/bin/python -m tests.bench.memory_probe --consumers on --checkpoints 1000,2500,5000,10000
    OMS_DYNAMODB=local .venv/bin/python -m tests.bench.memory_probe --engine local --consumers off \\
        --checkpoints 1000,2500,5000,10000
    .venv/bin/python -m tests.bench.memory_probe --consumers off --checkpoints 100,300 --as-shipped all
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from typing import Any

from tests.bench.machine import PROJECT_ROOT

# Checkpoints below this are a smoke run (``--quick``): no stretches to the target, no comparison.
SMOKE_ORDERS = 20
# Placing time each run may take before it stops and extrapolates (the probe's wall clock).
BUDGET_SECONDS = 300.0
AS_SHIPPED_BUDGET_SECONDS = 180.0


def stretches(target: int) -> list[int]:
    return sorted({max(1, target // 10), max(1, target // 4), max(1, target // 2), target})


def probe(
    *,
    engine: str,
    checkpoints: list[int],
    pollers: bool,
    as_shipped: bool = False,
    budget_seconds: float | None = None,
    timeout: float = 900,
) -> dict[str, Any]:
    """One fresh-process probe run: its JSON document."""
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
    if as_shipped:
        command += ["--as-shipped", "all"]
    if budget_seconds is not None:
        command += ["--budget-seconds", str(budget_seconds)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"memory probe failed:\n{done.stderr[-3000:]}")
    # Handlers print their metrics on stdout too: the document is the last line.
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def summarize(found: dict[str, Any], target: int) -> dict[str, Any]:
    """Per stretch figures, overall growth, and the figure at ``target`` (measured or extrapolated)."""
    snapshots = found["snapshots"]
    base, last = snapshots[0], snapshots[-1]
    rows = []
    for before, after in itertools.pairwise(snapshots):
        orders = after["orders"] - before["orders"]
        if orders <= 0:
            continue
        rows.append(
            {
                "from": before["orders"],
                "to": after["orders"],
                "rss_mib_per_1000_orders": (after["rss_mib"] - before["rss_mib"]) / orders * 1000,
                "threads_per_order": (after["threads"] - before["threads"]) / orders,
                "ms_per_order": after.get("ms_per_order_recently"),
                "cpu_ms_per_order": after.get("cpu_ms_per_order_recently"),
                "loadavg": after.get("loadavg_1min"),
            }
        )
    span = last["orders"] - base["orders"]
    per_order_mib = (last["rss_mib"] - base["rss_mib"]) / span if span else 0.0
    late = rows[-1] if rows else None
    late_per_order_mib = late["rss_mib_per_1000_orders"] / 1000 if late else per_order_mib
    threads_per_order = (last["threads"] - base["threads"]) / span if span else 0.0
    to_go = max(0, target - last["orders"])
    extrapolated = to_go > 0
    projection: dict[str, Any] = {
        "target_orders": target,
        "extrapolated": extrapolated,
        "rss_mib": last["rss_mib"] + late_per_order_mib * to_go,
        "threads": round(last["threads"] + threads_per_order * to_go),
        "method": (
            f"linear from {last['orders']:,} orders: RSS at the last checkpoint plus the last stretch's growth "
            "per order times the orders still to go"
            if extrapolated
            else "measured"
        ),
    }
    measured_enough = last["orders"] * 10 >= target  # a line through a few orders says nothing of 10,000
    if (
        extrapolated
        and measured_enough
        and len(rows) >= 2
        and rows[0]["cpu_ms_per_order"]
        and rows[-1]["cpu_ms_per_order"]
    ):
        # CPU time per order against the middle of each stretch, carried to the target in a straight line
        # (never down: a busy machine's contention, not the orders, makes early stretches dearer).
        first, final = rows[0], rows[-1]
        middle_first, middle_last = (first["from"] + first["to"]) / 2, (final["from"] + final["to"]) / 2
        slope = max(
            0.0,
            (final["cpu_ms_per_order"] - first["cpu_ms_per_order"]) / max(1.0, middle_last - middle_first),
        )
        projection["cpu_ms_per_order_at_target"] = final["cpu_ms_per_order"] + slope * (target - middle_last)
    return {
        "engine": found["engine"],
        "as_shipped": found.get("as_shipped", []),
        "stopped_early": found.get("stopped_early", False),
        "consumers": "running" if found["consumers"] else "paused (queues fill, no lifecycle executions)",
        "placed_through": "validate-order and reserve-stock handlers via Functions.invoke, then its OrderPlaced event "
        "put on the bus (no gateway, no Express workflow)",
        "snapshots": snapshots,
        "stretches": rows,
        "growth_mib_per_1000_orders": per_order_mib * 1000,
        "late_growth_mib_per_1000_orders": late_per_order_mib * 1000,
        "threads_per_order": threads_per_order,
        "projection": projection,
        "handler_log_bytes_per_order": found["handler_log_bytes"] / max(1, last["orders"] + 5),
    }


def compare(now: dict[str, Any], shipped: dict[str, Any]) -> list[dict[str, Any]]:
    """moto as shipped against the patched stack, stretch by stretch over the same orders."""
    patched = {(row["from"], row["to"]): row for row in now["stretches"]}
    pairs = []
    for row in shipped["stretches"]:
        match = patched.get((row["from"], row["to"]))
        if match is None:
            continue
        pairs.append(
            {
                "from": row["from"],
                "to": row["to"],
                **{
                    key: {"as_shipped": row[key], "patched": match[key]}
                    for key in (
                        "rss_mib_per_1000_orders",
                        "cpu_ms_per_order",
                        "ms_per_order",
                        "threads_per_order",
                    )
                },
            }
        )
    return pairs


def run(*, engine: str, checkpoints: list[int], target: int, timeout: float, pollers: bool) -> dict[str, Any]:
    """The figure for one consumer setting. ``checkpoints``: the smoke run's orders, or the first
    stretches, which both runs measure (the patched run goes on to ``target`` in :func:`stretches`)."""
    if max(checkpoints) < SMOKE_ORDERS:
        found = probe(engine=engine, checkpoints=checkpoints, pollers=pollers, timeout=timeout)
        return summarize(found, target)
    run_timeout = max(timeout, BUDGET_SECONDS + 600)
    found = probe(
        engine=engine,
        checkpoints=sorted({*checkpoints, *stretches(target)}),
        pollers=pollers,
        budget_seconds=BUDGET_SECONDS,
        timeout=run_timeout,
    )
    result = summarize(found, target)
    shipped = summarize(
        probe(
            engine=engine,
            checkpoints=checkpoints,
            pollers=pollers,
            as_shipped=True,
            budget_seconds=AS_SHIPPED_BUDGET_SECONDS,
            timeout=run_timeout,
        ),
        target,
    )
    result["moto_as_shipped"] = shipped
    result["comparison"] = compare(result, shipped)
    return result
