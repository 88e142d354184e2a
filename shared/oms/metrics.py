"""Business metrics as CloudWatch embedded metric format (EMF) lines on stdout.

Lambda ships stdout to CloudWatch Logs, which turns each EMF line into metric points: no API call, no
client, nothing to flush. The lines are written here rather than with powertools' ``single_metric``
(which costs no import either: powertools' logging already loads it) because one EMF line can declare
several dimension sets, and every metric here needs two: the total (what alarms watch) and the
breakdown (returns per reason, webhook failures per source) - from one line, one log event.

Most metrics come from the domain event that is published anyway (:func:`for_event`, called by
:func:`oms.events.publish`); the few facts that are no event have a function each here. Events are
published at least once (a retried step publishes again, consumers dedupe on ``event_id``), so the
counts are at-least-once too: right for dashboards and alarms, not for accounting.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from oms.config import require, settings

require("POWERTOOLS_METRICS_NAMESPACE", by=__name__)

SERVICE = "oms"

# Metric names (the template's alarms and dashboard use the same names).
ORDERS_PLACED = "OrdersPlaced"
STOCK_REJECTIONS = "StockRejections"
PAYMENTS_CAPTURED = "PaymentsCaptured"
PAYMENTS_FAILED = "PaymentsFailed"
ORDERS_CANCELLED = "OrdersCancelled"
RETURNS_REQUESTED = "ReturnsRequested"
REFUNDS_ISSUED = "RefundsIssued"
REFUNDED_AMOUNT = "RefundedAmount"
SLA_BREACHES = "SlaBreaches"
WEBHOOK_SIGNATURE_FAILURES = "WebhookSignatureFailures"


def emit(
    name: str,
    value: float = 1,
    unit: str = "Count",
    dimensions: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """One EMF line: ``name`` = ``value``, counted under ``service`` and, when given, per ``dimensions``."""
    extra = dict(dimensions or {})
    dimension_sets = [["service"]] + ([["service", *extra]] if extra else [])
    line: dict[str, Any] = {
        # Metadata first: the EMF keys below win over a metadata key of the same name.
        **{key: item for key, item in (metadata or {}).items() if item is not None},
        "_aws": {
            # Wall time, not the domain clock: CloudWatch rejects points far from now.
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": settings().metrics_namespace,
                    "Dimensions": dimension_sets,
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        "service": SERVICE,
        **extra,
        name: value,
    }
    sys.stdout.write(json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")


def _count(name: str, dimension: str | None = None) -> Callable[[dict[str, Any]], None]:
    def record(detail: dict[str, Any]) -> None:
        dims = {dimension: str(detail.get(dimension) or "unknown")} if dimension else None
        emit(name, dimensions=dims, metadata=_trail(detail))

    return record


def _refund_issued(detail: dict[str, Any]) -> None:
    emit(REFUNDS_ISSUED, metadata=_trail(detail))
    # Minor units (fen/cents): a sum over a period is the money that went back.
    emit(REFUNDED_AMOUNT, value=float(detail.get("amount") or 0), unit="None")


def _trail(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {key: detail.get(key) for key in ("order_id", "return_id", "correlation_id")}


# Domain event type -> what it counts. Returns are counted per reason, cancellations per reason.
_BY_EVENT: dict[str, Callable[[dict[str, Any]], None]] = {
    "OrderPlaced": _count(ORDERS_PLACED),
    "OrderPaid": _count(PAYMENTS_CAPTURED),
    "PaymentFailed": _count(PAYMENTS_FAILED),
    "OrderCancelled": _count(ORDERS_CANCELLED, "reason"),
    "ReturnRequested": _count(RETURNS_REQUESTED, "reason"),
    "RefundIssued": _refund_issued,
    "SlaBreached": _count(SLA_BREACHES, "kind"),
}

EVENT_METRICS = frozenset(_BY_EVENT)


def for_event(detail_type: str, detail: dict[str, Any]) -> None:
    """The metric a published domain event stands for, if any."""
    record = _BY_EVENT.get(detail_type)
    if record is not None:
        record(detail)


def order_rejected(problem: Mapping[str, Any]) -> None:
    """Placing refused an order; it counts as a stock rejection when a line lacked stock."""
    codes = {problem.get("code")} | {e.get("code") for e in problem.get("errors") or []}
    if "insufficient_stock" in codes:
        emit(STOCK_REJECTIONS)


def webhook_signature_failed(source: str) -> None:
    """A webhook failed its signature check (``source``: payments or carriers)."""
    emit(WEBHOOK_SIGNATURE_FAILURES, dimensions={"source": source})
