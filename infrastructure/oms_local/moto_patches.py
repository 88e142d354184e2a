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
- Python's ``ast`` module keeps one recursion counter per interpreter (CPython 3.11, gh-106905): two
  threads building syntax trees at once (moto parsing a state machine's string literals, werkzeug compiling
  the moto server's routes, pytest rewriting a test module, hypothesis reading a lambda) can corrupt it,
  and the next parse fails with ``SystemError: AST constructor recursion depth mismatch`` — seen as a
  pytest INTERNALERROR on a loaded machine. :func:`serialize_ast_parsing` makes ``ast.parse`` take turns.
- Parked executions: an execution waiting for a task token is RUNNING but idle; :func:`is_parked` tells
  the local stack's ``idle()`` so it does not wait for a payment that only a test will send.

Memory and time as orders pile up (each can be left out, ``apply(without=...)``, to measure what it saves):

- ``untracked_models``: moto lists every model instance it ever makes, for its server's dashboard, until
  the next reset: every item, every execution, and every copy of a table a transaction took.
- ``transaction_undo``: moto's TransactWriteItems deep-copies each table it writes to, to roll back on
  failure: O(table) time per order, and O(table) memory while the copy lives. Here the transaction keeps
  a copy of only the items it writes and puts those back, with the same all-or-nothing outcome.
- ``narrow_queries``: moto's Query sorts the whole table before it looks at the partition or the index;
  here a table query reads its partition only, an index query filters first and sorts what it keeps.
- ``fewer_threads``: moto runs a program, and each task without a short timeout, in a thread of its own
  that its starter only waits for; here they run in the starter's thread. A Standard execution parked on
  a task token then holds one thread instead of three (each thread: 8 MiB of address space and two memory
  mappings; a parked order, all told, about 95 KiB resident). As shipped, 10,000 orders awaiting payment
  would need 30,000 threads, past the common ``kernel.pid_max`` of 32,768 and ``vm.max_map_count`` of
  65,530. A smaller stack size would save address space only, which is not what runs out.
- ``queue_counts``: moto counts a queue's visible messages reading the clock once per message (about
  30 µs each), on every send to a FIFO queue and every receive; here the clock is read once per count.
- ``event_paths``: moto's EventBridge builds a JSONPath parser (its grammar tables) for every input path of
  every target of every event; here each path is parsed once.
- ``standard_parse``: Standard executions share the synchronous executions' one parse per definition.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import re
import threading
import uuid
from collections.abc import Callable, Collection, Iterator
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


SCALE_PATCHES = (
    "untracked_models",
    "transaction_undo",
    "narrow_queries",
    "fewer_threads",
    "queue_counts",
    "event_paths",
    "standard_parse",
)


def apply(without: Collection[str] = ()) -> None:
    """Patch moto once per process. ``without``: patches of :data:`SCALE_PATCHES` to leave out,
    to measure moto as shipped; only the first call decides."""
    global _applied
    unknown = set(without) - set(SCALE_PATCHES)
    if unknown:
        raise ValueError(f"unknown patches: {', '.join(sorted(unknown))}")
    with _apply_lock:
        if _applied:
            return
        _route_start_sync_execution()
        _serialize_dynamodb()
        _track_parked_callbacks()
        _reuse_interpreter_clients()
        serialize_ast_parsing()
        scale_patches: dict[str, Callable[[], None]] = {
            "untracked_models": _untrack_model_instances,
            "transaction_undo": _transactions_undo_touched_items,
            "narrow_queries": _narrow_queries,
            "fewer_threads": _fewer_execution_threads,
            "queue_counts": _cheap_queue_counts,
            "event_paths": _parse_event_paths_once,
            "standard_parse": _parse_standard_once,
        }
        for name, patch in scale_patches.items():
            if name not in without:
                patch()
        _applied = True


# ---------------------------------------------------------------------------------------------- ast


_ast_lock = threading.RLock()


def serialize_ast_parsing() -> None:
    """One ``ast.parse`` at a time in this process (idempotent)."""
    import ast

    if getattr(ast.parse, "_takes_turns", False):
        return
    original = ast.parse

    @functools.wraps(original)
    def parse(*args: Any, **kwargs: Any) -> Any:
        with _ast_lock:
            return original(*args, **kwargs)

    parse._takes_turns = True  # type: ignore[attr-defined]
    ast.parse = parse


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
    global _shared_entrypoint
    _shared_entrypoint = entrypoint


_shared_entrypoint: Callable[[Any], Any] | None = None


def _parse_standard_once() -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    # The same shared parse for Standard executions: one parse per definition, not one per order.
    ExecutionWorker._get_evaluation_entrypoint = _shared_entrypoint  # type: ignore[method-assign,assignment]


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


# ---------------------------------------------------------------------------------------------- memory


def _untrack_model_instances() -> None:
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import reset_model_data

    # Only moto's server dashboard reads the lists (and S3's reset, which also disposes the keys it still
    # holds; a key no longer held closes its buffer when it is collected).
    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    BaseModel.__new__ = staticmethod(new)  # type: ignore[method-assign]
    reset_model_data()


def _transactions_undo_touched_items() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]


class _Undo:
    """What a transaction's writes replaced: a copy of each item it touches (or its absence), taken just
    before the first write to it, and the tables' stream records."""

    def __init__(self) -> None:
        self._items: dict[tuple[int, Any, Any], tuple[Any, Any, Any, Any]] = {}
        self._streams: dict[int, tuple[Any, list[Any]]] = {}

    def remember(self, table: Any, hash_key: Any, range_key: Any) -> None:
        slot = (id(table), hash_key, range_key)
        if slot not in self._items:
            self._items[slot] = (
                table,
                hash_key,
                range_key,
                copy.deepcopy(_stored(table, hash_key, range_key)),
            )
        shard = table.stream_shard
        if shard is not None and id(table) not in self._streams:
            self._streams[id(table)] = (shard, list(shard.items))

    def restore(self) -> None:
        for table, hash_key, range_key, before in self._items.values():
            _store(table, hash_key, range_key, before)
        for shard, records in self._streams.values():
            shard.items = records


def _stored(table: Any, hash_key: Any, range_key: Any) -> Any:
    # Not ``table.get_item``: on a missing partition it leaves an empty one behind (``items`` is a defaultdict).
    found = table.items.get(hash_key)
    if found is None or not table.has_range_key:
        return found
    return found.get(range_key)


def _store(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if not table.has_range_key:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is not None:
        table.items[hash_key][range_key] = item
        return
    partition = table.items.get(hash_key)
    if partition is not None:
        partition.pop(range_key, None)
        if not partition:
            del table.items[hash_key]


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's ``DynamoDBBackend.transact_write_items``, rolling back from :class:`_Undo` (the items it
    touched) instead of a deep copy of every table it names. Checks, errors and their order are moto's."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _Undo()
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression, expression_attribute_names, expression_attribute_values
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type != "ConditionCheck":
                table = self.get_table(table_name)
                undo.remember(table, *self.get_keys_value(table, key))
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.restore()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))
        except Exception as e:  # moto reports any other failure of one action as that action's reason
            errors.append((type(e).__name__, str(e), original_item))

    if any(code is not None for code, _, _ in errors):
        undo.restore()
        raise TransactionCanceledException(errors)


def _narrow_queries() -> None:
    import inspect

    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)
    # (table, partition or None for an index query) while that table's ``query`` runs in this thread.
    scope = threading.local()

    def all_items(self: Any) -> list[Any]:
        narrowed = getattr(scope, "narrowed", None)
        if narrowed is None or narrowed[0] is not self:
            return original_all_items(self)
        hash_key = narrowed[1]
        if hash_key is None:
            # An index query keeps what matches and sorts it by the index key and the table key: a total
            # order, so the order it is handed the items in does not matter.
            return list(_every_item(self))
        # A table query keeps the partition's items and sorts them by range key.
        partition = self.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if self.has_range_key else [partition]

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        index_name, hash_key = arguments.get("index_name"), arguments.get("hash_key")
        if not index_name and hash_key is None:
            return original_query(self, *args, **kwargs)
        scope.narrowed = (self, None if index_name else hash_key)
        try:
            return original_query(self, *args, **kwargs)
        finally:
            scope.narrowed = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


def _every_item(table: Any) -> Iterator[Any]:
    for found in table.items.values():
        if table.has_range_key:
            yield from found.values()
        else:
            yield found


# A task whose timeout is at least this long runs in its starter's thread (a local run never reaches it).
INLINE_TIMEOUT_SECONDS = 24 * 3600
_PRUNE_EVERY = 512


class _InlineThread:
    """Stands in for a thread its starter would only wait for: ``start`` runs the target right there."""

    def __init__(
        self,
        group: Any = None,
        target: Callable[..., Any] | None = None,
        name: str | None = None,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        daemon: bool | None = None,
    ) -> None:
        self._target, self._args, self._kwargs = target, args, kwargs or {}

    def start(self) -> None:
        target, self._target = self._target, None
        if target is not None:
            target(*self._args, **self._kwargs)

    def join(self, timeout: float | None = None) -> None:
        return None

    def is_alive(self) -> bool:
        return False


def _fewer_execution_threads() -> None:
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state

    original_program_eval = Program.eval

    def program_eval(self: Any, env: Any) -> None:
        # moto's thread is there to stop the program at its TimeoutSeconds; without one it only waits.
        if self.timeout_seconds is not None:
            original_program_eval(self, env)
            return
        env.next_state_name = self.start_at.start_at_name
        EvalComponent.eval(self, env)

    Program.eval = program_eval  # type: ignore[method-assign]

    inline = threading.local()
    real_thread = execute_state.Thread
    made = [0]

    def thread(*args: Any, **kwargs: Any) -> Any:
        made[0] += 1
        if made[0] % _PRUNE_EVERY == 0:
            prune_finished_threads()  # moto lists every thread it starts and never drops one
        if getattr(inline, "pending", False):
            inline.pending = False
            return _InlineThread(*args, **kwargs)
        return real_thread(*args, **kwargs)

    original_evaluate = execute_state.ExecutionState._evaluate_with_timeout

    def evaluate_with_timeout(self: Any, env: Any) -> None:
        # The task's thread only lets its starter stop waiting at the timeout; a fixed timeout of a day or
        # more is never reached locally. The flag is taken by the next ``Thread`` this call makes.
        timeout = self.timeout
        inline.pending = (
            isinstance(timeout, TimeoutSeconds) and timeout.timeout_seconds >= INLINE_TIMEOUT_SECONDS
        )
        try:
            original_evaluate(self, env)
        finally:
            inline.pending = False

    execute_state.Thread = thread  # type: ignore[misc,assignment]
    execute_state.ExecutionState._evaluate_with_timeout = evaluate_with_timeout  # type: ignore[method-assign]


def _cheap_queue_counts() -> None:
    from moto.sqs import models as sqs_models

    # Same tests as ``Message.visible`` and ``Message.delayed``, with one reading of moto's clock.
    def messages(self: Any) -> list[Any]:
        now = sqs_models.unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    def delayed(self: Any) -> int:
        now = sqs_models.unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def not_visible(self: Any) -> int:
        now = sqs_models.unix_time_millis()
        return sum(1 for m in self._messages if not now > m.visible_at)

    queue = sqs_models.Queue
    queue.messages = property(messages)  # type: ignore[method-assign,assignment]
    queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[method-assign,assignment]
    queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[method-assign,assignment]


def _parse_event_paths_once() -> None:
    import jsonpath_ng.ext

    # moto's EventBridge imports ``parse`` from here at each call; a parsed path is not changed by ``find``.
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)
