"""Figure 3: the scheduled jobs cost what is due, not what is stored.

The table is filled with stored orders written straight as items (BatchWriteItem, in the shape
``store/orders.py`` writes, with only the attributes the jobs read plus keys and index attributes). Of
them, ``due`` unpaid orders are past their payment deadline and ``due`` delivered orders are past the
quiet period; the rest are not due (unpaid with a deadline ahead and delivered with the quiet period
ahead, both in the timers index under the same kinds the jobs query, and completed orders outside it).
Each repetition puts the due orders back as they were, then times one run of each job
(``oms.jobs.release_unpaid.run`` and ``oms.jobs.auto_confirm.run``) and checks it moved exactly the due
ones. The same is done after the table grows; the ratio of the two sizes should be near 1.
"""

from __future__ import annotations

import time
from typing import Any

from oms import aws
from oms.jobs import auto_confirm, release_unpaid
from oms.store import timers
from oms.store.table import Table
from oms_local.testing import StackClient

from tests.bench import probes, seeding
from tests.bench.placement import jsonpath_parser_cached
from tests.bench.stats import ratio, summarize

JOBS = ("release_unpaid", "auto_confirm")


def _run_job(name: str, table: Table) -> dict[str, int]:
    if name == "release_unpaid":
        return release_unpaid.run(table)
    return auto_confirm.run(table)


def _query_only(table: Table) -> float:
    """The index reads alone (both kinds), to show the query part is flat too."""
    started = time.perf_counter()
    for kind in (seeding.PAYMENT_DUE, seeding.AUTO_CONFIRM):
        for _ in timers.due(table, kind):
            pass
    return time.perf_counter() - started


def run(
    world: StackClient, *, sizes: list[int], due: int, repetitions: int, seed_workers: int
) -> dict[str, Any]:
    world.local.reset(resume_pollers=False)
    table = Table()
    client = aws.client("dynamodb")
    sqs = world.cloud.client("sqs")
    sku = seeding.new_sku("JOBS")
    due_items = seeding.due_orders("j", due, sku)
    stored = 0
    by_size: list[dict[str, Any]] = []
    with jsonpath_parser_cached():  # one untimed run of each job first: code paths and clients warm
        for name in JOBS:
            seeding.put_items(client, table.name, [*due_items, seeding.job_stock_item(sku, due)])
            _run_job(name, table)
    for size in sizes:
        fillers = max(0, size - 2 * due)
        started = time.perf_counter()
        seeding.put_items(
            client, table.name, seeding.filler_orders("f", stored, fillers, sku), workers=seed_workers
        )
        seeded_seconds = time.perf_counter() - started
        stored = max(stored, fillers)
        samples: dict[str, list[float]] = {name: [] for name in JOBS}
        queries: list[float] = []
        results: dict[str, list[dict[str, int]]] = {name: [] for name in JOBS}
        calls = probes.Timings()
        # moto's EventBridge rebuilds a JSONPath parser per event (figure 1); cached here so its noise does
        # not hide how the jobs scale. The PutEvents calls are still made and timed.
        with probes.timed_seams(calls), jsonpath_parser_cached():
            for _ in range(repetitions):
                for name in JOBS:
                    seeding.put_items(client, table.name, [*due_items, seeding.job_stock_item(sku, due)])
                    seeding.purge_queues(sqs)
                    queries.append(_query_only(table))
                    began = time.perf_counter()
                    with probes.running(name):
                        outcome = _run_job(name, table)
                    samples[name].append(time.perf_counter() - began)
                    results[name].append(outcome)
        expected = {
            "release_unpaid": {
                "released": due,
                "skipped": 0,
                "found_paid": 0,
                "unanswered": 0,
                "edits_lapsed": 0,
                "balance_notices": 0,
                "balance_unpaid": 0,
            },
            "auto_confirm": {"confirmed": due, "skipped": 0},
        }
        by_size.append(
            {
                "stored_orders": stored + 2 * due,
                "due_per_job": due,
                "seed_seconds": seeded_seconds,
                "seed_items_per_second": fillers / seeded_seconds if seeded_seconds and fillers else None,
                "jobs": {name: summarize(values) for name, values in samples.items()},
                "index_reads_only": summarize(queries),
                "moved_exactly_the_due": all(
                    outcome == expected[name] for name, outcomes in results.items() for outcome in outcomes
                ),
                "outcomes": {name: outcomes[0] for name, outcomes in results.items()},
                "calls_per_run": {
                    name: {
                        label.split(":", 2)[2]: {
                            "count": count / repetitions,
                            "ms": seconds / repetitions * 1000,
                        }
                        for label, (seconds, count) in sorted(calls.snapshot().items())
                        if label.startswith(f"aws:{name}:")
                    }
                    for name in JOBS
                },
            }
        )
    smallest, largest = by_size[0], by_size[-1]
    world.local.reset(resume_pollers=False)
    return {
        "eventbridge_parser_cached": True,
        "sizes": by_size,
        "ratios_largest_over_smallest": {
            **{name: ratio(largest["jobs"][name], smallest["jobs"][name]) for name in JOBS},
            "index_reads_only": ratio(largest["index_reads_only"], smallest["index_reads_only"]),
        },
    }
