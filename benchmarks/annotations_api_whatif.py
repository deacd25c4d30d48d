"""What-if variants of the app for the annotations API benchmark: proposed changes patched in at start-up.

NOT the app's behaviour. `annotations_api.py --whatif NAME[,NAME]` serves this module's
`application` instead of `annotator.wsgi:application`, with BENCH_WHATIF naming the patches, so
that a recommendation comes with a measured effect before anyone changes the code. Each patch is a
sketch of the change the benchmark's README recommends, kept small; none is used outside benchmarks.

None is pending: the earlier ones (`lock_self`, `gc_freeze`, `list_pg_json`) measured well and are
now the app's own code (see the git history of this file for how they were sketched). Add the next
one to PATCHES as a name and a function that patches the app.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from annotator.wsgi import application  # sets Django up

PATCHES: dict[str, Callable[[], None]] = {}

WHATIF = {name for name in os.environ.get("BENCH_WHATIF", "").split(",") if name}
if WHATIF - set(PATCHES):
    raise SystemExit(f"unknown what-if {sorted(WHATIF - set(PATCHES))}; known: {sorted(PATCHES)}")
for name in sorted(WHATIF):
    PATCHES[name]()

__all__ = ["application"]
