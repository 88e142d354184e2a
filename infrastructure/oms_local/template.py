"""``template.yaml`` read for local use: the short tags parsed, the intrinsics resolved, the parts typed.

The local stack creates what this module finds and nothing else, so the template stays the one source
of truth. Intrinsics resolve the way CloudFormation would, with local physical names: a table, bus or
state machine keeps the name the template gives it, a queue or rule without one is ``<stack>-<LogicalId>``,
and a function is named after its logical id (its ``FunctionName`` when it has one).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from oms_local import ACCOUNT_ID, REGION, STACK_NAME, URL_SUFFIX

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in [
            "GetAtt",
            "Sub",
            "Join",
            "If",
            "Select",
            "GetAZs",
            "Equals",
            "Not",
            "And",
            "Or",
            "FindInMap",
            "Base64",
            "Cidr",
            "ImportValue",
            "Split",
            "Length",
            "ToJsonString",
            "Transform",
        ]
    },
}

# Types the local stack has nothing to run for (permissions, the API object itself, alarms, ...).
PASSIVE_TYPES = frozenset(
    {
        "AWS::Serverless::LayerVersion",
        "AWS::Serverless::HttpApi",
        "AWS::SQS::QueuePolicy",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Lambda::Permission",
        "AWS::CloudWatch::Alarm",
        "AWS::Logs::LogGroup",
        "AWS::SNS::Topic",
        "AWS::SSM::Parameter",
        "AWS::Scheduler::ScheduleGroup",
    }
)


class TemplateError(ValueError):
    """The template uses something the local stack cannot read."""


class _Loader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation short tags into their long form."""


def _short_tag(key: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if key == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return construct


for _tag, _key in _SHORT_TAGS.items():
    _Loader.add_constructor(f"!{_tag}", _short_tag(_key))


def load_yaml(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=_Loader)


def kebab(name: str) -> str:
    """``ReleaseUnpaid`` -> ``release-unpaid`` (a schedule's local name)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


# ---------------------------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class HttpRoute:
    method: str  # upper case, or ANY
    path: str  # API Gateway syntax: /v1/orders/{id}, /files/{proxy+}
    public: bool
    function: str  # logical id
    event: str  # the event key in the template

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class SqsMapping:
    function: str
    queue: str  # logical id of the queue
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool


@dataclass(frozen=True)
class Schedule:
    local_name: str  # kebab-case of the event key: ReleaseUnpaid -> release-unpaid
    name: str  # the physical name (Name property, or <Function><Event>)
    expression: str  # rate(...) or cron(...)
    input: str | None  # the JSON text the target receives, None for {}
    function: str
    enabled: bool


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str  # module.attribute, e.g. app.handler
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    routes: tuple[HttpRoute, ...]
    sqs_mappings: tuple[SqsMapping, ...]
    schedules: tuple[Schedule, ...]

    @property
    def module_file(self) -> Path:
        return self.code_dir / (self.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")

    @property
    def handler_attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Table:
    logical_id: str
    name: str
    create_args: dict[str, Any]  # keyword arguments for dynamodb.create_table
    ttl_attribute: str | None


@dataclass(frozen=True)
class Queue:
    logical_id: str
    name: str
    url: str
    arn: str
    attributes: dict[str, str]  # for sqs.create_queue, RedrivePolicy included
    dead_letter_queue: str | None  # logical id


@dataclass(frozen=True)
class Bus:
    logical_id: str
    name: str
    arn: str


@dataclass(frozen=True)
class RuleTarget:
    id: str
    arn: str
    kind: str  # sqs | lambda | states | other
    resource: str | None  # logical id of the queue, function or state machine
    extra: dict[str, Any]  # Input, InputPath, InputTransformer, SqsParameters, ...


@dataclass(frozen=True)
class Rule:
    logical_id: str
    name: str
    arn: str
    bus_name: str
    pattern: dict[str, Any] | None
    schedule_expression: str | None
    enabled: bool
    targets: tuple[RuleTarget, ...]


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    name: str
    arn: str
    type: str  # EXPRESS | STANDARD
    definition: str  # ASL JSON after DefinitionSubstitutions
    role_arn: str


@dataclass(frozen=True)
class Bucket:
    logical_id: str
    name: str


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_header: str  # lower case, e.g. authorization


@dataclass
class Template:
    """The parts of ``template.yaml`` the local stack runs, resolved for local use."""

    path: Path
    parameters: dict[str, str]
    functions: dict[str, Function] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    buses: dict[str, Bus] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    state_machines: dict[str, StateMachine] = field(default_factory=dict)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)  # logical id -> type, nothing to run
    ses_identities: set[str] = field(default_factory=set)  # IdentityName of the functions' SES policies
    authorizer: JwtAuthorizer | None = None  # the HTTP API's default JWT authorizer

    @cached_property
    def routes(self) -> tuple[HttpRoute, ...]:
        return tuple(route for fn in self.functions.values() for route in fn.routes)

    @cached_property
    def schedules(self) -> dict[str, Schedule]:
        found: dict[str, Schedule] = {}
        for fn in self.functions.values():
            for schedule in fn.schedules:
                if schedule.local_name in found:
                    raise TemplateError(f"two schedules are called {schedule.local_name!r}")
                found[schedule.local_name] = schedule
        return found

    @cached_property
    def sqs_mappings(self) -> tuple[SqsMapping, ...]:
        return tuple(m for fn in self.functions.values() for m in fn.sqs_mappings)

    def function_by_name(self, name_or_arn: str) -> Function | None:
        """A function from its name, ARN or partial ARN (a qualifier is ignored)."""
        name = name_or_arn
        if name.startswith("arn:"):
            parts = name.split(":")
            name = parts[6] if len(parts) > 6 else parts[-1]
        elif ":" in name:
            name = name.split(":", 1)[0]
        for fn in self.functions.values():
            if name in (fn.name, fn.logical_id):
                return fn
        return None

    def environment(self) -> dict[str, str]:
        """The union of every function's environment; two functions may not disagree on a variable."""
        merged: dict[str, str] = {}
        owner: dict[str, str] = {}
        for fn in self.functions.values():
            for key, value in fn.environment.items():
                if key in merged and merged[key] != value:
                    raise TemplateError(
                        f"{owner[key]} and {fn.logical_id} set {key} differently "
                        f"({merged[key]!r} vs {value!r}); one process cannot hold both"
                    )
                merged[key] = value
                owner.setdefault(key, fn.logical_id)
        return merged


# ---------------------------------------------------------------------------------------------- resolving

_NO_VALUE = object()


class _Resolver:
    def __init__(self, doc: dict[str, Any], parameters: Mapping[str, str], base: Path) -> None:
        self.doc = doc
        self.resources: dict[str, dict[str, Any]] = doc.get("Resources") or {}
        self.parameters = dict(parameters)
        self.base = base
        self.conditions: dict[str, Any] = doc.get("Conditions") or {}
        self.mappings: dict[str, Any] = doc.get("Mappings") or {}
        self._names: dict[str, str] = {}

    # -- identities of resources

    def _type(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"no resource or parameter named {logical_id!r}")
        return str(resource.get("Type", ""))

    def _props(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties") or {}

    def name_of(self, logical_id: str) -> str:
        if logical_id in self._names:
            return self._names[logical_id]
        kind = self._type(logical_id)
        props = self._props(logical_id)
        explicit_key = {
            "AWS::DynamoDB::Table": "TableName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::Events::EventBus": "Name",
            "AWS::Events::Rule": "Name",
            "AWS::Serverless::StateMachine": "Name",
            "AWS::StepFunctions::StateMachine": "StateMachineName",
            "AWS::S3::Bucket": "BucketName",
            "AWS::Serverless::Function": "FunctionName",
            "AWS::Lambda::Function": "FunctionName",
            "AWS::SNS::Topic": "TopicName",
            "AWS::SSM::Parameter": "Name",
        }.get(kind)
        name: str
        if explicit_key and props.get(explicit_key) is not None:
            name = str(self.resolve(props[explicit_key]))
        elif kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            name = logical_id
        elif kind == "AWS::S3::Bucket":
            name = f"{STACK_NAME}-{logical_id}".lower()
        else:
            name = f"{STACK_NAME}-{logical_id}"
        self._names[logical_id] = name
        return name

    def arn_of(self, logical_id: str) -> str:
        kind = self._type(logical_id)
        name = self.name_of(logical_id)
        prefix = f"arn:aws:{{}}:{REGION}:{ACCOUNT_ID}"
        match kind:
            case "AWS::DynamoDB::Table":
                return f"{prefix.format('dynamodb')}:table/{name}"
            case "AWS::SQS::Queue":
                return f"{prefix.format('sqs')}:{name}"
            case "AWS::Events::EventBus":
                return f"{prefix.format('events')}:event-bus/{name}"
            case "AWS::Events::Rule":
                bus = self._bus_name(self._props(logical_id).get("EventBusName"))
                middle = "" if bus == "default" else f"{bus}/"
                return f"{prefix.format('events')}:rule/{middle}{name}"
            case "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine":
                return f"{prefix.format('states')}:stateMachine:{name}"
            case "AWS::Serverless::Function" | "AWS::Lambda::Function":
                return f"{prefix.format('lambda')}:function:{name}"
            case "AWS::S3::Bucket":
                return f"arn:aws:s3:::{name}"
            case "AWS::SNS::Topic":
                return f"{prefix.format('sns')}:{name}"
            case "AWS::Serverless::LayerVersion":
                return f"{prefix.format('lambda')}:layer:{name}:1"
            case _:
                return f"{prefix.format('local')}:{logical_id}"

    def queue_url(self, logical_id: str) -> str:
        return f"https://sqs.{REGION}.{URL_SUFFIX}/{ACCOUNT_ID}/{self.name_of(logical_id)}"

    def ref(self, target: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::Partition": "aws",
            "AWS::NoValue": _NO_VALUE,
            "AWS::NotificationARNs": [],
        }
        if target in pseudo:
            return pseudo[target]
        if target in self.parameters:
            return self.parameters[target]
        kind = self._type(target)
        if kind == "AWS::SQS::Queue":
            return self.queue_url(target)
        if kind in (
            "AWS::Serverless::StateMachine",
            "AWS::StepFunctions::StateMachine",
            "AWS::SNS::Topic",
            "AWS::Serverless::LayerVersion",
        ):
            return self.arn_of(target)
        if kind == "AWS::Serverless::HttpApi":
            return "local"
        return self.name_of(target)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        kind = self._type(logical_id)
        if attribute == "Arn":
            return self.arn_of(logical_id)
        if attribute in ("Name", "QueueName", "BucketName", "TopicName"):
            return self.name_of(logical_id)
        if kind == "AWS::SQS::Queue" and attribute == "QueueUrl":
            return self.queue_url(logical_id)
        if kind == "AWS::S3::Bucket" and attribute in ("DomainName", "RegionalDomainName"):
            return f"{self.name_of(logical_id)}.s3.{URL_SUFFIX}"
        if kind == "AWS::DynamoDB::Table" and attribute == "StreamArn":
            return f"{self.arn_of(logical_id)}/stream/local"
        return f"{self.arn_of(logical_id)}/{attribute}"

    def _bus_name(self, value: Any) -> str:
        if value is None:
            return "default"
        name = str(self.resolve(value))
        return name.rsplit("/", 1)[-1] if name.startswith("arn:") else name

    # -- intrinsic functions

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            raise TemplateError(f"unknown condition {name!r}")
        return bool(self.resolve(self.conditions[name]))

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                logical_id, attribute = expr.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(expr))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            items = [self.resolve(item) for item in node]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self.ref(str(arg))
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self._function(key[4:], arg)
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}

    def _function(self, name: str, arg: Any) -> Any:
        match name:
            case "GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else [self.resolve(a) for a in arg]
                return self.get_att(str(parts[0]), str(parts[1]))
            case "Sub":
                if isinstance(arg, str):
                    return self._sub(arg, {})
                text, variables = arg
                return self._sub(text, {k: self.resolve(v) for k, v in variables.items()})
            case "Join":
                delimiter, items = arg
                return str(delimiter).join(str(i) for i in self.resolve(items))
            case "Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            case "Split":
                delimiter, text = arg
                return str(self.resolve(text)).split(delimiter)
            case "If":
                condition, when_true, when_false = arg
                return self.resolve(when_true if self.condition(condition) else when_false)
            case "Equals":
                left, right = (self.resolve(a) for a in arg)
                return str(left) == str(right)
            case "Not":
                return not self.resolve(arg[0])
            case "And":
                return all(self.resolve(a) for a in arg)
            case "Or":
                return any(self.resolve(a) for a in arg)
            case "GetAZs":
                return [f"{REGION}{zone}" for zone in "abc"]
            case "Base64":
                return base64.b64encode(str(self.resolve(arg)).encode()).decode()
            case "FindInMap":
                mapping, first, second = (self.resolve(a) for a in arg)
                return self.mappings[mapping][first][second]
            case "ToJsonString":
                return json.dumps(self.resolve(arg), separators=(",", ":"))
            case "Length":
                return len(self.resolve(arg))
            case _:
                raise TemplateError(f"Fn::{name} is not supported locally")


# ---------------------------------------------------------------------------------------------- building


def _environment(resolver: _Resolver, globals_fn: dict[str, Any], props: dict[str, Any]) -> dict[str, str]:
    variables: dict[str, Any] = {}
    for source in (globals_fn, props):
        variables.update(((source.get("Environment") or {}).get("Variables")) or {})
    resolved = resolver.resolve(variables)
    return {key: _env_text(value) for key, value in resolved.items()}


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _logical_id_of_arn(resolver: _Resolver, value: Any, kinds: tuple[str, ...]) -> str | None:
    """Which resource of the given types an (unresolved) ARN or name expression points at."""
    resolved = resolver.resolve(value)
    for logical_id, resource in resolver.resources.items():
        if resource.get("Type") in kinds and resolved in (
            resolver.arn_of(logical_id),
            resolver.name_of(logical_id),
            resolver.ref(logical_id),
        ):
            return logical_id
    return None


_FUNCTION_TYPES = ("AWS::Serverless::Function",)
_QUEUE_TYPES = ("AWS::SQS::Queue",)
_STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")


def _function(resolver: _Resolver, logical_id: str, globals_fn: dict[str, Any]) -> Function:
    props = resolver._props(logical_id)
    code_uri = props.get("CodeUri", globals_fn.get("CodeUri"))
    if not isinstance(code_uri, str):
        raise TemplateError(f"{logical_id}: CodeUri must be a local folder")
    default_auth = _default_authorizer(resolver)
    routes: list[HttpRoute] = []
    mappings: list[SqsMapping] = []
    schedules: list[Schedule] = []
    for event_key, event in (props.get("Events") or {}).items():
        kind = event.get("Type")
        event_props = event.get("Properties") or {}
        if kind == "HttpApi":
            authorizer = (event_props.get("Auth") or {}).get("Authorizer", default_auth)
            routes.append(
                HttpRoute(
                    method=str(event_props.get("Method", "ANY")).upper(),
                    path=str(resolver.resolve(event_props.get("Path", "$default"))),
                    public=authorizer in (None, "NONE"),
                    function=logical_id,
                    event=event_key,
                )
            )
        elif kind == "SQS":
            queue = _logical_id_of_arn(resolver, event_props["Queue"], _QUEUE_TYPES)
            if queue is None:
                raise TemplateError(f"{logical_id}.{event_key}: the queue is not in the template")
            mappings.append(
                SqsMapping(
                    function=logical_id,
                    queue=queue,
                    batch_size=int(event_props.get("BatchSize", 10)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in (event_props.get("FunctionResponseTypes") or []),
                    enabled=bool(resolver.resolve(event_props.get("Enabled", True))),
                )
            )
        elif kind in ("ScheduleV2", "Schedule"):
            state = resolver.resolve(event_props.get("State", "ENABLED"))
            enabled = bool(resolver.resolve(event_props.get("Enabled", True))) and state != "DISABLED"
            raw_input = resolver.resolve(event_props.get("Input"))
            schedules.append(
                Schedule(
                    local_name=kebab(event_key),
                    name=str(resolver.resolve(event_props.get("Name", f"{logical_id}{event_key}"))),
                    expression=str(resolver.resolve(event_props["ScheduleExpression"])),
                    input=None if raw_input is None else _env_text(raw_input),
                    function=logical_id,
                    enabled=enabled,
                )
            )
    name = resolver.name_of(logical_id)
    return Function(
        logical_id=logical_id,
        name=name,
        arn=resolver.arn_of(logical_id),
        code_dir=(resolver.base / code_uri).resolve(),
        handler=str(props.get("Handler", globals_fn.get("Handler", "app.handler"))),
        environment=_environment(resolver, globals_fn, props),
        timeout_seconds=int(resolver.resolve(props.get("Timeout", globals_fn.get("Timeout", 3)))),
        memory_mb=int(resolver.resolve(props.get("MemorySize", globals_fn.get("MemorySize", 128)))),
        routes=tuple(routes),
        sqs_mappings=tuple(mappings),
        schedules=tuple(schedules),
    )


def _ses_identities(resolver: _Resolver, logical_id: str) -> set[str]:
    policies = resolver._props(logical_id).get("Policies") or []
    found = set()
    for policy in policies if isinstance(policies, list) else [policies]:
        if not isinstance(policy, dict):
            continue
        for key, args in policy.items():
            if key.startswith("SES") and isinstance(args, dict) and "IdentityName" in args:
                found.add(str(resolver.resolve(args["IdentityName"])))
    return found


def _jwt_authorizer(resolver: _Resolver) -> JwtAuthorizer | None:
    for resource in resolver.resources.values():
        if resource.get("Type") != "AWS::Serverless::HttpApi":
            continue
        auth = resolver.resolve((resource.get("Properties") or {}).get("Auth") or {})
        name = auth.get("DefaultAuthorizer")
        spec = (auth.get("Authorizers") or {}).get(name) if name else None
        if not spec or "JwtConfiguration" not in spec:
            return None
        jwt_config = spec["JwtConfiguration"]
        audience = jwt_config.get("audience") or []
        source = str(spec.get("IdentitySource", "$request.header.Authorization"))
        return JwtAuthorizer(
            name=str(name),
            issuer=str(jwt_config.get("issuer", "")),
            audience=tuple(str(a) for a in (audience if isinstance(audience, list) else [audience])),
            identity_header=source.rsplit(".", 1)[-1].lower(),
        )
    return None


def _default_authorizer(resolver: _Resolver) -> str | None:
    for resource in resolver.resources.values():
        if resource.get("Type") == "AWS::Serverless::HttpApi":
            auth = (resource.get("Properties") or {}).get("Auth") or {}
            default = auth.get("DefaultAuthorizer")
            return str(default) if default else None
    return None


def _key_schema(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in raw]


def _table(resolver: _Resolver, logical_id: str) -> Table:
    props = resolver.resolve(resolver._props(logical_id))
    name = resolver.name_of(logical_id)
    args: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": _key_schema(props["KeySchema"]),
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    throughput = props.get("ProvisionedThroughput")
    if args["BillingMode"] == "PROVISIONED":
        args["ProvisionedThroughput"] = throughput or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    indexes = []
    for index in props.get("GlobalSecondaryIndexes") or []:
        entry = {
            "IndexName": index["IndexName"],
            "KeySchema": _key_schema(index["KeySchema"]),
            "Projection": index["Projection"],
        }
        if args["BillingMode"] == "PROVISIONED":
            entry["ProvisionedThroughput"] = (
                index.get("ProvisionedThroughput") or args["ProvisionedThroughput"]
            )
        indexes.append(entry)
    if indexes:
        args["GlobalSecondaryIndexes"] = indexes
    local_indexes = [
        {"IndexName": i["IndexName"], "KeySchema": _key_schema(i["KeySchema"]), "Projection": i["Projection"]}
        for i in props.get("LocalSecondaryIndexes") or []
    ]
    if local_indexes:
        args["LocalSecondaryIndexes"] = local_indexes
    if props.get("StreamSpecification"):
        args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    ttl = props.get("TimeToLiveSpecification") or {}
    return Table(
        logical_id=logical_id,
        name=name,
        create_args=args,
        ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") else None,
    )


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
)


def _queue(resolver: _Resolver, logical_id: str) -> Queue:
    props = resolver.resolve(resolver._props(logical_id))
    attributes = {key: _env_text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    dead_letter = None
    redrive = props.get("RedrivePolicy")
    if redrive:
        raw = resolver._props(logical_id)["RedrivePolicy"]
        if isinstance(redrive, str):
            redrive = json.loads(redrive)
            raw = redrive
        dead_letter = _logical_id_of_arn(resolver, raw["deadLetterTargetArn"], _QUEUE_TYPES)
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": redrive["deadLetterTargetArn"],
                "maxReceiveCount": redrive["maxReceiveCount"],
            }
        )
    return Queue(
        logical_id=logical_id,
        name=resolver.name_of(logical_id),
        url=resolver.queue_url(logical_id),
        arn=resolver.arn_of(logical_id),
        attributes=attributes,
        dead_letter_queue=dead_letter,
    )


def _target_kind(resolver: _Resolver, arn_expr: Any) -> tuple[str, str | None]:
    for kind, types in (("sqs", _QUEUE_TYPES), ("lambda", _FUNCTION_TYPES), ("states", _STATE_MACHINE_TYPES)):
        found = _logical_id_of_arn(resolver, arn_expr, types)
        if found:
            return kind, found
    return "other", None


def _rule(resolver: _Resolver, logical_id: str) -> Rule:
    raw = resolver._props(logical_id)
    props = resolver.resolve(raw)
    targets = []
    for raw_target, target in zip(raw.get("Targets") or [], props.get("Targets") or [], strict=True):
        kind, resource = _target_kind(resolver, raw_target["Arn"])
        extra = {k: v for k, v in target.items() if k not in ("Id", "Arn", "RoleArn")}
        targets.append(
            RuleTarget(id=target["Id"], arn=target["Arn"], kind=kind, resource=resource, extra=extra)
        )
    pattern = props.get("EventPattern")
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    return Rule(
        logical_id=logical_id,
        name=resolver.name_of(logical_id),
        arn=resolver.arn_of(logical_id),
        bus_name=resolver._bus_name(raw.get("EventBusName")),
        pattern=pattern,
        schedule_expression=props.get("ScheduleExpression"),
        enabled=props.get("State", "ENABLED") == "ENABLED",
        targets=tuple(targets),
    )


def _event_rules(resolver: _Resolver, logical_id: str, kind: str) -> list[Rule]:
    """Rules SAM makes from a function's or state machine's EventBridgeRule events."""
    rules = []
    arn = resolver.arn_of(logical_id)
    for event_key, event in (resolver._props(logical_id).get("Events") or {}).items():
        if event.get("Type") not in ("EventBridgeRule", "CloudWatchEvent"):
            continue
        event_props = resolver.resolve(event.get("Properties") or {})
        extra = {k: event_props[k] for k in ("Input", "InputPath", "InputTransformer") if k in event_props}
        rule_logical_id = f"{logical_id}{event_key}"
        bus = event_props.get("EventBusName", "default")
        bus = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
        rules.append(
            Rule(
                logical_id=rule_logical_id,
                name=str(event_props.get("RuleName", f"{STACK_NAME}-{rule_logical_id}")),
                arn=f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/"
                + ("" if bus == "default" else f"{bus}/")
                + str(event_props.get("RuleName", f"{STACK_NAME}-{rule_logical_id}")),
                bus_name=bus,
                pattern=event_props.get("Pattern"),
                schedule_expression=None,
                enabled=event_props.get("State", "ENABLED") == "ENABLED",
                targets=(
                    RuleTarget(
                        id=str((event_props.get("Target") or {}).get("Id", f"{logical_id}{event_key}Target")),
                        arn=arn,
                        kind=kind,
                        resource=logical_id,
                        extra=extra,
                    ),
                ),
            )
        )
    return rules


def _state_machine(resolver: _Resolver, logical_id: str) -> StateMachine:
    raw = resolver._props(logical_id)
    kind = resolver._type(logical_id)
    if kind == "AWS::Serverless::StateMachine":
        sm_type = str(resolver.resolve(raw.get("Type", "STANDARD")))
        definition_uri = raw.get("DefinitionUri")
        inline = raw.get("Definition")
    else:
        sm_type = str(resolver.resolve(raw.get("StateMachineType", "STANDARD")))
        definition_uri = None
        inline = raw.get("Definition") or raw.get("DefinitionString")
    if isinstance(definition_uri, str):
        text = (resolver.base / definition_uri).read_text(encoding="utf-8")
    elif inline is not None:
        resolved_inline = resolver.resolve(inline)
        text = resolved_inline if isinstance(resolved_inline, str) else json.dumps(resolved_inline, indent=2)
    else:
        raise TemplateError(f"{logical_id}: needs a local DefinitionUri or a Definition")
    substitutions = resolver.resolve(raw.get("DefinitionSubstitutions") or {})
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", str(value))
    name = resolver.name_of(logical_id)
    role = raw.get("Role") or raw.get("RoleArn")
    return StateMachine(
        logical_id=logical_id,
        name=name,
        arn=resolver.arn_of(logical_id),
        type=sm_type.upper(),
        definition=text,
        role_arn=str(resolver.resolve(role)) if role else f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-role",
    )


def load(path: Path = TEMPLATE_PATH, parameter_overrides: Mapping[str, str] | None = None) -> Template:
    """Read ``template.yaml`` and resolve it for the local stack."""
    doc = load_yaml(path.read_text(encoding="utf-8"))
    parameters = {
        key: _env_text(spec["Default"])
        for key, spec in (doc.get("Parameters") or {}).items()
        if "Default" in spec
    }
    parameters.update(parameter_overrides or {})
    resolver = _Resolver(doc, parameters, path.parent)
    globals_fn = (doc.get("Globals") or {}).get("Function") or {}
    template = Template(path=path, parameters=parameters, authorizer=_jwt_authorizer(resolver))
    for logical_id, resource in resolver.resources.items():
        condition = resource.get("Condition")
        if condition and not resolver.condition(condition):
            continue
        kind = resource.get("Type", "")
        match kind:
            case "AWS::Serverless::Function":
                template.functions[logical_id] = _function(resolver, logical_id, globals_fn)
                template.ses_identities.update(_ses_identities(resolver, logical_id))
                for rule in _event_rules(resolver, logical_id, "lambda"):
                    template.rules[rule.logical_id] = rule
            case "AWS::DynamoDB::Table":
                template.tables[logical_id] = _table(resolver, logical_id)
            case "AWS::SQS::Queue":
                template.queues[logical_id] = _queue(resolver, logical_id)
            case "AWS::Events::EventBus":
                name = resolver.name_of(logical_id)
                template.buses[logical_id] = Bus(logical_id, name, resolver.arn_of(logical_id))
            case "AWS::Events::Rule":
                template.rules[logical_id] = _rule(resolver, logical_id)
            case "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine":
                template.state_machines[logical_id] = _state_machine(resolver, logical_id)
                for rule in _event_rules(resolver, logical_id, "states"):
                    template.rules[rule.logical_id] = rule
            case "AWS::S3::Bucket":
                template.buckets[logical_id] = Bucket(logical_id, resolver.name_of(logical_id))
            case "AWS::SES::EmailIdentity":
                identity = resolver.resolve(resolver._props(logical_id).get("EmailIdentity"))
                template.ses_identities.add(str(identity))
            case _:
                template.ignored[logical_id] = kind
    return template
