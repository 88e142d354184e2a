"""The suites, the benchmarks and the load run.

Their process imports the functions' modules before any local cloud is up, and each of those modules
checks at import the settings it needs (:mod:`oms.config`). So the process starts with what the template
gives the functions, all of them at once (the in-process local cloud sets the same values), and the
webhook secrets as the local literals; the shell's own values win. What each function is given on its
own is checked by ``tests/unit/test_config.py`` and by the local stack's workers.
"""

from __future__ import annotations

import os


def _every_function_environment() -> dict[str, str]:
    from oms_local.cloud import local_secrets
    from oms_local.template import load

    environment = {k: v for k, v in local_secrets().items() if k != "LOCAL_JWT_SECRET"}
    for function in load().functions.values():
        # Secrets are literal here until a local cloud puts them where the template's *_PARAM point.
        environment.update({k: v for k, v in function.environment.items() if not k.endswith("_PARAM")})
    return environment


for _key, _value in _every_function_environment().items():
    os.environ.setdefault(_key, _value)
