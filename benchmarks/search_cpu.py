"""CPU time of the word matcher alone (``SearchIndex.search``) per question, on the bundled
knowledge base: every question of benchmarks/*.tsv (as benchmarks/same_answers.py reads them),
analysed first, then searched three times after a warm-up pass.

Usage:
    python benchmarks/search_cpu.py     # run it in each checkout to compare, alternated
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from nlp.retrieval import load_knowledge_base  # noqa: E402
from same_answers import questions  # noqa: E402

PASSES, WARM_UP = 3, 200


def main() -> int:
    kb = load_knowledge_base()
    queries = [kb.index.analyze(text) for text in questions()]
    for query in queries[:WARM_UP]:
        kb.index.search(query)
    per_question = []
    for _ in range(PASSES):
        start = time.process_time()
        for query in queries:
            kb.index.search(query)
        per_question.append((time.process_time() - start) * 1000 / len(queries))
    shown = ", ".join(f"{ms:.2f}" for ms in per_question)
    print(
        f"{len(queries)} questions: SearchIndex.search CPU ms per question, {PASSES} passes: "
        f"{shown}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
