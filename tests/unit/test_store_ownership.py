"""How writes are built: keys in one place, named writes committed by the unit of work, no positions.

These read the source (ast), so a use case that indexes a transaction's operations, or a module that
spells a key by hand, fails here before it can silently break another use case.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

OMS = Path(__file__).resolve().parents[2] / "shared" / "oms"
KEYS = OMS / "store" / "keys.py"
# The two modules that speak DynamoDB's wire format: the typed client and the unit of work.
WIRE = {OMS / "store" / "table.py", OMS / "store" / "unit_of_work.py"}
KEY_PREFIX = re.compile(r"^[A-Z][A-Z_]{2,}#")


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(OMS.rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(OMS)}:{getattr(node, 'lineno', '?')}"


def _leading_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _leading_text(node.values[0])
    return None


def test_only_the_keys_module_spells_a_key() -> None:
    found = [
        _where(path, node)
        for path, tree in _modules()
        if path != KEYS
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant | ast.JoinedStr)
        and KEY_PREFIX.match(_leading_text(node) or "")
        # An f-string's parts are constants too: judge the whole string once.
        and not (isinstance(node, ast.Constant) and _inside_fstring(tree, node))
    ]
    assert not found, f"keys spelt outside store/keys.py: {found}"


def _inside_fstring(tree: ast.Module, constant: ast.Constant) -> bool:
    return any(isinstance(node, ast.JoinedStr) and constant in node.values for node in ast.walk(tree))


def test_only_the_wire_modules_write_attribute_values_or_transactions() -> None:
    found = []
    for path, tree in _modules():
        if path in WIRE:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                literal = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if literal & {"S", "N", "M", "L", "BOOL", "Put", "Update", "ConditionCheck", "Delete"}:
                    found.append(f"{_where(path, node)} builds a wire-format dict")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "transact"
            ):
                found.append(f"{_where(path, node)} calls transact (use a UnitOfWork)")
            if isinstance(node, ast.Name) and node.id in {"serialize", "TransactionCancelled"}:
                found.append(f"{_where(path, node)} uses {node.id}")
    assert not found, "\n".join(found)


def test_no_use_case_reads_a_transaction_by_position() -> None:
    """A cancelled unit of work is asked by name (``failed_on("order")``), never by index."""
    found = []
    for path, tree in _modules():
        if path in WIRE:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute | ast.Name):
                name = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
                if name in {"ops", "operations", "reasons", "writes", "TransactItems"}:
                    found.append(f"{_where(path, node)} indexes {name}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "failed"
                and node.args
            ):
                found.append(f"{_where(path, node)} asks failed(<position>)")
    assert not found, "\n".join(found)


def test_the_unit_of_work_names_what_failed() -> None:
    from oms.store.unit_of_work import Cancelled, UnitOfWork, put

    class Refusing:
        def transact(self, operations: list[dict[str, object]]) -> None:
            from oms.store.table import TransactionCancelled

            reasons = ["None", "ConditionalCheckFailed", "None"][: len(operations)]
            raise TransactionCancelled(reasons, [None, {"pk": "B", "sk": "B", "n": 1}, None])

    work = UnitOfWork(Refusing())  # type: ignore[arg-type]
    work.add(
        put("a", {"pk": "A", "sk": "A"}), put("b", {"pk": "B", "sk": "B"}), put("c", {"pk": "C", "sk": "C"})
    )
    try:
        work.commit()
    except Cancelled as cancelled:
        assert cancelled.failed_on("b") and not cancelled.failed_on("a") and not cancelled.failed_on("c")
        assert cancelled.found("b") == {"pk": "B", "sk": "B", "n": 1}
    else:
        raise AssertionError("the refused transaction was taken for a commit")


def test_two_writes_of_one_name_are_refused() -> None:
    import pytest
    from oms.store.unit_of_work import UnitOfWork, put

    with pytest.raises(ValueError, match="two writes named 'order'"):
        UnitOfWork(None).add(put("order", {"pk": "A", "sk": "A"}), put("order", {"pk": "B", "sk": "B"}))  # type: ignore[arg-type]
