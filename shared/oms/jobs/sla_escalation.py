"""``sla-escalation``: what waits for a person past its deadline is flagged and staff are told, once."""

from __future__ import annotations

from oms import clock, events
from oms.event_catalogue import SlaBreached
from oms.lifecycle.payments import REVIEW_SLA
from oms.lifecycle.returns import RETURN_REVIEW_SLA
from oms.store import timers
from oms.store.table import ConditionFailed, Table, values

ACTOR = "system:sla-escalation"


# Timer kind -> what waits: held orders and return requests share the review SLA mechanism.
WAITING = {REVIEW_SLA: "order_review", RETURN_REVIEW_SLA: "return_review"}


def run(table: Table) -> dict[str, int]:
    escalated = skipped = 0
    for timer_kind, what in WAITING.items():
        for pk, sk in timers.due(table, timer_kind):
            if _escalate(table, pk, sk, timer_kind, what):
                escalated += 1
            else:
                skipped += 1
    return {"escalated": escalated, "skipped": skipped}


def _escalate(table: Table, pk: str, sk: str, timer_kind: str, what: str) -> bool:
    entry = {"at": clock.now_iso(), "type": "sla_breached", "by": ACTOR}
    try:
        # Conditioned on still waiting with this timer: a decision that lands first wins, and the timer is
        # removed here so the breach is reported once. The item stays in its review queue for a person.
        item = table.update(
            pk,
            sk,
            "SET escalated_at = :now, timeline = list_append(timeline, :entry) REMOVE timer_kind, due_at",
            condition="timer_kind = :kind AND due_at <= :now",
            expression_values=values(now=clock.now_iso(), entry=[entry], kind=timer_kind),
        )
    except ConditionFailed:
        return False
    breached = SlaBreached(
        order_id=item.get("order_id", item["id"]),
        subject_id=item["id"],
        customer_id=item["customer_id"],
        kind=what,
        deadline=item.get("review_due_at"),
    )
    events.publish(breached, f"{item['id']}:{timer_kind}")
    return True
