"""The carrier aggregators' own pushes over HTTP on the local stack: a Kuaidi100 ``param``/``sign`` push,
an AfterShip webhook and an EasyPost ``tracker.updated`` each move a shipment to delivered; a replay is a
duplicate, a forgery or a malformed push a 4xx in the aggregator's shape that changes nothing, and a parcel
that is not ours is acknowledged and recorded nowhere."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from oms import clock
from oms_local.testing import Response, StackClient

from tests.carrier_notices import (
    FORM,
    aftership_body,
    aftership_headers,
    easypost_body,
    easypost_headers,
    kuaidi100_form,
    kuaidi100_param,
)
from tests.e2e.shop import ok, order_body, pay, place, product, ship

BEIJING = timezone(timedelta(hours=8))
KUAIDI100 = "/v1/webhooks/carriers/kuaidi100"
AFTERSHIP = "/v1/webhooks/carriers/aftership"
EASYPOST = "/v1/webhooks/carriers/easypost"


def shipped(stack: StackClient, customer: str = "cus_aggregators") -> tuple[dict[str, Any], str]:
    order = ok(place(stack, order_body((product(stack, 5), 1, 3900)), customer), 201)
    pay(stack, order)
    return dict(order), ship(stack, order)


def as_buyer(stack: StackClient, order: dict[str, Any], customer: str = "cus_aggregators") -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(customer))))


def beijing_now() -> str:
    return (clock.now() + timedelta(minutes=1)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def iso_now() -> str:
    return (clock.now() + timedelta(minutes=1)).isoformat()


def kuaidi100(stack: StackClient, number: str, state: str, salt: str | None = None) -> Response:
    form = kuaidi100_form(
        kuaidi100_param("shunfeng", number, state, when=beijing_now()), **({"salt": salt} if salt else {})
    )
    return stack.request("POST", KUAIDI100, body=form, headers=FORM)


def test_a_kuaidi100_push_moves_the_shipment_to_delivered_once(stack: StackClient) -> None:
    order, number = shipped(stack)
    forged = kuaidi100(stack, number, "3", salt="not-our-salt")
    assert forged.status == 401
    assert forged.json() == {
        "result": False,
        "returnCode": "401",
        "message": forged.json()["message"],
        "error": "invalid_signature",
    }
    assert stack.idle()
    assert as_buyer(stack, order)["status"] == "shipped"

    param = kuaidi100_param("shunfeng", number, "3", when=beijing_now())
    for _ in range(2):  # Kuaidi100 pushes again when unsure we heard: applied once
        answer = stack.request("POST", KUAIDI100, body=kuaidi100_form(param), headers=FORM)
        assert (answer.status, answer.json()) == (
            200,
            {"result": True, "returnCode": "200", "message": "成功"},
        )
        assert stack.idle()
    delivered = as_buyer(stack, order)
    assert delivered["status"] == "delivered"
    [parcel] = delivered["shipments"]
    assert parcel["status"] == "delivered"
    assert [(e["status"], e.get("carrier_status")) for e in parcel["history"]] == [("delivered", "3 签收")]


def test_an_aftership_webhook_moves_the_shipment_to_delivered_and_keeps_unknown_tags(
    stack: StackClient,
) -> None:
    order, number = shipped(stack)
    pending = aftership_body("sf-express", number, "Pending", when=iso_now())
    assert (
        ok(stack.request("POST", AFTERSHIP, body=pending, headers=aftership_headers(pending)))["outcome"]
        == "queued"
    )
    body = aftership_body(
        "sf-express", number, "Delivered", when=(clock.now() + timedelta(minutes=2)).isoformat()
    )
    forged = stack.request("POST", AFTERSHIP, body=body, headers=aftership_headers(body, secret="not-ours"))
    assert forged.status == 401 and forged.json()["code"] == "invalid_signature"
    first = ok(stack.request("POST", AFTERSHIP, body=body, headers=aftership_headers(body)))
    assert first["outcome"] == "queued"
    assert stack.idle()
    again = ok(stack.request("POST", AFTERSHIP, body=body, headers=aftership_headers(body)))
    assert (again["outcome"], again["event_id"]) == ("duplicate", first["event_id"])
    delivered = as_buyer(stack, order)
    assert delivered["status"] == "delivered"
    [parcel] = delivered["shipments"]
    assert [(e["status"], e.get("carrier_status")) for e in parcel["history"]] == [
        ("unmapped", "Pending_001"),  # none of ours: on the history as AfterShip wrote it, moving nothing
        ("delivered", "Delivered_001"),
    ]


def test_an_easypost_tracker_update_moves_the_shipment_to_delivered(stack: StackClient) -> None:
    order, number = shipped(stack)
    body = easypost_body("SFExpress", number, "delivered")
    assert (
        ok(stack.request("POST", EASYPOST, body=body, headers=easypost_headers(body)))["outcome"] == "queued"
    )
    assert stack.idle()
    assert as_buyer(stack, order)["status"] == "delivered"
    other = easypost_body("SFExpress", number, "delivered", description="batch.created")
    assert (
        ok(stack.request("POST", EASYPOST, body=other, headers=easypost_headers(other)))["outcome"]
        == "ignored"
    )


def test_bad_or_foreign_pushes_change_nothing(stack: StackClient) -> None:
    order, number = shipped(stack)
    # Not ours: acknowledged (the aggregator stops pushing), recorded nowhere.
    foreign = kuaidi100_form(kuaidi100_param("shunfeng", "SF0000000000", "3", when=beijing_now()))
    assert stack.request("POST", KUAIDI100, body=foreign, headers=FORM).json()["result"] is True
    ups = aftership_body("ups", number, "Delivered", when=iso_now())
    assert (
        ok(stack.request("POST", AFTERSHIP, body=ups, headers=aftership_headers(ups)))["outcome"]
        == "not_ours"
    )
    # Malformed, though signed: 400 in each one's shape.
    broken = kuaidi100_form("{not json")
    answer = stack.request("POST", KUAIDI100, body=broken, headers=FORM)
    assert (answer.status, answer.json()["result"], answer.json()["error"]) == (
        400,
        False,
        "malformed_notice",
    )
    bad = '{"event": "tracking_update"}'
    answer = stack.request("POST", AFTERSHIP, body=bad, headers=aftership_headers(bad))
    assert (answer.status, answer.json()["code"]) == (400, "malformed_notice")
    bad = '{"id": "evt_1", "description": "tracker.updated", "result": {"object": "Tracker"}}'
    answer = stack.request("POST", EASYPOST, body=bad, headers=easypost_headers(bad))
    assert (answer.status, answer.json()["code"]) == (400, "malformed_notice")
    unsigned = easypost_body("SFExpress", number, "delivered")
    answer = stack.request("POST", EASYPOST, body=unsigned, headers={"Content-Type": "application/json"})
    assert (answer.status, answer.json()["code"]) == (401, "invalid_signature")
    assert stack.idle()
    unchanged = as_buyer(stack, order)
    assert unchanged["status"] == "shipped" and unchanged["shipments"][0]["history"] == []
