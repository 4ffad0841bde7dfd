"""Where a question's time goes at 10,000 synthetic entries: CPU time per stage, full garbage
collections, and the slowest questions — the profile behind the latency section of
benchmarks/README.md.

CPU (thread) time, not the wall clock: on the shared machine other sessions take the cores, and
CPU time is what this code can change. Each run answers the latency sample of
``benchmarks/latency.py`` (100 questions at 10,000 entries) three times after a warm-up pass.

Usage:
    python benchmarks/latency_stages.py                      # this checkout
    python benchmarks/latency_stages.py --checkout ../main   # another checkout's code, same data
    python benchmarks/latency_stages.py --real               # the bundled knowledge base and
                                                             # 200 questions, as latency.py's
                                                             # per-question figure
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

PASSES = 3
SLOWEST = 8


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument(
        "--real", action="store_true", help="the bundled knowledge base, not 10,000 entries"
    )
    args = parser.parse_args()
    root = args.checkout.resolve()
    sys.path[:0] = [str(root), str(root / "benchmarks")]
    os.chdir(root)

    from accuracy import (
        LATENCY_SAMPLE,
        RANKING_CHECKS,
        SYNTHETIC_SIZE,
        read_questions,
        synthetic_entries,
        synthetic_semantic,
    )
    from knowledge.base import DEFAULT_DIR, load_contents
    from nlp import analyzer, answer, index, responder, semantic
    from nlp import tokenizer as tagging
    from nlp.retrieval import build_knowledge_base
    from nlp.tokenizer import get_tokenizer

    questions = read_questions(sorted((root / "benchmarks").glob("*.tsv")), RANKING_CHECKS)
    timed = random.Random(7).sample(questions, min(LATENCY_SAMPLE, len(questions)))
    # as latency.py: all of the sample on the real knowledge base, half at 10,000 entries
    sample = [q.text for q in (timed if args.real else timed[: LATENCY_SAMPLE // 2])]
    tokenizer = get_tokenizer("okt")
    entries, curated, regions = load_contents(DEFAULT_DIR)
    kb = build_knowledge_base(entries, curated, tokenizer=tokenizer, regions=regions)
    service = semantic.SemanticService(root / semantic.DEFAULT_CACHE_PATH)
    if not service.build(kb):
        print(f"semantic model unavailable: {service.error}")
        return 1
    if args.real:
        big = kb
    else:
        big = build_knowledge_base(
            synthetic_entries(list(kb.entries), SYNTHETIC_SIZE), curated, tokenizer=tokenizer
        )
        big.index.semantic = synthetic_semantic(
            big.entries,
            kb.index.semantic,
            semantic.VectorCache(root / semantic.DEFAULT_CACHE_PATH),
        )

    spent: dict[str, float] = collections.defaultdict(float)

    def timed_stage(name, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += (time.thread_time() - start) * 1000

        return wrapper

    encoder = big.index.semantic.encoder
    stages = [
        (encoder, "query", "embed question"),
        (semantic.SemanticIndex, "similarities", "embed + passage product"),
        (index.SearchIndex, "analyze", "analyze"),
        (tagging.Tokenizer, "tokens", "tagger (konlpy)"),
        (analyzer.Analyzer, "_spell", "spelling"),
        (index.SearchIndex, "search", "lexical search"),
        (responder, "search", "fused search"),
        (answer, "find_listing", "listing"),
        (answer, "find_comparison", "comparison"),
        (answer, "format_answer", "answer text"),
    ]
    for owner, attribute, name in stages:
        setattr(owner, attribute, timed_stage(name, getattr(owner, attribute)))
    pauses: list[tuple[int, float]] = []
    started: list[float] = []

    def on_collection(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = [time.thread_time()]
        else:
            pauses.append((info["generation"], (time.thread_time() - started[0]) * 1000))

    for text in sample:  # warm-up pass
        responder.respond(big, text)
    gc.callbacks.append(on_collection)
    rows = []
    for _ in range(PASSES):
        for text in sample:
            spent.clear()
            start = time.thread_time()
            responder.respond(big, text)
            rows.append(((time.thread_time() - start) * 1000, text, dict(spent)))
    gc.callbacks.remove(on_collection)

    totals = sorted(total for total, _, _ in rows)
    full = [ms for generation, ms in pauses if generation == 2]
    print(
        f"{root.name}: CPU ms per question at {len(big.entries):,} entries "
        f"({len(sample)} questions × {PASSES}, load average {os.getloadavg()[0]:.0f}): "
        f"p50 {statistics.median(totals):.1f}, p99 {totals[int(len(totals) * 0.99)]:.1f}, "
        f"max {totals[-1]:.1f}; full collections {len(full)} "
        f"({', '.join(f'{ms:.1f}' for ms in full) or '—'} ms)"
    )
    means = collections.Counter()
    for _, _, parts in rows:
        means.update({name: ms / len(rows) for name, ms in parts.items()})
    print("mean per stage (nested stages are inside the ones above them):")
    for name, ms in means.most_common():
        print(f"  {name:<24} {ms:6.2f} ms")
    print(f"slowest {SLOWEST}:")
    for total, text, parts in sorted(rows, key=lambda row: -row[0])[:SLOWEST]:
        biggest = sorted(parts.items(), key=lambda kv: -kv[1])[:4]
        print(f"  {total:6.1f} ms  {text}  ({', '.join(f'{k} {v:.1f}' for k, v in biggest)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
