"""The OpenAPI document generates a typed client without a warning: every array has its items and every
answer its schema, so an integrator's generated code knows what an order is."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from oms.api.meta import openapi_document

from tests.openapi_client import PACKAGE, generate


def _bare_arrays(node: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "array" and "items" not in node:
            found.append(path)
        for key, value in node.items():
            found += _bare_arrays(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _bare_arrays(value, f"{path}/{index}")
    return found


def test_every_array_in_the_document_says_what_it_holds() -> None:
    assert _bare_arrays(openapi_document()) == []


def test_the_client_generates_without_a_warning_and_types_the_order_operations(tmp_path: Path) -> None:
    run = generate(openapi_document(), tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output and "Unable to" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        models = importlib.import_module(f"{PACKAGE}.models")
        for operation in (
            "place_order_v1_orders_post",
            "get_order_v1_orders_order_id_get",
            "cancel_order_v1_orders_order_id_cancel_post",
            "confirm_receipt_v1_orders_order_id_confirm_receipt_post",
            "get_order_v1_admin_orders_order_id_get",
            "cancel_order_v1_admin_orders_order_id_cancel_post",
            "ship_order_v1_admin_orders_order_id_shipments_post",
        ):
            module = importlib.import_module(f"{PACKAGE}.api.default.{operation}")
            answers = module._parse_response.__annotations__["return"]
            assert "Order" in str(answers) or "Shipped" in str(answers), (operation, answers)
        order = models.Order.from_dict(
            {"id": "ord_1", "status": "awaiting_fulfillment", "items": [], "totals": {"subtotal": 1, "discount": 0,
             "shipping_fee": 0, "total": 1, "currency": "CNY"}, "currency": "CNY",
             "timeline": [{"at": "2026-12-03T08:00:00.000Z", "type": "placed", "by": "cus_1"}]}
        )  # fmt: skip
        assert type(order.timeline[0]).__name__ == "TimelineEntry" and order.timeline[0].type_ == "placed"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]
