"""Why the hybrid misses title questions: each question's right entry is placed in one cause.

Usage:
    python benchmarks/miss_causes.py benchmarks/blind-h.tsv benchmarks/blind-i.tsv
    python benchmarks/miss_causes.py --list benchmarks/blind-i.tsv   # also each miss

Causes (the first that applies):
  answered right        first and in the answer band
  first, held back      first, but only suggested, "not found", or taken for out of scope
  fused 2nd–3rd         among the candidates and in the top 3, fused below a wrong entry
  fused below 3rd       among the candidates, lower than third
  not a candidate       neither a word of the question nor its meaning (top 20) recalled it
For each miss the right entry's rank by words alone (L), by meaning alone (S) and fused (F).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import _contains, read_questions  # noqa: E402
from kb_setup import hybrid_knowledge_base  # noqa: E402
from nlp.reply import ANSWER  # noqa: E402
from nlp.responder import respond  # noqa: E402
from nlp.retrieval import LEXICAL_CANDIDATES, search  # noqa: E402

CAUSES = (
    "answered right",
    "first, held back",
    "fused 2nd–3rd",
    "fused below 3rd",
    "not a candidate",
)


def _rank(items, right) -> int | None:
    return next((n for n, item in enumerate(items, 1) if right(item)), None)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--list", action="store_true", help="print each miss with its ranks")
    args = parser.parse_args()
    kb, _ = hybrid_knowledge_base()
    semantic = kb.index.semantic
    semantic.encoder.query = functools.lru_cache(maxsize=None)(semantic.encoder.query)
    for path in args.files:
        causes: Counter[str] = Counter()
        for q in read_questions([path], ("title",)):

            def right(entry, q=q) -> bool:
                return _contains(entry.title, q.expected)

            query = kb.index.analyze(q.text)
            lexical = kb.index.search(query, limit=LEXICAL_CANDIDATES)
            best, _ = semantic.similarities(q.text)
            by_meaning = [kb.index.entry(semantic.entry_ids[i]) for i in np.argsort(-best)]
            fused = search(kb.index, query, limit=LEXICAL_CANDIDATES)
            reply = respond(kb, q.text)
            first = bool(reply.hits) and right(reply.hits[0].entry)
            f_rank = _rank(fused, lambda s: right(s.entry))
            cause = (
                CAUSES[0]
                if first and reply.band == ANSWER
                else CAUSES[1]
                if first
                else CAUSES[4]
                if f_rank is None
                else CAUSES[2]
                if f_rank <= 3
                else CAUSES[3]
            )
            causes[cause] += 1
            if args.list and cause != CAUSES[0]:
                top = reply.hits[0].entry.title if reply.hits else "-"
                print(
                    f"  {cause:16} L{_rank(lexical, lambda s: right(s.entry))} "
                    f"S{_rank(by_meaning, right)} F{f_rank} {reply.intent}/{reply.band} | "
                    f"{q.text} → {top}"
                )
        total = sum(causes.values())
        print(f"{path.name} ({total} title questions)")
        for cause in CAUSES:
            print(f"  {cause:16} {causes[cause]:4d}  {causes[cause] / max(total, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
