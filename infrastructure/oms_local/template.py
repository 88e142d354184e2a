"""``template.yaml`` read for local use: SAM expanded to CloudFormation, the intrinsics resolved, the parts typed.

The local stack creates what this module finds and nothing else, so the template stays the one source
of truth. SAM's own resources are expanded by aws-sam-translator (:mod:`oms_local.sam`) exactly as a deploy
would, and the parts are read from the CloudFormation it generates: functions with their roles and policy
documents, event source mappings, schedules and their roles, state machines and their roles, the HTTP API's
routes and JWT authorizer. Intrinsics resolve with local physical names (:mod:`oms_local.cfn`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from oms_local import ACCOUNT_ID, REGION, sam
from oms_local.cfn import Resolver, TemplateError, env_text, load_yaml

__all__ = [
    "PROJECT_ROOT",
    "TEMPLATE_PATH",
    "Bucket",
    "Bus",
    "Function",
    "HttpRoute",
    "JwtAuthorizer",
    "Policy",
    "Queue",
    "Role",
    "Rule",
    "RuleTarget",
    "Schedule",
    "SqsMapping",
    "StateMachine",
    "Table",
    "Template",
    "TemplateError",
    "kebab",
    "load",
    "load_yaml",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"

_FUNCTION = "AWS::Lambda::Function"
_QUEUE = "AWS::SQS::Queue"
_STATE_MACHINE = "AWS::StepFunctions::StateMachine"
_ROLE = "AWS::IAM::Role"

# Types the local stack runs or reads; everything else is listed in Template.ignored.
_READ_TYPES = frozenset(
    {
        _FUNCTION,
        _QUEUE,
        _STATE_MACHINE,
        _ROLE,
        "AWS::DynamoDB::Table",
        "AWS::Events::EventBus",
        "AWS::Events::Rule",
        "AWS::S3::Bucket",
        "AWS::SES::EmailIdentity",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Scheduler::Schedule",
        "AWS::ApiGatewayV2::Api",
        "AWS::Lambda::EventInvokeConfig",
    }
)


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
    maximum_concurrency: int | None = None  # ScalingConfig: batches processed at once, None for no cap


@dataclass(frozen=True)
class Schedule:
    local_name: str  # kebab-case of the event key: ReleaseUnpaid -> release-unpaid
    name: str  # the physical name (Name property, or <Function><Event>)
    expression: str  # rate(...) or cron(...)
    input: str | None  # the JSON text the target receives, None for {}
    function: str
    enabled: bool
    role: str | None = None  # logical id of the role EventBridge Scheduler assumes to invoke the function
    role_arn: str = ""
    dead_letter_queue: str | None = None  # logical id


@dataclass(frozen=True)
class Policy:
    """One policy of a role, its document resolved for local use (ARNs of the local names)."""

    name: str  # PolicyName of an inline policy, or the managed policy's ARN
    document: dict[str, Any]  # {"Statement": [...]}; empty for a managed policy the local stack does not know
    managed: (
        bool  # attached by ARN (SAM adds logs, X-Ray and SQS polling this way), not written in the template
    )

    @property
    def statements(self) -> list[dict[str, Any]]:
        found = self.document.get("Statement") or []
        return list(found) if isinstance(found, list) else [found]


@dataclass(frozen=True)
class Role:
    logical_id: str
    name: str
    arn: str
    services: tuple[str, ...]  # the service principals its trust policy lets assume it
    policies: tuple[Policy, ...]

    @property
    def inline_policies(self) -> tuple[Policy, ...]:
        return tuple(p for p in self.policies if not p.managed)


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
    role: str | None = None  # logical id of its execution role
    role_name: str = ""
    policies: tuple[Policy, ...] = ()  # the role's policies, inline and managed
    destinations: tuple[str, ...] = ()  # ARNs Lambda sends failed (or done) asynchronous invocations to

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
    role: str | None = None  # logical id of its role
    policies: tuple[Policy, ...] = ()


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
    ses_identities: set[str] = field(default_factory=set)  # SES identities the template declares or grants
    authorizer: JwtAuthorizer | None = None  # the HTTP API's JWT authorizer
    roles: dict[str, Role] = field(default_factory=dict)
    cloudformation: dict[str, Any] = field(default_factory=dict, repr=False)  # what SAM expanded it to

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


# ---------------------------------------------------------------------------------------------- roles


def _role(resolver: Resolver, logical_id: str) -> Role:
    props = resolver.resolve(resolver.props(logical_id))
    services: list[str] = []
    for statement in (props.get("AssumeRolePolicyDocument") or {}).get("Statement") or []:
        service = (statement.get("Principal") or {}).get("Service") or []
        services += [service] if isinstance(service, str) else list(service)
    policies = [
        Policy(name=str(p["PolicyName"]), document=dict(p["PolicyDocument"]), managed=False)
        for p in props.get("Policies") or []
    ]
    for arn in props.get("ManagedPolicyArns") or []:
        document = sam.managed_policy_document(str(arn))
        policies.append(Policy(name=str(arn), document=document or {"Statement": []}, managed=True))
    return Role(
        logical_id=logical_id,
        name=resolver.name_of(logical_id),
        arn=resolver.arn_of(logical_id),
        services=tuple(services),
        policies=tuple(policies),
    )


def _role_of(resolver: Resolver, value: Any) -> str | None:
    return resolver.logical_id_of(value, _ROLE) if value is not None else None


# ---------------------------------------------------------------------------------------------- the HTTP API


@dataclass
class _Api:
    routes: dict[str, list[HttpRoute]] = field(default_factory=dict)  # function -> its routes
    authorizer: JwtAuthorizer | None = None


def _http_api(resolver: Resolver) -> _Api:
    """Routes and the JWT authorizer from the OpenAPI body SAM generates for each HTTP API."""
    api = _Api()
    events = _route_events(resolver)
    for api_id in resolver.of_type("AWS::ApiGatewayV2::Api"):
        body = resolver.props(api_id).get("Body") or {}
        schemes = resolver.resolve(((body.get("components") or {}).get("securitySchemes")) or {})
        for name, scheme in schemes.items():
            spec = scheme.get("x-amazon-apigateway-authorizer") or {}
            if spec.get("type") == "jwt" and api.authorizer is None:
                jwt = spec.get("jwtConfiguration") or {}
                audience = jwt.get("audience") or []
                api.authorizer = JwtAuthorizer(
                    name=str(name),
                    issuer=str(jwt.get("issuer", "")),
                    audience=tuple(str(a) for a in (audience if isinstance(audience, list) else [audience])),
                    identity_header=str(spec.get("identitySource", "$request.header.Authorization"))
                    .rsplit(".", 1)[-1]
                    .lower(),
                )
        for path, operations in (body.get("paths") or {}).items():
            for method_key, operation in operations.items():
                integration = operation.get("x-amazon-apigateway-integration") or {}
                function = _integrated_function(resolver, integration.get("uri"))
                if function is None:
                    continue
                method = "ANY" if method_key == "x-amazon-apigateway-any-method" else method_key.upper()
                security = operation.get("security") or []
                api.routes.setdefault(function, []).append(
                    HttpRoute(
                        method=method,
                        path=path,
                        public=not any(name != "NONE" for requirement in security for name in requirement),
                        function=function,
                        event=events.get((function, _permission_key(method, path)), ""),
                    )
                )
    return api


def _integrated_function(resolver: Resolver, uri: Any) -> str | None:
    found = re.search(r"functions/(.+)/invocations$", str(resolver.resolve(uri))) if uri else None
    return resolver.logical_id_of(found.group(1), _FUNCTION) if found else None


def _permission_key(method: str, path: str) -> str:
    """A route as SAM writes it in the Lambda permission's SourceArn: ``GET/v1/orders/*``."""
    shown_path = "" if path == "$default" else re.sub(r"\{[^}]+\}", "*", path)
    return ("*" if method == "ANY" else method) + shown_path


def _route_events(resolver: Resolver) -> dict[tuple[str, str], str]:
    """The event key behind each route: SAM names its permission ``<Function><Event>Permission``."""
    found = {}
    for logical_id in resolver.of_type("AWS::Lambda::Permission"):
        props = resolver.props(logical_id)
        if props.get("Principal") != "apigateway.amazonaws.com":
            continue
        function = resolver.logical_id_of(props.get("FunctionName"), _FUNCTION)
        source = str(resolver.resolve(props.get("SourceArn", "")))
        parts = source.split(":", 5)[-1].split("/", 2)  # api / stage / METHOD/path
        if function is None or len(parts) < 3 or not logical_id.startswith(function):
            continue
        event = logical_id[len(function) :].removesuffix("Permission")
        found[(function, parts[2])] = event
    return found


# ---------------------------------------------------------------------------------------------- functions


def _sqs_mappings(resolver: Resolver) -> dict[str, list[SqsMapping]]:
    found: dict[str, list[SqsMapping]] = {}
    for logical_id in resolver.of_type("AWS::Lambda::EventSourceMapping"):
        raw = resolver.props(logical_id)
        function = resolver.logical_id_of(raw.get("FunctionName"), _FUNCTION)
        queue = resolver.logical_id_of(raw.get("EventSourceArn"), _QUEUE)
        if function is None or queue is None:
            raise TemplateError(f"{logical_id}: the function or the queue is not in the template")
        props = resolver.resolve(raw)
        concurrency = (props.get("ScalingConfig") or {}).get("MaximumConcurrency")
        found.setdefault(function, []).append(
            SqsMapping(
                function=function,
                queue=queue,
                batch_size=int(props.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                enabled=bool(props.get("Enabled", True)),
                maximum_concurrency=None if concurrency is None else int(concurrency),
            )
        )
    return found


def _schedules(resolver: Resolver) -> dict[str, list[Schedule]]:
    found: dict[str, list[Schedule]] = {}
    for logical_id in resolver.of_type("AWS::Scheduler::Schedule"):
        raw = resolver.props(logical_id)
        target = raw.get("Target") or {}
        function = resolver.logical_id_of(target.get("Arn"), _FUNCTION)
        if function is None:
            continue  # a schedule of something else than a function of the template: nothing to run
        props = resolver.resolve(raw)
        resolved_target = props.get("Target") or {}
        raw_input = resolved_target.get("Input")
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        # SAM names the schedule resource <Function><Event>; the event key gives the local name.
        event = logical_id[len(function) :] if logical_id.startswith(function) else logical_id
        found.setdefault(function, []).append(
            Schedule(
                local_name=kebab(event),
                name=resolver.name_of(logical_id),
                expression=str(props["ScheduleExpression"]),
                input=None if raw_input is None else env_text(raw_input),
                function=function,
                enabled=props.get("State", "ENABLED") != "DISABLED",
                role=_role_of(resolver, target.get("RoleArn")),
                role_arn=str(resolved_target.get("RoleArn", "")),
                dead_letter_queue=resolver.logical_id_of(dead_letter, _QUEUE) if dead_letter else None,
            )
        )
    return found


def _destinations(resolver: Resolver) -> dict[str, list[str]]:
    """Where Lambda sends each function's asynchronous results (EventInvokeConfig), as ARNs."""
    found: dict[str, list[str]] = {}
    for logical_id in resolver.of_type("AWS::Lambda::EventInvokeConfig"):
        raw = resolver.props(logical_id)
        function = resolver.logical_id_of(raw.get("FunctionName"), _FUNCTION)
        config = resolver.resolve(raw.get("DestinationConfig") or {})
        for outcome in ("OnFailure", "OnSuccess"):
            destination = (config.get(outcome) or {}).get("Destination")
            if function is not None and destination:
                found.setdefault(function, []).append(str(destination))
    return found


def _function(
    resolver: Resolver,
    base: Path,
    logical_id: str,
    api: _Api,
    mappings: Mapping[str, list[SqsMapping]],
    schedules: Mapping[str, list[Schedule]],
    roles: Mapping[str, Role],
    destinations: Mapping[str, list[str]],
) -> Function:
    raw = resolver.props(logical_id)
    code = raw.get("Code") or {}
    code_path = sam.local_path_of(code.get("S3Bucket"), code.get("S3Key"))
    if code_path is None:
        raise TemplateError(f"{logical_id}: CodeUri must be a local folder")
    variables = resolver.resolve((raw.get("Environment") or {}).get("Variables") or {})
    role = _role_of(resolver, raw.get("Role"))
    return Function(
        logical_id=logical_id,
        name=resolver.name_of(logical_id),
        arn=resolver.arn_of(logical_id),
        code_dir=(base / code_path).resolve(),
        handler=str(raw.get("Handler", "app.handler")),
        environment={key: env_text(value) for key, value in variables.items()},
        timeout_seconds=int(resolver.resolve(raw.get("Timeout", 3))),
        memory_mb=int(resolver.resolve(raw.get("MemorySize", 128))),
        routes=tuple(api.routes.get(logical_id, ())),
        sqs_mappings=tuple(mappings.get(logical_id, ())),
        schedules=tuple(schedules.get(logical_id, ())),
        role=role,
        role_name=roles[role].name if role is not None and role in roles else "",
        policies=roles[role].policies if role is not None and role in roles else (),
        destinations=tuple(destinations.get(logical_id, ())),
    )


def _ses_identities(resolver: Resolver, roles: Mapping[str, Role]) -> set[str]:
    """SES identities declared as resources, or named by the ARNs the roles may send from."""
    found = {
        str(resolver.resolve(resolver.props(logical_id).get("EmailIdentity")))
        for logical_id in resolver.of_type("AWS::SES::EmailIdentity")
    }
    for role in roles.values():
        for policy in role.inline_policies:
            for statement in policy.statements:
                resources = statement.get("Resource") or []
                for resource in [resources] if isinstance(resources, str) else resources:
                    identity = re.match(r"arn:aws:ses:[^:]*:[^:]*:identity/([^*?]+)$", str(resource))
                    if identity:
                        found.add(identity.group(1))
    return found


# ---------------------------------------------------------------------------------------------- state


def _key_schema(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in raw]


def _table(resolver: Resolver, logical_id: str) -> Table:
    props = resolver.resolve(resolver.props(logical_id))
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


def _queue(resolver: Resolver, logical_id: str) -> Queue:
    props = resolver.resolve(resolver.props(logical_id))
    attributes = {key: env_text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    dead_letter = None
    redrive = props.get("RedrivePolicy")
    if redrive:
        raw = resolver.props(logical_id)["RedrivePolicy"]
        if isinstance(redrive, str):
            redrive = json.loads(redrive)
            raw = redrive
        dead_letter = resolver.logical_id_of(raw["deadLetterTargetArn"], _QUEUE)
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


def _target_kind(resolver: Resolver, arn_expr: Any) -> tuple[str, str | None]:
    for kind, resource_type in (("sqs", _QUEUE), ("lambda", _FUNCTION), ("states", _STATE_MACHINE)):
        found = resolver.logical_id_of(arn_expr, resource_type)
        if found:
            return kind, found
    return "other", None


def _rule(resolver: Resolver, logical_id: str) -> Rule:
    raw = resolver.props(logical_id)
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
        bus_name=resolver.bus_name(raw.get("EventBusName")),
        pattern=pattern,
        schedule_expression=props.get("ScheduleExpression"),
        enabled=props.get("State", "ENABLED") == "ENABLED",
        targets=tuple(targets),
    )


def _state_machine(
    resolver: Resolver, base: Path, logical_id: str, roles: Mapping[str, Role]
) -> StateMachine:
    raw = resolver.props(logical_id)
    location = raw.get("DefinitionS3Location")
    if location is not None:
        local = sam.local_path_of(location.get("Bucket"), location.get("Key"))
        if local is None:
            raise TemplateError(f"{logical_id}: needs a local DefinitionUri or a Definition")
        text = (base / local).read_text(encoding="utf-8")
    elif raw.get("Definition") is not None:
        text = json.dumps(resolver.resolve(raw["Definition"]), indent=2)
    elif raw.get("DefinitionString") is not None:
        text = str(resolver.resolve(raw["DefinitionString"]))
    else:
        raise TemplateError(f"{logical_id}: needs a local DefinitionUri or a Definition")
    substitutions = resolver.resolve(raw.get("DefinitionSubstitutions") or {})
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", str(value))
    name = resolver.name_of(logical_id)
    role = _role_of(resolver, raw.get("RoleArn"))
    return StateMachine(
        logical_id=logical_id,
        name=name,
        arn=resolver.arn_of(logical_id),
        type=str(resolver.resolve(raw.get("StateMachineType", "STANDARD"))).upper(),
        definition=text,
        role_arn=str(resolver.resolve(raw["RoleArn"])) if raw.get("RoleArn") else "",
        role=role,
        policies=roles[role].policies if role is not None and role in roles else (),
    )


# ---------------------------------------------------------------------------------------------- loading


# The local stack's own parameter values, as a deploy passes ``--parameter-overrides``: outbound webhooks
# may also go to this machine, so a subscriber can be tried by hand; app push has an APNs and an FCM
# platform application (the local cloud makes them).
LOCAL_PARAMETERS = {
    "WebhookTargets": "public-and-loopback",
    "ApnsPlatformApplicationArn": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:app/APNS/oms-local-apns",
    "FcmPlatformApplicationArn": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:app/GCM/oms-local-fcm",
}


def load(path: Path = TEMPLATE_PATH, parameter_overrides: Mapping[str, str] | None = None) -> Template:
    """Read ``template.yaml``, expand it as SAM does and resolve it for the local stack."""
    doc = load_yaml(path.read_text(encoding="utf-8"))
    parameters = {
        key: env_text(spec["Default"])
        for key, spec in (doc.get("Parameters") or {}).items()
        if "Default" in spec
    }
    parameters.update(LOCAL_PARAMETERS)
    parameters.update(parameter_overrides or {})
    expanded = sam.expand(doc, parameters)
    resolver = Resolver(expanded, parameters)
    base = path.parent
    roles = {logical_id: _role(resolver, logical_id) for logical_id in resolver.of_type(_ROLE)}
    api = _http_api(resolver)
    mappings = _sqs_mappings(resolver)
    schedules = _schedules(resolver)
    destinations = _destinations(resolver)
    template = Template(
        path=path,
        parameters=parameters,
        authorizer=api.authorizer,
        roles=roles,
        cloudformation=expanded,
        ses_identities=_ses_identities(resolver, roles),
    )
    for logical_id, resource in resolver.resources.items():
        condition = resource.get("Condition")
        if condition and not resolver.condition(condition):
            continue
        kind = resource.get("Type", "")
        match kind:
            case "AWS::Lambda::Function":
                template.functions[logical_id] = _function(
                    resolver, base, logical_id, api, mappings, schedules, roles, destinations
                )
            case "AWS::DynamoDB::Table":
                template.tables[logical_id] = _table(resolver, logical_id)
            case "AWS::SQS::Queue":
                template.queues[logical_id] = _queue(resolver, logical_id)
            case "AWS::Events::EventBus":
                name = resolver.name_of(logical_id)
                template.buses[logical_id] = Bus(logical_id, name, resolver.arn_of(logical_id))
            case "AWS::Events::Rule":
                template.rules[logical_id] = _rule(resolver, logical_id)
            case "AWS::StepFunctions::StateMachine":
                template.state_machines[logical_id] = _state_machine(resolver, base, logical_id, roles)
            case "AWS::S3::Bucket":
                template.buckets[logical_id] = Bucket(logical_id, resolver.name_of(logical_id))
            case _ if kind not in _READ_TYPES:
                template.ignored[logical_id] = kind
    return template
