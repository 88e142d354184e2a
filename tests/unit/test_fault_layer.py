"""The fault layer itself: it fails the share of DynamoDB calls asked, with errors botocore parses as AWS's.

No engine is needed: a faulted call never leaves the client, and the calls that pass go to an address
nothing listens on (refused at once, which botocore reports as a connection error, not a ClientError).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from oms import aws
from oms_local import faults

PASSING = "passed"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.session.Session().client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",  # discard port: nothing answers, refused at once
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=0.2),
    )
    faults._attach("dynamodb", client)
    yield client
    aws.reset()


def _outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    except EndpointConnectionError:
        return PASSING
    raise AssertionError("the discard port answered")


def _transact(client: Any, items: int) -> None:
    client.transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": "t",
                    "Key": {"pk": {"S": str(i)}},
                    "ConditionExpression": "a = b",
                }
            }
            for i in range(items)
        ]
    )


def test_a_share_of_calls_fails_with_each_error_in_its_weight(dynamodb: Any) -> None:
    seen: Counter[str] = Counter()
    with faults.inject(0.2, seed=3) as injected:
        for _ in range(600):
            seen[_outcome(lambda: dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}}))] += 1
            seen[_outcome(lambda: dynamodb.put_item(TableName="t", Item={"pk": {"S": "a"}}))] += 1
            seen[_outcome(lambda: _transact(dynamodb, 3))] += 1
    calls = 1800
    failed = calls - seen[PASSING]
    assert injected.total_calls == calls
    assert failed == injected.total_injected
    assert 0.17 <= failed / calls <= 0.23  # 20 % asked
    # Each error only where AWS gives it: a cancelled transaction only for TransactWriteItems, a write
    # conflict only for single-item writes.
    assert injected.faulted["TransactWriteItems"] >= seen["TransactionCanceledException"] > 0
    assert injected.faulted["PutItem"] >= seen["TransactionConflictException"] > 0
    assert seen["ThrottlingException"] > 0 and seen["ProvisionedThroughputExceededException"] > 0
    assert seen["ThrottlingException"] + seen["ProvisionedThroughputExceededException"] == (
        injected.injected[faults.THROTTLING] + injected.injected[faults.PROVISIONED]
    )


def test_the_same_seed_draws_the_same_faults(dynamodb: Any) -> None:
    runs = []
    for _ in range(2):
        with faults.inject(0.3, seed=11):
            runs.append(
                [
                    _outcome(lambda: dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}}))
                    for _ in range(50)
                ]
            )
    assert runs[0] == runs[1]
    assert PASSING in runs[0] and len(set(runs[0])) > 1


def test_a_cancelled_transaction_carries_one_reason_per_item_with_a_conflict(dynamodb: Any) -> None:
    with faults.inject(1.0, seed=5, weights={faults.TRANSACTION_CONFLICT: 1}):
        for _ in range(20):
            with pytest.raises(ClientError) as raised:
                _transact(dynamodb, 4)
            response = raised.value.response
            assert response["Error"]["Code"] == "TransactionCanceledException"
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
            codes = [r["Code"] for r in response["CancellationReasons"]]
            assert len(codes) == 4
            assert "TransactionConflict" in codes
            assert set(codes) <= {"TransactionConflict", "None"}
        # A cancelled transaction is not botocore's to retry: one attempt each.
        assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_throttling_is_retried_by_botocore_itself(dynamodb: Any) -> None:
    client = boto3.session.Session().client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        config=aws._CONFIG,  # the service's own retry policy
    )
    faults._attach("dynamodb", client)
    with faults.inject(1.0, weights={faults.THROTTLING: 1}) as injected, pytest.raises(ClientError) as raised:
        client.get_item(TableName="t", Key={"pk": {"S": "a"}})
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 3
    assert injected.injected[faults.THROTTLING] == 4  # botocore tried four times, as with AWS


def test_table_management_calls_are_left_alone(dynamodb: Any) -> None:
    with faults.inject(1.0) as injected:
        assert _outcome(lambda: dynamodb.list_tables()) == PASSING
    assert injected.total_calls == 0


def test_off_means_off(dynamodb: Any) -> None:
    assert _outcome(lambda: dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}})) == PASSING


def test_the_environment_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_FAULTS", "0.25")
    monkeypatch.setenv("OMS_FAULTS_SEED", "4")
    started = faults.from_environment()
    try:
        assert started is not None and started.rate == 0.25 and started.seed == 4
        assert faults._faults is started
    finally:
        faults.stop()
    monkeypatch.setenv("OMS_FAULTS", "0")
    assert faults.from_environment() is None
    monkeypatch.setenv("OMS_FAULTS", "lots")
    with pytest.raises(ValueError, match="OMS_FAULTS"):
        faults.from_environment()
