"""Orders: placing one with its reservations in one transaction, reading them back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oms import clock, ids
from oms.domain.handling import pick_key
from oms.domain.inventory import StockLevels
from oms.domain.ordering import OrderDraft, OrderRejected
from oms.problems import Conflict, FieldError, NotFound
from oms.store import cursors, inventory, keys, moves
from oms.store.moves import ORDER as ORDER_MACHINE
from oms.store.patches import Patch
from oms.store.table import Item, StoreBusy, Table, compact, values
from oms.store.unit_of_work import Cancelled, Write, commit, put, update

PAYMENT_DUE = "payment_due"
ORDER = ORDER_MACHINE.name


def search_keys(placed_at: str, skus: list[str]) -> dict[str, Any]:
    """What puts an order in the back office's ``by_day`` search index: the UTC day it was placed (the
    partition; ``created_key`` sorts within it) and its SKUs, so a SKU filter needs no look at the lines."""
    return {"order_day": placed_at[:10], "skus": sorted(set(skus))}


def _order_item(
    draft: OrderDraft, capped: dict[str, bool], request_hash: str, stock: inventory.Reservation
) -> Item:
    pk, sk = keys.order(draft.order_id)
    placed = clock.iso(draft.placed_at)
    lines = [
        {
            **line.model_dump(mode="json"),
            "reserved": line.quantity,
            "shipped": 0,
            "capped": capped.get(line.sku, False),
            "shards": stock.recorded(line.sku),
        }
        for line in draft.lines
    ]
    return {
        "pk": pk,
        "sk": sk,
        "id": draft.order_id,
        "customer_id": draft.customer_id,
        "status": "pending_payment",
        "version": 1,
        "channel": draft.channel.value,
        "payment_method": draft.payment_method.value,
        "coupon_code": draft.coupon_code,
        "lines": lines,
        "totals": draft.totals.model_dump(mode="json"),
        "shipping_address": draft.shipping_address.model_dump(mode="json"),
        "placed_at": placed,
        "payment_due_at": clock.iso(draft.payment_due_at),
        "estimated_ship_by": clock.iso(draft.estimated_ship_by),
        "estimated_delivery_by": clock.iso(draft.estimated_delivery_by),
        "captured": 0,
        "refunded": 0,
        "refundable": 0,
        "timeline": [{"at": placed, "type": "placed", "by": draft.customer_id}],
        "request_hash": request_hash,
        "customer_key": keys.customer_orders(draft.customer_id),
        "created_key": f"{placed}#{draft.order_id}",
        **search_keys(placed, [line.sku for line in draft.lines]),
        "payment_plan": draft.payment_plan.model_dump(mode="json") if draft.payment_plan else None,
        "timer_kind": PAYMENT_DUE,
        "due_at": clock.iso(draft.payment_due_at),
    }


COUPON, COUPON_USE = "coupon", "coupon_use"


def _coupon_writes(draft: OrderDraft, limits: tuple[int | None, int | None]) -> list[Write]:
    if not draft.coupon_code:
        return []
    total_limit, per_customer = limits
    coupon = update(
        COUPON,
        keys.coupon(draft.coupon_code),
        "SET used_count = used_count + :one",
        condition="active = :yes" + (" AND used_count < :limit" if total_limit else ""),
        named_values={"one": 1, "yes": True, **({"limit": total_limit} if total_limit else {})},
    )
    use = update(
        COUPON_USE,
        keys.coupon_use(draft.coupon_code, draft.customer_id),
        "SET uses = if_not_exists(uses, :zero) + :one",
        condition="attribute_not_exists(uses) OR uses < :limit" if per_customer else None,
        named_values={"one": 1, "zero": 0, **({"limit": per_customer} if per_customer else {})},
    )
    return [coupon, use]


def release_all(order: Item) -> list[Write]:
    """Give back every unit the order still holds, and its coupon use (cancellation, expiry)."""
    writes = [w for line in order["lines"] for w in inventory.release_line_ops(line, order["channel"])]
    if order.get("coupon_code"):
        give_back = "SET {0} = {0} - :one"
        writes += [
            update(
                COUPON,
                keys.coupon(order["coupon_code"]),
                give_back.format("used_count"),
                named_values={"one": 1},
            ),
            update(
                COUPON_USE,
                keys.coupon_use(order["coupon_code"], order["customer_id"]),
                give_back.format("uses"),
                named_values={"one": 1},
            ),
        ]
    return writes


def note(order_id: str, entry: dict[str, Any], *, add: dict[str, int] | None = None) -> Write:
    """Append ``entry`` to the order's timeline (and ``add`` to its counters) whatever the order is now:
    news that decides nothing on the order as read (a failed payment, money refunded as it came in)."""
    counters = add or {}
    sets = ["timeline = list_append(timeline, :n_entry)"]
    sets += [f"#n_c{i} = #n_c{i} + :n_c{i}" for i in range(len(counters))]
    return update(
        ORDER,
        keys.order(order_id),
        "SET " + ", ".join(sets),
        names={f"#n_c{i}": name for i, name in enumerate(counters)} or None,
        named_values={"n_entry": [entry], **{f"n_c{i}": n for i, n in enumerate(counters.values())}},
    )


def _new(order: Item) -> Write:
    return put(ORDER, order, condition="attribute_not_exists(pk)")


def place(
    table: Table,
    draft: OrderDraft,
    *,
    capped: dict[str, bool],
    coupon_limits: tuple[int | None, int | None],
    request_hash: str,
) -> tuple[Item, bool]:
    """Write the order and reserve every line: all or nothing. Returns (order, created).

    Placing the same draft again (a retried step) finds the order already there and returns it unchanged.
    """
    channel = draft.channel.value
    # Each line's shards are chosen without a read; a short shard is chosen again after a re-read (see
    # inventory.Reservation), and only a SKU short in all its shards together is refused.
    stock = inventory.Reservation(
        draft.order_id,
        [(line.sku, line.quantity) for line in draft.lines],
        {line.sku: channel if capped.get(line.sku) else None for line in draft.lines},
    )
    for _ in range(inventory.MAX_ATTEMPTS):
        order = compact(_order_item(draft, capped, request_hash, stock))
        coupon = _coupon_writes(draft, coupon_limits)
        try:
            commit(table, _new(order), *stock.writes(), *coupon)
        except Cancelled as cancelled:
            if cancelled.failed_on(ORDER):
                existing = table.get(*keys.order(draft.order_id))
                if existing and existing["customer_id"] == draft.customer_id:
                    return existing, False
            failed = stock.short_in(cancelled)
            if failed:
                short, current = stock.choose_again(table, failed, channel)
                if short:
                    raise _insufficient(draft, short, current) from cancelled
                continue  # the units are there, on other shards: try again with those
            if cancelled.failed_on(COUPON) or cancelled.failed_on(COUPON_USE):
                reason = "exhausted" if cancelled.failed_on(COUPON) else "already_used"
                raise OrderRejected(
                    [
                        FieldError(
                            "coupon_code",
                            "This coupon can no longer be used.",
                            {"code": "coupon_invalid", "reason": reason},
                        )
                    ]
                ) from cancelled
            raise
        return order, True
    raise StoreBusy(f"order {draft.order_id}: its stock kept moving between shards")


def _insufficient(draft: OrderDraft, short: list[str], current: dict[str, StockLevels]) -> OrderRejected:
    channel = draft.channel.value
    return OrderRejected(
        [
            FieldError(
                f"items[{[line.sku for line in draft.lines].index(sku)}].quantity",
                f"only {current[sku].available_for(channel)} available",
                {"code": "insufficient_stock", "sku": sku, "available": current[sku].available_for(channel)},
            )
            for sku in short
        ]
    )


def get(table: Table, order_id: str) -> Item | None:
    return table.get(*keys.order(order_id))


def get_for(table: Table, order_id: str, customer_id: str | None) -> Item:
    """The order, for its owner or (customer_id None) for staff; anyone else is told it does not exist."""
    order = get(table, order_id)
    if order is None or (customer_id is not None and order["customer_id"] != customer_id):
        raise NotFound(f"No order {order_id}.", code="order_not_found")
    return order


def reader(table: Table, order_id: str, customer_id: str | None) -> Callable[[], Item]:
    """The order as it is now, for ``races.retry_on_race`` to read again after a lost race."""
    return lambda: get_for(table, order_id, customer_id)


def record_for(table: Table, order_id: str, customer_id: str | None) -> tuple[Item, list[Item]]:
    """The order and what hangs off it (shipments, refunds) in one query; same visibility as get_for."""
    items, _ = table.query("pk = :pk", expression_values=values(pk=keys.order(order_id)[0]), consistent=True)
    order = next((i for i in items if i["sk"] == "ORDER"), None)
    if order is None or (customer_id is not None and order["customer_id"] != customer_id):
        raise NotFound(f"No order {order_id}.", code="order_not_found")
    return order, [i for i in items if i["sk"] != "ORDER"]


def list_for_customer(
    table: Table, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[Item], str | None]:
    customer_key = keys.customer_orders(customer_id)
    items, last = table.query(
        "customer_key = :ck",
        index="by_customer",
        expression_values=values(ck=customer_key),
        limit=limit,
        start_key=cursors.decode(cursor, cursors.BY_CUSTOMER_KEY, {"customer_key": customer_key}),
        forward=False,
    )
    return items, cursors.encode(last)


_KEPT_BY_REPLACEMENT = (
    "customer_id",
    "channel",
    "shipping_address",
    "estimated_ship_by",
    "estimated_delivery_by",
)


def same_goods(order: Item, items: list[dict[str, Any]]) -> list[Item]:
    """The replacement lines for the same goods as ``items`` of ``order``."""
    by_sku = {line["sku"]: line for line in order["lines"]}
    return [
        {
            **{k: by_sku[i["sku"]][k] for k in ("sku", "name", "category", "flags")},
            "quantity": i["quantity"],
            "capped": by_sku[i["sku"]].get("capped", False),
        }
        for i in items
    ]


@dataclass(frozen=True)
class ReplacementTerms:
    """What a replacement asks before it ships: a price difference to pay by ``due_at``, the return
    parcel in the carrier's hands (``ships_now`` False)."""

    owed: int = 0
    due_at: str | None = None
    ships_now: bool = True


AWAITS_PARCEL = "awaits_return_parcel"  # a replacement that ships once the return parcel is scanned


def _waiting(order: Item, replacement_id: str, terms: ReplacementTerms, now: str) -> Item:
    """The replacement's status and timers: unpaid with a due time, or paid (nothing owed) and in the pick
    queue unless it waits for the return parcel."""
    if terms.owed:
        return {
            "status": "pending_payment",
            "payment_due_at": terms.due_at,
            "timer_kind": PAYMENT_DUE,
            "due_at": terms.due_at,
            AWAITS_PARCEL: not terms.ships_now or None,
        }
    paid = {"status": "awaiting_fulfillment", "paid_at": now}
    if not terms.ships_now:
        return {**paid, AWAITS_PARCEL: True}
    key = pick_key(perishable=False, vip=bool(order.get("vip")), paid_at=now, order_id=replacement_id)
    return {**paid, "queue": "FULFILL", "queue_key": key}


def _replacement(
    order: Item, lines: list[Item], return_id: str, replacement_id: str, terms: ReplacementTerms
) -> Item:
    """An order for ``lines`` at no price but the difference ``terms.owed``."""
    now = clock.now_iso()
    waiting = _waiting(order, replacement_id, terms, now)
    zero = {"unit_price": 0, "line_total": 0, "discount": 0, "shipped": 0}
    lines = [{**line, **zero, "reserved": line["quantity"]} for line in lines]
    pk, sk = keys.order(replacement_id)
    return compact(
        {
            **{k: order.get(k) for k in _KEPT_BY_REPLACEMENT},
            "pk": pk,
            "sk": sk,
            "id": replacement_id,
            "version": 1,
            "payment_method": order["payment_method"],
            "lines": lines,
            "totals": {
                "subtotal": 0,
                "discount": 0,
                "shipping_fee": 0,
                "total": terms.owed,
                "currency": order["totals"]["currency"],
            },
            "placed_at": now,
            "captured": 0,
            "refunded": 0,
            "refundable": 0,
            "replaces_order_id": order["id"],
            "return_id": return_id,
            # The status it starts in (paid already when nothing is owed): its timeline replays from there.
            "timeline": [
                {
                    "at": now,
                    "type": "placed",
                    "by": "system:exchange",
                    "return_id": return_id,
                    "status": waiting["status"],
                }
            ],
            "customer_key": keys.customer_orders(order["customer_id"]),
            "created_key": f"{now}#{replacement_id}",
            **search_keys(now, [line["sku"] for line in lines]),
            **waiting,
        }
    )


def replacement_id(order_id: str, return_id: str) -> str:
    return ids.derived_id("ord", order_id, return_id)


def release_replacement(replacement: Item, queue: Mapping[str, Any] | None, by: str) -> Write:
    """The replacement stops waiting for the return parcel: into the pick queue when paid (``queue``), or
    for its payment to put it there. Once: refused when it no longer waits."""
    sets: tuple[str, ...] = ()
    named: dict[str, Any] = {}
    if queue is not None:
        sets = ("queue = :r_queue", "queue_key = :r_queue_key")
        named = {"r_queue": queue["queue"], "r_queue_key": queue["queue_key"]}
    patch = Patch(
        sets=sets,
        removes=(AWAITS_PARCEL,),
        conditions=(f"attribute_exists({AWAITS_PARCEL})",),
        values=named,
    )
    entry = {"at": clock.now_iso(), "type": "released_for_shipping", "by": by}
    return moves.edit(ORDER_MACHINE, replacement, patch, entry)


def place_replacement(
    table: Table,
    order: Item,
    lines: list[Item],
    return_id: str,
    terms: ReplacementTerms = ReplacementTerms(),
    also: Sequence[Write] = (),
) -> Item:
    """An exchange: an order for ``lines`` (one per SKU) with their stock reserved, together with ``also``
    (the return's move); :class:`Cancelled` when one of ``also`` is refused."""
    replacement = _replacement(order, lines, return_id, replacement_id(order["id"], return_id), terms)
    stock = inventory.Reservation(
        replacement["id"],
        [(line["sku"], line["quantity"]) for line in lines],
        {line["sku"]: order["channel"] if line["capped"] else None for line in lines},
    )
    for _ in range(inventory.MAX_ATTEMPTS):
        replacement["lines"] = [
            compact({**line, "shards": stock.recorded(line["sku"])}) for line in replacement["lines"]
        ]
        try:
            commit(table, _new(replacement), *stock.writes(), *also)
        except Cancelled as cancelled:
            if any(cancelled.failed_on(write.name) for write in also):
                raise
            if cancelled.failed_on(ORDER):
                existing = get(table, replacement["id"])
                if existing:
                    return existing
            failed = stock.short_in(cancelled)
            if failed and not stock.choose_again(table, failed, order["channel"])[0]:
                continue  # the units are there, on other shards
            raise Conflict(
                "Not enough stock for the exchange right now.", code="insufficient_stock"
            ) from cancelled
        return replacement
    raise StoreBusy(f"exchange {replacement['id']}: its stock kept moving between shards")
