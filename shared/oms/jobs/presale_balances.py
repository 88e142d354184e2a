"""Presale orders waiting for their balance (part of ``release-unpaid``): the buyer is told when the window
opens and a day before it closes; at the close an unpaid balance cancels the order and releases its stock,
the deposit kept or refunded as the presale terms say (:mod:`oms.domain.presale`)."""

from __future__ import annotations

from collections import Counter

from oms import clock, events
from oms.domain import presale
from oms.domain.order_status import Move, Status
from oms.event_catalogue import PresaleBalanceDue
from oms.lifecycle import cancellation
from oms.store import timers
from oms.store.moves import LostRace
from oms.store.table import ConditionFailed, Item, Table, values

ACTOR = "system:release-unpaid"


def _tell(table: Table, order: Item, kind: str) -> bool:
    """Tell the buyer (window open, or closing) and arm the next deadline, once."""
    plan = order["payment_plan"]
    next_kind, due = presale.next_balance_timer(plan, clock.now())
    try:
        table.update(
            order["pk"],
            order["sk"],
            "SET timer_kind = :next, due_at = :due",
            condition="timer_kind = :kind AND #s = :waiting",
            names={"#s": "status"},
            expression_values=values(
                next=next_kind, due=clock.iso(due), kind=kind, waiting=Status.awaiting_balance
            ),
        )
    except ConditionFailed:
        return False  # told already, or paid or cancelled meanwhile
    due_event = PresaleBalanceDue(
        order_id=order["id"],
        customer_id=order["customer_id"],
        stage=presale.NOTICE_STAGES[kind],
        balance=int(plan["balance"]),
        balance_closes_at=str(plan["balance_closes_at"]),
    )
    events.publish(due_event, f"{order['id']}:{kind}")
    return True


def run(table: Table) -> dict[str, int]:
    done: Counter[str] = Counter()
    for kind in (presale.BALANCE_OPENS, presale.BALANCE_CLOSING, presale.BALANCE_DUE):
        for pk, sk in timers.due(table, kind):
            order = table.get(pk, sk)
            if not order or order["status"] != Status.awaiting_balance or order.get("timer_kind") != kind:
                continue
            if order.get("due_at", "") > clock.now_iso():
                continue
            if kind != presale.BALANCE_DUE:
                done["balance_notices"] += int(_tell(table, order, kind))
                continue
            try:
                cancellation.cancel(
                    table, order, by=ACTOR, reason=presale.UNPAID_REASON, move_kind=Move.expire
                )
            except LostRace:
                continue  # paid meanwhile: that move won
            done["balance_unpaid"] += 1
    return {"balance_notices": done["balance_notices"], "balance_unpaid": done["balance_unpaid"]}
