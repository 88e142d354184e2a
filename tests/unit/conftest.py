"""What the unit tests share."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest


class Logs:
    """The JSON lines the shared logger writes, read back."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self, message: str) -> list[dict[str, Any]]:
        found = [json.loads(line) for line in self.stream.getvalue().splitlines() if line.startswith("{")]
        return [entry for entry in found if entry.get("message") == message]


@pytest.fixture
def logs() -> Iterator[Logs]:
    from oms.observability import logger

    captured = Logs()
    handler = logger.registered_handler
    previous = handler.setStream(captured.stream)  # type: ignore[attr-defined]
    try:
        yield captured
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
