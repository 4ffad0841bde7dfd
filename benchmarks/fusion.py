"""How to fuse the lexical and the semantic ranking, measured: reciprocal-rank fusion, a weighted
score sum, and semantic recall followed by the lexical re-rank, each with its best bands.

Usage:
    python benchmarks/fusion.py          # about 5–10 minutes (every question file, warm cache)

For every question (title, text and out-of-scope checks) it records the lexical score of every
candidate (recalled by words or among the 20 nearest by meaning) and the cosine of every entry,
then replays ``respond``'s band decision for each method and parameter. Bands are chosen on the
tuning sets (questions, dev, blind A–C, F): the most answered right while out-of-scope rejection
stays ≥ 0.95, answers are right ≥ 95 % and suggestions hold the right entry ≥ 90 %; the held-back
sets (holdout, blind D and E) show whether that holds on questions nobody tuned on.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import _contains, read_questions
from kb_setup import hybrid_knowledge_base
from nlp.answer import OVERRIDE_THRESHOLD
from nlp.intent import detect_intent
from nlp.reply import COMPLAINT, GREETING, OUT_OF_SCOPE
from nlp.responder import render_entry
from nlp.retrieval import (
    CLEAR_MARGIN,
    CLEAR_MIN_COSINE,
    CLEAR_MIN_SCORE,
)

HELD_BACK = ("holdout-questions.tsv", "blind-d.tsv", "blind-e.tsv")
LOW_HIGH = ((0.82, 0.94), (0.84, 0.94), (0.84, 0.96), (0.86, 0.96))
GRIDS = {
    "lexical only": [{}],
    "semantic only": [{"lo": lo, "hi": hi} for lo, hi in LOW_HIGH],
    "weighted sum": [
        {"lo": lo, "hi": hi, "a": a} for lo, hi in LOW_HIGH for a in (0.2, 0.3, 0.4, 0.5)
    ],
    "reciprocal-rank fusion": [{"k": k} for k in (5, 10, 20, 60)],
    "semantic recall, lexical re-rank": [{"K": k} for k in (5, 10, 20, 40)],
}


def collect(kb, paths: list[Path]) -> list[dict]:
    """Per question: intent facts, lexical scores, cosines, and which entries are right."""
    semantic = kb.index.semantic
    rows = []
    for path in paths:
        for q in read_questions([path]):
            if q.check not in ("title", "text", "none"):
                continue
            intent = detect_intent(q.text)
            query = kb.index.analyze(q.text)
            best, _ = semantic.similarities(q.text)
            sims = dict(zip(semantic.entry_ids, map(float, best)))
            near = sorted(sims, key=lambda i: -sims[i])
            lexical = kb.index.search(query, limit=80, also=near[:20])
            if q.check == "title":
                ok = {e.id: _contains(e.title, q.expected) for e in kb.entries}
            elif q.check == "text":
                ok = {
                    i: _contains(render_entry(kb, i, q.text) or "", q.expected)
                    for i in {s.entry.id for s in lexical[:6]} | set(near[:6])
                }
            else:
                ok = {}
            rows.append(
                {
                    "file": path.name,
                    "check": q.check,
                    "intent": intent,
                    "tokens": bool(query.tokens),
                    # a complaint word inside a name ("지방규제신고센터"): the analyzer's intent
                    "name": intent == COMPLAINT and query.intent != COMPLAINT,
                    "lex": {s.entry.id: s.score for s in lexical},
                    "lex_order": [s.entry.id for s in lexical],
                    "sims": sims,
                    "near": near,
                    "ok": ok,
                }
            )
    return rows


def ranked(row: dict, method: str, p: dict) -> list[tuple[str, float]]:
    """The first three entries and their scores under one fusion method."""
    lex, sims = row["lex"], row["sims"]

    def meaning(i: str) -> float:
        return min(1.0, max(0.0, (sims[i] - p["lo"]) / (p["hi"] - p["lo"])))

    if method == "lexical only":
        items = [(i, lex[i]) for i in row["lex_order"]]
    elif method == "semantic only":
        items = [(i, 100 * meaning(i)) for i in row["near"][:10]]
    elif method == "weighted sum":
        items = [
            (i, (1 - p["a"]) * lex.get(i, 0.0) + p["a"] * 100 * meaning(i))
            for i in set(lex) | set(row["near"][:20])
        ]
    elif method == "reciprocal-rank fusion":
        lexical_rank = {i: n for n, i in enumerate(row["lex_order"])}
        semantic_rank = {i: n for n, i in enumerate(row["near"])}
        scale = 100 * (p["k"] + 1) / 2  # first in both = 100
        items = [
            (
                i,
                scale
                * (1 / (p["k"] + lexical_rank.get(i, 10**6)) + 1 / (p["k"] + semantic_rank[i])),
            )
            for i in set(lexical_rank) | set(row["near"][:20])
        ]
    else:
        items = [(i, lex.get(i, 0.0)) for i in row["near"][: p["K"]]]
    return sorted(items, key=lambda x: (-x[1], x[0]))[:3]


def tally(
    rows: list[dict], tops: list, answer_at: float, suggest_at: float, clear: bool = True
) -> dict:
    """answered-right, top-1, top-3, precision of each band, out-of-scope rejection."""
    m: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, items in zip(rows, tops):
        top = items[0][1] if items else 0.0
        if (
            row["intent"] == GREETING
            or (row["intent"] == OUT_OF_SCOPE and not row["tokens"])
            or (row["intent"] == COMPLAINT and not row["name"])
            or (row["intent"] == OUT_OF_SCOPE and top < OVERRIDE_THRESHOLD)
        ):
            band = "none"
        elif top >= answer_at or clear and _clear(row, items):
            band = "answer"
        else:
            band = "suggest" if top >= suggest_at else "not found"
        if row["check"] == "none":
            m["oos"][0] += band != "answer"
            m["oos"][1] += 1
            continue
        ok = [row["ok"].get(i, False) for i, _ in items]
        for name, right in (
            ("top1", ok[:1] == [True]),
            ("top3", any(ok)),
            ("answered right", band == "answer" and ok[:1] == [True]),
        ):
            m[name][0] += right
            m[name][1] += 1
        if band in ("answer", "suggest"):
            m[band][0] += ok[:1] == [True] if band == "answer" else any(ok)
            m[band][1] += 1
    return {k: v[0] / v[1] for k, v in m.items() if v[1]}


def _clear(row: dict, items: list[tuple[str, float]]) -> bool:
    """retrieval.clear_winner on a replayed ranking (not for words alone, which never fuse)."""
    if not items:
        return False
    second = items[1][1] if len(items) > 1 else 0.0
    return (
        items[0][1] >= CLEAR_MIN_SCORE
        and items[0][1] - second >= CLEAR_MARGIN
        and row["sims"].get(items[0][0], 0.0) > CLEAR_MIN_COSINE
    )


def feasible(m: dict) -> bool:
    return m.get("oos", 1) >= 0.95 and m.get("answer", 1) >= 0.95 and m.get("suggest", 1) >= 0.90


def main() -> int:
    kb, _ = hybrid_knowledge_base()
    rows = collect(kb, sorted((ROOT / "benchmarks").glob("*.tsv")))
    tune = [r for r in rows if r["file"] not in HELD_BACK]
    held = [r for r in rows if r["file"] in HELD_BACK]
    print(f"{len(tune)} tuning questions, {len(held)} held back")
    print(
        "| method | best parameters, bands | tuning: top-1 / top-3 / answered right / answers "
        "right / suggestions right / OOS | held back: the same |"
    )
    print("|---|---|---|---|")
    for method, grid in GRIDS.items():
        best = None
        fuses = method != "lexical only"
        for p in grid:
            tops_tune = [ranked(r, method, p) for r in tune]
            for answer_at in range(25, 70):
                for suggest_at in range(max(5, answer_at - 20), answer_at + 1, 2):
                    m = tally(tune, tops_tune, answer_at, suggest_at, fuses)
                    if feasible(m) and (
                        best is None or m["answered right"] > best[0]["answered right"]
                    ):
                        best = (m, p, answer_at, suggest_at)
        if best is None:
            m = tally(tune, [ranked(r, method, grid[0]) for r in tune], 45, 30, fuses)
            print(
                f"| {method} | no bands keep out-of-scope rejection ≥ 0.95 "
                f"(at 45/30: {_cells(m)}) | – | – |"
            )
            continue
        m, p, answer_at, suggest_at = best
        h = tally(held, [ranked(r, method, p) for r in held], answer_at, suggest_at, fuses)
        print(f"| {method} | {p} {answer_at}/{suggest_at} | {_cells(m)} | {_cells(h)} |")
    return 0


def _cells(m: dict) -> str:
    keys = ("top1", "top3", "answered right", "answer", "suggest", "oos")
    return " / ".join(f"{m[k]:.3f}" if k in m else "–" for k in keys)


if __name__ == "__main__":
    sys.exit(main())
