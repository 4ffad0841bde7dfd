"""Loading, validation (`kb check`), export and reload diffs of the knowledge base."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

import bot
from knowledge.base import (
    Curated,
    KnowledgeBase,
    KnowledgeError,
    load_entries,
    load_yaml,
    read_curated,
)
from knowledge.model import FAQ, KINDS, SECTION, Entry, make_id
from nlp.retrieval import load_knowledge_base

REGIONS = ("전라북도", "전주시", "인천광역시", "나주시")  # declared in sources/regions.yaml


def test_bundled_knowledge_loads_with_every_region_and_kind():
    entries, curated = load_entries()
    assert {e.region for e in entries} == set(REGIONS)
    assert {e.kind for e in entries} == set(KINDS) - {FAQ, SECTION}  # no sheets or pages yet
    assert len({e.id for e in entries}) == len(entries)
    assert all(e.source.file and e.source.line_start >= 1 for e in entries)
    assert curated.synonyms


def test_kb_check_prints_counts_per_kind_and_region(capsys):
    assert bot.main(["kb", "check"]) == 0
    out = capsys.readouterr().out
    assert "program" in out and "pledge" in out and "OK" in out
    for region in REGIONS:
        assert region in out


@pytest.mark.parametrize(
    "curated_text, where, message",
    [
        ("aliases:\n  jb-program-nothere: [새 이름]\n", "curated.yaml:2", "jb-program-nothere"),
        ("synonyms:\n  - [혼자]\n", "curated.yaml:", "2개 이상"),
        ("synonyms:\n  - [장학금, 학자금]\n  - [학자금, 학비]\n", "curated.yaml:3", "학자금"),
        (
            'contacts:\n  - region: 전라북도\n    department: 없는과\n    phone: "063-000-0000"\n',
            "curated.yaml:",
            "없는과",
        ),
        ("synonyms: [\n  - 깨진\n", "curated.yaml:", "YAML"),
        (
            "contacts:\n  - region: 전라북도\n    department: 정무기획과\n    fax: 1\n",
            "curated.yaml:",
            "phone",
        ),
    ],
)
def test_kb_check_fails_on_a_broken_curated_file(
    knowledge_dir: Path, capsys, curated_text, where, message
):
    (knowledge_dir / "curated.yaml").write_text(curated_text, encoding="utf-8")
    assert bot.main(["kb", "check", "--knowledge-dir", str(knowledge_dir)]) == 1
    err = capsys.readouterr().err
    assert where in err and message in err


def test_curated_alias_error_points_at_its_line(knowledge_dir: Path):
    (knowledge_dir / "curated.yaml").write_text(
        "synonyms: []\naliases:\n  jb-x-1: [가]\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as excinfo:
        load_entries(knowledge_dir)
    [problem] = excinfo.value.problems
    assert (problem.file, problem.line) == ("curated.yaml", 3)


def test_curated_aliases_are_added_to_their_entry(knowledge_dir: Path):
    entries, _ = load_entries()
    target = next(e for e in entries if e.title == "새마을지도자 자녀 장학금 지원")
    (knowledge_dir / "curated.yaml").write_text(
        f"aliases:\n  {target.id}: [새마을 장학금]\n", encoding="utf-8"
    )
    reloaded, _ = load_entries(knowledge_dir)
    assert "새마을 장학금" in next(e for e in reloaded if e.id == target.id).aliases


def test_a_corrupt_document_names_its_file(knowledge_dir: Path, capsys):
    path = knowledge_dir / "004_8df93a93e5fd5244.txt"
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")
    assert bot.main(["kb", "check", "--knowledge-dir", str(knowledge_dir)]) == 1
    err = capsys.readouterr().err
    assert "004_8df93a93e5fd5244.txt:" in err  # the parser's own complaint, with a line
    assert "004_8df93a93e5fd5244.txt: 내용이 기록된 sha256과 다릅니다" in err


def test_a_copy_cut_between_blocks_is_caught_by_its_checksum(knowledge_dir: Path):
    """A half-written 002 still parses (as fewer pledges); the manifest's sha256 refuses it."""
    path = knowledge_dir / "002_6a28f365ff4f5871.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n연번", len(text) // 2)], encoding="utf-8")
    with pytest.raises(KnowledgeError) as excinfo:
        load_entries(knowledge_dir)
    [problem] = excinfo.value.problems
    assert problem.file == "manifest.yaml" and "sha256" in problem.message


def test_a_document_without_a_checksum_is_parsed_as_is(knowledge_dir: Path):
    manifest = (knowledge_dir / "manifest.yaml").read_text(encoding="utf-8")
    (knowledge_dir / "manifest.yaml").write_text(
        "\n".join(line for line in manifest.splitlines() if "sha256:" not in line) + "\n",
        encoding="utf-8",
    )
    entries, _ = load_entries(knowledge_dir)
    assert len(entries) == len(load_entries()[0])


def test_a_missing_document_and_a_broken_manifest(knowledge_dir: Path):
    (knowledge_dir / "001_1cf720f589d4ce67.txt").unlink()
    with pytest.raises(KnowledgeError) as excinfo:
        load_entries(knowledge_dir)
    [problem] = excinfo.value.problems
    assert (problem.file, problem.line) == ("manifest.yaml", 12)
    assert problem.message == "001_1cf720f589d4ce67.txt: 파일이 없습니다"
    (knowledge_dir / "manifest.yaml").write_text(
        "- file: x.txt\n  parser: nope\n  region: 서울\n  document: d\n"
    )
    with pytest.raises(KnowledgeError) as excinfo:
        load_entries(knowledge_dir)
    assert "서울" in str(excinfo.value)


def test_kb_export_prints_every_entry_as_json(capsys):
    assert bot.main(["kb", "export", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    entries, _ = load_entries()
    assert [d["id"] for d in data] == [e.id for e in entries]
    sample = next(d for d in data if d["title"] == "규제개혁위원회")
    assert sample["fields"]["위원장"] == "박준하" and sample["region"] == "인천광역시"
    assert set(sample["source"]) == {"file", "line_start", "line_end", "document", "year", "unit"}


def test_read_curated_without_a_file_is_empty(tmp_path: Path):
    assert read_curated(tmp_path) == Curated()


def test_ids_are_stable_short_and_ascii():
    assert make_id("jj", "pledge", "5-1") == "jj-pledge-5-1"
    long_id = make_id("jb", "program", "새마을지도자 자녀 장학금 지원")
    assert long_id == make_id("jb", "program", "새마을지도자  자녀 장학금지원")
    assert long_id.isascii() and len(("e:" + long_id).encode()) <= 64


def _kb(entries: list[Entry]) -> KnowledgeBase:
    return KnowledgeBase(tuple(entries), Curated(), index=None)


def test_diff_reports_added_removed_and_changed():
    entries, _ = load_entries()
    old = _kb(entries[:10])
    changed = replace(entries[1], fields={**entries[1].fields, "사업내용": "바뀐 내용"})
    new = _kb([entries[0], changed, *entries[2:9], entries[10]])
    diff = old.diff(new)
    assert diff.added == (entries[10].id,)
    assert diff.removed == (entries[9].id,)
    assert diff.changed == (entries[1].id,)
    assert diff.summary() == "추가 1 · 삭제 1 · 변경 1"


def test_knowledge_base_is_immutable(kb: KnowledgeBase):
    with pytest.raises(AttributeError):
        kb.entries = ()
    with pytest.raises(TypeError):
        kb.by_id["x"] = kb.entries[0]
    with pytest.raises(TypeError):
        kb.entries[0].fields["사업내용"] = "x"


@pytest.mark.parametrize(
    "regions_text, message",
    [
        (
            "- name: 전라북도\n  code: jb\n- name: 전주시\n  code: jb\n",
            "지역 code jb이(가) 두 번 있습니다",
        ),
        ("- name: 전라북도\n  code: 전북\n", "code는 영문·숫자여야 합니다"),
        ("- name: 전라북도\n  fax: 1\n", "name과 code, short, spellings, phone, note만"),
        (
            "- name: 전라북도\n  code: jb\n",
            "알 수 없는 지역: 전주시 — regions.yaml에 지역을 추가하세요",
        ),
    ],
)
def test_kb_check_fails_on_a_broken_regions_file(
    knowledge_dir: Path, capsys, regions_text, message
):
    (knowledge_dir / "regions.yaml").write_text(regions_text, encoding="utf-8")
    assert bot.main(["kb", "check", "--knowledge-dir", str(knowledge_dir)]) == 1
    assert message in capsys.readouterr().err


def test_region_spellings_come_from_regions_yaml(knowledge_dir: Path, tokenizer):
    path = knowledge_dir / "regions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("spellings: [나주]", "spellings: [나주, 빛가람]"),
        encoding="utf-8",
    )
    kb = load_knowledge_base(knowledge_dir, tokenizer=tokenizer)
    assert kb.index.analyze("빛가람 자매결연 이행률").region == "나주시"
    assert kb.index.analyze("가나 자매결연 이행률").region is None
    assert [r.code for r in kb.regions] == ["jb", "jj", "ic", "nj"]


@pytest.mark.parametrize(
    "text",
    [
        "synonyms: [\n  - 깨진\n",
        "aliases: a: b\n",
        "synonyms:\n  - [혼자]\n - [둘]\n",
        "taught:\n\t- id: x\n",
        "aliases: {a: [b]\n",
    ],
)
def test_a_malformed_yaml_file_keeps_pyyamls_message_and_line(text: str) -> None:
    """load_yaml parses with libyaml, whose messages differ ("did not find expected node
    content"); what an admin reads is PyYAML's own message and line."""
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        load_yaml(text)
    assert (str(got.value), got.value.problem_mark.line) == (
        str(expected.value),
        expected.value.problem_mark.line,
    )


def test_a_document_is_parsed_again_only_when_its_bytes_change(knowledge_dir, monkeypatch):
    """Reloads remember each layout parser's entries by the document and its sha256; a changed
    document is parsed afresh and its new entries are the ones loaded."""
    from knowledge.base import clear_readings, parse_documents
    from knowledge.parsers import news_article

    parsed: list[str] = []
    parse = news_article.parse

    def counting(text, doc):
        parsed.append(doc.file)
        return parse(text, doc)

    monkeypatch.setattr(news_article, "parse", counting)
    clear_readings()
    first, _ = parse_documents(knowledge_dir)
    again, _ = parse_documents(knowledge_dir)
    assert (len(parsed), again) == (1, first)

    name = parsed[0]
    text = (knowledge_dir / name).read_text(encoding="utf-8")
    title = "강력한 연대와 협력으로 새로운 전북 시대 선도"  # one entry's title, once in the file
    (knowledge_dir / name).write_text(text.replace(title, f"{title} 2"), encoding="utf-8")
    changed, _ = parse_documents(knowledge_dir)
    assert len(parsed) == 2
    assert (title in [e.title for e in first], f"{title} 2" in [e.title for e in changed]) == (
        True,
        True,
    )
