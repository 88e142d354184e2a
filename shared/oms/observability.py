"""One logger for every function; what else makes the service observable, and where it lives.

- Logs: this structured (JSON) logger. Every line carries ``correlation_id`` and, where there is one,
  ``order_id`` (:mod:`oms.correlation` puts them in force at each entry point).
- Metrics: business metrics as EMF lines (:mod:`oms.metrics`), counted where domain events are published.
- Tracing: Lambda's active tracing (``Tracing: Active`` in the template's Globals) records a segment per
  invocation (init, invocation, overhead) and joins it to the traces of the API and the state machines
  (tracing on). Calls the code makes (DynamoDB, EventBridge) are not segments of their own: that needs an
  SDK in the function, and none is imported on purpose - powertools' Tracer imported the X-Ray SDK and
  cost every handler 137-283 ms of cold start while no handler traced anything.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="oms")
