"""The report-stats consumer on a real engine: the events the use cases publish, delivered by the
report-stats queue (twice, as SQS may), count once each into the day's counters the reports read."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

from oms import clock, ids
from oms.api import return_requests
from oms.domain import reports
from oms.lifecycle import returns
from oms.store import report_stats
from oms.store.table import Table
from oms_local.cloud import Cloud

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order

EVENTS = Path(__file__).resolve().parents[2] / "events"


def _published(cloud: Cloud) -> list[dict[str, Any]]:
    """Every message the bus routed to the report-stats queue so far (taken off the queue)."""
    sqs, url = cloud.client("sqs"), cloud.queue_url("ReportStatsQueue")
    records = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return records
        for message in batch:
            records.append(
                {"messageId": message["MessageId"], "body": message["Body"], "eventSource": "aws:sqs"}
            )
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _envelope(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    body = {
        "version": "0",
        "id": ids.new_id("evt"),
        "detail-type": detail_type,
        "source": "oms",
        "detail": detail,
    }
    return {"messageId": ids.new_id("msg"), "body": json.dumps(body), "eventSource": "aws:sqs"}


def _deliver(cloud: Cloud, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), 10):
        invocation = cloud.functions.invoke(
            "ReportStatsFunction", {"Records": copy.deepcopy(records[start : start + 10])}
        )
        assert not invocation.failed, invocation.error
        assert invocation.result == {"batchItemFailures": []}


def test_an_order_and_its_return_count_once_however_often_delivered(cloud: Cloud) -> None:
    table = Table()
    tea = stocked_product(table, 10, price=3900)
    order = delivered_order(table, (tea, 2, 3900))
    # The helper moves the order to delivered directly; the carrier path would announce it like this.
    delivered = _envelope(
        "OrderDelivered",
        {
            "event_id": f"{order['id']}:delivered",
            "occurred_at": clock.now_iso(),
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "shipment_id": "shp_00000000000000000000",
        },
    )
    item = returns.request_return(
        table,
        order,
        return_requests.ReturnRequest.model_validate(
            {"items": [{"sku": tea, "quantity": 1}], "reason": "no_reason"}
        ),
        key="k1",
    )
    assert item["status"] == "awaiting_parcel"  # approved by the rules at once
    # The helper places through the steps in-process; the place-order workflow publishes what they hand back.
    placed = _envelope(
        "OrderPlaced",
        {
            "event_id": f"{order['id']}:placed",
            "occurred_at": order["placed_at"],
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "total": order["totals"]["total"],
        },
    )
    records = [*_published(cloud), placed, delivered]
    kinds = sorted(json.loads(r["body"])["detail-type"] for r in records)
    assert kinds == [
        "OrderDelivered",
        "OrderPaid",
        "OrderPlaced",
        "OrderShipped",
        "ReturnApproved",
        "ReturnRequested",
    ]

    _deliver(cloud, records)
    _deliver(cloud, records)  # redelivered: nothing more is counted

    today = clock.now().date()
    orders = reports.order_report(
        report_stats.read(table, today, today, reports.ORDER_DIMENSIONS), today, today
    )
    assert orders["totals"]["orders"] == 1 and orders["totals"]["paid"] == 1
    assert orders["totals"]["gmv"] == {"CNY": order["totals"]["total"]}
    assert (orders["totals"]["fulfilled"], orders["totals"]["delivered"]) == (1, 1)
    assert orders["days"] == [
        {
            "date": today.isoformat(),
            "orders": 1,
            "paid": 1,
            "gmv": {"CNY": order["totals"]["total"]},
            "cancelled": 0,
            "exceptions": 0,
            "delivered": 1,
        }
    ]
    back = reports.return_report(
        report_stats.read(table, today, today, reports.RETURN_DIMENSIONS), today, today
    )
    assert (back["returns"], back["return_rate"], back["approval_rate"]) == (1, 1.0, 1.0)
    assert back["by_sku"] == [{"sku": tea, "returns": 1, "delivered": 1, "rate": 1.0}]
    assert back["by_category"] == [{"category": "general", "returns": 1, "delivered": 1, "rate": 1.0}]
    assert back["by_reason"] == [{"reason": "no_reason", "returns": 1, "delivered": 1, "rate": 1.0}]
    assert back["review_sla"] == {"met": 0, "breached": 0, "compliance": None}  # decided by the rules


def test_concurrent_events_on_one_day_all_count_and_a_repeat_does_not(cloud: Cloud) -> None:
    table = Table()
    day = "2026-03-04"
    events = [
        {
            "event_id": f"ord_{n:020d}:cancelled",
            "occurred_at": f"{day}T10:00:00.000Z",
            "order_id": f"ord_{n:020d}",
        }
        for n in range(8)
    ]
    outcomes: list[str] = []

    def count(detail: dict[str, Any]) -> None:
        outcomes.append(report_stats.count(table, "OrderCancelled", detail))

    threads = [threading.Thread(target=count, args=(e,)) for e in [*events, events[0], events[1]]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["counted"] * 8 + ["repeat"] * 2
    first = clock.parse(f"{day}T00:00:00Z").date()
    (row,) = report_stats.read(table, first, first, ("all",))
    assert (row["day"], row["cancelled"]) == (day, 8)


def test_the_sample_event_counts_a_placed_order_once(cloud: Cloud) -> None:
    table = Table()
    tea = stocked_product(table, 10)
    order = delivered_order(table, (tea, 1, 3900))
    event = json.loads((EVENTS / "report_stats.json").read_text())
    body = json.loads(event["Records"][0]["body"])
    body["detail"].update(order_id=order["id"], event_id=f"{order['id']}:placed-sample")
    event["Records"][0]["body"] = json.dumps(body)
    for _ in range(2):
        invocation = cloud.functions.invoke("ReportStatsFunction", copy.deepcopy(event))
        assert invocation.result == {"batchItemFailures": []}, invocation.error
    day = clock.parse(body["detail"]["occurred_at"]).date()
    (row,) = report_stats.read(table, day, day, ("currency",))
    assert (row["key"], row["orders"], row["gmv"]) == ("CNY", 1, order["totals"]["total"])
