"""Would SnapStart pay on the API functions? Our measured init against a snapshot restore, in ms and USD.

SnapStart (Python 3.12 and later) initialises a published version once, snapshots the microVM, and
resumes new environments from the snapshot; for Python, Lambda charges for caching the snapshot and for
each restore (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html, "SnapStart pricing"). The cold
start then costs Restore Duration + Duration instead of Init Duration + Duration
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html).

Our init is the import's CPU time on this machine's full core (CPU time: a busy machine disturbs it least),
compiling the layer's modules from source as Lambda does with today's layer. Lambda gives a function CPU in proportion to its
memory, one vCPU at 1,769 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so
a single-threaded, CPU-bound import at 512 MB takes about 1769/512 times as long there: an estimate, not
a measurement (this core is not a Graviton vCPU, and file reads are not all CPU).
"""

from __future__ import annotations

import statistics
from typing import Any

from tests.bench.cost_model import PRICES

VCPU_MB = 1769
# AWS documents no restore duration for Python: this range ("a few hundred ms") is an assumption, and both
# ends are carried through the arithmetic.
RESTORE_MS = (200.0, 500.0)
# us-east-1 list prices for SnapStart on Python (per GB of the function's memory).
RESTORE_USD_PER_GB = 0.0001397998
CACHE_USD_PER_GB_SECOND = 0.0000015046
SECONDS_PER_MONTH = 30 * 24 * 3600
SOURCES = [
    "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html",
    "https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html",
    "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html",
]


def assess(rows: dict[str, dict[str, Any]], memory_mb: int = 512) -> dict[str, Any]:
    api = {name: row for name, row in rows.items() if row.get("api")}
    if not api:
        return {}
    stretch = VCPU_MB / memory_mb
    gb = memory_mb / 1024
    functions: dict[str, dict[str, Any]] = {}
    for name, row in api.items():
        # As deployed: the layer's modules compile at each cold start, which a snapshot also skips.
        local_ms = float(row.get("import_cpu_from_source", row.get("import_cpu", row["import"]))["median"])
        in_lambda_ms = local_ms * stretch
        functions[name] = {
            "init_local_ms": local_ms,
            "init_at_memory_ms_estimate": in_lambda_ms,
            "saved_ms_per_cold_start": [in_lambda_ms - restore for restore in reversed(RESTORE_MS)],
            "init_billed_usd": in_lambda_ms / 1000 * gb * PRICES["lambda_gb_second_arm64"],
        }
    typical = statistics.median(f["init_at_memory_ms_estimate"] for f in functions.values())
    compiled = statistics.median(
        float(row.get("import_cpu", row["import"])["median"]) for row in api.values()
    )
    restore_usd = gb * RESTORE_USD_PER_GB
    init_usd = typical / 1000 * gb * PRICES["lambda_gb_second_arm64"]
    cache_usd_month = gb * CACHE_USD_PER_GB_SECOND * SECONDS_PER_MONTH * len(functions)
    low, high = (typical - restore for restore in reversed(RESTORE_MS))
    pays_in_latency = low > 0
    return {
        "memory_mb": memory_mb,
        "cpu_stretch": stretch,
        "restore_ms_assumed": list(RESTORE_MS),
        "functions": functions,
        "median_init_at_memory_ms_estimate": typical,
        "median_init_compiled_at_memory_ms_estimate": compiled * stretch,
        "usd_per_cold_start": {"restore": restore_usd, "init_billed": init_usd},
        "cache_usd_per_month_all_api_functions": cache_usd_month,
        "verdict": (
            f"At {memory_mb} MB an API function's init would take about {typical:,.0f} ms in Lambda "
            f"(median {typical / stretch:,.0f} CPU ms here, compiling from source as deployed, x {stretch:.2f} "
            "for its CPU share). A restore of "
            f"{RESTORE_MS[0]:.0f}-{RESTORE_MS[1]:.0f} ms would take {low:,.0f}-{high:,.0f} ms off each cold "
            f"start, for {restore_usd * 1000:.3f} USD per 1,000 restores ({restore_usd / init_usd:.0f}x the "
            f"billed init it replaces) plus {cache_usd_month:.2f} USD a month to keep the {len(functions)} "
            "API functions' snapshots cached. "
            + (
                "So it pays in latency at a small price, for the customer-facing routes once cold starts "
                "show in their p99. Cheaper first: a layer shipping Python 3.12 bytecode would bring the "
                f"init to about {compiled * stretch:,.0f} ms ({compiled:,.0f} CPU ms here, compiled), and "
                "deferring the imports init does not need (listed above) shortens every cold start, snapshot or not."
                if pays_in_latency
                else "It does not pay: the init is already about as short as a restore."
            )
        ),
        "sources": SOURCES,
    }
