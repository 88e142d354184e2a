"""Each function calls AWS as its own role: the template's policies decide every call, as IAM would.

:class:`Authorizer` is asked before each AWS call a function makes. It maps the call to the requests IAM
authorises (:mod:`oms_local.iam_requests`), evaluates them against the function's role as the template
defines it after SAM's expansion (:mod:`oms_local.iam_policy`), and answers with AWS's refusal when one is
denied. It records every request it saw, so the suites can show both directions of least privilege: what
was refused, and which grant of the template no call needed (:meth:`Authorizer.unused_grants`).

State machines' and schedules' roles are checked from the template alone: :func:`check_role` with the needs
of :mod:`oms_local.iam_needs`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from oms_local import ACCOUNT_ID, REGION
from oms_local.iam_needs import SQS_POLLER_ACTIONS, service_needs
from oms_local.iam_policy import (
    Evaluation,
    Request,
    Statement,
    StatementId,
    UnsupportedCondition,
    evaluate,
    grant_covers,
    grants_of,
    statements,
)
from oms_local.iam_requests import Caller, Resolution, access_denied_code, requests_for
from oms_local.template import Policy, Role, Template


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str  # AWS's wording of the refusal, empty when allowed
    error_code: str  # the ClientError code the service answers with, empty when allowed
    requests: tuple[Request, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Grant:
    """One (action, resource) pair an Allow statement of a role's own policies gives."""

    principal: str  # logical id of the function, state machine or schedule using the role
    role: str  # logical id of the role
    statement: StatementId
    action: str  # as written: dynamodb:PutItem, s3:Put*
    resource: str  # as written, resolved: arn:aws:dynamodb:...:table/oms-prod

    def __str__(self) -> str:
        return f"{self.principal}: {self.action} on {self.resource} ({self.statement})"


@dataclass(frozen=True)
class Recorded:
    function: str
    action: str
    resource: str
    allowed: bool


@dataclass(frozen=True)
class RoleCheck:
    """A role against what it needs: what it refuses, and what it grants that nothing needs."""

    principal: str
    denied: tuple[Request, ...]
    unused: tuple[Grant, ...]

    @property
    def exact(self) -> bool:
        return not self.denied and not self.unused


def role_grants(principal: str, role: Role | None) -> list[Grant]:
    """The grants of a role's own (inline) policies; AWS managed ones are the services' (logs, X-Ray, polling)."""
    if role is None:
        return []
    return [
        Grant(principal, role.logical_id, statement.id, action, resource)
        for statement in _statements(role.inline_policies)
        if statement.effect == "Allow"
        for action, resource in grants_of(statement)
    ]


def _statements(policies: Iterable[Policy]) -> list[Statement]:
    return statements((policy.name, policy.document) for policy in policies)


def covered_grants(grants: Iterable[Grant], evaluation: Evaluation, request: Request) -> set[Grant]:
    """The grants that let an allowed request through (every matching statement's matching pairs)."""
    allowing = {statement.id for statement in evaluation.allowed_by}
    return {g for g in grants if g.statement in allowing and grant_covers(g.action, g.resource, request)}


def check_role(principal: str, role: Role | None, needs: Iterable[Request]) -> RoleCheck:
    """Evaluate a role against the requests it must allow; list refusals and grants no request used."""
    policy_statements = _statements(role.policies) if role else []
    grants = role_grants(principal, role)
    caller = Caller(role.name if role else "", principal)
    denied, used = [], set()
    for need in needs:
        request = Request(need.action, need.resource, {**caller.context(), **need.context})
        verdict = evaluate(policy_statements, request)
        if verdict.allowed:
            used |= covered_grants(grants, verdict, request)
        else:
            denied.append(need)
    return RoleCheck(principal, tuple(denied), tuple(g for g in grants if g not in used))


def unused_grants(template: Template, calls: Iterable[tuple[str, Request]]) -> list[Grant]:
    """Grants of the functions' roles that neither a recorded call nor Lambda's own use of the role needs.

    ``calls`` are (function logical id, request) pairs, as the authorizer saw them.
    """
    by_function: dict[str, list[Request]] = {}
    for function, request in calls:
        by_function.setdefault(function, []).append(request)
    unused: list[Grant] = []
    for function in template.functions.values():
        role = template.roles.get(function.role or "")
        needs = by_function.get(function.logical_id, []) + service_needs(template, function)
        unused += check_role(function.logical_id, role, needs).unused
    return unused


def event_source_refusals(template: Template) -> list[str]:
    """Queue mappings whose function's role cannot poll the queue, in Lambda's words.

    Lambda polls with the function's role and refuses to create such a mapping, so the deployment fails;
    the local stack refuses to start them alike.
    """
    refusals = []
    for mapping in template.sqs_mappings:
        function = template.functions[mapping.function]
        role = template.roles.get(function.role or "")
        statements_ = _statements(role.policies) if role else []
        caller = Caller(function.role_name or "no-role", function.name, function.arn)
        for action in SQS_POLLER_ACTIONS:
            request = Request(action, template.queues[mapping.queue].arn, caller.context())
            if not evaluate(statements_, request).allowed:
                refusals.append(
                    f"{function.logical_id} -> {mapping.queue}: InvalidParameterValueException: The provided "
                    f"execution role does not have permissions to call {action.split(':')[1]} on SQS"
                )
    return refusals


def moto_task_token_owner(token: str) -> str | None:
    """The state machine whose running execution (in this process's moto) issued a task token."""
    try:
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends
    except ImportError:  # pragma: no cover - moto is part of the local extra
        return None
    backend = stepfunctions_parser_backends[ACCOUNT_ID][REGION]
    for machine in list(backend.state_machines):
        for execution in list(machine.executions):
            environment = getattr(getattr(execution, "exec_worker", None), "env", None)
            pool = getattr(getattr(environment, "callback_pool_manager", None), "_pool", None)
            if pool is not None and token in pool:
                return str(execution.state_machine_arn)
    return None


@dataclass
class _Principal:
    caller: Caller
    statements: list[Statement]
    grants: list[Grant]


class Authorizer:
    """Decides each AWS call of a function against its role, and remembers what it decided."""

    def __init__(
        self, template: Template, task_token_owner: Callable[[str], str | None] | None = None
    ) -> None:
        self.template = template
        issuers = tuple(
            m.arn for m in template.state_machines.values() if ".waitForTaskToken" in m.definition
        )
        self._where = Resolution(
            ses_identities=frozenset(template.ses_identities),
            partition_key=_partition_keys(template).get,
            task_token_owner=task_token_owner or moto_task_token_owner,
            token_issuers=issuers,
        )
        self._principals: dict[str, _Principal] = {}
        for function in template.functions.values():
            role = template.roles.get(function.role or "")
            self._principals[function.logical_id] = _Principal(
                caller=Caller(function.role_name or "no-role", function.name, function.arn),
                statements=_statements(role.policies) if role else [],
                grants=role_grants(function.logical_id, role),
            )
        self._lock = threading.Lock()
        self._records: Counter[Recorded] = Counter()
        self._used: set[Grant] = set()

    def check(self, function: str, service: str, operation: str, params: dict[str, Any]) -> Decision:
        principal = self._principals.get(function)
        code = access_denied_code(service)
        if principal is None:
            return Decision(False, f"{function} is not a function of the template; it has no role", code)
        requests = requests_for(service, operation, params, self._where, principal.caller.context())
        refusal: Decision | None = None
        verdicts: list[tuple[Request, Evaluation]] = []
        for request in requests:
            try:
                verdict = evaluate(principal.statements, request)
            except UnsupportedCondition as exc:
                verdict = Evaluation(False, None, ())
                refusal = refusal or Decision(
                    False, f"{_refusal(principal.caller, request, None)} ({exc})", code
                )
            verdicts.append((request, verdict))
            if not verdict.allowed and refusal is None:
                refusal = Decision(False, _refusal(principal.caller, request, verdict.explicit_deny), code)
        with self._lock:
            for request, verdict in verdicts:
                self._records[Recorded(function, request.action, request.resource, verdict.allowed)] += 1
                if verdict.allowed:
                    self._used |= covered_grants(principal.grants, verdict, request)
        if refusal is not None:
            return Decision(refusal.allowed, refusal.message, refusal.error_code, tuple(requests))
        return Decision(True, "", "", tuple(requests))

    def records(self) -> dict[Recorded, int]:
        """Every request seen, with how many times."""
        with self._lock:
            return dict(self._records)

    def denied(self) -> list[Recorded]:
        return [record for record in self.records() if not record.allowed]

    def used_grants(self) -> dict[str, list[Grant]]:
        """Per function, the grants of its role some recorded request needed."""
        with self._lock:
            used = set(self._used)
        found: dict[str, list[Grant]] = {}
        for grant in sorted(used, key=str):
            found.setdefault(grant.principal, []).append(grant)
        return found

    def unused_grants(self) -> list[Grant]:
        """Grants no recorded request needed, nor Lambda's own use of the role (polling, destinations)."""
        with self._lock:
            used = set(self._used)
        unused = []
        for function in self.template.functions.values():
            role = self.template.roles.get(function.role or "")
            lambda_service = check_role(function.logical_id, role, service_needs(self.template, function))
            unused += [g for g in lambda_service.unused if g not in used]
        return unused


def _refusal(caller: Caller, request: Request, deny: StatementId | None) -> str:
    reason = (
        "with an explicit deny in an identity-based policy"
        if deny is not None
        else f"because no identity-based policy allows the {request.action} action"
    )
    return (
        f"User: {caller.arn} is not authorized to perform: {request.action} "
        f"on resource: {request.resource} {reason}"
    )


def _partition_keys(template: Template) -> Mapping[str, str]:
    keys = {}
    for table in template.tables.values():
        for key in table.create_args.get("KeySchema") or []:
            if key.get("KeyType") == "HASH":
                keys[table.name] = str(key["AttributeName"])
    return keys
