"""Lambda's failure semantics on the local stack: an environment that dies or times out mid-invocation
fails that invocation, and the caller's retry policy decides what happens next — SQS redelivers to the
tracking step, the place-order workflow's ``Retry`` runs the step again — with nothing lost or applied
twice; a notice whose attempt timed out holding its claim is still sent, once."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator

import pytest
from oms_local.runtime.environments import CallFault
from oms_local.testing import StackClient

from tests.e2e.shop import inventory, ok, order_body, orders_of, place, product
from tests.e2e.test_tracking_http import carrier_event, local_now, order_as_buyer, paid_order, ship, tell


@contextlib.contextmanager
def timeout_of(stack: StackClient, function: str, seconds: int) -> Iterator[None]:
    """The function deployed with another ``Timeout`` for a while (its environments are replaced)."""
    functions = stack.cloud.template.functions
    original = functions[function]
    functions[function] = dataclasses.replace(original, timeout_seconds=seconds)
    try:
        yield
    finally:
        functions[function] = original


def faults(stack: StackClient, fault: CallFault) -> contextlib.AbstractContextManager[CallFault]:
    runtime = stack.cloud.functions.runtime
    assert runtime is not None, "the local stack runs functions in worker processes"
    return runtime.settings.faults.plan(fault)


@pytest.mark.parametrize("call", [1, 2, 3])
def test_a_tracking_step_that_dies_mid_batch_is_redelivered_and_applied_once(
    stack: StackClient, call: int
) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    number = ship(stack, order)
    delivered = carrier_event(number, "delivered", local_now(stack), "sf_once")
    with faults(stack, CallFault("TrackShipmentFunction", call=call, kind="crash")) as fault:
        assert tell(stack, delivered).status == 202
        assert stack.idle(timeout=60)
    assert fault.hits == 1
    seen = order_as_buyer(stack, order)
    assert seen["status"] == "delivered"
    assert [h["event_id"] for h in seen["shipments"][0]["history"]] == ["sf_once"]


def test_a_tracking_step_past_its_timeout_is_redelivered_and_applied_once(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = paid_order(stack, (tea, 1, 3900))
    number = ship(stack, order)
    with (
        timeout_of(stack, "TrackShipmentFunction", 1),
        faults(stack, CallFault("TrackShipmentFunction", call=2, kind="stall", seconds=1.5)) as fault,
    ):
        assert tell(stack, carrier_event(number, "delivered", local_now(stack), "sf_late")).status == 202
        assert stack.idle(timeout=60)
    assert fault.hits == 1
    seen = order_as_buyer(stack, order)
    assert seen["status"] == "delivered"
    assert [h["event_id"] for h in seen["shipments"][0]["history"]] == ["sf_late"]


@pytest.mark.parametrize(("call", "kind"), [(1, "crash"), (0, "crash_before_reply")])
def test_a_reserve_step_that_dies_is_retried_by_the_workflow_and_reserves_once(
    stack: StackClient, call: int, kind: str
) -> None:
    tea = product(stack, 5)
    with faults(stack, CallFault("ReserveStockFunction", call=call, kind=kind)) as fault:
        placed = ok(place(stack, order_body((tea, 2, 3900)), "cus_crash"), 201)
    assert fault.hits == 1
    assert placed["status"] == "pending_payment"
    assert stack.idle()
    counts = inventory(stack, tea)
    assert (counts["on_hand"], counts["reserved"]) == (5, 2)
    assert [o["id"] for o in orders_of(stack, "cus_crash")] == [placed["id"]]


def test_a_notice_whose_attempt_timed_out_holding_its_claim_is_sent_once_by_the_redelivery(
    stack: StackClient,
) -> None:
    """The attempt claims the event (AWS call 1) and times out before sending: its claim lapses with the
    invocation, so the redelivery a moment later sends the notice, once, and nothing is dead-lettered."""
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    tea = product(stack, 5)
    with (
        # Long enough that the redelivery, in a new environment on a loaded machine, finishes in time.
        timeout_of(stack, "NotifyFunction", 5),
        faults(stack, CallFault("NotifyFunction", call=2, kind="stall", seconds=6)) as fault,
    ):
        placed = ok(place(stack, order_body((tea, 1, 3900)), buyer), 201)
        assert stack.idle(timeout=60)
    assert fault.hits == 1
    inbox = ok(stack.request("GET", "/v1/me/inbox", token=stack.customer_token(buyer)))
    assert [(n["type"], n["order_id"]) for n in inbox["items"]] == [("OrderPlaced", placed["id"])]
    texts = [n for n in stack.notifications() if n["channel"] == "sms" and placed["id"] in n["body"]]
    assert len(texts) == 1
    sqs = stack.cloud.client("sqs")
    dead = sqs.get_queue_attributes(
        QueueUrl=stack.cloud.queue_url("NotifyDeadLetterQueue"),
        AttributeNames=["ApproximateNumberOfMessages"],
    )["Attributes"]
    assert dead["ApproximateNumberOfMessages"] == "0"
