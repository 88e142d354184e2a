"""The event catalogue published: an AsyncAPI 3.0 document of the events the service emits, each message's
payload the event's JSON Schema (:func:`oms.event_catalogue.json_schemas`), named by its public name.

Two channels carry them: the service's EventBridge bus (a platform's own AWS accounts subscribe with a
rule of their own, ``detail-type`` = the event's class name), and the outbound webhooks, signed as the
Standard Webhooks specification says, whose body wraps the same detail (:func:`webhook_payload`).
"""

from __future__ import annotations

from typing import Any

from oms import event_catalogue

DRAFT_07 = "application/schema+json;version=draft-07"
CHANNEL = "orderEvents"
WEBHOOKS = "webhooks"
WEBHOOK_HEADERS = {
    "type": "object",
    "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "webhook-id": {"type": "string", "description": "The delivery's id, the same on every attempt."},
        "webhook-timestamp": {"type": "string", "pattern": "^[0-9]+$", "description": "Unix seconds."},
        "webhook-signature": {
            "type": "string",
            "pattern": "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$",
            "description": 'base64 HMAC-SHA256 of "id.timestamp.body"; two during a secret rotation.',
        },
    },
}


def webhook_payload(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The body of a webhook carrying event ``name``: its public type, time, per-order number, detail."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "timestamp", "sequence", "data"],
        "properties": {
            "type": {"const": event_catalogue.PUBLIC_NAMES[name]},
            "timestamp": {"type": "string", "format": "date-time"},
            "sequence": {"type": "integer", "minimum": 1, "description": "Per order, in fan-out order."},
            "data": schema,
        },
    }


def _webhook_message(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": event_catalogue.PUBLIC_NAMES[name],
        "title": f"{name} (webhook)",
        "contentType": "application/json",
        "headers": WEBHOOK_HEADERS,
        "payload": {"schemaFormat": DRAFT_07, "schema": webhook_payload(name, schema)},
    }


def _message(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    model = event_catalogue.CATALOGUE[name]
    doc = " ".join((model.__doc__ or "").split())
    return {
        "name": event_catalogue.PUBLIC_NAMES[name],
        "title": name,
        **({"summary": doc} if doc else {}),
        "contentType": "application/json",
        "payload": {"schemaFormat": DRAFT_07, "schema": schema},
        "x-detail-type": name,
        "x-schema-version": model.version,
    }


SERVERS: dict[str, Any] = {
    "eventbridge": {
        "host": "events.{region}.amazonaws.com",
        "protocol": "https",
        "description": "The service's EventBridge bus (the stack's EventBusName output).",
        "variables": {"region": {"default": "eu-west-1"}},
    },
    "subscriber": {
        "host": "{host}",
        "protocol": "https",
        "description": "A subscriber's endpoint (POST /v1/admin/webhooks).",
        "variables": {"host": {"description": "The subscription URL's host."}},
    },
}


def document(version: str = "1.0.0") -> dict[str, Any]:
    schemas = event_catalogue.json_schemas()
    messages = {name: _message(name, schema) for name, schema in sorted(schemas.items())}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Order and return management: events",
            "version": version,
            "description": (
                "The domain events of orders, payments, shipments, returns and refunds. Each is published "
                "once per change, at least once on the wire (consumers deduplicate on event_id)."
            ),
        },
        "defaultContentType": "application/json",
        "servers": SERVERS,
        "channels": {
            CHANNEL: {
                "address": "oms-{stage}-events",
                "description": "Every domain event, its EventBridge detail-type the event's title.",
                "parameters": {
                    "stage": {"description": "The deployed stage (dev, prod).", "default": "prod"}
                },
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
                "servers": [{"$ref": "#/servers/eventbridge"}],
            },
            WEBHOOKS: {
                "address": "{path}",
                "description": "Each subscription's URL; one POST per event it asked for, at least once.",
                "parameters": {"path": {"description": "The subscription URL's path."}},
                "messages": {
                    name: _webhook_message(name, schema) for name, schema in sorted(schemas.items())
                },
                "servers": [{"$ref": "#/servers/subscriber"}],
            },
        },
        "operations": {
            "receiveEvents": {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{CHANNEL}"},
                "summary": "What a subscriber to the bus receives.",
                "messages": [{"$ref": f"#/channels/{CHANNEL}/messages/{name}"} for name in messages],
            },
            "sendWebhooks": {
                "action": "send",
                "channel": {"$ref": f"#/channels/{WEBHOOKS}"},
                "summary": "What the service POSTs to each subscriber, signed with its secret.",
                "messages": [{"$ref": f"#/channels/{WEBHOOKS}/messages/{name}"} for name in messages],
            },
        },
        "components": {"messages": messages},
    }
