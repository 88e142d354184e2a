"""Exchanges (换货) after the request's checks (rules: :mod:`oms.domain.exchanges`): the request, the
replacement released at the return parcel's first scan, the exchange cancelled when its price difference
is not paid in time, the difference refunded after inspection. The approval is in ``exchange_approval``.

The return record keeps the exchange (``exchange``: its lines, the difference, the replacement order, the
payment's due time, ``state`` requested → approved → released, or cancelled); the replacement is an order
of its own, priced at the difference the buyer owes, its stock reserved from the approval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oms import clock, events
from oms.domain import exchanges as rules
from oms.domain.return_policy import AfterSalesType
from oms.event_catalogue import ExchangeUpdated, ReturnCancelled
from oms.lifecycle import returns
from oms.lifecycle.payments import back_in_queue
from oms.store import moves, orders, races, snapshot
from oms.store import returns as store
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write, commit

if TYPE_CHECKING:
    from oms.api.return_requests import ReturnRequest

ACTOR = "system:exchange"
REFUND_REASON = rules.REFUND_REASON


def request(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    """Check the exchange (eligible as a return; replacements sellable and in stock), price it, record it;
    decided by the rules when they can."""

    def check() -> tuple[dict[str, int], dict[str, Any]]:
        lines = body.exchange or []
        rules.check_lines([(line.sku, line.quantity) for line in body.items], lines)
        units = returns.check_units(table, order, body)
        channel, currency = order["channel"], order["totals"]["currency"]
        wanted = sorted({line.replacement_sku for line in lines})
        seen = snapshot.read(table, wanted, channel, None, order["customer_id"])
        available = {sku: levels.available_for(channel) for sku, levels in seen.stock.items()}
        rules.check_replacements(lines, seen.products, available, currency)
        priced = [
            {**line, "capped": channel in seen.stock[line["replacement_sku"]].channels}
            for line in rules.priced_lines(order, lines, seen.products)
        ]
        exchange = {
            "lines": priced,
            "difference": rules.difference(priced),
            "currency": currency,
            "state": "requested",
        }
        return units, {"exchange": exchange}

    item = returns.record_request(table, order, body, key, check)
    return returns.review_by_rules(table, item["id"], item)


def is_exchange(item: Item) -> bool:
    return item.get("type") == AfterSalesType.exchange


def live(item: Item) -> bool:
    """An exchange whose replacement stands (not cancelled): inspection settles the difference only."""
    return is_exchange(item) and (item.get("exchange") or {}).get("state") in rules.LIVE_STATES


def on_first_scan(table: Table, return_id: str) -> bool:
    """The carrier has an exchange's parcel: its replacement ships now. False for any other return."""
    item = store.get(table, return_id)
    if item is None or not is_exchange(item):
        return False
    races.retry_on_race(
        store.reader(table, return_id, None), lambda current: _release(table, current), f"return {return_id}"
    )
    return True


def _release(table: Table, item: Item) -> Item:
    exchange = item.get("exchange") or {}
    if exchange.get("state") != "approved" or exchange.get("released_at"):
        return item  # not approved, cancelled, or released already
    replacement = orders.get(table, exchange["replacement_order_id"])
    if replacement is None or not replacement.get(orders.AWAITS_PARCEL):
        return item
    # Paid (or nothing owed): into the pick queue now; still unpaid: its payment puts it there.
    paid = replacement["status"] == "awaiting_fulfillment"
    queue = back_in_queue(table, replacement) if paid else None
    changes = {"state": "released", "released_at": clock.now_iso()}
    entry = {"at": changes["released_at"], "type": "exchange_released", "by": ACTOR}
    try:
        commit(
            table,
            orders.release_replacement(replacement, queue, ACTOR),
            store.exchange_noted(item, changes, entry),
        )
    except Cancelled as cancelled:
        raise moves.LostRace(item["id"]) from cancelled
    released = {**item, "exchange": {**exchange, **changes}}
    events.publish(ExchangeUpdated.of(released, "released"), f"{item['id']}:exchange_released")
    return released


def cancel_unpaid(table: Table, replacement: Item) -> tuple[list[Write], Item | None]:
    """The difference was not paid by its due time: the writes that cancel the exchange with the
    replacement's expiry, and the return as it will be (None when ``replacement`` replaces no live
    exchange). A return still waiting for its parcel is cancelled; one whose parcel is on its way goes on
    as a return for a refund (the goods come back either way)."""
    item = store.get(table, replacement["return_id"]) if replacement.get("replaces_order_id") else None
    if item is None or not live(item):
        return [], None
    now = clock.now_iso()
    exchange = {**item["exchange"], "state": "cancelled", "cancelled_at": now, "cancel_reason": "unpaid"}
    if item["status"] == "awaiting_parcel":
        write, cancelled = moves.move(
            moves.RETURN,
            item,
            "cancel",
            by=ACTOR,
            set_fields={"exchange": exchange},
            remove=returns.QUEUE_FIELDS,
        )
        return [write, returns.release_units(table, item, name="returned_order")], cancelled
    entry = {"at": now, "type": "exchange_cancelled", "by": ACTOR}
    changes = {k: exchange[k] for k in ("state", "cancelled_at", "cancel_reason")}
    return [store.exchange_noted(item, changes, entry)], {**item, "exchange": exchange}


def announce_cancelled(item: Item) -> None:
    events.publish(ExchangeUpdated.of(item, "cancelled"), f"{item['id']}:exchange_cancelled")
    if item["status"] == "cancelled":
        returns.announce(ReturnCancelled, item)


def inspected_refund(item: Item, order: Item, disputed: bool) -> dict[str, Any]:
    """What an inspected live exchange refunds: none of the goods' worth (they were exchanged), only a
    difference the buyer is owed — and nothing while the parcel is disputed."""
    difference = int(item["exchange"]["difference"])
    amount = 0 if disputed else rules.refund_due(difference, int(order.get("refundable", 0)))
    return {"refund_amount": amount, "refunded_units": {}}
