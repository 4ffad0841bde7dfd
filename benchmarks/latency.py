"""Hybrid latency per question, at 10,000 synthetic entries, and cold start, as issue 12 measures
them (the same sample and synthetic knowledge base as ``accuracy.py --side-by-side``).

Usage:
    python benchmarks/latency.py                 # p50/p99 (real kb, 10,000 entries), cold start
    python benchmarks/latency.py --runs 3        # each figure as the median of three runs
    python benchmarks/latency.py --profile 30    # cProfile of respond, the 30 costliest lines
    python benchmarks/latency.py --no-cold       # without the cold start (three processes)
    python benchmarks/latency.py --cpu           # CPU (thread) time per question instead: on a
                                                 # busy machine, fairer than the wall clock

The question sample is 200 questions of every question file (fixed seed); each run answers all
of them once after a warm-up pass. Compare two versions of the code by running this script in
each checkout one after the other, on the same machine in the same minutes.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.chdir(ROOT)

from accuracy import (  # noqa: E402
    LATENCY_SAMPLE,
    RANKING_CHECKS,
    SYNTHETIC_SIZE,
    cold_start,
    latency_ms,
    read_questions,
    synthetic_entries,
    synthetic_semantic,
)
from kb_setup import VECTOR_CACHE, hybrid_knowledge_base  # noqa: E402
from nlp.responder import respond  # noqa: E402
from nlp.semantic import VectorCache  # noqa: E402
from nlp.tokenizer import get_tokenizer  # noqa: E402

try:
    from nlp.retrieval import build_knowledge_base  # noqa: E402
except ImportError:  # the code before issue 12's pipeline step built it in knowledge/
    from knowledge.base import build_knowledge_base  # noqa: E402


def median_of(runs: int, measure) -> tuple[float, ...]:
    """Each figure ``measure`` returns, as the median over ``runs`` calls."""
    results = [measure() for _ in range(runs)]
    return tuple(statistics.median(column) for column in zip(*results))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="median of this many runs")
    parser.add_argument("--profile", type=int, metavar="N", help="print the N costliest calls")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold start")
    parser.add_argument(
        "--cpu", action="store_true", help="CPU (thread) ms per question, two passes, then stop"
    )
    args = parser.parse_args()

    files = sorted((ROOT / "benchmarks").glob("*.tsv"))
    questions = read_questions(files, RANKING_CHECKS)
    timed = random.Random(7).sample(questions, min(LATENCY_SAMPLE, len(questions)))
    kb, _ = hybrid_knowledge_base()
    semantic = kb.index.semantic
    if args.profile:
        for q in timed:  # warm-up, as latency_ms does
            respond(kb, q.text)
        profile = cProfile.Profile()
        profile.enable()
        for q in timed:
            respond(kb, q.text)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
        print(out.getvalue())
        return 0
    if args.cpu:
        for q in timed:  # warm-up, as latency_ms does
            respond(kb, q.text)
        samples = []
        for _ in range(2):
            for q in timed:
                start = time.thread_time()
                respond(kb, q.text)
                samples.append((time.thread_time() - start) * 1000)
        samples.sort()
        print(
            f"hybrid CPU time per question ({len(timed)} questions × 2 after a warm-up pass, "
            f"load average {os.getloadavg()[0]:.1f}): p50 {statistics.median(samples):.2f} ms, "
            f"p99 {samples[int(len(samples) * 0.99)]:.2f} ms"
        )
        return 0
    p50, p99 = median_of(args.runs, functools.partial(latency_ms, kb, timed, passes=1))
    print(
        f"hybrid latency per question ({len(timed)} questions after a warm-up pass, median of "
        f"{args.runs}): p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 ≤ 30 ms)"
    )
    big = build_knowledge_base(
        synthetic_entries(list(kb.entries), SYNTHETIC_SIZE), kb.curated, tokenizer=get_tokenizer()
    )
    big.index.semantic = synthetic_semantic(big.entries, semantic, VectorCache(VECTOR_CACHE))
    sample = timed[: LATENCY_SAMPLE // 2]
    p50, p99 = median_of(args.runs, functools.partial(latency_ms, big, sample, passes=1))
    print(
        f"hybrid latency at {len(big.entries):,} entries ({len(big.index.semantic):,} passages, "
        f"median of {args.runs}): p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 ≤ 80 ms)"
    )
    if not args.no_cold:
        os.environ.update(RETRIEVAL="hybrid", SEMANTIC_CACHE_PATH=str(VECTOR_CACHE))
        seconds, rss = cold_start("okt")
        print(
            f"cold start with a warm vector cache (bot.py ask, median of 3): {seconds:.2f} s; "
            f"peak RSS {rss:.0f} MB (targets ≤ 8 s, ≤ 650 MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
