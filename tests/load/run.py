"""One load run against the local stack over loopback: buyers, the payment provider, staff and carriers at
once, for a bounded time and count, then an audit of what was stored against what was answered.

Buyers (threads) place orders on a few hot SKUs (little stock, contended) and many cold ones, pay most of
them through signed webhooks, cancel some and look some up; shippers take paid orders, ship them and send
the carrier's signed tracking events. Like a careful client, a 5xx or ``idempotency_key_in_use`` is retried
with the same Idempotency-Key (a bounded number of times); every attempt is timed and counted.

The audit (after the stack is idle) reads the table directly:
- lost orders: a 201 whose order is not stored; unanswered orders: a stored order no 201 named;
- oversell: per SKU, ``on_hand - reserved >= 0``, ``reserved`` equals the open orders' lines and
  ``on_hand`` equals received - shipped (stock balanced);
- 5xx answers (none allowed unless faults are injected, where only ones retried into success are).
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from oms.domain.order_status import HOLDS_STOCK
from oms.store.table import Table, deserialize
from oms_local.testing import Response, StackClient

from tests.bench.stats import quantile
from tests.e2e.shop import order_body

PRICE = 3900
RETRIES = 3
_ID = re.compile(r"/(ord|ret|shp|exc)_[0-9a-z]+")
_SKU = re.compile(r"/(products|inventory)/[^/]+")


@dataclass
class Config:
    seconds: float = 60.0
    max_orders: int = 20_000
    buyers: int = 12
    shippers: int = 2
    hot_skus: int = 3
    hot_stock: int = 40
    cold_skus: int = 40
    cold_stock: int = 10_000
    pay_share: float = 0.7
    cancel_share: float = 0.15
    seed: int = 1
    engine: str = "moto"
    faults: float | None = None


@dataclass
class Books:
    """Everything the clients saw, shared by the threads (one lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)  # "route|status|code"
    details: dict[str, str] = field(default_factory=dict)  # the first problem detail per outcome
    answered: dict[str, str] = field(default_factory=dict)  # order id -> customer, for every 201
    keys_sent: int = 0
    retried: Counter[str] = field(default_factory=Counter)
    final_server_errors: int = 0
    server_errors: int = 0
    to_ship: list[dict[str, Any]] = field(default_factory=list)
    shipped: int = 0
    placed: int = 0

    def record(self, route: str, answer: Response, seconds: float) -> None:
        code = detail = ""
        if answer.status >= 400 and answer.content_type.endswith("json"):
            body = answer.json()
            if isinstance(body, dict):
                code, detail = str(body.get("code", "")), str(body.get("detail", ""))[:200]
        key = f"{route}|{answer.status}|{code}"
        with self.lock:
            self.latencies[route].append(seconds)
            self.outcomes[key] += 1
            self.details.setdefault(key, detail)
            if answer.status >= 500:
                self.server_errors += 1


def route_of(method: str, path: str) -> str:
    path = _SKU.sub(r"/\1/{sku}", _ID.sub("/{id}", path.split("?")[0]))
    return f"{method} {re.sub(r'/carriers/[^/]+', '/carriers/{carrier}', path)}"


class Client:
    def __init__(self, world: StackClient, books: Books) -> None:
        self.world = world
        self.books = books

    def call(self, method: str, path: str, *, webhook: Any = None, **kwargs: Any) -> Response:
        """One logical request: retried with the same body and key after a 5xx or a key still in use."""
        route = route_of(method, path)
        for attempt in range(RETRIES + 1):
            started = time.perf_counter()
            if webhook is not None:
                answer = self.world.webhook(path, webhook)
            else:
                answer = self.world.request(method, path, **kwargs)
            self.books.record(route, answer, time.perf_counter() - started)
            retry = answer.status >= 500 or (
                answer.status == 409
                and answer.content_type.endswith("json")
                and answer.json().get("code") == "idempotency_key_in_use"
            )
            if not retry or attempt == RETRIES:
                if answer.status >= 500:
                    with self.books.lock:
                        self.books.final_server_errors += 1
                return answer
            with self.books.lock:
                self.books.retried[route] += 1
            time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")


def _payment(order: dict[str, Any], kind: str = "payment.succeeded") -> dict[str, Any]:
    return {
        "event_id": f"evt_{uuid.uuid4().hex[:16]}",
        "type": kind,
        "order_id": order["id"],
        "payment_id": f"pay_{uuid.uuid4().hex[:10]}",
        "amount": order["totals"]["total"],
        "currency": order["totals"]["currency"],
        "occurred_at": "2026-11-25T08:00:00Z",
    }


def buyer(
    client: Client, config: Config, index: int, hot: list[str], cold: list[str], deadline: float
) -> None:
    rng = random.Random(config.seed * 1000 + index)
    customer = f"cus_load_{index}"
    token = client.world.customer_token(customer)
    books = client.books
    while time.monotonic() < deadline:
        with books.lock:
            if books.keys_sent >= config.max_orders:
                return
            books.keys_sent += 1
        picked = rng.sample(cold, rng.randint(1, 2))
        if rng.random() < 0.5:
            picked.append(rng.choice(hot))
        lines = [(sku, rng.randint(1, 3), PRICE) for sku in picked]
        answer = client.call(
            "POST",
            "/v1/orders",
            json=order_body(*lines),
            token=token,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if answer.status != 201:
            continue
        order = answer.json()
        with books.lock:
            books.answered[order["id"]] = customer
            books.placed += 1
        roll = rng.random()
        if roll < config.cancel_share / 2:  # cancelled before paying
            client.call("POST", f"/v1/orders/{order['id']}/cancel", token=token)
            continue
        if roll < config.cancel_share / 2 + config.pay_share:
            client.call("POST", "/v1/webhooks/payments", webhook=_payment(order))
            if rng.random() < config.cancel_share / 2:  # cancelled after paying: refunded
                client.call("POST", f"/v1/orders/{order['id']}/cancel", token=token)
                continue
            with books.lock:
                books.to_ship.append(order)
        if rng.random() < 0.3:
            client.call("GET", f"/v1/orders/{order['id']}", token=token)


def shipper(client: Client, deadline: float, buyers_done: threading.Event) -> None:
    """Staff ship paid orders; the carrier reports them in transit and delivered (signed webhooks)."""
    admin = client.world.admin_token()
    books = client.books
    while True:
        with books.lock:
            order = books.to_ship.pop(0) if books.to_ship else None
        if order is None:
            if buyers_done.is_set() or time.monotonic() > deadline:
                return
            time.sleep(0.01)
            continue
        tracking = f"SF{uuid.uuid4().hex[:12].upper()}"
        answer = client.call(
            "POST",
            f"/v1/admin/orders/{order['id']}/shipments",
            json={"carrier": "sf", "tracking_number": tracking},
            token=admin,
        )
        if answer.status != 201:
            continue  # cancelled or held for review meanwhile
        with books.lock:
            books.shipped += 1
        for status in ("in_transit", "delivered"):
            event = {
                "event_id": f"sf_{uuid.uuid4().hex[:14]}",
                "tracking_number": tracking,
                "status": status,
                "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            client.call("POST", "/v1/webhooks/carriers/sf", webhook=event)


def _scan(world: StackClient) -> list[dict[str, Any]]:
    client = world.cloud.client("dynamodb")
    items: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"TableName": Table().name, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = client.scan(**kwargs)
        items += [deserialize(raw) or {} for raw in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def audit(world: StackClient, books: Books, received: dict[str, int]) -> dict[str, Any]:
    items = _scan(world)
    orders = {
        i["id"]: i
        for i in items
        if i.get("sk") == "ORDER" and str(i.get("customer_id", "")).startswith("cus_load_")
    }
    admin = world.admin_token()
    reserved: Counter[str] = Counter()
    shipped: Counter[str] = Counter()
    for order in orders.values():
        for line in order["lines"]:
            if order["status"] in HOLDS_STOCK:
                reserved[line["sku"]] += line["quantity"]
            shipped[line["sku"]] += int(line.get("shipped", 0))
    per_sku = {}
    for sku, units in received.items():
        level = world.request("GET", f"/v1/admin/inventory/{sku}", token=admin).json()
        on_hand, held = int(level["on_hand"]), int(level["reserved"])
        per_sku[sku] = {
            "received": units,
            "on_hand": on_hand,
            "reserved": held,
            "shipped": shipped[sku],
            "negative_available": on_hand - held < 0,
            "reserved_mismatch": held - reserved[sku],
            "unbalanced": on_hand - (units - shipped[sku]),
        }
    return {
        "orders_stored": len(orders),
        "orders_answered_201": len(books.answered),
        "lost_orders": sorted(set(books.answered) - set(orders)),
        "unanswered_orders": sorted(set(orders) - set(books.answered)),
        "oversold_skus": sorted(
            s
            for s, v in per_sku.items()
            if v["negative_available"] or v["unbalanced"] or v["reserved_mismatch"]
        ),
        "units_shipped": sum(shipped.values()),
        "hot_skus": {s: v for s, v in per_sku.items() if v["received"] < 1000},
        "statuses": dict(Counter(o["status"] for o in orders.values())),
    }


def run(world: StackClient, config: Config) -> dict[str, Any]:
    admin = world.admin_token()
    received: dict[str, int] = {}

    def stocked(prefix: str, units: int) -> str:
        sku = f"{prefix}-{uuid.uuid4().hex[:8].upper()}"
        body = {"name": f"Load {sku}", "price": PRICE, "currency": "CNY", "category": "general"}
        assert world.request("PUT", f"/v1/admin/products/{sku}", json=body, token=admin).status == 200
        adjusted = world.request(
            "POST",
            f"/v1/admin/inventory/{sku}/adjustments",
            json={"delta": units, "reason": "received"},
            token=admin,
        )
        assert adjusted.status == 201, adjusted.text
        received[sku] = units
        return sku

    hot = [stocked("HOT", config.hot_stock) for _ in range(config.hot_skus)]
    cold = [stocked("COLD", config.cold_stock) for _ in range(config.cold_skus)]
    books = Books()
    client = Client(world, books)
    started = time.monotonic()
    deadline = started + config.seconds
    buyers_done = threading.Event()
    threads = [
        threading.Thread(target=buyer, args=(client, config, i, hot, cold, deadline), daemon=True)
        for i in range(config.buyers)
    ]
    shippers = [
        threading.Thread(target=shipper, args=(client, deadline + 30, buyers_done), daemon=True)
        for _ in range(config.shippers)
    ]
    for thread in threads + shippers:
        thread.start()
    for thread in threads:
        thread.join(config.seconds + 120)
    buying_seconds = time.monotonic() - started
    buyers_done.set()
    for thread in shippers:
        thread.join(120)
    elapsed = time.monotonic() - started
    idle = world.idle(120)
    found = audit(world, books, received)
    injected = getattr(world.local, "faults", None)  # set when OMS_FAULTS was, at the stack's start
    routes = {
        route: {
            "n": len(samples),
            "p50_ms": round(quantile(sorted(samples), 0.5) * 1000, 1),
            "p99_ms": round(quantile(sorted(samples), 0.99) * 1000, 1),
        }
        for route, samples in sorted(books.latencies.items())
    }
    errors = {k: v for k, v in sorted(books.outcomes.items()) if int(k.split("|")[1]) >= 400}
    failures = []
    if found["lost_orders"]:
        failures.append(f"{len(found['lost_orders'])} lost orders")
    if found["unanswered_orders"]:
        failures.append(f"{len(found['unanswered_orders'])} stored orders no 201 named")
    if found["oversold_skus"]:
        failures.append(f"stock unbalanced on {found['oversold_skus']}")
    if books.final_server_errors or (books.server_errors and not config.faults):
        failures.append(f"{books.server_errors} 5xx answers ({books.final_server_errors} after retries)")
    if not idle:
        failures.append("the stack did not become idle")
    return {
        "config": {**config.__dict__},
        "seconds": round(elapsed, 1),
        "buying_seconds": round(buying_seconds, 1),
        "orders_placed": books.placed,
        "orders_per_second": round(books.placed / buying_seconds, 1) if buying_seconds else 0.0,
        "requests": sum(len(v) for v in books.latencies.values()),
        "orders_shipped": books.shipped,
        "faults_injected": (
            f"{injected.total_injected} of {injected.total_calls} DynamoDB calls" if injected else None
        ),
        "server_errors": books.server_errors,
        "server_errors_after_retries": books.final_server_errors,
        "retried": dict(books.retried),
        "routes": routes,
        "errors": errors,
        "error_details": {k: books.details.get(k, "") for k in errors},
        "audit": found,
        "failures": failures,
        "ok": not failures,
    }
