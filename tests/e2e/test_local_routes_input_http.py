"""The local gateway's own input: the ``/_local`` routes, the console's files and slow clients are answered
with 4xx problems, never a 5xx, and change nothing."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
from oms_local.testing import StackClient

from tests.e2e.test_bad_input_http import problem


@pytest.mark.parametrize(
    "body",
    [
        b'{"advance_seconds": 1e308}',
        b'{"advance_seconds": NaN}',
        b'{"advance_seconds": Infinity}',
        b'{"advance_seconds": -1}',
        b'{"advance_seconds": "60"}',
        b'{"advance_seconds": true}',
        b"[60]",
        b"{",
    ],
)
def test_moving_the_clock_by_no_sensible_number_is_422_and_leaves_it(stack: StackClient, body: bytes) -> None:
    before = stack.request("GET", "/_local/clock").json()["offset_seconds"]
    answer = stack.request("POST", "/_local/clock", body=body, headers={"Content-Type": "application/json"})
    problem(answer, 422, "validation_failed")
    assert stack.request("GET", "/_local/clock").json()["offset_seconds"] == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"timeout_seconds": "x"}',
        b'{"timeout_seconds": NaN}',
        b'{"timeout_seconds": 1e9}',
        b'{"timeout_seconds": -2}',
        b"[1]",
    ],
)
def test_waiting_for_idle_with_no_sensible_time_out_is_422(stack: StackClient, body: bytes) -> None:
    answer = stack.request("POST", "/_local/idle", body=body, headers={"Content-Type": "application/json"})
    problem(answer, 422, "validation_failed")


@pytest.mark.parametrize(
    "path", ["/console/config.json%00.html", "/console/%00", "/console/js/%0a.js", "/console/%7f"]
)
def test_console_paths_with_control_characters_are_404(stack: StackClient, path: str) -> None:
    problem(stack.request("GET", path), 404, "not_found")


def test_a_body_shorter_than_its_length_is_408_once_the_read_time_out_passes(stack: StackClient) -> None:
    gateway = stack.local.gateway
    assert gateway is not None
    split = urlsplit(stack.url)
    handler = gateway.handler_class
    saved = handler.timeout
    handler.timeout = 1  # for connections opened from now on
    try:
        with socket.create_connection((split.hostname, split.port), timeout=30) as sock:
            started = time.monotonic()
            sock.sendall(
                b"POST /health HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n{}"
            )
            reply = b""
            while b"\r\n\r\n" not in reply:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        waited = time.monotonic() - started
    finally:
        handler.timeout = saved
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"application/problem+json" in reply
    assert 0.5 < waited < 20
