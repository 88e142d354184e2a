"""Item keys of the single table: one place that knows how things are addressed."""

from __future__ import annotations

# Sort-key prefixes that other modules test items against (through the predicates below).
_CHANNEL, _SHIPMENT, _REFUND, _RETURN = "STOCK#", "SHIPMENT#", "REFUND#", "RETURN#"
_FEEDBACK = "FEEDBACK"
SHIPMENT_PREFIX = _SHIPMENT


def product(sku: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", "PRODUCT"


def pool(sku: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", "STOCK"


def channel(sku: str, name: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", f"{_CHANNEL}{name}"


def channel_of(item: dict[str, object]) -> str | None:
    """The channel a stock item caps, None for the pool and its shards."""
    sort_key = str(item["sk"])
    return sort_key.removeprefix(_CHANNEL) if sort_key.startswith(_CHANNEL) else None


def adjustment(sku: str, adjustment_id: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", f"ADJUSTMENT#{adjustment_id}"


def coupon(code: str) -> tuple[str, str]:
    return f"COUPON#{code}", "COUPON"


def coupon_use(code: str, customer_id: str) -> tuple[str, str]:
    return f"COUPON#{code}", f"USE#{customer_id}"


def customer(customer_id: str) -> tuple[str, str]:
    return f"CUSTOMER#{customer_id}", "PROFILE"


def order(order_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", "ORDER"


def is_shipment(item: dict[str, object]) -> bool:
    """One of the items under an order's partition that is a shipment (see :func:`shipment`)."""
    return str(item["sk"]).startswith(_SHIPMENT)


def is_refund(item: dict[str, object]) -> bool:
    return str(item["sk"]).startswith(_REFUND)


def is_return_parcel(item: dict[str, object]) -> bool:
    """A tracking index entry a buyer filed for a return parcel (see :func:`tracking`)."""
    return str(item["sk"]).startswith(_RETURN)


def customer_orders(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}#ORDERS"


def instant_refunds_day(customer_id: str, day: str) -> tuple[str, str]:
    """What a buyer was refunded instantly on ``day`` (YYYY-MM-DD): the daily limit's counter."""
    return customer(customer_id)[0], f"INSTANT#{day}"


def credit(customer_id: str, credit_id: str) -> tuple[str, str]:
    return customer(customer_id)[0], f"CREDIT#{credit_id}"


def credit_balance(customer_id: str, currency: str) -> tuple[str, str]:
    return customer(customer_id)[0], f"BALANCE#{currency}"


def carrier_stats(carrier: str, day: str) -> tuple[str, str]:
    """One carrier's counters of one day, filed under the month (a year's report reads 13 partitions)."""
    return f"CARRIER_STATS#{day[:7]}", f"{day}#{carrier}"


def carrier_stats_month(month: str) -> str:
    return f"CARRIER_STATS#{month}"


REPORT_STATS_PREFIX = "REPORT_STATS#"


def report_stats(dimension: str, day: str, key: str) -> tuple[str, str]:
    return f"{REPORT_STATS_PREFIX}{day[:7]}", f"{dimension}#{day}#{key}"


def notice(event_id: str) -> tuple[str, str]:
    """The notice sent for one domain event (claimed, then marked sent)."""
    return f"NOTICE#{event_id}", "NOTICE"


def key(pair: tuple[str, str]) -> dict[str, str]:
    return {"pk": pair[0], "sk": pair[1]}


def payment(payment_id: str) -> tuple[str, str]:
    """A provider's payment id, claimed by the one order it paid."""
    return f"PAYMENT#{payment_id}", "PAYMENT"


def return_request(return_id: str) -> tuple[str, str]:
    return f"RETURN#{return_id}", "RETURN"


def customer_returns(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}#RETURNS"


def refund(order_id: str, refund_id: str) -> tuple[str, str]:
    return order(order_id)[0], f"{_REFUND}{refund_id}"


def feedback(order_id: str) -> tuple[str, str]:
    """The buyer's one feedback on an order, beside the order (so it is read and archived with it)."""
    return order(order_id)[0], _FEEDBACK


def is_feedback(item: dict[str, object]) -> bool:
    return item["sk"] == _FEEDBACK


def shipment(order_id: str, shipment_id: str) -> tuple[str, str]:
    return order(order_id)[0], f"{_SHIPMENT}{shipment_id}"


def order_exception(order_id: str, exception_id: str) -> tuple[str, str]:
    return order(order_id)[0], f"EXCEPTION#{exception_id}"


def tracking(carrier: str, tracking_number: str, order_id: str | None = None) -> tuple[str, str]:
    """Where a tracking number points at its parcel. The merchant's shipment owns ``TRACKING``; a buyer's
    return parcel is filed under its own order (``RETURN#<order>``), so what a buyer types can neither
    block nor take over the merchant's number or another buyer's."""
    partition = f"TRACKING#{carrier}#{tracking_number}"
    return partition, ("TRACKING" if order_id is None else f"{_RETURN}{order_id}")


def webhook_receipt(source: str, event_id: str) -> tuple[str, str]:
    return f"WEBHOOK#{source}#{event_id}", "WEBHOOK"


# Outbound webhooks: every subscription in one small partition; each one's deliveries in its own.
WEBHOOK_SUBSCRIPTIONS = "WEBHOOK_SUBSCRIPTIONS"


def webhook_subscription(subscription_id: str) -> tuple[str, str]:
    return WEBHOOK_SUBSCRIPTIONS, subscription_id


def webhook_deliveries(subscription_id: str) -> str:
    return f"WEBHOOK_DELIVERIES#{subscription_id}"


def webhook_delivery(subscription_id: str, delivery_id: str) -> tuple[str, str]:
    return webhook_deliveries(subscription_id), delivery_id


def webhook_sequence(order_id: str) -> tuple[str, str]:
    """The last sequence number given to an event of the order (its partition, not the order's)."""
    return f"WEBHOOK_SEQUENCE#{order_id}", "SEQUENCE"


def webhook_event(event_id: str) -> tuple[str, str]:
    """The sequence number one event was given, so a redelivered event keeps it."""
    return f"WEBHOOK_EVENT#{event_id}", "SEQUENCE"


def inbox(customer_id: str) -> str:
    """A buyer's in-app inbox: one item per notice, newest last by sort key (``<sent_at>#<event_id>``),
    and per notice a marker under ``EVENT#<event_id>`` (after every notice's key) that finds it by id."""
    return f"INBOX#{customer_id}"


INBOX_MARKERS = "EVENT#"


def inbox_notice(customer_id: str, sent_at: str, event_id: str) -> tuple[str, str]:
    return inbox(customer_id), f"{sent_at}#{event_id}"


def inbox_marker(customer_id: str, event_id: str) -> tuple[str, str]:
    return inbox(customer_id), f"{INBOX_MARKERS}{event_id}"


def devices(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}#DEVICES"


def device(customer_id: str, device_id: str) -> tuple[str, str]:
    """One of a buyer's app installations, with its push endpoint."""
    return devices(customer_id), device_id
