"""What moto 5.2.5 lacks for this service, added in one place and applied once.

- ``StartSyncExecution``: boto3 sends it to ``sync-states.<region>.amazonaws.com``, which moto does not
  route, and moto's responses have no such action. Routed here and answered by running moto's own
  ``SyncExecution`` in the caller's thread, as AWS answers when the Express execution ends. moto parses
  the definition again for every execution (half the time of a two-step one): synchronous executions
  share one parse per definition, which holds no per-execution state (that lives in the environment).
- DynamoDB under concurrency: moto's backend is not thread-safe (16 threads of conditional decrements on a
  stock of 100 succeeded 113 times), so every DynamoDB request is handled under one lock.
- Clients of the interpreter: moto makes a new boto3 client for every Lambda (or other service) call of
  every task, about 5 ms each; here they are kept per region and service (see :func:`forget_clients`).
- Parked executions: an execution waiting for a task token is RUNNING but idle; :func:`is_parked` tells
  the local stack's ``idle()`` so it does not wait for a payment that only a test will send.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

_applied = False
_apply_lock = threading.Lock()

dynamodb_lock = threading.RLock()

_parked: set[int] = set()
_parked_lock = threading.Lock()

SYNC_STATES_URL = r"https?://sync-states\.(.+)\.amazonaws\.com"


def _endpoints(execution: Any) -> list[Any]:
    worker = getattr(execution, "exec_worker", None)
    env = getattr(worker, "env", None)
    pool = getattr(getattr(env, "callback_pool_manager", None), "_pool", None) or {}
    return list(pool.values())


def is_parked(execution: Any) -> bool:
    """True when a RUNNING execution is only waiting for a task token (idle, not finished)."""
    endpoints = _endpoints(execution)
    with _parked_lock:
        return any(
            id(endpoint) in _parked or id(getattr(endpoint, "_heartbeat_endpoint", None)) in _parked
            for endpoint in endpoints
        )


def interrupt_waits(execution: Any) -> None:
    """Wake the threads of a stopped execution that wait for a task token nobody will send now."""
    for endpoint in _endpoints(execution):
        endpoint.interrupt_all()


def apply() -> None:
    global _applied
    with _apply_lock:
        if _applied:
            return
        _route_start_sync_execution()
        _serialize_dynamodb()
        _track_parked_callbacks()
        _reuse_interpreter_clients()
        _applied = True


# ---------------------------------------------------------------------------------------------- Step Functions


def _route_start_sync_execution() -> None:
    import moto.backend_index
    import moto.stepfunctions.urls
    from moto.stepfunctions.responses import StepFunctionResponse

    moto.backend_index.backend_url_patterns.append(("stepfunctions", re.compile(SYNC_STATES_URL)))
    moto.stepfunctions.urls.url_bases.append(SYNC_STATES_URL)
    StepFunctionResponse.start_sync_execution = _start_sync_execution  # type: ignore[attr-defined]

    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import SyncExecutionWorker

    @functools.lru_cache(maxsize=64)
    def parsed(definition: str) -> Any:
        program = AmazonStateLanguageParser.parse(definition)[0]
        _fix_heap_keys(program)
        return program

    def entrypoint(self: Any) -> Any:
        return parsed(self._evaluation_details.state_machine_details.definition)

    SyncExecutionWorker._get_evaluation_entrypoint = entrypoint  # type: ignore[method-assign]


def _start_sync_execution(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = self._get_param("stateMachineArn")
    name = self._get_param("name") or str(uuid.uuid4())
    execution_input = self._get_param("input", if_none="{}")
    execution = run_sync_execution(self.stepfunction_backend, arn, name, execution_input)
    status = execution.sync_execution_status
    answer: dict[str, Any] = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "startDate": execution.start_date,
        "stopDate": execution.stop_date,
        "status": getattr(status, "value", status),
        "input": execution.execution_input,
        "inputDetails": {"included": True},
        "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
    }
    if answer["status"] == "SUCCEEDED":
        answer["output"] = json.dumps(execution.output, separators=(",", ":"))
        answer["outputDetails"] = {"included": True}
    if execution.error is not None:
        answer["error"] = execution.error
    if execution.cause is not None:
        answer["cause"] = execution.cause
    return ActionResult(answer)


def _fix_heap_keys(root: Any) -> None:
    """Give every component its per-execution storage key now: it is made lazily, and two executions
    sharing the parse must not race to make it."""
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    pending = [root]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (list, tuple, set)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif type(item).__module__.startswith("moto.stepfunctions.parser") and hasattr(item, "__dict__"):
            if isinstance(item, EvalComponent):
                _ = item.heap_key
            pending.extend(vars(item).values())


def run_sync_execution(backend: Any, state_machine_arn: str, name: str, execution_input: str) -> Any:
    """Run an Express execution to its end in this thread (moto's ``SyncExecution``), as AWS does.

    Like AWS, a synchronous Express execution is not kept for ``ListExecutions``/``DescribeExecution``.
    """
    from moto.stepfunctions.exceptions import InvalidExecutionInput, ValidationException
    from moto.stepfunctions.parser.api import StateMachineType
    from moto.stepfunctions.parser.backend.execution import SyncExecution

    state_machine = backend.describe_state_machine(state_machine_arn)
    # moto keeps the declared type in ``type`` (its ``sm_type`` always says STANDARD).
    if str(getattr(state_machine, "type", "STANDARD")) != "EXPRESS":
        raise ValidationException("StartSyncExecution runs EXPRESS state machines only")
    try:
        json.loads(execution_input)
    except ValueError as exc:
        raise InvalidExecutionInput(str(exc)) from exc
    # A snapshot of the definition, as moto's start_execution takes (without the live executions).
    snapshot = copy.deepcopy(
        state_machine, {id(state_machine.executions): [], id(state_machine.backend): state_machine.backend}
    )
    execution = SyncExecution(
        name=name,
        sm_type=StateMachineType.EXPRESS,
        role_arn=snapshot.roleArn,
        exec_arn=f"arn:aws:states:{backend.region_name}:{backend.account_id}:express:{state_machine.name}:{name}:"
        f"{uuid.uuid4()}",
        account_id=backend.account_id,
        region_name=backend.region_name,
        state_machine=snapshot,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        input_data=execution_input,
        trace_header=None,
        activity_store={},
    )
    execution.start()
    return execution


# ---------------------------------------------------------------------------------------------- clients

_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


def forget_clients() -> None:
    """Drop the interpreter's kept clients (their endpoints come from the environment of the time)."""
    with _clients_lock:
        _clients.clear()


def _reuse_interpreter_clients() -> None:
    import sys

    import moto.stepfunctions.parser.models  # noqa: F401 - loads every task module that imports the factory
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for

    def kept_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto's own version ignores the credentials too (it signs every call with the same fake key).
        with _clients_lock:
            found = _clients.get((region, service))
            if found is None:
                found = original(region=region, service=service, state_credentials=None)
                _clients[(region, service)] = found
            return found

    for name, module in list(sys.modules.items()):
        if (
            name.startswith("moto.stepfunctions.parser")
            and getattr(module, "boto_client_for", None) is original
        ):
            module.boto_client_for = kept_client_for  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------- DynamoDB


def _serialize_dynamodb() -> None:
    from moto.dynamodb.responses import DynamoHandler

    original: Callable[..., Any] = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with dynamodb_lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


# ---------------------------------------------------------------------------------------------- task tokens


def _track_parked_callbacks() -> None:
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, HeartbeatEndpoint

    original_wait = CallbackEndpoint.wait
    original_notify = CallbackEndpoint.notify
    original_heartbeat_wait = HeartbeatEndpoint.clear_and_wait

    def wait(self: Any, timeout: float | None = None) -> Any:
        with _parked_lock:
            _parked.add(id(self))
        try:
            return original_wait(self, timeout)
        finally:
            with _parked_lock:
                _parked.discard(id(self))

    def notify(self: Any, outcome: Any) -> None:
        # Busy from the moment the token is answered, before the waiting thread wakes up.
        with _parked_lock:
            _parked.discard(id(self))
            _parked.discard(id(getattr(self, "_heartbeat_endpoint", None)))
        original_notify(self, outcome)

    def clear_and_wait(self: Any) -> bool:
        with _parked_lock:
            _parked.add(id(self))
        try:
            return bool(original_heartbeat_wait(self))
        finally:
            with _parked_lock:
                _parked.discard(id(self))

    CallbackEndpoint.wait = wait  # type: ignore[method-assign]
    CallbackEndpoint.notify = notify  # type: ignore[method-assign]
    HeartbeatEndpoint.clear_and_wait = clear_and_wait  # type: ignore[method-assign]


def prune_finished_threads() -> None:
    """moto keeps every interpreter thread it starts in a module list; drop the finished ones."""
    from moto.stepfunctions.parser.utils import TMP_THREADS

    TMP_THREADS[:] = [thread for thread in TMP_THREADS if thread.is_alive()]
