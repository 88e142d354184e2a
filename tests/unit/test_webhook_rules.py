"""Outbound webhooks' pure rules, checked with the Standard Webhooks reference library (PyPI
``standardwebhooks``), not with our own code: signatures, rotation, the retry schedule, pausing."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from oms.clock import iso
from oms.domain import webhooks as rules
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


def _signed(secrets: list[str], body: str) -> dict[str, str]:
    return rules.headers(secrets, "msg_0123456789abcdefghjk", int(time.time()), body)


def test_a_new_secret_is_what_the_reference_library_takes() -> None:
    secret = rules.new_secret()
    assert secret.startswith("whsec_") and secret != rules.new_secret()
    body = rules.message("order.paid", "2026-12-04T03:00:00Z", 3, {"order_id": "ord_1", "amount": 2500})
    assert Webhook(secret).verify(body, _signed([secret], body)) == json.loads(body)


def test_the_reference_library_refuses_a_changed_body_another_secret_or_an_old_timestamp() -> None:
    secret = rules.new_secret()
    body = rules.message("order.paid", "2026-12-04T03:00:00Z", 1, {"order_id": "ord_1"})
    headers = _signed([secret], body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("ord_1", "ord_2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(rules.new_secret()).verify(body, headers)
    stale = rules.headers([secret], "msg_0123456789abcdefghjk", int(time.time()) - 3600, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, stale)


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = rules.new_secret(), rules.new_secret()
    body = rules.message("refund.succeeded", "2026-12-04T03:00:00Z", 9, {"refund_id": "ref_1"})
    headers = _signed([new, old], body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers) and Webhook(new).verify(body, headers)


def test_a_rotated_secret_signs_for_24_hours_then_drops_out() -> None:
    first = [{"secret": "whsec_a"}]
    after = rules.rotated(first, "whsec_b", NOW)
    assert after == [
        {"secret": "whsec_b"},
        {"secret": "whsec_a", "expires_at": iso(NOW + timedelta(hours=24))},
    ]
    assert rules.secrets_in_force(after, iso(NOW + timedelta(hours=23))) == ["whsec_b", "whsec_a"]
    assert rules.secrets_in_force(after, iso(NOW + timedelta(hours=25))) == ["whsec_b"]
    # A second rotation a day later leaves the expired one out and the one it replaces for its own 24 h.
    again = rules.rotated(after, "whsec_c", NOW + timedelta(hours=25))
    assert [s["secret"] for s in again] == ["whsec_c", "whsec_b"]


def test_the_message_is_the_same_bytes_every_time() -> None:
    data = {"order_id": "ord_1", "amount": 2500, "event_id": "evt_1"}
    one = rules.message("order.paid", "2026-12-04T03:00:00Z", 4, data)
    assert one == rules.message("order.paid", "2026-12-04T03:00:00Z", 4, dict(reversed(list(data.items()))))
    assert json.loads(one) == {
        "type": "order.paid",
        "timestamp": "2026-12-04T03:00:00Z",
        "sequence": 4,
        "data": data,
    }


def test_retries_last_at_least_24_hours_then_stop() -> None:
    moments = []
    at = NOW
    failures = 0
    while True:
        failures += 1
        following = rules.next_attempt_at(failures, at)
        if following is None:
            break
        moments.append(following)
        at = following
    assert failures == len(rules.RETRY_DELAYS) + 1  # the first attempt and every retry failed
    assert moments[-1] - NOW >= timedelta(hours=24)
    assert all(b > a for a, b in itertools.pairwise(moments))


@pytest.mark.parametrize(
    ("failing_for", "paused"),
    [(None, False), (timedelta(days=2, hours=23), False), (timedelta(days=3), True)],
)
def test_a_subscription_failing_for_three_days_is_paused(failing_for: timedelta | None, paused: bool) -> None:
    since = iso(NOW - failing_for) if failing_for is not None else None
    assert rules.should_pause(since, NOW) is paused


def test_subscriptions_get_the_types_they_asked_for() -> None:
    assert rules.wants(["order.paid", "order.shipped"], "order.paid")
    assert not rules.wants(["order.paid"], "order.shipped")
    assert rules.wants(["*"], "return.requested")


@pytest.mark.parametrize(
    ("status", "ok"), [(200, True), (204, True), (299, True), (300, False), (500, False), (None, False)]
)
def test_only_a_2xx_is_a_delivery(status: int | None, ok: bool) -> None:
    assert rules.is_success(status) is ok


def test_delivery_ids_are_stable_and_sort_by_the_events_time() -> None:
    from oms import ids
    from oms.lifecycle.webhook_deliveries import delivery_id

    earlier = delivery_id("whk_1", "evt_b", "2026-12-04T03:00:00.000Z")
    later = delivery_id("whk_1", "evt_a", "2026-12-04T03:00:00.001Z")
    assert earlier == delivery_id("whk_1", "evt_b", "2026-12-04T03:00:00.000Z")
    assert earlier < later and earlier != delivery_id("whk_2", "evt_b", "2026-12-04T03:00:00.000Z")
    assert ids.is_id(earlier, "msg") and ids.is_id(later, "msg")
