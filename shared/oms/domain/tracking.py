"""Carrier tracking rules (物流配送与跟踪): what a shipment's status is, given everything the carrier said.

Carriers deliver events late, twice and out of order. The status is therefore a function of the *set* of
events, never of their arrival order: the event with the highest rank wins, ties broken by when it
happened (then by event id, so the answer is total). A late ``in_transit`` can never undo a ``delivered``,
and a shipment or an order never moves backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class CarrierStatus(StrEnum):
    info_received = "info_received"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    failed_attempt = "failed_attempt"
    exception = "exception"
    returned_to_sender = "returned_to_sender"
    lost = "lost"
    damaged = "damaged"


C = CarrierStatus
# A status the carrier wrote that is none of ours: kept on the history as written, it moves nothing.
UNMAPPED = "unmapped"
# How far along the parcel is. A hiccup (exception) ranks with in-transit and a failed attempt with
# out-for-delivery, so the next ordinary event of the same stage clears it; the end states rank highest,
# and delivered above lost or returned (a parcel found and delivered after all is delivered).
RANK: dict[CarrierStatus, int] = {
    C.info_received: 0,
    C.in_transit: 1,
    C.exception: 1,
    C.out_for_delivery: 2,
    C.failed_attempt: 2,
    C.damaged: 2,
    C.returned_to_sender: 3,
    C.lost: 3,
    C.delivered: 4,
}
# No further movement is expected: the stale-shipment timer stops.
TERMINAL = frozenset({C.delivered, C.lost, C.returned_to_sender})
# The news that ends a carrier's interception of a parcel: back with us, or delivered after all.
INTERCEPTION_ENDS = frozenset({C.returned_to_sender, C.delivered})

# Carrier statuses that open an exception on the order, and of which kind (API.md exception kinds).
EXCEPTION_KIND: dict[CarrierStatus, str] = {
    C.exception: "delayed",
    C.damaged: "damaged",
    C.lost: "lost",
    C.returned_to_sender: "refused",
    C.failed_attempt: "delayed",  # only on the second failed attempt, see exception_kind()
}
FAILED_ATTEMPTS_BEFORE_EXCEPTION = 2


def rank(status: str) -> int:
    return RANK[CarrierStatus(status)]


def ordered(history: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The history as the buyer reads it: by when things happened, not when we heard of them."""
    return sorted((dict(e) for e in history), key=lambda e: (e["occurred_at"], e["event_id"]))


def current_status(history: Iterable[Mapping[str, Any]], initial: str = C.info_received) -> str:
    """The status the set of events adds up to; ``initial`` when the carrier has said nothing yet."""
    best = max(
        (e for e in history if e["status"] in RANK),
        key=lambda e: (rank(e["status"]), e["occurred_at"], e["event_id"]),
        default=None,
    )
    return str(best["status"]) if best else initial


def failed_attempts(history: Iterable[Mapping[str, Any]]) -> int:
    return sum(1 for e in history if e["status"] == C.failed_attempt)


def exception_kind(
    status: str, history: Iterable[Mapping[str, Any]], intercepted_for: str | None = None
) -> str | None:
    """The exception an event opens, given the history that includes it (None: nothing to handle).

    A parcel brought back because we asked the carrier to (``intercepted_for`` a refund) is no refusal.
    A failed attempt is routine; the second one means the parcel is stuck and a person should act.
    Counting (not ordering) makes the answer the same whichever of the two arrives last.
    Once the parcel is known delivered, only damage still needs a person: a late word of a hiccup,
    a failed attempt or a loss from before the delivery is history, not a problem.
    """
    history = list(history)
    if intercepted_for and status == C.returned_to_sender:
        return None
    kind = EXCEPTION_KIND.get(CarrierStatus(status))
    if status == C.failed_attempt and failed_attempts(history) != FAILED_ATTEMPTS_BEFORE_EXCEPTION:
        return None
    if status != C.damaged and current_status(history) == C.delivered:
        return None
    return kind


def is_terminal(status: str) -> bool:
    return CarrierStatus(status) in TERMINAL


def order_delivered(shipment_statuses: Iterable[str]) -> bool:
    """An order is delivered when no parcel of it is still on its way and at least one arrived.

    Lost or returned parcels are settled through their exception (reship, refund), not by waiting.
    """
    statuses = list(shipment_statuses)
    return bool(statuses) and all(is_terminal(s) for s in statuses) and C.delivered in statuses
