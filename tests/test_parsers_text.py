"""The parsers' shared text toolkit (knowledge/parsers/text.py) and curated word lists."""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge import parsers
from knowledge.base import read_manifest
from knowledge.parsers import WordListError, read_team_keywords, read_words
from knowledge.parsers.text import (
    despace,
    entry_body,
    field_text,
    last_content_line,
    render_lines,
    render_table,
    split_sections,
)

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources"


@pytest.mark.parametrize(
    "fields, title, body",
    [
        ({}, "제목", "제목"),
        ({"대상": "청년"}, "제목", "제목\n대상: 청년"),
        ({"대상": "청년", "내용": "가\n나"}, "제목", "제목\n대상: 청년\n내용:\n가\n나"),
        ({"분야": "경제", "실적": "가\n나"}, None, "분야: 경제\n실적:\n가\n나"),
    ],
)
def test_entry_body_puts_multi_line_values_under_their_label(fields, title, body):
    assert entry_body(fields, title=title) == body


@pytest.mark.parametrize(
    "raw, lines",
    [
        (["- 항목", "  - 하위 항목"], ["- 항목", "  - 하위 항목"]),
        (["- 항목  ", "이어지는 줄"], ["- 항목", "  이어지는 줄"]),  # after a hard break
        (["| 가 | 나 |", "|---|---|"], ["  - 가", "  - 나"]),  # pipe-table cells, rule dropped
        (["가\t나", "\t다"], ["가 · 나", "가 · 다"]),  # a merged cell repeats the row above
        (["---", "12", "추진 ..... '20. 2.", "\\*강조\\*"], ["추진: '20. 2.", "*강조*"]),
    ],
)
def test_render_lines_reads_markdown_ish_text(raw, lines):
    assert render_lines(raw) == lines


@pytest.mark.parametrize(
    "cell, closed",
    [("블 로 그", "블로그"), ("네 이 버 T V", "네이버TV"), ("시민 소통", "시민 소통")],
)
def test_despace_closes_up_letter_spaced_cells_only(cell, closed):
    assert despace(cell) == closed


def test_render_table_skips_empty_rows():
    assert render_table([["", ""], ["가", "나"]]) == ["가 · 나"]


@pytest.mark.parametrize("lines, text", [(["- 확대"], "확대"), (["- 가", "- 나"], "- 가\n- 나")])
def test_field_text_drops_the_bullet_of_a_lone_item(lines, text):
    assert field_text(lines) == text


def test_split_sections_groups_lines_under_headings_and_drops_empty_ones():
    lines = ["머리", "## 개요", "내용", "## 빈 절", "", "## 일정", "3월"]

    def heading(i: int) -> str | None:
        return lines[i][3:] if lines[i].startswith("## ") else None

    assert split_sections(lines, (0, len(lines)), "앞", heading) == [
        ("앞", [0]),
        ("개요", [2]),
        ("일정", [6]),
    ]


def test_last_content_line_skips_blanks_rules_and_page_numbers():
    lines = ["제목", "내용", "", "---", "12", ""]
    assert last_content_line(lines, (0, len(lines))) == 1
    assert last_content_line(["제목", ""], (0, 2)) == 0


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=5), st.text(min_size=1))
def test_entry_body_starts_with_the_title_and_keeps_every_value(fields, title):
    body = entry_body(fields, title=title)
    assert body.startswith(title)
    assert all(value in body for value in fields.values())


def test_curated_word_lists_are_read_in_file_order():
    teams = read_team_keywords("team_keywords.yaml")
    assert teams[0] == ("자원봉사팀", ("자원봉사",))
    assert [team for team, _ in teams][-3:] == ["홍보협력팀", "남북국제협력팀", "국제정책팀"]
    assert read_words("pledge_aliases.yaml") == ("공공기관 자매결연", "1사1촌 자매결연")


@pytest.mark.parametrize(
    "text, reader",
    [
        ("- team: 가팀\n", read_team_keywords),
        ("- team: 가팀\n  keywords: 가\n", read_team_keywords),
        ("a: b\n", read_words),
        ("- 가\n- ''\n", read_words),
    ],
)
def test_a_malformed_word_list_names_its_file(tmp_path, monkeypatch, text, reader):
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(parsers, "DATA_DIR", tmp_path)
    with pytest.raises(WordListError, match=r"^broken\.yaml: "):
        reader("broken.yaml")


@pytest.mark.parametrize("doc", read_manifest(SOURCES), ids=lambda doc: doc.parser)
def test_every_parser_takes_the_region_from_the_document(doc):
    """No parser hard-codes its region: the same text under another region says that region."""
    other = dataclasses.replace(doc, region="가나시", region_code="gn")
    parse = importlib.import_module(f"knowledge.parsers.{doc.parser}").parse
    entries = parse((SOURCES / doc.file).read_text(encoding="utf-8"), other)
    assert entries and {entry.region for entry in entries} == {"가나시"}
    assert all(entry.id.startswith("gn") for entry in entries)
