"""Webhook subscriptions and their deliveries: the one module that writes them.

A subscription lives in the ``WEBHOOK_SUBSCRIPTIONS`` partition (a handful of items, read whole by the
fan-out); each delivery — one event for one subscription — in its subscription's partition, with every
attempt on it. A delivery waiting for its next attempt carries the ``webhook_retry`` timer.

A delivery's attempts are numbered; an attempt is *claimed* by a conditional write before the call, so a
queue message delivered twice makes one call, and a sender that dies mid-call leaves a claim that expires
(the retry job then sends the next attempt).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from oms import clock
from oms.domain import webhooks as rules
from oms.problems import DeliveryInProgress, DeliveryNotFound, SubscriptionChanged, SubscriptionNotFound
from oms.store import keys
from oms.store.table import ConditionFailed, Item, Table, values
from oms.store.unit_of_work import Cancelled, UnitOfWork, put

RETRY = "webhook_retry"
# A claimed attempt that never recorded its end is given up after this long (the sender's limit is 30 s).
CLAIM_EXPIRES = timedelta(minutes=5)
_INTERNAL = frozenset({"pk", "sk", "timer_kind", "due_at", "claim_expires", "secrets"})


def view(item: Item) -> dict[str, Any]:
    """What the back office sees: never a secret, never the store's keys."""
    return {k: v for k, v in item.items() if k not in _INTERNAL}


# ---------------------------------------------------------------------------------------------- subscriptions


def create(table: Table, subscription_id: str, fields: dict[str, Any], secret: str) -> Item:
    pk, sk = keys.webhook_subscription(subscription_id)
    now = clock.now_iso()
    item = {
        "pk": pk,
        "sk": sk,
        "id": subscription_id,
        **fields,
        "status": "active",
        "secrets": [{"secret": secret}],
        "created_at": now,
        "updated_at": now,
    }
    try:
        table.put(item, condition="attribute_not_exists(pk)")
    except ConditionFailed as exists:  # the same request again (its id is derived from its key)
        return exists.item or item
    return item


def get(table: Table, subscription_id: str) -> Item:
    item = table.get(*keys.webhook_subscription(subscription_id))
    if item is None or item.get("status") == "deleted":
        raise SubscriptionNotFound(f"No webhook subscription {subscription_id}.")
    return item


def all_subscriptions(table: Table) -> list[Item]:
    found: list[Item] = []
    start = None
    while True:
        items, start = table.query(
            "pk = :pk",
            expression_values=values(pk=keys.WEBHOOK_SUBSCRIPTIONS),
            start_key=start,
            consistent=True,
        )
        found.extend(item for item in items if item.get("status") != "deleted")
        if not start:
            return found


def change(table: Table, subscription_id: str, fields: dict[str, Any]) -> Item:
    """Set ``fields`` (url, event types, description, owner, status) on a subscription that exists."""
    names = {f"#f{n}": name for n, name in enumerate(fields)}
    sets = [f"#f{n} = :f{n}" for n in range(len(fields))]
    named = {f"f{n}": value for n, value in enumerate(fields.values())}
    # Resuming starts its failure clock afresh.
    clears = " REMOVE failing_since, paused_reason" if fields.get("status") == "active" else ""
    try:
        return table.update(
            *keys.webhook_subscription(subscription_id),
            "SET " + ", ".join([*sets, "updated_at = :now"]) + clears,
            condition="attribute_exists(pk) AND #s <> :deleted",
            names={**names, "#s": "status"},
            expression_values=values(**named, now=clock.now_iso(), deleted="deleted"),
        )
    except ConditionFailed as missing:
        raise SubscriptionNotFound(f"No webhook subscription {subscription_id}.") from missing


def rotate_secret(table: Table, subscription_id: str, secret: str) -> Item:
    """The new secret signs from now on; the one it replaces still signs for ``ROTATION_GRACE``."""
    current = get(table, subscription_id)
    secrets = rules.rotated(current["secrets"], secret, clock.now())
    try:
        return table.update(
            *keys.webhook_subscription(subscription_id),
            "SET secrets = :secrets, updated_at = :now",
            condition="updated_at = :seen",  # a concurrent change: the caller tries again
            expression_values=values(secrets=secrets, now=clock.now_iso(), seen=current["updated_at"]),
        )
    except ConditionFailed as moved:
        raise SubscriptionChanged("The subscription changed meanwhile; try again.") from moved


def note_outcome(table: Table, subscription: Item, succeeded: bool) -> Item:
    """A success clears the failure clock; a failure starts it if it is not running."""
    if succeeded and not subscription.get("failing_since"):
        return subscription  # no clock running: nothing to write
    if succeeded:
        expression, named = "REMOVE failing_since", None
    else:
        expression, named = (
            "SET failing_since = if_not_exists(failing_since, :now)",
            values(now=clock.now_iso()),
        )
    return table.update(
        *keys.webhook_subscription(subscription["id"]),
        expression,
        condition="attribute_exists(pk)",
        expression_values=named,
    )


def pause_for_failures(table: Table, subscription_id: str) -> bool:
    """Pause an active subscription that kept failing; False when it was no longer active (told once)."""
    return table.update_if(
        *keys.webhook_subscription(subscription_id),
        "SET #s = :paused, paused_reason = :why, updated_at = :now",
        condition="#s = :active",
        names={"#s": "status"},
        expression_values=values(
            paused="paused", active="active", why="failing for 3 days", now=clock.now_iso()
        ),
    )


# ---------------------------------------------------------------------------------------------- sequence


def sequence_of(table: Table, order_id: str, event_id: str) -> int:
    """The event's number among its order's events, given once: a redelivered event keeps its number."""
    while True:
        marker = table.get(*keys.webhook_event(event_id))
        if marker is not None:
            return int(marker["sequence"])
        counter = table.get(*keys.webhook_sequence(order_id))
        current = int(counter["sequence"]) if counter else 0
        counter_pk, counter_sk = keys.webhook_sequence(order_id)
        marker_pk, marker_sk = keys.webhook_event(event_id)
        try:
            UnitOfWork(table).add(
                put(
                    "sequence",
                    {"pk": counter_pk, "sk": counter_sk, "sequence": current + 1},
                    condition="attribute_not_exists(pk) OR #q = :current",
                    names={"#q": "sequence"},
                    named_values={"current": current},
                ),
                put(
                    "event",
                    {"pk": marker_pk, "sk": marker_sk, "sequence": current + 1, "order_id": order_id},
                    condition="attribute_not_exists(pk)",
                ),
            ).commit()
        except Cancelled:
            continue  # another event of the order took the number, or this one was numbered meanwhile
        return current + 1


# ---------------------------------------------------------------------------------------------- deliveries


def new_delivery(table: Table, subscription: Item, delivery_id: str, message: dict[str, Any]) -> bool:
    """Record one event's delivery to one subscription, once; False when it was already recorded.

    A paused subscription's delivery is recorded ``cancelled`` and not sent: once resumed, it can be
    replayed, so a pause loses no event."""
    pk, sk = keys.webhook_delivery(subscription["id"], delivery_id)
    now = clock.now_iso()
    item: Item = {
        "pk": pk,
        "sk": sk,
        "id": delivery_id,
        "subscription_id": subscription["id"],
        **message,
        "status": "pending",
        "created_at": now,
        "next_attempt": 1,
        "failures": 0,
        "attempts": [],
        # Until the first attempt is claimed: a lost queue message is sent by the retry job.
        "timer_kind": RETRY,
        "due_at": clock.iso(clock.now() + CLAIM_EXPIRES),
    }
    if subscription["status"] != "active":
        item.update(status="cancelled", reason=f"subscription {subscription['status']}")
        del item["timer_kind"], item["due_at"]
    try:
        table.put(item, condition="attribute_not_exists(pk)")
    except ConditionFailed:
        return False
    return True


def get_delivery(table: Table, subscription_id: str, delivery_id: str) -> Item:
    item = table.get(*keys.webhook_delivery(subscription_id, delivery_id))
    if item is None:
        raise DeliveryNotFound(f"No delivery {delivery_id} for subscription {subscription_id}.")
    return item


def deliveries(table: Table, subscription_id: str, limit: int) -> list[Item]:
    """The latest ``limit``, newest first (a delivery's id sorts by its event's time)."""
    items, _ = table.query(
        "pk = :pk",
        expression_values=values(pk=keys.webhook_deliveries(subscription_id)),
        limit=limit,
        forward=False,
    )
    return items


def claim(table: Table, subscription_id: str, delivery_id: str, attempt: int) -> Item | None:
    """Claim attempt ``attempt``; None when it was claimed already or the delivery is settled."""
    now = clock.now()
    try:
        return table.update(
            *keys.webhook_delivery(subscription_id, delivery_id),
            # The timer stays: if this sender dies, the retry job queues the next attempt once it is due.
            "SET #s = :sending, next_attempt = :after, claim_expires = :expires, timer_kind = :kind, due_at = :expires",
            condition="next_attempt = :attempt AND (#s IN (:pending, :retrying) OR (#s = :sending AND claim_expires < :now))",
            names={"#s": "status"},
            expression_values=values(
                sending="sending",
                pending="pending",
                retrying="retrying",
                attempt=attempt,
                after=attempt + 1,
                expires=clock.iso(now + CLAIM_EXPIRES),
                kind=RETRY,
                now=clock.iso(now),
            ),
        )
    except ConditionFailed:
        return None


def record_attempt(
    table: Table,
    delivery: Item,
    attempt: dict[str, Any],
    status: str,
    retry_at: datetime | None,
    failures: int,
) -> Item:
    """The claimed attempt's end: its record kept (the last ``ATTEMPTS_KEPT``), the delivery's new status,
    and its timer when it is to be tried again."""
    kept = [*delivery.get("attempts", []), attempt][-rules.ATTEMPTS_KEPT :]
    timer = "timer_kind = :kind, due_at = :due" if retry_at else None
    expression = "SET #s = :status, attempts = :attempts, failures = :failures, last_attempt_at = :at"
    expression += f", {timer}" if timer else " REMOVE timer_kind, due_at"
    named = {"status": status, "attempts": kept, "failures": failures, "at": attempt["at"]}
    if retry_at:
        named.update(kind=RETRY, due=clock.iso(retry_at))
    return table.update(
        delivery["pk"],
        delivery["sk"],
        expression,
        condition="#s = :sending AND next_attempt = :next",
        names={"#s": "status"},
        expression_values=values(**named, sending="sending", next=delivery["next_attempt"]),
    )


def settle_unsent(table: Table, delivery: Item, status: str, reason: str) -> None:
    """A claimed attempt that is not made (the subscription was paused or deleted)."""
    table.update(
        delivery["pk"],
        delivery["sk"],
        "SET #s = :status, reason = :reason REMOVE timer_kind, due_at",
        condition="#s = :sending",
        names={"#s": "status"},
        expression_values=values(status=status, reason=reason, sending="sending"),
    )


def postpone(table: Table, delivery: Item, until: datetime) -> bool:
    """Move a due delivery's timer on as its attempt is queued, so the next job run does not queue it again."""
    return table.update_if(
        delivery["pk"],
        delivery["sk"],
        "SET due_at = :until",
        condition="next_attempt = :next AND due_at = :due",
        expression_values=values(
            until=clock.iso(until), next=delivery["next_attempt"], due=delivery["due_at"]
        ),
    )


def replay(table: Table, subscription_id: str, delivery_id: str) -> Item:
    """Send a settled delivery again, same id and body, with a fresh retry schedule."""
    try:
        return table.update(
            *keys.webhook_delivery(subscription_id, delivery_id),
            "SET #s = :pending, failures = :zero, replays = if_not_exists(replays, :zero) + :one, "
            "timer_kind = :kind, due_at = :due",
            condition="attribute_exists(pk) AND #s IN (:delivered, :failed, :cancelled)",
            names={"#s": "status"},
            expression_values=values(
                pending="pending",
                zero=0,
                one=1,
                kind=RETRY,
                due=clock.iso(clock.now() + CLAIM_EXPIRES),
                delivered="delivered",
                failed="failed",
                cancelled="cancelled",
            ),
        )
    except ConditionFailed as found:
        if found.item is None:
            raise DeliveryNotFound(
                f"No delivery {delivery_id} for subscription {subscription_id}."
            ) from found
        raise DeliveryInProgress(
            "The delivery is still being tried; replay it once it has settled."
        ) from found
