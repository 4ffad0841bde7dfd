"""The learned re-ranker (nlp/rerank.py): the shipped model loads, a missing or corrupt one leaves
the fused ranking as it was with one log line, which entry each question must hit and which must
hit none with the model attached, and its bands on both sides."""

from __future__ import annotations

import dataclasses
import json
import logging

import numpy as np
import pytest

from nlp import retrieval
from nlp.index import Scored
from nlp.reply import ANSWER
from nlp.rerank import (
    CANDIDATE_FEATURES,
    CANDIDATES,
    MODEL_PATH,
    QUESTION_FEATURES,
    Reranker,
    features,
    load_reranker,
)
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base
from nlp.semantic import SemanticIndex
from test_retrieval import ENTRIES, FixedConcepts


@pytest.fixture(scope="module")
def model() -> Reranker:
    loaded = load_reranker()
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def reranked_kb(tokenizer, model):
    """test_retrieval's entries with the concept encoder's semantic index and the model."""
    kb = build_knowledge_base(ENTRIES, tokenizer=tokenizer)
    kb.index.semantic, _ = SemanticIndex.build(kb.entries, FixedConcepts())
    kb.index.reranker = model
    return kb


def test_the_shipped_model_loads_with_bands_between_0_and_1(model):
    assert model.weights.shape == (len(CANDIDATE_FEATURES),)
    assert model.none_weights.shape == (len(QUESTION_FEATURES),)
    assert 0 < model.suggest_at <= 1 and 0 < model.answer_at <= 1
    assert Reranker.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8"))) is not None


def _model_json(model: Reranker, **changes) -> str:
    return json.dumps({**model.to_json(), **changes})


@pytest.mark.parametrize(
    "contents",
    [
        None,  # missing
        "{not json",
        "[]",
        '{"weights": [1.0]}',
        "other features",
        "nan weights",
        "zero scale",
        "band above 1",
    ],
)
def test_a_missing_or_corrupt_model_is_not_loaded_and_says_so_once(
    tmp_path, caplog, model, contents
):
    path = tmp_path / "rerank.json"
    changed = {
        "other features": {"candidate_features": ["fused"]},
        "nan weights": {"weights": [float("nan")] * len(CANDIDATE_FEATURES)},
        "zero scale": {"scale": [0.0] * len(CANDIDATE_FEATURES)},
        "band above 1": {"answer_at": 1.5},
    }
    if contents in changed:
        path.write_text(_model_json(model, **changed[contents]), encoding="utf-8")
    elif contents is not None:
        path.write_text(contents, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlp.rerank"):
        assert load_reranker(path) is None
    assert len(caplog.records) == 1
    assert "re-ranker not loaded" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    "question",
    [
        "자원봉사 활동 하다 다치면 지원",
        "며느리 고향 다녀오는 비행기 값 도와주나요",
        "새마을지도자 자녀 장학금 조건",
    ],
)
def test_without_a_model_the_ranking_is_the_agreement_ranking(
    reranked_kb, tmp_path, caplog, question
):
    index = reranked_kb.index
    query = index.analyze(question)
    fused, _ = retrieval.fused_candidates(index, query)
    expected = [s.entry.id for s in retrieval.agreement_ranking(index, query, fused)[:5]]
    with caplog.at_level(logging.WARNING, logger="nlp.rerank"):
        index.reranker = load_reranker(tmp_path / "missing.json")
    try:
        assert [s.entry.id for s in retrieval.search(index, query)] == expected
        assert all(s.confidence is None for s in retrieval.search(index, query))
    finally:
        index.reranker = load_reranker()
    assert len(caplog.records) == 1


@pytest.mark.parametrize(
    "question, expected",
    [
        ("자원봉사 보험 가입 지원", "insurance"),
        ("새마을지도자 자녀 장학금 조건", "scholarship"),
        ("다문화가족 모국방문 지원 사업", "homeland"),
        ("자원봉사 활동 하다 다치면 지원", "insurance"),
        ("봉사하다 다치면 치료비 보험 되나요", "insurance"),
        ("며느리 고향 다녀오는 비행기 값 도와주나요", "homeland"),
    ],
)
def test_each_question_finds_its_entry_first_with_the_model(reranked_kb, question, expected):
    ranked = retrieval.search(reranked_kb.index, reranked_kb.index.analyze(question))
    assert ranked[0].entry.id == expected
    confidences = [s.confidence for s in ranked]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1


@pytest.mark.parametrize(
    "question",
    ["오늘 날씨 어때요", "축구 경기 결과 알려줘", "1+1은?", "서울 맛집 추천해줘", "ㅋㅋㅋ"],
)
def test_questions_about_nothing_here_are_not_answered_with_the_model(reranked_kb, question):
    assert respond(reranked_kb, question).band != ANSWER


def test_features_have_one_row_per_candidate_up_to_the_limit(reranked_kb):
    index = reranked_kb.index
    query = index.analyze("자원봉사 보험 가입 지원")
    fused, best = retrieval.fused_candidates(index, query)
    x, z = features(index, query, fused, best, retrieval.agreement_ranking(index, query, fused))
    assert x.shape == (min(len(fused), CANDIDATES), len(CANDIDATE_FEATURES))
    assert z.shape == (len(QUESTION_FEATURES),)
    assert np.isfinite(x).all() and np.isfinite(z).all()
    named = CANDIDATE_FEATURES.index("named")
    assert x[0, named] == 1.0 and fused[0].entry.id == "insurance"


def _ranked(*confidences: float) -> list[Scored]:
    entry = ENTRIES[0]
    return [
        dataclasses.replace(Scored(entry, 50.0, 0, 0, 0, semantic=0.9), confidence=c)
        for c in confidences
    ]


def test_the_answer_band_is_tested_on_both_sides(model):
    assert model.answers(_ranked(model.answer_at, 0.0))
    assert not model.answers(_ranked(model.answer_at - 0.01, 0.0))


def test_the_suggestion_band_counts_the_first_three(model):
    third = model.suggest_at / 3
    assert model.suggests(_ranked(third, third, third + 0.001, 0.5))
    assert not model.suggests(_ranked(third, third, third - 0.01, 0.5))
