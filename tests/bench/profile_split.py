"""Splitting a pyinstrument profile of the handlers into what the lead can act on.

Walk the call tree below the frames of one function (the benchmark's own call of the handlers). An AWS
call takes its whole subtree (botocore plus the engine). Elsewhere each frame's self time goes to the
category of the nearest categorized frame above it (json called by the logger is the logger's), except
that project code (functions/, shared/oms/) releases that claim, so a decorator does not own the
handler it wraps. The categories partition the time; nothing is counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

AWS_CALL = "_make_api_call"
OTHER = "other Python (handlers, domain rules, views, stdlib)"

# (category, test on the frame's file path) in order: the first that matches claims the frame.
_BY_PATH: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("powertools logger (inject_lambda_context, JSON log lines)", ("aws_lambda_powertools/logging",)),
    ("powertools (other)", ("aws_lambda_powertools/",)),
    ("pydantic models (validate, dump)", ("pydantic/", "pydantic_core/")),
    ("item (de)serialization (oms.store.table, boto3 TypeSerializer)", ("boto3/dynamodb/types",)),
    ("json", ("/json/",)),
    ("uuid/secrets/hashlib (ids)", ("/uuid.py", "/secrets.py", "oms/ids.py")),
    ("datetime formatting (oms.clock)", ("oms/clock.py",)),
)
_SERIALIZING = frozenset({"serialize", "deserialize", "compact", "_value", "values"})


def _category(frame: Any) -> str | None:
    if frame.function == AWS_CALL and "botocore" in (frame.file_path or ""):
        service = frame.class_name or "AWS"
        return f"AWS call: {service} (botocore client + engine)"
    path = (frame.file_path or "").replace("\\", "/")
    if path.endswith("oms/store/table.py") and frame.function in _SERIALIZING:
        return "item (de)serialization (oms.store.table, boto3 TypeSerializer)"
    for name, markers in _BY_PATH:
        if any(marker in path for marker in markers):
            return name
    return None


def _is_project_code(frame: Any) -> bool:
    path = (frame.file_path or "").replace("\\", "/")
    return "/functions/" in path or "/shared/oms/" in path


def _claim(frame: Any, into: dict[str, float], owner: str | None) -> None:
    """Self time goes to the category of the nearest categorized frame above (or at) it; project code
    releases the claim, so a decorator (powertools' inject_lambda_context) does not own the handler."""
    found = _category(frame)
    if found is not None and found.startswith("AWS call"):
        into[found] += frame.time
        return
    if _is_project_code(frame):
        owner = None
    if owner is None:
        owner = found
    into[owner or OTHER] += frame.total_self_time
    for child in frame.children:
        if not child.is_synthetic:
            _claim(child, into, owner)


def split(root: Any, under_function: str) -> tuple[float, dict[str, float]]:
    """Total seconds spent in frames of ``under_function`` and how they divide into categories."""
    categories: dict[str, float] = defaultdict(float)
    total = 0.0

    def walk(frame: Any) -> None:
        nonlocal total
        if frame.function == under_function:
            total += frame.time
            for child in frame.children:
                if not child.is_synthetic:
                    _claim(child, categories, None)
                else:
                    categories[OTHER] += child.time
            return
        for child in frame.children:
            walk(child)

    if root is not None:
        walk(root)
    return total, dict(categories)
