"""Figure 8: outbound webhooks.

- **Latency after the event**, on the local stack with its functions in worker processes: orders are
  placed one at a time with ``k`` subscribers to ``order.placed`` listening on loopback; for each
  subscriber the time from the event's ``occurred_at`` to the moment the request reached it (the bus, the
  fan-out, the send queue, one sender invocation). The clock is the stack's (not moved), so both ends read
  the same wall clock.
- **What one sender serves**: the sending step alone (claim, signed POST to a subscriber on loopback,
  record), called in this process one delivery after another, as one sender environment would: deliveries
  per second, i.e. how many subscribers a single concurrent sender can serve each second.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from oms import clock
from oms.domain import webhooks as rules
from oms.lifecycle.webhook_sending import send
from oms.store import webhooks as stored
from oms.store.table import Table
from oms_local.testing import StackClient

from tests.bench.stats import summarize
from tests.e2e.shop import ok, order_body, place, product
from tests.webhook_subscriber import Subscriber


def _latency(world: StackClient, subscribers: int, orders: int) -> dict[str, Any]:
    world.local.reset(resume_pollers=True)
    endpoints = [Subscriber() for _ in range(subscribers)]
    try:
        for endpoint in endpoints:
            subscription = {"url": endpoint.url, "event_types": ["order.placed"]}
            ok(world.request("POST", "/v1/admin/webhooks", json=subscription, token=world.admin_token()), 201)
        sku = product(world, orders + 1, price=1000)
        samples: list[float] = []
        for _ in range(orders):
            ok(place(world, order_body((sku, 1, 1000)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
            assert world.idle(timeout=60)
        for endpoint in endpoints:
            for (_, body), at in zip(endpoint.received, endpoint.received_at, strict=True):
                occurred = clock.parse(json.loads(body)["timestamp"]).timestamp()
                samples.append(at - occurred)
        received = sum(len(e.received) for e in endpoints)
        return {
            "subscribers": subscribers,
            "orders": orders,
            "received": received,
            "expected": subscribers * orders,
            "latency": summarize(samples),
        }
    finally:
        for endpoint in endpoints:
            endpoint.close()


def _sender(world: StackClient, deliveries: int) -> dict[str, Any]:
    world.local.reset(resume_pollers=False)
    endpoint = Subscriber()
    try:
        with world.functions_in_process():
            table = Table()
            subscription = stored.create(
                table,
                "whk_bench0000000000000000",
                {"url": endpoint.url, "event_types": ["*"]},
                rules.new_secret(),
            )
            queued = []
            for n in range(deliveries + 5):
                delivery_id = f"msg_{n:020d}"
                body = rules.message("order.placed", clock.now_iso(), n + 1, {"order_id": f"ord_{n}"})
                stored.new_delivery(table, subscription, delivery_id, {"type": "order.placed", "body": body})
                queued.append(
                    rules.Attempt(subscription_id=subscription["id"], delivery_id=delivery_id, attempt=1)
                )
            for attempt in queued[:5]:  # warm: clients, connections, code paths
                send(table, attempt)
            samples = []
            started = time.perf_counter()
            for attempt in queued[5:]:
                one = time.perf_counter()
                assert send(table, attempt) == "delivered"
                samples.append(time.perf_counter() - one)
            elapsed = time.perf_counter() - started
        return {
            "deliveries": deliveries,
            "per_second": deliveries / elapsed,
            "each": summarize(samples),
            "received": len(endpoint.received),
        }
    finally:
        endpoint.close()
        world.local.resume_pollers()


def run(world: StackClient, *, subscriber_counts: list[int], orders: int, deliveries: int) -> dict[str, Any]:
    return {
        "latency": [_latency(world, k, orders) for k in subscriber_counts],
        "sender": _sender(world, deliveries),
    }
