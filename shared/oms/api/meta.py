"""Health and the OpenAPI document, generated from the route modules' pydantic models."""

import sys
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import Response

from oms.http import create_app, json_response

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
    return json_response(200, openapi_document())
