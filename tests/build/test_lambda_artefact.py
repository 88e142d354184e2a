"""The artefact ``make build`` and ``sam build`` deploy: CPython 3.12 on arm64, and nothing no function imports."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from oms_build import Artefact
from oms_build.files import size_bytes
from oms_build.inventory import distributions, normalise, top_level_names
from oms_build.project import OMS_PACKAGE, PROJECT_ROOT, runtime_requirements
from oms_build.targets import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from oms_local.template import TEMPLATE_PATH, load_yaml

_ELF_MAGIC = b"\x7fELF"
_EM_AARCH64 = 183
# An extension module's file name says which interpreter it is for: CPython 3.12 on Linux arm64, or the
# stable ABI (any CPython 3 from the one it names).
_EXTENSION_TAG = re.compile(r"\.(cpython-\d+-[\w-]+|abi3)\.so$")
_FOR_LAMBDA = ("cpython-312-aarch64-linux-gnu", "abi3")
_LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # a function and all its layers, unzipped
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import\b|import[ \t]+([^\n#;]+))", re.MULTILINE
)


def _elf_machine(path: Path) -> int | None:
    header = path.read_bytes()[:20]
    if not header.startswith(_ELF_MAGIC):
        return None
    return int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")


def test_every_compiled_module_is_for_cpython_312_on_arm64(lambda_build: Artefact) -> None:
    compiled = sorted(lambda_build.layer_python.rglob("*.so*"))
    assert compiled, "pydantic-core ships a compiled module: the layer has none"
    wrong = []
    for path in compiled:
        name = path.relative_to(lambda_build.layer_python)
        machine = _elf_machine(path)
        tag = _EXTENSION_TAG.search(path.name)
        if machine != _EM_AARCH64:
            wrong.append(f"{name}: ELF machine {machine}, not aarch64 ({_EM_AARCH64})")
        elif tag and tag.group(1) not in _FOR_LAMBDA:
            wrong.append(f"{name}: built for {tag.group(1)}, not CPython 3.12 on aarch64")
    assert not wrong, "\n".join(wrong)


def test_the_layer_holds_no_xray_sdk_and_no_bytecode_of_another_python(lambda_build: Artefact) -> None:
    layer = lambda_build.layer_python
    assert not (layer / "aws_xray_sdk").exists()
    assert "aws-xray-sdk" not in distributions(layer)
    other = [p for p in layer.rglob("*.pyc") if not p.name.endswith(".cpython-312.pyc")]
    assert not other, f"bytecode for another Python than the runtime's: {other[:3]}"
    assert (layer / "oms" / "__init__.py").read_bytes() == (OMS_PACKAGE / "__init__.py").read_bytes()


def test_the_layer_ships_bytecode_lambda_can_use_when_a_python_312_built_it(lambda_build: Artefact) -> None:
    """/opt is read-only in Lambda: a module without a .pyc is compiled again at every cold start."""
    if lambda_build.bytecode_by is None:
        pytest.skip("no Python 3.12 on this machine: the layer ships source only (the build says so)")
    magic = subprocess.run(
        [
            lambda_build.bytecode_by,
            "-c",
            "import importlib.util as u, sys; sys.stdout.write(u.MAGIC_NUMBER.hex())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    missing, wrong = [], []
    for root in (lambda_build.layer_python, lambda_build.root / "functions"):
        for source in root.rglob("*.py"):
            compiled = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
            if not compiled.is_file():
                missing.append(str(source.relative_to(lambda_build.root)))
                continue
            header = compiled.read_bytes()[:8]
            # Magic of 3.12, then flags 0b01: hash-based and unchecked, valid whatever mtime the zip gives.
            if header[:4].hex() != magic or int.from_bytes(header[4:8], "little") != 1:
                wrong.append(str(compiled.relative_to(lambda_build.root)))
    assert not missing, f"{len(missing)} modules without 3.12 bytecode, e.g. {missing[:3]}"
    assert not wrong, f"{len(wrong)} .pyc files not unchecked-hash 3.12 bytecode, e.g. {wrong[:3]}"


def test_every_top_level_package_in_the_layer_is_imported(lambda_build: Artefact) -> None:
    layer = lambda_build.layer_python
    in_layer = top_level_names(layer)
    deployed_code = [*lambda_build.root.joinpath("functions").rglob("*.py"), *(layer / "oms").rglob("*.py")]
    reached = _imports_in(deployed_code) & in_layer
    if "cryptography" in reached:  # its compiled bindings load cffi, which no Python source names
        reached |= {"cffi", "_cffi_backend", "pycparser"} & in_layer
    waiting = list(reached)
    while waiting:  # what the imported packages import in turn
        name = waiting.pop()
        found = _imports_in(_module_files(layer, name)) & in_layer
        waiting.extend(found - reached)
        reached |= found
    assert in_layer - reached - {"oms"} == set(), "in the layer, imported by nothing deployed"


def test_the_layer_holds_the_pinned_requirements(lambda_build: Artefact, host: Artefact) -> None:
    deployed = distributions(lambda_build.layer_python)
    for requirement in runtime_requirements():
        name, _, version = requirement.partition("==")
        assert deployed.get(normalise(name.split("[")[0])) == version.split(";")[0].strip(), requirement
    # What the tests import (host) is what is deployed (lambda), release for release.
    tested = distributions(host.layer_python)
    assert {name: tested[name] for name in deployed if name in tested} == {
        name: version for name, version in deployed.items() if name in tested
    }


def test_the_layer_fits_lambda(
    lambda_build: Artefact, record_property: Callable[[str, object], None]
) -> None:
    size = size_bytes(lambda_build.layer_python.parent)
    record_property("lambda_layer_bytes", size)
    print(f"lambda layer: {size / 1e6:.1f} MB unzipped")
    assert size < _LAMBDA_UNZIPPED_LIMIT


def test_the_build_targets_the_template_runtime_and_sam_builds_it_with_make() -> None:
    template = load_yaml(TEMPLATE_PATH.read_text(encoding="utf-8"))
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == LAMBDA_RUNTIME
    assert function_globals["Architectures"] == [LAMBDA_ARCHITECTURE]
    layer = template["Resources"]["OmsLayer"]
    assert layer["Properties"]["CompatibleRuntimes"] == [LAMBDA_RUNTIME]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    makefile = (PROJECT_ROOT / layer["Metadata"]["ContextPath"] / "Makefile").read_text()
    assert re.search(r"^build-OmsLayer: build$", makefile, re.MULTILINE)
    assert re.search(r"^build:\n\t.*-m oms_build --platform lambda$", makefile, re.MULTILINE)


def _module_files(layer: Path, name: str) -> list[Path]:
    if (layer / name).is_dir():
        return sorted((layer / name).rglob("*.py"))
    return [layer / f"{name}.py"] if (layer / f"{name}.py").is_file() else []


def _imports_in(files: Iterable[Path]) -> set[str]:
    """Top-level names in ``import`` statements (read as text: parsing all of botocore would be slow)."""
    names = set()
    for path in files:
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if match.group(1):
                names.add(match.group(1))
                continue
            for part in match.group(2).split(","):
                name = part.strip().split(" ")[0].split(".")[0]
                if name.isidentifier():
                    names.add(name)
    return names
