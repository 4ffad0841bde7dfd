"""The benchmark's question files: well-formed, and every expected answer exists in the
knowledge base — a typo in an expected string would count as the matcher's miss forever."""
import sys
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from nlp.normalizer import squeeze

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import accuracy  # noqa: E402

FILES = sorted((Path(accuracy.ROOT) / "benchmarks").glob("*.tsv"))
CHECKS = {"title", "text", "none", "intent"}
STYLES = {"exact", "paraphrase", "condition", "contact", "figure", "typo", "nospace", "slang", "oos",
          "intent", "dev"}
INTENTS = {"question", "complaint", "greeting", "out_of_scope"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_question_file_is_well_formed(path: Path):
    questions = accuracy.read_questions([path])
    assert len(questions) >= 30
    for q in questions:
        assert q.text.strip() and q.check in CHECKS and q.style in STYLES, q
        if q.check in ("title", "text"):
            assert q.expected, q
        if q.check == "none":
            assert not q.expected, q
        if q.check == "intent":
            assert set(q.expected) <= INTENTS, q


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_expected_answer_is_in_the_knowledge_base(kb: KnowledgeBase, path: Path):
    titles = [squeeze(e.title) for e in kb.entries]
    bodies = [squeeze(e.body) for e in kb.entries]
    for q in accuracy.read_questions([path]):
        if q.check == "title":
            assert any(a in t for a in q.expected for t in titles), q
        elif q.check == "text":
            assert any(a in b for a in q.expected for b in bodies), q
