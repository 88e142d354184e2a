"""The order and return reports (运营报表, 售后分析): what each domain event adds to its day's counters, and
how a period's counters become the figures staff read. Pure: no I/O, every rule unit-tested.

Every event counts in the UTC day it happened (``occurred_at``). A rate divides two counts of the same
period, each by its own event's day (``returns`` requested in the period over orders ``delivered`` in it),
so a short period can show a return rate above 1; docs/rules.md "Reports" defines each figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from oms.domain import exchanges, feedback, instant_refund, presale, refund_only
from oms.problems import FieldError, ValidationProblem

DEFAULT_DAYS = 30
MAX_DAYS = 366
DATE_OR_TIME = r"^\d{4}-\d{2}-\d{2}([T ].*)?$"

# Counter items are kept per day and per dimension: one ``all`` item a day, and one per currency,
# exception kind, channel, SKU, category and return reason that had news that day.
# An edit counts once, when it took effect (at once, or when its balance came in), or when it lapsed.
EDIT_COUNTERS = {"applied": "edits", "balance_paid": "edits", "lapsed": "edits_lapsed"}
EXCHANGE_COUNTERS = {"approved": "exchanges", "cancelled": "exchanges_cancelled"}
ALL = "all"
CURRENCY = "currency"
EXCEPTION_KIND = "exception_kind"
CHANNEL = "channel"
SKU = "sku"
CATEGORY = "category"
REASON = "reason"
ORDER_DIMENSIONS = (ALL, CURRENCY, EXCEPTION_KIND)
RETURN_DIMENSIONS = (ALL, CHANNEL, SKU, CATEGORY, REASON)
# Buyer feedback, per SKU of the order and per carrier that delivered it.
FEEDBACK_SKU = "feedback_sku"
FEEDBACK_CARRIER = "feedback_carrier"
FEEDBACK_DIMENSIONS = (FEEDBACK_SKU, FEEDBACK_CARRIER)
NO_CATEGORY = "uncategorised"

# What the published return policy promises for the refund after a parcel passes inspection.
REFUND_SLA_HOURS = {"original_payment": 72, "balance": 24}


# ---------------------------------------------------------------------------------------- periods


def parse_moment(text: str | None, field_name: str, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` (the day's first moment, or its last with ``end``) or an RFC 3339 time, in UTC."""
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError as error:
        raise ValidationProblem(
            "Dates are YYYY-MM-DD (or RFC 3339).", errors=[FieldError(field_name, "is not a date")]
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a time without an offset is read as UTC
    return moment.astimezone(UTC)


def report_period(
    from_text: str | None, to_text: str | None, today: date, default_days: int = DEFAULT_DAYS
) -> tuple[date, date]:
    """The days ``from`` to ``to`` (inclusive, UTC): by default the last ``default_days`` up to today."""
    upper = parse_moment(to_text, "to", end=True)
    lower = parse_moment(from_text, "from")
    last = upper.date() if upper else today
    first = lower.date() if lower else last - timedelta(days=default_days - 1)
    check_span(first, last)
    return first, last


def check_span(first: date, last: date) -> None:
    if first > last or (last - first).days >= MAX_DAYS:
        raise ValidationProblem(
            f"The period runs from 'from' to 'to' (inclusive) and spans at most {MAX_DAYS} days.",
            errors=[FieldError("from", "must be on or before 'to', within a year of it")],
        )


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def months(first: date, last: date) -> list[str]:
    """``yyyy-mm`` of every month the period touches: the partitions of daily counters to read."""
    found: list[str] = []
    cursor = first.replace(day=1)
    while cursor <= last:
        found.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return found


# ---------------------------------------------------------------------------------------- counting


@dataclass
class Counts:
    """What one event adds: ``{(dimension, key): {counter: amount}}``, all on the event's day."""

    day: str
    adds: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def add(self, dimension: str, key: str, **counters: int) -> None:
        bucket = self.adds.setdefault((dimension, key), {})
        for name, amount in counters.items():
            if amount:
                bucket[name] = bucket.get(name, 0) + int(amount)

    def items(self) -> list[tuple[str, str, dict[str, int]]]:
        return [(dim, key, counters) for (dim, key), counters in self.adds.items() if counters]


def _seconds(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return max(0, int((_parse(end) - _parse(start)).total_seconds()))


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _first_entry(order: Mapping[str, Any], kind: str) -> str | None:
    return next((e["at"] for e in order.get("timeline", []) if e.get("type") == kind), None)


def _categories(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) if v else NO_CATEGORY for v in values})


def counts_for(
    detail_type: str,
    detail: Mapping[str, Any],
    order: Mapping[str, Any] | None = None,
    item: Mapping[str, Any] | None = None,
) -> Counts | None:
    """What ``detail_type`` adds to the counters of its day; None when it counts for nothing.

    ``order`` is the order the event is about, ``item`` the return (for return events and return refunds),
    both as stored when the event is counted. Exchange replacements (``replaces_order_id``) are no sales:
    they count nowhere.
    """
    counts = Counts(day=str(detail["occurred_at"])[:10])
    if order is not None and order.get("replaces_order_id"):
        return None
    if not _count(counts, detail_type, detail, order, item):
        return None
    return counts if counts.items() else None


def _count(
    counts: Counts,
    detail_type: str,
    detail: Mapping[str, Any],
    order: Mapping[str, Any] | None,
    item: Mapping[str, Any] | None,
) -> bool:
    """Adds to ``counts`` what the event counts; False when it counts for nothing."""
    at = str(detail["occurred_at"])
    if detail_type == "OrderPlaced" and order is not None:
        _order_placed(counts, order)
    elif detail_type == "OrderPaid" and order is not None:
        counts.add(ALL, "-", paid=1)
        counts.add(CURRENCY, order["totals"]["currency"], paid=1, paid_amount=int(detail.get("amount", 0)))
    elif detail_type == "OrderCancelled":
        unpaid = int(detail.get("reason") == presale.UNPAID_REASON)
        counts.add(ALL, "-", cancelled=1, **({"balance_unpaid": 1} if unpaid else {}))
    elif detail_type == "DepositPaid":
        counts.add(ALL, "-", deposits=1)
    elif detail_type == "OrderException":
        _order_exception(counts, detail, order)
    elif detail_type == "OrderShipped" and order is not None:
        return _order_shipped(counts, detail, order, at)
    elif detail_type == "OrderDelivered" and order is not None:
        _order_delivered(counts, order, at)
    elif detail_type == "ReturnRequested" and item is not None:
        _return_requested(counts, item, order)
    elif detail_type in ("ReturnApproved", "ReturnRejected") and item is not None:
        _return_decided(counts, "approved" if detail_type == "ReturnApproved" else "rejected", item, at)
    elif detail_type == "RefundIssued" and detail.get("reason") == instant_refund.REFUND_REASON:
        counts.add(ALL, "-", instant_refunds=1)
    elif detail_type == "ExchangeUpdated" and detail.get("state") in EXCHANGE_COUNTERS:
        counts.add(ALL, "-", **{EXCHANGE_COUNTERS[str(detail["state"])]: 1})
    elif detail_type == "RefundIssued" and detail.get("reason") == exchanges.REFUND_REASON:
        counts.add(ALL, "-", exchange_refunds=1, exchange_refunded=int(detail.get("amount", 0)))
    elif detail_type == "RefundIssued" and detail.get("reason") == refund_only.REFUND_REASON:
        counts.add(ALL, "-", refund_only_refunds=1, refund_only_amount=int(detail.get("amount", 0)))
    elif detail_type == "RefundIssued" and item is not None:
        return _refund_issued(counts, item, at)
    elif detail_type == "OrderEdited" and detail.get("state") in EDIT_COUNTERS:
        counts.add(ALL, "-", **{EDIT_COUNTERS[str(detail["state"])]: 1})
    elif detail_type == "FeedbackGiven":
        _feedback_given(counts, detail)
    else:
        return False
    return True


def _order_placed(counts: Counts, order: Mapping[str, Any]) -> None:
    currency = order["totals"]["currency"]
    counts.add(ALL, "-", orders=1)
    counts.add(CURRENCY, currency, orders=1, gmv=int(order["totals"]["total"]))
    counts.add(CHANNEL, order["channel"], orders=1)


def _order_exception(counts: Counts, detail: Mapping[str, Any], order: Mapping[str, Any] | None) -> None:
    kind = str(detail.get("kind") or "other")
    listed = [e.get("id") for e in (order or {}).get("exceptions", [])]
    first = not listed or listed[0] == detail.get("exception_id")
    counts.add(ALL, "-", exceptions=1, exception_orders=int(first))
    counts.add(EXCEPTION_KIND, kind, exceptions=1)
    if kind == instant_refund.DISPUTE_KIND:
        counts.add(ALL, "-", instant_refund_disputes=1)


def _order_shipped(counts: Counts, detail: Mapping[str, Any], order: Mapping[str, Any], at: str) -> bool:
    if not detail.get("complete") or detail.get("reship"):
        return False  # a part of the order, or a replacement parcel: the order is not fulfilled by it
    shipped_at = _first_entry(order, "ship_all") or at
    seconds = _seconds(order.get("paid_at"), shipped_at)
    if seconds is None:
        return False
    counts.add(ALL, "-", fulfilled=1, fulfilment_seconds=seconds)
    return True


def _order_delivered(counts: Counts, order: Mapping[str, Any], at: str) -> None:
    seconds = _seconds(_first_entry(order, "ship_all"), order.get("delivered_at") or at)
    counts.add(ALL, "-", delivered=1, delivery_timed=int(seconds is not None), delivery_seconds=seconds or 0)
    counts.add(CHANNEL, order["channel"], delivered=1)
    lines = [line for line in order["lines"] if line.get("shipped", line["quantity"]) > 0]
    for sku in sorted({line["sku"] for line in lines}):
        counts.add(SKU, sku, delivered=1)
    for category in _categories(line.get("category") for line in lines):
        counts.add(CATEGORY, category, delivered=1)


def _return_requested(counts: Counts, item: Mapping[str, Any], order: Mapping[str, Any] | None) -> None:
    counts.add(ALL, "-", returns=1)
    counts.add(REASON, item["reason"], returns=1)
    counts.add(CHANNEL, item.get("channel") or (order or {}).get("channel") or "unknown", returns=1)
    for sku in sorted({i["sku"] for i in item["items"]}):
        counts.add(SKU, sku, returns=1)
    for category in _categories(item.get("category") or [None]):
        counts.add(CATEGORY, category, returns=1)


def _return_decided(counts: Counts, outcome: str, item: Mapping[str, Any], at: str) -> None:
    decided_at = (item.get("decision") or {}).get("at") or at
    due = item.get("review_due_at")
    if due:  # held for a person: the review SLA applies (the rules decide at once)
        met = decided_at <= due
        counts.add(ALL, "-", **{outcome: 1, "review_met": int(met), "review_breached": int(not met)})
    else:
        counts.add(ALL, "-", **{outcome: 1})


def _refund_issued(counts: Counts, item: Mapping[str, Any], at: str) -> bool:
    inspected_at = (item.get("inspection") or {}).get("at")
    if not inspected_at:
        return False
    hours = REFUND_SLA_HOURS.get(str(item.get("refund_method")), REFUND_SLA_HOURS["original_payment"])
    met = _parse(at) <= _parse(inspected_at) + timedelta(hours=hours)
    counts.add(ALL, "-", refunds=1, refund_met=int(met), refund_breached=int(not met))
    return True


# ---------------------------------------------------------------------------------------- reading


def _feedback_given(counts: Counts, detail: Mapping[str, Any]) -> None:
    """A first feedback counts once; an edit swaps its old rating and tags for the new ones."""
    added = feedback.report_counters(int(detail["rating"]), list(detail["tags"]))
    if detail.get("previous_rating") is None:
        added["feedbacks"] = 1
    else:
        taken = feedback.report_counters(
            int(detail["previous_rating"]), list(detail.get("previous_tags") or []), -1
        )
        added = {name: added.get(name, 0) + taken.get(name, 0) for name in {*added, *taken}}
    for dimension, keys in ((FEEDBACK_SKU, detail["skus"]), (FEEDBACK_CARRIER, detail["carriers"])):
        for key in keys:
            counts.add(dimension, str(key), **added)


def feedback_report(rows: list[Mapping[str, Any]], first: date, last: date) -> dict[str, Any]:
    """Per SKU and per carrier: how many buyers rated, the average and spread of ratings, the tags."""
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "basis": "feedback given in the period (an edit replaces the buyer's earlier rating)",
        "skus": feedback.summarise([dict(r) for r in rows if r["dimension"] == FEEDBACK_SKU], "sku"),
        "carriers": feedback.summarise(
            [dict(r) for r in rows if r["dimension"] == FEEDBACK_CARRIER], "carrier"
        ),
    }


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def average_hours(seconds: int, count: int) -> float | None:
    """The mean of ``count`` durations that add up to ``seconds``, in hours to one place; None for none."""
    return round(seconds / count / 3600, 1) if count else None


def _totals(rows: Iterable[Mapping[str, Any]], dimension: str) -> dict[str, dict[str, int]]:
    """Counters of one dimension summed over the period, per key."""
    summed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row.get("dimension") != dimension:
            continue
        bucket = summed[str(row["key"])]
        for name, value in row.items():
            if name not in ("pk", "sk", "dimension", "day", "key") and isinstance(value, int):
                bucket[name] += value
    return summed


def order_report(rows: list[Mapping[str, Any]], first: date, last: date) -> dict[str, Any]:
    per_day: dict[str, dict[str, Any]] = {
        d.isoformat(): {"orders": 0, "paid": 0, "gmv": {}, "cancelled": 0, "exceptions": 0, "delivered": 0}
        for d in days_between(first, last)
    }
    for row in rows:
        day = per_day.get(str(row.get("day")))
        if day is None:
            continue
        if row["dimension"] == ALL:
            for name in ("orders", "paid", "cancelled", "exceptions", "delivered"):
                day[name] += int(row.get(name, 0))
        elif row["dimension"] == CURRENCY and row.get("gmv"):
            day["gmv"][row["key"]] = day["gmv"].get(row["key"], 0) + int(row["gmv"])
    c = _totals(rows, ALL).get("-", defaultdict(int))
    gmv = {cur: n["gmv"] for cur, n in sorted(_totals(rows, CURRENCY).items()) if n["gmv"]}
    kinds = _totals(rows, EXCEPTION_KIND)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": [{"date": d, **v} for d, v in per_day.items()],
        "totals": {
            "orders": c["orders"],
            "paid": c["paid"],
            "gmv": gmv,
            "cancelled": c["cancelled"],
            "cancellation_rate": rate(c["cancelled"], c["orders"]),
            "exceptions": c["exceptions"],
            "exception_orders": c["exception_orders"],
            "exception_rate": rate(c["exception_orders"], c["orders"]),
            "fulfilled": c["fulfilled"],
            "fulfilment_hours_avg": average_hours(c["fulfilment_seconds"], c["fulfilled"]),
            "delivered": c["delivered"],
            "delivery_hours_avg": average_hours(c["delivery_seconds"], c["delivery_timed"]),
            "edits": c["edits"],
            "edits_lapsed": c["edits_lapsed"],
            "presale_deposits": c["deposits"],
            "presale_balance_unpaid": c["balance_unpaid"],
        },
        "exceptions_by_kind": {kind: n["exceptions"] for kind, n in sorted(kinds.items()) if n["exceptions"]},
    }


def _breakdown(rows: list[Mapping[str, Any]], dimension: str, delivered_in: bool) -> list[dict[str, Any]]:
    """Per key of ``dimension``: returns and their rate over the orders delivered (of that key, or all)."""
    totals = _totals(rows, dimension)
    all_delivered = _totals(rows, ALL).get("-", {}).get("delivered", 0)
    name = {REASON: "reason", CATEGORY: "category", SKU: "sku", CHANNEL: "channel"}[dimension]
    found = []
    for key, n in totals.items():
        if not n["returns"]:
            continue
        delivered = n["delivered"] if delivered_in else all_delivered
        found.append(
            {
                name: key,
                "returns": n["returns"],
                "delivered": delivered,
                "rate": rate(n["returns"], delivered),
            }
        )
    return sorted(found, key=lambda r: (-r["returns"], r[name]))


def _sla(met: int, breached: int) -> dict[str, Any]:
    return {"met": met, "breached": breached, "compliance": rate(met, met + breached)}


def return_report(rows: list[Mapping[str, Any]], first: date, last: date) -> dict[str, Any]:
    c = _totals(rows, ALL).get("-", defaultdict(int))
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "returns": c["returns"],
        "delivered": c["delivered"],
        "return_rate": rate(c["returns"], c["delivered"]),
        "by_reason": _breakdown(rows, REASON, delivered_in=False),
        "by_category": _breakdown(rows, CATEGORY, delivered_in=True),
        "by_sku": _breakdown(rows, SKU, delivered_in=True),
        "by_channel": _breakdown(rows, CHANNEL, delivered_in=True),
        "approved": c["approved"],
        "rejected": c["rejected"],
        "approval_rate": rate(c["approved"], c["approved"] + c["rejected"]),
        "review_sla": _sla(c["review_met"], c["review_breached"]),
        "refund_sla": _sla(c["refund_met"], c["refund_breached"]),
        "instant_refunds": c["instant_refunds"],
        "instant_refund_disputes": c["instant_refund_disputes"],
        "instant_dispute_rate": rate(c["instant_refund_disputes"], c["instant_refunds"]),
        "refund_only": {"refunds": c["refund_only_refunds"], "amount": c["refund_only_amount"]},
        "exchanges": {
            "approved": c["exchanges"],
            "cancelled": c["exchanges_cancelled"],
            "differences_refunded": c["exchange_refunds"],
            "amount_refunded": c["exchange_refunded"],
        },
    }
