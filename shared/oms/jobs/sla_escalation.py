"""``sla-escalation``: what waits for a person past its deadline is flagged and staff are told, once."""

from __future__ import annotations

from oms import clock, events
from oms.lifecycle.payments import REVIEW_SLA
from oms.store import timers
from oms.store.table import ConditionFailed, Table, values

ACTOR = "system:sla-escalation"


def run(table: Table) -> dict[str, int]:
    escalated = skipped = 0
    for pk, sk in timers.due(table, REVIEW_SLA):
        entry = {"at": clock.now_iso(), "type": "sla_breached", "by": ACTOR}
        try:
            # Conditioned on still waiting with this timer: a decision that lands first wins, and the
            # timer is removed here so the breach is reported once.
            item = table.update(
                pk,
                sk,
                "SET escalated_at = :now, timeline = list_append(timeline, :entry) REMOVE timer_kind, due_at",
                condition="timer_kind = :kind AND due_at <= :now",
                expression_values=values(now=clock.now_iso(), entry=[entry], kind=REVIEW_SLA),
            )
        except ConditionFailed:
            skipped += 1
            continue
        events.publish(
            "SlaBreached",
            f"{item['id']}:review_sla",
            {
                "order_id": item["id"],
                "customer_id": item["customer_id"],
                "kind": "order_review",
                "deadline": item.get("review_due_at"),
            },
        )
        escalated += 1
    return {"escalated": escalated, "skipped": skipped}
