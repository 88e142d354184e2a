"""Outbound webhooks, the sending side: one attempt of one delivery, signed as Standard Webhooks says,
recorded with what came of it; the next attempt timed by ``RETRY_DELAYS``, the delivery failed after the
last, and a subscription failing for three days paused and its owner told."""

from __future__ import annotations

import time
from typing import Any

from oms import aws, clock
from oms.config import require, settings
from oms.domain import webhooks as rules
from oms.domain.webhooks import Attempt
from oms.observability import logger
from oms.problems import SubscriptionNotFound
from oms.store import webhooks as stored
from oms.store.table import Item, Table
from oms.webhook_targets import TargetRefused, post, resolve

require("NOTIFY_SENDER", by=__name__)


def _call(subscription: Item, delivery: Item) -> dict[str, Any]:
    """Make one attempt; what it came to, as the attempt's record."""
    now = clock.now()
    record: dict[str, Any] = {"n": delivery["next_attempt"] - 1, "at": clock.iso(now)}
    try:
        target = resolve(subscription["url"])
        secrets = rules.secrets_in_force(subscription["secrets"], clock.iso(now))
        # The wall clock, not the business clock: subscribers check it against theirs to refuse replays.
        headers = rules.headers(secrets, delivery["id"], int(time.time()), delivery["body"])
        answer = post(target, delivery["body"], headers, rules.ATTEMPT_TIMEOUT_SECONDS, rules.EXCERPT_CHARS)
    except TargetRefused as refused:
        return {**record, "error": "target_refused", "detail": str(refused)}
    except OSError as error:  # refused, reset, timed out, TLS
        return {**record, "error": "connection_failed", "detail": str(error)[:200]}
    return {
        **record,
        "status_code": answer.status,
        "latency_ms": answer.latency_ms,
        "excerpt": answer.excerpt,
    }


def send(table: Table, attempt: Attempt) -> str:
    """Make the queued attempt once; what became of the delivery."""
    delivery = stored.claim(table, attempt.subscription_id, attempt.delivery_id, attempt.attempt)
    if delivery is None:
        return "already_handled"
    try:
        subscription = stored.get(table, attempt.subscription_id)
    except SubscriptionNotFound:
        stored.settle_unsent(table, delivery, "cancelled", "subscription deleted")
        return "cancelled"
    if subscription["status"] != "active":
        stored.settle_unsent(table, delivery, "cancelled", f"subscription {subscription['status']}")
        return "cancelled"
    record = _call(subscription, delivery)
    succeeded = rules.is_success(record.get("status_code"))
    failures = 0 if succeeded else int(delivery.get("failures", 0)) + 1
    retry_at = None if succeeded else rules.next_attempt_at(failures, clock.now())
    status = "delivered" if succeeded else ("retrying" if retry_at else "failed")
    stored.record_attempt(table, delivery, record, status, retry_at, failures)
    after = stored.note_outcome(table, subscription, succeeded)
    if not succeeded and rules.should_pause(after.get("failing_since"), clock.now()):
        _pause(table, after)
    logger.info("webhook attempt", extra={"delivery_id": delivery["id"], "outcome": status, **record})
    return status


def _pause(table: Table, subscription: Item) -> None:
    if not stored.pause_for_failures(table, subscription["id"]):
        return
    owner = subscription.get("owner_email")
    logger.warning("webhook subscription paused", extra={"subscription_id": subscription["id"]})
    if owner:
        aws.client("ses").send_email(
            Source=settings().notify_sender,
            Destination={"ToAddresses": [owner]},
            Message={
                "Subject": {"Data": "Webhook subscription paused", "Charset": "UTF-8"},
                "Body": {
                    "Text": {
                        "Data": (
                            f"Deliveries to {subscription['url']} have failed for 3 days, so subscription "
                            f"{subscription['id']} is paused. Fix the endpoint, resume the subscription and "
                            "replay the failed deliveries from the back office."
                        ),
                        "Charset": "UTF-8",
                    }
                },
            },
        )
