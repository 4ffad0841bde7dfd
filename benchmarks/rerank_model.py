"""A learned re-ranker over the fused candidates, and the confidence that its first entry is right:
an experiment, not part of the bot (cross-validation showed no clear gain, benchmarks/README.md).

The model is a conditional logit with a "none of these" option: each of the first CANDIDATES
fused entries gets a utility ``w · x`` from generic features of the pair (question, entry) —
scores and ranks by words and by meaning, gaps, the place the agreement rules give it, whether
the question names the entry, its words in the entry's name, region — never an entry's id or
title. The entry's kind and its parent or child among the candidates were tried and left out:
they told the regions apart (a new city's documents ranked worse, benchmarks/README.md).
"none" gets ``v · z`` from features of the question and its best candidates. A softmax over the
K + 1 options gives each entry the probability that it is the one asked about, and "none" the
probability that no candidate is (out of scope, or the entry is missing).

The weights live in ``rerank.json`` beside this module, written by
``python benchmarks/rerank_train.py --write``, which also measures the model against the bot's
ranking. A missing or unreadable file gives no model, with one log line.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.analyzer import Query
from nlp.index import Scored, SearchIndex

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("rerank.json")
# The fused candidates the model orders: the right entry of a title question of blind A–M was
# among the first 10 fused for 0.981 of them (first: 0.872, 5: 0.966, 20: 0.987;
# benchmarks/rerank_train.py --ceiling).
CANDIDATES = 10
CANDIDATE_FEATURES = (
    "fused",
    "lexical",
    "cosine",
    "cosine_below_best",
    "fused_below_first",
    "fused_above_next",
    "fused_rank",
    "agreement_first",
    "agreement_rank",
    "lexical_rank",
    "semantic_rank",
    "coverage",
    "name",
    "fuzzy",
    "named",
    "title_passage",
    "no_passage",
    "question_words_in_name",
    "name_length_ratio",
    "body_length",
    "region_asked",
    "region_other",
)
QUESTION_FEATURES = (
    "bias",
    "first_fused",
    "first_lexical",
    "first_cosine",
    "best_cosine",
    "first_gap",
    "first_named",
    "words",
    "length",
    "region_asked",
)


@dataclass(frozen=True, eq=False)
class Reranker:
    """The trained weights: candidate features → utility, question features → "none"."""

    weights: np.ndarray  # len(CANDIDATE_FEATURES), on standardized features
    none_weights: np.ndarray  # len(QUESTION_FEATURES)
    mean: np.ndarray
    scale: np.ndarray
    # Bands, chosen with the weights on the same questions (benchmarks/rerank_train.py: the most
    # answered right while answers are right ≥ 95 %, suggestions hold the right entry ≥ 90 % and
    # out-of-scope rejection is ≥ 95 %): answer when the first entry's probability reaches
    # ``answer_at``, suggest when the first three's together reach ``suggest_at``.
    answer_at: float = 1.0
    suggest_at: float = 1.0

    def answers(self, confidences: Sequence[float]) -> bool:
        """Whether a ranking of ``rerank``, given the probabilities of its first entries, is
        confident enough to answer with its first entry."""
        return bool(confidences) and confidences[0] >= self.answer_at

    def suggests(self, confidences: Sequence[float]) -> bool:
        """Whether its first three are worth offering ("혹시 이것을 찾으셨나요?")."""
        return sum(confidences[:3]) >= self.suggest_at

    def probabilities(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """P(none), then P(each candidate is the one asked about), in ``x``'s row order."""
        utilities = np.concatenate(
            ([z @ self.none_weights], ((x - self.mean) / self.scale) @ self.weights)
        )
        utilities -= utilities.max()
        e = np.exp(utilities)
        return e / e.sum()

    def to_json(self) -> dict:
        return {
            "candidate_features": list(CANDIDATE_FEATURES),
            "question_features": list(QUESTION_FEATURES),
            "weights": self.weights.round(6).tolist(),
            "none_weights": self.none_weights.round(6).tolist(),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "answer_at": self.answer_at,
            "suggest_at": self.suggest_at,
        }

    @classmethod
    def from_json(cls, data: dict) -> Reranker:
        """The model of a ``to_json`` dict; ValueError when it was trained on other features."""
        if data.get("candidate_features") != list(CANDIDATE_FEATURES) or data.get(
            "question_features"
        ) != list(QUESTION_FEATURES):
            raise ValueError("trained on other features")
        arrays = [
            np.asarray(data[key], dtype=np.float64)
            for key in ("weights", "none_weights", "mean", "scale")
        ]
        sizes = (len(CANDIDATE_FEATURES), len(QUESTION_FEATURES), *[len(CANDIDATE_FEATURES)] * 2)
        if any(a.shape != (n,) or not np.isfinite(a).all() for a, n in zip(arrays, sizes)):
            raise ValueError("weights of the wrong shape or not finite")
        if (arrays[3] <= 0).any():
            raise ValueError("a feature scale is not positive")
        bands = float(data["answer_at"]), float(data["suggest_at"])
        if not all(0.0 <= b <= 1.0 for b in bands):
            raise ValueError("a band outside 0–1")
        return cls(*arrays, *bands)


def load_reranker(path: Path = MODEL_PATH) -> Reranker | None:
    """The model in ``path``; None (and one log line) when it is missing or unreadable."""
    try:
        return Reranker.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        logger.warning("re-ranker not loaded (%s: %s)", path, error)
        return None


def features(
    index: SearchIndex,
    query: Query,
    fused: list[Scored],
    best: np.ndarray,
    agreement: list[Scored],
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate features (one row per entry of ``fused``, at most CANDIDATES) and question
    features, from the fused ranking, every entry's best cosine (``best``) and the ranking of
    the agreement rules (``agreement``: retrieval.agreement_ranking of ``fused``)."""
    ranked = fused[:CANDIDATES]
    agreed = {s.entry.id: n for n, s in enumerate(agreement[: CANDIDATES + 1])}
    n = len(ranked)
    scores = [s.score for s in ranked]
    lexical = [s.lexical or 0.0 for s in ranked]
    cosines = [s.semantic or 0.0 for s in ranked]
    best_cosine = float(best.max()) if len(best) else 0.0
    # how many entries are nearer in meaning than each candidate
    semantic_ranks = len(best) - np.searchsorted(np.sort(best), cosines, side="right")
    named = [float(index.named(s.entry.id, query)) for s in ranked]
    lexical_order = sorted(range(n), key=lambda i: -lexical[i])
    lexical_rank = {i: r for r, i in enumerate(lexical_order)}
    words = [t for t in query.tokens if len(t) >= 2]
    rows = []
    for i, scored in enumerate(ranked):
        entry = scored.entry
        names = [entry.title.replace(" ", "").lower()] + [
            a.replace(" ", "").lower() for a in entry.aliases
        ]
        in_name = sum(any(w in name for name in names) for w in words) / len(words) if words else 0
        row = [
            scores[i] / 100,
            lexical[i] / 100,
            cosines[i],
            best_cosine - cosines[i],
            (scores[0] - scores[i]) / 100,
            (scores[i] - (scores[i + 1] if i + 1 < n else 0.0)) / 100,
            math.log1p(i),
            float(agreed.get(entry.id) == 0),
            math.log1p(agreed.get(entry.id, CANDIDATES)),
            math.log1p(lexical_rank[i]),
            math.log1p(semantic_ranks[i]),
            scored.coverage,
            scored.name,
            scored.fuzzy,
            named[i],
            float(scored.passage is None and scored.semantic is not None),
            float(scored.semantic is None),
            in_name,
            min(3.0, len(names[0]) / max(1, len(query.compact))),
            math.log1p(len(entry.body)) / 10,
            float(query.region is not None and entry.region == query.region),
            float(query.region is not None and entry.region != query.region),
        ]
        rows.append(row)
    x = np.asarray(rows, dtype=np.float64).reshape(n, len(CANDIDATE_FEATURES))
    z = np.asarray(
        [
            1.0,
            scores[0] / 100,
            lexical[0] / 100,
            cosines[0],
            best_cosine,
            (scores[0] - (scores[1] if n > 1 else 0.0)) / 100,
            named[0],
            math.log1p(len(query.tokens)),
            math.log1p(len(query.compact)) / 4,
            float(query.region is not None),
        ],
        dtype=np.float64,
    )
    return x, z


def rerank(
    model: Reranker,
    index: SearchIndex,
    query: Query,
    fused: list[Scored],
    best: np.ndarray,
    agreement: list[Scored],
) -> tuple[list[Scored], list[float]]:
    """The first CANDIDATES of ``fused`` in the model's order, then the rest as they were; and
    the probability of each of the first CANDIDATES, in that order."""
    x, z = features(index, query, fused, best, agreement)
    p = model.probabilities(x, z)[1:]
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    return [fused[i] for i in order] + fused[len(p) :], [float(p[i]) for i in order]
