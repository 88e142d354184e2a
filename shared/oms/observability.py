"""One logger for every function.

Tracing and metrics objects are created where they are used, not here: powertools' Tracer imports the
X-Ray SDK, which cost every handler 137-283 ms of cold start while no handler traced anything.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="oms")
