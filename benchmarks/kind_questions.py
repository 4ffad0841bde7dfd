"""The questions that name the kind of entry they ask for ("홍보 맡은 과", "심사하는 위원회"),
scored with the real ``respond`` at several values of retrieval.ASKED_KIND_FACTOR.

Every other question takes no path the factor touches (``retrieval.asked_kinds`` is empty), so
these questions are the whole of its effect. A factor above 1 turns the promotion off (the
asked kind is still no umbrella, index.UMBRELLA_FACTOR).

Usage:
    python benchmarks/kind_questions.py 1.01 0.5 0.6 0.7 0.8 0.9
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import (  # noqa: E402
    DEFAULT_DIR,
    RANKING_CHECKS,
    build_knowledge_base,
    evaluate,
    get_tokenizer,
    load_contents,
    load_settings,
    read_questions,
)
from nlp import responder, retrieval  # noqa: E402
from nlp.semantic import DEFAULT_CACHE_PATH, SemanticService  # noqa: E402

BLIND_R = Path(__file__).resolve().parent / "blind-r.tsv"


def main() -> int:
    factors = [float(x) for x in sys.argv[1:]] or [1.01, retrieval.ASKED_KIND_FACTOR]
    tokenizer = get_tokenizer("okt", cache_dir=load_settings(os.environ).morpheme_cache_dir)
    entries, curated, regions = load_contents(DEFAULT_DIR)
    kb = build_knowledge_base(entries, curated, tokenizer=tokenizer, regions=regions)
    if not SemanticService(ROOT / DEFAULT_CACHE_PATH).build(kb):
        print("semantic model unavailable")
        return 1
    files = sorted(
        p
        for p in (ROOT / "benchmarks").glob("*.tsv")
        if "dialogues" not in p.name and p.name != "answers.tsv"
    ) + ([BLIND_R] if BLIND_R.exists() else [])
    chosen = {
        path: [
            q
            for q in read_questions([path], RANKING_CHECKS)
            if retrieval.asked_kinds(kb.index.analyze(q.text).text, kb.index.region_words)
        ]
        for path in files
    }
    chosen = {path: qs for path, qs in chosen.items() if qs}
    print("factor | top-1 | answered and right | answers right | by file (top-1)")
    for factor in factors:
        retrieval.ASKED_KIND_FACTOR = factor
        responder._rankings.kept.clear()  # rankings remembered under the previous factor
        top1 = answered = answers = shown = 0
        cells = []
        for path, questions in chosen.items():
            report = evaluate(kb, questions)
            top1 += report.top1.right
            answered += report.answered_right.right
            band = report.band_right.get("answer")
            answers += band.right if band else 0
            shown += band.total if band else 0
            cells.append(f"{path.parent.name}/{path.stem}:{report.top1.right}/{report.top1.total}")
        total = sum(len(qs) for qs in chosen.values())
        print(f"{factor} | {top1} | {answered} | {answers}/{shown} | {' '.join(cells)} ({total})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
