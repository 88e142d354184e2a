"""The domain events the service publishes: one model each, versioned, built here and nowhere else.

The class name is the event's ``detail-type`` on the bus; its fields are the ``detail`` (beside the
envelope :mod:`oms.events` adds: ``event_id``, ``occurred_at``, ``correlation_id``) with
``schema_version``. A field that is absent in some events of a type is left out of the detail rather than
sent as null, so consumers read the same JSON they always did. :func:`json_schemas` is what the
published contracts are generated from.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

Item = dict[str, Any]
# What :mod:`oms.events` stamps on every detail; not part of an event's own model.
ENVELOPE = frozenset({"event_id", "occurred_at", "correlation_id", "schema_version"})


class DomainEvent(BaseModel):
    # Built on first use, not at import: a function publishes or receives a few of these types, and
    # building all of them took about 12 ms of CPU time at every cold start (docs/deploy.md "Cold start").
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    # Raised when a field changes meaning or goes away; a new optional field keeps the version.
    version: ClassVar[int] = 1

    order_id: str
    customer_id: str

    @classmethod
    def detail_type(cls) -> str:
        return cls.__name__

    def detail(self) -> dict[str, Any]:
        return {"schema_version": self.version, **self.model_dump(mode="json", exclude_unset=True)}


# ------------------------------------------------------------------------------------------- orders


class OrderPlaced(DomainEvent):
    total: int


class OrderPaid(DomainEvent):
    amount: int
    review: list[str]


class DepositPaid(DomainEvent):
    """A presale's deposit is paid; the balance is due within its window."""

    amount: int
    balance: int
    balance_opens_at: str
    balance_closes_at: str


class PresaleBalanceDue(DomainEvent):
    """A presale's balance window has opened (``open``), or closes within a day (``closing``)."""

    stage: str
    balance: int
    balance_closes_at: str


class OrderApproved(DomainEvent):
    pass


class OrderCancelled(DomainEvent):
    reason: str


class PaymentFailed(DomainEvent):
    payment_due_at: str | None


class OrderShipped(DomainEvent):
    shipment_id: str
    carrier: str
    tracking_number: str
    complete: bool
    reship: bool | None = None
    exception_id: str | None = None

    @classmethod
    def of(cls, order: Item, shipment: Item, *, complete: bool, **fields: Any) -> OrderShipped:
        return cls(
            order_id=order["id"],
            customer_id=order["customer_id"],
            shipment_id=shipment["id"],
            carrier=shipment["carrier"],
            tracking_number=shipment["tracking_number"],
            complete=complete,
            **fields,
        )


class OrderDelivered(DomainEvent):
    shipment_id: str


class OrderCompleted(DomainEvent):
    how: str


class OrderException(DomainEvent):
    """An exception opened on an order (a stale parcel, a payment mismatch, a failed refund …)."""

    exception_id: str
    kind: str
    shipment_id: str | None = None

    @classmethod
    def opened(cls, order: Item, exception: Item, shipment: Item | None = None) -> OrderException:
        extra = {"shipment_id": shipment["id"]} if shipment is not None else {}
        return cls(
            order_id=order["id"],
            customer_id=order["customer_id"],
            exception_id=exception["id"],
            kind=exception["kind"],
            **extra,
        )


class OrderExceptionResolved(DomainEvent):
    exception_id: str
    kind: str | None
    action: str

    @classmethod
    def of(cls, order: Item, exception: Item, action: str) -> OrderExceptionResolved:
        return cls(
            order_id=order["id"],
            customer_id=order["customer_id"],
            exception_id=exception["id"],
            kind=exception.get("kind"),
            action=action,
        )


class SlaBreached(DomainEvent):
    subject_id: str
    kind: str
    deadline: str | None


class FeedbackGiven(DomainEvent):
    """The buyer rated a completed order; an edit carries what it replaces (``previous_*``)."""

    rating: int
    tags: list[str]
    skus: list[str]
    carriers: list[str]
    previous_rating: int | None = None
    previous_tags: list[str] | None = None


class OrderEdited(DomainEvent):
    """An edit before shipment: ``applied`` (at once), ``awaiting_balance`` (a higher total to pay by
    ``balance_due_at``), then ``balance_paid`` (it applied) or ``lapsed`` (the order is as it was)."""

    edit_id: str
    state: str
    total: int
    difference: int
    balance_due_at: str | None = None

    @classmethod
    def of(cls, order: Item, edit: Item, state: str) -> OrderEdited:
        return cls(
            order_id=order["id"],
            customer_id=order["customer_id"],
            edit_id=edit["id"],
            state=state,
            total=edit["total"],
            difference=edit["difference"],
            balance_due_at=edit.get("due_at"),
        )


# ------------------------------------------------------------------------------------------ refunds


class RefundRequested(DomainEvent):
    refund_id: str
    amount: int

    @classmethod
    def of(cls, refund: Item, **fields: Any) -> Any:
        return cls(
            order_id=refund["order_id"],
            customer_id=refund["customer_id"],
            refund_id=refund["id"],
            amount=refund["amount"],
            **fields,
        )


class RefundIssued(RefundRequested):
    return_id: str | None = None
    reason: str | None = None  # why it was refunded: return, cancellation, instant_return, …


# ------------------------------------------------------------------------------------------ returns


class ReturnEvent(DomainEvent):
    """An event about one return: its order, the return and the buyer."""

    return_id: str

    @classmethod
    def about(cls, item: Item, **fields: Any) -> Any:
        return cls(order_id=item["order_id"], customer_id=item["customer_id"], return_id=item["id"], **fields)


class ReturnRequested(ReturnEvent):
    reason: str


class ReturnApproved(ReturnEvent):
    pass


class ReturnLapsed(ReturnEvent):
    pass


class ReturnMessage(ReturnEvent):
    pass


class ReturnRejected(ReturnEvent):
    alternative: str


class ReturnClosed(ReturnEvent):
    outcome: str


class ReturnDisputed(ReturnEvent):
    disputed: Any


class ReturnStatusEvent(ReturnEvent):
    """A return that moved, with the status it moved to."""

    status: str

    @classmethod
    def moved(cls, item: Item) -> Any:
        return cls.about(item, status=item["status"])


class ReturnCancelled(ReturnStatusEvent):
    pass


class ReturnIntercepting(ReturnStatusEvent):
    """Refund only: the carrier took the instruction to bring the buyer's parcel back."""


class ReturnInterceptionFailed(ReturnEvent):
    """Refund only: the carrier refused to stop the parcel, or delivered it after all; staff decide."""


class ReturnReceived(ReturnStatusEvent):
    pass


class ReturnInspected(ReturnStatusEvent):
    pass


class ExchangeUpdated(ReturnEvent):
    """An exchange moved on: ``approved`` (the replacement reserved; a difference the buyer owes is due by
    ``payment_due_at``), ``released`` (the return parcel is with the carrier: the replacement ships) or
    ``cancelled`` (the difference was not paid in time; the replacement's stock went back)."""

    state: str
    replacement_order_id: str
    difference: int
    ships: str | None = None  # at_approval, at_first_scan
    payment_due_at: str | None = None

    @classmethod
    def of(cls, item: Item, state: str) -> ExchangeUpdated:
        exchange = item["exchange"]
        return cls.about(
            item,
            state=state,
            replacement_order_id=exchange["replacement_order_id"],
            difference=int(exchange["difference"]),
            ships=exchange.get("ships"),
            payment_due_at=exchange.get("payment_due_at"),
        )


# The events that go on the bus (the bases above are not events of their own).
_BASES = (DomainEvent, ReturnEvent, ReturnStatusEvent)
CATALOGUE: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        OrderPlaced,
        OrderPaid,
        DepositPaid,
        PresaleBalanceDue,
        OrderApproved,
        OrderCancelled,
        PaymentFailed,
        OrderShipped,
        OrderDelivered,
        OrderCompleted,
        OrderException,
        OrderExceptionResolved,
        SlaBreached,
        FeedbackGiven,
        OrderEdited,
        RefundRequested,
        RefundIssued,
        ReturnRequested,
        ReturnApproved,
        ReturnLapsed,
        ReturnMessage,
        ReturnRejected,
        ReturnClosed,
        ReturnDisputed,
        ReturnCancelled,
        ReturnReceived,
        ReturnInspected,
        ReturnIntercepting,
        ReturnInterceptionFailed,
        ExchangeUpdated,
    )
}

# The name the systems around the service know each event by (outbound webhooks' ``type``, the AsyncAPI
# document's messages): stable, dotted, lower case; the bus keeps the class name as its detail-type.
PUBLIC_NAMES: dict[str, str] = {
    "OrderPlaced": "order.placed",
    "OrderPaid": "order.paid",
    "DepositPaid": "order.deposit_paid",
    "PresaleBalanceDue": "order.balance_due",
    "OrderApproved": "order.approved",
    "OrderCancelled": "order.cancelled",
    "PaymentFailed": "payment.failed",
    "OrderShipped": "order.shipped",
    "OrderDelivered": "order.delivered",
    "OrderCompleted": "order.completed",
    "OrderException": "order.exception_opened",
    "OrderExceptionResolved": "order.exception_resolved",
    "SlaBreached": "sla.breached",
    "FeedbackGiven": "order.feedback_given",
    "OrderEdited": "order.edited",
    "RefundRequested": "refund.requested",
    "RefundIssued": "refund.succeeded",
    "ReturnRequested": "return.requested",
    "ReturnApproved": "return.approved",
    "ReturnLapsed": "return.lapsed",
    "ReturnMessage": "return.message",
    "ReturnRejected": "return.rejected",
    "ReturnClosed": "return.closed",
    "ReturnDisputed": "return.disputed",
    "ReturnCancelled": "return.cancelled",
    "ReturnReceived": "return.received",
    "ReturnInspected": "return.inspected",
    "ReturnIntercepting": "return.intercepting",
    "ReturnInterceptionFailed": "return.interception_failed",
    "ExchangeUpdated": "return.exchange_updated",
}


def parse(detail_type: str, detail: dict[str, Any]) -> DomainEvent | None:
    """The event a consumer received, checked against its model; None for a type not in the catalogue
    (another publisher's, or a newer one: a consumer skips what it does not know)."""
    model = CATALOGUE.get(detail_type)
    if model is None:
        return None
    return model.model_validate({k: v for k, v in detail.items() if k not in ENVELOPE})


def json_schemas() -> dict[str, dict[str, Any]]:
    """Each event's detail as JSON Schema, envelope included, keyed by detail-type."""
    envelope = {
        "event_id": {"type": "string"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "correlation_id": {"type": "string"},
    }
    schemas = {}
    for name, model in CATALOGUE.items():
        schema = model.model_json_schema()
        schema["properties"] = {
            "schema_version": {"const": model.version},
            **envelope,
            **schema["properties"],
        }
        schema["required"] = ["schema_version", "event_id", "occurred_at", *schema.get("required", [])]
        schema["additionalProperties"] = False
        schemas[name] = schema
    return schemas
