"""Sending a notice once per domain event, through SES (e-mail), SNS (SMS, app push) and the inbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from oms import aws, clock, invocation
from oms.config import require, settings
from oms.domain.notice_preferences import KIND_OF, wants
from oms.notices import push
from oms.notices.rendering import Renderer
from oms.notices.return_templates import RETURN_RENDERERS
from oms.notices.templates import RENDERERS
from oms.observability import logger
from oms.store import catalog, inbox, keys, orders, returns
from oms.store.table import Table, values

require("NOTIFY_SENDER", by=__name__)

# A claim taken outside a Lambda invocation (a script, a test) lapses after this long.
LEASE_OUTSIDE_AN_INVOCATION = timedelta(seconds=60)


def _claim(table: Table, event_id: str) -> str | None:
    """Claim the event until this invocation ends (its lease, or None when another attempt holds it or it
    was sent): an attempt that died holding the claim (timed out, killed) frees it by the time its record
    is delivered again; a finished one never does."""
    until = clock.iso(invocation.claim_until(LEASE_OUTSIDE_AN_INVOCATION))
    claimed = table.update_if(
        *keys.notice(event_id),
        "SET #s = :sending, lease_until = :until",
        condition="attribute_not_exists(pk) OR "
        "(#s = :sending AND (attribute_not_exists(lease_until) OR lease_until < :now))",
        names={"#s": "status"},
        expression_values=values(sending="sending", until=until, now=clock.now_iso()),
    )
    return until if claimed else None


def _give_back(table: Table, event_id: str, until: str) -> None:
    """A failed attempt frees its claim at once, so its redelivery need not wait for the invocation's end
    (should this write fail too, the claim still lapses then)."""
    try:
        table.update_if(
            *keys.notice(event_id),
            "REMOVE lease_until",
            condition="#s = :sending AND lease_until = :until",
            names={"#s": "status"},
            expression_values=values(sending="sending", until=until),
        )
    except Exception:
        logger.exception("the notice's claim could not be given back: it lapses with the invocation")


class NoticeInProgress(Exception):
    """Another attempt holds the event's claim and has not sent the notice: the record is delivered again
    later, never skipped (an attempt that died holding the claim frees it when its invocation's time is
    up)."""


def _sent(table: Table, event_id: str) -> bool:
    return (table.get(*keys.notice(event_id)) or {}).get("status") == "sent"


def _push(table: Table, customer_id: str, title: str, body: str, data: dict[str, str]) -> None:
    """To each of the buyer's app installations; one SNS has disabled is marked and skipped from then on."""
    for device in inbox.devices(table, customer_id):
        if device.get("disabled"):
            continue
        try:
            push.send(device["endpoint_arn"], title, body, data)
        except push.EndpointGone:
            inbox.disable_device(table, device, "endpoint disabled by the platform")


def notify(table: Table, detail_type: str, detail: dict[str, Any]) -> bool:
    """Send the notice for one event; False when it was already sent (a redelivery) or needs none."""
    render = RENDERERS.get(detail_type) or RETURN_RENDERERS.get(detail_type)
    if render is None:
        return False
    event_id = detail["event_id"]
    claim = _claim(table, event_id)
    if claim is None:
        if _sent(table, event_id):
            return False
        raise NoticeInProgress(f"notice for {event_id} is being sent by another attempt")
    try:
        return _send(table, detail_type, detail, render, event_id)
    except Exception:
        _give_back(table, event_id, claim)
        raise


def _send(table: Table, detail_type: str, detail: dict[str, Any], render: Renderer, event_id: str) -> bool:
    order = orders.get(table, detail["order_id"])
    if order is None:
        return False
    profile = catalog.get_customer(table, order["customer_id"]) or {}
    locale = profile.get("locale", "zh-CN")
    if detail.get("return_id"):  # return notices quote the return (its decision, the return address)
        detail = {**detail, "return": returns.get(table, detail["return_id"]) or {}}
    notice = render(order, locale, detail)
    chosen = inbox.preferences_of(profile)
    if profile.get("email") and wants(chosen, "email", detail_type):
        aws.client("ses").send_email(
            Source=settings().notify_sender,
            Destination={"ToAddresses": [profile["email"]]},
            Message={
                "Subject": {"Data": notice.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": notice.body, "Charset": "UTF-8"}},
            },
        )
    phone = profile.get("phone") or order["shipping_address"].get("phone")
    if phone and wants(chosen, "sms", detail_type):
        aws.client("sns").publish(PhoneNumber=phone.replace(" ", "").replace("-", ""), Message=notice.sms)
    about = {
        "order_id": order["id"],
        **({"return_id": detail["return_id"]} if detail.get("return_id") else {}),
    }
    if wants(chosen, "push", detail_type):
        _push(table, order["customer_id"], notice.subject, notice.sms, {**about, "event_id": event_id})
    # The inbox keeps every notice, whatever the channels: it is the buyer's record of what was said.
    kind = KIND_OF.get(detail_type, "orders")
    inbox.deliver(
        table,
        order["customer_id"],
        event_id,
        {"kind": kind, "type": detail_type, "subject": notice.subject, "body": notice.body, **about},
    )
    table.update(
        *keys.notice(event_id),
        "SET #s = :sent, sent_at = :now, order_id = :order",
        names={"#s": "status"},
        expression_values=values(sent="sent", now=clock.now_iso(), order=order["id"]),
    )
    return True
