"""Putting data in place fast: catalogue and stock through the store, stored orders straight as items."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from oms import clock, ids
from oms.domain.catalog import Product
from oms.store import catalog, inventory, keys
from oms.store.table import Table

BATCH = 25  # BatchWriteItem's limit
PRICE = 3900


def new_sku(prefix: str = "BENCH") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def stocked_product(table: Table, stock: int, *, sku: str | None = None, price: int = PRICE) -> str:
    """A product and ``stock`` units received, written by the service's own store code."""
    sku = sku or new_sku()
    catalog.put_product(
        table, Product(sku=sku, name=f"Product {sku}", price=price, currency="CNY", category="general")
    )
    if stock:
        inventory.adjust(table, sku, stock, "received", None, ids.new_id("adj"))
    return sku


def restock(client: Any, table_name: str, sku: str, units: int) -> None:
    """Put back units taken by benchmark orders (outside any timed section)."""
    pk, sk = keys.pool(sku)
    client.update_item(
        TableName=table_name,
        Key={"pk": {"S": pk}, "sk": {"S": sk}},
        UpdateExpression="SET available = available + :q, reserved = reserved - :q",
        ExpressionAttributeValues={":q": {"N": str(units)}},
    )


def delete_keys(client: Any, table_name: str, pairs: Sequence[tuple[str, str]]) -> None:
    requests = [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in pairs]
    _write(client, table_name, requests)


def _write(client: Any, table_name: str, requests: list[dict[str, Any]]) -> None:
    for start in range(0, len(requests), BATCH):
        pending: dict[str, Any] = {table_name: requests[start : start + BATCH]}
        for attempt in range(20):
            answer = client.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.5, 0.01 * 2**attempt))
        else:
            raise RuntimeError("BatchWriteItem left items unprocessed after retries")


def put_items(client: Any, table_name: str, items: Iterable[dict[str, Any]], *, workers: int = 1) -> int:
    """BatchWriteItem of already serialized items, ``workers`` batches in flight; returns the count."""
    requests = [{"PutRequest": {"Item": item}} for item in items]
    chunks = [requests[i : i + BATCH * 8] for i in range(0, len(requests), BATCH * 8)]
    if workers <= 1:
        for chunk in chunks:
            _write(client, table_name, chunk)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda chunk: _write(client, table_name, chunk), chunks))
    return len(requests)


# ---------------------------------------------------------------------------------------------- stored orders

PAYMENT_DUE = "payment_due"
AUTO_CONFIRM = "auto_confirm"


def stored_order(
    number: int,
    *,
    prefix: str,
    status: str,
    sku: str,
    timer_kind: str | None,
    due_at: str | None,
    placed_at: str,
) -> dict[str, Any]:
    """An order item as ``store/orders.py`` keeps it, with only what the jobs read plus keys and index
    attributes: status, version, lines, channel, timeline, the timers index (``timer_kind``, ``due_at``)
    and the by-customer index (``customer_key``, ``created_key``)."""
    order_id = f"ord_{prefix}{number:0{20 - len(prefix)}d}"
    customer = f"cus_{prefix}{number % 997}"
    item: dict[str, Any] = {
        "pk": {"S": keys.order(order_id)[0]},
        "sk": {"S": "ORDER"},
        "id": {"S": order_id},
        "customer_id": {"S": customer},
        "status": {"S": status},
        "version": {"N": "3"},
        "channel": {"S": "web"},
        "lines": {
            "L": [
                {
                    "M": {
                        "sku": {"S": sku},
                        "quantity": {"N": "1"},
                        "reserved": {"N": "1"},
                        "shipped": {"N": "1" if status in ("delivered", "completed") else "0"},
                        "capped": {"BOOL": False},
                    }
                }
            ]
        },
        "totals": {"M": {"total": {"N": str(PRICE)}, "currency": {"S": "CNY"}}},
        "placed_at": {"S": placed_at},
        "timeline": {"L": [{"M": {"at": {"S": placed_at}, "type": {"S": "placed"}, "by": {"S": customer}}}]},
        "customer_key": {"S": keys.customer_orders(customer)},
        "created_key": {"S": f"{placed_at}#{order_id}"},
    }
    if timer_kind and due_at:
        item["timer_kind"] = {"S": timer_kind}
        item["due_at"] = {"S": due_at}
    return item


def job_stock_item(sku: str, reserved: int) -> dict[str, Any]:
    pk, sk = keys.pool(sku)
    on_hand = reserved + 1000
    return {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "on_hand": {"N": str(on_hand)},
        "reserved": {"N": str(reserved)},
        "available": {"N": str(on_hand - reserved)},
    }


def due_orders(prefix: str, count: int, sku: str) -> list[dict[str, Any]]:
    """``count`` unpaid orders past their payment deadline and ``count`` delivered orders past the quiet
    period: exactly what one run of release-unpaid and one of auto-confirm-receipt must move."""
    now = clock.now()
    past = clock.iso(now - timedelta(minutes=5))
    placed = clock.iso(now - timedelta(days=8))
    unpaid = [
        stored_order(
            n,
            prefix=f"{prefix}u",
            status="pending_payment",
            sku=sku,
            timer_kind=PAYMENT_DUE,
            due_at=past,
            placed_at=placed,
        )
        for n in range(count)
    ]
    delivered = [
        stored_order(
            n,
            prefix=f"{prefix}d",
            status="delivered",
            sku=sku,
            timer_kind=AUTO_CONFIRM,
            due_at=past,
            placed_at=placed,
        )
        for n in range(count)
    ]
    return unpaid + delivered


def filler_orders(prefix: str, start: int, stop: int, sku: str) -> Iterator[dict[str, Any]]:
    """Orders that are not due: half unpaid with a deadline ahead (in the timers index under the same
    kind the job queries), a quarter delivered with the quiet period ahead, a quarter completed
    (no timer: not in the sparse index)."""
    now = clock.now()
    ahead = clock.iso(now + timedelta(days=3))
    placed = clock.iso(now - timedelta(days=1))
    for n in range(start, stop):
        kind = n % 4
        if kind in (0, 1):
            yield stored_order(
                n,
                prefix=prefix,
                status="pending_payment",
                sku=sku,
                timer_kind=PAYMENT_DUE,
                due_at=ahead,
                placed_at=placed,
            )
        elif kind == 2:
            yield stored_order(
                n,
                prefix=prefix,
                status="delivered",
                sku=sku,
                timer_kind=AUTO_CONFIRM,
                due_at=ahead,
                placed_at=placed,
            )
        else:
            yield stored_order(
                n, prefix=prefix, status="completed", sku=sku, timer_kind=None, due_at=None, placed_at=placed
            )


# ---------------------------------------------------------------------------------------------- handler logs


class CountingSink:
    """Where the handlers' log lines go during a run: counted (they cost money in CloudWatch), not printed."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self.bytes += len(text.encode("utf-8", errors="replace"))
            self.lines += text.count("\n")
        return len(text)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def handler_logs_to(sink: CountingSink) -> Iterator[CountingSink]:
    """Send the service logger's output to ``sink``; the JSON formatting still happens, as in Lambda."""
    from oms.observability import logger

    handler = logger.registered_handler
    if not isinstance(handler, logging.StreamHandler):
        yield sink
        return
    previous = handler.setStream(sink)
    try:
        yield sink
    finally:
        handler.setStream(previous)


def purge_queues(client: Any) -> int:
    """Empty every SQS queue (outside timed sections); returns the messages removed. moto's SendMessage
    reads the queue's attributes, which walks every message in it: with the consumers paused, queues
    that only fill would make each later event slower and leak the run's history into its figures.
    (Receive and delete rather than PurgeQueue, which may be allowed once a minute only.)"""
    removed = 0
    for url in client.list_queues().get("QueueUrls", []):
        while True:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = got.get("Messages") or []
            if not messages:
                break
            client.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
            removed += len(messages)
    return removed
