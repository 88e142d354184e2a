"""The local IAM evaluator and the call -> request mapping, on cases from AWS's IAM documentation."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from oms_local.iam_policy import (
    Request,
    UnsupportedCondition,
    condition_holds,
    evaluate,
    glob_matches,
    statements,
)
from oms_local.iam_requests import Caller, Resolution, access_denied_code, requests_for

ACCOUNT = "123456789012"


def allowed(document: dict[str, Any], action: str, resource: str = "*", **context: Any) -> bool:
    keys = {k.replace("__", ":").replace("_", "-"): v for k, v in context.items()}
    return evaluate(statements([("p", document)]), Request(action, resource, keys)).allowed


def doc(*statement: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statement)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# ---------------------------------------------------------------------------------------------- evaluation


def test_nothing_is_allowed_without_a_statement_and_an_explicit_deny_wins() -> None:
    assert not allowed(doc(), "s3:GetObject", "arn:aws:s3:::b/k")
    both = doc(
        allow("s3:*"), {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret*"}
    )
    assert allowed(both, "s3:GetObject", "arn:aws:s3:::b/public")
    assert not allowed(both, "s3:GetObject", "arn:aws:s3:::b/secret.txt")
    verdict = evaluate(statements([("p", both)]), Request("s3:GetObject", "arn:aws:s3:::b/secret.txt"))
    assert verdict.explicit_deny is not None and str(verdict.explicit_deny) == "p#1"


def test_actions_match_without_case_and_resources_with_it() -> None:
    policy = doc(allow("dynamodb:get*", "arn:aws:dynamodb:us-east-1:1:table/Orders"))
    assert allowed(policy, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/Orders")
    assert allowed(policy, "DynamoDB:GETITEM", "arn:aws:dynamodb:us-east-1:1:table/Orders")
    assert not allowed(policy, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/orders")
    assert not allowed(policy, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/Orders")


def test_wildcards_star_and_question_mark_and_nothing_else() -> None:
    assert glob_matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.json")
    assert glob_matches("arn:aws:lambda:*:*:function:Fn*", "arn:aws:lambda:us-east-1:1:function:Fn:live")
    assert glob_matches("iam:*AccessKey?", "iam:CreateAccessKeys")
    assert not glob_matches("iam:*AccessKey?", "iam:CreateAccessKey")
    assert not glob_matches("table/a.b", "table/aXb")  # a dot is a dot, not a regular expression
    assert not glob_matches("table/(x)", "table/x")


def test_not_action_and_not_resource() -> None:
    # "Allow everything except IAM" (the NotAction example of the IAM User Guide).
    everything_but_iam = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert allowed(everything_but_iam, "s3:GetObject", "arn:aws:s3:::b/k")
    assert not allowed(everything_but_iam, "iam:CreateUser", "*")
    outside_one_bucket = doc(
        allow("s3:*"),
        {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
    )
    assert allowed(outside_one_bucket, "s3:PutObject", "arn:aws:s3:::b/k")
    assert not allowed(outside_one_bucket, "s3:PutObject", "arn:aws:s3:::other/k")


def test_string_conditions_and_a_missing_key() -> None:
    policy = doc(allow("sns:Publish", Condition={"StringEquals": {"sns:Protocol": "sms"}}))
    assert allowed(policy, "sns:Publish", sns__Protocol="sms")
    assert not allowed(policy, "sns:Publish", sns__Protocol="email")
    assert not allowed(policy, "sns:Publish")  # the key is absent: the condition is false
    like = doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": ["home/*", ""]}}))
    assert allowed(like, "s3:ListBucket", s3__prefix="home/ana/")
    assert allowed(like, "s3:ListBucket", s3__prefix="")
    assert not allowed(like, "s3:ListBucket", s3__prefix="admin/")


def test_negated_operators_hold_when_the_key_is_missing() -> None:
    # IAM User Guide: "If the key ... is not present ... and the condition requires that the key is not
    # matched, such as StringNotLike or ArnNotLike, the condition is true."
    request = Request("s3:GetObject", "*", {})
    assert condition_holds("StringNotEquals", "aws:PrincipalTag/team", "ops", request)
    assert condition_holds("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:*", request)
    assert not condition_holds("StringEquals", "aws:PrincipalTag/team", "ops", request)
    present = Request("s3:GetObject", "*", {"aws:PrincipalTag/team": "ops"})
    assert not condition_holds("StringNotEquals", "aws:PrincipalTag/team", ["ops", "dev"], present)
    assert condition_holds("StringNotEquals", "aws:PrincipalTag/team", ["dev"], present)


def test_if_exists_and_null() -> None:
    # The StringLikeIfExists example of the guide: any instance type when none is given, else only these.
    types = ["t1.*", "t2.*", "m3.*"]
    assert condition_holds("StringLikeIfExists", "ec2:InstanceType", types, Request("ec2:RunInstances", "*"))
    assert condition_holds(
        "StringLikeIfExists",
        "ec2:InstanceType",
        types,
        Request("ec2:RunInstances", "*", {"ec2:InstanceType": "t2.micro"}),
    )
    assert not condition_holds(
        "StringLikeIfExists",
        "ec2:InstanceType",
        types,
        Request("ec2:RunInstances", "*", {"ec2:InstanceType": "m4.large"}),
    )
    temporary = Request("s3:GetObject", "*", {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"})
    assert condition_holds("Null", "aws:TokenIssueTime", "false", temporary)
    assert not condition_holds("Null", "aws:TokenIssueTime", "true", temporary)
    assert condition_holds("Null", "aws:TokenIssueTime", "true", Request("s3:GetObject", "*"))


def test_multivalued_keys_for_all_values_and_for_any_value() -> None:
    # The guide's dynamodb:Attributes example, and its warning: ForAllValues holds when the key is absent.
    attributes = ["ID", "Message", "Tags"]
    some = Request("dynamodb:GetItem", "*", {"dynamodb:Attributes": ("ID", "Message")})
    other = Request("dynamodb:GetItem", "*", {"dynamodb:Attributes": ("ID", "Secret")})
    none = Request("dynamodb:GetItem", "*", {})
    assert condition_holds("ForAllValues:StringEquals", "dynamodb:Attributes", attributes, some)
    assert not condition_holds("ForAllValues:StringEquals", "dynamodb:Attributes", attributes, other)
    assert condition_holds("ForAllValues:StringEquals", "dynamodb:Attributes", attributes, none)
    tags = Request("ec2:CreateTags", "*", {"aws:TagKeys": ("environment", "owner")})
    assert condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["environment", "cost-center"], tags)
    assert not condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["cost-center"], tags)
    assert not condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["environment"], none)


def test_arn_bool_numeric_date_and_ip_conditions() -> None:
    source = Request("sqs:SendMessage", "*", {"aws:SourceArn": "arn:aws:events:us-east-1:1:rule/bus/notify"})
    assert condition_holds("ArnLike", "aws:SourceArn", "arn:aws:events:*:1:rule/*", source)
    assert condition_holds("ArnEquals", "aws:SourceArn", "arn:aws:events:us-east-1:1:rule/bus/notify", source)
    # ARN wildcards stay inside their segment: "*" in the region does not swallow the account.
    assert not condition_holds("ArnLike", "aws:SourceArn", "arn:aws:events:*:rule/*", source)
    assert not condition_holds("ArnLike", "aws:SourceArn", "arn:aws:events:*:2:rule/*", source)
    tls = doc(
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        allow("s3:GetObject"),
    )
    assert allowed(tls, "s3:GetObject", aws__SecureTransport="true")
    assert not allowed(tls, "s3:GetObject", aws__SecureTransport="false")
    keys = Request("s3:ListBucket", "*", {"s3:max-keys": "10"})
    assert condition_holds("NumericLessThanEquals", "s3:max-keys", "10", keys)
    assert not condition_holds("NumericLessThan", "s3:max-keys", "10", keys)
    now = Request("s3:GetObject", "*", {"aws:CurrentTime": "2026-06-01T12:00:00Z"})
    assert condition_holds("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z", now)
    assert not condition_holds("DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z", now)
    ip = Request("s3:GetObject", "*", {"aws:SourceIp": "203.0.113.7"})
    assert condition_holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", ip)
    assert condition_holds("NotIpAddress", "aws:SourceIp", "198.51.100.0/24", ip)


def test_condition_keys_are_case_insensitive_and_blocks_and_together() -> None:
    policy = doc(
        allow(
            "ses:SendEmail",
            Condition={
                "StringEquals": {"SES:FromAddress": "orders@shop.example"},
                "StringLike": {"ses:Recipients": "*@x.y"},
            },
        )
    )
    assert allowed(
        policy, "ses:SendEmail", ses__FromAddress="orders@shop.example", ses__Recipients=("a@x.y",)
    )
    assert not allowed(
        policy, "ses:SendEmail", ses__FromAddress="orders@shop.example", ses__Recipients=("a@z.y",)
    )


def test_an_unknown_operator_fails_closed() -> None:
    with pytest.raises(UnsupportedCondition):
        condition_holds("StringMaybe", "a:b", "c", Request("s3:GetObject", "*", {"a:b": "c"}))


# ---------------------------------------------------------------------------------------------- the mapping


WHERE = Resolution(
    ses_identities=frozenset({"shop.example"}),
    partition_key={"oms-prod": "pk"}.get,
    task_token_owner={"tok-1": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m1"}.get,
    token_issuers=(
        f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m1",
        f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m2",
    ),
)


def mapped(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r.action, r.resource) for r in requests_for(service, operation, params, WHERE, {})]


def table(name: str) -> str:
    return f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}"


def test_a_transaction_needs_each_items_own_action_on_its_table() -> None:
    items = [
        {"Put": {"TableName": "oms-prod", "Item": {"pk": {"S": "ORDER#1"}}}},
        {
            "Update": {
                "TableName": "oms-prod",
                "Key": {"pk": {"S": "SKU#1"}},
                "UpdateExpression": "SET a = :a",
            }
        },
        {
            "ConditionCheck": {
                "TableName": "oms-prod",
                "Key": {"pk": {"S": "C#1"}},
                "ConditionExpression": "x",
            }
        },
        {"Delete": {"TableName": "oms-prod-idempotency", "Key": {"id": {"S": "k"}}}},
    ]
    assert mapped("dynamodb", "TransactWriteItems", {"TransactItems": items}) == [
        ("dynamodb:PutItem", table("oms-prod")),
        ("dynamodb:UpdateItem", table("oms-prod")),
        ("dynamodb:ConditionCheckItem", table("oms-prod")),
        ("dynamodb:DeleteItem", table("oms-prod-idempotency")),
    ]
    (first, *_) = requests_for("dynamodb", "TransactWriteItems", {"TransactItems": items}, WHERE, {})
    assert first.value("dynamodb:LeadingKeys") == ("ORDER#1",)


def test_index_queries_batches_and_single_items() -> None:
    assert mapped("dynamodb", "Query", {"TableName": "oms-prod", "IndexName": "timers"}) == [
        ("dynamodb:Query", table("oms-prod") + "/index/timers")
    ]
    assert mapped("dynamodb", "BatchGetItem", {"RequestItems": {"oms-prod": {}, "other": {}}}) == [
        ("dynamodb:BatchGetItem", table("oms-prod")),
        ("dynamodb:BatchGetItem", table("other")),
    ]
    (query,) = requests_for(
        "dynamodb",
        "Query",
        {
            "TableName": "oms-prod",
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": "pk"},
            "ExpressionAttributeValues": {":p": {"S": "C#9"}},
        },
        WHERE,
        {},
    )
    assert query.value("dynamodb:LeadingKeys") == ("C#9",)


def test_put_events_is_authorised_on_each_bus_it_names() -> None:
    entries = [
        {"EventBusName": "oms-prod", "Source": "oms", "DetailType": "OrderPaid"},
        {
            "EventBusName": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/other",
            "Source": "oms",
            "DetailType": "X",
        },
        {"Source": "oms", "DetailType": "Y"},
    ]
    assert mapped("events", "PutEvents", {"Entries": entries}) == [
        ("events:PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/oms-prod"),
        ("events:PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/other"),
        ("events:PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"),
    ]


def test_a_text_message_is_publish_on_any_resource_without_a_protocol_key() -> None:
    (sms,) = requests_for("sns", "Publish", {"PhoneNumber": "+441234567890", "Message": "hi"}, WHERE, {})
    assert (sms.action, sms.resource) == ("sns:Publish", "*")
    assert sms.value("sns:Protocol") is None
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:alarms"
    assert mapped("sns", "Publish", {"TopicArn": topic, "Message": "x"}) == [("sns:Publish", topic)]


def test_mail_is_authorised_on_the_identity_it_is_sent_as() -> None:
    params = {
        "Source": '"Shop" <orders@shop.example>',
        "Destination": {"ToAddresses": ["a@x.y"], "BccAddresses": ["b@x.y"]},
    }
    (mail,) = requests_for("ses", "SendEmail", params, WHERE, {})
    assert mail.resource == f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/shop.example"
    assert mail.value("ses:FromAddress") == ("orders@shop.example",)
    assert mail.value("ses:Recipients") == ("a@x.y", "b@x.y")
    assert mail.value("ses:FromDisplayName") == ("Shop",)
    unverified = mapped("ses", "SendEmail", {"Source": "me@elsewhere.example", "Destination": {}})
    assert unverified == [("ses:SendEmail", f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/me@elsewhere.example")]


def test_parameters_objects_queues_and_functions_have_their_arns() -> None:
    assert mapped("ssm", "GetParameter", {"Name": "/oms/prod/secret", "WithDecryption": True}) == [
        ("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/oms/prod/secret")
    ]
    assert mapped("s3", "PutObject", {"Bucket": "b", "Key": "2026/01/01.jsonl", "Body": "eA=="}) == [
        ("s3:PutObject", "arn:aws:s3:::b/2026/01/01.jsonl")
    ]
    assert mapped("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "2026/"}) == [
        ("s3:ListBucket", "arn:aws:s3:::b")
    ]
    assert mapped("s3", "PutObject", {"Bucket": "b", "Key": "k", "ACL": "public-read"}) == [
        ("s3:PutObject", "arn:aws:s3:::b/k"),
        ("s3:PutObjectAcl", "arn:aws:s3:::b/k"),
    ]
    local_url = f"http://127.0.0.1:5000/{ACCOUNT}/oms-local-TrackingQueue"
    assert mapped("sqs", "SendMessage", {"QueueUrl": local_url, "MessageBody": "{}"}) == [
        ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:oms-local-TrackingQueue")
    ]
    assert mapped("lambda", "Invoke", {"FunctionName": "Fn"}) == [
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Fn")
    ]
    assert mapped("sts", "GetCallerIdentity", {}) == []


def test_task_answers_go_to_the_machine_that_issued_the_token() -> None:
    assert mapped("stepfunctions", "SendTaskSuccess", {"taskToken": "tok-1", "output": "{}"}) == [
        ("states:SendTaskSuccess", f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m1")
    ]
    # A token of no known execution: every machine that issues tokens must allow the answer.
    assert [
        r for _, r in mapped("stepfunctions", "SendTaskSuccess", {"taskToken": "?", "output": "{}"})
    ] == list(WHERE.token_issuers)
    machine = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:place"
    assert mapped("stepfunctions", "StartSyncExecution", {"stateMachineArn": machine, "input": "{}"}) == [
        ("states:StartSyncExecution", machine)
    ]


def test_the_caller_context_is_the_functions_assumed_role() -> None:
    caller = Caller(
        "oms-Notify-Role", "NotifyFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:NotifyFunction"
    )
    assert caller.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/oms-Notify-Role/NotifyFunction"
    context = caller.context()
    assert context["aws:PrincipalArn"] == f"arn:aws:iam::{ACCOUNT}:role/oms-Notify-Role"
    assert context["aws:SecureTransport"] == "true" and context["aws:RequestedRegion"] == "us-east-1"
    assert context["lambda:SourceFunctionArn"].endswith(":function:NotifyFunction")


@pytest.mark.parametrize(
    ("service", "code"),
    [
        ("dynamodb", "AccessDeniedException"),
        ("stepfunctions", "AccessDeniedException"),
        ("events", "AccessDeniedException"),
        ("ssm", "AccessDeniedException"),
        ("scheduler", "AccessDeniedException"),
        ("sqs", "AccessDenied"),
        ("s3", "AccessDenied"),
        ("ses", "AccessDenied"),
        ("sts", "AccessDenied"),
        ("sns", "AuthorizationError"),
    ],
)
def test_each_service_refuses_with_its_own_error_code(service: str, code: str) -> None:
    assert access_denied_code(service) == code


def test_the_modelled_refusals_agree_with_botocore() -> None:
    session = botocore.session.get_session()
    sns = session.get_service_model("sns").shape_for("AuthorizationErrorException")
    assert sns.metadata["error"]["code"] == access_denied_code("sns")
    assert "AccessDenied" in session.get_service_model("s3").shape_names
    for json_service in ("dynamodb", "stepfunctions", "events", "ssm"):
        assert session.get_service_model(json_service).protocol == "json"
    for query_service in ("ses", "sts"):
        assert session.get_service_model(query_service).protocol == "query"
