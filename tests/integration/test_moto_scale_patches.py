"""The local stack's patches that keep moto's cost per order flat (oms_local.moto_patches): a transaction
still rolls back all or nothing, queries still answer what moto answered, and an execution parked on a
task token holds one thread. moto only (DynamoDB Local has its own engine). About 2 s beyond the
cloud's boot."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from oms_local import moto_patches
from oms_local.cloud import Cloud

pytestmark = pytest.mark.parametrize("engine", ["moto"])

TABLE = "scale-patches"


def _table(cloud: Cloud) -> Any:
    dynamodb = cloud.client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gpk", "gsk")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "open",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return dynamodb


def _everything(dynamodb: Any) -> list[dict[str, Any]]:
    items = dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_a_cancelled_transaction_leaves_every_item_as_it_was(cloud: Cloud) -> None:
    dynamodb = _table(cloud)
    dynamodb.put_item(
        TableName=TABLE, Item={**_key("a", "1"), "n": {"N": "5"}, "gpk": {"S": "q"}, "gsk": {"S": "1"}}
    )
    dynamodb.put_item(TableName=TABLE, Item={**_key("b", "1"), "n": {"N": "1"}})
    before = _everything(dynamodb)

    writes = [
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("a", "1"),
                "UpdateExpression": "SET n = n - :one REMOVE gpk",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Put": {"TableName": TABLE, "Item": {**_key("c", "1"), "n": {"N": "9"}}}},
        {"Delete": {"TableName": TABLE, "Key": _key("b", "1")}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("a", "2"),
                "UpdateExpression": "SET n = :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        # The last action fails after every other one was applied: all of them are undone.
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": _key("d", "1"),
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
    ]
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=writes)
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert _everything(dynamodb) == before
    assert (
        dynamodb.query(
            TableName=TABLE,
            IndexName="open",
            KeyConditionExpression="gpk = :q",
            ExpressionAttributeValues={":q": {"S": "q"}},
        )["Count"]
        == 1
    )

    # Two actions on one item: refused before anything is kept, nothing changed either.
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=[writes[1], writes[1]])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _everything(dynamodb) == before

    dynamodb.transact_write_items(TransactItems=writes[:4])
    after = {(i["pk"]["S"], i["sk"]["S"]): i for i in _everything(dynamodb)}
    assert set(after) == {("a", "1"), ("a", "2"), ("c", "1")}
    assert after[("a", "1")]["n"] == {"N": "4"} and "gpk" not in after[("a", "1")]


def test_queries_answer_from_the_partition_and_the_index(cloud: Cloud) -> None:
    dynamodb = _table(cloud)
    for pk in ("p", "q", "r"):
        for sk in ("3", "1", "2"):
            item = {**_key(pk, sk), "v": {"S": f"{pk}{sk}"}}
            if sk != "2":  # sparse index: only some items carry its key
                item |= {"gpk": {"S": "open"}, "gsk": {"S": f"{sk}-{pk}"}}
            dynamodb.put_item(TableName=TABLE, Item=item)

    def query(**kwargs: Any) -> list[str]:
        found: list[str] = []
        start: dict[str, Any] | None = None
        while True:
            page = dynamodb.query(
                TableName=TABLE, Limit=2, **kwargs, **({"ExclusiveStartKey": start} if start else {})
            )
            found += [i["v"]["S"] for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    in_q = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "q"}}}
    assert query(**in_q) == ["q1", "q2", "q3"]
    assert query(**in_q, ScanIndexForward=False) == ["q3", "q2", "q1"]
    assert query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "none"}}) == []
    open_ = {
        "IndexName": "open",
        "KeyConditionExpression": "gpk = :g",
        "ExpressionAttributeValues": {":g": {"S": "open"}},
    }
    assert query(**open_) == ["p1", "q1", "r1", "p3", "q3", "r3"]
    assert query(
        IndexName="open",
        KeyConditionExpression="gpk = :g AND begins_with(gsk, :three)",
        ExpressionAttributeValues={":g": {"S": "open"}, ":three": {"S": "3"}},
    ) == ["p3", "q3", "r3"]


def _last_events(sfn: Any, runs: list[str]) -> list[dict[str, Any]]:
    """Where each execution stands (its last history event), to say why a token did not come."""
    return [sfn.get_execution_history(executionArn=arn)["events"][-1] for arn in runs]


def test_an_execution_parked_on_a_task_token_holds_one_thread_and_still_finishes(cloud: Cloud) -> None:
    sqs, sfn = cloud.client("sqs"), cloud.client("stepfunctions")
    url = sqs.create_queue(QueueName="scale-patches-tokens")["QueueUrl"]
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}},
                "TimeoutSeconds": 7776000,
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name="scale-patches", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/x"
    )["stateMachineArn"]
    threads_before = set(threading.enumerate())
    runs = [
        sfn.start_execution(stateMachineArn=machine, name=f"run-{n}", input="{}")["executionArn"]
        for n in range(4)
    ]

    tokens: list[str] = []
    deadline = time.monotonic() + 30
    while len(tokens) < len(runs) and time.monotonic() < deadline:
        # Long polling: woken by the send, and no busy loop competing with the executions for the GIL.
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        tokens += [json.loads(message["Body"])["token"] for message in answer.get("Messages", [])]
    assert len(tokens) == len(runs), _last_events(sfn, runs)
    parked = [e for e in cloud.running_executions() if moto_patches.is_parked(e)]
    assert len(parked) == len(runs)
    started = [t for t in threading.enumerate() if t not in threads_before]
    assert len(started) == len(runs)  # moto as shipped: three each

    for token in tokens:
        sfn.send_task_success(taskToken=token, output='{"ok": true}')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = [sfn.describe_execution(executionArn=arn)["status"] for arn in runs]
        if all(status != "RUNNING" for status in statuses):
            break
        time.sleep(0.05)
    assert statuses == ["SUCCEEDED"] * len(runs)
    assert [json.loads(sfn.describe_execution(executionArn=arn)["output"]) for arn in runs] == [
        {"ok": True}
    ] * 4
