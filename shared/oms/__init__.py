"""Order and return management: the package every function imports (shipped as one Lambda layer)."""

import gc

# A function's init creates a few hundred thousand objects that live as long as its process (modules,
# classes, functions, schemas) and next to no garbage. At the default threshold (a young collection every
# 700 container allocations) the collector walks them again and again as they pile up, and in half the
# functions a full collection near the end of init walks them all: 37-56 ms of their cold start against
# 15-25 ms for the others (tests/bench, figure 4, "GC ms"). Every 50,000 allocations it walks them about
# once. Only cyclic garbage waits for the collector (refcounting frees the rest at once), and a request
# makes little of it, so what waits longer meanwhile is small.
gc.set_threshold(50_000, *gc.get_threshold()[1:])
