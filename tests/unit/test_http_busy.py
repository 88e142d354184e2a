"""A service that does not answer in time is a fault of the moment: 503 ``busy`` with Retry-After, not 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from oms.http import create_app


def event(path: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": "req-1",
            "routeKey": f"GET {path}",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize(
    "error",
    [ReadTimeoutError(endpoint_url="http://states"), ConnectTimeoutError(endpoint_url="http://states")],
)
def test_a_timed_out_aws_call_is_503_busy(error: Exception) -> None:
    app = create_app()

    @app.get("/slow")
    def slow() -> None:
        raise error

    answer = app.resolve(event("/slow"), None)
    assert answer["statusCode"] == 503
    assert answer["headers"]["Retry-After"] == "1"
    assert json.loads(answer["body"])["code"] == "busy"


def test_any_other_error_is_still_a_500_naming_the_request() -> None:
    app = create_app()

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("internals")

    answer = app.resolve(event("/broken"), None)
    assert answer["statusCode"] == 500
    assert "internals" not in answer["body"]
    assert json.loads(answer["body"])["request_id"] == "req-1"
