"""A citizen's message through the pipeline: analyzer → retrieval → answer.

``respond`` is pure and synchronous (a few milliseconds), so the CLI, the console chat and the
Telegram handlers all call the same function and say exactly the same thing. Each stage is its
own module and only hands its result on: nlp/analyzer.py gives a ``Query`` (normalized once,
intent, tokens), nlp/retrieval.py the ranked candidates with their lexical and semantic scores,
nlp/answer.py the band and the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.base import KnowledgeBase
from nlp.answer import (
    ANSWER_THRESHOLD,
    answer,
    format_answer,
    needs_topic,
    without_search,
)
from nlp.fields import asked_facts, without_cues
from nlp.index import Scored
from nlp.reply import Reply
from nlp.retrieval import search

MAX_RESULTS = 5
# Complaint texts are full of words no document uses (불친절, 냄새), so routing accepts weaker
# matches than answering does; below this the "suggestion" would be an unrelated department.
DEPARTMENT_MIN_SCORE = 20.0
# A complaint says what it is about first ("언제, 어디서, 무엇이"); a 10,000-character one is
# routed on its start, in bounded time.
DEPARTMENT_TEXT_CHARS = 300
# Numbers in a complaint say where or which (3번 출구, 101동, 2개), not whose job it is; left in,
# they were matched against every year and budget in the documents, which tripled the time.
_NUMBER = re.compile(r"\d+")  # any script's digits, full-width ones too


def respond(kb: KnowledgeBase, text: str, *, region: str | None = None) -> Reply:
    """The bot's reply to one message, using ``kb`` only (callers pass one kb per message)."""
    text = text or ""
    query = kb.index.analyze(text)
    reply = without_search(kb, text, query)
    if reply is not None:
        return reply
    ranked = search(kb.index, query, preferred_region=region, limit=MAX_RESULTS)
    topic = _topic_ranking(kb, text, region) if needs_topic(query, ranked) else None
    return answer(kb, text, query, ranked, topic=topic, region=region)


def _topic_ranking(kb: KnowledgeBase, text: str, region: str | None) -> list[Scored] | None:
    """The ranking for the question without the words that ask for a fact, when that finds an
    entry to answer about (and then say the fact is missing); None otherwise."""
    facts = asked_facts(text)
    topic = without_cues(text, facts) if facts else text
    if topic == text or not topic:
        return None
    ranked = kb.index.search(kb.index.analyze(topic), preferred_region=region, limit=MAX_RESULTS)
    return ranked if ranked and ranked[0].score >= ANSWER_THRESHOLD else None


def render_entry(kb: KnowledgeBase, entry_id: str, question: str | None = None) -> str | None:
    """The full answer for one entry (a tapped "did you mean" button); None if it is gone.

    With the citizen's original ``question`` the answer leads with the fields and sentences
    that question asked about, exactly as if the entry had been the confident match.
    """
    entry = kb.get(entry_id)
    if entry is None:
        return None
    query = kb.index.analyze(question or entry.title)
    return format_answer(
        kb, Scored(entry, 100.0, 1.0, 1.0, 1.0), query, cue_fields=None if question else ()
    )


def suggest_departments(
    kb: KnowledgeBase, text: str, *, region: str | None = None, limit: int = 3
) -> list[tuple[str, str]]:
    """(region, department) pairs most related to a complaint text, best first; none when
    nothing in the knowledge base is even "did you mean" close (하수구 냄새 → no guess).

    Only the start of the text is read, without chat-spelling normalization: the same
    suggestions on the test complaints at less than half the cost, and complaints/s under load
    depend on it (benchmarks/load.py). At 2–4 ms it is called on the event loop: handing it to
    the matcher thread (handlers.matching) cost the loop more than that.
    """
    query = kb.index.analyze(_NUMBER.sub(" ", text[:DEPARTMENT_TEXT_CHARS]), casual=False)
    seen: list[tuple[str, str]] = []
    for scored in kb.index.search(query, preferred_region=region, limit=20):
        if scored.score < DEPARTMENT_MIN_SCORE:
            break
        pair = (scored.entry.region, scored.entry.department)
        if scored.entry.department and pair not in seen:
            seen.append(pair)
        if len(seen) == limit:
            break
    return seen


def changed_answers(old: KnowledgeBase, new: KnowledgeBase, questions: Iterable[str]) -> int:
    """How many of ``questions`` would get another answer (band or answering entry) from
    ``new`` than from ``old``: the upload preview's "달라지는 답"."""

    def outcome(kb: KnowledgeBase, question: str) -> tuple[str, str | None]:
        reply = respond(kb, question)
        return reply.band, reply.hits[0].entry.id if reply.hits and reply.answered else None

    return sum(outcome(old, q) != outcome(new, q) for q in questions)
