"""Figure 2, before and after the worker runtime: the same cells with handlers in-process and in workers.

- ``in_process``: as before the change. Every handler runs in the benchmark's own process (moto in
  memory); API functions take turns on one lock, since powertools keeps the current request on the
  router class.
- ``workers``: as the local stack runs now. Each function in execution environments of its own (worker
  processes holding the built artefact, up to ``max_environments`` per function), reaching the emulated
  AWS over HTTP; overlapping requests get environments of their own.

The modes take turns cell by cell (their order flips every repetition), so load from elsewhere on the
machine falls on both alike; each cell starts from an empty table and is audited (oversold, lost,
duplicated). The workers are warmed first: their cold starts are reported apart, from the runtime's log.
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Iterator
from typing import Any

from oms_local.testing import StackClient

from tests.bench import throughput

MODES = ("in_process", "workers")
AUDIT_ZEROS = (
    "oversold_units",
    "lost_orders",
    "duplicated_orders",
    "answers_naming_another_order",
    "reservation_mismatch_units",
    "replays_answered_differently",
)


@contextlib.contextmanager
def mode(world: StackClient, name: str) -> Iterator[None]:
    functions = world.cloud.functions
    before = functions.in_process
    functions.in_process = name == "in_process"
    try:
        yield
    finally:
        functions.in_process = before


def _warm_workers(world: StackClient, clients: int, skus: int) -> dict[str, Any]:
    """One untimed cell at the most clients, so the measured cells find their environments started."""
    with mode(world, "workers"):
        cell = throughput.run_cell(world, clients=clients, orders=clients * 2, hot=False, skus=skus, seed=0)
    runtime = world.cloud.functions.runtime
    cold = runtime.cold_starts() if runtime is not None else {}
    retried = ("retried_connection_errors", "retried_key_in_use", "retried_server_errors")
    return {
        "clients": clients,
        "audit": cell["audit"],
        "statuses": cell["statuses"],
        **{key: cell[key] for key in retried},
        "environments": runtime.environment_count() if runtime is not None else 0,
        "cold_start_ms": {
            name: {"count": len(ms), "median": statistics.median(ms)}
            for name, ms in sorted(cold.items())
            if ms
        },
    }


def run(
    world: StackClient, *, clients: list[int], base_orders: int, skus: int, repetitions: int
) -> dict[str, Any]:
    warm_up = _warm_workers(world, max(clients), skus)
    cells: list[dict[str, Any]] = []
    for repetition in range(repetitions):
        order = MODES if repetition % 2 == 0 else tuple(reversed(MODES))
        for hot in (True, False):
            for count in clients:
                orders = max(base_orders, count + count // 2)
                for name in order:
                    with mode(world, name):
                        found = throughput.run_cell(
                            world, clients=count, orders=orders, hot=hot, skus=skus, seed=count + repetition
                        )
                    cells.append({**found, "mode": name, "repetition": repetition})
    world.local.reset(resume_pollers=False)
    return {"warm_up": warm_up, "cells": cells, "summary": summarize(cells)}


def summarize(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per SKU mode and client count: median orders/s in each mode, workers / in-process, and the audit
    summed over the repetitions (every one of those must be 0)."""
    groups: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = {}
    for cell in cells:
        groups.setdefault((cell["sku_mode"], cell["clients"]), {}).setdefault(cell["mode"], []).append(cell)
    rows = []
    for (sku_mode, clients), by_mode in groups.items():
        row: dict[str, Any] = {"sku_mode": sku_mode, "clients": clients}
        for name, found in by_mode.items():
            row[name] = {
                "orders_per_second": statistics.median(c["orders_per_second"] for c in found),
                "orders_per_second_each": [c["orders_per_second"] for c in found],
                "latency_median_ms": statistics.median(c["latency"]["median"] for c in found),
                "cells": len(found),
                "audit": {key: sum(int(c["audit"][key]) for c in found) for key in AUDIT_ZEROS},
            }
        if all(name in row for name in MODES) and row["in_process"]["orders_per_second"]:
            row["workers_over_in_process"] = (
                row["workers"]["orders_per_second"] / row["in_process"]["orders_per_second"]
            )
        rows.append(row)
    return rows
