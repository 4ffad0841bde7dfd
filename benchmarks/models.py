"""Candidate embedding models alone, on the title-check questions of every question file.

Usage:
    python benchmarks/models.py e5 use     # each model that is installed; the first run of a
                                           # model embeds every passage (e5: ~5 min on 2 cores)

Per file: top-1 and top-3 of the entry whose best passage is nearest; then latency per question
(p50/p99 of embedding the question and one matrix product) and the process's peak RSS.
Vectors are cached in data/vectors-MODEL.npz, so a second run measures only the questions.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import _contains, read_questions  # noqa: E402
from knowledge.base import DEFAULT_DIR, load_entries  # noqa: E402
from nlp.semantic import SemanticIndex, SemanticUnavailable, VectorCache, load_encoder  # noqa: E402


def main(models: list[str]) -> int:
    entries, _ = load_entries(DEFAULT_DIR)
    titles = {e.id: e.title for e in entries}
    for model in models:
        try:
            encoder = load_encoder(model)
        except SemanticUnavailable as exc:
            print(f"{model}: not available here ({exc})")
            continue
        start = time.perf_counter()
        index, embedded = SemanticIndex.build(
            entries, encoder, VectorCache(ROOT / "data" / f"vectors-{model}.npz")
        )
        print(
            f"== {model} ({encoder.name}): {len(index)} passages, {embedded} embedded in "
            f"{time.perf_counter() - start:.1f} s"
        )
        samples = []
        for path in sorted((ROOT / "benchmarks").glob("*.tsv")):
            questions = [q for q in read_questions([path]) if q.check == "title"]
            top1 = top3 = 0
            for q in questions:
                begin = time.perf_counter()
                hits = index.search(q.text, limit=3)
                samples.append((time.perf_counter() - begin) * 1000)
                right = [_contains(titles[h.entry_id], q.expected) for h in hits]
                top1 += right[:1] == [True]
                top3 += any(right)
            if questions:
                print(
                    f"  {path.name:<24} {len(questions):>4} title questions: "
                    f"top-1 {top1 / len(questions):.3f}, top-3 {top3 / len(questions):.3f}"
                )
        samples.sort()
        print(
            f"  latency per question: p50 {samples[len(samples) // 2]:.1f} ms, "
            f"p99 {samples[int(len(samples) * 0.99)]:.1f} ms; peak RSS "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB so far"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["e5", "use"]))
