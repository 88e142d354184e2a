"""Scheduled jobs: one shape for every function EventBridge Scheduler invokes on a timer.

Each run is a correlation chain of its own (named after its Lambda request id), works on a fresh
:class:`Table`, and logs what it did under the job's name before returning it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oms import correlation
from oms.observability import logger
from oms.store.table import Table

Handler = Callable[[dict[str, Any], Any], dict[str, int]]


def scheduled_job(name: str, run: Callable[[Table], dict[str, int]]) -> Handler:
    """The Lambda handler of the job ``name`` (its log line's message): ``run(Table())``, logged and returned."""

    @logger.inject_lambda_context(clear_state=True)
    @correlation.starts_chain
    def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
        result = run(Table())
        logger.info(name, extra=result)
        return result

    return handler
