"""Run by path in a fresh interpreter: load one handler file as Lambda does and report what it took.

Prints one JSON line: seconds to load the module (its imports and module-level set-up), peak RSS after
loading and how many modules are loaded. Imports nothing of its own before the clock starts, so the
figure is the handler's. Peak RSS is ``VmHWM`` from ``/proc/self/status``: ``getrusage``'s ``ru_maxrss``
survives ``exec`` and so still holds the high-water mark of the forked parent (also printed, for
comparison).
"""

import json
import resource
import sys
import time

started = time.perf_counter()
import importlib.util  # noqa: E402 - timed on purpose, as part of what loading a handler costs

spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
assert spec is not None and spec.loader is not None
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
high_water_kib = None
try:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                high_water_kib = int(line.split()[1])
except OSError:
    pass
print(
    json.dumps(
        {
            "import_seconds": elapsed,
            "peak_rss_kib": high_water_kib or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "modules": len(sys.modules),
            "has_handler": callable(getattr(module, "handler", None)),
        }
    )
)
