"""What each role needs, read from the template alone (no call has to be recorded for these).

- A state machine's role: every Task of its ASL (``lambda:invoke`` -> ``lambda:InvokeFunction`` on that
  function, ``events:putEvents`` -> ``events:PutEvents`` on each bus, ...).
- A schedule's role: ``lambda:InvokeFunction`` on its function, ``sqs:SendMessage`` on its dead-letter queue.
- Lambda's own use of a function's role: polling its SQS event sources, sending asynchronous failures to
  their destination.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from oms_local.iam_policy import Request
from oms_local.iam_requests import Resolution, function_arn, queue_arn
from oms_local.template import Function, Schedule, StateMachine, Template, TemplateError

# What the Lambda service does with a function's role for each SQS event source.
SQS_POLLER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")

# Optimised integrations: arn:aws:states:::<service>:<api> -> the IAM action and the parameter naming the resource.
_INTEGRATIONS = {
    ("sqs", "sendMessage"): ("sqs:SendMessage", "QueueUrl"),
    ("sns", "publish"): ("sns:Publish", "TopicArn"),
    ("dynamodb", "getItem"): ("dynamodb:GetItem", "TableName"),
    ("dynamodb", "putItem"): ("dynamodb:PutItem", "TableName"),
    ("dynamodb", "updateItem"): ("dynamodb:UpdateItem", "TableName"),
    ("dynamodb", "deleteItem"): ("dynamodb:DeleteItem", "TableName"),
    ("states", "startExecution"): ("states:StartExecution", "StateMachineArn"),
}


def _tasks(states: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, state in states.items():
        if state.get("Type") == "Task":
            yield name, state
        for branch in state.get("Branches") or []:
            yield from _tasks(branch.get("States") or {})
        for key in ("Iterator", "ItemProcessor"):
            if state.get(key):
                yield from _tasks(state[key].get("States") or {})


def state_machine_needs(template: Template, machine: StateMachine) -> list[Request]:
    """The requests a state machine's role must allow: one (or more) per Task of its definition."""
    where = Resolution()
    definition = json.loads(machine.definition)
    needs: list[Request] = []
    for name, task in _tasks(definition.get("States") or {}):
        resource = str(task.get("Resource", ""))
        arguments = task.get("Parameters") or task.get("Arguments") or {}
        if resource.startswith("arn:aws:lambda:"):
            needs.append(Request("lambda:InvokeFunction", resource))
            continue
        if not resource.startswith("arn:aws:states:::"):
            raise TemplateError(f"{machine.logical_id}.{name}: task resource {resource!r} is not understood")
        service, _, api = resource.removeprefix("arn:aws:states:::").partition(":")
        api = api.split(".", 1)[0]  # .sync, .waitForTaskToken: the same permission for the call itself
        if (service, api) == ("lambda", "invoke"):
            target = arguments.get("FunctionName")
            if not isinstance(target, str):
                raise TemplateError(
                    f"{machine.logical_id}.{name}: the function must be named in the definition"
                )
            needs.append(Request("lambda:InvokeFunction", function_arn(target, where)))
        elif (service, api) == ("events", "putEvents"):
            entries = arguments.get("Entries")
            # Entries built at run time may name any bus of the template.
            buses = (
                [entry.get("EventBusName") or "default" for entry in entries]
                if isinstance(entries, list)
                else [bus.arn for bus in template.buses.values()] or ["default"]
            )
            for bus in dict.fromkeys(buses):
                arn = bus if bus.startswith("arn:") else where.arn("events", f"event-bus/{bus}")
                needs.append(Request("events:PutEvents", arn))
        elif (service, api) in _INTEGRATIONS:
            action, parameter = _INTEGRATIONS[(service, api)]
            target = str(arguments.get(parameter, "*"))
            if service == "sqs":
                target = queue_arn(target, where)
            elif service == "dynamodb":
                target = where.arn("dynamodb", f"table/{target}")
            needs.append(Request(action, target))
        else:
            raise TemplateError(f"{machine.logical_id}.{name}: no known permission for {resource}")
    return needs


def schedule_needs(template: Template, schedule: Schedule) -> list[Request]:
    needs = [Request("lambda:InvokeFunction", template.functions[schedule.function].arn)]
    if schedule.dead_letter_queue:
        needs.append(Request("sqs:SendMessage", template.queues[schedule.dead_letter_queue].arn))
    return needs


def service_needs(template: Template, function: Function) -> list[Request]:
    """What Lambda itself does with the function's role: poll its queues, deliver async failures."""
    needs = [
        Request(action, template.queues[mapping.queue].arn)
        for mapping in function.sqs_mappings
        for action in SQS_POLLER_ACTIONS
    ]
    for destination in function.destinations:
        if destination.startswith("arn:aws:sqs:"):
            needs.append(Request("sqs:SendMessage", destination))
        elif destination.startswith("arn:aws:lambda:"):
            needs.append(Request("lambda:InvokeFunction", destination))
        elif destination.startswith("arn:aws:sns:"):
            needs.append(Request("sns:Publish", destination))
        elif destination.startswith("arn:aws:events:"):
            needs.append(Request("events:PutEvents", destination))
    return needs
