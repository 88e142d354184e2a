"""Run in a fresh process (``python -m tests.bench.memory_probe``): the local stack's memory as orders pile up.

Boots a whole ``LocalStack`` (pollers running, so every order's consumers run as they would: the notice,
the order-lifecycle Standard execution parked on its payment wait), places orders through the
validate-order and reserve-stock handlers (``Functions.invoke``, as the local Lambda endpoint runs them;
no HTTP gateway, no Express workflow), and at each checkpoint waits until the stack is idle, collects
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
    stack: LocalStack, placed: int, started: float, recent_ms: float | None, consumers: bool
) -> dict[str, Any]:
    # With the consumers paused the queues only fill: there is nothing to wait for.
    idle = stack.wait_idle(timeout=300) if consumers else None
    gc.collect()
    dynamodb = stack.cloud.client("dynamodb")
    items = dynamodb.scan(TableName=Table().name, Select="COUNT")["Count"]
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
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", default="moto")
    parser.add_argument("--checkpoints", default="100,300", help="order counts to measure at")
    parser.add_argument(
        "--consumers", choices=("on", "off"), default="on", help="off: pollers paused, so only the data grows"
    )
    parser.add_argument(
        "--moto-untracked",
        action="store_true",
        help="what-if: stop moto keeping every model instance it ever made (BaseModel.instances_tracked)",
    )
    args = parser.parse_args(argv)
    if args.moto_untracked:
        from moto.core.common_models import BaseModel

        # moto lists every model instance for its server dashboard; TransactWriteItems deep-copies the
        # table, so each transaction would otherwise keep a full copy alive until the next reset.
        BaseModel.__new__ = lambda cls, *_, **__: object.__new__(cls)  # type: ignore[assignment,method-assign]
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

        for _ in range(5):  # warm: every handler loaded, every client made
            place()
        started = time.perf_counter()
        snapshots = [_snapshot(stack, 0, started, None, consumers)]
        placed = 0
        for target in checkpoints:
            window_start = time.perf_counter()
            window = target - placed
            while placed < target:
                place()
                placed += 1
            recent = (time.perf_counter() - window_start) / window * 1000 if window else None
            snapshots.append(_snapshot(stack, placed, started, recent, consumers))
            print(f"memory probe: {placed} orders, rss {snapshots[-1]['rss_mib']:.0f} MiB", file=sys.stderr)
    print(
        json.dumps(
            {
                "engine": args.engine,
                "consumers": consumers,
                "snapshots": snapshots,
                "handler_log_bytes": sink.bytes,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
