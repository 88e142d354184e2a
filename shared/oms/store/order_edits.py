"""The writes of an order edit: the order's new lines and totals, the stock the edit adds and gives back,
the coupon use it gives back when the coupon no longer applies — in one transaction.

An edit waiting for its balance holds only the units it adds (``pending_edit`` on the order, with the
``edit_balance_due`` timer, out of the fulfilment queue); the units it removes stay reserved until the
balance is paid, so dropping the edit never needs stock that was sold meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oms import clock
from oms.domain.inventory import Takes, line_takes, merge_takes, record_takes, split_takes
from oms.domain.order_edits import EditPlan
from oms.store import inventory, keys, moves
from oms.store.orders import COUPON, COUPON_USE, search_keys
from oms.store.patches import Patch
from oms.store.table import Item, StoreBusy, Table
from oms.store.unit_of_work import Cancelled, Write, commit, update

EDIT_BALANCE = "edit_balance_due"


@dataclass(frozen=True)
class Edit:
    """One edit as decided: its id, its plan, which SKUs the channel caps, who asked and their note."""

    id: str
    plan: EditPlan
    capped: Mapping[str, bool]
    by: str
    note: str | None = None  # timer kind: the balance of an edit is due
    request: str = ""  # the request's fingerprint


FULFILMENT_QUEUE = ("queue", "queue_key")


def _capped(channel: str, capped: bool) -> str | None:
    return channel if capped else None


def _held_takes(line: Item) -> Takes:
    return line_takes(line.get("shards"), int(line["quantity"]))


def release_removed(order: Item, removed: Mapping[str, int]) -> list[Write]:
    """Give back the units an edit removes, from the shards their lines hold them on."""
    writes: list[Write] = []
    for line in order["lines"]:
        units = removed.get(line["sku"], 0)
        if units:
            _, dropped = split_takes(_held_takes(line), int(line["quantity"]) - units)
            writes += inventory.release_ops(
                line["sku"], units, _capped(order["channel"], line.get("capped")), dropped
            )
    return writes


def release_pending(order: Item) -> list[Write]:
    """Give back what an edit waiting for its balance holds (it lapsed, or the order was cancelled)."""
    pending = order.get("pending_edit") or {}
    writes: list[Write] = []
    for sku, held in sorted((pending.get("added") or {}).items()):
        takes = line_takes(held.get("shards"), int(held["quantity"]))
        writes += inventory.release_ops(
            sku, int(held["quantity"]), _capped(order["channel"], held.get("capped")), takes
        )
    return writes


def lines_after(
    order: Item, plan: EditPlan, added: Mapping[str, Takes], capped: Mapping[str, bool]
) -> list[Item]:
    """The order's lines once the edit applies: kept lines keep their shards, added units bring theirs."""
    before = {line["sku"]: line for line in order["lines"]}
    lines = []
    for priced in plan.lines:
        old = before.get(priced.sku)
        kept: Takes = {}
        if old is not None:
            kept, _ = split_takes(_held_takes(old), min(int(old["quantity"]), priced.quantity))
        takes = merge_takes(kept, dict(added.get(priced.sku, {})))
        lines.append(
            {
                **(old or {}),
                **priced.model_dump(mode="json"),
                "reserved": priced.quantity,
                "shipped": 0,
                "capped": bool(old.get("capped")) if old is not None else capped.get(priced.sku, False),
                "shards": record_takes(takes, priced.quantity),
            }
        )
    return lines


def _coupon_given_back(order: Item) -> list[Write]:
    give_back = "SET {0} = {0} - :one"
    code = order["coupon_code"]
    return [
        update(COUPON, keys.coupon(code), give_back.format("used_count"), named_values={"one": 1}),
        update(
            COUPON_USE,
            keys.coupon_use(code, order["customer_id"]),
            give_back.format("uses"),
            named_values={"one": 1},
        ),
    ]


def _new_basket(order: Item, lines: list[Item], plan: EditPlan) -> Patch:
    sets = ["#e_lines = :e_lines", "totals = :e_totals", "order_day = :e_day", "skus = :e_skus"]
    values: dict[str, Any] = {
        "e_lines": lines,
        "e_totals": plan.totals.model_dump(mode="json"),
        "e_day": search_keys(order["placed_at"], [])["order_day"],
        "e_skus": search_keys(order["placed_at"], [line["sku"] for line in lines])["skus"],
    }
    removes: tuple[str, ...] = ("coupon_code",) if plan.coupon == "dropped" else ()
    return Patch(sets=tuple(sets), removes=removes, names={"#e_lines": "lines"}, values=values)


def _summary(edit: Edit, state: str) -> Item:
    """What the order's ``edits`` keep of one edit."""
    return {
        "id": edit.id,
        "at": clock.now_iso(),
        "by": edit.by,
        "state": state,
        "previous_total": edit.plan.previous_total,
        "total": edit.plan.totals.total,
        "difference": edit.plan.difference,
        "coupon": edit.plan.coupon,
        "note": edit.note,
        "request_hash": edit.request,
    }


def _pending(
    order: Item,
    plan: EditPlan,
    summary: Item,
    due_at: str,
    added: Mapping[str, Takes],
    capped: Mapping[str, bool],
) -> Item:
    """The edit as it waits: the lines it would leave, and the units it holds and would give back."""
    return {
        **summary,
        "balance": plan.difference,
        "due_at": due_at,
        "lines": lines_after(order, plan, added, capped),
        "totals": plan.totals.model_dump(mode="json"),
        "removed": dict(plan.removed),
        "added": {
            sku: {
                "quantity": units,
                "capped": capped.get(sku, False),
                "shards": record_takes(added[sku], units),
            }
            for sku, units in plan.added.items()
        },
    }


def _record(summary: dict[str, Any]) -> Patch:
    return Patch(
        sets=("edits = list_append(if_not_exists(edits, :e_none), :e_new)",),
        values={"e_none": [], "e_new": [summary]},
    )


def _commit_with_stock(
    table: Table, order: Item, edit_id: str, plan: EditPlan, capped: Mapping[str, bool], build: Any
) -> Item:
    """Commit ``build(added_takes) -> (writes, item)`` with the added units reserved; a short shard is
    chosen again, a truly short SKU refused (the caller's plan read it available)."""
    channel = order["channel"]
    reservation = inventory.Reservation(
        edit_id,
        sorted(plan.added.items()),
        {sku: _capped(channel, capped.get(sku, False)) for sku in plan.added},
    )
    for _ in range(inventory.MAX_ATTEMPTS):
        writes, item = build({sku: reservation.takes[sku] for sku in plan.added})
        try:
            commit(table, *writes, *reservation.writes())
        except Cancelled as cancelled:
            if cancelled.failed_on(moves.ORDER.name):
                raise moves.LostRace(order["id"]) from cancelled
            failed = reservation.short_in(cancelled)
            if not failed:
                raise
            short, _ = reservation.choose_again(table, failed, channel)
            if short:
                raise moves.LostRace(order["id"]) from cancelled  # sold meanwhile: plan again
            continue
        return dict(item)
    raise StoreBusy(f"order {order['id']}: the stock of its edit kept moving between shards")


def apply(table: Table, order: Item, edit: Edit) -> Item:
    """The edit applies now: new lines and totals, units added and given back, all at once."""
    edit_id, plan, capped, by = edit.id, edit.plan, edit.capped, edit.by
    summary = _summary(edit, "applied")
    at = summary["at"]
    entry = {"at": at, "type": "edited", "by": by, "edit_id": edit_id, "difference": plan.difference}

    def build(added: dict[str, Takes]) -> tuple[list[Write], Item]:
        lines = lines_after(order, plan, added, capped)
        patch = _new_basket(order, lines, plan) + _record(summary)
        writes = [moves.edit(moves.ORDER, order, patch, entry), *release_removed(order, plan.removed)]
        if plan.coupon == "dropped":
            writes += _coupon_given_back(order)
        edited = {
            **order,
            "lines": lines,
            "totals": plan.totals.model_dump(mode="json"),
            "version": order["version"] + 1,
            "edits": [*order.get("edits", []), summary],
        }
        if plan.coupon == "dropped":
            edited.pop("coupon_code", None)
        return writes, edited

    return _commit_with_stock(table, order, edit_id, plan, capped, build)


def hold_for_balance(table: Table, order: Item, edit: Edit, due_at: str) -> Item:
    """The edit waits for its balance: the units it adds are held, the order is out of the pick queue."""
    edit_id, plan, capped, by = edit.id, edit.plan, edit.capped, edit.by
    summary = _summary(edit, "awaiting_balance")
    at = summary["at"]
    entry = {
        "at": at,
        "type": "edit_awaiting_balance",
        "by": by,
        "edit_id": edit_id,
        "balance": plan.difference,
    }

    def build(added: dict[str, Takes]) -> tuple[list[Write], Item]:
        pending = _pending(order, plan, summary, due_at, added, capped)
        patch = Patch(
            sets=("pending_edit = :e_pending", "timer_kind = :e_kind", "due_at = :e_due"),
            removes=FULFILMENT_QUEUE,
            values={"e_pending": pending, "e_kind": EDIT_BALANCE, "e_due": due_at},
        ) + _record(summary)
        held = {
            **order,
            "pending_edit": pending,
            "version": order["version"] + 1,
            "edits": [*order.get("edits", []), summary],
        }
        for name in FULFILMENT_QUEUE:
            held.pop(name, None)
        return [moves.edit(moves.ORDER, order, patch, entry)], held

    return _commit_with_stock(table, order, edit_id, plan, capped, build)


def _settled(order: Item, state: str, **more: Any) -> Patch:
    """The pending edit's entry in ``edits`` marked ``state``, provided it is still the pending one."""
    index = next(i for i, e in enumerate(order.get("edits", [])) if e["id"] == order["pending_edit"]["id"])
    return Patch(
        sets=(f"edits[{index}].#s_state = :s_state", *(f"edits[{index}].#s_{k} = :s_{k}" for k in more)),
        removes=("pending_edit", "timer_kind", "due_at"),
        conditions=("pending_edit.id = :s_id",),
        names={"#s_state": "state", **{f"#s_{k}": k for k in more}},
        values={
            "s_state": state,
            "s_id": order["pending_edit"]["id"],
            **{f"s_{k}": v for k, v in more.items()},
        },
    )


def balance_paid(
    order: Item, payment_id: str, amount: int, queue: Mapping[str, Any], by: str
) -> tuple[list[Write], Item]:
    """The balance came in: the edit applies (its lines, totals, the removed units given back), the money
    is captured, the order goes back into the pick queue."""
    pending = order["pending_edit"]
    at = clock.now_iso()
    plan_coupon = pending.get("coupon")
    patch = Patch(
        sets=(
            "#e_lines = :e_lines",
            "totals = :e_totals",
            "skus = :e_skus",
            "captured = captured + :e_amount",
            "refundable = refundable + :e_amount",
            "queue = :e_queue",
            "queue_key = :e_queue_key",
        ),
        removes=("coupon_code",) if plan_coupon == "dropped" else (),
        names={"#e_lines": "lines"},
        values={
            "e_lines": pending["lines"],
            "e_totals": pending["totals"],
            "e_skus": search_keys(order["placed_at"], [line["sku"] for line in pending["lines"]])["skus"],
            "e_amount": amount,
            "e_queue": queue["queue"],
            "e_queue_key": queue["queue_key"],
        },
    ) + _settled(order, "balance_paid", payment_id=payment_id)
    entry = {
        "at": at,
        "type": "edit_balance_paid",
        "by": by,
        "edit_id": pending["id"],
        "amount": amount,
        "payment_id": payment_id,
    }
    writes = [moves.edit(moves.ORDER, order, patch, entry), *release_removed(order, pending["removed"])]
    if plan_coupon == "dropped" and order.get("coupon_code"):
        writes += _coupon_given_back(order)
    paid = {
        **order,
        "lines": pending["lines"],
        "totals": pending["totals"],
        "captured": order["captured"] + amount,
        "refundable": order["refundable"] + amount,
    }
    paid.pop("pending_edit", None)
    return writes, paid


def lapse(order: Item, queue: Mapping[str, Any], by: str) -> list[Write]:
    """The balance never came: the held units go back and the order is as it was, back in the pick queue."""
    pending = order["pending_edit"]
    patch = Patch(
        sets=("queue = :e_queue", "queue_key = :e_queue_key"),
        values={"e_queue": queue["queue"], "e_queue_key": queue["queue_key"]},
    ) + _settled(order, "lapsed")
    entry = {"at": clock.now_iso(), "type": "edit_lapsed", "by": by, "edit_id": pending["id"]}
    return [moves.edit(moves.ORDER, order, patch, entry), *release_pending(order)]
