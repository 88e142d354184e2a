"""Outbound webhooks over HTTP on the local stack: subscribers on this machine receive the events they
asked for, each verified with the Standard Webhooks reference library (PyPI ``standardwebhooks``) against
its secret; failed deliveries are retried with the same ``webhook-id`` as the clock moves, and stop after a
2xx; a subscriber failing for three days is paused and its owner told; a URL that leads inside is refused."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from oms.domain import webhooks as rules
from oms_local.testing import StackClient
from standardwebhooks.webhooks import Webhook

from tests.e2e.shop import delivered_order, ok, order_body, pay, place, product
from tests.e2e.test_returns_http import ask, inspect, send_back
from tests.webhook_subscriber import Subscriber

STORY_TYPES = ["order.placed", "order.paid", "order.shipped", "return.requested", "refund.succeeded"]


@pytest.fixture
def subscribers() -> Iterator[list[Subscriber]]:
    made: list[Subscriber] = []
    yield made
    for subscriber in made:
        subscriber.close()


def subscribe(stack: StackClient, url: str, types: list[str], **fields: Any) -> dict[str, Any]:
    body = {"url": url, "event_types": types, **fields}
    return dict(ok(stack.request("POST", "/v1/admin/webhooks", json=body, token=stack.admin_token()), 201))


def deliveries(stack: StackClient, subscription_id: str) -> list[dict[str, Any]]:
    path = f"/v1/admin/webhooks/{subscription_id}/deliveries"
    return list(ok(stack.request("GET", path, token=stack.admin_token()))["deliveries"])


def test_a_story_reaches_each_subscriber_signed_once_per_event_and_only_what_it_asked_for(
    stack: StackClient, subscribers: list[Subscriber]
) -> None:
    everything, shipping = Subscriber(), Subscriber()
    subscribers += [everything, shipping]
    all_of_it = subscribe(stack, everything.url, STORY_TYPES, description="ERP")
    ships = subscribe(stack, shipping.url, ["order.shipped"], description="warehouse")
    assert all_of_it["secret"].startswith("whsec_") and all_of_it["secret"] != ships["secret"]
    listed = ok(stack.request("GET", "/v1/admin/webhooks", token=stack.admin_token()))["subscriptions"]
    assert {s["id"] for s in listed} == {all_of_it["id"], ships["id"]}
    assert all("secret" not in s and "secrets" not in s for s in listed), "a secret is shown once only"

    buyer = f"cus_{uuid.uuid4().hex[:8]}"
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    item = ok(ask(stack, buyer, order, "no_reason", (shirt, 1)), 201)
    send_back(stack, buyer, item)
    inspect(stack, item, (shirt, 1, "resellable"))
    assert stack.idle()

    got = everything.verified(all_of_it["secret"])
    assert sorted(m["type"] for m in got) == sorted(STORY_TYPES)
    assert all(m["data"]["order_id"] == order["id"] for m in got)
    assert len({m["webhook_id"] for m in got}) == len(got), "one delivery per event"
    # Numbered per order: every event anyone heard of once, the return's after the order's.
    by_type = {m["type"]: m["sequence"] for m in got}
    assert sorted(by_type.values()) == [1, 2, 3, 4, 5]
    assert (by_type["return.requested"], by_type["refund.succeeded"]) == (4, 5)
    refund = next(m for m in got if m["type"] == "refund.succeeded")
    assert refund["data"]["amount"] == 12900 and refund["data"]["return_id"] == item["id"]
    placed = next(m for m in got if m["type"] == "order.placed")
    assert placed["data"]["schema_version"] == 1 and placed["data"]["event_id"]

    # Each body and its headers fit the webhook message the AsyncAPI document publishes for its type.
    channel = ok(stack.request("GET", "/asyncapi.json"))["channels"]["webhooks"]["messages"]
    published = {m["name"]: m for m in channel.values()}
    for headers, body in everything.received:
        message = published[json.loads(body)["type"]]
        jsonschema.validate(json.loads(body), message["payload"]["schema"], cls=jsonschema.Draft7Validator)
        jsonschema.validate(headers, message["headers"], cls=jsonschema.Draft7Validator)

    shipped = shipping.verified(ships["secret"])
    assert [m["type"] for m in shipped] == ["order.shipped"]
    # The other subscriber's secret does not verify this one's deliveries.
    with pytest.raises(Exception, match="No matching signature"):
        shipping.verified(all_of_it["secret"])
    assert all(d["status"] == "delivered" for d in deliveries(stack, all_of_it["id"]))


def test_a_failing_subscriber_gets_the_same_message_again_until_a_2xx_then_never(
    stack: StackClient, subscribers: list[Subscriber]
) -> None:
    flaky = Subscriber(answers=[500, 500])
    subscribers.append(flaky)
    subscription = subscribe(stack, flaky.url, ["order.placed"])
    shirt = product(stack, 5, price=12900)
    order = ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    assert stack.idle()
    assert len(flaky.received) == 1
    (first,) = deliveries(stack, subscription["id"])
    assert first["status"] == "retrying" and first["attempts"][0]["status_code"] == 500

    stack.run_schedule("retry-webhooks")  # not due yet: nothing is sent
    assert stack.idle() and len(flaky.received) == 1
    for wait in (10, 6 * 60):  # past the first retry delay (5 s), then past the second (5 min)
        stack.advance(wait)
        ok(stack.run_schedule("retry-webhooks"))
        assert stack.idle()
    assert len(flaky.received) == 3
    ids = {headers["webhook-id"] for headers, _ in flaky.received}
    assert len(ids) == 1, "every attempt carries the same webhook-id"
    assert {body for _, body in flaky.received} == {flaky.received[0][1]}, "byte for byte the same body"
    assert flaky.verified(subscription["secret"])[0]["data"]["order_id"] == order["id"]

    (done,) = deliveries(stack, subscription["id"])
    assert done["status"] == "delivered"
    assert [a.get("status_code") for a in done["attempts"]] == [500, 500, 204]
    assert all(a["latency_ms"] >= 0 for a in done["attempts"])

    stack.advance(2 * 24 * 3600)  # delivered: no later run sends it again
    ok(stack.run_schedule("retry-webhooks"))
    assert stack.idle() and len(flaky.received) == 3

    # Replayed by hand: the same webhook-id and body once more.
    replay = f"/v1/admin/webhooks/{subscription['id']}/deliveries/{done['id']}/replay"
    ok(stack.request("POST", replay, token=stack.admin_token()), 202)
    assert stack.idle()
    assert len(flaky.received) == 4 and flaky.received[-1][0]["webhook-id"] in ids


def test_a_subscriber_failing_for_three_days_is_paused_and_its_owner_told(
    stack: StackClient, subscribers: list[Subscriber]
) -> None:
    down = Subscriber(answers=[503] * 50)
    subscribers.append(down)
    owner = f"ops-{uuid.uuid4().hex[:6]}@shop.example"
    subscription = subscribe(stack, down.url, ["order.placed"], owner_email=owner)
    shirt = product(stack, 9, price=12900)
    ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    assert stack.idle()
    failing = ok(stack.request("GET", f"/v1/admin/webhooks/{subscription['id']}", token=stack.admin_token()))
    assert failing["status"] == "active" and failing["failing_since"]

    stack.advance(3 * 24 * 3600 + 60)
    ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    assert stack.idle()
    paused = ok(stack.request("GET", f"/v1/admin/webhooks/{subscription['id']}", token=stack.admin_token()))
    assert paused["status"] == "paused"
    assert any(owner in json.dumps(n) and subscription["id"] in json.dumps(n) for n in stack.notifications())

    # Paused: nothing more is sent, but the event is kept, to replay once resumed.
    before = len(down.received)
    during = ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    assert stack.idle() and len(down.received) == before
    (held,) = [d for d in deliveries(stack, subscription["id"]) if d["order_id"] == during["id"]]
    assert (held["status"], held["reason"], held["attempts"]) == ("cancelled", "subscription paused", [])
    path = f"/v1/admin/webhooks/{subscription['id']}"
    resumed = ok(stack.request("PATCH", path, json={"status": "active"}, token=stack.admin_token()))
    assert resumed["status"] == "active" and "failing_since" not in resumed
    ok(stack.request("POST", f"{path}/deliveries/{held['id']}/replay", token=stack.admin_token()), 202)
    assert stack.idle()
    assert len(down.received) == before + 1 and down.received[-1][0]["webhook-id"] == held["id"]


def test_a_slow_subscriber_delays_neither_the_others_nor_the_order(
    stack: StackClient, subscribers: list[Subscriber]
) -> None:
    hang = 15.0  # longer than an attempt waits (10 s): the slow one's attempt times out
    slow, fast = Subscriber(delay=hang), Subscriber()
    subscribers += [slow, fast]
    slow_subscription = subscribe(stack, slow.url, ["order.placed"])
    subscribe(stack, fast.url, ["order.paid"])
    shirt = product(stack, 5, price=12900)
    order = ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    deadline = time.monotonic() + hang
    while not slow.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slow.received, "the slow subscriber was called"
    pay(stack, order)  # answered while the slow subscriber still holds its request
    paid_at = time.time()
    while not fast.received and time.monotonic() < deadline + hang:
        time.sleep(0.05)
    # Heard while the slow one's attempt was still waiting: its delivery queued behind nothing.
    given_up_at = slow.received_at[0] + rules.ATTEMPT_TIMEOUT_SECONDS
    assert fast.received and fast.received_at[0] < given_up_at
    assert paid_at < given_up_at
    assert stack.idle(timeout=60)
    (late,) = deliveries(stack, slow_subscription["id"])
    assert late["status"] == "retrying" and late["attempts"][0]["error"] == "connection_failed"


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "http://192.168.1.5/hooks",
        "https://user:secret@hooks.example.com/in",
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "http://[fd00::5]/hooks",
        "not a url",
    ],
)
def test_a_forged_or_private_address_url_is_refused_and_nothing_is_kept(stack: StackClient, url: str) -> None:
    answer = stack.request(
        "POST",
        "/v1/admin/webhooks",
        json={"url": url, "event_types": ["order.paid"]},
        token=stack.admin_token(),
    )
    assert answer.status == 422 and answer.content_type == "application/problem+json", answer.text
    assert answer.json()["code"] in ("webhook_url_refused", "validation_failed")
    listed = ok(stack.request("GET", "/v1/admin/webhooks", token=stack.admin_token()))["subscriptions"]
    assert listed == []


def test_subscriptions_are_for_back_office_staff_and_check_their_event_types(stack: StackClient) -> None:
    body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["order.paid"]}
    refused = stack.request("POST", "/v1/admin/webhooks", json=body, token=stack.customer_token())
    assert refused.status == 403
    unknown = stack.request(
        "POST",
        "/v1/admin/webhooks",
        json={**body, "event_types": ["order.teleported"]},
        token=stack.admin_token(),
    )
    assert unknown.status == 422 and unknown.json()["code"] == "validation_failed"
    missing = stack.request("GET", "/v1/admin/webhooks/whk_00000000000000000000", token=stack.admin_token())
    assert missing.status == 404 and missing.json()["code"] == "subscription_not_found"


def test_a_rotated_secret_keeps_the_old_one_signing_for_a_day(
    stack: StackClient, subscribers: list[Subscriber]
) -> None:
    endpoint = Subscriber()
    subscribers.append(endpoint)
    subscription = subscribe(stack, endpoint.url, ["order.placed"])
    path = f"/v1/admin/webhooks/{subscription['id']}/rotate-secret"
    rotated = ok(stack.request("POST", path, token=stack.admin_token()))
    assert rotated["secret"] != subscription["secret"] and rotated["previous_valid_until"]
    shirt = product(stack, 5, price=12900)
    ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    assert stack.idle()
    assert endpoint.verified(subscription["secret"]) and endpoint.verified(rotated["secret"])
    stack.advance(25 * 3600)
    ok(place(stack, order_body((shirt, 1, 12900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    assert stack.idle()
    latest = endpoint.received[-1]
    assert Webhook(rotated["secret"]).verify(latest[1], latest[0])
    assert len(latest[0]["webhook-signature"].split(" ")) == 1, "the old secret no longer signs"
