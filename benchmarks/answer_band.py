"""What tells a wrong "answer" reply from a right one: the answered questions of every question
file, with the signals the band could use, and the rules tried on them.

Usage:
    python benchmarks/answer_band.py collect OUT.pkl   # every file's answered replies (~5 min)
    python benchmarks/answer_band.py grid OUT.pkl      # tie margin × score, runner-up share

``collect`` runs the real ``respond`` — with the tie rule as it was before (margin 1, score 55)
and indicators answering every question — on the title, text and out-of-scope rows of our files
and blind A–U, and keeps, for each "answer" reply, whether it was right (title: the entry's title;
text: the reply holds the expected words; out of scope: never), the first five candidates'
fused score and cosine, and whether an indicator answered a question asking neither a figure
nor who keeps it. ``grid`` holds back an answer when a rule fires and counts, over all files,
the right and wrong answers kept, the out-of-scope questions still answered, and the files whose
answers are right less than 95 % of the time. It replays answers only (a held-back answer
becomes a suggestion): confirm a choice through ``every_set.py``.
"""

from __future__ import annotations

import collections
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import _contains, read_questions  # noqa: E402
from kb_setup import hybrid_knowledge_base  # noqa: E402
from nlp import answer, retrieval  # noqa: E402
from nlp.analyzer import CONTACT_CUES, strip_particle  # noqa: E402
from nlp.answer import MEASURE_WORDS  # noqa: E402
from nlp.reply import ANSWER  # noqa: E402
from nlp.responder import ranking, respond  # noqa: E402

TARGET = 0.95
BEFORE = {"TIE_MARGIN": 1.0, "TIE_MAX_SCORE": 55.0}  # the tie rule the grid starts from


def question_files() -> list[Path]:
    files = sorted((ROOT / "benchmarks").glob("blind-?.tsv"))
    names = ("questions", "dev-questions", "holdout-questions")
    return files + [ROOT / "benchmarks" / f"{n}.tsv" for n in names]


def collect(out: Path) -> None:
    for name, value in BEFORE.items():
        setattr(retrieval, name, value)
    answer._measure_not_asked = lambda entry, query: False
    kb, _ = hybrid_knowledge_base()
    data = {}
    for path in question_files():
        rows = []
        for q in read_questions([path], checks=("title", "text", "none")):
            reply = respond(kb, q.text)
            if reply.band != ANSWER or not reply.hits:
                continue
            entry = reply.hits[0].entry
            query = kb.index.analyze(q.text)
            ranked = ranking(kb, query)
            words = {*query.tokens, *query.text.split()}
            rows.append(
                {
                    "right": None
                    if q.check == "none"
                    else _contains(entry.title, q.expected)
                    if q.check == "title"
                    else _contains(reply.text, q.expected),
                    "first_is_answer": bool(ranked) and ranked[0].entry.id == entry.id,
                    "scores": [s.score for s in ranked[:5]],
                    "cosines": [s.semantic or 0.0 for s in ranked[:5]],
                    "indicator_unasked": entry.kind == "indicator"
                    and not any(w in query.compact for w in MEASURE_WORDS)
                    and not any(strip_particle(w) in CONTACT_CUES for w in words),
                }
            )
        data[path.stem] = rows
        print(path.stem, len(rows), file=sys.stderr, flush=True)
    out.write_bytes(pickle.dumps(data))


def tally(data: dict, held_back) -> str:
    per = collections.defaultdict(collections.Counter)
    for name, rows in data.items():
        for row in rows:
            kind = "oos" if row["right"] is None else "right" if row["right"] else "wrong"
            per[name][kind, bool(held_back(row))] += 1
    total = collections.Counter()
    for counts in per.values():
        total.update(counts)
    right, wrong = total["right", False], total["wrong", False]
    low = [
        n.removeprefix("blind-")
        for n, c in per.items()
        if c["right", False] < TARGET * (c["right", False] + c["wrong", False])
    ]
    return (
        f"{right} (−{total['right', True]}) | {wrong} (−{total['wrong', True]}) | "
        f"{total['oos', False]} | {right / max(1, right + wrong):.3f} | {', '.join(low)}"
    )


def _tie(row: dict, margin: float, below: float) -> bool:
    scores = row["scores"]
    if not row["first_is_answer"] or not scores:
        return False
    second = scores[1] if len(scores) > 1 else 0.0
    return scores[0] - second < margin and scores[0] < below


def _share(row: dict, share: float, below: float) -> bool:
    scores = row["scores"]
    if not row["first_is_answer"] or len(scores) < 2:
        return False
    return scores[1] >= share * scores[0] and scores[0] < below


def grid(path: Path) -> None:
    data = pickle.loads(path.read_bytes())
    print("| rule | right kept | wrong kept | out of scope answered | answers right | < 0.95 |")
    print("|---|---|---|---|---|---|")
    print(f"| none | {tally(data, lambda r: False)} |")
    for margin in (2.0, 3.0, 4.0, 5.0, 8.0):
        for below in (45.0, 50.0, 55.0, 65.0):
            rule = lambda r, m=margin, b=below: _tie(r, m, b)  # noqa: E731
            print(f"| margin < {margin:g}, score < {below:g} | {tally(data, rule)} |")
    for share in (0.90, 0.94, 0.96):
        for below in (50.0, 70.0):
            rule = lambda r, s=share, b=below: _share(r, s, b)  # noqa: E731
            print(f"| second ≥ {share:g} of first, score < {below:g} | {tally(data, rule)} |")
    indicator = lambda r: _tie(r, 3.0, 50.0) or r["indicator_unasked"]  # noqa: E731
    print(f"| margin < 3, score < 50, and indicators | {tally(data, indicator)} |")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("collect", "grid"):
        raise SystemExit(__doc__)
    (collect if sys.argv[1] == "collect" else grid)(Path(sys.argv[2]))
