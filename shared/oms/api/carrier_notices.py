"""The carrier aggregators' own pushes (API.md "Carrier aggregators"): Kuaidi100, AfterShip and EasyPost
post to routes of their own, in their formats; each is verified as the aggregator specifies on the raw
body, then queued for the track-shipment step like our own carrier webhook's events.

A parcel we do not know (another merchant's, a carrier we do not ship with) is acknowledged and nothing
is recorded, so the aggregator stops pushing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from oms import metrics
from oms.config import require_secret
from oms.http import JSON, dumps, json_response
from oms.lifecycle import tracking, tracking_queue
from oms.problems import Problem, Unauthorized
from oms.providers import aftership, easypost, kuaidi100
from oms.providers.notices import MalformedNotice
from oms.secrets import provider_secret
from oms.store import shipments
from oms.store.table import Table

for _variable in ("KUAIDI100_SALT", "AFTERSHIP_WEBHOOK_SECRET", "EASYPOST_WEBHOOK_SECRET"):
    require_secret(_variable, by=__name__)

router = Router()


def _body() -> str:
    return router.current_event.decoded_body or ""


def _header(name: str) -> str | None:
    return {k.lower(): v for k, v in (router.current_event.headers or {}).items()}.get(name)


def _checked(source: str, check: Any, *args: Any) -> None:
    try:
        check(*args)
    except Unauthorized:
        metrics.webhook_signature_failed(source)
        raise


def _queue(carrier: str | None, found: dict[str, Any]) -> str:
    """Queue the event for the track-shipment step: ``queued``, ``duplicate`` or ``not_ours``."""
    try:
        event = tracking.TrackingEvent.model_validate(found)
    except ValidationError as error:
        raise MalformedNotice("The notice's tracking event is not valid.") from error
    table = Table()
    if carrier is None or shipments.parcel_index(table, carrier, event.tracking_number) is None:
        return "not_ours"
    if tracking.already_applied(table, carrier, event.event_id):
        return "duplicate"
    tracking_queue.enqueue(carrier, event)
    return "queued"


@router.post("/v1/webhooks/carriers/kuaidi100", summary="Kuaidi100 subscription pushes (param + sign)")
def kuaidi100_push() -> Response[str]:
    # Kuaidi100 pushes again until result is true; a refusal keeps its shape, with our code beside it.
    try:
        form = dict(parse_qsl(_body(), keep_blank_values=True))
        param, sign = form.get("param", ""), form.get("sign", "")
        _checked("kuaidi100", kuaidi100.verify, param, sign, provider_secret("KUAIDI100_SALT"))
        carrier, found = kuaidi100.event(kuaidi100.parse(param))
        _queue(carrier, found)
    except Problem as problem:
        answer = {
            "result": False,
            "returnCode": str(problem.status),
            "message": problem.detail,
            "error": problem.code,
        }
        return Response(status_code=problem.status, content_type=JSON, body=dumps(answer))
    return Response(status_code=200, content_type=JSON, body=dumps(kuaidi100.ACCEPTED))


def _signed_body(
    source: str, verify: Callable[[str, str | None, str], None], header: str, secret: str
) -> str:
    body = _body()
    _checked(source, verify, body, _header(header), provider_secret(secret))
    return body


def _received(event_id: str, outcome: str) -> Response[str]:
    return json_response(200, {"received": True, "event_id": event_id, "outcome": outcome})


@router.post("/v1/webhooks/carriers/aftership", summary="AfterShip tracking webhooks (aftership-hmac-sha256)")
def aftership_webhook() -> Response[str]:
    body = _signed_body("aftership", aftership.verify, "aftership-hmac-sha256", "AFTERSHIP_WEBHOOK_SECRET")
    carrier, found = aftership.event(aftership.parse(body))
    return _received(found["event_id"], _queue(carrier, found))


@router.post("/v1/webhooks/carriers/easypost", summary="EasyPost tracker.updated events (X-Hmac-Signature)")
def easypost_event() -> Response[str]:
    body = _signed_body("easypost", easypost.verify, "x-hmac-signature", "EASYPOST_WEBHOOK_SECRET")
    hook = easypost.parse(body)
    told = easypost.event(hook)
    return _received(f"easypost:{hook.id}", "ignored" if told is None else _queue(*told))
