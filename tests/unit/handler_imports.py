"""Import handlers as Lambda's init does, each with exactly the environment it is given.

Run as a script (``python -I handler_imports.py``) with a JSON list of cases on stdin; prints, per case,
the error its import raised (``None`` when it imported) and the settings its modules declared. One
interpreter serves every case: before each, the project's modules are forgotten and ``os.environ`` is
replaced, so each import runs every module's checks afresh, as a cold start does (third-party modules
stay loaded: they read none of the project's settings).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any, TypedDict


class Case(TypedDict):
    id: str
    environment: dict[str, str]
    path: list[str]  # the function's code folder, then the layer's
    handler: str  # module.attribute
    calls: list[str]  # module:function, called after the import (what a handler imports lazily)


# The interpreter's own path and site-packages, without this script's folder.
BASE_PATH = [entry for entry in sys.path if entry != os.path.dirname(os.path.abspath(__file__))]


def _forget_the_project() -> None:
    for name in [m for m in sys.modules if m in ("app", "oms") or m.startswith("oms.")]:
        del sys.modules[name]


def run(case: Case) -> dict[str, Any]:
    _forget_the_project()
    os.environ.clear()
    os.environ.update(case["environment"])
    sys.path[:] = [*case["path"], *BASE_PATH]
    try:
        module_name, attribute = case["handler"].rsplit(".", 1)
        getattr(importlib.import_module(module_name), attribute)
        for call in case["calls"]:
            module_name, function = call.split(":")
            getattr(importlib.import_module(module_name), function)()
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}", "declared": []}
    from oms import config

    return {"error": None, "declared": sorted({v for vs in config.declared().values() for v in vs})}


if __name__ == "__main__":
    cases: list[Case] = json.load(sys.stdin)
    print(json.dumps({case["id"]: run(case) for case in cases}))
