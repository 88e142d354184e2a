"""Everything the local stack serves comes from template.yaml, and everything template.yaml declares is served.

The template is read here on its own (YAML with CloudFormation tags, nothing of the local stack's resolver)
and compared with what the running stack does: which function answers each route, the routes its
handlers document in /openapi.json, the state machines and schedules in its moto account, and the
queues its pollers drain. Both directions, so a route, function, machine or schedule cannot be added on
one side only.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from oms_local.template import TEMPLATE_PATH, kebab, load_yaml
from oms_local.testing import StackClient, Worlds

DOC = load_yaml(TEMPLATE_PATH.read_text(encoding="utf-8"))
RESOURCES: dict[str, dict[str, Any]] = DOC["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
MACHINES = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::StateMachine"}
LOCAL_ONLY = "/_local/"


# What the stack serves does not depend on the DynamoDB engine: moto only. Taking the suite-wide engine
# parameter (not a world of its own) keeps these tests in the moto group, so no world is swapped in.
pytestmark = pytest.mark.parametrize("engine", ["moto"], indirect=True)


@pytest.fixture
def moto_stack(local_worlds: Worlds, engine: str) -> StackClient:
    world = local_worlds.get(engine)
    world.reset()
    return world


def events_of(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (function, key, event["Properties"])
        for function, resource in FUNCTIONS.items()
        for key, event in (resource["Properties"].get("Events") or {}).items()
        if event["Type"] == kind
    ]


def sub(value: Any, parameters: dict[str, str]) -> str:
    """A name written as ``!Sub oms-${Stage}-…`` with the stack's parameter values."""
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    return re.sub(r"\$\{(\w+)\}", lambda m: parameters[m.group(1)], str(text))


DECLARED_ROUTES = {(p["Method"].upper(), p["Path"], fn) for fn, _, p in events_of("HttpApi")}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "probe1", path)


def shape(path: str) -> str:
    """A path with its parameters unnamed: API Gateway matches /v1/orders/{id} and /v1/orders/{order_id} alike."""
    return re.sub(r"\{[^}]+\}", "{}", path)


# ---------------------------------------------------------------------------------------------- routes


def test_each_declared_route_reaches_its_function_and_nothing_else_is_routed(moto_stack: StackClient) -> None:
    reached: list[tuple[str, str, str]] = []

    def recorder(function: str) -> Any:
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            reached.append((event["requestContext"]["http"]["method"], event["routeKey"], function))
            return {"statusCode": 204, "headers": {}, "body": ""}

        return handler

    admin = moto_stack.admin_token()
    with ExitStack() as substitutions:
        for function in FUNCTIONS:
            substitutions.enter_context(moto_stack.cloud.functions.substitute(function, recorder(function)))
        for method, path, function in sorted(DECLARED_ROUTES):
            answer = moto_stack.request(method, concrete(path), token=admin)
            assert answer.status == 204, (method, path, answer.status, answer.text)
            assert reached[-1] == (method, f"{method} {path}", function)
        # The other direction: a path or method the template does not declare reaches no function.
        before = len(reached)
        assert moto_stack.request("GET", "/v1/undeclared/probe1", token=admin).status == 404
        assert moto_stack.request("DELETE", "/v1/orders/probe1", token=admin).status == 405
        assert len(reached) == before
    served = {(r.method, r.path, r.function) for r in moto_stack.local.template.routes}
    assert served == DECLARED_ROUTES


def test_the_routes_the_handlers_document_are_exactly_the_declared_routes(moto_stack: StackClient) -> None:
    document = moto_stack.request("GET", "/openapi.json").json()
    documented = {
        (method.upper(), shape(path))
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete") and not path.startswith(LOCAL_ONLY)
    }
    assert documented == {(method, shape(path)) for method, path, _ in DECLARED_ROUTES}


# ---------------------------------------------------------------------------------------------- functions


def test_every_declared_function_is_served_from_its_code_folder_and_no_other(moto_stack: StackClient) -> None:
    served = moto_stack.local.template.functions
    assert set(served) == set(FUNCTIONS)
    root = TEMPLATE_PATH.parent
    globals_env = DOC["Globals"]["Function"]["Environment"]["Variables"]
    for name, resource in FUNCTIONS.items():
        function = moto_stack.cloud.functions.get(name)
        assert function.code_dir == (root / resource["Properties"]["CodeUri"]).resolve(), name
        assert moto_stack.cloud.functions.exists_on_disk(function), name
        assert set(globals_env) | set(
            (resource["Properties"].get("Environment") or {}).get("Variables", {})
        ) <= set(function.environment), name


def test_every_declared_queue_is_drained_by_its_function_and_only_those(moto_stack: StackClient) -> None:
    declared = {(p["Queue"]["Fn::GetAtt"][0], fn) for fn, _, p in events_of("SQS")}
    queues = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::SQS::Queue"}
    drained = {
        tuple(poller.label.split("->", 1))
        for poller in moto_stack.local.pollers
        if poller.label.split("->", 1)[0] in queues
    }
    assert drained == declared


# ---------------------------------------------------------------------------------------------- state machines


def test_every_declared_state_machine_runs_its_asl_file_and_no_other(moto_stack: StackClient) -> None:
    parameters = moto_stack.local.template.parameters
    sfn = moto_stack.cloud.client("stepfunctions")
    listed = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    declared = {sub(m["Properties"]["Name"], parameters): k for k, m in MACHINES.items()}
    assert set(listed) == set(declared)
    for name, logical_id in declared.items():
        props = MACHINES[logical_id]["Properties"]
        described = sfn.describe_state_machine(stateMachineArn=listed[name])
        assert described["type"] == props["Type"], name
        text = (TEMPLATE_PATH.parent / props["DefinitionUri"]).read_text()
        for key, value in props["DefinitionSubstitutions"].items():
            function = value["Fn::GetAtt"][0]
            text = text.replace("${" + key + "}", moto_stack.cloud.functions.get(function).arn)
        assert json.loads(described["definition"]) == json.loads(text), name


# ---------------------------------------------------------------------------------------------- schedules


def test_every_declared_schedule_fires_its_function_on_its_expression_and_no_other(
    moto_stack: StackClient,
) -> None:
    parameters = moto_stack.local.template.parameters
    declared = {
        sub(p["Name"], parameters): (p["ScheduleExpression"], fn, kebab(key))
        for fn, key, p in events_of("ScheduleV2")
    }
    scheduler = moto_stack.cloud.client("scheduler")
    listed = {s["Name"] for s in scheduler.list_schedules()["Schedules"]}
    assert listed == set(declared)
    for name, (expression, function, local_name) in declared.items():
        schedule = scheduler.get_schedule(Name=name)
        assert schedule["ScheduleExpression"] == expression, name
        assert schedule["Target"]["Arn"] == moto_stack.cloud.functions.get(function).arn, name
        assert moto_stack.local.template.schedules[local_name].function == function
    assert set(moto_stack.local.scheduler.names if moto_stack.local.scheduler else []) == {
        local for _, _, local in declared.values()
    }


def test_the_template_this_suite_reads_is_the_one_the_stack_loaded(moto_stack: StackClient) -> None:
    assert Path(moto_stack.local.template.path).resolve() == TEMPLATE_PATH.resolve()
