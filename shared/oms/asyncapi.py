"""The event catalogue published: an AsyncAPI 3.0 document of the events the service emits, each message's
payload the event's JSON Schema (:func:`oms.event_catalogue.json_schemas`), named by its public name.

The channel is the service's EventBridge bus: a platform's own systems subscribe to it with a rule of
their own (cross-account, ``detail-type`` = the event's class name).
"""

from __future__ import annotations

from typing import Any

from oms import event_catalogue

DRAFT_07 = "application/schema+json;version=draft-07"
CHANNEL = "orderEvents"


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
        "servers": {
            "eventbridge": {
                "host": "events.{region}.amazonaws.com",
                "protocol": "https",
                "description": "The service's EventBridge bus (the stack's EventBusName output).",
                "variables": {"region": {"default": "eu-west-1"}},
            }
        },
        "channels": {
            CHANNEL: {
                "address": "oms-{stage}-events",
                "description": "Every domain event, its EventBridge detail-type the event's title.",
                "parameters": {
                    "stage": {"description": "The deployed stage (dev, prod).", "default": "prod"}
                },
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": {
            "receiveEvents": {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{CHANNEL}"},
                "summary": "What a subscriber to the bus receives.",
                "messages": [{"$ref": f"#/channels/{CHANNEL}/messages/{name}"} for name in messages],
            }
        },
        "components": {"messages": messages},
    }
