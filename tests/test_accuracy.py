"""The benchmark's question files: well-formed, and every expected answer exists in the
knowledge base — a typo in an expected string would count as the matcher's miss forever."""

import sys
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from nlp.normalizer import squeeze

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import accuracy  # noqa: E402
import dialogues  # noqa: E402

FILES = sorted(
    p
    for p in (Path(accuracy.ROOT) / "benchmarks").glob("*.tsv")
    if not p.name.endswith("dialogues.tsv")
)
BLIND_DIALOGUES = sorted((Path(accuracy.ROOT) / "benchmarks").glob("blind-*-dialogues.tsv"))
CHECKS = {"title", "text", "none", "intent", *accuracy.TEXT_CHECKS}
STYLES = {
    "exact",
    "paraphrase",
    "condition",
    "contact",
    "figure",
    "typo",
    "nospace",
    "slang",
    "oos",
    "intent",
    "dev",
    "list",
    "count",
    "missing",
    "comparison",
}
INTENTS = {"question", "complaint", "greeting", "out_of_scope"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_question_file_is_well_formed(path: Path):
    questions = accuracy.read_questions([path])
    assert len(questions) >= 30
    for q in questions:
        assert q.text.strip() and q.check in CHECKS and q.style in STYLES, q
        if q.check in ("title", "text", "list", "all", "count"):
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
        elif q.check in ("list", "all"):  # every item, or a region compared, is in the documents
            regions = {squeeze(e.region) for e in kb.entries}
            assert all(a in regions or any(a in b for b in bodies + titles) for a in q.expected), q


@pytest.mark.parametrize("path", BLIND_DIALOGUES, ids=[p.name for p in BLIND_DIALOGUES])
def test_blind_dialogue_files_are_well_formed(path: Path):
    """The blind dialogue sets: at least 30 dialogues (AH and AI were asked for 30, the others
    for 45) of one to three turns, judged on the last."""
    found = dialogues.read_dialogues(path)
    assert len(found) >= 30
    for name, turns in found.items():
        assert [t.number for t in turns] == list(range(1, len(turns) + 1)), name
        assert turns[-1].check in {*CHECKS, "clarify"}, name


def test_dialogue_file_is_well_formed(kb: KnowledgeBase):
    """benchmarks/dialogues.tsv: at least 25 dialogues of one to three turns, each judged on its
    last turn with a known check, the expected text found in the documents."""
    found = dialogues.read_dialogues(dialogues.DIALOGUE_FILE)
    bodies = [squeeze(e.body) for e in kb.entries]
    assert len(found) >= 25
    for name, turns in found.items():
        assert [t.number for t in turns] == list(range(1, len(turns) + 1)), name
        assert 1 <= len(turns) <= 3, name
        assert turns[-1].check in {"text", "title", "clarify", "missing", "all", "list"}, name
        if turns[-1].check == "text":
            assert any(a in b for a in turns[-1].expected for b in bodies), name


@pytest.mark.parametrize(
    "message, number, reply, kind",
    [
        ("/help", 1, "사용 방법", "command"),
        ("전북이랑 인천 주민참여예산 차이", 1, "지역별로 비교합니다", "comparison"),
        ("청년 사업 뭐 있어요?", 1, "청년 사업은 모두 9개입니다.\n1. 청년 공유주택", "list"),
        ("다른 사업은?", 2, "더 있습니다.\n1. 청년 공유주택", "list"),
        ("예산은?", 2, "예산은 '21년 45백만원입니다.", "follow-up"),
        ("주민참여예산 사업 있어요?", 1, "네, 있습니다.", "first question"),
    ],
)
def test_dialogue_messages_are_timed_by_kind(kb: KnowledgeBase, message, number, reply, kind):
    turn = dialogues.Turn("d01", number, message, "", ())
    assert dialogues.kind_of(kb, turn, reply) == kind


@pytest.mark.parametrize(
    "check, expected, text, ok",
    [
        ("list", ("가", "나", "다", "라"), "가 나", True),
        ("list", ("가", "나", "다", "라"), "가", False),
        ("all", ("가", "나"), "가 나", True),
        ("all", ("가", "나"), "가", False),
        ("count", ("76",), "전주시 공약은 모두 76개입니다.\n1. …", True),
        ("count", ("76",), "공약입니다.\n모두 76개", False),
        ("missing", (), "이 자료에는 '가'의 전화번호가 나와 있지 않습니다. …", True),
        ("missing", (), "죄송합니다. 말씀하신 내용은 … 찾지 못했습니다.", False),
        ("clarify", (), "어떤 사업의 예산을 말씀하시나요?", True),
        ("clarify", (), "[가]\n출처: 전라북도 · 문서", False),
    ],
)
def test_text_checks(check, expected, text, ok):
    assert accuracy.judge_text(check, expected, text) is ok


def test_thread_cpu_is_summed_by_thread_name_new_threads_counted_whole():
    """dialogues.py --threads: CPU ms per thread name between two readings."""
    before = {"1": ("python", 1_000_000), "2": ("C2 CompilerThre", 0)}
    after = {
        "1": ("python", 3_000_000),
        "2": ("C2 CompilerThre", 500_000),
        "3": ("python", 1_000_000),  # started meanwhile
    }
    assert dialogues.by_thread(before, after) == (("python", 3.0), ("C2 CompilerThre", 0.5))
    assert any(name.endswith("(main)") for name, _ in dialogues.thread_cpu().values())
