"""The roles of template.yaml, as SAM expands them, allow what the service does and nothing more.

Functions: a call the role does not allow is refused as AWS refuses it; what the suites' recorded calls
need is computed by :func:`oms_local.iam.unused_grants`. State machines and schedules: checked here from the
template alone, every need against every grant.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from oms_local.iam import Authorizer, Grant, check_role, event_source_refusals, unused_grants
from oms_local.iam_needs import schedule_needs, service_needs, state_machine_needs
from oms_local.iam_policy import Request
from oms_local.template import PROJECT_ROOT, TEMPLATE_PATH, Template, load

ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/oms-prod"


@functools.cache
def template() -> Template:
    return load()


def authorizer() -> Authorizer:
    return Authorizer(template())


def test_a_call_the_role_does_not_allow_is_refused_with_awss_words() -> None:
    decision = authorizer().check(
        "AwaitStageFunction",
        "dynamodb",
        "DeleteItem",
        {"TableName": "oms-prod", "Key": {"pk": {"S": "ORDER#1"}}},
    )
    assert not decision.allowed
    assert decision.error_code == "AccessDeniedException"
    assert decision.message == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/oms-local-AwaitStageFunctionRole/AwaitStageFunction "
        f"is not authorized to perform: dynamodb:DeleteItem on resource: {TABLE} "
        "because no identity-based policy allows the dynamodb:DeleteItem action"
    )


def test_text_messages_are_allowed_for_the_notify_function_and_no_other() -> None:
    sms = {"PhoneNumber": "+447700900123", "Message": "Your order has shipped"}
    assert authorizer().check("NotifyFunction", "sns", "Publish", sms).allowed
    refused = authorizer().check("RefundFunction", "sns", "Publish", sms)
    assert not refused.allowed and refused.error_code == "AuthorizationError"


def test_mail_is_allowed_from_the_sender_domain_only() -> None:
    def send(source: str) -> bool:
        params = {"Source": source, "Destination": {"ToAddresses": ["ana@example.com"]}, "Message": {}}
        return authorizer().check("NotifyFunction", "ses", "SendEmail", params).allowed

    assert send("orders@shop.example")
    assert not send("orders@elsewhere.example")


def test_a_transaction_is_refused_when_one_item_is_not_allowed() -> None:
    items = [
        {"Update": {"TableName": "oms-prod", "Key": {"pk": {"S": "ORDER#1"}}}},
        {"Put": {"TableName": "oms-prod", "Item": {"pk": {"S": "ORDER#1"}}}},
    ]
    decision = authorizer().check(
        "AwaitStageFunction", "dynamodb", "TransactWriteItems", {"TransactItems": items}
    )
    assert not decision.allowed and "dynamodb:PutItem" in decision.message
    allowed = authorizer().check(
        "AwaitStageFunction", "dynamodb", "TransactWriteItems", {"TransactItems": items[:1]}
    )
    assert allowed.allowed


def test_no_function_keeps_the_grants_the_service_never_uses() -> None:
    never_called = {
        "dynamodb:Scan",
        "dynamodb:BatchWriteItem",
        "dynamodb:DescribeTable",
        "s3:PutLifecycleConfiguration",
        "s3:PutObjectAcl",
    }
    for function in template().functions.values():
        for policy in function.policies:
            if policy.managed:
                continue
            for statement in policy.statements:
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                assert not never_called & set(actions), (function.logical_id, actions)
    storefront = authorizer()
    machine = template().state_machines["PlaceOrderStateMachine"].arn
    assert not storefront.check(
        "StorefrontApiFunction", "stepfunctions", "StartExecution", {"stateMachineArn": machine}
    ).allowed
    assert storefront.check(
        "StorefrontApiFunction", "stepfunctions", "StartSyncExecution", {"stateMachineArn": machine}
    ).allowed
    key = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/oms/prod/providers/stripe-api-key"
    assert storefront.check("RefundFunction", "ssm", "GetParameter", {"Name": key}).allowed
    assert not storefront.check("StorefrontApiFunction", "ssm", "GetParameter", {"Name": key}).allowed
    assert not storefront.check("WebhooksApiFunction", "ssm", "GetParameter", {"Name": key}).allowed


@pytest.mark.parametrize(
    "machine", ["PlaceOrderStateMachine", "OrderLifecycleStateMachine", "ReturnLifecycleStateMachine"]
)
def test_each_state_machine_role_allows_exactly_what_its_tasks_need(machine: str) -> None:
    found = template().state_machines[machine]
    needs = state_machine_needs(template(), found)
    assert needs, machine
    check = check_role(machine, template().roles[found.role or ""], needs)
    assert check.denied == () and check.unused == (), check


def test_the_state_machines_need_their_functions_and_the_bus() -> None:
    place = template().state_machines["PlaceOrderStateMachine"]
    needs = {(n.action, n.resource.rsplit(":", 1)[-1]) for n in state_machine_needs(template(), place)}
    assert needs == {
        ("lambda:InvokeFunction", "ValidateOrderFunction"),
        ("lambda:InvokeFunction", "ReserveStockFunction"),
        ("events:PutEvents", "event-bus/oms-prod"),
    }


def test_each_schedule_role_invokes_its_own_function_only() -> None:
    for schedule in template().schedules.values():
        assert schedule.role is not None, schedule.name
        role = template().roles[schedule.role]
        assert role.services == ("scheduler.amazonaws.com",)
        check = check_role(schedule.local_name, role, schedule_needs(template(), schedule))
        assert check.exact, check
        others = [f for f in template().functions.values() if f.logical_id != schedule.function]
        assert not check_role(
            schedule.local_name, role, [Request("lambda:InvokeFunction", others[0].arn)]
        ).exact


def test_lambdas_own_use_of_a_role_is_counted_as_needed() -> None:
    archive = template().functions["ArchiveOrdersFunction"]
    # SAM's policy for the asynchronous failure destination is used by Lambda, not by the code.
    assert [r.action for r in service_needs(template(), archive)] == ["sqs:SendMessage"]
    assert not [
        g
        for g in unused_grants(template(), [])
        if g.principal == "ArchiveOrdersFunction" and g.action == "sqs:SendMessage"
    ]
    notify = template().functions["NotifyFunction"]
    assert {r.action for r in service_needs(template(), notify)} == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    }


def test_unused_grants_are_those_no_recorded_call_needed() -> None:
    calls = [
        ("AwaitStageFunction", Request("dynamodb:UpdateItem", TABLE)),
        (
            "AwaitStageFunction",
            Request("states:SendTaskSuccess", template().state_machines["OrderLifecycleStateMachine"].arn),
        ),
        ("NotifyFunction", Request("sns:Publish", "*")),
    ]
    unused = unused_grants(template(), calls)
    await_stage = [g for g in unused if g.principal == "AwaitStageFunction"]
    assert [(g.action, g.resource.rsplit(":", 1)[-1]) for g in await_stage] == [
        ("states:SendTaskSuccess", "oms-prod-return-lifecycle")
    ]
    notify = {(g.action, g.resource) for g in unused if g.principal == "NotifyFunction"}
    assert ("sns:Publish", "*") not in notify
    assert ("dynamodb:GetItem", TABLE) in notify and ("dynamodb:UpdateItem", TABLE) in notify
    assert all(isinstance(g, Grant) for g in unused)


def test_the_authorizer_records_every_request_and_the_grants_it_used() -> None:
    checker = authorizer()
    checker.check(
        "AwaitStageFunction", "dynamodb", "UpdateItem", {"TableName": "oms-prod", "Key": {"pk": {"S": "O#1"}}}
    )
    checker.check(
        "AwaitStageFunction", "dynamodb", "DeleteItem", {"TableName": "oms-prod", "Key": {"pk": {"S": "O#1"}}}
    )
    assert {(r.action, r.allowed) for r in checker.records() if r.function == "AwaitStageFunction"} == {
        ("dynamodb:UpdateItem", True),
        ("dynamodb:DeleteItem", False),
    }
    (used,) = checker.used_grants()["AwaitStageFunction"]
    assert (used.action, used.resource) == ("dynamodb:UpdateItem", TABLE)
    assert used not in checker.unused_grants()


def _copy_without(tmp_path: Path, remove: str, instead: str = "") -> Path:
    """template.yaml with one text removed (or replaced), beside the files it names (code, ASL)."""
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert text.count(remove) == 1, remove
    copy = tmp_path / "template.yaml"
    copy.write_text(text.replace(remove, instead), encoding="utf-8")
    for folder in ("functions", "infrastructure", "shared"):
        (tmp_path / folder).symlink_to(PROJECT_ROOT / folder)
    return copy


def test_removing_one_permission_from_a_copy_of_the_template_refuses_that_call(tmp_path: Path) -> None:
    mail = {
        "Source": "orders@shop.example",
        "Destination": {"ToAddresses": ["ana@example.com"]},
        "Message": {},
    }
    assert authorizer().check("NotifyFunction", "ses", "SendEmail", mail).allowed
    statement = (
        "            - Effect: Allow\n"
        "              Action: ses:SendEmail\n"
        "              Resource: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderDomain}\n"
    )
    without = Authorizer(load(_copy_without(tmp_path, statement)))
    refused = without.check("NotifyFunction", "ses", "SendEmail", mail)
    assert not refused.allowed and refused.error_code == "AccessDenied"
    assert "is not authorized to perform: ses:SendEmail on resource: " in refused.message
    # Everything else the function may do is unchanged.
    get = {"TableName": "oms-prod", "Key": {"pk": {"S": "ORDER#1"}, "sk": {"S": "ORDER"}}}
    assert without.check("NotifyFunction", "dynamodb", "GetItem", get).allowed


def test_each_queue_consumer_polls_its_own_queue_and_no_other() -> None:
    """SAM's AWSLambdaSQSQueueExecutionRole allows polling every queue; each consumer's Deny narrows it."""
    queues = {q.logical_id: q.arn for q in template().queues.values()}
    consumers = [fn for fn in template().functions.values() if fn.sqs_mappings]
    assert len(consumers) >= 7
    for function in consumers:
        role = template().roles[function.role or ""]
        own = {queues[m.queue] for m in function.sqs_mappings}
        for arn in queues.values():
            needs = [Request(action, arn) for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage")]
            refused = check_role(function.logical_id, role, needs).denied
            assert (not refused) == (arn in own), (function.logical_id, arn)
    assert event_source_refusals(template()) == []


def test_a_consumer_denied_its_own_queue_cannot_be_mapped(tmp_path: Path) -> None:
    # The Deny names another queue: the consumer may no longer poll its own.
    copy = _copy_without(
        tmp_path,
        "              NotResource: !GetAtt NotifyQueue.Arn\n",
        "              NotResource: !GetAtt RefundQueue.Arn\n",
    )
    refusals = event_source_refusals(load(copy))
    assert refusals == [
        f"NotifyFunction -> NotifyQueue: InvalidParameterValueException: The provided execution role does "
        f"not have permissions to call {action} on SQS"
        for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
    ]
