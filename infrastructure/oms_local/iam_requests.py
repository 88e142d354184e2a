"""What IAM authorises for a boto3 call: the action(s), resource ARN(s) and the condition keys AWS sets.

A call is named as botocore names it (service ``dynamodb``, operation ``TransactWriteItems``) with its
parameters as JSON (bytes as base64, numbers as numbers or strings). Most calls are one request; some are
several, as AWS authorises them:

- DynamoDB ``TransactWriteItems``/``TransactGetItems``: each item's own action (``dynamodb:PutItem``,
  ``UpdateItem``, ``DeleteItem``, ``ConditionCheckItem``, ``GetItem``) on that item's table; a batch call
  its action on each table; a ``Query``/``Scan`` of an index the index ARN (``table/T/index/I``).
- EventBridge ``PutEvents``: ``events:PutEvents`` on each bus the entries name (the default bus if none).
- SNS ``Publish`` to a ``PhoneNumber``: ``sns:Publish`` on ``*``, with no ``sns:Protocol`` key (that key
  belongs to ``Subscribe``), so a statement conditioned on it never allows a text message. Mobile push:
  ``CreatePlatformEndpoint`` on the platform application, ``DeleteEndpoint`` on the endpoint.
- SES ``SendEmail``: ``ses:SendEmail`` on the identity the mail is sent as (the address if it is itself a
  verified identity, else its domain), with ``ses:FromAddress`` and ``ses:Recipients``.
- Step Functions task responses: the state machine that issued the token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from oms_local import ACCOUNT_ID, REGION
from oms_local.iam_policy import ContextValue, Request

# botocore service names whose IAM prefix differs.
_PREFIX = {"stepfunctions": "states", "sesv2": "ses", "cloudwatch": "cloudwatch", "logs": "logs"}

# Calls IAM does not authorise against the caller's policies.
_UNAUTHORISED = {("sts", "GetCallerIdentity")}

_DYNAMODB_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_SQS_BATCH = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_S3_ACTION = {
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "HeadBucket": "ListBucket",
}
_S3_BUCKET_LEVEL = {
    "ListBucket",
    "GetBucketLocation",
    "PutLifecycleConfiguration",
    "GetLifecycleConfiguration",
    "PutBucketPolicy",
    "GetBucketPolicy",
}


@dataclass(frozen=True)
class Caller:
    """Who makes the call: a function's execution role, as Lambda signs its requests."""

    role_name: str
    session_name: str  # Lambda uses the function's name
    function_arn: str = ""
    region: str = REGION
    account: str = ACCOUNT_ID

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}"

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.role_name}"

    def context(self, now: datetime | None = None) -> dict[str, ContextValue]:
        """The global keys every request from a function carries."""
        moment = now or datetime.now(UTC)
        keys: dict[str, ContextValue] = {
            "aws:PrincipalArn": self.role_arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "AssumedRole",
            "aws:userid": f"AROA{self.role_name.upper()[:16]}:{self.session_name}",
            "aws:RequestedRegion": self.region,
            "aws:SecureTransport": "true",
            "aws:ViaAWSService": "false",
            "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(moment.timestamp())),
        }
        if self.function_arn:
            keys["lambda:SourceFunctionArn"] = self.function_arn
        return keys


@dataclass
class Resolution:
    """What the mapping needs to know of the account beyond the call itself."""

    region: str = REGION
    account: str = ACCOUNT_ID
    # SES identities that exist: a sender address is authorised against itself if verified, else its domain.
    ses_identities: frozenset[str] = frozenset()
    # Partition key attribute of a table (for dynamodb:LeadingKeys), None if unknown.
    partition_key: Callable[[str], str | None] = field(default=lambda table: None)
    # The state machine ARN a task token belongs to, None if unknown.
    task_token_owner: Callable[[str], str | None] = field(default=lambda token: None)
    # State machines a token may come from when its owner is unknown.
    token_issuers: tuple[str, ...] = ()

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def requests_for(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    where: Resolution,
    base: Mapping[str, ContextValue],
) -> list[Request]:
    """The IAM requests one call makes; an empty list when IAM does not check the caller's policies."""
    if (service, operation) in _UNAUTHORISED:
        return []
    mapper = _MAPPERS.get(service)
    found = mapper(operation, params, where) if mapper else None
    if found is None:
        found = [(f"{_PREFIX.get(service, service)}:{operation}", "*", {})]
    return [Request(action, resource, {**base, **extra}) for action, resource, extra in found]


_Found = list[tuple[str, str, dict[str, ContextValue]]]


# ---------------------------------------------------------------------------------------------- DynamoDB


def _table_arn(name: str, where: Resolution) -> str:
    return name if name.startswith("arn:") else where.arn("dynamodb", f"table/{name}")


def _table_name(name: str) -> str:
    return name.rsplit("table/", 1)[-1].split("/", 1)[0] if name.startswith("arn:") else name


def _leading_key(table: str, key: Mapping[str, Any] | None, where: Resolution) -> dict[str, ContextValue]:
    attribute = where.partition_key(_table_name(table))
    value = (key or {}).get(attribute) if attribute else None
    if isinstance(value, Mapping) and value:
        return {"dynamodb:LeadingKeys": (str(next(iter(value.values()))),)}
    return {}


def _dynamodb_extra(params: Mapping[str, Any]) -> dict[str, ContextValue]:
    extra: dict[str, ContextValue] = {}
    for key, context_key in (
        ("ReturnValues", "dynamodb:ReturnValues"),
        ("Select", "dynamodb:Select"),
        ("ReturnConsumedCapacity", "dynamodb:ReturnConsumedCapacity"),
    ):
        if params.get(key):
            extra[context_key] = str(params[key])
    return extra


def _dynamodb(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found: _Found = []
        for item in params.get("TransactItems") or []:
            for kind, spec in item.items():
                action = "GetItem" if kind == "Get" else _DYNAMODB_ITEM_ACTIONS.get(kind, kind)
                table = str(spec["TableName"])
                key = spec.get("Key") or spec.get("Item")
                extra = {**_leading_key(table, key, where), **_dynamodb_extra(spec)}
                found.append((f"dynamodb:{action}", _table_arn(table, where), extra))
        return found
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [
            (f"dynamodb:{operation}", _table_arn(str(batch_table), where), {})
            for batch_table in (params.get("RequestItems") or {})
        ]
    if params.get("TableName") is None:
        return None
    table = str(params["TableName"])
    resource = _table_arn(table, where)
    if params.get("IndexName") and operation in ("Query", "Scan"):
        resource = f"{resource}/index/{params['IndexName']}"
    extra = _dynamodb_extra(params)
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        extra.update(_leading_key(table, params.get("Key") or params.get("Item"), where))
    elif operation == "Query":
        extra.update(_query_leading_key(table, params, where))
    return [(f"dynamodb:{operation}", resource, extra)]


def _query_leading_key(table: str, params: Mapping[str, Any], where: Resolution) -> dict[str, ContextValue]:
    """The partition key value of a ``Query`` whose key condition reads ``pk = :v`` (or ``#n = :v``)."""
    attribute = where.partition_key(_table_name(table))
    if not attribute or params.get("IndexName"):
        return {}
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for left, right in re.findall(r"([#\w]+)\s*=\s*(:\w+)", str(params.get("KeyConditionExpression", ""))):
        if names.get(left, left) == attribute and isinstance(values.get(right), Mapping):
            return {"dynamodb:LeadingKeys": (str(next(iter(values[right].values()))),)}
    return {}


# ---------------------------------------------------------------------------------------------- others


def _stepfunctions(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    action = f"states:{operation}"
    if operation in ("StartExecution", "StartSyncExecution", "DescribeStateMachine", "ListExecutions"):
        return [(action, str(params["stateMachineArn"]), {})]
    if operation in ("DescribeExecution", "StopExecution", "GetExecutionHistory"):
        return [(action, str(params["executionArn"]), {})]
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        owner = where.task_token_owner(str(params.get("taskToken", "")))
        # An unknown token could come from any machine that issues tokens: each must allow the answer.
        return [(action, machine, {}) for machine in ([owner] if owner else where.token_issuers or ["*"])]
    return None


def _bus_arn(name: str | None, where: Resolution) -> str:
    if name and name.startswith("arn:"):
        return name
    return where.arn("events", f"event-bus/{name or 'default'}")


def _events(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    if operation != "PutEvents":
        return None
    by_bus: dict[str, list[Mapping[str, Any]]] = {}
    for entry in params.get("Entries") or []:
        by_bus.setdefault(_bus_arn(entry.get("EventBusName"), where), []).append(entry)
    found: _Found = []
    for bus, entries in by_bus.items():
        extra: dict[str, ContextValue] = {
            "events:source": tuple(sorted({str(e.get("Source", "")) for e in entries})),
            "events:detail-type": tuple(sorted({str(e.get("DetailType", "")) for e in entries})),
        }
        found.append(("events:PutEvents", bus, extra))
    return found


def queue_arn(url_or_name: str, where: Resolution) -> str:
    """An SQS queue's ARN from its URL (any host: the local endpoint too) or name."""
    if url_or_name.startswith("arn:"):
        return url_or_name
    parts = url_or_name.rstrip("/").split("/")
    name = parts[-1]
    account = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else where.account
    return f"arn:aws:sqs:{where.region}:{account}:{name}"


def _sqs(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    action = f"sqs:{_SQS_BATCH.get(operation, operation)}"
    if params.get("QueueUrl"):
        return [(action, queue_arn(str(params["QueueUrl"]), where), {})]
    if params.get("QueueName"):
        return [(action, queue_arn(str(params["QueueName"]), where), {})]
    return None


def _address(text: str) -> str:
    """``"Shop" <orders@shop.example>`` -> ``orders@shop.example``."""
    found = re.search(r"<([^>]+)>", text)
    return (found.group(1) if found else text).strip()


def _ses_identity(sender: str, where: Resolution) -> str:
    address = _address(sender)
    domain = address.rsplit("@", 1)[-1]
    identity = address if address in where.ses_identities or domain not in where.ses_identities else domain
    return where.arn("ses", f"identity/{identity}")


def _ses(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    if operation not in ("SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"):
        return None
    sender = str(params.get("Source") or params.get("FromEmailAddress") or "")
    destination = params.get("Destination") or {}
    recipients = [
        _address(str(a))
        for key in ("ToAddresses", "CcAddresses", "BccAddresses")
        for a in destination.get(key) or []
    ] + [_address(str(a)) for a in params.get("Destinations") or []]
    extra: dict[str, ContextValue] = {"ses:ApiVersion": "1", "ses:Recipients": tuple(recipients)}
    if sender:
        extra["ses:FromAddress"] = _address(sender)
        display = re.match(r'\s*"?([^"<]+?)"?\s*<', sender)
        if display:
            extra["ses:FromDisplayName"] = display.group(1)
    if params.get("ReturnPath"):
        extra["ses:FeedbackAddress"] = str(params["ReturnPath"])
    resource = _ses_identity(sender, where) if sender else "*"
    return [(f"ses:{operation}", resource, extra)]


def _sesv2(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    if operation != "SendEmail":
        return None
    found = _ses("SendEmail", {**params, "Source": params.get("FromEmailAddress", "")}, where) or []
    return [(action, resource, {**extra, "ses:ApiVersion": "2"}) for action, resource, extra in found]


def _sns(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    # Mobile push: an endpoint is made on its platform application and deleted as itself.
    if operation == "CreatePlatformEndpoint":
        return [("sns:CreatePlatformEndpoint", str(params.get("PlatformApplicationArn", "*")), {})]
    if operation in ("DeleteEndpoint", "GetEndpointAttributes", "SetEndpointAttributes"):
        return [(f"sns:{operation}", str(params.get("EndpointArn", "*")), {})]
    if operation not in ("Publish", "PublishBatch"):
        return None
    target = params.get("TopicArn") or params.get("TargetArn")
    # A text message straight to a phone number has no ARN to authorise against.
    return [("sns:Publish", str(target) if target else "*", {})]


def parameter_arn(name: str, where: Resolution) -> str:
    if name.startswith("arn:"):
        return name
    return where.arn("ssm", f"parameter/{name.lstrip('/')}")


def _ssm(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    action = f"ssm:{operation}"
    if operation in ("GetParameters", "DeleteParameters"):
        return [(action, parameter_arn(str(n), where), {}) for n in params.get("Names") or []]
    if params.get("Name"):
        return [(action, parameter_arn(str(params["Name"]), where), {})]
    if params.get("Path"):
        return [(action, parameter_arn(str(params["Path"]).rstrip("/"), where), {})]
    return None


def _s3(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    bucket = params.get("Bucket")
    if not bucket:
        return None
    action = _S3_ACTION.get(operation, operation)
    key = params.get("Key")
    resource = (
        f"arn:aws:s3:::{bucket}"
        if action in _S3_BUCKET_LEVEL or key is None
        else f"arn:aws:s3:::{bucket}/{key}"
    )
    extra: dict[str, ContextValue] = {}
    if params.get("ACL"):
        extra["s3:x-amz-acl"] = str(params["ACL"])
    if params.get("ServerSideEncryption"):
        extra["s3:x-amz-server-side-encryption"] = str(params["ServerSideEncryption"])
    if params.get("Prefix") is not None and action == "ListBucket":
        extra["s3:prefix"] = str(params["Prefix"])
    found: _Found = [(f"s3:{action}", resource, extra)]
    if operation in ("PutObject", "CopyObject") and params.get("ACL"):
        found.append(("s3:PutObjectAcl", resource, extra))
    if operation in ("PutObject", "CopyObject") and params.get("Tagging"):
        found.append(("s3:PutObjectTagging", resource, extra))
    return found


def _scheduler(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    if not params.get("Name"):
        return None
    group = params.get("GroupName") or "default"
    resource = where.arn("scheduler", f"schedule/{group}/{params['Name']}")
    found: _Found = [(f"scheduler:{operation}", resource, {})]
    role = (params.get("Target") or {}).get("RoleArn")
    if operation in ("CreateSchedule", "UpdateSchedule") and role:
        found.append(("iam:PassRole", str(role), {"iam:PassedToService": "scheduler.amazonaws.com"}))
    return found


def function_arn(name: str, where: Resolution) -> str:
    if name.startswith("arn:"):
        return name
    return where.arn("lambda", f"function:{name}")


def _lambda(operation: str, params: Mapping[str, Any], where: Resolution) -> _Found | None:
    name = params.get("FunctionName")
    if not name:
        return None
    action = "lambda:InvokeFunction" if operation in ("Invoke", "InvokeAsync") else f"lambda:{operation}"
    return [(action, function_arn(str(name), where), {})]


_MAPPERS: dict[str, Callable[[str, Mapping[str, Any], Resolution], _Found | None]] = {
    "dynamodb": _dynamodb,
    "stepfunctions": _stepfunctions,
    "events": _events,
    "sqs": _sqs,
    "ses": _ses,
    "sesv2": _sesv2,
    "sns": _sns,
    "ssm": _ssm,
    "s3": _s3,
    "scheduler": _scheduler,
    "lambda": _lambda,
}

# What a service answers when IAM refuses a call (botocore's ClientError code).
_DENIED_CODES = {
    "sns": "AuthorizationError",
    "sqs": "AccessDenied",
    "s3": "AccessDenied",
    "ses": "AccessDenied",
    "sts": "AccessDenied",
    "iam": "AccessDenied",
}


def access_denied_code(service: str) -> str:
    """``AccessDeniedException`` from the JSON services, ``AccessDenied`` from the query/XML ones, SNS its own."""
    return _DENIED_CODES.get(service, "AccessDeniedException")
