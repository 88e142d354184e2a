"""IAM identity-policy evaluation, as AWS documents it for one account and no boundaries or SCPs.

A request (action, resource, condition context) is denied by any matching ``Deny`` statement, else allowed
by any matching ``Allow`` statement, else denied implicitly. A statement matches when its ``Action`` (or
``NotAction``), its ``Resource`` (or ``NotResource``) and every one of its ``Condition`` operators match:

- actions match case-insensitively, resources case-sensitively, both with ``*`` and ``?`` wildcards;
- within a condition, operators AND together, keys AND together, a key's values OR together (a negated
  operator such as ``StringNotEquals`` needs the context value to equal none of them);
- a key absent from the request context fails the condition, except for negated operators (true),
  ``...IfExists`` (true) and ``Null``;
- ``ForAllValues:`` holds when every context value matches (so also when the key is absent or empty),
  ``ForAnyValue:`` when at least one does.

Sources: "Policy evaluation logic", "IAM JSON policy elements: Condition operators" and "Multivalued context
keys" in the IAM User Guide; the cases in ``tests/unit/test_iam_policy.py`` are taken from them.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ContextValue = str | tuple[str, ...]


class UnsupportedCondition(ValueError):
    """A condition operator this evaluator does not know: it fails closed rather than guess."""


@dataclass(frozen=True)
class Request:
    """What IAM authorises for one call, or for one part of it (a transaction's item)."""

    action: str  # service:Action
    resource: str  # an ARN, or * for actions without a resource
    context: Mapping[str, ContextValue] = field(default_factory=dict)  # condition keys as AWS sets them

    def value(self, key: str) -> tuple[str, ...] | None:
        """The context values of a key (names are case-insensitive), None when the request does not carry it."""
        lowered = key.lower()
        for name, value in self.context.items():
            if name.lower() == lowered:
                return value if isinstance(value, tuple) else (value,)
        return None


@dataclass(frozen=True)
class StatementId:
    policy: str  # the policy's name (an inline policy) or ARN (a managed one)
    index: int  # position of the statement in the policy

    def __str__(self) -> str:
        return f"{self.policy}#{self.index}"


@dataclass(frozen=True)
class Statement:
    id: StatementId
    effect: str  # Allow | Deny
    body: Mapping[str, Any]

    def applies_to(self, request: Request) -> bool:
        return (
            _matches_action(self.body, request.action)
            and _matches_resource(self.body, request.resource)
            and conditions_hold(self.body.get("Condition") or {}, request)
        )


@dataclass(frozen=True)
class Evaluation:
    allowed: bool
    explicit_deny: StatementId | None  # the Deny that decided, if any
    allowed_by: tuple[Statement, ...]  # every Allow statement that matched (all of them count as used)


def statements(policies: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Statement]:
    """The statements of named policy documents."""
    found = []
    for name, document in policies:
        body = document.get("Statement") or []
        for index, statement in enumerate([body] if isinstance(body, Mapping) else body):
            found.append(Statement(StatementId(name, index), str(statement.get("Effect", "")), statement))
    return found


def evaluate(policy_statements: Sequence[Statement], request: Request) -> Evaluation:
    allowed_by = []
    for statement in policy_statements:
        if not statement.applies_to(request):
            continue
        if statement.effect == "Deny":
            return Evaluation(False, statement.id, ())
        if statement.effect == "Allow":
            allowed_by.append(statement)
    return Evaluation(bool(allowed_by), None, tuple(allowed_by))


# ---------------------------------------------------------------------------------------------- actions, resources


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(value)] if isinstance(value, (str, int, float, bool)) else [str(v) for v in value]


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def glob_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` any one character, nothing else special."""
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    return glob_matches(pattern, action, ignore_case=True)


def resource_matches(pattern: str, resource: str) -> bool:
    return pattern == "*" or glob_matches(pattern, resource)


def _matches_action(body: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in body:
        return not any(action_matches(p, action) for p in as_list(body["NotAction"]))
    return any(action_matches(p, action) for p in as_list(body.get("Action")))


def _matches_resource(body: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in body:
        return not any(resource_matches(p, resource) for p in as_list(body["NotResource"]))
    return any(resource_matches(p, resource) for p in as_list(body.get("Resource")))


# ---------------------------------------------------------------------------------------------- conditions


def _arn_matches(pattern: str, value: str) -> bool:
    """ArnEquals/ArnLike: each of the six colon-separated parts matched on its own (wildcards stay inside)."""
    wanted, actual = pattern.split(":", 5), value.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return all(glob_matches(w, a) for w, a in zip(wanted, actual, strict=True))


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> datetime:
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ip_in(network: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _bool(text: str) -> str:
    return text.strip().lower()


# Each operator: (matches one context value against one policy value, is it negated).
_Match = Callable[[str, str], bool]
_OPERATORS: dict[str, tuple[_Match, bool]] = {
    "StringEquals": (lambda policy, actual: policy == actual, False),
    "StringNotEquals": (lambda policy, actual: policy == actual, True),
    "StringEqualsIgnoreCase": (lambda policy, actual: policy.lower() == actual.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda policy, actual: policy.lower() == actual.lower(), True),
    "StringLike": (glob_matches, False),
    "StringNotLike": (glob_matches, True),
    "NumericEquals": (lambda policy, actual: _number(actual) == _number(policy), False),
    "NumericNotEquals": (lambda policy, actual: _number(actual) == _number(policy), True),
    "NumericLessThan": (lambda policy, actual: _number(actual) < _number(policy), False),
    "NumericLessThanEquals": (lambda policy, actual: _number(actual) <= _number(policy), False),
    "NumericGreaterThan": (lambda policy, actual: _number(actual) > _number(policy), False),
    "NumericGreaterThanEquals": (lambda policy, actual: _number(actual) >= _number(policy), False),
    "DateEquals": (lambda policy, actual: _date(actual) == _date(policy), False),
    "DateNotEquals": (lambda policy, actual: _date(actual) == _date(policy), True),
    "DateLessThan": (lambda policy, actual: _date(actual) < _date(policy), False),
    "DateLessThanEquals": (lambda policy, actual: _date(actual) <= _date(policy), False),
    "DateGreaterThan": (lambda policy, actual: _date(actual) > _date(policy), False),
    "DateGreaterThanEquals": (lambda policy, actual: _date(actual) >= _date(policy), False),
    "Bool": (lambda policy, actual: _bool(policy) == _bool(actual), False),
    "BinaryEquals": (lambda policy, actual: base64.b64decode(policy) == base64.b64decode(actual), False),
    "IpAddress": (_ip_in, False),
    "NotIpAddress": (_ip_in, True),
    "ArnEquals": (_arn_matches, False),
    "ArnLike": (_arn_matches, False),
    "ArnNotEquals": (_arn_matches, True),
    "ArnNotLike": (_arn_matches, True),
}


def _parse_operator(name: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> ("ForAnyValue", "StringLike", True)."""
    qualifier, _, operator = name.rpartition(":")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    return (qualifier or None), operator.removesuffix("IfExists") if if_exists else operator, if_exists


def _single(operator: str, policy_values: list[str], actual: str) -> bool:
    match, negated = _OPERATORS[operator]
    hit = any(match(policy, actual) for policy in policy_values)
    return not hit if negated else hit


def condition_holds(operator_name: str, key: str, policy_value: Any, request: Request) -> bool:
    qualifier, operator, if_exists = _parse_operator(operator_name)
    values = request.value(key)
    policy_values = as_list(policy_value)
    if operator == "Null":
        wanted_absent = any(_bool(v) == "true" for v in policy_values)
        return (values is None or values == ()) == wanted_absent
    if operator not in _OPERATORS:
        raise UnsupportedCondition(f"condition operator {operator_name!r} is not supported locally")
    _, negated = _OPERATORS[operator]
    if qualifier == "ForAllValues":
        return all(_single(operator, policy_values, v) for v in values or ())
    if qualifier == "ForAnyValue":
        return any(_single(operator, policy_values, v) for v in values or ())
    if qualifier is not None:
        raise UnsupportedCondition(f"condition qualifier {qualifier!r} is not supported")
    if values is None:
        return if_exists or negated
    # A single-valued operator on a multivalued key: AWS compares each value (any match counts).
    return any(_single(operator, policy_values, v) for v in values)


def conditions_hold(condition: Mapping[str, Any], request: Request) -> bool:
    return all(
        condition_holds(operator, key, expected, request)
        for operator, keys in condition.items()
        for key, expected in keys.items()
    )


def grants_of(statement: Statement) -> Iterator[tuple[str, str]]:
    """The (action pattern, resource pattern) pairs an Allow statement grants; Not* elements count as one."""
    body = statement.body
    actions = (
        as_list(body["Action"]) if "Action" in body else ["NotAction:" + ",".join(as_list(body["NotAction"]))]
    )
    if "Resource" in body:
        resources = as_list(body["Resource"])
    else:
        resources = ["NotResource:" + ",".join(as_list(body.get("NotResource")))]
    for action in actions:
        for resource in resources:
            yield action, resource


def grant_covers(action_pattern: str, resource_pattern: str, request: Request) -> bool:
    """Whether one (action, resource) pair of a matching statement is what let this request through."""
    action_ok = action_pattern.startswith("NotAction:") or action_matches(action_pattern, request.action)
    resource_ok = resource_pattern.startswith("NotResource:") or resource_matches(
        resource_pattern, request.resource
    )
    return action_ok and resource_ok
