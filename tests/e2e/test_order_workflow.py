"""The order-lifecycle Standard workflow follows each order: started once, resumed as the order moves."""

from __future__ import annotations

from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import ok, order_body, place, product
from tests.e2e.test_payments_http import pay_event


def execution(stack: StackClient, item_id: str, machine_name: str = "order-lifecycle") -> dict[str, Any]:
    sfn = stack.cloud.client("stepfunctions")
    machine = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"].endswith(machine_name))
    arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{item_id}"
    described = sfn.describe_execution(executionArn=arn)
    history = sfn.get_execution_history(executionArn=arn)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    return {"status": described["status"], "entered": entered}


def test_the_workflow_waits_for_payment_then_for_shipment(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900))), 201)
    assert stack.idle()
    started = execution(stack, order["id"])
    assert started["status"] == "RUNNING"
    assert started["entered"] == ["AwaitPayment"]

    ok(stack.webhook("/v1/webhooks/payments", pay_event(order)))
    assert stack.idle()
    assert execution(stack, order["id"])["entered"] == ["AwaitPayment", "AfterPayment", "AwaitShipment"]


def test_a_cancelled_order_ends_its_workflow(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900)), "cus_wf"), 201)
    assert stack.idle()
    ok(stack.request("POST", f"/v1/orders/{order['id']}/cancel", token=stack.customer_token("cus_wf")))
    assert stack.idle()
    ended = execution(stack, order["id"])
    assert ended["status"] == "SUCCEEDED"
    assert ended["entered"][-1] == "Cancelled"
