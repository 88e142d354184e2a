"""Outbound webhooks, the queueing side: each domain event becomes one delivery per subscription that
wants it, each delivery one queue message per attempt (made by :mod:`oms.lifecycle.webhook_sending`, one
per invocation, so a slow or dead endpoint holds up nothing but itself); the ``retry-webhooks`` job queues
the attempts whose time has come, and the back office replays a settled delivery.

At least once: the delivery's id is the ``webhook-id`` of every attempt, so a subscriber drops repeats.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from oms import aws, clock, ids
from oms.config import require, settings
from oms.domain import webhooks as rules
from oms.domain.webhooks import Attempt
from oms.event_catalogue import PUBLIC_NAMES
from oms.store import timers
from oms.store import webhooks as stored
from oms.store.table import Item, Table

if TYPE_CHECKING:  # the consumers' batch machinery is the fan-out's alone, not the admin API's or the job's
    from oms.consumers import Received

require("WEBHOOK_SEND_QUEUE_URL", by=__name__)
# How far a queued attempt's timer is moved on: the retry job queues it again only if it was lost.
REQUEUE_AFTER = timedelta(minutes=5)
UNSTAMPED = "1970-01-01T00:00:00.000Z"


def enqueue(attempt: Attempt) -> None:
    aws.client("sqs").send_message(
        QueueUrl=settings().webhook_send_queue_url, MessageBody=attempt.model_dump_json()
    )


def delivery_id(subscription_id: str, event_id: str, occurred_at: str) -> str:
    """The ``webhook-id``: one per event and subscription, the same on every attempt and replay; it sorts
    by the event's time, so a subscription's deliveries list newest first straight from the table."""
    return ids.derived_sortable_id("msg", clock.parse(occurred_at), subscription_id, event_id)


def fan_out(table: Table, received: Received) -> int:
    """Record the event's delivery to every subscription that wants it, and queue those of the active
    ones (a paused one's is kept to replay); how many were queued."""
    public_type = PUBLIC_NAMES.get(received.detail_type)
    if public_type is None:
        return 0
    wanting = [s for s in stored.all_subscriptions(table) if rules.wants(s["event_types"], public_type)]
    if not wanting:
        return 0
    sequence = stored.sequence_of(table, received.event.order_id, received.event_id)
    stamped = received.envelope.get("occurred_at")  # the publisher stamps every event with it
    occurred_at = str(stamped or clock.now_iso())
    body = rules.message(public_type, occurred_at, sequence, received.detail)
    message = {
        "type": public_type,
        "event_id": received.event_id,
        "order_id": received.event.order_id,
        "body": body,
    }
    queued = 0
    for subscription in wanting:
        # Keyed on what the redelivered event carries again, never on this run's clock.
        found_id = delivery_id(subscription["id"], received.event_id, str(stamped or UNSTAMPED))
        stored.new_delivery(table, subscription, found_id, message)
        if subscription["status"] == "active":
            # Queued even when it was recorded before: the earlier try may have died between the two.
            enqueue(Attempt(subscription_id=subscription["id"], delivery_id=found_id, attempt=1))
            queued += 1
    return queued


def retry_due(table: Table) -> dict[str, int]:
    """The ``retry-webhooks`` job: queue the next attempt of every delivery whose time has come."""
    queued = 0
    for pk, sk in timers.due(table, stored.RETRY):
        delivery = table.get(pk, sk)
        if delivery is None or not stored.postpone(table, delivery, clock.now() + REQUEUE_AFTER):
            continue
        enqueue(
            Attempt(
                subscription_id=delivery["subscription_id"],
                delivery_id=delivery["id"],
                attempt=int(delivery["next_attempt"]),
            )
        )
        queued += 1
    return {"queued": queued}


def replay(table: Table, subscription_id: str, delivery_id: str) -> Item:
    """Send a settled delivery again by hand: same ``webhook-id`` and body, a fresh retry schedule."""
    stored.get(table, subscription_id)
    delivery = stored.replay(table, subscription_id, delivery_id)
    enqueue(
        Attempt(
            subscription_id=subscription_id, delivery_id=delivery_id, attempt=int(delivery["next_attempt"])
        )
    )
    return delivery
