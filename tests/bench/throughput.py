"""Figure 2's cell: orders per second over HTTP with N concurrent clients, and what the table says afterwards.

:mod:`tests.bench.throughput_modes` runs the cells, handlers in-process and in workers side by side.

Each cell starts from an empty stack. Clients (threads, one kept-alive connection each) take order
numbers from a shared counter until the cell's orders are all sent; each request has its own
Idempotency-Key. On the hot SKU the stock is 90% of the demand, so the last orders race for the last
units and some are refused (409); on many SKUs no SKU runs short.

Afterwards, from the table (a Scan of the order and stock items):
- oversold units: per SKU, units in stored orders beyond what was received, plus any negative
  ``available``; must be 0.
- lost orders: answered 201 but not in the table; duplicated orders: in the table without a final 201
  for its key (a tenth of the requests are replayed afterwards with the same key and body, and must get
  the same final answer again); both must be 0. Server errors and connection failures are retried with
  the same key, as a careful client does, and counted.
- answers naming another order: a 201 whose order id is not the one the API derives from that request's
  caller and Idempotency-Key (an answer meant for another request); must be 0.
- reservation mismatch: |reserved on the stock item - units in stored orders|, summed; must be 0.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from oms import ids
from oms.store.table import Table, deserialize
from oms_local.testing import StackClient

from tests.bench import seeding
from tests.bench.stats import summarize
from tests.e2e.shop import order_body

HOT_STOCK_SHARE = 0.9
REPLAY_SHARE = 0.1
RETRY_ATTEMPTS = 8
RETRY_PAUSE = 0.05
CONNECTING_AT_ONCE = 4


@dataclass
class Sent:
    key: str
    customer: str
    body: dict[str, Any]
    status: int
    order_id: str | None
    seconds: float
    connection_errors: int = 0
    key_in_use: int = 0
    problem: str | None = None
    server_errors: list[str] = field(default_factory=list)


@dataclass
class Cell:
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _scan(world: StackClient, table_name: str) -> list[dict[str, Any]]:
    client = world.cloud.client("dynamodb")
    items: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"TableName": table_name, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = client.scan(**kwargs)
        items += [deserialize(raw) or {} for raw in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def _audit(world: StackClient, cell: Cell, received: dict[str, int], replays: list[Sent]) -> dict[str, Any]:
    items = _scan(world, Table().name)
    orders = {item["id"]: item for item in items if item.get("sk") == "ORDER"}
    stock = {item["pk"].removeprefix("PRODUCT#"): item for item in items if item.get("sk") == "STOCK"}
    accepted = {s.order_id for s in cell.sent if s.status == 201 and s.order_id}
    sold: Counter[str] = Counter()
    for order in orders.values():
        for line in order["lines"]:
            sold[line["sku"]] += line["quantity"]
    oversold = sum(max(0, sold[sku] - units) for sku, units in received.items())
    oversold += sum(max(0, -int(stock.get(sku, {}).get("available", 0))) for sku in received)
    mismatch = sum(abs(int(stock.get(sku, {}).get("reserved", 0)) - sold[sku]) for sku in received)
    # The API derives the order id from the caller and the Idempotency-Key: a 201 naming another id is
    # an answer meant for another request.
    misdirected = sum(
        1 for s in cell.sent if s.status == 201 and s.order_id != ids.derived_id("ord", s.customer, s.key)
    )
    first_answers = {s.key: (s.status, s.order_id) for s in cell.sent}
    replays_differing = sum(1 for r in replays if first_answers.get(r.key) != (r.status, r.order_id))
    return {
        "orders_in_table": len(orders),
        "oversold_units": oversold,
        "lost_orders": len(accepted - set(orders)),
        "answers_naming_another_order": misdirected,
        "answers_201": sum(1 for s in cell.sent if s.status == 201),
        "duplicated_orders": len(set(orders) - accepted),
        "replays": len(replays),
        "replays_answered_differently": replays_differing,
        "reservation_mismatch_units": mismatch,
        "units_sold": sum(sold.values()),
        "units_received": sum(received.values()),
    }


@dataclass
class Answer:
    status: int
    order_id: str | None
    seconds: float
    connection_errors: int
    key_in_use: int
    problem: str | None
    server_errors: list[str]


def _post(world: StackClient, token: str, key: str, body: dict[str, Any]) -> Answer:
    """One order as a careful client places it: the same Idempotency-Key again after a failed connection,
    a 5xx, or while the first attempt is still running (409 ``idempotency_key_in_use``, which API.md says
    is safe to retry). The answer kept is the final one; what was retried is counted."""
    errors = 0
    in_use = 0
    server_errors = 0
    codes: list[str] = []
    started = time.perf_counter()
    while True:
        try:
            answer = world.request(
                "POST", "/v1/orders", json=body, token=token, headers={"Idempotency-Key": key}
            )
        except ConnectionError:
            errors += 1
            if errors >= RETRY_ATTEMPTS:
                raise
            time.sleep(RETRY_PAUSE * errors)
            continue
        problem = answer.json() if answer.status != 201 and answer.content_type.endswith("json") else None
        code = str(problem.get("code")) if isinstance(problem, dict) else None
        if code == "idempotency_key_in_use" and in_use < RETRY_ATTEMPTS:
            in_use += 1
            time.sleep(RETRY_PAUSE * in_use)
            continue
        if answer.status >= 500 and server_errors < RETRY_ATTEMPTS:
            server_errors += 1
            codes.append(f"{answer.status} {code}")
            time.sleep(RETRY_PAUSE * server_errors)
            continue
        break
    elapsed = time.perf_counter() - started
    order_id = str(answer.json()["id"]) if answer.status == 201 else None
    return Answer(answer.status, order_id, elapsed, errors, in_use, code, codes)


def run_cell(
    world: StackClient, *, clients: int, orders: int, hot: bool, skus: int, seed: int
) -> dict[str, Any]:
    world.local.reset(resume_pollers=False)
    table = Table()
    if hot:
        units = max(1, int(orders * HOT_STOCK_SHARE))
        catalogue = [seeding.stocked_product(table, units)]
        received = {catalogue[0]: units}
    else:
        catalogue = [seeding.stocked_product(table, orders) for _ in range(skus)]
        received = dict.fromkeys(catalogue, orders)
    rng = random.Random(seed)
    plan = [
        (f"cus_t{n % max(clients, 1)}", order_body((rng.choice(catalogue), 1, seeding.PRICE)))
        for n in range(orders)
    ]
    tokens = {customer: world.customer_token(customer) for customer, _ in plan}
    cell = Cell()
    next_index = iter(range(orders))
    take_lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    connecting = threading.Semaphore(CONNECTING_AT_ONCE)

    def client() -> None:
        # Open the kept-alive connection before the clock starts, a few at a time: the local gateway's
        # listen backlog is socketserver's default of 5 and resets connections beyond it.
        with connecting:
            world.request("GET", "/health")
        start.wait()
        while True:
            with take_lock:
                index = next(next_index, None)
            if index is None:
                return
            customer, body = plan[index]
            key = uuid.uuid4().hex
            got = _post(world, tokens[customer], key, body)
            with cell.lock:
                cell.sent.append(
                    Sent(
                        key,
                        customer,
                        body,
                        got.status,
                        got.order_id,
                        got.seconds,
                        got.connection_errors,
                        got.key_in_use,
                        got.problem,
                        got.server_errors,
                    )
                )

    threads = [threading.Thread(target=client, name=f"bench-client-{n}", daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began

    replays = []
    for first in random.Random(seed + 1).sample(cell.sent, max(1, int(len(cell.sent) * REPLAY_SHARE))):
        got = _post(world, tokens[first.customer], first.key, first.body)
        replays.append(Sent(first.key, first.customer, first.body, got.status, got.order_id, got.seconds))
    statuses = Counter(s.status for s in cell.sent)
    accepted = statuses.get(201, 0)
    return {
        "clients": clients,
        "sku_mode": "hot" if hot else "many",
        "skus": len(catalogue),
        "orders_sent": orders,
        "wall_seconds": wall,
        "orders_per_second": accepted / wall if wall else 0.0,
        "requests_per_second": len(cell.sent) / wall if wall else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "refusals": dict(Counter(s.problem for s in cell.sent if s.problem)),
        "retried_connection_errors": sum(s.connection_errors for s in cell.sent),
        "retried_key_in_use": sum(s.key_in_use for s in cell.sent),
        "retried_server_errors": dict(Counter(code for s in cell.sent for code in s.server_errors)),
        "latency": summarize([s.seconds for s in cell.sent]),
        "audit": _audit(world, cell, received, replays),
    }
