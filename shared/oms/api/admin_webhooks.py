"""Back-office webhook subscriptions (API.md "Outbound webhooks"): who hears which events, their signing
secrets, and every delivery with its attempts, replayable by hand."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from oms import clock, idempotency, ids
from oms.domain import webhooks as rules
from oms.event_catalogue import PUBLIC_NAMES
from oms.http import create_app, json_response, require_admin
from oms.ids import ID_PATTERN
from oms.lifecycle import webhook_deliveries
from oms.problems import Conflict, FieldError, ValidationProblem
from oms.store import webhooks as stored
from oms.store.table import Table
from oms.webhook_targets import TargetRefused, check_at_subscription

app = create_app()
EVENT_TYPES = frozenset(PUBLIC_NAMES.values())
SubscriptionId = Annotated[str, Path(pattern=ID_PATTERN)]


def _event_types(value: list[str]) -> list[str]:
    unknown = [t for t in value if t != "*" and t not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event types {unknown}; see GET /v1/event-schemas, or '*' for every event")
    return sorted(set(value))


class SubscriptionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, min_length=8, max_length=2048, description="https:// endpoint")
    event_types: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, min_length=1, max_length=40, description="public event names (order.paid …), or '*'"
    )
    description: str | None = Field(None, max_length=200)
    owner_email: str | None = Field(
        None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="told when it is paused"
    )

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _event_types(value)


class NewSubscription(SubscriptionFields):
    url: str = Field(min_length=8, max_length=2048, description="https:// endpoint")
    event_types: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=40)


class SubscriptionChange(SubscriptionFields):
    status: Literal["active", "paused"] | None = None


def _checked_url(url: str | None) -> None:
    if url is None:
        return
    try:
        check_at_subscription(url)
    except TargetRefused as refused:
        raise ValidationProblem(
            str(refused), code="webhook_url_refused", errors=[FieldError("url", str(refused))]
        ) from refused


@app.post("/v1/admin/webhooks", summary="Subscribe an endpoint to events; the answer shows its secret once")
def create_subscription(body: Annotated[NewSubscription, Body()]) -> Response[str]:
    who = require_admin(app)
    _checked_url(body.url)
    key = idempotency.key_from(app, required=False)
    subscription_id = ids.derived_id("whk", who.subject, key) if key else ids.new_id("whk")
    fields = body.model_dump(exclude_none=True)
    item = stored.create(Table(), subscription_id, fields, rules.new_secret())
    if any(item.get(name) != value for name, value in fields.items()):
        raise Conflict(
            "This Idempotency-Key was used for another subscription.", code="idempotency_key_reused"
        )
    return json_response(201, {**stored.view(item), "secret": item["secrets"][0]["secret"]})


@app.get("/v1/admin/webhooks", summary="Every subscription, with its status and failure clock")
def list_subscriptions() -> Response[str]:
    require_admin(app)
    return json_response(200, {"subscriptions": [stored.view(s) for s in stored.all_subscriptions(Table())]})


@app.get("/v1/admin/webhooks/<subscription_id>", summary="One subscription")
def get_subscription(subscription_id: SubscriptionId) -> Response[str]:
    require_admin(app)
    return json_response(200, stored.view(stored.get(Table(), subscription_id)))


@app.patch("/v1/admin/webhooks/<subscription_id>", summary="Change the URL or event types; pause or resume")
def change_subscription(
    subscription_id: SubscriptionId, body: Annotated[SubscriptionChange, Body()]
) -> Response[str]:
    require_admin(app)
    _checked_url(body.url)
    fields = body.model_dump(exclude_none=True)
    if not fields:
        raise ValidationProblem("Nothing to change.", errors=[FieldError("body", "give at least one field")])
    return json_response(200, stored.view(stored.change(Table(), subscription_id, fields)))


@app.delete("/v1/admin/webhooks/<subscription_id>", summary="Stop a subscription for good")
def delete_subscription(subscription_id: SubscriptionId) -> Response[str]:
    require_admin(app)
    stored.change(Table(), subscription_id, {"status": "deleted"})
    return Response(status_code=204, body="")


@app.post(
    "/v1/admin/webhooks/<subscription_id>/rotate-secret",
    summary="A new signing secret; the one it replaces keeps signing for 24 hours",
)
def rotate_secret(subscription_id: SubscriptionId) -> Response[str]:
    require_admin(app)
    item = stored.rotate_secret(Table(), subscription_id, rules.new_secret())
    previous = [s.get("expires_at") for s in item["secrets"][1:]]
    return json_response(
        200,
        {
            **stored.view(item),
            "secret": item["secrets"][0]["secret"],
            "previous_valid_until": max(previous) if previous else None,
        },
    )


@app.get(
    "/v1/admin/webhooks/<subscription_id>/deliveries",
    summary="The subscription's latest deliveries, each with its attempts (status, latency, answer excerpt)",
)
def list_deliveries(
    subscription_id: SubscriptionId, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> Response[str]:
    require_admin(app)
    table = Table()
    stored.get(table, subscription_id)
    found: list[dict[str, Any]] = [stored.view(d) for d in stored.deliveries(table, subscription_id, limit)]
    return json_response(200, {"deliveries": found, "as_of": clock.now_iso()})


@app.post(
    "/v1/admin/webhooks/<subscription_id>/deliveries/<delivery_id>/replay",
    summary="Send a delivered or failed delivery again (same webhook-id and body)",
)
def replay_delivery(
    subscription_id: SubscriptionId, delivery_id: Annotated[str, Path(pattern=ID_PATTERN)]
) -> Response[str]:
    require_admin(app)
    delivery = webhook_deliveries.replay(Table(), subscription_id, delivery_id)
    return json_response(202, stored.view(delivery))
