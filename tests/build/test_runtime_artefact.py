"""The layer for the runtime's Python version, run by that Python: every handler imports under 3.12.

The host build is imported by the interpreter running the tests (3.11 here); Lambda runs 3.12. Where the
machine has a Python 3.12, the same build for this machine's architecture (``runtime``) is imported with
it, so a module that only 3.12 refuses fails here and not at its first cold start in AWS.
"""

from __future__ import annotations

import re

import pytest
from oms_build import Artefact, build, bytecode
from oms_build.targets import runtime_target
from oms_local.template import Template

from tests.build import clean_interpreter

_EXTENSION_TAG = re.compile(r"\.cpython-(\d+)-[\w-]+\.so$")


@pytest.fixture(scope="module")
def runtime_python() -> str:
    found = bytecode.interpreter(runtime_target().python_version)
    if found is None:
        pytest.skip("no Python 3.12 on this machine: the host build is imported by this interpreter only")
    return found


@pytest.fixture(scope="module")
def runtime_build(runtime_python: str) -> Artefact:
    return build("runtime")


def test_every_function_imports_its_handler_under_the_runtimes_python(
    runtime_build: Artefact, runtime_python: str, template: Template
) -> None:
    failed = clean_interpreter.handlers_that_fail_to_import(runtime_build, template, runtime_python)
    assert not failed, (
        f"{len(failed)} of {len(template.functions)} functions fail to import under {runtime_python}:\n\n"
        + "\n\n".join(failed)
    )


def test_the_runtime_layer_is_compiled_for_cpython_312_and_by_it(runtime_build: Artefact) -> None:
    tags = {
        m.group(1) for p in runtime_build.layer_python.rglob("*.so") if (m := _EXTENSION_TAG.search(p.name))
    }
    assert tags == {"312"}, f"extension modules for CPython {sorted(tags)}, not 3.12 alone"
    assert runtime_build.bytecode_by is not None
    compiled = list((runtime_build.layer_python / "oms").rglob("*.pyc"))
    assert compiled and all(p.name.endswith(".cpython-312.pyc") for p in compiled)
