"""Threads building syntax trees at once corrupt CPython 3.11's ``ast`` recursion counter (gh-106905);
the local stack makes ``ast.parse`` take turns. Run in a fresh interpreter, with garbage collection and
thread switches as frequent as a loaded machine makes them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

RACE = textwrap.dedent(
    """
    import ast, gc, json, sys, threading
    if sys.argv[1] == "guarded":
        from oms_local.moto_patches import serialize_ast_parsing
        serialize_ast_parsing()
    source = "x = " + "[" * 40 + "1" + "]" * 40 + "\\n" + "\\n".join(
        f"def f{i}(a, b=({i}, '{i}')):\\n    return a + b[0] * {i}" for i in range(150)
    )
    errors = []

    class Finalised:
        def __del__(self):
            sum(range(50))

    def churn():
        for _ in range(1500):
            garbage = [Finalised() for _ in range(20)]
            garbage.append(garbage)

    def parse():
        for _ in range(120):
            try:
                ast.parse(source)
            except SystemError as exc:
                errors.append(str(exc))

    sys.setswitchinterval(1e-6)
    gc.set_threshold(50, 5, 5)
    threads = [threading.Thread(target=parse) for _ in range(4)] + [threading.Thread(target=churn) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(errors))
    """
)


def race(mode: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", RACE, mode], capture_output=True, text=True, timeout=240, check=True
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_parsing_in_threads_never_corrupts_the_ast_counter_once_parses_take_turns() -> None:
    assert race("guarded") == []
