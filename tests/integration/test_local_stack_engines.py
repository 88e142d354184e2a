"""The local cloud on both DynamoDB engines: tables as declared, Step Functions running real Lambda steps,
and conditional writes that hold under concurrency."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from oms_local.cloud import Cloud
from oms_local.template import TEMPLATE_PATH, load_yaml
from oms_local.testing import StackClient


def _declared_tables() -> dict[str, dict[str, Any]]:
    doc = load_yaml(TEMPLATE_PATH.read_text(encoding="utf-8"))
    return {k: v["Properties"] for k, v in doc["Resources"].items() if v["Type"] == "AWS::DynamoDB::Table"}


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def test_tables_are_created_exactly_as_declared(cloud: Cloud) -> None:
    dynamodb = cloud.client("dynamodb")
    declared = _declared_tables()
    assert declared
    for logical_id, props in declared.items():
        name = cloud.template.tables[logical_id].name
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert _keys(table["KeySchema"]) == _keys(props["KeySchema"])
        assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
            (a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]
        }
        assert table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == props.get(
            "BillingMode"
        )
        indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])}
        for index in props.get("GlobalSecondaryIndexes", []):
            made = indexes[index["IndexName"]]
            assert _keys(made["KeySchema"]) == _keys(index["KeySchema"])
            assert made["Projection"]["ProjectionType"] == index["Projection"]["ProjectionType"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            described = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            assert described.get("AttributeName") == ttl["AttributeName"]


def test_the_environment_names_the_tables(cloud: Cloud) -> None:
    from oms.config import settings

    assert settings().table_name == cloud.template.tables["OmsTable"].name
    assert settings().idempotency_table_name == cloud.template.tables["IdempotencyTable"].name


def _machine(cloud: Cloud, name: str, definition: dict[str, Any], kind: str = "EXPRESS") -> str:
    answer = cloud.client("stepfunctions").create_state_machine(
        name=f"{name}-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/test",
        type=kind,
    )
    return str(answer["stateMachineArn"])


def _lambda_task(function_arn: str, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
        "OutputPath": "$.Payload",
        **extra,
    }


def test_start_sync_execution_runs_a_template_function_through_the_lambda_endpoint(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = cloud.template.functions["ReleaseUnpaidFunction"]  # takes any input, answers a JSON object
    calls: list[Any] = []
    original = cloud.functions.invoke

    def spy(name_or_arn: str, event: Any, request_id: str | None = None) -> Any:
        calls.append((name_or_arn, event))
        return original(name_or_arn, event, request_id)

    monkeypatch.setattr(cloud.functions, "invoke", spy)
    arn = _machine(
        cloud,
        "one-step",
        {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Result": {"from": "test"}, "Next": "Call"},
                "Call": _lambda_task(function.arn, End=True),
            },
        },
    )
    answer = cloud.client("stepfunctions").start_sync_execution(stateMachineArn=arn, name="run-1", input="{}")
    assert answer["status"] == "SUCCEEDED", answer
    assert calls == [(function.arn, {"from": "test"})]
    assert isinstance(json.loads(answer["output"]), dict)
    assert answer["name"] == "run-1"
    assert answer["stopDate"] >= answer["startDate"]


def test_the_template_place_order_machine_runs_its_real_steps(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine = cloud.template.state_machines["PlaceOrderStateMachine"]
    assert machine.type == "EXPRESS"
    called: list[str] = []
    original = cloud.functions.invoke

    def spy(name_or_arn: str, event: Any, request_id: str | None = None) -> Any:
        called.append(cloud.functions.get(name_or_arn).logical_id)
        return original(name_or_arn, event, request_id)

    monkeypatch.setattr(cloud.functions, "invoke", spy)
    sfn = cloud.client("stepfunctions")
    for attempt in range(2):  # named executions never collide (moto would call both "None")
        answer = sfn.start_sync_execution(stateMachineArn=machine.arn, name=f"order-{attempt}", input="{}")
        assert answer["name"] == f"order-{attempt}"
        assert answer["status"] in ("SUCCEEDED", "FAILED")
        assert answer.get("error") != "States.Runtime", answer  # a step's own answer, not the interpreter's
    assert called[0] == "ValidateOrderFunction"


def test_a_failing_lambda_step_fails_the_execution_with_its_error(cloud: Cloud) -> None:
    missing = "arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction"
    arn = _machine(
        cloud, "missing-fn", {"StartAt": "Call", "States": {"Call": _lambda_task(missing, End=True)}}
    )
    answer = cloud.client("stepfunctions").start_sync_execution(stateMachineArn=arn, name="fails", input="{}")
    assert answer["status"] == "FAILED"
    assert "ResourceNotFound" in answer.get("error", "") + answer.get("cause", "")


def test_start_sync_execution_refuses_a_standard_machine(cloud: Cloud) -> None:
    arn = _machine(
        cloud, "standard", {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}, "STANDARD"
    )
    with pytest.raises(ClientError):
        cloud.client("stepfunctions").start_sync_execution(stateMachineArn=arn, name="x", input="{}")


def test_idle_waits_for_running_executions_and_not_for_parked_ones(engine_stack: StackClient) -> None:
    cloud = engine_stack.cloud
    function = cloud.template.functions["ReleaseUnpaidFunction"]
    arn = _machine(
        cloud,
        "parks",
        {
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Wait", "Seconds": 1, "Next": "Park"},
                "Park": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": function.arn, "Payload": {"token.$": "$$.Task.Token"}},
                    "End": True,
                },
            },
        },
        "STANDARD",
    )
    sfn = cloud.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, name="parks-1", input="{}")["executionArn"]
    assert not engine_stack.local.wait_idle(timeout=0.3)  # the Wait state is work in progress
    assert engine_stack.idle(timeout=10)  # parked on its task token: nothing left to wait for
    history = sfn.get_execution_history(executionArn=execution)["events"]
    scheduled = [e for e in history if e["type"] == "TaskScheduled"]
    token = json.loads(scheduled[-1]["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
    sfn.send_task_success(taskToken=token, output='{"paid": true}')
    assert engine_stack.idle(timeout=10)
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"paid": True}


def test_conditional_decrements_hold_under_concurrency(cloud: Cloud) -> None:
    dynamodb = cloud.client("dynamodb")
    table = cloud.template.tables["OmsTable"].name
    key = {"pk": {"S": f"RACE#{uuid.uuid4().hex}"}, "sk": {"S": "STOCK"}}
    dynamodb.put_item(TableName=table, Item={**key, "stock": {"N": "100"}})
    successes = 0
    lock = threading.Lock()

    def take() -> None:
        nonlocal successes
        client = cloud.client("dynamodb")
        while True:
            try:
                client.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression="SET stock = stock - :one",
                    ConditionExpression="stock >= :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "ConditionalCheckFailedException"
                return
            with lock:
                successes += 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        for future in [pool.submit(take) for _ in range(16)]:
            future.result()
    left = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["stock"]["N"]
    assert (successes, left) == (100, "0")
