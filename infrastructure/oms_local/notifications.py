"""What the service sent through the local SES (e-mail) and SNS (SMS, app push), for
``GET /_local/notifications``.

moto keeps the messages but not when they were sent, so the local stack swaps its containers for ones
that stamp each message with the service's clock as it arrives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from oms import clock

from oms_local import ACCOUNT_ID, REGION

_stamps: dict[str, datetime] = {}
_order: dict[str, int] = {}
_lock = threading.Lock()
_counter = 0


def _stamp(key: str) -> None:
    global _counter
    with _lock:
        _counter += 1
        _stamps[key] = clock.now()
        _order[key] = _counter


class _StampedList(list[Any]):
    def append(self, item: Any) -> None:
        _stamp(f"email:{getattr(item, 'id', id(item))}")
        super().append(item)


class _StampedDict(OrderedDict[Any, Any]):
    def __setitem__(self, key: Any, value: Any) -> None:
        _stamp(f"sms:{key}")
        super().__setitem__(key, value)


def install() -> None:
    """Swap moto's SES and SNS message stores (after every moto reset)."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    ses = ses_backends[ACCOUNT_ID][REGION]
    if not isinstance(ses.sent_messages, _StampedList):
        ses.sent_messages = _StampedList(ses.sent_messages)
    sns = sns_backends[ACCOUNT_ID][REGION]
    if not isinstance(sns.sms_messages, _StampedDict):
        sns.sms_messages = _StampedDict(sns.sms_messages)


def clear() -> None:
    with _lock:
        _stamps.clear()
        _order.clear()


def _addresses(destinations: Any) -> list[str]:
    if isinstance(destinations, dict):
        return [
            a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key) or []
        ]
    return [str(d) for d in destinations or []]


def _email(message: Any) -> dict[str, Any]:
    to = ", ".join(_addresses(getattr(message, "destinations", None)))
    entry: dict[str, Any] = {"channel": "email", "to": to}
    entry["from"] = getattr(message, "source", None)
    if hasattr(message, "subject"):
        entry["subject"] = message.subject
        entry["body"] = message.body
    elif hasattr(message, "template"):
        entry["subject"] = None
        entry["template"] = message.template
        entry["body"] = message.template_data
    else:
        entry["subject"] = None
        entry["body"] = getattr(message, "raw_data", "")
    return entry


def sent() -> list[dict[str, Any]]:
    """Every e-mail and SMS sent so far, newest first, then every push (moto does not say when)."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    entries: list[tuple[int, dict[str, Any]]] = []
    for position, message in enumerate(list(ses_backends[ACCOUNT_ID][REGION].sent_messages)):
        key = f"email:{getattr(message, 'id', id(message))}"
        entry = _email(message)
        entries.append(_with_time(key, entry, position))
    for position, (message_id, (phone, text)) in enumerate(
        list(sns_backends[ACCOUNT_ID][REGION].sms_messages.items())
    ):
        key = f"sms:{message_id}"
        entries.append(_with_time(key, {"channel": "sms", "to": phone, "body": text}, position))
    for endpoint in list(sns_backends[ACCOUNT_ID][REGION].platform_endpoints.values()):
        for message_id, text in list(endpoint.messages.items()):
            entry = {"channel": "push", "to": endpoint.arn, "token": endpoint.token, "body": text}
            entries.append((-1_000_000, {**entry, "sent_at": None, "message_id": message_id}))
    entries.sort(key=lambda pair: pair[0], reverse=True)
    return [entry for _, entry in entries]


def _with_time(key: str, entry: dict[str, Any], position: int) -> tuple[int, dict[str, Any]]:
    with _lock:
        moment = _stamps.get(key)
        order = _order.get(key, position - 1_000_000)
    entry["sent_at"] = clock.iso(moment) if moment else None
    return order, entry
