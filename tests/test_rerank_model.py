"""The re-ranker experiment's weights (benchmarks/rerank_model.py, benchmarks/rerank.json): the
written model loads, and a missing or corrupt file is refused with one log line."""

import json
import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from rerank_model import (  # noqa: E402
    CANDIDATE_FEATURES,
    MODEL_PATH,
    QUESTION_FEATURES,
    Reranker,
    load_reranker,
)


@pytest.fixture(scope="module")
def model() -> Reranker:
    loaded = load_reranker()
    assert loaded is not None
    return loaded


def test_the_written_model_loads_with_bands_between_0_and_1(model):
    assert model.weights.shape == (len(CANDIDATE_FEATURES),)
    assert model.none_weights.shape == (len(QUESTION_FEATURES),)
    assert 0 < model.suggest_at <= 1 and 0 < model.answer_at <= 1
    assert Reranker.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8"))) is not None


CORRUPT = {
    "other features": {"candidate_features": ["fused"]},
    "nan weights": {"weights": [float("nan")] * len(CANDIDATE_FEATURES)},
    "zero scale": {"scale": [0.0] * len(CANDIDATE_FEATURES)},
    "band above 1": {"answer_at": 1.5},
}


@pytest.mark.parametrize("contents", [None, "{not json", "[]", '{"weights": [1.0]}', *CORRUPT])
def test_a_missing_or_corrupt_model_is_refused_with_one_log_line(
    tmp_path, caplog, model, contents
):
    path = tmp_path / "rerank.json"
    if contents in CORRUPT:
        path.write_text(json.dumps({**model.to_json(), **CORRUPT[contents]}), encoding="utf-8")
    elif contents is not None:
        path.write_text(contents, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="rerank_model"):
        assert load_reranker(path) is None
    assert len(caplog.records) == 1
    assert "re-ranker not loaded" in caplog.records[0].getMessage()
