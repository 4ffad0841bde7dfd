"""Accuracy and speed of the matcher, with two baselines measured in the same run.

Usage:
    python benchmarks/accuracy.py                  # everything (about 2–4 minutes)
    python benchmarks/accuracy.py --quick          # accuracy and latency only
    python benchmarks/accuracy.py --tagger komoran # same, with Komoran instead of Okt
    python benchmarks/accuracy.py --misses         # also list every question it gets wrong
    python benchmarks/accuracy.py --quick --questions benchmarks/holdout-questions.tsv
                                                   # 40 questions written before the last tuning
    python benchmarks/accuracy.py --questions benchmarks/blind-c.tsv
                                                   # blind sets A–C: written by a session that
                                                   # never saw the matcher (see their headers)
    python benchmarks/accuracy.py --side-by-side   # every question file, one run: lexical,
                                                   # semantic, hybrid, BM25, WRatio (~30 min)
    python benchmarks/accuracy.py --reliability    # hybrid only, every question file: the
                                                   # bands' reliability per file (~3 min)

Question files (tab-separated, see their header comments): benchmarks/questions.tsv and
benchmarks/dev-questions.tsv (a copy of ../shared/dev-questions.tsv); benchmarks/answers.tsv holds
the list, count, missing-fact and comparison questions (checks list | count | missing | all).

Checks on the reply text (``judge_text``, shared with benchmarks/dialogues.py):
  text     one |-separated alternative appears in the reply
  list     at least half of the |-separated items appear
  all      every |-separated item appears
  count    the number (one alternative) appears in the reply's first sentence
  missing  the first sentence says the asked fact is not in the documents
  clarify  the bot asks back instead of answering about an entry (dialogues)
  title    (dialogues) the entry's title appears in the reply; none: no entry's card

Reported: top-1 and top-3 (ranking), answered-and-right, out-of-scope rejection, intent
accuracy, per style; the same top-1/top-3 for rapidfuzz WRatio over titles and BM25 (bm25s)
over Okt morphemes; latency p50/p99 per question; cold start (a fresh ``bot.py ask`` process,
start to first answer) and its peak RSS; p99 on a synthetic knowledge base of 10,000 entries.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from knowledge.base import (  # noqa: E402
    DEFAULT_DIR,
    KnowledgeBase,
    load_contents,
)
from knowledge.model import Entry, make_id  # noqa: E402
from nlp.normalizer import squeeze  # noqa: E402
from nlp.reply import ANSWER, SUGGEST, Hit, Reply  # noqa: E402
from nlp.responder import render_entry, respond  # noqa: E402
from nlp.retrieval import build_knowledge_base  # noqa: E402
from nlp.tokenizer import get_tokenizer  # noqa: E402

QUESTION_FILES = (
    ROOT / "benchmarks" / "questions.tsv",
    ROOT / "benchmarks" / "dev-questions.tsv",
    ROOT / "benchmarks" / "answers.tsv",
)
# Checks judged on the reply text alone (not counted in top-1/top-3, which rank entries).
TEXT_CHECKS = ("list", "all", "count", "missing", "clarify")
# A first sentence saying the documents lack the asked fact.
MISSING_MARKERS = ("나와있지않", "적혀있지않", "자료에없", "자료에는없", "없습니다", "않습니다")
# The bot asking back: a question to the citizen and no entry's card (no 출처 line).
CLARIFY_MARKERS = ("말씀하시나요", "알려드릴까요", "찾으시나요", "골라주세요", "알려주세요")
MAX_REPLY_CHARS_TARGET = 600
_SENTENCE_END = re.compile(r"(?<=[다요])[.!]|[?!]|\n")
# Checks that rank entries, the ones the retrieval comparison (--side-by-side) scores.
RANKING_CHECKS = ("title", "text", "none", "intent")
TARGETS = {
    "top1": 0.92,
    "top3": 0.98,
    "oos": 0.95,
    "p99_ms": 15.0,
    "p99_10k_ms": 50.0,
    "cold_s": 6.0,
    "rss_mb": 500.0,
    "over_baseline": 0.20,
}
SYNTHETIC_SIZE = 10_000
LATENCY_PASSES = 5


@dataclass(frozen=True)
class Question:
    text: str
    check: str  # title | text | none | intent
    expected: tuple[str, ...]
    style: str
    region: str


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else float("nan")

    def __str__(self) -> str:
        return f"{self.rate:.3f} ({self.right}/{self.total})"


@dataclass
class Report:
    top1: Tally = field(default_factory=Tally)
    top3: Tally = field(default_factory=Tally)
    answered_right: Tally = field(default_factory=Tally)
    oos: Tally = field(default_factory=Tally)
    intent: Tally = field(default_factory=Tally)
    by_style: dict[str, Tally] = field(default_factory=dict)
    by_check: dict[str, Tally] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    # Reliability per band: is the first entry right (answer) / is the right one in the three
    # offered (suggest) / was a right entry first all the same (not found)?
    band_right: dict[str, Tally] = field(default_factory=dict)


def read_questions(paths=QUESTION_FILES, checks=RANKING_CHECKS + TEXT_CHECKS) -> list[Question]:
    """Questions from the TSV files with one of ``checks``; the dev file has no style/region
    columns."""
    questions = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            text, check, expected = cols[0], cols[1], cols[2] if len(cols) > 2 else ""
            if check not in checks:
                continue
            style = (
                cols[3]
                if len(cols) > 3
                else ("oos" if check == "none" else "intent" if check == "intent" else "dev")
            )
            region = cols[4] if len(cols) > 4 else "-"
            style = "list" if check in ("list", "all") and style == "dev" else style
            alternatives = tuple(squeeze(a) for a in expected.split("|") if a.strip())
            questions.append(Question(text, check, alternatives, style, region))
    return questions


def _contains(haystack: str, alternatives: tuple[str, ...]) -> bool:
    squeezed = squeeze(haystack)
    return any(a in squeezed for a in alternatives)


def first_sentence(text: str) -> str:
    """The reply up to its first sentence end ("…입니다.", "?", a line break)."""
    match = _SENTENCE_END.search(text)
    return text[: match.end()] if match else text


def judge_text(check: str, expected: tuple[str, ...], text: str) -> bool:
    """Whether a reply passes one of the text checks (expected items already squeezed)."""
    squeezed = squeeze(text)
    if check in ("text", "title"):  # in a dialogue the title is judged in the reply text
        return any(a in squeezed for a in expected)
    if check == "none":  # nothing claimed: no entry's card (its 출처 line)
        return "출처:" not in text
    if check == "list":
        return bool(expected) and sum(a in squeezed for a in expected) * 2 >= len(expected)
    if check == "all":
        return bool(expected) and all(a in squeezed for a in expected)
    if check == "count":
        return _contains(first_sentence(text), expected)
    if check == "missing":
        first = squeeze(first_sentence(text))
        return any(m in first for m in MISSING_MARKERS)
    if check == "clarify":
        return "출처:" not in text and any(m in squeezed for m in CLARIFY_MARKERS)
    raise ValueError(f"unknown check {check!r}")


def evaluate(kb: KnowledgeBase, questions: list[Question]) -> Report:
    """Score the real matcher on every question."""
    report = Report()
    for q in questions:
        reply = respond(kb, q.text)
        if reply.answered:
            report.lengths.append(len(reply.text))
        ok = _judge(kb, q, reply, report)
        report.by_style.setdefault(q.style, Tally()).add(ok)
        if not ok:
            got = reply.hits[0].entry.title if reply.hits else "-"
            report.misses.append(
                f"[{q.style}] {q.text} → {reply.intent}/{reply.band} "
                f"top={got} ({reply.hits[0].score:.1f})"
                if reply.hits
                else f"[{q.style}] {q.text} → {reply.intent}/{reply.band} (no hits)"
            )
    return report


def _judge(kb: KnowledgeBase, q: Question, reply: Reply, report: Report) -> bool:
    if q.check in TEXT_CHECKS:
        ok = judge_text(q.check, q.expected, reply.text)
        report.by_check.setdefault(q.check, Tally()).add(ok)
        return ok
    if q.check == "intent":
        ok = reply.intent == q.expected[0]
        report.intent.add(ok)
        return ok
    if q.check == "none":
        ok = not reply.answered
        report.oos.add(ok)
        return ok

    def right(hit: Hit) -> bool:  # the entry's title, or its card for a text check
        if q.check == "title":
            return _contains(hit.entry.title, q.expected)
        return _contains(render_entry(kb, hit.entry.id, q.text) or "", q.expected)

    hits = [right(h) for h in reply.hits]
    if q.check == "title":
        top1_text_ok = hits[:1] == [True]
    else:
        top1_text_ok = _contains(reply.text, q.expected) if reply.answered else hits[:1] == [True]
    report.top1.add(top1_text_ok)
    report.top3.add(any(hits[:3]))
    shown = any(map(right, reply.suggestions)) if reply.band == SUGGEST else top1_text_ok
    report.band_right.setdefault(reply.band, Tally()).add(shown)
    right = reply.band == ANSWER and top1_text_ok
    report.answered_right.add(right)
    return top1_text_ok


def baseline_rankings(
    kb: KnowledgeBase, questions: list[Question]
) -> dict[str, tuple[Tally, Tally, dict]]:
    """Top-1/top-3 (and top-1 per style) of WRatio over titles and BM25 over Okt morphemes, on
    the same entries. For text checks a baseline's entry is rendered by our own field-aware
    formatter with the question — generous to the baselines, so the gap is the ranking's."""
    import bm25s
    from rapidfuzz import fuzz, process

    entries = list(kb.entries)
    titles = [e.title for e in entries]
    tokenizer = get_tokenizer("okt", cache_dir=load_settings(os.environ).morpheme_cache_dir)
    corpus = [tokenizer.morphemes(f"{e.title} {e.body}", casual=False) or ["_"] for e in entries]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    vocab = retriever.vocab_dict

    def by_wratio(text: str) -> list[Entry]:
        found = process.extract(text, titles, scorer=fuzz.WRatio, limit=3)
        return [entries[i] for _, _, i in found]

    def by_bm25(text: str) -> list[Entry]:
        tokens = [t for t in tokenizer.morphemes(text) if t in vocab]
        if not tokens:
            return []
        ids = [vocab[t] for t in tokens]
        scores = retriever.get_scores(ids)
        return [entries[i] for i in sorted(range(len(entries)), key=lambda i: -scores[i])[:3]]

    out = {}
    for name, rank in (
        ("rapidfuzz WRatio (titles)", by_wratio),
        ("BM25 (Okt morphemes)", by_bm25),
    ):
        top1, top3, by_style = Tally(), Tally(), {}
        for q in questions:
            if q.check not in ("title", "text"):
                continue
            ranked = rank(q.text)
            if q.check == "title":
                hits = [_contains(e.title, q.expected) for e in ranked]
            else:
                hits = [
                    _contains(render_entry(kb, e.id, q.text) or "", q.expected) for e in ranked
                ]
            top1.add(hits[:1] == [True])
            top3.add(any(hits[:3]))
            by_style.setdefault(q.style, Tally()).add(hits[:1] == [True])
        out[name] = (top1, top3, by_style)
    return out


def latency_ms(
    kb: KnowledgeBase, questions: list[Question], passes: int = LATENCY_PASSES
) -> tuple[float, float]:
    """p50 and p99 of ``respond`` per question, over several passes after one warm-up pass."""
    texts = [q.text for q in questions]
    for text in texts:
        respond(kb, text)
    samples = []
    for _ in range(passes):
        for text in texts:
            start = time.perf_counter()
            respond(kb, text)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def cold_start(tagger: str, runs: int = 3) -> tuple[float, float]:
    """Median seconds from process start to the first answer of ``bot.py ask``, and peak RSS
    (MB)."""
    import psutil

    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = psutil.Popen(
            [
                sys.executable,
                str(ROOT / "bot.py"),
                "ask",
                "--tagger",
                tagger,
                "새마을지도자 자녀 장학금 지원 조건",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        peak = 0
        while proc.poll() is None:
            try:
                peak = max(
                    peak, sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
                )
            except psutil.Error:
                pass
            time.sleep(0.02)
        times.append(time.perf_counter() - start)
        peaks.append(peak / 1e6)
        if proc.returncode != 0:
            raise RuntimeError(f"bot.py ask exited with {proc.returncode}")
    return statistics.median(times), max(peaks)


def synthetic_entries(entries: list[Entry], size: int, seed: int = 7) -> list[Entry]:
    """``size`` plausible entries: the real ones plus recombinations of their words and fields."""
    rng = random.Random(seed)
    words = sorted({w for e in entries for w in e.title.split() if len(w) >= 2})
    fields = [(k, v) for e in entries for k, v in e.fields.items() if 4 <= len(v) <= 200]
    out = list(entries)
    while len(out) < size:
        base = rng.choice(entries)
        title = " ".join(rng.sample(words, rng.randint(2, 5)))
        picked = dict(rng.sample(fields, 3))
        out.append(
            replace(
                base,
                id=make_id(base.region, base.kind, f"synthetic-{len(out)}"),
                title=title,
                aliases=(),
                fields=picked,
                parent_id=None,
                body="\n".join(f"{k}: {v}" for k, v in picked.items()),
            )
        )
    return out


def _print_report(name: str, report: Report) -> None:
    print(f"== {name}")
    print(f"top-1            {report.top1}")
    print(f"top-3            {report.top3}")
    print(f"answered & right {report.answered_right}")
    print(f"out-of-scope rejection {report.oos}")
    print(f"intent accuracy  {report.intent}")
    for check, tally in sorted(report.by_check.items()):
        print(f"check {check:<10} {tally}")
    if report.lengths:
        lengths = sorted(report.lengths)
        within = sum(n <= MAX_REPLY_CHARS_TARGET for n in lengths)
        print(
            f"answer length: median {statistics.median(lengths):.0f}, "
            f"max {lengths[-1]} characters; "
            f"{within}/{len(lengths)} within {MAX_REPLY_CHARS_TARGET}"
        )
    print("per style (top-1 / rejection / intent / text checks as applies):")
    for style, tally in sorted(report.by_style.items()):
        print(f"  {style:<11} {tally}")


# Semantic only: the bands on 100 · meaning (nlp/retrieval.py), chosen by the grid that chose
# the fusion (most answered right with answers right ≥ 95 %, suggestions right ≥ 90 %).
SEMANTIC_ONLY_ANSWER, SEMANTIC_ONLY_SUGGEST = 47.0, 31.0
MODES = ("lexical", "semantic", "hybrid")
LATENCY_SAMPLE = 200  # questions timed per mode (a fixed random sample of all files)


@contextmanager
def retrieval_mode(kb: KnowledgeBase, mode: str, semantic):
    """``respond`` answering by words only, by meaning only, or by both (the default)."""
    from nlp import answer, responder, retrieval

    saved = (
        kb.index.semantic,
        responder.search,
        answer.FUSED_ANSWER_THRESHOLD,
        answer.FUSED_SUGGEST_THRESHOLD,
    )
    kb.index.semantic = None if mode == "lexical" else semantic
    if mode == "semantic":
        responder.search = lambda index, query, **kw: retrieval.search_by_meaning(
            index, query, limit=kw.get("limit", 5)
        )
        answer.FUSED_ANSWER_THRESHOLD = SEMANTIC_ONLY_ANSWER
        answer.FUSED_SUGGEST_THRESHOLD = SEMANTIC_ONLY_SUGGEST
    try:
        yield
    finally:
        (
            kb.index.semantic,
            responder.search,
            answer.FUSED_ANSWER_THRESHOLD,
            answer.FUSED_SUGGEST_THRESHOLD,
        ) = saved


def merged(reports: list[Report]) -> Report:
    """One report adding up several (the "all files" row)."""
    out = Report()

    def add(into: Tally, tally: Tally) -> None:
        into.right += tally.right
        into.total += tally.total

    for report in reports:
        for name in ("top1", "top3", "answered_right", "oos", "intent"):
            add(getattr(out, name), getattr(report, name))
        for into, part in ((out.by_style, report.by_style), (out.band_right, report.band_right)):
            for key, tally in part.items():
                add(into.setdefault(key, Tally()), tally)
        out.misses.extend(report.misses)
    return out


def _row(name: str, cells: list[str]) -> str:
    return f"| {name} | " + " | ".join(cells) + " |"


def side_by_side(args: argparse.Namespace) -> int:
    """Every question file, each method, one run: the tables of benchmarks/README.md."""
    from kb_setup import VECTOR_CACHE, hybrid_knowledge_base
    from nlp.semantic import VectorCache

    files = args.questions or sorted((ROOT / "benchmarks").glob("*.tsv"))
    start = time.perf_counter()
    kb, service = hybrid_knowledge_base(args.tagger)
    cache_path = VECTOR_CACHE
    semantic = kb.index.semantic
    embed = semantic.encoder.query
    # Each question is embedded once for all modes and files (timed separately below).
    semantic.encoder.query = functools.lru_cache(maxsize=None)(embed)
    print(
        f"knowledge base: {len(kb.entries)} entries, {len(semantic)} passages "
        f"({service.embedded} embedded now, the rest from {cache_path.name}) in "
        f"{time.perf_counter() - start:.1f} s, of which the vectors {service.seconds:.1f} s"
    )
    per_file: dict[str, dict[str, Report]] = {}
    baselines: dict[str, dict] = {}
    everything: dict[str, Report] = {}
    for path in files:
        questions = read_questions([path], RANKING_CHECKS)
        per_file[path.name] = {}
        for mode in MODES:
            with retrieval_mode(kb, mode, semantic):
                per_file[path.name][mode] = evaluate(kb, questions)
        baselines[path.name] = baseline_rankings(kb, questions)
    all_questions = read_questions(files, RANKING_CHECKS)
    for mode in MODES:
        everything[mode] = merged([reports[mode] for reports in per_file.values()])
    every_baseline = baseline_rankings(kb, all_questions)
    names = ["lexical", "semantic", "hybrid", "BM25", "WRatio"]
    print("\n### Top-1 / top-3 / answered-and-right / out-of-scope rejection, per question file")
    print("| file | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for name, reports in [*per_file.items(), ("all", everything)]:
        base = baselines.get(name) or every_baseline
        cells = [
            f"{r.top1.rate:.3f} / {r.top3.rate:.3f} / {r.answered_right.rate:.3f} / "
            f"{r.oos.rate:.2f}"
            for r in (reports[m] for m in MODES)
        ]
        cells += [
            f"{top1.rate:.3f} / {top3.rate:.3f}"
            for top1, top3, _ in (base["BM25 (Okt morphemes)"], base["rapidfuzz WRatio (titles)"])
        ]
        print(_row(f"{name} ({reports['hybrid'].top1.total})", cells))
    print("\n### Top-1 per style (all files; oos and intent: rejection / intent accuracy)")
    print("| style | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for style in sorted(everything["hybrid"].by_style):
        cells = [str(everything[m].by_style[style]) for m in MODES]
        cells += [
            f"{base[2][style].rate:.3f}" if style in base[2] else "–"
            for base in (
                every_baseline["BM25 (Okt morphemes)"],
                every_baseline["rapidfuzz WRatio (titles)"],
            )
        ]
        print(_row(style, cells))
    print("\n### Relative error: hybrid top-1 errors / BM25 top-1 errors (target ≤ 0.5)")
    for name, reports in [*per_file.items(), ("all", everything)]:
        base = (baselines.get(name) or every_baseline)["BM25 (Okt morphemes)"][0]
        ours = reports["hybrid"].top1
        ratio = (ours.total - ours.right) / max(1, base.total - base.right)
        print(f"- {name}: {ours.total - ours.right} vs {base.total - base.right} → {ratio:.2f}")
    print("\n### Reliability per band (hybrid): share of shown replies whose entry is right")
    held = [n for n in per_file if n.startswith(("blind-d", "blind-e", "blind-f", "holdout"))]
    print("| band | all files | held back (" + ", ".join(held) + ") |")
    print("|---|---|---|")
    for band in ("answer", "suggest", "not_found"):
        held_tally = Tally()
        for name in held:
            tally = per_file[name]["hybrid"].band_right.get(band, Tally())
            held_tally.right += tally.right
            held_tally.total += tally.total
        print(
            _row(band, [str(everything["hybrid"].band_right.get(band, Tally())), str(held_tally)])
        )
    semantic.encoder.query = embed
    timed = random.Random(7).sample(all_questions, min(LATENCY_SAMPLE, len(all_questions)))
    for mode in ("lexical", "hybrid"):
        with retrieval_mode(kb, mode, semantic):
            p50, p99 = latency_ms(kb, timed, passes=1)
        print(
            f"\nlatency per question ({mode}, {len(timed)} questions after a warm-up pass): "
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms "
            f"(target p99 ≤ 30 ms)"
        )
    os.environ.update(RETRIEVAL="hybrid", SEMANTIC_CACHE_PATH=str(cache_path))
    seconds, rss = cold_start(args.tagger)
    print(
        f"cold start with a warm vector cache (bot.py ask, median of 3): {seconds:.2f} s; "
        f"peak RSS {rss:.0f} MB (targets ≤ 8 s, ≤ 650 MB)"
    )
    big = build_knowledge_base(
        synthetic_entries(list(kb.entries), SYNTHETIC_SIZE),
        kb.curated,
        tokenizer=get_tokenizer(args.tagger),
    )
    big.index.semantic = synthetic_semantic(big.entries, semantic, VectorCache(cache_path))
    p50, p99 = latency_ms(big, timed[: LATENCY_SAMPLE // 2], passes=1)
    print(
        f"hybrid latency at {len(big.entries):,} entries ({len(big.index.semantic):,} passages): "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 ≤ 80 ms)"
    )
    return 0


def reliability(args: argparse.Namespace) -> int:
    """Hybrid retrieval on every question file (title, text, out-of-scope and intent rows):
    top-1, top-3, answered and right, out-of-scope rejection, and how often each band's
    reply is right (answer: its entry; suggestion: one of the three offered)."""
    from nlp.semantic import DEFAULT_CACHE_PATH, SemanticService

    files = args.questions or sorted(
        p for p in (ROOT / "benchmarks").glob("*.tsv") if "dialogues" not in p.name
    )
    tokenizer = get_tokenizer(args.tagger, cache_dir=load_settings(os.environ).morpheme_cache_dir)
    entries, curated, regions = load_contents(DEFAULT_DIR)
    kb = build_knowledge_base(entries, curated, tokenizer=tokenizer, regions=regions)
    if not SemanticService(ROOT / DEFAULT_CACHE_PATH).build(kb):
        print("semantic model unavailable")
        return 1
    print(
        "| file | top-1 | top-3 | answered and right | out-of-scope rejection "
        "| answers right | suggestions right |"
    )
    print("|---|---|---|---|---|---|---|")
    reports = []
    for path in files:
        questions = read_questions([path], RANKING_CHECKS)
        if not questions:
            continue
        reports.append(evaluate(kb, questions))
        _reliability_row(path.name, reports[-1])
    _reliability_row("all", merged(reports))
    return 0


def _reliability_row(name: str, report: Report) -> None:
    bands = report.band_right
    cells = [
        f"{report.top1.rate:.3f}",
        f"{report.top3.rate:.3f}",
        f"{report.answered_right.rate:.3f}",
        f"{report.oos.rate:.3f} ({report.oos.right}/{report.oos.total})",
        *(
            f"{bands[band].rate:.3f} ({bands[band].right}/{bands[band].total})"
            if band in bands
            else "–"
            for band in (ANSWER, SUGGEST)
        ),
    ]
    print(_row(f"{name} ({report.top1.total})", cells))


def synthetic_semantic(entries, semantic, cache):
    """A semantic index over synthetic entries: real vectors where the cache has the passage,
    random unit vectors for the made-up ones (enough to time the search, not to judge it)."""
    import numpy as np

    from nlp.heap import settle
    from nlp.semantic import SemanticIndex, passages, text_key

    rng = np.random.default_rng(7)
    items = [p for entry in entries for p in passages(entry)]
    dim = semantic.dim
    vectors = []
    for item in items:
        vector = cache.get(text_key(semantic.encoder.name, item.embedded))
        if vector is None:
            vector = rng.standard_normal(dim).astype(np.float32)
            vector /= np.linalg.norm(vector)
        vectors.append(vector)
    index = SemanticIndex(semantic.encoder, items, np.stack(vectors))
    settle()  # as SemanticService.build does once the bot's index is built (nlp/heap.py)
    return index


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tagger", default="okt", choices=("okt", "komoran"))
    parser.add_argument("--quick", action="store_true", help="skip baselines, cold start and 10k")
    parser.add_argument(
        "--side-by-side",
        action="store_true",
        help="lexical, semantic, hybrid, BM25, WRatio on every question file",
    )
    parser.add_argument(
        "--misses", action="store_true", help="list the questions answered wrongly"
    )
    parser.add_argument(
        "--questions",
        action="append",
        type=Path,
        metavar="FILE",
        help="question file(s) instead of the default two (e.g. benchmarks/holdout-questions.tsv)",
    )
    parser.add_argument(
        "--reliability",
        action="store_true",
        help="hybrid only, every question file: top-1, top-3 and each band's reliability",
    )
    args = parser.parse_args()
    if args.side_by_side:
        return side_by_side(args)
    if args.reliability:
        return reliability(args)

    questions = read_questions(args.questions or QUESTION_FILES)
    tokenizer = get_tokenizer(args.tagger, cache_dir=load_settings(os.environ).morpheme_cache_dir)
    entries, curated, regions = load_contents(DEFAULT_DIR)
    start = time.perf_counter()
    kb = build_knowledge_base(entries, curated, tokenizer=tokenizer, regions=regions)
    print(
        f"knowledge base: {len(kb.entries)} entries, "
        f"indexed in {time.perf_counter() - start:.2f} s "
        f"with {args.tagger}; {len(questions)} questions"
    )
    report = evaluate(kb, questions)
    _print_report(f"matcher ({args.tagger})", report)
    if args.misses:
        print("misses:")
        for miss in report.misses:
            print(f"  {miss}")
    p50, p99 = latency_ms(kb, questions)
    print(
        f"latency per question: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
        f"(target p99 ≤ {TARGETS['p99_ms']} ms)"
    )
    if args.quick:
        return 0
    baselines = baseline_rankings(kb, questions)
    best = max(t1.rate for t1, _, _ in baselines.values())
    for name, (top1, top3, by_style) in baselines.items():
        print(f"baseline {name:<26} top-1 {top1}  top-3 {top3}")
        print(
            "  per style top-1: "
            + ", ".join(f"{k} {v.rate:.2f}" for k, v in sorted(by_style.items()))
        )
    print(
        f"top-1 over the better baseline: {report.top1.rate - best:+.3f} "
        f"(target ≥ +{TARGETS['over_baseline']:.2f})"
    )
    seconds, rss = cold_start(args.tagger)
    print(
        f"cold start (process start → first answer, median of 3): {seconds:.2f} s; "
        f"peak RSS {rss:.0f} MB (targets ≤ {TARGETS['cold_s']} s, ≤ {TARGETS['rss_mb']:.0f} MB)"
    )
    start = time.perf_counter()
    big = build_knowledge_base(
        synthetic_entries(list(kb.entries), SYNTHETIC_SIZE),
        curated,
        tokenizer=tokenizer,
        regions=regions,
    )
    print(
        f"synthetic knowledge base: {len(big.entries)} entries, "
        f"indexed in {time.perf_counter() - start:.1f} s"
    )
    p50, p99 = latency_ms(big, questions, passes=2)
    print(
        f"latency at {len(big.entries):,} entries: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
        f"(target p99 ≤ {TARGETS['p99_10k_ms']} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
