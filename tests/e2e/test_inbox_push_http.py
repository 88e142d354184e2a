"""The buyer's inbox, notice preferences and app push over HTTP: every notice lands in the inbox; e-mail,
SMS and push carry the kinds the buyer chose; push goes to the registered installations through SNS mobile
push in APNs' and FCM's formats."""

from __future__ import annotations

import json
import uuid
from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import ok, order_body, pay, place, product, ship


def _me(stack: StackClient, buyer: str, method: str, path: str, body: Any = None) -> Any:
    return stack.request(method, f"/v1/me/{path}", json=body, token=stack.customer_token(buyer))


def _pushes(stack: StackClient, token: str) -> list[dict[str, Any]]:
    return [n for n in stack.notifications() if n["channel"] == "push" and n.get("token") == token]


def test_notices_reach_the_inbox_and_the_channels_the_buyer_chose(stack: StackClient) -> None:
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    email = f"{buyer}@shop.example"
    profile = {"tier": "standard", "locale": "en", "email": email}
    ok(stack.request("PUT", f"/v1/admin/customers/{buyer}", json=profile, token=stack.admin_token()))
    token = f"apns{uuid.uuid4().hex}"
    device = ok(_me(stack, buyer, "PUT", "devices/iphone-1", {"platform": "apns", "token": token}))
    assert device == {**device, "id": "iphone-1", "platform": "apns"} and "endpoint_arn" not in device
    chosen = {"email": ["refunds"], "sms": [], "push": ["shipping"]}
    assert ok(_me(stack, buyer, "PUT", "notification-preferences", chosen)) == chosen

    tea = product(stack, 5, price=3900)
    order = ok(place(stack, order_body((tea, 1, 3900)), buyer), 201)
    pay(stack, order)
    ship(stack, order)
    assert stack.idle()

    inbox = ok(_me(stack, buyer, "GET", "inbox"))
    assert [n["type"] for n in inbox["items"]] == ["OrderShipped", "OrderPaid", "OrderPlaced"]
    assert inbox["unread"] == 3 and all(n["order_id"] == order["id"] for n in inbox["items"])
    assert {n["kind"] for n in inbox["items"]} == {"orders", "shipping"}
    # Push: only the shipping notice, in both platforms' formats, naming the order.
    (pushed,) = _pushes(stack, token)
    message = json.loads(pushed["body"])
    apns = json.loads(message["APNS"])
    assert apns["aps"]["alert"]["title"] == inbox["items"][0]["subject"]
    assert apns["order_id"] == order["id"]
    assert json.loads(message["GCM"])["notification"]["title"] == inbox["items"][0]["subject"]
    # E-mail carries refunds only: none of these.
    assert not [n for n in stack.notifications() if n["channel"] == "email" and email in n.get("to", "")]

    # Read once or twice: the same; paging with a cursor; no one else's notice.
    shipped = inbox["items"][0]
    read = ok(_me(stack, buyer, "POST", f"inbox/{shipped['id']}/read"))
    again = ok(_me(stack, buyer, "POST", f"inbox/{shipped['id']}/read"))
    assert read["read"] is True and again["read_at"] == read["read_at"]
    assert ok(_me(stack, buyer, "GET", "inbox"))["unread"] == 2
    unread = ok(_me(stack, buyer, "GET", "inbox?unread=true"))["items"]
    assert [n["type"] for n in unread] == ["OrderPaid", "OrderPlaced"]
    first = ok(_me(stack, buyer, "GET", "inbox?limit=2"))
    rest = ok(_me(stack, buyer, "GET", f"inbox?limit=2&cursor={first['next_cursor']}"))
    assert [n["id"] for n in first["items"] + rest["items"]] == [n["id"] for n in inbox["items"]]
    stranger = _me(stack, f"cus_{uuid.uuid4().hex[:8]}", "POST", f"inbox/{shipped['id']}/read")
    assert (stranger.status, stranger.json()["code"]) == (404, "notice_not_found")
    forged = _me(stack, buyer, "GET", "inbox?cursor=eyJwayI6IHsiUyI6ICJJTkJPWCNjdXNfb3RoZXIifX0")
    assert (forged.status, forged.json()["code"]) == (400, "invalid_cursor")


def test_a_removed_installation_gets_no_more_push(stack: StackClient) -> None:
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    token = f"fcm{uuid.uuid4().hex}"
    ok(_me(stack, buyer, "PUT", "devices/pixel-1", {"platform": "fcm", "token": token}))
    assert [d["id"] for d in ok(_me(stack, buyer, "GET", "devices"))["devices"]] == ["pixel-1"]
    tea = product(stack, 5, price=3900)
    ok(place(stack, order_body((tea, 1, 3900)), buyer), 201)
    assert stack.idle()
    assert len(_pushes(stack, token)) == 1  # every kind is on until the buyer chooses
    removed = _me(stack, buyer, "DELETE", "devices/pixel-1")
    assert removed.status == 204
    assert ok(_me(stack, buyer, "GET", "devices"))["devices"] == []
    ok(place(stack, order_body((tea, 1, 3900)), buyer), 201)
    assert stack.idle()
    assert ok(_me(stack, buyer, "GET", "inbox"))["unread"] == 2, "the inbox still keeps every notice"
    assert _pushes(stack, token) == [], "the endpoint went with the installation"


def test_bad_preferences_and_devices_are_refused_and_change_nothing(stack: StackClient) -> None:
    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    for body in ({"push": ["gossip"]}, {"fax": []}, {"email": "orders"}):
        answer = _me(stack, buyer, "PUT", "notification-preferences", body)
        assert answer.status == 422 and answer.json()["code"] == "validation_failed", body
    assert ok(_me(stack, buyer, "GET", "notification-preferences"))["push"] == [
        "orders",
        "shipping",
        "returns",
        "refunds",
    ]
    for body in ({"platform": "blackberry", "token": "abcdefgh"}, {"platform": "apns", "token": "<script>"}):
        answer = _me(stack, buyer, "PUT", "devices/d1", body)
        assert answer.status == 422, body
    assert ok(_me(stack, buyer, "GET", "devices"))["devices"] == []
