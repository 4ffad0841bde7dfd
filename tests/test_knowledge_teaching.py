"""Taught data in curated.yaml (knowledge.base Taught, knowledge.versions publish_taught):
aliases and short FAQ answers with who and when, comments kept, refused changes undone."""

from pathlib import Path

import pytest

from knowledge.base import (
    CURATED,
    TAUGHT_DOCUMENT,
    KnowledgeError,
    load_contents,
)
from knowledge.library import LibraryError
from knowledge.versions import list_versions, publish_taught

SCHOLARSHIP = "새마을지도자 자녀 장학금 지원"


def curated_regions(directory: Path):
    return load_contents(directory)[2]


def entry_id(directory: Path, title: str) -> str:
    entries, _, _ = load_contents(directory)
    return next(e.id for e in entries if e.title == title)


def test_taught_aliases_and_answers_are_stored_with_who_and_when_and_comments_kept(knowledge_dir):
    target = entry_id(knowledge_dir, SCHOLARSHIP)
    comments = [
        line
        for line in (knowledge_dir / CURATED).read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    first = publish_taught(
        knowledge_dir,
        {"entry": target, "questions": ["새마을 장학금 어케 받음"]},
        by="900",
        note="a",
    )
    second = publish_taught(
        knowledge_dir,
        {
            "answer": "53,000원입니다.",
            "region": "전주시",
            "department": "민원여권과",
            "questions": ["여권 수수료", "여권수수로 얼마"],
        },
        by="901",
        note="b",
    )
    assert (first, second) == (2, 3)
    assert [v.note for v in list_versions(knowledge_dir)] == ["처음 상태", "a", "b"]
    text = (knowledge_dir / CURATED).read_text(encoding="utf-8")
    assert all(line in text.splitlines() for line in comments)
    entries, curated, _ = load_contents(knowledge_dir)
    by_id = {e.id: e for e in entries}
    assert "새마을 장학금 어케 받음" in by_id[target].aliases
    [alias, answer] = curated.taught
    assert (alias.by, answer.by) == ("900", "901") and alias.at <= answer.at
    faq = by_id[answer.entry_id(curated_regions(knowledge_dir))]
    assert (faq.title, faq.aliases, faq.body, faq.region, faq.department) == (
        "여권 수수료",
        ("여권수수로 얼마",),
        "53,000원입니다.",
        "전주시",
        "민원여권과",
    )
    assert faq.source.file == CURATED and faq.source.document == TAUGHT_DOCUMENT
    assert text.splitlines()[faq.source.line_start - 1].lstrip("- ").startswith("id:")


@pytest.mark.parametrize(
    "item, problem",
    [
        ({"entry": "jb-program-nowhere", "questions": ["가"]}, "jb-program-nowhere에 해당하는"),
        ({"answer": "답", "region": "서울특별시", "questions": ["가"]}, "'서울특별시'"),
    ],
)
def test_a_taught_item_that_would_not_load_changes_nothing(knowledge_dir, item, problem):
    before = (knowledge_dir / CURATED).read_text(encoding="utf-8")
    with pytest.raises(LibraryError, match=problem):
        publish_taught(knowledge_dir, item, by="900", note="x")
    assert (knowledge_dir / CURATED).read_text(encoding="utf-8") == before
    assert [v.note for v in list_versions(knowledge_dir)] == ["처음 상태"]


@pytest.mark.parametrize(
    "taught",
    [
        "taught: {a: 1}",
        "taught:\n  - {id: a, questions: [가], by: '1', at: yesterday, entry: e}",
        "taught:\n  - {id: a, questions: [가], by: '1', at: '2026-01-01T00:00:00+00:00'}",
        "taught:\n  - {id: a, questions: [], by: '1', at: x, entry: e}",
        "taught:\n  - {id: a, questions: [가], by: '1', at: x, entry: e, answer: 답}",
        "taught:\n  - {id: a, questions: [가], by: '1', at: x, answer: 답}",  # no region
        "taught:\n  - {id: a, questions: [가], by: '1', at: x, entry: e, colour: red}",
    ],
)
def test_malformed_taught_items_are_refused_with_their_line(knowledge_dir, taught):
    (knowledge_dir / CURATED).write_text(f"synonyms: []\n{taught}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as excinfo:
        load_contents(knowledge_dir)
    assert excinfo.value.problems[0].file == CURATED
    assert excinfo.value.problems[0].line >= 2


@pytest.mark.parametrize("suffix", ["1234", "00e1", "beef"])
def test_a_taught_answer_cites_its_own_line_whatever_its_id_looks_like(
    knowledge_dir, monkeypatch, suffix
):
    """An id of digits only is written quoted ('202612061200001234'); the source line must
    still be the item's, not the file's first line."""
    monkeypatch.setattr("knowledge.versions.secrets.token_hex", lambda n: suffix)
    publish_taught(
        knowledge_dir,
        {"answer": "53,000원입니다.", "region": "전주시", "questions": ["여권 수수료"]},
        by="900",
        note="a",
    )
    entries, curated, regions = load_contents(knowledge_dir)
    [item] = curated.taught
    faq = next(e for e in entries if e.id == item.entry_id(regions))
    line = (
        (knowledge_dir / CURATED)
        .read_text(encoding="utf-8")
        .splitlines()[faq.source.line_start - 1]
    )
    assert item.id in line and line.lstrip("- ").startswith("id:")
