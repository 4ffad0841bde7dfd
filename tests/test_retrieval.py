"""Fused ranking (nlp/retrieval.py): which entry each question must hit, which must hit none,
and the agreement re-ranking after fusion (a child before its parent, a close call decided by
meaning, a near tie offered rather than answered), each threshold tested on both sides with a
fixed index."""

from __future__ import annotations

import dataclasses

import pytest

from concept_encoder import ConceptEncoder
from entry_rows import make
from knowledge.model import Entry
from nlp import retrieval
from nlp.answer import FUSED_ANSWER_THRESHOLD, FUSED_SUGGEST_THRESHOLD
from nlp.index import MENTIONED_REGION_FACTOR, Scored
from nlp.reply import ANSWER, NOT_FOUND, SUGGEST
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base
from nlp.semantic import SemanticIndex


def _entry(key: str, kind: str, title: str, parent: str | None = None, **fields: str) -> Entry:
    return make(key, title, kind=kind, parent=parent, **fields)


# A unit project lists its programs by name, so a question about one program finds most of its
# words in the parent too (자원봉사 활동 활성화 and its 보험 / 코디네이터 programs on the real
# index).
ENTRIES = [
    _entry(
        "unit",
        "unit_project",
        "자원봉사 활동 활성화",
        목적="자원봉사 실천문화 확산",
        세부사업="자원봉사 보험 가입 지원, 자원봉사 코디네이터 인건비 지원, 자원봉사 활동 지원",
    ),
    _entry(
        "insurance",
        "program",
        "자원봉사 보험 가입 지원",
        "unit",
        사업내용="봉사활동 중 다친 자원봉사자 치료비 보장",
    ),
    _entry(
        "coordinator",
        "program",
        "자원봉사 코디네이터 인건비 지원",
        "unit",
        사업내용="자원봉사센터에서 봉사자를 연결하는 코디네이터 인건비",
    ),
    _entry(
        "homeland",
        "program",
        "다문화가족 모국방문 지원",
        사업내용="결혼이민자 가족의 친정 나라 방문 항공료 지원",
    ),
    _entry(
        "scholarship",
        "program",
        "새마을지도자 자녀 장학금",
        지원조건="새마을지도자 자녀 대학생, 성적 기준 충족",
    ),
]


class FixedConcepts(ConceptEncoder):
    """The concepts of these tests' entries and questions."""

    CONCEPTS = (
        ("친정", "며느리", "고향"),
        ("방문", "다녀"),
        ("항공료", "비행기"),
        ("다친", "다치"),
        ("치료비", "병원비"),
        ("코디네이터", "연결"),
        ("인건비", "월급"),
        ("장학금",),
        ("새마을",),
    )


@pytest.fixture(scope="module")
def fixed_kb(tokenizer):
    """The entries above with the concept encoder's semantic index attached."""
    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, FixedConcepts())
    return kb


def _first(kb, text: str) -> str:
    return retrieval.search(kb.index, kb.index.analyze(text))[0].entry.id


@pytest.mark.parametrize(
    "question, expected",
    [
        # the documents' own words
        ("자원봉사 보험 가입 지원", "insurance"),
        ("새마을지도자 자녀 장학금 조건", "scholarship"),
        ("다문화가족 모국방문 지원 사업", "homeland"),
        # everyday words: the program, not the unit project that lists it (the parent scores
        # higher by words: 55 against 49, and 63 against 58)
        ("자원봉사 활동 하다 다치면 지원", "insurance"),
        ("자원봉사 활동하는 사람 연결해주는 직원 인건비", "coordinator"),
        ("봉사하다 다치면 치료비 보험 되나요", "insurance"),
        # no word of the entry: found by meaning
        ("며느리 고향 다녀오는 비행기 값 도와주나요", "homeland"),
    ],
)
def test_each_question_finds_its_entry_first(fixed_kb, question, expected):
    assert _first(fixed_kb, question) == expected


@pytest.mark.parametrize(
    "question, expected",
    [
        ("자원봉사 보험 가입 지원", "자원봉사 보험 가입 지원"),
        ("새마을지도자 자녀 장학금 조건", "새마을지도자 자녀 장학금"),
    ],
)
def test_questions_in_the_documents_words_are_answered(fixed_kb, question, expected):
    reply = respond(fixed_kb, question)
    assert reply.band == ANSWER
    assert reply.hits[0].entry.title == expected


@pytest.mark.parametrize(
    "question",
    ["오늘 날씨 어때요", "축구 경기 결과 알려줘", "1+1은?", "서울 맛집 추천해줘", "ㅋㅋㅋ"],
)
def test_questions_about_nothing_here_are_not_answered(fixed_kb, question):
    assert respond(fixed_kb, question).band != ANSWER


def _scored(key: str, score: float, cosine: float, parent: str | None = None) -> Scored:
    entry = _entry(key, "program" if parent else "unit_project", key, parent)
    return Scored(entry, score, 0.0, 0.0, 0.0, lexical=score, semantic=cosine)


@pytest.mark.parametrize(
    "child_score, child_cosine, first",
    [
        (50 - retrieval.CHILD_MARGIN, 0.88, "child"),  # close enough, as near in meaning
        (50 - retrieval.CHILD_MARGIN - 0.5, 0.90, "parent"),  # too far behind by words
        (45.0, 0.879, "parent"),  # less near in meaning than its parent
    ],
)
def test_a_child_takes_its_parents_place_when_close(fixed_kb, child_score, child_cosine, first):
    ranked = [
        _scored("parent", 50.0, 0.88),
        _scored("other", 48.0, 0.85),
        _scored("child", child_score, child_cosine, parent="parent"),
    ]
    out = retrieval._child_first(ranked, fixed_kb.index.analyze("자원봉사 지원"))
    assert out[0].entry.id == first
    assert out[0].score == 50.0  # the first place keeps its score for the bands
    assert sorted(s.entry.id for s in out) == ["child", "other", "parent"]


def test_a_child_beyond_the_window_stays_where_it_is(fixed_kb):
    ranked = [
        _scored("parent", 50.0, 0.88),
        *(_scored(f"other{n}", 49.0, 0.85) for n in range(retrieval.CHILD_WINDOW)),
        _scored("child", 49.0, 0.95, parent="parent"),
    ]
    query = fixed_kb.index.analyze("자원봉사 지원")
    assert retrieval._child_first(ranked, query)[0].entry.id == "parent"


def test_a_child_does_not_displace_an_unrelated_first_entry(fixed_kb):
    ranked = [_scored("first", 50.0, 0.88), _scored("child", 49.0, 0.95, parent="parent")]
    assert retrieval._child_first(ranked, fixed_kb.index.analyze("자원봉사 지원")) == ranked


@pytest.mark.parametrize(
    "question, child_cosine, first",
    [
        ("봉사하다 다치면 보험 되나요", 0.875, "insurance"),  # 보험: in the child's title only
        ("자원봉사 활동 하다 다치면", 0.875, "unit"),  # 활동: in the parent's title only
        # far less near in meaning: the parent keeps its place
        ("봉사하다 다치면 보험 되나요", 0.88 - retrieval.NAMED_CHILD_SLACK - 0.001, "unit"),
    ],
)
def test_a_child_named_by_the_question_takes_its_parents_place(
    fixed_kb, question, child_cosine, first
):
    """A child a little less near in meaning still goes first when its title holds a rare word
    of the question that its parent's title lacks."""
    unit, insurance = (fixed_kb.index.entry(key) for key in ("unit", "insurance"))
    ranked = [
        Scored(unit, 50.0, 0.0, 0.0, 0.0, lexical=50.0, semantic=0.88),
        Scored(insurance, 45.0, 0.0, 0.0, 0.0, lexical=45.0, semantic=child_cosine),
    ]
    out = retrieval._child_first(ranked, fixed_kb.index.analyze(question))
    assert out[0].entry.id == first


@pytest.mark.parametrize(
    "second_score, second_cosine, first",
    [
        (40 - retrieval.CLOSE_MARGIN, 0.88 + retrieval.CLOSE_COSINE + 0.001, "second"),
        (40 - retrieval.CLOSE_MARGIN - 0.5, 0.95, "first"),  # too far behind
        (39.0, 0.88 + retrieval.CLOSE_COSINE - 0.001, "first"),  # not clearly nearer
    ],
)
def test_a_close_call_is_decided_by_meaning(second_score, second_cosine, first):
    ranked = [_scored("first", 40.0, 0.88), _scored("second", second_score, second_cosine)]
    out = retrieval._close_call_by_meaning(ranked)
    assert out[0].entry.id == first
    assert [s.score for s in out] == [40.0, second_score]


def _ranked(*rows: tuple[str, float, float]) -> list[Scored]:
    return [_scored(key, score, cosine) for key, score, cosine in rows]


@pytest.mark.parametrize(
    "near_score, near_cosine, first",
    [
        # clearly nearer in meaning and close enough by words: the paraphrased entry
        (50 - retrieval.MEANING_MARGIN, 0.86 + retrieval.MEANING_COSINE, "near"),
        (50 - retrieval.MEANING_MARGIN - 0.5, 0.95, "long"),  # too far behind by words
        (49.0, 0.86 + retrieval.MEANING_COSINE - 0.002, "long"),  # not clearly nearer
    ],
)
def test_a_clear_winner_by_meaning_takes_the_first_place(near_score, near_cosine, first):
    near = ("near", near_score, near_cosine)
    ranked = _ranked(("long", 50.0, 0.86), ("other", 49.5, 0.85), near)
    out = retrieval._clear_meaning_first(ranked)
    assert out[0].entry.id == first
    assert out[0].score == 50.0  # the first place keeps its score for the bands
    assert sorted(s.entry.id for s in out) == ["long", "near", "other"]


def test_a_clear_winner_by_meaning_beyond_the_window_stays_where_it_is():
    others = [(f"other{n}", 49.0, 0.85) for n in range(retrieval.MEANING_WINDOW - 1)]
    ranked = _ranked(("long", 50.0, 0.86), *others, ("near", 49.0, 0.95))
    assert retrieval._clear_meaning_first(ranked) == ranked


def test_an_entry_outside_the_named_region_is_not_promoted_by_meaning():
    """ "인천 … 자녀 학자금 얼마": 전북's scholarship is nearer in meaning, in another region."""
    first, other = _ranked(("incheon", 50.0, 0.86), ("jeonbuk", 45.0, 0.92))
    first = dataclasses.replace(first, entry=dataclasses.replace(first.entry, region="인천광역시"))
    ranked = [first, other]
    assert retrieval._clear_meaning_first(ranked, "인천광역시") == ranked
    assert retrieval._clear_meaning_first(ranked)[0].entry.id == "jeonbuk"


def test_the_nearest_in_meaning_of_the_window_is_the_one_promoted():
    ranked = _ranked(("long", 50.0, 0.85), ("near", 45.0, 0.88), ("nearest", 44.0, 0.90))
    assert [s.entry.id for s in retrieval._clear_meaning_first(ranked)][:2] == [
        "nearest",
        "long",
    ]


def test_the_asked_kind_keeps_its_place_against_a_nearer_entry(kind_kb, monkeypatch):
    """The team the question asks for stays first though the program is clearly nearer in
    meaning and within MEANING_MARGIN of it (beyond CLOSE_MARGIN: this rule's case)."""
    behind = 50.0 - retrieval.CLOSE_MARGIN - 1
    assert behind >= 50.0 - retrieval.MEANING_MARGIN
    real = retrieval.fused_candidates

    def fixed(index, query, **kwargs):
        team, center = sorted(real(index, query, **kwargs), key=lambda s: s.entry.id != "team")
        return [
            dataclasses.replace(team, score=50.0, semantic=0.86),
            dataclasses.replace(center, score=behind, semantic=0.92),
        ]

    monkeypatch.setattr(retrieval, "fused_candidates", fixed)
    assert _first(kind_kb, "외국인 가족 지원 업무 맡은 팀이 어디야") == "team"
    assert _first(kind_kb, "외국인 가족 지원 업무 알려줘") == "center"


def test_agreement_reranking_keeps_the_first_places_score_for_the_bands(fixed_kb):
    """The fused ranking's first score is the best fused score, whichever entry holds it."""
    query = fixed_kb.index.analyze("자원봉사 활동 하다 다치면 지원")
    fused = retrieval.search(fixed_kb.index, query)
    assert [s.entry.id for s in fused[:2]] == ["insurance", "unit"]
    assert fused[0].score == max(s.score for s in fused) > fused[1].score


@pytest.mark.parametrize(
    "first, second, tie",
    [
        (40.0, 40.0 - retrieval.TIE_MARGIN + 0.1, True),  # a near tie of two weak matches
        (40.0, 40.0 - retrieval.TIE_MARGIN, False),  # far enough ahead
        (retrieval.TIE_MAX_SCORE, retrieval.TIE_MAX_SCORE - 0.1, False),  # two strong matches
        (retrieval.TIE_MAX_SCORE - 0.1, retrieval.TIE_MAX_SCORE - 0.2, True),
    ],
)
def test_a_near_tie_is_recognised_on_both_sides_of_each_threshold(first, second, tie):
    assert retrieval.near_tie([_scored("a", first, 0.9), _scored("b", second, 0.9)]) is tie


def test_a_near_tie_needs_a_fused_ranking():
    """Words alone keep their own bands: a tie there is answered as before."""
    lexical = [Scored(_entry(k, "program", k), 40.0, 0.0, 0.0, 0.0) for k in ("a", "b")]
    assert not retrieval.near_tie(lexical)


@pytest.mark.parametrize("margin, band", [(0.5, SUGGEST), (retrieval.TIE_MARGIN, ANSWER)])
def test_a_near_tie_above_the_answer_band_is_offered_not_answered(
    fixed_kb, monkeypatch, margin, band
):
    real = retrieval.search
    score = FUSED_ANSWER_THRESHOLD + 5
    assert score < retrieval.TIE_MAX_SCORE

    def fixed(index, query, **kwargs):
        first, *rest = real(index, query, **kwargs)
        return [
            dataclasses.replace(first, score=score, semantic=0.9),
            *(dataclasses.replace(s, score=score - margin, semantic=0.9) for s in rest),
        ]

    monkeypatch.setattr("nlp.responder.search", fixed)
    reply = respond(fixed_kb, "새마을지도자 자녀 장학금 조건")
    assert reply.band == band
    assert reply.hits[0].entry.title == "새마을지도자 자녀 장학금"


@pytest.mark.parametrize(
    "question, first",
    [
        ("자원봉사 활동 활성화 사업 중 다치면 지원", "unit"),  # names the unit project outright
        ("자원봉사 활동 하다 다치면 지원", "insurance"),
    ],
)
def test_an_entry_the_question_names_keeps_its_place(fixed_kb, monkeypatch, question, first):
    """("국제협력과 팀 구성" lost 국제협력과 to one of its teams before the exemption.)"""
    real = fixed_kb.index.search
    words = {"unit": 50.0, "insurance": 45.0}

    def fixed(query, **kwargs):  # the same scores by words for both questions
        ranked = [
            dataclasses.replace(s, score=words.get(s.entry.id, 1.0)) for s in real(query, **kwargs)
        ]
        return sorted(ranked, key=lambda s: -s.score)

    monkeypatch.setattr(fixed_kb.index, "search", fixed)
    assert _first(fixed_kb, question) == first


@pytest.mark.parametrize(
    "question, kinds",
    [
        ("도 홍보 맡은 과 1년 예산", {"department"}),
        ("북한 관련 교류 일 하는 팀이 있어요?", {"team"}),
        ("인천 시 상징 마크 관리하는 위원회", {"committee"}),
        ("인천 시청에서 홍보 맡은 부서 어디예요", {"department"}),
        ("국제행사 끌어오는 단위사업 예산", {"unit_project"}),
        # a unit named by what it handles
        ("전북 남북교류 담당 팀", {"team"}),
        ("자원봉사 보험 담당하는 팀이 어디예요", {"team"}),
        ("전북 도청 홍보 담당하는 과는 어디에요", {"department"}),
        # which unit handles a topic: the topic's own entry answers
        ("다문화가족 지원은 어느 부서 담당이에요?", set()),
        ("국제협력과에는 무슨 팀이 있나요", set()),
        ("정무기획과 산하 팀 목록", set()),
        ("정무기획과 팀 몇 개", set()),
        ("다른 부서 위원회는?", set()),
        # a place's units in general, and kind words inside a name
        ("인천시 위원회 너무 많던데", set()),
        ("직소민원팀 연락처", set()),
        ("사과 농사 지원", set()),
    ],
)
def test_the_kind_a_question_names(question, kinds):
    assert retrieval.asked_kinds(question, {"인천시": "인천광역시"}) == kinds


KIND_ENTRIES = [
    _entry(
        "center",
        "program",
        "다문화가족지원센터 운영",
        사업내용="다문화 가족 지원 업무, 외국인 가족 상담과 교육",
    ),
    _entry("team", "team", "다문화지원팀", 업무="다문화가족 정착 지원"),
]


@pytest.fixture(scope="module")
def kind_kb(tokenizer):
    kb = build_knowledge_base(KIND_ENTRIES, tokenizer=tokenizer)
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, FixedConcepts())
    return kb


@pytest.mark.parametrize("factor, first", [(1.0, "center"), (retrieval.ASKED_KIND_FACTOR, "team")])
def test_an_entry_of_the_kind_the_question_names_comes_first(kind_kb, monkeypatch, factor, first):
    """ "외국인 가족 지원 업무 맡은 팀이 어디야": the program holds more of its words, the team
    within ASKED_KIND_FACTOR of it is what the question asks for."""
    monkeypatch.setattr(retrieval, "ASKED_KIND_FACTOR", factor)
    assert _first(kind_kb, "외국인 가족 지원 업무 맡은 팀이 어디야") == first


# A department, its unit project and program, and its team: the program holds the question's
# words, the department is what "…하는 과가 어디야" asks for.
CHAIN_ENTRIES = [
    _entry("dept", "department", "국제협력과", 사무분장="국제교류 총괄"),
    _entry("unit", "unit_project", "외국인주민 지원", "dept", 내용="외국인주민 정착 지원"),
    _entry(
        "center", "program", "다문화가족 지원센터 운영", "unit", 사업내용="다문화 가정 상담 교육"
    ),
    _entry("team", "team", "다문화지원팀", "dept", 업무="다문화가족 정착 지원"),
]


@pytest.fixture(scope="module")
def chain_kb(tokenizer):
    kb = build_knowledge_base(CHAIN_ENTRIES, tokenizer=tokenizer)
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, FixedConcepts())
    return kb


@pytest.mark.parametrize(
    "question, first",
    [
        ("다문화 가정 상담 챙기는 과가 어디야", "dept"),  # the program's department
        ("다문화 가정 상담 챙기는 곳", "center"),  # no kind asked: the program itself
    ],
)
def test_the_kind_asked_for_above_the_best_entry_is_answered(chain_kb, question, first):
    assert _first(chain_kb, question) == first


@pytest.mark.parametrize("message", ["?", "!", "~"])
def test_a_message_without_words_is_not_embedded(fixed_kb, monkeypatch, message):
    """The words find nothing, so the fused search is empty: its embedding would be wasted."""
    embedded = []
    encoder = fixed_kb.index.semantic.encoder
    real = encoder.query
    monkeypatch.setattr(encoder, "query", lambda text: embedded.append(text) or real(text))
    query = fixed_kb.index.analyze(message)
    assert retrieval.search(fixed_kb.index, query) == []
    assert embedded == []


def _fixed_scores(monkeypatch, scores: list[float], cosines: list[float] | None = None) -> None:
    """The fused ranking of the next question with these first scores, near in meaning but
    not so near that a clear first place is answered (retrieval.CLEAR_MIN_COSINE), or with
    these cosines."""
    real = retrieval.search
    cosines = cosines or [retrieval.CLEAR_MIN_COSINE - 0.01] * len(scores)

    def fixed(index, query, **kwargs):
        ranked = real(index, query, **kwargs)
        assert len(ranked) >= len(scores)
        return [
            dataclasses.replace(s, score=score, semantic=cosine)
            for s, score, cosine in zip(ranked, scores, cosines)
        ]

    monkeypatch.setattr("nlp.responder.search", fixed)


@pytest.mark.parametrize(
    "top, band",
    [
        (FUSED_SUGGEST_THRESHOLD, SUGGEST),
        (27.0, SUGGEST),  # "not found" under the three-entry band (29) it replaced
        (FUSED_SUGGEST_THRESHOLD - 0.01, NOT_FOUND),
    ],
)
def test_the_fused_suggest_band_on_both_sides(fixed_kb, monkeypatch, top, band):
    _fixed_scores(monkeypatch, [top, top - 3, top - 6])
    assert respond(fixed_kb, "새마을지도자 자녀 장학금 조건").band == band


@pytest.mark.parametrize(
    "scores, shown",
    [
        ([28.0, 27.0, 26.0, 25.0, 24.0], 5),  # five close ones: all offered
        ([28.0, 27.0, 26.0, 14.0, 13.9], 4),  # the 5th under half the first's score
        ([28.0, 12.0, 11.0, 10.0, 9.0], 3),  # the first three always
    ],
)
def test_a_suggestion_offers_the_close_entries_after_the_first_three(
    fixed_kb, monkeypatch, scores, shown
):
    """The right entry was 4th or 5th for 6 of every 118 suggestions on the spent sets."""
    _fixed_scores(monkeypatch, scores)
    reply = respond(fixed_kb, "자원봉사 지원 장학금 방문 인건비")
    assert reply.band == SUGGEST
    assert len(reply.suggestions) == shown
    for number, hit in enumerate(reply.suggestions, start=1):
        assert f"{number}. {hit.entry.title}" in reply.text
    assert f"{shown + 1}. " not in reply.text


@pytest.mark.parametrize(
    "cosines, order",
    [
        # the 5th, under half the first's score, is the nearest in meaning: offered before the
        # 4th (where a suggestion missed, the citizen's words were not the documents')
        ([0.86, 0.86, 0.86, 0.80, 0.90], [0, 1, 2, 4, 3]),
        # nearest in meaning already among the first three: the fused order stands
        ([0.90, 0.86, 0.86, 0.80, 0.79], [0, 1, 2, 3]),
    ],
)
def test_a_suggestion_offers_the_entries_nearest_in_meaning_after_the_first_three(
    fixed_kb, monkeypatch, cosines, order
):
    scores = [28.0, 27.0, 26.0, 25.0, 13.9]
    _fixed_scores(monkeypatch, scores, cosines)
    question = "자원봉사 지원 장학금 방문 인건비"
    ranked = retrieval.search(fixed_kb.index, fixed_kb.index.analyze(question))
    reply = respond(fixed_kb, question)
    assert reply.band == SUGGEST
    assert [h.entry.id for h in reply.suggestions] == [ranked[n].entry.id for n in order]
    for number, hit in enumerate(reply.suggestions, start=1):
        assert f"{number}. {hit.entry.title}" in reply.text


@pytest.fixture(scope="module")
def elsewhere_kb(tokenizer):
    """An entry about the capital area, one about the region's people living elsewhere, and one
    about neither."""
    entries = [
        _entry(
            "metro", "program", "거점지역 마케팅 강화", 사업내용="수도권 대형 전광판 광고 송출"
        ),
        _entry("hometown", "program", "고향 사람 협력", 사업내용="출향도민 초청 도정설명회"),
        _entry("local", "program", "지역 전광판 운영", 사업내용="도내 전광판 광고 송출"),
    ]
    kb = build_knowledge_base(entries, tokenizer=tokenizer)
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, FixedConcepts())
    return kb


def _elsewhere_share(kb, question: str, entry: str) -> float:
    """The share of its fused score an entry keeps for naming no place the question names."""
    fused = retrieval.fused_candidates(kb.index, kb.index.analyze(question))
    scored = next(s for s in fused if s.entry.id == entry)
    weight = retrieval.SEMANTIC_WEIGHT
    whole = (1 - weight) * scored.lexical + weight * 100 * retrieval.meaning(scored.semantic)
    return scored.score / whole


@pytest.mark.parametrize(
    "question, entry",
    [
        ("서울 대형 전광판 광고 송출 사업", "metro"),  # 수도권 takes in 서울
        ("경기도 대형 전광판 광고 송출 사업", "metro"),
        ("서울 사는 사람 초청 도정설명회", "hometown"),  # 출향: living anywhere else
    ],
)
def test_a_place_an_entry_takes_in_is_not_somewhere_else(elsewhere_kb, question, entry):
    assert _elsewhere_share(elsewhere_kb, question, entry) == pytest.approx(1.0)


def test_an_entry_that_does_not_take_the_place_in_is_scored_as_elsewhere(elsewhere_kb):
    share = _elsewhere_share(elsewhere_kb, "서울 대형 전광판 광고 송출 사업", "local")
    assert share == pytest.approx(MENTIONED_REGION_FACTOR)
