"""The local gateway serves the console's static files, nothing outside them, and a local sign-in."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from oms_local import console
from oms_local.auth import verify
from oms_local.testing import StackClient

from tests.e2e.shop import ok

CONSOLE = Path(console.ROOT)


def raw_get(stack: StackClient, path: str) -> tuple[int, str, bytes]:
    """A GET with the path sent exactly as written (http.client does not normalise dot segments)."""
    host, port = stack.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type", ""), answer.read()
    finally:
        connection.close()


def test_the_pages_and_modules_are_served_with_their_types(console_stack: StackClient) -> None:
    stack = console_stack
    moved = stack.request("GET", "/console")
    assert moved.status == 308 and moved.headers["location"] == "/console/"
    index = stack.request("GET", "/console/")
    assert index.status == 200 and index.content_type.startswith("text/html")
    assert index.body == (CONSOLE / "index.html").read_bytes()
    assert "script-src 'self'" in index.headers["content-security-policy"]
    module = stack.request("GET", "/console/js/app.js")
    assert (
        module.content_type.startswith("text/javascript")
        and module.body == (CONSOLE / "js/app.js").read_bytes()
    )
    assert stack.request("GET", "/console/styles.css").content_type.startswith("text/css")
    config = stack.request("GET", "/console/config.json")
    assert config.content_type == "application/json" and config.json()["auth"] == "local"
    # A page path (no extension) is the single page; a missing file is 404.
    assert stack.request("GET", "/console/orders/ord_1").body == index.body
    missing = stack.request("GET", "/console/js/nope.js")
    assert missing.status == 404 and missing.content_type == "application/problem+json"
    assert stack.request("POST", "/console/index.html").status == 405


@pytest.mark.parametrize(
    "path",
    [
        "/console/../pyproject.toml",
        "/console/%2e%2e/oms_local/console.py",
        "/console/js/%2e%2e/%2e%2e/oms_local/auth.py",
        "/console/..%2f..%2fpyproject.toml",
        "/console/.hidden",
    ],
)
def test_nothing_outside_the_console_folder_is_served(console_stack: StackClient, path: str) -> None:
    status, content_type, body = raw_get(console_stack, path)
    assert status == 404, (status, body[:80])
    assert content_type == "application/problem+json"


def test_a_local_admin_token_is_minted_on_request(console_stack: StackClient) -> None:
    stack = console_stack
    answer = ok(stack.request("POST", "/_local/token", json={"admin": True}))
    claims = verify(stack.local.jwt, f"Bearer {answer['token']}")
    assert claims["sub"] == "adm_demo" and claims["cognito:groups"] == ["admin"]
    admin_only = stack.request("GET", "/v1/admin/exceptions", token=answer["token"])
    assert admin_only.status == 200
    refused = stack.request("POST", "/_local/token", json={"admin": "yes"})
    assert refused.status == 422 and refused.json()["errors"][0]["field"] == "admin"
    assert stack.request("GET", "/_local/token").status == 405
