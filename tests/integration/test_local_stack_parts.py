"""Parts of the local stack on their own: template reading, schedule expressions, routing, the authorizer,
functions whose code is not written yet."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from oms_local.auth import JwtSettings, TokenRejected, claim_text, mint, verify
from oms_local.functions import Functions
from oms_local.gateway import Gateway, MethodNotAllowed, Request, Router
from oms_local.scheduler import next_time
from oms_local.template import HttpRoute, TemplateError, kebab, load


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINI = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: python3.12
    Timeout: 7
    Environment:
      Variables:
        TABLE: !Ref Table
        REGION_AND_STACK: !Sub "${AWS::Region}/${AWS::StackName}"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub shop-${Stage}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Dlq:
    Type: AWS::SQS::Queue
  Work:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: Call
        States:
          Call: {Type: Task, Resource: arn:aws:states:::lambda:invoke, Parameters: {FunctionName: "${Fn}"}, End: true}
      DefinitionSubstitutions:
        Fn: !GetAtt Worker.Arn
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: app.handler
      Environment:
        Variables:
          QUEUE_URL: !Ref Work
          MACHINE: !Ref Machine
          MODE: !If [IsProd, strict, relaxed]
          FIRST: !Select [0, !Split [",", "a,b"]]
          JOINED: !Join ["-", [x, !Ref Stage]]
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Work.Arn, BatchSize: 5}}
        NightlyCleanUp: {Type: ScheduleV2, Properties: {ScheduleExpression: "cron(0 3 * * ? *)", Input: '{"a": 1}'}}
        Ping: {Type: HttpApi, Properties: {Path: /ping, Method: get}}
"""


def test_intrinsics_resolve_for_local_use(tmp_path: Path) -> None:
    template = load(_write(tmp_path, MINI))
    worker = template.functions["Worker"]
    assert worker.environment == {
        "TABLE": "shop-dev",
        "REGION_AND_STACK": "us-east-1/oms-local",
        "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/oms-local-Work",
        "MACHINE": "arn:aws:states:us-east-1:123456789012:stateMachine:oms-local-Machine",
        "MODE": "relaxed",
        "FIRST": "a",
        "JOINED": "x-dev",
    }
    assert worker.timeout_seconds == 7
    assert worker.code_dir == (tmp_path / "functions" / "worker").resolve()
    assert worker.arn == "arn:aws:lambda:us-east-1:123456789012:function:Worker"
    assert template.sqs_mappings[0].queue == "Work" and template.sqs_mappings[0].batch_size == 5
    assert template.queues["Work"].dead_letter_queue == "Dlq"
    assert json.loads(template.queues["Work"].attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:oms-local-Dlq",
        "maxReceiveCount": 3,
    }
    schedule = template.schedules["nightly-clean-up"]
    assert (schedule.expression, schedule.input) == ("cron(0 3 * * ? *)", '{"a": 1}')
    assert template.routes == (HttpRoute("GET", "/ping", True, "Worker", "Ping"),)
    assert worker.arn in template.state_machines["Machine"].definition
    assert load(_write(tmp_path, MINI), {"Stage": "prod"}).functions["Worker"].environment["MODE"] == "strict"


def test_two_functions_disagreeing_on_a_variable_cannot_share_the_process(tmp_path: Path) -> None:
    text = (
        MINI
        + """
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/other/
      Handler: app.handler
      Environment: {Variables: {MODE: other}}
"""
    )
    with pytest.raises(TemplateError, match="MODE"):
        load(_write(tmp_path, text)).environment()


def test_kebab_case_names_of_schedules() -> None:
    assert kebab("ReleaseUnpaid") == "release-unpaid"
    assert kebab("SLAEscalation") == "sla-escalation"
    assert kebab("AutoConfirmReceipt") == "auto-confirm-receipt"


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("rate(1 minute)", "2026-01-01T00:00:30", "2026-01-01T00:01:30"),
        ("rate(5 minutes)", "2026-01-01T00:00:00", "2026-01-01T00:05:00"),
        ("rate(2 hours)", "2026-01-01T00:00:00", "2026-01-01T02:00:00"),
        ("rate(1 day)", "2026-01-01T00:00:00", "2026-01-02T00:00:00"),
        ("cron(0 3 * * ? *)", "2026-01-01T02:59:59", "2026-01-01T03:00:00"),
        ("cron(0 3 * * ? *)", "2026-01-01T03:00:00", "2026-01-02T03:00:00"),
        ("cron(0/15 * * * ? *)", "2026-01-01T10:16:00", "2026-01-01T10:30:00"),
        ("cron(30 8-9 * * ? *)", "2026-01-01T09:31:00", "2026-01-02T08:30:00"),
    ],
)
def test_schedule_expressions(expression: str, after: str, expected: str) -> None:
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)
    assert next_time(expression, moment) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_routes_pick_the_most_specific_path() -> None:
    router = Router(
        (
            HttpRoute("GET", "/v1/orders/{id}", False, "A", "a"),
            HttpRoute("GET", "/v1/orders/mine", False, "B", "b"),
            HttpRoute("ANY", "/files/{proxy+}", True, "C", "c"),
            HttpRoute("POST", "/v1/orders", False, "D", "d"),
        )
    )
    assert router.match("GET", "/v1/orders/mine") == (router._routes[0].route, {})
    route, params = router.match("GET", "/v1/orders/ord_1") or (None, {})
    assert route is not None and route.function == "A" and params == {"id": "ord_1"}
    route, params = router.match("DELETE", "/files/a/b%20c.txt") or (None, {})
    assert route is not None and route.function == "C" and params == {"proxy": "a/b c.txt"}
    assert router.match("GET", "/v1/nothing") is None
    with pytest.raises(MethodNotAllowed) as refused:
        router.match("GET", "/v1/orders")
    assert refused.value.allowed == ["POST"]


def test_tokens_are_checked_like_the_http_api_authorizer() -> None:
    settings = JwtSettings(secret="s" * 32, issuer="https://issuer.example", audience=("shop",))
    claims = verify(settings, "Bearer " + mint(settings, "cus_9", admin=True))
    assert claims["sub"] == "cus_9" and claims["cognito:groups"] == ["admin"]
    assert verify(settings, mint(settings, "cus_9"))["sub"] == "cus_9"  # "Bearer " is optional, as in AWS
    for header in (None, "", "Bearer ", "Bearer x.y.z", "Basic abc"):
        with pytest.raises(TokenRejected):
            verify(settings, header)
    other = dataclasses.replace(settings, audience=("another",))
    with pytest.raises(TokenRejected):
        verify(other, mint(settings, "cus_9"))
    assert claim_text(["admin", "staff"]) == "[admin staff]"
    assert claim_text(1700000000) == "1700000000"
    assert claim_text(True) == "true"


def test_a_function_not_written_yet_answers_501(tmp_path: Path) -> None:
    base = load()
    meta = base.functions["MetaApiFunction"]
    missing = dataclasses.replace(meta, code_dir=tmp_path / "not_written")
    template = dataclasses.replace(base, functions={**base.functions, "MetaApiFunction": missing})
    functions = Functions(template)
    gateway = Gateway(template, functions, JwtSettings.from_template(template), control=None, port=0)
    try:
        request = Request("GET", "/health", "", {"host": "localhost"}, b"", "127.0.0.1", "req1")
        answer = gateway.handle(request)
        assert answer.status == 501
        assert json.loads(answer.body)["code"] == "not_implemented"
        invoked = functions.invoke("MetaApiFunction", {})
        assert invoked.error is not None and invoked.error["errorType"] == "Runtime.ImportModuleError"
    finally:
        gateway.stop()
