"""What the OpenAPI document says about answers, headers and webhook bodies.

The routes return ``Response[str]`` (the body is built by hand), so the generated document would describe
every success as a JSON string and every error as FastAPI's ``HTTPValidationError``. This module replaces
that with the real contract: each route's success statuses and body shape, problem+json for every 4xx,
the ``Idempotency-Key`` header where a route reads it, and the signed webhooks' bodies (no bearer token).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from oms.domain.order_status import Status
from oms.lifecycle import payments, tracking

PROBLEM_JSON = "application/problem+json"
_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


_NULLABLE_STRING = {"type": ["string", "null"]}
_MONEY = {"type": "integer"}


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    """A page of a list: its ``items`` and the cursor to the next page (null on the last)."""
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": item}, "next_cursor": _NULLABLE_STRING},
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "code": {"type": "string", "minLength": 1},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "Totals": {
        "type": "object",
        "required": ["subtotal", "discount", "shipping_fee", "total", "currency"],
        "properties": {
            "subtotal": _MONEY,
            "discount": _MONEY,
            "shipping_fee": _MONEY,
            "total": _MONEY,
            "currency": {"type": "string"},
        },
    },
    "Order": {
        "type": "object",
        "required": ["id", "status", "items", "totals", "currency"],
        "properties": {
            "id": {"type": "string", "pattern": "^ord_"},
            "status": {"type": "string", "enum": [s.value for s in Status]},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["sku", "quantity"],
                    "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
                },
            },
            "totals": _ref("Totals"),
            "currency": {"type": "string"},
            "timeline": {"type": "array", "items": _ref("TimelineEntry")},
            "shipments": {"type": "array", "items": _ref("Shipment")},
            "refunds": {"type": "array", "items": _ref("Refund")},
            "exceptions": {"type": "array", "items": _ref("OrderExceptionEntry")},
        },
    },
    # What the order's lists hold: the fields every entry has, and any more the entry's kind carries.
    "TimelineEntry": {
        "type": "object",
        "required": ["at", "type"],
        "properties": {"at": {"type": "string"}, "type": {"type": "string"}, "by": {"type": "string"}},
    },
    "Shipment": {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string"},
            "carrier": {"type": "string"},
            "tracking_number": {"type": "string"},
            "history": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Refund": {
        "type": "object",
        "required": ["id", "amount", "status"],
        "properties": {
            "id": {"type": "string", "pattern": "^ref_"},
            "amount": _MONEY,
            "currency": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "succeeded", "failed"]},
            "reason": {"type": "string"},
        },
    },
    "OrderExceptionEntry": {
        "type": "object",
        "required": ["id", "kind", "status"],
        "properties": {
            "id": {"type": "string"},
            "kind": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "resolved"]},
            "owner": {"type": "string"},
            "deadline": {"type": "string"},
        },
    },
    "OrderSummary": {
        "type": "object",
        "required": ["id", "status", "placed_at", "totals", "item_count"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": [s.value for s in Status]},
            "placed_at": {"type": "string"},
            "totals": _ref("Totals"),
            "item_count": {"type": "integer", "minimum": 0},
        },
    },
    "OrderList": _page_of(_ref("OrderSummary")),
    "Page": _page_of({"type": "object"}),
    "Return": {
        "type": "object",
        "required": ["id", "order_id", "status"],
        "properties": {
            "id": {"type": "string", "pattern": "^ret_"},
            "order_id": {"type": "string"},
            "status": {"type": "string"},
        },
    },
    "ReturnList": _page_of(_ref("Return")),
    "ProductView": {
        "type": "object",
        "required": ["sku", "name", "price", "currency"],
        "properties": {
            "sku": {"type": "string"},
            "name": {"type": "string"},
            "price": _MONEY,
            "currency": {"type": "string"},
            "available": {"type": "integer", "minimum": 0},
        },
    },
    "StockLevels": {
        "type": "object",
        "required": ["sku", "on_hand", "reserved", "channels"],
        "properties": {
            "sku": {"type": "string"},
            "on_hand": {"type": "integer"},
            "reserved": {"type": "integer", "minimum": 0},
            "channels": {"type": "object"},
        },
    },
    "Shipped": {
        "type": "object",
        "required": ["order", "shipment"],
        "properties": {"order": _ref("Order"), "shipment": {"type": "object"}},
    },
    "WebhookReceipt": {
        "type": "object",
        "required": ["received", "event_id", "outcome"],
        "properties": {
            "received": {"const": True},
            "event_id": {"type": "string"},
            "outcome": {"type": "string"},
        },
    },
    "Feedback": {
        "type": "object",
        "required": ["order_id", "rating", "tags", "given_at", "editable_until"],
        "properties": {
            "order_id": {"type": "string", "pattern": "^ord_"},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "items": {"type": "string"}},
            "comment": _NULLABLE_STRING,
            "given_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "editable_until": {"type": "string", "format": "date-time"},
            "edits": {"type": "integer", "minimum": 0},
        },
    },
    "Object": {"type": "object"},
}

# (method, path) -> {status: schema name, or None for no body}. A route not named here answers 200 with a
# JSON object.
SUCCESS: dict[tuple[str, str], dict[str, str | None]] = {
    ("get", "/health"): {"200": "Object"},
    ("get", "/openapi.json"): {"200": "Object"},
    ("get", "/v1/products/{sku}"): {"200": "ProductView"},
    ("post", "/v1/orders"): {"201": "Order"},
    ("get", "/v1/orders"): {"200": "OrderList"},
    ("get", "/v1/orders/{order_id}"): {"200": "Order"},
    ("post", "/v1/orders/{order_id}/cancel"): {"200": "Order"},
    ("post", "/v1/orders/{order_id}/confirm-receipt"): {"200": "Order"},
    ("put", "/v1/orders/{order_id}/feedback"): {"200": "Feedback"},
    ("get", "/v1/orders/{order_id}/feedback"): {"200": "Feedback"},
    ("patch", "/v1/orders/{order_id}/shipping-address"): {"200": "Order"},
    ("post", "/v1/orders/{order_id}/returns"): {"201": "Return"},
    ("get", "/v1/returns"): {"200": "ReturnList"},
    ("get", "/v1/returns/{return_id}"): {"200": "Return"},
    ("post", "/v1/returns/{return_id}/shipment"): {"200": "Return"},
    ("post", "/v1/returns/{return_id}/cancel"): {"200": "Return"},
    ("post", "/v1/returns/{return_id}/accept-alternative"): {"200": "Return"},
    ("post", "/v1/returns/{return_id}/messages"): {"201": "Return"},
    ("get", "/v1/admin/returns/{return_id}"): {"200": "Return"},
    ("post", "/v1/admin/returns/{return_id}/review"): {"200": "Return"},
    ("post", "/v1/admin/returns/{return_id}/inspection"): {"200": "Return"},
    ("post", "/v1/admin/returns/{return_id}/messages"): {"201": "Return"},
    # A zero delta reads the levels (200); a real adjustment records one (201).
    ("post", "/v1/admin/inventory/{sku}/adjustments"): {"200": "StockLevels", "201": "StockLevels"},
    ("get", "/v1/admin/inventory/{sku}"): {"200": "StockLevels"},
    ("put", "/v1/admin/inventory/{sku}/channels/{channel}"): {"200": "StockLevels"},
    ("get", "/v1/admin/orders/{order_id}"): {"200": "Order"},
    ("post", "/v1/admin/orders/{order_id}/review"): {"200": "Order"},
    ("post", "/v1/admin/orders/{order_id}/cancel"): {"200": "Order"},
    ("post", "/v1/admin/orders/{order_id}/shipments"): {"201": "Shipped"},
    ("get", "/v1/admin/review-queue"): {"200": "Page"},
    ("get", "/v1/admin/fulfillment-queue"): {"200": "Page"},
    ("get", "/v1/admin/exceptions"): {"200": "Page"},
    ("post", "/v1/admin/orders/{order_id}/exceptions"): {"201": "Object"},
    ("post", "/v1/webhooks/payments"): {"200": "WebhookReceipt"},
    ("post", "/v1/webhooks/payments/stripe"): {"200": "WebhookReceipt"},
    ("post", "/v1/webhooks/carriers/aftership"): {"200": "WebhookReceipt"},
    ("post", "/v1/webhooks/carriers/easypost"): {"200": "WebhookReceipt"},
    # A repeated event answers 200; a new one is queued (202).
    ("post", "/v1/webhooks/carriers/{carrier}"): {"200": "WebhookReceipt", "202": "WebhookReceipt"},
    ("post", "/v1/admin/webhooks"): {"201": "Object"},
    ("delete", "/v1/admin/webhooks/{subscription_id}"): {"204": None},
    ("post", "/v1/admin/webhooks/{subscription_id}/deliveries/{delivery_id}/replay"): {"202": "Object"},
    ("delete", "/v1/me/devices/{device_id}"): {"204": None},
}

# Routes that read an Idempotency-Key header, and whether they insist on one.
IDEMPOTENT: dict[tuple[str, str], bool] = {
    ("post", "/v1/orders"): True,
    ("post", "/v1/orders/{order_id}/returns"): False,
    ("post", "/v1/admin/inventory/{sku}/adjustments"): False,
    ("post", "/v1/admin/orders/{order_id}/exceptions"): False,
    ("post", "/v1/admin/orders/{order_id}/exceptions/{exception_id}/resolve"): False,
    ("post", "/v1/admin/webhooks"): False,
}

# Signed webhooks: the body is read raw (to check the signature), so its model is named here.
WEBHOOK_BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("post", "/v1/webhooks/payments"): payments.PaymentEvent,
    ("post", "/v1/webhooks/carriers/{carrier}"): tracking.CarrierEvent,
}


def _header(name: str, pattern: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": True, "schema": {"type": "string", "pattern": pattern}}


# The payment providers' own notices (API.md "Provider notices"): each in its provider's format, signed in
# its headers, answered as the provider expects (Alipay: the text ``success``; WeChat Pay: 204, and its
# ``{"code": "FAIL"}`` body on a refusal).
_ALIPAY_FORM = {
    "type": "object",
    "required": ["notify_id", "app_id", "out_trade_no", "trade_no", "trade_status", "sign"],
    "properties": {
        name: {"type": "string", "minLength": 1}
        for name in ("notify_id", "app_id", "out_trade_no", "trade_no", "trade_status", "sign", "sign_type")
    }
    | {"total_amount": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"}},
}
WECHATPAY_FAIL = {
    "type": "object",
    "required": ["code", "message", "error"],
    "properties": {"code": {"const": "FAIL"}, "message": {"type": "string"}, "error": {"type": "string"}},
}
PROVIDER_NOTICES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v1/webhooks/payments/stripe"): {
        "parameters": [_header("Stripe-Signature", "^t=[0-9]+(,v[01]=[0-9a-f]+)+$")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
    ("post", "/v1/webhooks/payments/alipay"): {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": _ALIPAY_FORM}},
        },
        "success": {
            "200": {
                "description": "Received: Alipay stops retrying",
                "content": {"text/plain": {"schema": {"const": "success"}}},
            }
        },
    },
    ("post", "/v1/webhooks/payments/wechatpay"): {
        "parameters": [
            _header("Wechatpay-Timestamp", "^[0-9]+$"),
            _header("Wechatpay-Nonce", "^.+$"),
            _header("Wechatpay-Signature", "^[A-Za-z0-9+/=]+$"),
            _header("Wechatpay-Serial", "^.+$"),
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "success": {"204": {"description": "Received: WeChat Pay stops retrying"}},
        "failure": {"content": {"application/json": {"schema": WECHATPAY_FAIL}}},
    },
}
KUAIDI100_ANSWER = {
    "type": "object",
    "required": ["result", "returnCode", "message"],
    "properties": {
        "result": {"type": "boolean"},
        "returnCode": {"type": "string"},
        "message": {"type": "string"},
        "error": {"type": "string"},
    },
}
_JSON_BODY = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
PROVIDER_NOTICES.update(
    {
        ("post", "/v1/webhooks/carriers/kuaidi100"): {
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["param", "sign"],
                            "properties": {"param": {"type": "string"}, "sign": {"type": "string"}},
                        }
                    }
                },
            },
            "success": {
                "200": {
                    "description": "Received: Kuaidi100 stops pushing",
                    "content": {"application/json": {"schema": KUAIDI100_ANSWER}},
                }
            },
            "failure": {"content": {"application/json": {"schema": KUAIDI100_ANSWER}}},
        },
        ("post", "/v1/webhooks/carriers/aftership"): {
            "parameters": [_header("aftership-hmac-sha256", "^[A-Za-z0-9+/=]+$")],
            "requestBody": _JSON_BODY,
        },
        ("post", "/v1/webhooks/carriers/easypost"): {
            "parameters": [_header("X-Hmac-Signature", "^hmac-sha256-hex=[0-9a-f]+$")],
            "requestBody": _JSON_BODY,
        },
    }
)
DOCUMENTS = {
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("get", "/asyncapi.json"),
    ("get", "/v1/event-schemas"),
    ("get", "/v1/event-schemas/{name}"),
}
PUBLIC = DOCUMENTS | set(WEBHOOK_BODIES) | set(PROVIDER_NOTICES)

_ERRORS = {
    "400": "Malformed JSON or a missing header",
    "401": "No valid bearer token (or, for webhooks, no valid signature)",
    "403": "Back-office route called without the admin group",
    "404": "No such resource, or not the caller's",
    "409": "Conflicts with the current state (stock, price, status, idempotency key)",
    "413": "The body is larger than the limit",
    "422": "Fields missing or not valid",
    "503": "The store is busy or a step could not finish now; retry (with the same Idempotency-Key)",
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}


def _model_schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return _ref(model.__name__)


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite ``document``'s answers, headers and webhook bodies in place; returns it."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    schemas.update(SCHEMAS)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = (method, path)
            responses = {
                status: (
                    {"description": "Success", "content": {"application/json": {"schema": _ref(schema)}}}
                    if schema
                    else {"description": "Done; no content"}
                )
                for status, schema in SUCCESS.get(route, {"200": "Object"}).items()
            }
            responses.update({status: _problem(text) for status, text in _ERRORS.items()})
            operation["responses"] = responses
            if route in IDEMPOTENT:
                parameters = operation.setdefault("parameters", [])
                parameters.append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": IDEMPOTENT[route],
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
                    }
                )
            if route in WEBHOOK_BODIES:
                body = _model_schema(WEBHOOK_BODIES[route], schemas)
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                }
            if route in PROVIDER_NOTICES:
                _provider_notice(operation, PROVIDER_NOTICES[route])
            if route in PUBLIC:
                operation["security"] = []
    return document


def _provider_notice(operation: dict[str, Any], notice: dict[str, Any]) -> None:
    operation.setdefault("parameters", []).extend(notice.get("parameters", []))
    operation["requestBody"] = notice["requestBody"]
    responses = operation["responses"]
    if "success" in notice:
        for status in [s for s in responses if s.startswith("2")]:
            del responses[status]
        responses.update(notice["success"])
    if "failure" in notice:
        for status, answer in responses.items():
            if not status.startswith("2"):
                answer.update(notice["failure"])
