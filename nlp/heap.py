"""Keep a built knowledge base out of the garbage collector's full collections.

CPython's full (oldest-generation) collection walks every object the collector tracks, and it
runs on whichever question happens to allocate past its threshold. A knowledge base is many such
objects (entries, their index documents, word sets, passages): with 10,000 entries one full
collection took ~100 ms of CPU, with the 239 bundled ones ~20 ms, on the 2-core machine of
benchmarks/README.md — the largest part of the p99 at 10,000 entries. A knowledge base lives
until the next /reload, so once it is built it is moved to the collector's permanent generation
(``gc.freeze``): later collections skip it. Reference counting still frees it when it is
replaced; cyclic garbage it leaves is collected by the next ``settle``, which unfreezes first.

Usage:
    kb = build_knowledge_base(...)   # calls settle() when the index is built
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()


def settle() -> None:
    """Collect all garbage now, then exempt every object alive from later collections.

    Called once a knowledge base or its semantic index is built (never on the question path:
    the collection itself costs as much as the pauses it saves)."""
    with _lock:
        gc.unfreeze()  # objects frozen by the previous call: their garbage is collected now
        gc.collect()
        gc.freeze()
