"""The local Lambda runtime on its own: worker processes as execution environments.

Each test writes a small function into a temporary folder and runs it through
:class:`oms_local.runtime.environments.Runtime`, as the local stack runs the template's functions.
"""

from __future__ import annotations

import itertools
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from oms_build import bytecode
from oms_build.targets import runtime_target
from oms_local.runtime import artefact
from oms_local.runtime.environments import CallFault, FunctionSpec, Runtime, RuntimeSettings

PROBE = """
import os, sys, importlib.util

def handler(event, context):
    return {
        "pid": os.getpid(),
        "environment": dict(os.environ),
        "path": sys.path,
        "importable": {name: importlib.util.find_spec(name) is not None for name in event.get("modules", [])},
        "remaining_ms": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
    }
"""


def write_function(root: Path, source: str, name: str = "app") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.py").write_text(textwrap.dedent(source))
    return root


def spec(code_dir: Path, layer_dir: Path, **overrides: Any) -> FunctionSpec:
    values: dict[str, Any] = {
        "logical_id": "ProbeFunction",
        "name": "ProbeFunction",
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:ProbeFunction",
        "handler": "app.handler",
        "code_dir": code_dir,
        "layer_dir": layer_dir,
        "environment": {"ONLY_MINE": "yes"},
        "timeout_seconds": 5.0,
        "memory_mb": 256,
        **overrides,
    }
    return FunctionSpec(**values)


@pytest.fixture
def runtime(tmp_path: Path) -> Any:
    settings = RuntimeSettings(
        endpoints={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
        credentials=lambda s: {"AWS_ACCESS_KEY_ID": "AKIDPROBE", "AWS_SECRET_ACCESS_KEY": "x"},
        clock_offset=lambda: 3600.0,
        log_dir=tmp_path / "logs",
    )
    made = Runtime(settings)
    yield made
    made.close()


def test_a_function_sees_its_own_environment_and_nothing_of_the_development_one(
    runtime: Runtime, tmp_path: Path
) -> None:
    code = write_function(tmp_path / "probe", PROBE)
    layer = tmp_path / "layer"
    layer.mkdir()
    outcome = runtime.invoke(spec(code, layer), {"modules": ["json", "pytest", "moto", "oms"]}, "req-1")
    assert outcome.error is None, outcome.error
    result = outcome.result
    environment = result["environment"]
    assert environment["ONLY_MINE"] == "yes"
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "ProbeFunction"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert environment["AWS_ACCESS_KEY_ID"] == "AKIDPROBE"
    assert "PYTEST_CURRENT_TEST" not in environment  # nothing of this process's environment
    assert "VIRTUAL_ENV" not in environment
    assert result["path"][:2] == [str(code), str(layer)]
    assert result["importable"] == {"json": True, "pytest": False, "moto": False, "oms": False}
    assert result["request_id"] == "req-1"
    assert 0 < result["remaining_ms"] <= 5000
    assert outcome.cold_start_ms is not None


def test_a_worker_runs_the_interpreter_it_is_given_and_says_which(tmp_path: Path) -> None:
    python = bytecode.interpreter(runtime_target().python_version)
    if python is None:
        pytest.skip("no Python 3.12 on this machine: the workers run this interpreter")
    settings = RuntimeSettings(
        endpoints={},
        credentials=lambda s: {},
        clock_offset=lambda: 0.0,
        log_dir=tmp_path / "logs",
        python=python,
    )
    made = Runtime(settings)
    try:
        code = write_function(
            tmp_path / "version", "import sys\ndef handler(e, c): return list(sys.version_info[:2])\n"
        )
        outcome = made.invoke(spec(code, tmp_path), {}, "v")
        assert outcome.result == [3, 12]
        assert {v.rsplit(".", 1)[0] for v in made.python_versions()["ProbeFunction"]} == {"3.12"}
    finally:
        made.close()


def test_the_stack_runs_functions_under_lambdas_python_where_the_machine_has_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wanted = runtime_target().python_version
    chosen = artefact.for_workers()
    if bytecode.interpreter(wanted) is None:
        assert (chosen.python, chosen.artefact.root.name) == (sys.executable, "host")
    else:
        assert (chosen.version, chosen.artefact.root.name) == (wanted, "runtime")
        assert chosen.artefact.function_dir(Path("functions/notify")).joinpath("app.py").is_file()
    monkeypatch.setenv(artefact.WORKER_PYTHON_VARIABLE, "host")
    kept = artefact.for_workers()
    assert (kept.python, kept.artefact.root.name) == (sys.executable, "host")


def test_the_next_invocation_reuses_the_warm_environment(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(tmp_path / "probe", PROBE)
    first = runtime.invoke(spec(code, tmp_path), {}, "a")
    second = runtime.invoke(spec(code, tmp_path), {}, "b")
    assert first.result["pid"] == second.result["pid"]
    assert first.cold_start_ms is not None
    assert second.cold_start_ms is None
    assert runtime.environment_count() == 1


def test_overlapping_invocations_get_environments_of_their_own(runtime: Runtime, tmp_path: Path) -> None:
    arrived = tmp_path / "arrived"
    arrived.mkdir()
    code = write_function(
        tmp_path / "slow",
        f"""
        import os, time
        def handler(event, context):
            if event.get("wait"):  # each returns only once all three are in flight: none frees up early
                open(os.path.join({str(arrived)!r}, context.aws_request_id), "w").close()
                while len(os.listdir({str(arrived)!r})) < 3:
                    time.sleep(0.01)
            return os.getpid()
        """,
    )
    function = spec(code, tmp_path, timeout_seconds=120.0)
    runtime.invoke(function, {}, "warm-up")
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(runtime.invoke(function, {"wait": True}, f"r{i}")))
        for i in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(outcome.error is None for outcome in results)
    assert len({outcome.result for outcome in results}) == 3  # three processes served the overlap
    assert runtime.environment_count() == 3


def test_a_burst_starts_one_environment_at_a_time_and_every_invocation_is_served(
    runtime: Runtime, tmp_path: Path
) -> None:
    starts = tmp_path / "starts.log"
    code = write_function(
        tmp_path / "slow_start",
        f"""
        import os, time
        began = time.time()
        time.sleep(0.5)  # a slow import
        with open({str(starts)!r}, "a") as log:
            log.write(f"{{began}} {{time.time()}}\\n")
        def handler(event, context):
            time.sleep(0.2)
            return os.getpid()
        """,
    )
    function = spec(code, tmp_path)
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(runtime.invoke(function, {}, f"r{i}")))
        for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert all(outcome.error is None for outcome in results), [o.error for o in results]
    windows = sorted(tuple(map(float, line.split())) for line in starts.read_text().splitlines())
    assert len(windows) == runtime.environment_count() >= 2  # the burst did scale out
    assert all(ended <= began for (_, ended), (began, _) in itertools.pairwise(windows))
    assert sum(outcome.cold_start_ms is None for outcome in results) >= 1  # some took one that freed up


def test_past_its_timeout_an_invocation_fails_as_lambda_says_and_the_environment_is_replaced(
    runtime: Runtime, tmp_path: Path
) -> None:
    code = write_function(
        tmp_path / "sleepy",
        """
        import os, time
        def handler(event, context):
            time.sleep(event["sleep"])
            return os.getpid()
        """,
    )
    function = spec(code, tmp_path, timeout_seconds=1.0)
    first = runtime.invoke(function, {"sleep": 0}, "ok")
    started = time.monotonic()
    timed_out = runtime.invoke(function, {"sleep": 30}, "late")
    assert time.monotonic() - started < 20  # ended at the timeout, not after the handler's 30 s
    assert timed_out.error is not None
    assert timed_out.error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in timed_out.error["errorMessage"]
    after = runtime.invoke(function, {"sleep": 0}, "again")
    assert after.cold_start_ms is not None  # a fresh environment
    assert after.result != first.result


def test_a_worker_that_dies_mid_invocation_fails_that_invocation(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(
        tmp_path / "dies",
        """
        import os
        def handler(event, context):
            if event.get("die"):
                os._exit(3)
            return "alive"
        """,
    )
    function = spec(code, tmp_path)
    died = runtime.invoke(function, {"die": True}, "r1")
    assert died.error is not None
    assert died.error["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in died.error["errorMessage"]
    assert runtime.invoke(function, {}, "r2").result == "alive"


def test_an_import_error_is_an_init_error_for_every_invocation(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(tmp_path / "broken", "import a_module_no_layer_has\ndef handler(e, c): return 1\n")
    outcome = runtime.invoke(spec(code, tmp_path), {}, "r1")
    assert outcome.error is not None
    assert outcome.error["errorType"] == "Runtime.ImportModuleError"
    assert "a_module_no_layer_has" in outcome.error["errorMessage"]
    assert runtime.environment_count() == 0


def test_a_handler_error_is_reported_with_its_type(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(tmp_path / "raises", "def handler(e, c):\n    raise KeyError('sku')\n")
    outcome = runtime.invoke(spec(code, tmp_path), {}, "r1")
    assert outcome.error is not None
    assert outcome.error["errorType"] == "KeyError"
    assert outcome.error["requestId"] == "r1"


def test_a_result_lambda_cannot_serialise_is_a_marshal_error(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(tmp_path / "odd", "def handler(e, c):\n    return {1, 2}\n")
    outcome = runtime.invoke(spec(code, tmp_path), {}, "r1")
    assert outcome.error is not None
    assert outcome.error["errorType"] == "Runtime.MarshalError"


AWS_CALLER = """
import boto3, os
def handler(event, context):
    client = boto3.client("sqs")
    try:
        client.list_queues()
    except Exception as exc:
        return {"error": type(exc).__name__, "text": str(exc), "pid": os.getpid()}
    return {"error": None, "pid": os.getpid()}
"""


def test_every_aws_call_is_announced_and_a_refusal_is_the_services_access_denied(
    tmp_path: Path,
) -> None:
    seen: list[tuple[str, str, str]] = []

    class Refusal:
        allowed = False
        message = "User: arn:aws:sts::123456789012:assumed-role/probe/ProbeFunction is not authorized"
        error_code = "AccessDenied"

    def authorize(function: str, service: str, operation: str, params: dict[str, Any]) -> Any:
        seen.append((function, service, operation))
        return Refusal()

    settings = RuntimeSettings(
        endpoints={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
        credentials=lambda s: {"AWS_ACCESS_KEY_ID": "AKIDPROBE", "AWS_SECRET_ACCESS_KEY": "x"},
        clock_offset=lambda: 0.0,
        authorize=authorize,
    )
    runtime = Runtime(settings)
    try:
        code = write_function(tmp_path / "caller", AWS_CALLER)
        outcome = runtime.invoke(spec(code, artefact.host().layer_python), {}, "r1")
    finally:
        runtime.close()
    assert outcome.error is None, outcome.error
    assert outcome.result["error"] == "ClientError"
    assert "AccessDenied" in outcome.result["text"]
    assert "not authorized" in outcome.result["text"]
    assert seen == [("ProbeFunction", "sqs", "ListQueues")]


def test_a_planned_crash_ends_the_environment_before_that_aws_call(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(tmp_path / "caller", AWS_CALLER)
    function = spec(code, artefact.host().layer_python)
    with runtime.settings.faults.plan(CallFault("ProbeFunction", call=1, kind="crash")):
        crashed = runtime.invoke(function, {}, "r1")
        assert crashed.error is not None
        assert crashed.error["errorType"] == "Runtime.ExitError"
        # The fault hit once: the next invocation reaches the (absent) endpoint and reports that instead.
        after = runtime.invoke(function, {}, "r2")
    assert after.error is None
    assert after.result["error"] is not None
    assert after.result["error"] != "ClientError" or "AccessDenied" not in after.result.get("text", "")


def test_the_local_clock_offset_reaches_the_service_clock(runtime: Runtime, tmp_path: Path) -> None:
    code = write_function(
        tmp_path / "clock",
        """
        from datetime import UTC, datetime
        from oms import clock
        def handler(event, context):
            return (clock.now() - datetime.now(UTC)).total_seconds()
        """,
    )
    outcome = runtime.invoke(spec(code, artefact.host().layer_python), {}, "r1")
    assert outcome.error is None, outcome.error
    assert 3590 < outcome.result < 3610
