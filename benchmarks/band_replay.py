"""The suggest band and the number of entries a suggestion shows, replayed on every question file.

Usage:
    python benchmarks/band_replay.py collect OUT.pkl   # fused candidates of every question file
    python benchmarks/band_replay.py replay OUT.pkl    # the grid below, from those candidates

``collect`` records, for every title and out-of-scope question of every question file (ours,
blind A–U; S and U, read only after the bands were chosen, reported apart), each candidate's
lexical score, its cosine and which entries are right. ``replay`` fuses them again as
``retrieval.fused_candidates`` does (weight, cosine range), applies the agreement rules
(``retrieval.agreement_ranking``) and the bands (answer, clear winner, near tie, suggest), and
counts per setting: answers right, the suggestions that hold the right entry among those shown,
out-of-scope rejection. Questions the bot does not search (greetings, complaints, lists) keep the
band ``respond`` gives them. It does not model the topic path, the missing-fact lead or
dialogues: check a setting through the real bot (``every_set.py``) before shipping it.
"""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import _contains, read_questions  # noqa: E402
from kb_setup import hybrid_knowledge_base  # noqa: E402
from nlp import answer, retrieval  # noqa: E402
from nlp.index import MENTIONED_REGION_FACTOR, Scored, has_words, top_positions  # noqa: E402
from nlp.reply import ANSWER, NOT_FOUND, SUGGEST, SUGGESTION_ALWAYS  # noqa: E402
from nlp.responder import respond  # noqa: E402

NEW_SETS = ("blind-s", "blind-u")  # read only after the choice: reported apart


def question_files() -> dict[str, Path]:
    files = {p.stem: p for p in sorted((ROOT / "benchmarks").glob("blind-?.tsv"))}
    for name in ("questions", "dev-questions", "holdout-questions"):
        files[name] = ROOT / "benchmarks" / f"{name}.tsv"
    return files


def collect(out: Path) -> None:
    kb, _ = hybrid_knowledge_base()
    index, semantic = kb.index, kb.index.semantic
    data = {}
    for name, path in question_files().items():
        rows = []
        for q in read_questions([path], checks=("title", "none")):
            query = index.analyze(q.text)
            row = {"check": q.check, "band": respond(kb, q.text).band, "cands": [], "kinds": ()}
            if has_words(query):
                best, _ = semantic.similarities(query.text)
                kinds = retrieval.asked_kinds(query.text, index.region_words)
                near = [semantic.entry_ids[i] for i in top_positions(best, 20)]
                places = [p for p in retrieval.OTHER_PLACES if p in query.compact]
                for s in index.search(query, limit=60, also=near, asked=kinds):
                    at = semantic.position(s.entry.id)
                    elsewhere = places and not any(
                        p in s.entry.title or p in s.entry.body for p in places
                    )
                    row["cands"].append(
                        {
                            "id": s.entry.id,
                            "parent": s.entry.parent_id,
                            "kind": s.entry.kind,
                            "lex": s.score,
                            "sim": float(best[at]) if at is not None else 0.0,
                            "factor": MENTIONED_REGION_FACTOR
                            if query.region and s.entry.region != query.region
                            else 1.0,
                            "place": MENTIONED_REGION_FACTOR if elsewhere else 1.0,
                            "ok": q.check == "title" and _contains(s.entry.title, q.expected),
                            "named": index.named(s.entry.id, query),
                        }
                    )
                row["kinds"] = kinds
            rows.append(row)
        data[name] = rows
        print(name, len(rows), file=sys.stderr, flush=True)
    out.write_bytes(pickle.dumps(data))


class _Named:
    """The index as the agreement rules see it: which entries the question named; no region
    words (the replayed question, ``_REPLAYED``, has no text to name a kind in)."""

    region_words: tuple[str, ...] = ()

    def __init__(self, named: set[str]) -> None:
        self._named = named

    def named(self, entry_id: str, query) -> bool:
        return entry_id in self._named


# The question as the agreement rules see it in a replay: its asked kinds are already applied
# (``retrieval._asked_kind_first``) and its region is in the candidates' place factor.
_REPLAYED = types.SimpleNamespace(text="", region=None)


def ranked(row: dict, weight: float, low: float, high: float) -> list[Scored]:
    out = []
    for c in row["cands"]:
        meaning = min(1.0, max(0.0, (c["sim"] - low) / (high - low)))
        score = ((1 - weight) * c["lex"] + weight * 100 * meaning * c["factor"]) * c["place"]
        entry = types.SimpleNamespace(
            id=c["id"], parent_id=c["parent"], kind=c["kind"], ok=c["ok"]
        )
        out.append(Scored(entry, score, 0, 0, 0, lexical=c["lex"], semantic=c["sim"]))
    out.sort(key=lambda s: (-s.score, s.entry.id))
    out = retrieval._asked_kind_first(out, frozenset(row["kinds"]))
    named = _Named({c["id"] for c in row["cands"] if c["named"]})
    return retrieval.agreement_ranking(named, _REPLAYED, out) if out else out


def band(top: list[Scored], answer_at: float, suggest_at: float) -> str:
    if not top:
        return NOT_FOUND
    first = top[0]
    if (
        first.score >= answer_at
        and first.semantic > answer.FUSED_MIN_COSINE
        and not retrieval.near_tie(top)
        or retrieval.clear_winner(top)
    ):
        return ANSWER
    return SUGGEST if first.score >= suggest_at else NOT_FOUND


def tally(data: dict, names, setting: dict) -> dict:
    m = dict.fromkeys(("n", "top1", "top3", "ar", "ans", "ans_ok", "sug", "sug_ok", "oos", "o"), 0)
    for name in names:
        for row in data[name]:
            top = ranked(row, setting["weight"], setting["low"], setting["high"])
            b = band(top, setting["answer"], setting["suggest"])
            if row["band"] not in (ANSWER, SUGGEST, NOT_FOUND):
                b = row["band"]
            if row["check"] == "none":
                m["o"] += 1
                m["oos"] += b != ANSWER
                continue
            floor = top[0].score * setting["share"] if top else 0.0
            shown = [
                s
                for n, s in enumerate(top[: setting["count"]])
                if n < SUGGESTION_ALWAYS or s.score >= floor
            ]
            right = [s.entry.ok for s in top[:3]]
            m["n"] += 1
            m["top1"] += right[:1] == [True]
            m["top3"] += any(right)
            m["ar"] += b == ANSWER and right[:1] == [True]
            m["ans"] += b == ANSWER
            m["ans_ok"] += b == ANSWER and right[:1] == [True]
            m["sug"] += b == SUGGEST
            m["sug_ok"] += b == SUGGEST and any(s.entry.ok for s in shown)
    return m


def _cells(m: dict) -> str:
    return (
        f"{m['top1']}/{m['n']} | {m['top3']} | {m['ar']} | {m['ans_ok']}/{m['ans']} | "
        f"{m['sug_ok']}/{m['sug']} ({m['sug_ok'] / max(1, m['sug']):.3f}) | {m['oos']}/{m['o']}"
    )


def replay(path: Path) -> None:
    data = pickle.loads(path.read_bytes())
    spent = [n for n in data if n not in NEW_SETS]
    new = [n for n in data if n in NEW_SETS]
    print(
        "| weight, cosines | answer/suggest | shown | spent: top-1 | top-3 | answered right"
        " | answers right | suggestions right | OOS | S+U: top-1 | top-3 | answered right"
        " | answers right | suggestions right | OOS |"
    )
    print("|---" * 15 + "|")
    settings = [
        dict(weight=w, low=lo, high=hi, answer=a, suggest=s, count=c, share=sh)
        for w, lo, hi in ((0.3, 0.84, 0.96), (0.35, 0.82, 0.94))
        for a in (33, 36)
        for s in (23, 26, 29)
        for c, sh in ((3, 0.0), (5, 0.0), (5, 0.5))
    ]
    for st in settings:
        print(
            f"| {st['weight']}, {st['low']}–{st['high']} | {st['answer']}/{st['suggest']} | "
            f"{st['count']} (≥ {st['share']}) | {_cells(tally(data, spent, st))} | "
            f"{_cells(tally(data, new, st)) if new else '– | – | – | – | – | –'} |"
        )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("collect", "replay"):
        raise SystemExit(__doc__)
    (collect if sys.argv[1] == "collect" else replay)(Path(sys.argv[2]))
