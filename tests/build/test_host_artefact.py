"""Every function imports from the host build alone, as Lambda would import it from the deployed artefact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from oms_build import Artefact
from oms_build.files import sync_tree
from oms_build.project import function_code_dirs
from oms_local.template import Template

from tests.build import clean_interpreter

_PROBE_ISOLATION = """
import importlib, json, sys
missing = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        missing.append(name)
import boto3, oms
print(json.dumps({
    "missing": missing, "path": sys.path, "no_site": sys.flags.no_site,
    "boto3": boto3.__file__, "oms": oms.__file__,
}))
"""

# Installed in the development environment only: none may be importable where a function runs.
_DEVELOPMENT_ONLY = ["moto", "pytest", "yaml", "jwt", "oms_local", "oms_build", "aws_xray_sdk"]


def test_every_function_imports_its_handler_from_the_artefact_alone(
    host: Artefact, template: Template
) -> None:
    failed = clean_interpreter.handlers_that_fail_to_import(host, template)
    assert not failed, (
        f"{len(failed)} of {len(template.functions)} functions fail to import from the artefact:\n\n"
        + "\n\n".join(failed)
    )


def test_the_clean_interpreter_has_only_the_standard_library_and_the_artefact(
    host: Artefact, template: Template
) -> None:
    fn = next(iter(template.functions.values()))
    function_dir = host.function_dir(fn.code_dir)
    done = clean_interpreter.run(
        _PROBE_ISOLATION,
        (function_dir, host.layer_python),
        clean_interpreter.lambda_environment(fn, function_dir),
        *_DEVELOPMENT_ONLY,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["missing"] == _DEVELOPMENT_ONLY
    assert found["no_site"] == 1
    assert found["path"][:2] == [str(function_dir), str(host.layer_python)]
    assert not [entry for entry in found["path"] if "site-packages" in entry]
    assert Path(found["boto3"]).is_relative_to(host.layer_python)
    assert Path(found["oms"]).is_relative_to(host.layer_python)
    # The control: the same interpreter, started as usual, does see the development environment.
    assert subprocess.run([sys.executable, "-c", "import moto, pytest"], check=False).returncode == 0


def test_the_artefact_holds_every_function_of_the_template(host: Artefact, template: Template) -> None:
    assert set(function_code_dirs()) == {fn.code_dir.resolve() for fn in template.functions.values()}
    for fn in template.functions.values():
        built = host.function_dir(fn.code_dir)
        assert (built / fn.module_file.name).read_bytes() == fn.module_file.read_bytes(), fn.logical_id


def test_a_rebuild_rewrites_only_what_changed_and_keeps_bytecode(tmp_path: Path) -> None:
    source, built = tmp_path / "source", tmp_path / "built"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "same.py").write_text("same = 1\n")
    (source / "pkg" / "changed.py").write_text("value = 1\n")
    (source / "pkg" / "removed.py").write_text("gone = 1\n")
    assert sync_tree(source, built, keep_bytecode=True) == 3
    (built / "pkg" / "__pycache__").mkdir()
    (built / "pkg" / "__pycache__" / "same.cpython-311.pyc").write_bytes(b"bytecode")
    same_inode = (built / "pkg" / "same.py").stat().st_ino

    (source / "pkg" / "changed.py").write_text("value = 22\n")
    (source / "pkg" / "removed.py").unlink()
    assert sync_tree(source, built, keep_bytecode=True) == 1

    assert (built / "pkg" / "changed.py").read_text() == "value = 22\n"
    assert not (built / "pkg" / "removed.py").exists()
    assert (built / "pkg" / "same.py").stat().st_ino == same_inode
    assert (built / "pkg" / "__pycache__" / "same.cpython-311.pyc").exists()
    assert sync_tree(source, built, keep_bytecode=False) == 0
    assert not (built / "pkg" / "__pycache__").exists()
