"""The local stack itself, over HTTP: gateway, authorizer, local routes, events, queues, schedules."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
import uuid
from typing import Any

import jwt
import pytest
from oms import clock
from oms_local.runtime import artefact
from oms_local.scheduler import next_time
from oms_local.template import TEMPLATE_PATH, Rule, RuleTarget, StateMachine, Template, kebab, load_yaml
from oms_local.template import load as load_template
from oms_local.testing import Response, StackClient, Worlds

from tests.unit.test_event_catalogue import SAMPLES

pytestmark = pytest.mark.e2e

PROTECTED = "/v1/orders"


def assert_problem(answer: Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status == status, answer.text
    assert answer.content_type.startswith("application/problem+json")
    body = answer.json()
    assert body["code"] == code
    assert body["status"] == status
    return dict(body)


# ---------------------------------------------------------------------------------------------- gateway


def test_health_answers_200(stack: StackClient) -> None:
    answer = stack.request("GET", "/health")
    assert answer.status == 200, answer.text
    assert answer.headers["apigw-requestid"]


def test_openapi_document_is_served(stack: StackClient) -> None:
    answer = stack.request("GET", "/openapi.json")
    assert answer.status == 200, answer.text
    assert answer.content_type.startswith("application/json")
    assert answer.json()["openapi"].startswith("3.")


def test_unknown_route_is_404_problem(stack: StackClient) -> None:
    assert_problem(stack.request("GET", "/v1/nothing/here"), 404, "route_not_found")


def test_wrong_method_on_known_path_is_405_problem(stack: StackClient) -> None:
    answer = stack.request("DELETE", "/health")
    assert_problem(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == "GET"


def test_body_over_one_mebibyte_is_413_before_the_handler(stack: StackClient) -> None:
    calls: list[Any] = []
    with stack.cloud.functions.substitute(
        "StorefrontApiFunction", lambda event, context: calls.append(event)
    ):
        answer = stack.request("POST", PROTECTED, body=b"x" * (1024 * 1024 + 1), token=stack.customer_token())
    assert_problem(answer, 413, "payload_too_large")
    assert calls == []


def test_unhandled_error_is_500_with_request_id_and_no_trace(stack: StackClient) -> None:
    def boom(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("secret internals at line 42")

    with stack.cloud.functions.substitute("MetaApiFunction", boom):
        answer = stack.request("GET", "/health")
    body = assert_problem(answer, 500, "internal_error")
    assert body["request_id"] == answer.headers["apigw-requestid"]
    assert "secret internals" not in answer.text
    assert "Traceback" not in answer.text


def test_handler_gets_a_payload_v2_event_with_claims_as_strings(stack: StackClient) -> None:
    seen: list[dict[str, Any]] = []

    def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok":true}'}

    with stack.cloud.functions.substitute("StorefrontApiFunction", record):
        answer = stack.request(
            "GET",
            "/v1/orders/ord_1%2F2?limit=5&tag=a&tag=b",
            token=stack.admin_token("adm_7"),
            headers={"X-Trace": "t1"},
        )
    assert answer.status == 200, answer.text
    event = seen[0]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /v1/orders/{id}"
    assert event["rawPath"] == "/v1/orders/ord_1%2F2"
    assert event["pathParameters"] == {"id": "ord_1/2"}
    assert event["queryStringParameters"] == {"limit": "5", "tag": "a,b"}
    assert event["headers"]["x-trace"] == "t1"
    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["requestId"] == answer.headers["apigw-requestid"]
    assert context["http"]["method"] == "GET"
    claims = context["authorizer"]["jwt"]["claims"]
    assert claims["sub"] == "adm_7"
    assert claims["cognito:groups"] == "[admin]"
    assert all(isinstance(value, str) for value in claims.values())


# ---------------------------------------------------------------------------------------------- authorizer


def _token(stack: StackClient, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "sub": "cus_1",
        "iss": stack.local.jwt.issuer,
        "aud": stack.local.jwt.audience[0],
        "exp": now + 600,
    }
    claims.update(overrides)
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, stack.local.jwt.secret, algorithm="HS256"
    )


@pytest.mark.parametrize(
    "case",
    ["missing", "expired", "alg_none", "wrong_secret", "wrong_audience", "wrong_issuer", "no_sub", "garbage"],
)
def test_bad_tokens_are_401_problem(stack: StackClient, case: str) -> None:
    token: str | None
    if case == "missing":
        token = None
    elif case == "expired":
        token = _token(stack, exp=int(time.time()) - 5)
    elif case == "alg_none":
        token = jwt.encode({"sub": "cus_1", "exp": int(time.time()) + 600}, "", algorithm="none")
    elif case == "wrong_secret":
        token = jwt.encode(
            {"sub": "cus_1", "exp": int(time.time()) + 600}, "another-secret-entirely!", "HS256"
        )
    elif case == "wrong_audience":
        token = _token(stack, aud="someone-else")
    elif case == "wrong_issuer":
        token = _token(stack, iss="https://evil.example")
    elif case == "no_sub":
        token = _token(stack, sub=None)
    else:
        token = "not-a-jwt"
    assert_problem(stack.request("GET", PROTECTED, token=token), 401, "unauthorized")


def test_a_good_token_passes_the_authorizer(stack: StackClient) -> None:
    answer = stack.request("GET", PROTECTED, token=_token(stack))
    assert answer.status != 401, answer.text


def test_public_routes_need_no_token(stack: StackClient) -> None:
    assert stack.request("GET", "/health").status == 200


# ---------------------------------------------------------------------------------------------- local routes


def test_the_clock_moves(stack: StackClient) -> None:
    before = stack.request("GET", "/_local/clock").json()
    moved = stack.advance(3600)
    assert moved["offset_seconds"] == pytest.approx(before["offset_seconds"] + 3600)
    assert moved["now"] > before["now"]
    assert stack.request("GET", "/_local/clock").json()["offset_seconds"] == pytest.approx(3600)
    bad = stack.request("POST", "/_local/clock", json={"advance_seconds": -1})
    assert_problem(bad, 422, "validation_failed")


def test_a_schedule_runs_by_name(stack: StackClient) -> None:
    answer = stack.run_schedule("release-unpaid")
    assert answer.status == 200, answer.text
    assert answer.json()["schedule"] == "release-unpaid"
    assert_problem(stack.run_schedule("no-such-job"), 404, "schedule_not_found")


def test_advancing_fires_due_schedules_only_when_automatic(stack: StackClient) -> None:
    assert stack.advance(120)["fired"] == []  # the test stack fires schedules only on request
    scheduler = stack.local.scheduler
    assert scheduler is not None
    scheduler.automatic = True
    try:
        scheduler.rearm()
        before = clock.now()
        fired = stack.advance(3 * 86400)["fired"]  # many periods jumped over: each schedule fires once
        due = [
            s.local_name
            for s in stack.local.template.schedules.values()
            if s.enabled and (when := next_time(s.expression, before)) is not None and when <= clock.now()
        ]
        assert due
        assert sorted(fired) == sorted(due)
        assert stack.advance(1)["fired"] == []
    finally:
        scheduler.automatic = False


def test_notifications_list_is_newest_first(stack: StackClient) -> None:
    ses = stack.cloud.client("ses")
    sns = stack.cloud.client("sns")
    sender = "orders@shop.example"
    ses.send_email(
        Source=sender,
        Destination={"ToAddresses": ["buyer@example.com"]},
        Message={"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Thanks"}}},
    )
    stack.advance(60)
    sns.publish(PhoneNumber="+8613800000000", Message="Shipped")
    sent = stack.notifications()
    assert [n["channel"] for n in sent] == ["sms", "email"]
    assert sent[0] == {
        "channel": "sms",
        "to": "+8613800000000",
        "body": "Shipped",
        "sent_at": sent[0]["sent_at"],
    }
    assert sent[1]["to"] == "buyer@example.com"
    assert sent[1]["subject"] == "Your order"
    assert sent[1]["body"] == "Thanks"
    assert sent[0]["sent_at"] > sent[1]["sent_at"]
    assert [n["channel"] for n in stack.notifications(channel="email")] == ["email"]


# ---------------------------------------------------------------------------------------------- events and queues


def _record_invocations(stack: StackClient, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    calls: list[tuple[str, Any]] = []
    functions = stack.cloud.functions
    original = functions.invoke

    def spy(name_or_arn: str, event: Any, request_id: str | None = None) -> Any:
        calls.append((functions.get(name_or_arn).logical_id, event))
        return original(name_or_arn, event, request_id)

    monkeypatch.setattr(functions, "invoke", spy)
    return calls


def _queue_depth(stack: StackClient, logical_id: str) -> int:
    attributes = stack.cloud.client("sqs").get_queue_attributes(
        QueueUrl=stack.cloud.queue_url(logical_id),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_an_event_on_the_bus_reaches_its_sqs_consumer(
    stack: StackClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_invocations(stack, monkeypatch)
    event_id = f"evt_{uuid.uuid4().hex}"
    rules = stack.local.template.rules
    bus = stack.local.template.buses["OmsEventBus"].name
    # A type only the notify rule routes, so no workflow starts for this made-up order.
    # (The webhook rule takes every event; it sends nothing while no one subscribes.)
    others = [r for r in rules.values() if r.logical_id not in ("NotifyRule", "WebhookRule")]
    elsewhere = {t for r in others for t in r.pattern["detail-type"]}
    detail_type = sorted(set(rules["NotifyRule"].pattern["detail-type"]) - elsewhere)[0]
    # Well formed, as the consumer checks it against the catalogue's model.
    sample = next(event for event in SAMPLES if event.detail_type() == detail_type)
    answer = stack.cloud.client("events").put_events(
        Entries=[
            {
                "Source": "oms",
                "DetailType": detail_type,
                "Detail": json.dumps(
                    {**sample.detail(), "event_id": event_id, "order_id": "ord_does_not_exist"}
                ),
                "EventBusName": bus,
            },
            {"Source": "oms", "DetailType": "NotRouted", "Detail": "{}", "EventBusName": bus},
        ]
    )
    assert answer["FailedEntryCount"] == 0
    assert stack.idle()
    notified = [event for name, event in calls if name == "NotifyFunction"]
    assert len(notified) == 1
    record = notified[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.local.template.queues["NotifyQueue"].arn
    delivered = json.loads(record["body"])
    assert delivered["detail-type"] == detail_type
    assert delivered["detail"]["event_id"] == event_id
    assert _queue_depth(stack, "NotifyQueue") == 0
    assert _queue_depth(stack, "NotifyDeadLetterQueue") == 0


def test_a_failing_message_ends_in_the_dlq_after_max_receives(
    stack: StackClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_invocations(stack, monkeypatch)
    queue = stack.local.template.queues["NotifyQueue"]
    max_receives = json.loads(queue.attributes["RedrivePolicy"])["maxReceiveCount"]
    sqs = stack.cloud.client("sqs")
    sqs.send_message(QueueUrl=queue.url, MessageBody="this is not an event")
    assert stack.idle(timeout=20)
    attempts = [event for name, event in calls if name == "NotifyFunction"]
    assert len(attempts) == max_receives
    counts = [int(a["Records"][0]["attributes"]["ApproximateReceiveCount"]) for a in attempts]
    assert counts == list(range(1, max_receives + 1))
    dead = sqs.receive_message(
        QueueUrl=stack.cloud.queue_url("NotifyDeadLetterQueue"), MaxNumberOfMessages=10
    )
    assert [m["Body"] for m in dead.get("Messages", [])] == ["this is not an event"]


def test_partial_batch_failures_retry_only_the_failed_messages(
    stack: StackClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            seen.append(record["body"])
            if record["body"] == "bad" and record["attributes"]["ApproximateReceiveCount"] == "1":
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    sqs = stack.cloud.client("sqs")
    stack.local.pause_pollers()
    for body in ("good", "bad"):
        sqs.send_message(QueueUrl=stack.cloud.queue_url("NotifyQueue"), MessageBody=body)
    with stack.cloud.functions.substitute("NotifyFunction", consumer):
        stack.local.resume_pollers()
        assert stack.idle()
    assert sorted(seen) == ["bad", "bad", "good"]
    assert _queue_depth(stack, "NotifyDeadLetterQueue") == 0


def test_idle_times_out_with_504_while_work_is_waiting(stack: StackClient) -> None:
    stack.local.pause_pollers()
    try:
        stack.cloud.client("sqs").send_message(
            QueueUrl=stack.cloud.queue_url("NotifyQueue"), MessageBody="{}"
        )
        answer = stack.request("POST", "/_local/idle", json={"timeout_seconds": 0.3})
        assert_problem(answer, 504, "not_idle")
    finally:
        stack.local.resume_pollers()


# ---------------------------------------------------------------------------------------------- logs


def test_one_json_access_log_line_per_request_with_the_template_s_fields(
    stack: StackClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="local_stack.access"):
        answer = stack.request("GET", "/health")
        stack.request("GET", "/v1/nothing")
        mine_too = stack.request(
            "GET",
            "/v1/orders?limit=1",
            token=stack.customer_token("cus_logged"),
            headers={"X-Correlation-Id": "cid-42"},
        )
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "local_stack.access"]
    request_id = answer.headers["apigw-requestid"]
    (health,) = [line for line in lines if line["requestId"] == request_id]
    assert health["routeKey"] == "GET /health" and health["status"] == 200 and health["caller"] == "-"
    assert health["latencyMs"] >= 0 and health["correlationId"]
    assert any(line["path"] == "/v1/nothing" and line["status"] == 404 for line in lines)
    (orders,) = [line for line in lines if line["requestId"] == mine_too.headers["apigw-requestid"]]
    assert (orders["routeKey"], orders["caller"], orders["correlationId"]) == (
        "GET /v1/orders",
        "cus_logged",
        "cid-42",
    )
    # The deployed API logs the same fields (less the correlation id, which it cannot read).
    settings = _template_doc()["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
    deployed = json.loads(settings["Format"])
    assert set(deployed) == set(health) - {"correlationId"}


# ---------------------------------------------------------------------------------------------- template


def _template_doc() -> dict[str, Any]:
    return load_yaml(TEMPLATE_PATH.read_text(encoding="utf-8"))


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in _template_doc()["Resources"].items() if v["Type"] == kind}


def _declared_events(kinds: tuple[str, ...]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for logical_id, resource in _resources("AWS::Serverless::Function").items():
        for key, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] in kinds:
                found.append((logical_id, key, event["Properties"]))
    return found


def test_every_route_served_is_declared_in_the_template(stack: StackClient) -> None:
    declared = {(p["Method"].upper(), p["Path"], fn) for fn, _, p in _declared_events(("HttpApi",))}
    served = {(r.method, r.path, r.function) for r in stack.local.template.routes}
    assert served == declared
    admin = stack.admin_token()
    for method, path, _ in sorted(declared):
        concrete = re.sub(r"\{[^}]+\}", "X1", path)
        answer = stack.request(method, concrete, token=admin, json={} if method in ("POST", "PUT") else None)
        if answer.status in (404, 405):
            assert answer.json().get("code") not in ("route_not_found", "method_not_allowed"), (method, path)


def test_every_function_schedule_and_state_machine_comes_from_the_template(stack: StackClient) -> None:
    template = stack.local.template
    assert set(template.functions) == set(_resources("AWS::Serverless::Function"))
    declared_schedules = {kebab(key) for _, key, _ in _declared_events(("ScheduleV2", "Schedule"))}
    assert set(template.schedules) == declared_schedules
    assert set(stack.local.scheduler.names if stack.local.scheduler else []) == declared_schedules
    in_moto = {s["Name"] for s in stack.cloud.client("scheduler").list_schedules()["Schedules"]}
    assert in_moto == {s.name for s in template.schedules.values()}

    machines = stack.cloud.client("stepfunctions").list_state_machines()["stateMachines"]
    declared_machines = _resources("AWS::Serverless::StateMachine") | _resources(
        "AWS::StepFunctions::StateMachine"
    )
    assert {m["name"] for m in machines} == {template.state_machines[k].name for k in declared_machines}

    tables = set(stack.cloud.client("dynamodb").list_tables()["TableNames"])
    assert tables == {template.tables[k].name for k in _resources("AWS::DynamoDB::Table")}

    queue_urls = set(stack.cloud.client("sqs").list_queues().get("QueueUrls", []))
    declared_queues = {template.queues[k].url for k in _resources("AWS::SQS::Queue")}
    shadow = {s.url for s in stack.cloud.shadow_queues.values()} | {
        stack.cloud.queue_url(s.dlq_name) for s in stack.cloud.shadow_queues.values()
    }
    assert queue_urls == declared_queues | shadow

    events = stack.cloud.client("events")
    for logical_id in _resources("AWS::Events::Rule"):
        rule = template.rules[logical_id]
        described = events.describe_rule(Name=rule.name, EventBusName=rule.bus_name)
        assert json.loads(described["EventPattern"]) == rule.pattern
        targets = events.list_targets_by_rule(Rule=rule.name, EventBusName=rule.bus_name)["Targets"]
        assert {t["Id"] for t in targets} == {t.id for t in rule.targets}


def test_the_functions_run_under_the_python_the_stack_chose_for_them(stack: StackClient) -> None:
    """Lambda's 3.12 where this machine has one (`oms_local.runtime.artefact.for_workers`)."""
    assert stack.request("GET", "/health").status == 200
    wanted = artefact.for_workers().version
    runtime = stack.cloud.functions.runtime
    assert runtime is not None
    seen = runtime.python_versions()
    assert seen
    assert {version.rsplit(".", 1)[0] for found in seen.values() for version in found} == {wanted}


def test_handlers_see_the_template_environment(stack: StackClient) -> None:
    import os

    for key, value in stack.local.template.environment().items():
        assert os.environ[key] == value


# ---------------------------------------------------------------------------------------------- rule targets


@pytest.fixture(scope="module")
def echo_template() -> Template:
    """template.yaml plus a rule whose targets moto's EventBridge cannot reach: a state machine and a function."""
    base = load_template()
    machine = StateMachine(
        logical_id="EchoMachine",
        name="oms-local-echo",
        arn="arn:aws:states:us-east-1:123456789012:stateMachine:oms-local-echo",
        type="STANDARD",
        definition=json.dumps({"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}),
        role_arn="arn:aws:iam::123456789012:role/echo",
    )
    function = base.functions["ReleaseUnpaidFunction"]
    bus = base.buses["OmsEventBus"].name
    rule = Rule(
        logical_id="EchoRule",
        name="oms-local-EchoRule",
        arn=f"arn:aws:events:us-east-1:123456789012:rule/{bus}/oms-local-EchoRule",
        bus_name=bus,
        pattern={"source": ["test"], "detail-type": ["Echo"]},
        schedule_expression=None,
        enabled=True,
        targets=(
            RuleTarget(
                id="echo-machine", arn=machine.arn, kind="states", resource=machine.logical_id, extra={}
            ),
            RuleTarget(
                id="echo-function", arn=function.arn, kind="lambda", resource=function.logical_id, extra={}
            ),
        ),
    )
    return dataclasses.replace(
        base,
        state_machines={**base.state_machines, machine.logical_id: machine},
        rules={**base.rules, rule.logical_id: rule},
    )


@pytest.fixture
def echo_stack(local_worlds: Worlds, echo_template: Template) -> StackClient:
    world = local_worlds.get(template=echo_template)
    world.reset()
    return world


def test_rule_targets_beyond_sqs_start_executions_and_invoke_functions_once(echo_stack: StackClient) -> None:
    calls: list[Any] = []
    machine = echo_stack.local.template.state_machines["EchoMachine"]
    bus = echo_stack.local.template.buses["OmsEventBus"].name
    with echo_stack.cloud.functions.substitute(
        "ReleaseUnpaidFunction", lambda event, context: calls.append(event)
    ):
        answer = echo_stack.cloud.client("events").put_events(
            Entries=[{"Source": "test", "DetailType": "Echo", "Detail": '{"n": 1}', "EventBusName": bus}]
        )
        assert answer["FailedEntryCount"] == 0
        assert echo_stack.idle()
        sfn = echo_stack.cloud.client("stepfunctions")
        executions = sfn.list_executions(stateMachineArn=machine.arn)["executions"]
        assert len(executions) == 1
        assert answer["Entries"][0]["EventId"] in executions[0]["name"]
        described = sfn.describe_execution(executionArn=executions[0]["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["input"])["detail"] == {"n": 1}
        assert [event["detail"] for event in calls] == [{"n": 1}]

        # A redelivered event finds its execution already started.
        shadow = next(s for s in echo_stack.cloud.shadow_queues.values() if s.target.id == "echo-machine")
        echo_stack.cloud.client("sqs").send_message(QueueUrl=shadow.url, MessageBody=described["input"])
        assert echo_stack.idle()
        assert len(sfn.list_executions(stateMachineArn=machine.arn)["executions"]) == 1


def test_an_asynchronous_lambda_invoke_answers_202_and_idle_waits_for_it(stack: StackClient) -> None:
    done: list[Any] = []

    def slow(event: dict[str, Any], context: Any) -> None:
        time.sleep(0.3)
        done.append(event)

    with stack.cloud.functions.substitute("ReleaseUnpaidFunction", slow):
        answer = stack.cloud.client("lambda").invoke(
            FunctionName="ReleaseUnpaidFunction", InvocationType="Event", Payload=b'{"n": 1}'
        )
        assert answer["StatusCode"] == 202
        assert stack.idle()
        assert done == [{"n": 1}]
