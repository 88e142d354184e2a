"""CloudFormation read for local use: the short YAML tags, and intrinsics resolved with local physical names.

Names follow what CloudFormation would create: a table, bus, state machine, schedule or role keeps the name
the template gives it; a queue, rule or role without one is ``<stack>-<LogicalId>`` (CloudFormation adds a
random suffix, which the local stack has no use for), and a function is named after its logical id.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from oms_local import ACCOUNT_ID, REGION, STACK_NAME, URL_SUFFIX


class TemplateError(ValueError):
    """The template uses something the local stack cannot read."""


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


def env_text(value: Any) -> str:
    """A resolved value as CloudFormation passes it in a string property (environment, attributes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


NO_VALUE = object()

# The property holding a resource's physical name, where the template may give one.
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SSM::Parameter": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Lambda::LayerVersion": "LayerName",
}

# Types whose Ref is their ARN rather than their name.
_REF_IS_ARN = frozenset(
    {
        "AWS::StepFunctions::StateMachine",
        "AWS::SNS::Topic",
        "AWS::Lambda::LayerVersion",
    }
)


class Resolver:
    """Resolves a CloudFormation document's intrinsics the way CloudFormation would, with local names."""

    def __init__(self, doc: dict[str, Any], parameters: Mapping[str, str]) -> None:
        self.doc = doc
        self.resources: dict[str, dict[str, Any]] = doc.get("Resources") or {}
        self.parameters = dict(parameters)
        self.conditions: dict[str, Any] = doc.get("Conditions") or {}
        self.mappings: dict[str, Any] = doc.get("Mappings") or {}
        self._names: dict[str, str] = {}

    # -- identities of resources

    def type_of(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"no resource or parameter named {logical_id!r}")
        return str(resource.get("Type", ""))

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties") or {}

    def of_type(self, *kinds: str) -> list[str]:
        """Logical ids of the resources of these types whose condition holds, in template order."""
        found = []
        for logical_id, resource in self.resources.items():
            condition = resource.get("Condition")
            if resource.get("Type") in kinds and (not condition or self.condition(condition)):
                found.append(logical_id)
        return found

    def name_of(self, logical_id: str) -> str:
        if logical_id in self._names:
            return self._names[logical_id]
        kind = self.type_of(logical_id)
        props = self.props(logical_id)
        explicit_key = _NAME_PROPERTY.get(kind)
        name: str
        if explicit_key and props.get(explicit_key) is not None:
            name = str(self.resolve(props[explicit_key]))
        elif kind == "AWS::Lambda::Function":
            name = logical_id
        elif kind == "AWS::S3::Bucket":
            name = f"{STACK_NAME}-{logical_id}".lower()
        else:
            name = f"{STACK_NAME}-{logical_id}"
        self._names[logical_id] = name
        return name

    def arn_of(self, logical_id: str) -> str:
        kind = self.type_of(logical_id)
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
                bus = self.bus_name(self.props(logical_id).get("EventBusName"))
                middle = "" if bus == "default" else f"{bus}/"
                return f"{prefix.format('events')}:rule/{middle}{name}"
            case "AWS::StepFunctions::StateMachine":
                return f"{prefix.format('states')}:stateMachine:{name}"
            case "AWS::Lambda::Function":
                return f"{prefix.format('lambda')}:function:{name}"
            case "AWS::S3::Bucket":
                return f"arn:aws:s3:::{name}"
            case "AWS::SNS::Topic":
                return f"{prefix.format('sns')}:{name}"
            case "AWS::Lambda::LayerVersion":
                return f"{prefix.format('lambda')}:layer:{name}:1"
            case "AWS::IAM::Role":
                return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
            case "AWS::Scheduler::Schedule":
                group = self.resolve(self.props(logical_id).get("GroupName", "default"))
                return f"{prefix.format('scheduler')}:schedule/{group}/{name}"
            case "AWS::SSM::Parameter":
                return f"{prefix.format('ssm')}:parameter/{name.lstrip('/')}"
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
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": [],
        }
        if target in pseudo:
            return pseudo[target]
        if target in self.parameters:
            return self.parameters[target]
        kind = self.type_of(target)
        if kind == "AWS::SQS::Queue":
            return self.queue_url(target)
        if kind in _REF_IS_ARN:
            return self.arn_of(target)
        if kind == "AWS::ApiGatewayV2::Api":
            return "local"
        return self.name_of(target)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        kind = self.type_of(logical_id)
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
        if kind == "AWS::IAM::Role" and attribute == "RoleId":
            return f"AROA{logical_id.upper()[:17]}"
        return f"{self.arn_of(logical_id)}/{attribute}"

    def bus_name(self, value: Any) -> str:
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
            return [item for item in items if item is not NO_VALUE]
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
        return {key: value for key, value in resolved.items() if value is not NO_VALUE}

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

    def logical_id_of(self, value: Any, *kinds: str) -> str | None:
        """Which resource of the given types an (unresolved) ARN, name or Ref expression points at."""
        resolved = self.resolve(value)
        for logical_id in self.of_type(*kinds):
            if resolved in (self.arn_of(logical_id), self.name_of(logical_id), self.ref(logical_id)):
                return logical_id
        return None
