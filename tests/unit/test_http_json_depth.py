"""A body nested past MAX_JSON_DEPTH is 400 ``malformed_json`` on every Python, and reaches no route.

The parser's own limit moved between versions (3.11's json refused about 1,000 levels, 3.12's parses
them), so the edge sets its own.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body
from oms.api.meta import openapi_document
from oms.http import MAX_JSON_DEPTH, create_app, json_body
from oms.problems import Problem

from tests.unit.test_http_busy import event


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def post(body: str) -> tuple[dict[str, Any], list[Any]]:
    app = create_app()
    received: list[Any] = []

    @app.post("/echo")
    def echo(payload: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        received.append(payload)
        return {"ok": True}

    request = event("/echo") | {"body": body, "headers": {"content-type": "application/json"}}
    request["requestContext"]["http"]["method"] = "POST"
    request["routeKey"] = request["requestContext"]["routeKey"] = "POST /echo"
    return app.resolve(request, None), received


@pytest.mark.parametrize(
    "body", [nested(MAX_JSON_DEPTH + 1), "[" * 1000 + "]" * 1000, "[" * 100_000 + "]" * 100_000]
)
def test_a_body_nested_too_deep_is_400_malformed_json_and_reaches_no_route(body: str) -> None:
    answer, received = post(body)
    assert answer["statusCode"] == 400, answer
    problem = json.loads(answer["body"])
    assert problem["code"] == "malformed_json"
    assert "nested too deeply" in problem["detail"]
    assert received == []


def test_a_body_exactly_at_the_limit_reaches_its_route() -> None:
    answer, received = post(nested(MAX_JSON_DEPTH))
    assert answer["statusCode"] == 200, answer
    assert len(received) == 1


def test_brackets_inside_strings_are_not_levels() -> None:
    text = json.dumps({"note": "[" * 1000 + "{" * 1000})
    assert json_body(text) == json.loads(text)


def test_every_container_counts_arrays_and_objects_alike() -> None:
    mixed = (
        "[" + '{"a":[' * (MAX_JSON_DEPTH // 2) + "1" + "]}" * (MAX_JSON_DEPTH // 2) + "]"
    )  # one level over
    with pytest.raises(Problem) as refused:
        json_body(mixed)
    assert refused.value.code == "malformed_json"


def _levels(schema: dict[str, Any], schemas: dict[str, Any], seen: tuple[str, ...] = ()) -> int:
    """How many levels of objects and arrays a body of ``schema`` may have (a recursive schema: any)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return 10**6 if name in seen else _levels(schemas[name], schemas, (*seen, name))
    levels = max(
        (_levels(sub, schemas, seen) for key in ("anyOf", "oneOf", "allOf") for sub in schema.get(key, [])),
        default=0,
    )
    if schema.get("type") == "array":
        levels = max(levels, 1 + _levels(schema.get("items") or {}, schemas, seen))
    if schema.get("type") == "object" or "properties" in schema:
        inner = [_levels(s, schemas, seen) for s in (schema.get("properties") or {}).values()]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            inner.append(_levels(extra, schemas, seen))
        levels = max(levels, 1 + max(inner, default=0))
    return levels


def test_no_request_of_the_contract_nests_anywhere_near_the_limit() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    deepest = max(
        (_levels(content["schema"], schemas), f"{method.upper()} {path}")
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for content in (operation.get("requestBody") or {}).get("content", {}).values()
    )
    # The limit refuses no request the contract allows, with room to grow.
    assert deepest[0] <= MAX_JSON_DEPTH // 4, deepest
