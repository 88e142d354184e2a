"""Health, the OpenAPI document (generated from the route modules' pydantic models), and the event
catalogue: the AsyncAPI document and each event's JSON Schema."""

import sys
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from oms import asyncapi, event_catalogue
from oms.http import create_app, json_response
from oms.problems import NotFound

app = create_app()


@cache
def openapi_document() -> dict[str, Any]:
    import json

    from oms.api import (
        admin,
        admin_exceptions,
        admin_orders,
        admin_reports,
        admin_returns,
        admin_webhooks,
        buyer_inbox,
        openapi_responses,
        returns,
        storefront,
        storefront_address,
        webhooks,
    )

    document: dict[str, Any] = json.loads(
        storefront.app.get_openapi_json_schema(title="Order and return management", version="1.0.0")
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for module in (
        sys.modules[__name__],
        admin,
        admin_orders,
        admin_exceptions,
        admin_reports,
        admin_returns,
        admin_webhooks,
        buyer_inbox,
        returns,
        storefront_address,
        webhooks,
    ):
        extra = json.loads(module.app.get_openapi_json_schema(title=module.__name__, version="1.0.0"))
        document["paths"].update(extra.get("paths", {}))
        schemas.update(extra.get("components", {}).get("schemas", {}))
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    document["security"] = [{"bearer": []}]
    return openapi_responses.describe(document)


@app.get("/health", summary="Liveness")
def health() -> Response[str]:
    return json_response(200, {"status": "ok"})


@app.get("/openapi.json", summary="This document")
def openapi() -> Response[str]:
    return json_response(200, {**openapi_document(), "servers": [_this_server()]})


def _this_server() -> dict[str, str]:
    """The base URL this document was fetched from: the deployed stage's (API Gateway puts a named stage
    in the path, ``/prod/...``; a custom domain or the ``$default`` stage does not)."""
    event = app.current_event
    stage = event.request_context.stage
    scheme = event.headers.get("x-forwarded-proto") or "https"
    base = f"{scheme}://{event.request_context.domain_name}"
    if stage and stage != "$default" and event.raw_path.startswith(f"/{stage}/"):
        base += f"/{stage}"
    return {"url": base, "description": f"stage {stage}"}


@app.get("/asyncapi.json", summary="The events the service publishes (AsyncAPI 3.0)")
def asyncapi_document() -> Response[str]:
    return json_response(200, asyncapi.document())


@app.get("/v1/event-schemas", summary="Every event's JSON Schema, by public name")
def event_schemas() -> Response[str]:
    schemas = event_catalogue.json_schemas()
    return json_response(
        200, {event_catalogue.PUBLIC_NAMES[name]: schema for name, schema in schemas.items()}
    )


@app.get("/v1/event-schemas/<name>", summary="One event's JSON Schema (its public name, e.g. order.placed)")
def event_schema(name: Annotated[str, Path(max_length=64)]) -> Response[str]:
    by_public = {public: detail for detail, public in event_catalogue.PUBLIC_NAMES.items()}
    if name not in by_public:
        raise NotFound(f"No event {name!r}; GET /v1/event-schemas lists them.", code="event_not_found")
    return json_response(200, event_catalogue.json_schemas()[by_public[name]])
