"""SQS pollers: what Lambda's event source mappings and EventBridge's non-SQS targets do in AWS.

- A function's ``Type: SQS`` event: receive up to ``BatchSize``, invoke the handler with an SQS event,
  delete what succeeded; what failed (an exception, or ``batchItemFailures``) is made visible again after
  a short backoff, and moto moves it to the dead-letter queue once ``maxReceiveCount`` is reached, as AWS.
- A rule target that is a state machine or a function: moto's EventBridge delivers the event to a shadow
  queue (see :mod:`oms_local.cloud`); its poller starts the execution, named after the event id so a
  redelivery cannot start it twice, or invokes the function.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from oms_local import REGION
from oms_local.cloud import Cloud, ShadowQueue
from oms_local.iam import event_source_refusals
from oms_local.lambda_endpoint import InFlight
from oms_local.template import SqsMapping

log = logging.getLogger("local_stack.pollers")

IDLE_SLEEP_SECONDS = 0.02
RETRY_BACKOFF_SECONDS = 0.01
MAX_BACKOFF_SECONDS = 0.5

# Returns the message ids to retry.
Consumer = Callable[[list[dict[str, Any]]], set[str]]


class QueuePoller:
    """One daemon thread draining one queue into a consumer."""

    def __init__(
        self,
        cloud: Cloud,
        queue_url: str,
        batch_size: int,
        consumer: Consumer,
        label: str,
        idle_sleep: float = IDLE_SLEEP_SECONDS,
    ) -> None:
        self.cloud = cloud
        self.idle_sleep = idle_sleep
        self.queue_url = queue_url
        self.batch_size = max(1, min(batch_size, 10))
        self.consumer = consumer
        self.label = label
        self.in_flight = InFlight()
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._parked = threading.Event()
        # Set while the poller should not sleep: a pause or a stop wakes an idle poller at once.
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"poll-{label}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._resume.set()
        self._thread.join(timeout=10)

    def ask_to_pause(self) -> None:
        """Stop receiving after the current batch; :meth:`wait_parked` waits for it."""
        self._resume.clear()
        self._wake.set()

    def wait_parked(self) -> None:
        if self._thread.is_alive():
            self._parked.wait(timeout=10)

    def pause(self) -> None:
        """Stop receiving and wait until the current batch is done (for a reset)."""
        self.ask_to_pause()
        self.wait_parked()

    def resume(self) -> None:
        self._parked.clear()
        self._wake.clear()
        self._resume.set()

    def _run(self) -> None:
        sqs = self.cloud.client("sqs")
        while not self._stop.is_set():
            if not self._resume.is_set():
                self._parked.set()
                self._resume.wait()
                continue
            try:
                handled = self._poll_once(sqs)
            except Exception:
                log.exception("poller %s failed; retrying", self.label)
                handled = 0
                time.sleep(0.2)
            if not handled:
                self._wake.wait(self.idle_sleep)

    def _poll_once(self, sqs: Any) -> int:
        answer = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages") or []
        if messages:
            with self.in_flight:
                self._process(sqs, messages)
        return len(messages)

    def _process(self, sqs: Any, messages: list[dict[str, Any]]) -> None:
        try:
            retry = self.consumer(messages)
        except Exception:
            log.exception("consumer of %s failed; the batch will be retried", self.label)
            retry = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in retry]
        if done:
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        again = [m for m in messages if m["MessageId"] in retry]
        if again:
            sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(again)
                ],
            )
            # Lambda backs off between retries; a short local one keeps a failing message from spinning.
            attempts = max(int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")) for m in again)
            time.sleep(min(MAX_BACKOFF_SECONDS, RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1)))


# ---------------------------------------------------------------------------------------------- consumers


def _lambda_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = {
        key: message.get("Attributes", {}).get(key)
        for key in (
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
        )
        if message.get("Attributes", {}).get(key) is not None
    }
    for key in ("MessageGroupId", "MessageDeduplicationId", "SequenceNumber"):
        if key in message.get("Attributes", {}):
            attributes[key] = message["Attributes"][key]
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def function_consumer(cloud: Cloud, mapping: SqsMapping) -> Consumer:
    queue = cloud.template.queues[mapping.queue]

    def consume(messages: list[dict[str, Any]]) -> set[str]:
        ids = {m["MessageId"] for m in messages}
        event = {"Records": [_lambda_record(m, queue.arn) for m in messages]}
        outcome = cloud.functions.invoke(mapping.function, event)
        if outcome.failed:
            log.warning(
                "%s failed on a batch of %d from %s: %s",
                mapping.function,
                len(ids),
                queue.name,
                outcome.error,
            )
            return ids
        if not mapping.report_batch_item_failures or not isinstance(outcome.result, dict):
            return set()
        failures = outcome.result.get("batchItemFailures") or []
        retry = {str(f.get("itemIdentifier") or "") for f in failures if isinstance(f, dict)}
        if retry - ids:  # Lambda retries the whole batch when an identifier is unknown or empty
            return ids
        return retry

    return consume


def _execution_name(shadow: ShadowQueue, message: dict[str, Any]) -> str:
    """Deterministic per event and target: a redelivered event finds its execution already started."""
    try:
        body = json.loads(message["Body"])
    except ValueError:
        body = None
    event_id = body.get("id") if isinstance(body, dict) and isinstance(body.get("id"), str) else None
    source = event_id or message["MessageId"]
    digest = hashlib.sha256(f"{shadow.rule.logical_id}/{shadow.target.id}/{source}".encode()).hexdigest()[:12]
    return f"{shadow.execution_name_prefix}-{source}-{digest}"[:80]


def shadow_consumer(cloud: Cloud, shadow: ShadowQueue) -> Consumer:
    target = shadow.target

    def start_executions(messages: list[dict[str, Any]]) -> set[str]:
        sfn = cloud.client("stepfunctions")
        retry: set[str] = set()
        for message in messages:
            name = _execution_name(shadow, message)
            try:
                sfn.start_execution(stateMachineArn=target.arn, name=name, input=message["Body"])
            except sfn.exceptions.ExecutionAlreadyExists:
                log.info("execution %s already started; redelivery ignored", name)
            except Exception:
                log.exception("could not start %s for rule %s", target.arn, shadow.rule.logical_id)
                retry.add(message["MessageId"])
        return retry

    def invoke_function(messages: list[dict[str, Any]]) -> set[str]:
        retry: set[str] = set()
        for message in messages:
            try:
                event = json.loads(message["Body"])
            except ValueError:
                event = message["Body"]
            outcome = cloud.functions.invoke(target.arn, event)
            if outcome.failed:
                retry.add(message["MessageId"])
        return retry

    return start_executions if target.kind == "states" else invoke_function


def build_pollers(cloud: Cloud) -> list[QueuePoller]:
    if cloud.authorizer is not None:
        refusals = event_source_refusals(cloud.template)
        if refusals:
            raise RuntimeError("event source mappings refused:\n" + "\n".join(refusals))
    pollers = []
    for mapping in cloud.template.sqs_mappings:
        if not mapping.enabled:
            continue
        queue = cloud.template.queues[mapping.queue]
        # As many batches at once as the mapping's ScalingConfig allows (Lambda runs several even without
        # one; locally a mapping without a cap takes one batch at a time).
        for n in range(mapping.maximum_concurrency or 1):
            pollers.append(
                QueuePoller(
                    cloud,
                    queue.url,
                    mapping.batch_size,
                    function_consumer(cloud, mapping),
                    label=f"{queue.logical_id}->{mapping.function}",
                    # The extra pollers look less often while the queue is empty, as Lambda scales out.
                    idle_sleep=IDLE_SLEEP_SECONDS * (10 if n else 1),
                )
            )
    for shadow in cloud.shadow_queues.values():
        pollers.append(
            QueuePoller(
                cloud,
                shadow.url,
                10,
                shadow_consumer(cloud, shadow),
                label=f"{shadow.rule.logical_id}->{shadow.target.id}",
            )
        )
    return pollers
