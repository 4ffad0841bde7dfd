"""`python bot.py kb add/list/remove`: files in, manifest and regions recorded, validated,
reported; a refused change leaves the knowledge directory exactly as it was."""

import hashlib
from pathlib import Path

import pytest
import yaml

import bot
from knowledge.base import load_contents
from nlp.responder import respond
from nlp.retrieval import load_knowledge_base
from tests.fixtures import render


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "여권.html").write_text(render.html(), encoding="utf-8")
    (folder / "연락처.csv").write_bytes(render.csv(render.DIRECTORY_ROWS))
    (folder / "faq.xlsx").write_bytes(render.xlsx(render.FAQ_ROWS))
    return folder


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_kb_add_copies_records_creates_the_region_and_reports(knowledge_dir, files, capsys):
    paths = [str(p) for p in sorted(files.iterdir())]
    assert (
        bot.main(
            [
                "kb",
                "add",
                *paths,
                "--region",
                "가나시",
                "--document",
                "가나시 민원 안내",
                "--year",
                "2026",
                "--knowledge-dir",
                str(knowledge_dir),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "연락처.csv (sheet): 부서 2개, 팀 2개" in out
    assert (
        "faq.xlsx (sheet): 자주 묻는 질문 2개" in out
        and "· 여권 재발급 수수료는 얼마인가요?" in out
    )
    assert "! 전화번호가 없는 부서·팀이 1곳 있습니다" in out
    manifest = yaml.safe_load((knowledge_dir / "manifest.yaml").read_text(encoding="utf-8"))
    added = {item["file"]: item for item in manifest if item["region"] == "가나시"}
    assert set(added) == {"여권.html", "연락처.csv", "faq.xlsx"}
    raw = (files / "faq.xlsx").read_bytes()
    assert added["faq.xlsx"] == {
        "file": "faq.xlsx",
        "parser": "sheet",
        "region": "가나시",
        "document": "가나시 민원 안내",
        "year": 2026,
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    assert (knowledge_dir / "faq.xlsx").read_bytes() == raw
    _, _, regions = load_contents(knowledge_dir)
    region = next(r for r in regions if r.name == "가나시")
    assert region.spellings == ("가나",) and region.code.isascii()
    assert "# The regions" in (knowledge_dir / "regions.yaml").read_text(encoding="utf-8")


def test_answers_show_the_phone_numbers_a_contact_directory_gives(knowledge_dir, files, tokenizer):
    assert (
        bot.main(
            [
                "kb",
                "add",
                str(files / "연락처.csv"),
                str(files / "faq.xlsx"),
                "--region",
                "가나시",
                "--knowledge-dir",
                str(knowledge_dir),
            ]
        )
        == 0
    )
    kb = load_knowledge_base(knowledge_dir, tokenizer=tokenizer)
    reply = respond(kb, "가나 여권 재발급 수수료 얼마예요")
    assert "53,000원" in reply.text
    assert "담당: 가나시 민원여권과" in reply.text and "전화: 032-440-0000" in reply.text
    assert "가나시" in respond(kb, "오늘 날씨 어때").text  # messages name the declared regions


def test_kb_add_of_a_bad_file_changes_nothing(knowledge_dir, files, capsys):
    (files / "깨진.xlsx").write_bytes(b"not a workbook")
    (files / "사진.jpg").write_bytes(b"\xff\xd8")
    before = snapshot(knowledge_dir)
    assert (
        bot.main(
            [
                "kb",
                "add",
                str(files / "여권.html"),
                str(files / "깨진.xlsx"),
                str(files / "사진.jpg"),
                "--region",
                "가나시",
                "--knowledge-dir",
                str(knowledge_dir),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "깨진.xlsx: 넣지 못했습니다 — XLSX 파일이 손상되었거나 엑셀 파일이 아닙니다" in err
    assert "사진.jpg: 넣지 못했습니다 — 읽을 수 없는 파일 형식입니다(.jpg)" in err
    assert snapshot(knowledge_dir) == before


def test_kb_list_and_remove(knowledge_dir, files, capsys):
    bot.main(
        [
            "kb",
            "add",
            str(files / "faq.xlsx"),
            "--region",
            "인천광역시",
            "--knowledge-dir",
            str(knowledge_dir),
        ]
    )
    capsys.readouterr()
    assert bot.main(["kb", "list", "--knowledge-dir", str(knowledge_dir)]) == 0
    out = capsys.readouterr().out
    assert "faq.xlsx  [sheet] 인천광역시 · faq — 자주 묻는 질문 2" in out
    assert "003_32de262c82867890.txt  [work_report] 인천광역시" in out
    assert bot.main(["kb", "remove", "faq.xlsx", "--knowledge-dir", str(knowledge_dir)]) == 0
    assert not (knowledge_dir / "faq.xlsx").exists()
    assert "faq.xlsx" not in (knowledge_dir / "manifest.yaml").read_text(encoding="utf-8")
    assert bot.main(["kb", "remove", "faq.xlsx", "--knowledge-dir", str(knowledge_dir)]) == 1
    assert "목록(manifest.yaml)에 없는 파일입니다" in capsys.readouterr().err


def test_kb_commands_read_knowledge_dir_from_dotenv(knowledge_dir, tmp_path, monkeypatch, capsys):
    (knowledge_dir / "regions.yaml").write_text(
        (knowledge_dir / "regions.yaml")
        .read_text(encoding="utf-8")
        .replace("name: 나주시", "name: 나주시\n  phone: 061-000-0000"),
        encoding="utf-8",
    )
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"KNOWLEDGE_DIR={knowledge_dir}\n", encoding="utf-8")
    (knowledge_dir / "manifest.yaml").write_text(
        (knowledge_dir / "manifest.yaml")
        .read_text(encoding="utf-8")
        .replace("region: 나주시", "region: 남도시"),
        encoding="utf-8",
    )
    assert bot.main(["kb", "check"]) == 1  # the .env directory, where 남도시 is not declared
    assert "알 수 없는 지역: 남도시" in capsys.readouterr().err


def test_a_directory_without_regions_yaml_uses_the_manifest_regions(knowledge_dir):
    (knowledge_dir / "regions.yaml").unlink()
    (knowledge_dir / "curated.yaml").write_text("synonyms: []\n", encoding="utf-8")
    _, _, regions = load_contents(knowledge_dir)
    assert [r.name for r in regions] == ["전라북도", "전주시", "인천광역시", "나주시"]
    assert all(r.spellings == () for r in regions)


def test_pages_that_repeat_a_contact_table_give_one_department(knowledge_dir, tmp_path, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(3):
        (folder / f"p{n}.html").write_text(
            render.html().replace(render.PROGRAM, f"장학금 {n}호"), encoding="utf-8"
        )
    assert (
        bot.main(
            [
                "kb",
                "add",
                *map(str, sorted(folder.iterdir())),
                "--region",
                "가나시",
                "--knowledge-dir",
                str(knowledge_dir),
            ]
        )
        == 0
    )
    entries, curated, _ = load_contents(knowledge_dir)
    departments = [e for e in entries if e.region == "가나시" and e.kind == "department"]
    assert sorted(e.title for e in departments) == ["국제협력과", "정무기획과"]
    assert curated.contact_for("가나시", "국제협력과").phone == "063-280-1111"


def test_kb_add_starts_a_new_knowledge_directory(tmp_path, files, capsys):
    directory = tmp_path / "new-city"
    assert (
        bot.main(
            [
                "kb",
                "add",
                str(files / "여권.html"),
                "--region",
                "가나특별자치도",
                "--knowledge-dir",
                str(directory),
            ]
        )
        == 0
    )
    entries, _, regions = load_contents(directory)
    assert [(r.name, r.spellings) for r in regions] == [("가나특별자치도", ("가나",))]
    assert {e.title for e in entries} >= {render.PROGRAM, "정무기획과", "국제협력과"}
    assert bot.main(["kb", "check", "--knowledge-dir", str(directory)]) == 0
    assert "가나특별자치도" in capsys.readouterr().out


@pytest.mark.parametrize(
    "region_cell, region_arg, accepted",
    [
        ("다나시", "가나시", False),  # the sheet names a region nobody declared
        ("전주시", "가나시", True),  # declared in regions.yaml
        ("가나시", "가나시", True),  # the one --region creates in the same kb add
        ("", "가나시", True),  # no 지역: the file's region
    ],
)
def test_an_faq_sheet_naming_an_undeclared_region_says_which_and_how_to_declare_it(
    knowledge_dir, tmp_path, capsys, region_cell, region_arg, accepted
):
    sheet = tmp_path / "faq.csv"
    sheet.write_bytes(
        render.csv(
            (("질문", "답변", "지역"), ("여권 수수료는요?", "53,000원입니다.", region_cell))
        )
    )
    before = snapshot(knowledge_dir)
    code = bot.main(
        ["kb", "add", str(sheet), "--region", region_arg, "--knowledge-dir", str(knowledge_dir)]
    )
    out = capsys.readouterr()
    if accepted:
        assert code == 0
        return
    assert code != 0 and snapshot(knowledge_dir) == before
    message = (out.out + out.err).strip().splitlines()
    assert message[1:] == [
        "faq.csv: 넣지 못했습니다 — 2행의 지역 '다나시'은(는) regions.yaml에 없는 지역입니다. "
        "regions.yaml에 추가하거나 `kb add 파일 --region 다나시`로 먼저 만드세요"
    ]
