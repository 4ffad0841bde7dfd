"""Readers by file type: the same piece of seed document 000 rendered into every format keeps
its headings, fields, list nesting, contact table and phone numbers (tests/fixtures/render.py)."""

from pathlib import Path

import pytest

from knowledge.model import DEPARTMENT, FAQ, SECTION, TEAM, DocumentInfo
from knowledge.readers import READERS, ReadError, reader_for
from tests.fixtures import render

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMATS = {
    "page.html": lambda: render.html().encode(),
    "page.md": lambda: render.markdown().encode(),
    "page.txt": lambda: render.outline().encode("cp949"),  # Korean Windows' encoding
    "page.docx": render.docx,
    "page.hwpx": render.hwpx,
    "seed.pdf": lambda: (FIXTURES / "seed.pdf").read_bytes(),
}


def read(file: str, raw: bytes):
    doc = DocumentInfo(file, reader_for(file), "테스트시", render.DOCUMENT, 2024, None, "ts")
    return READERS[doc.parser](raw, doc)


@pytest.mark.parametrize("file", FORMATS)
def test_each_reader_keeps_headings_fields_tables_and_phone_numbers(file):
    reading = read(file, FORMATS[file]())
    by_title = {e.title: e for e in reading.entries}
    program = by_title[render.PROGRAM]
    assert program.kind == SECTION
    assert dict(program.fields).items() >= dict(render.FIELDS).items()
    phones = {e.title: e.fields.get("전화") for e in reading.entries if e.kind == DEPARTMENT}
    assert phones == {name: phone for name, phone, _ in render.CONTACTS}
    contacts = by_title["부서 연락처"]
    assert "부서: 정무기획과 · 전화번호: 063-280-0000 · 위치: 도청 3층" in contacts.body
    assert contacts.department == "국제협력과"  # the phone number written next to its name
    assert reading.warnings == []


@pytest.mark.parametrize("file", ["page.html", "page.md", "page.txt", "page.docx", "page.hwpx"])
def test_lists_keep_their_nesting(file):
    program = next(e for e in read(file, FORMATS[file]()).entries if e.title == render.PROGRAM)
    assert "사업내용" in program.body and "  - 새마을지도자 자녀 장학금 지원" in program.body


def test_html_drops_navigation_scripts_styles_and_comments():
    text = " ".join(
        e.body + " ".join(e.fields.values())
        for e in read("p.html", render.html().encode()).entries
    )
    for hidden in ("메뉴 첫째", "사이트 메뉴", "스크립트", "주석", "color", "저작권"):
        assert hidden not in text


def test_entries_cite_lines_or_pdf_pages():
    html = next(
        e for e in read("p.html", render.html().encode()).entries if e.title == render.PROGRAM
    )
    assert (html.source.line_start, html.source.unit) == (10, "행")
    pdf = read("seed.pdf", FORMATS["seed.pdf"]())
    assert {e.source.line_start for e in pdf.entries if e.kind == DEPARTMENT} == {2}
    assert pdf.entries[0].source.cite("테스트시").endswith("(seed.pdf 2쪽)")


def test_a_page_without_headings_becomes_one_section_titled_by_the_document():
    page = (
        "<html><body><p>여권은 본관 1층에서 발급합니다.</p><p>수수료 : 53,000원</p></body></html>"
    )
    [entry] = read("p.html", page.encode()).entries
    assert (entry.kind, entry.title) == (SECTION, render.DOCUMENT)
    assert entry.fields == {"수수료": "53,000원"} and "본관 1층" in entry.body


def test_a_table_without_a_header_is_read_as_text_with_a_warning():
    page = (
        "<h2>일정</h2><table><tr><td>3월 2일</td><td>접수</td><td>1층</td></tr>"
        "<tr><td>3월 9일</td><td>심사</td><td>2층</td></tr></table>"
    )
    reading = read("p.html", page.encode())
    assert "3월 2일 | 접수 | 1층" in reading.entries[0].body
    assert reading.warnings == ["표 1개 중 1개는 머리글이 없어 본문으로 읽었습니다"]


def test_the_administrative_outline_makes_headings_and_items():
    text = "1. 민원 안내\n□ 여권 발급\n○ 대상 : 18세 이상\n○ 준비물\n - 사진 1매\n"
    [entry] = read("o.txt", text.encode()).entries
    assert entry.title == "여권 발급" and entry.aliases == ("민원 안내 여권 발급",)
    assert entry.fields == {"대상": "18세 이상"} and "준비물" in entry.body


# The sheets are rendered by the test, not at collection: openpyxl's import alone was 0.4 s of
# CPU in each pytest worker.
@pytest.mark.parametrize("file, render_rows", [("faq.xlsx", render.xlsx), ("faq.csv", render.csv)])
def test_an_faq_sheet_gives_one_faq_entry_per_row(file, render_rows):
    entries = read(file, render_rows(render.FAQ_ROWS)).entries
    assert [(e.kind, e.title, e.fields["답변"]) for e in entries] == [
        (FAQ, row[0], row[1]) for row in render.FAQ_ROWS[1:]
    ]
    assert entries[0].aliases == ("여권", "수수료") and entries[0].department == "민원여권과"


@pytest.mark.parametrize("file, render_rows", [("d.xlsx", render.xlsx), ("d.csv", render.csv)])
def test_a_contact_directory_gives_departments_and_teams_with_phone_numbers(file, render_rows):
    reading = read(file, render_rows(render.DIRECTORY_ROWS))
    found = {(e.kind, e.department, e.title): e.fields.get("전화") for e in reading.entries}
    assert found == {
        (DEPARTMENT, "민원여권과", "민원여권과"): "032-440-0000",
        (DEPARTMENT, "세정과", "세정과"): None,
        (TEAM, "민원여권과", "여권팀"): "032-440-2471",
        (TEAM, "세정과", "세무팀"): "032-440-2222",
    }
    team = next(e for e in reading.entries if e.title == "여권팀")
    assert (
        team.fields["담당업무"] == "여권 발급\n여권 재발급"
    )  # a blank 부서 cell repeats the one above
    assert reading.warnings == ["전화번호가 없는 부서·팀이 1곳 있습니다"]


@pytest.mark.parametrize(
    "rows, message",
    [
        ((("질문", "키워드"), ("여권?", "여권")), "'답변' 열이 필요합니다"),
        ((("부서", "위치"), ("세정과", "2층")), "'전화' 열이 필요합니다"),
        ((("이름", "값"), ("가", "나")), "'질문'·'답변'"),
    ],
)
def test_a_sheet_without_its_columns_names_the_missing_one(rows, message):
    with pytest.raises(ReadError) as excinfo:
        read("s.csv", render.csv(rows))
    assert message in excinfo.value.reason


@pytest.mark.parametrize(
    "file, reason",
    [
        ("x.pdf", "PDF 파일이 손상"),
        ("x.docx", "DOCX 파일이 손상"),
        ("x.hwp", "한글 문서가 손상"),
        ("x.hwpx", "한글 문서가 손상"),
        ("x.xlsx", "XLSX 파일이 손상"),
    ],
)
def test_a_corrupt_file_gets_one_korean_reason(file, reason):
    with pytest.raises(ReadError) as excinfo:
        read(file, b"this is not the file it claims to be")
    assert reason in excinfo.value.reason


def test_an_unknown_file_type_is_refused_with_the_types_that_are_read():
    with pytest.raises(ReadError) as excinfo:
        reader_for("사진.jpg")
    assert ".jpg" in excinfo.value.reason and "hwpx" in excinfo.value.reason


def test_a_list_table_gives_one_entry_per_row_titled_by_its_name_column():
    text = (
        "□ 공약 목록\n연번\t분 야\t공약사업명\t추진실적\n"
        "1\t경제\t드론축구 월드컵 개최\t<ul><li>• 자문회의 개최</li><li>• 포럼</li></ul>\n"
        "2\t경제\t탄소기업 유치\t투자유치 전략수립\n3\t문화\t한옥마을 관광상품\t상품 개발\n"
    )
    entries = read("p.txt", text.encode()).entries
    row = next(e for e in entries if e.title == "드론축구 월드컵 개최")
    assert dict(row.fields) == {
        "연번": "1",
        "분 야": "경제",
        "추진실적": "• 자문회의 개최\n• 포럼",
    }
    assert (row.source.line_start, row.aliases) == (3, ("공약 목록 드론축구 월드컵 개최",))
    assert {"탄소기업 유치", "한옥마을 관광상품"} <= {e.title for e in entries}


def test_a_heading_several_sections_share_is_titled_with_its_parent():
    text = (
        "## □ 마을공동체 지원\n### □ 처리계획\n- 공모 추진\n"
        "## □ 주민자치 강화\n### □ 처리계획\n- 교육\n"
    )
    titles = [e.title for e in read("p.md", text.encode()).entries]
    assert titles == ["마을공동체 지원 처리계획", "주민자치 강화 처리계획"]


def test_a_unit_note_is_not_a_field():
    [entry] = read("p.txt", "□ 예산\n(단위: 백만원)\n사업비 : 40\n".encode()).entries
    assert dict(entry.fields) == {"사업비": "40"} and "(단위: 백만원)" in entry.body


def test_a_header_with_merged_gaps_is_still_a_header():
    text = (
        "□ 조직 현황\n부서명\t정원\t\t현원\n\t계\t5급\t\n정무기획과\t21\t5\t20\n"
        "홍보기획과\t15\t3\t15\n국제협력과\t19\t5\t17\n"
    )
    reading = read("p.txt", text.encode())
    row = next(e for e in reading.entries if e.title == "홍보기획과")
    assert dict(row.fields) == {"정원": "15", "현원": "15"} and reading.warnings == []
