"""The OpenAPI document names the base URL of the stage it was fetched from, and the routes answer under a
named stage as API Gateway delivers them (the stage as the first segment of ``rawPath``)."""

from __future__ import annotations

import json
from typing import Any

from oms.api import meta


def _event(raw_path: str, stage: str, domain: str, proto: str | None = "https") -> dict[str, Any]:
    headers = {"host": domain, **({"x-forwarded-proto": proto} if proto else {})}
    return {
        "version": "2.0",
        "routeKey": "GET /openapi.json",
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "domainName": domain,
            "stage": stage,
            "requestId": "req-1",
            "http": {"method": "GET", "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
        },
        "isBase64Encoded": False,
    }


class Context:
    aws_request_id = "req-1"
    function_name = "meta"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:meta"


def _servers(event: dict[str, Any]) -> list[dict[str, str]]:
    answer = meta.app.resolve(event, Context())
    assert answer["statusCode"] == 200, answer
    return list(json.loads(answer["body"])["servers"])


def test_a_named_stage_is_in_the_base_url_and_its_routes_still_match() -> None:
    domain = "a1b2c3.execute-api.eu-west-1.amazonaws.com"
    servers = _servers(_event("/prod/openapi.json", "prod", domain))
    assert servers == [{"url": f"https://{domain}/prod", "description": "stage prod"}]


def test_the_default_stage_has_no_stage_in_the_url() -> None:
    local = _servers(_event("/openapi.json", "$default", "127.0.0.1:8000", proto="http"))
    assert local[0]["url"] == "http://127.0.0.1:8000"
