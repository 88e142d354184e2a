"""Run in a fresh process (``python -m tests.bench.memory_probe``): the local stack's memory as orders pile up.

Boots a whole ``LocalStack`` (pollers running, so every order's consumers run as they would: the notice,
the order-lifecycle Standard execution parked on its payment wait), places orders through the
validate-order and reserve-stock handlers (``Functions.invoke``, as the local Lambda endpoint runs them;
no HTTP gateway, no Express workflow) and publishes the ``OrderPlaced`` event reserve-stock hands back, as
the workflow's next step does, and at each checkpoint waits until the stack is idle, collects
garbage and prints the process's RSS, its threads and the engine's item count. One JSON document on
stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from oms import ids
from oms.domain.ordering import PlaceOrderRequest
from oms.store.table import Table
from oms_local import moto_patches
from oms_local.stack import LocalStack

from tests.bench import seeding
from tests.e2e.shop import order_body


def _status_kib(pid: str, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _count(found: Any) -> int:
    return found if isinstance(found, int) else len(found)


def _snapshot(
    stack: LocalStack,
    placed: int,
    started: float,
    recent_ms: float | None,
    consumers: bool,
    recent_cpu_ms: float | None = None,
) -> dict[str, Any]:
    # With the consumers paused the queues only fill: there is nothing to wait for.
    idle = stack.wait_idle(timeout=300) if consumers else None
    gc.collect()
    dynamodb = stack.cloud.client("dynamodb")
    items, start = 0, None
    while True:  # a scan answers at most 1 MB per page
        page = dynamodb.scan(
            TableName=Table().name, Select="COUNT", **({"ExclusiveStartKey": start} if start else {})
        )
        items += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    jvm = stack.cloud.dynamodb_local
    jvm_process = getattr(jvm, "_process", None) if jvm is not None else None
    return {
        "orders": placed,
        "idle": idle,
        "rss_mib": (_status_kib("self", "VmRSS") or 0) / 1024,
        "peak_rss_mib": (_status_kib("self", "VmHWM") or 0) / 1024,
        "threads": threading.active_count(),
        "running_executions": _count(stack.cloud.running_executions()),
        "table_items": items,
        "dynamodb_local_jvm_rss_mib": (_status_kib(str(jvm_process.pid), "VmRSS") or 0) / 1024
        if jvm_process is not None
        else None,
        "elapsed_seconds": time.perf_counter() - started,
        "ms_per_order_recently": recent_ms,
        # CPU time of the whole process (pollers included): less noisy than wall time on a busy machine.
        "cpu_ms_per_order_recently": recent_cpu_ms,
        "loadavg_1min": _loadavg(),
    }


def _loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _as_shipped(value: str) -> set[str]:
    names = {n.strip() for n in value.split(",") if n.strip()}
    return set(moto_patches.SCALE_PATCHES) if "all" in names else names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", default="moto")
    parser.add_argument("--checkpoints", default="100,300", help="order counts to measure at")
    parser.add_argument(
        "--consumers", choices=("on", "off"), default="on", help="off: pollers paused, so only the data grows"
    )
    parser.add_argument(
        "--as-shipped",
        default="",
        help="moto as shipped: leave out these patches of oms_local.moto_patches "
        f"(comma-separated among {', '.join(moto_patches.SCALE_PATCHES)}, or 'all')",
    )
    parser.add_argument(
        "--budget-seconds",
        type=float,
        default=None,
        help="stop placing after this long (the last snapshot is taken where it stopped)",
    )
    args = parser.parse_args(argv)
    as_shipped = _as_shipped(args.as_shipped)
    moto_patches.apply(without=as_shipped)
    checkpoints = sorted(int(n) for n in args.checkpoints.split(",") if n.strip())
    sink = seeding.CountingSink()
    stack = LocalStack(port=0, engine=args.engine, automatic_schedules=False)
    consumers = args.consumers == "on"
    with seeding.handler_logs_to(sink), stack:
        if not consumers:
            stack.pause_pollers()
        table = Table()
        sku = seeding.stocked_product(table, 10 * (checkpoints[-1] + 10))
        request = PlaceOrderRequest.model_validate(order_body((sku, 1, seeding.PRICE))).model_dump(
            mode="json"
        )
        functions = stack.cloud.functions
        events_client = stack.cloud.client("events")

        def place() -> None:
            event = {
                "order_id": ids.new_id("ord"),
                "customer_id": "cus_mem",
                "request_hash": "0" * 64,
                "request": request,
            }
            checked = functions.invoke("ValidateOrderFunction", event)
            placed = functions.invoke("ReserveStockFunction", checked.result)
            if placed.failed or not placed.result.get("ok"):
                raise RuntimeError(f"placing failed: {placed.error or placed.result}")
            published = placed.result.get("event")
            if published is not None:
                # The place-order workflow's next step (EventBridge putEvents), as it sends it.
                sent = {**published, "Detail": json.dumps(published["Detail"], ensure_ascii=False)}
                answer = events_client.put_events(Entries=[sent])
                if answer.get("FailedEntryCount"):
                    raise RuntimeError(f"publishing failed: {answer}")

        for _ in range(5):  # warm: every handler loaded, every client made
            place()
        started = time.perf_counter()
        snapshots = [_snapshot(stack, 0, started, None, consumers)]
        placed = 0
        placing_seconds = 0.0
        stopped_early = False
        for target in checkpoints:
            window_start = time.perf_counter()
            window_cpu = time.process_time()
            window_placed = placed
            while placed < target:
                if (
                    args.budget_seconds is not None
                    and placing_seconds + (time.perf_counter() - window_start) > args.budget_seconds
                ):
                    stopped_early = True
                    break
                place()
                placed += 1
            spent = time.perf_counter() - window_start
            placing_seconds += spent
            window = placed - window_placed
            recent = spent / window * 1000 if window else None
            recent_cpu = (time.process_time() - window_cpu) / window * 1000 if window else None
            snapshots.append(_snapshot(stack, placed, started, recent, consumers, recent_cpu))
            print(
                f"memory probe: {placed} orders, rss {snapshots[-1]['rss_mib']:.0f} MiB, "
                f"{snapshots[-1]['threads']} threads, {recent or 0:.1f} ms per order ({recent_cpu or 0:.1f} CPU)",
                file=sys.stderr,
                flush=True,
            )
            if stopped_early:
                break
    print(
        json.dumps(
            {
                "engine": args.engine,
                "consumers": consumers,
                "as_shipped": sorted(as_shipped),
                "stopped_early": stopped_early,
                "snapshots": snapshots,
                "handler_log_bytes": sink.bytes,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
