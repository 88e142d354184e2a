"""``python -m oms_build --platform lambda|host|runtime [--out DIR]``: build the artefact and say what it holds."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import get_args

from oms_build import bytecode
from oms_build.artefact import build
from oms_build.files import size_bytes
from oms_build.inventory import distributions
from oms_build.project import BuildError, function_code_dirs
from oms_build.targets import PlatformName


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oms_build", description=__doc__)
    parser.add_argument("--platform", choices=get_args(PlatformName), required=True)
    parser.add_argument("--out", type=Path, help="where to build (default build/<platform>)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        artefact = build(args.platform, args.out)
    except BuildError as error:
        print(f"oms_build: {error}", file=sys.stderr)
        return 1
    found = distributions(artefact.layer_python)
    print(
        f"oms_build: {args.platform} artefact in {artefact.root} ({time.monotonic() - started:.1f} s): "
        f"layer {size_bytes(artefact.layer_python.parent) / 1e6:.1f} MB, {len(found)} distributions "
        f"({', '.join(f'{name}=={version}' for name, version in sorted(found.items()))}) and oms; "
        f"{len(function_code_dirs())} functions"
    )
    if args.platform != "host":
        print(
            f"oms_build: bytecode compiled by {artefact.bytecode_by}"
            if artefact.bytecode_by
            else "oms_build: no Python 3.12 here: the layer ships source only, which Lambda compiles at every "
            f"cold start (set {bytecode.INTERPRETER_VARIABLE} to a Python 3.12 to ship bytecode)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
