"""A citizen's message through the pipeline: analyzer → retrieval → answer.

``respond`` is pure and synchronous (a few milliseconds), so the CLI, the console chat and the
Telegram handlers all call the same function and say exactly the same thing. Each stage is its
own module and only hands its result on: nlp/analyzer.py gives a ``Query`` (normalized once,
intent, tokens), nlp/retrieval.py the ranked candidates with their lexical and semantic scores,
nlp/answer.py the band and the reply.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace

from knowledge.base import KnowledgeBase
from nlp.analyzer import Query
from nlp.answer import (
    ANSWER_THRESHOLD,
    answer,
    format_answer,
    needs_topic,
    without_search,
)
from nlp.fields import asked_facts, without_cues
from nlp.index import Scored
from nlp.reply import SUGGESTION_NEAREST, Reply
from nlp.retrieval import nearest_in_meaning, search
from nlp.semantic import embed_ahead

MAX_RESULTS = 5
# A message may search one question twice: a region follow-up ("인천은요?") answers the question
# asked again for that region, then looks for the region's entry further down the same ranking.
# The last few rankings are kept whole (to the deepest limit asked), so the question is
# embedded and scored once: a ranking's first n entries are the ranking asked with limit n.
RECENT_RANKINGS = 8
RANKING_DEPTH = 60  # the deepest ranking asked for (nlp.dialogue's region follow-ups)
# Complaint texts are full of words no document uses (불친절, 냄새), so routing accepts weaker
# matches than answering does; below this the "suggestion" would be an unrelated department.
DEPARTMENT_MIN_SCORE = 20.0
# A complaint says what it is about first ("언제, 어디서, 무엇이"); a 10,000-character one is
# routed on its start, in bounded time.
DEPARTMENT_TEXT_CHARS = 300
# Numbers in a complaint say where or which (3번 출구, 101동, 2개), not whose job it is; left in,
# they were matched against every year and budget in the documents, which tripled the time.
_NUMBER = re.compile(r"\d+")  # any script's digits, full-width ones too
# Duties are matched on nouns: tokens shorter than this (집, 앞, 길) and verb or adjective stems
# (위험하, 넘어지) name no duty and are left out.
DUTY_MIN_TOKEN_CHARS = 2
# Words every complaint uses about itself ("도로 파임 민원입니다", "신고합니다"): they say it is a
# complaint, not whose job it is. Left in, 민원 routed a pothole to 정무기획과 (its 직소민원팀).
# Removed only as whole words, with a particle or a 하다/이다 ending, so 민원여권과 stays.
_ROUTING_WORDS = re.compile(
    r"(?<![가-힣])(민원|신고|접수|요청|문의|건의|불편)"
    r"(?=[\s.,!?]|$|[을를이가은는에도의]|입니다|이에요|예요|합니다|해요|하|드립니다|드려요|사항)"
)


def respond(kb: KnowledgeBase, text: str, *, region: str | None = None) -> Reply:
    """The bot's reply to one message, using ``kb`` only (callers pass one kb per message)."""
    text = text or ""
    embed_ahead(kb.index, text)  # its vector is made while the words are tagged
    query = kb.index.analyze(text)
    reply = without_search(kb, text, query)
    if reply is not None:
        return reply
    deeper = ranking(kb, query, region=region, limit=RANKING_DEPTH)
    ranked = deeper[:MAX_RESULTS]
    # the later stages read the question as normalized once ("전번" → 전화번호, "어찌" → 어떻게);
    # the reply keeps the message as it was sent
    said = query.text
    topic = _topic_ranking(kb, said, region) if needs_topic(query, ranked) else None
    nearest = nearest_in_meaning(deeper, query.region)[:SUGGESTION_NEAREST]
    reply = answer(kb, said, query, ranked, topic=topic, region=region, nearest=nearest)
    return reply if reply.query == text else replace(reply, query=text)


class _Rankings:
    """The last RECENT_RANKINGS rankings of one index and search function, newest last."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: tuple = ()
        self.kept: OrderedDict[tuple[Query, str | None], list[Scored]] = OrderedDict()


_rankings = _Rankings()


def ranking(
    kb: KnowledgeBase, query: Query, *, region: str | None = None, limit: int = MAX_RESULTS
) -> list[Scored]:
    """``search(kb.index, query, preferred_region=region, limit=limit)``, from the last few
    rankings when it is one of them (see RECENT_RANKINGS). Another index, a semantic index
    attached since, or another search function (a benchmark's) starts afresh."""
    if limit > RANKING_DEPTH:
        return search(kb.index, query, preferred_region=region, limit=limit)
    owner = (kb.index, getattr(kb.index, "semantic", None), search)
    key = (query, region)
    with _rankings.lock:
        if not _same(_rankings.owner, owner):
            _rankings.owner = owner
            _rankings.kept.clear()
        kept = _rankings.kept.get(key)
        if kept is not None:
            _rankings.kept.move_to_end(key)
    if kept is None:
        kept = search(kb.index, query, preferred_region=region, limit=RANKING_DEPTH)
        with _rankings.lock:
            if _same(_rankings.owner, owner):
                _rankings.kept[key] = kept
                if len(_rankings.kept) > RECENT_RANKINGS:
                    _rankings.kept.popitem(last=False)
    return kept[:limit]


def _same(these: tuple, those: tuple) -> bool:
    return len(these) == len(those) and all(a is b for a, b in zip(these, those, strict=True))


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
    """(region, department) pairs most related to a complaint text, best first: first the
    departments whose stated duties (contact directory 담당업무, 주요업무) hold its words, then
    the entries it matches; none when nothing is even "did you mean" close (하수구 냄새).

    Only the start of the text is read, without chat-spelling normalization: the same
    suggestions on the test complaints at less than half the cost, and complaints/s under load
    depend on it (benchmarks/load.py). At 2–4 ms it is called on the event loop: handing it to
    the matcher thread (transport.matching) cost the loop more than that.
    """
    start = _ROUTING_WORDS.sub(" ", _NUMBER.sub(" ", text[:DEPARTMENT_TEXT_CHARS]))
    query = kb.index.analyze(start, casual=False)
    words = [
        (token, weight)
        for token, weight in zip(query.tokens, query.weights)
        if len(token) >= DUTY_MIN_TOKEN_CHARS and token not in query.predicates
    ]
    seen = kb.departments_by_duties(
        words, region=query.region, preferred_region=region, limit=limit
    )
    for scored in kb.index.search(query, preferred_region=region, limit=20):
        if len(seen) >= limit:
            break
        if scored.score < DEPARTMENT_MIN_SCORE:
            break
        pair = (scored.entry.region, scored.entry.department)
        if scored.entry.department and pair not in seen:
            seen.append(pair)
        if len(seen) == limit:
            break
    return seen


def changed_answers(
    old: KnowledgeBase,
    new: KnowledgeBase,
    questions: Iterable[str],
    *,
    before: dict[str, tuple[str, str | None]] | None = None,
) -> int:
    """How many of ``questions`` would get another answer (band or answering entry) from
    ``new`` than from ``old``: the upload preview's "달라지는 답". ``before`` remembers the
    outcomes from ``old`` (the live knowledge base) across previews: half the work."""
    before = {} if before is None else before

    def outcome(kb: KnowledgeBase, question: str) -> tuple[str, str | None]:
        reply = respond(kb, question)
        return reply.band, reply.hits[0].entry.id if reply.hits and reply.answered else None

    changed = 0
    for question in questions:
        if question not in before:
            before[question] = outcome(old, question)
        changed += before[question] != outcome(new, question)
    return changed
