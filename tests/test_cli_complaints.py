"""`python bot.py complaints list|show|export` on a temporary database file."""

from __future__ import annotations

import argparse
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cli import complaints as cli
from complaint_rows import NOW, make
from db import complaints
from db.database import open_database
from display import display_width


@dataclass(frozen=True)
class Settings:
    database_path: str


@pytest.fixture
def settings(tmp_path) -> Settings:
    path = tmp_path / "data" / "bot.db"
    db = open_database(path)
    first = make(
        db,
        "a",
        content="가로등이 고장났어요. 밤마다 너무 어두워서 아이들이 다니기 위험합니다.",
    )
    make(
        db,
        "b",
        user_id=12,
        chat_id=23,
        content="불법 주차 신고",
        region="서구",
        phone=None,
        anonymous=True,
        consent=False,
        now=datetime(2025, 3, 5, 3, 0, tzinfo=UTC),
    )
    complaints.change_status(
        db,
        first.receipt,
        complaints.TRANSFERRED,
        actor_id=5,
        department="도로과",
        note="도로과 담당",
        now=NOW,
    )
    complaints.add_reply(db, first.receipt, actor_id=5, text="내일 수리합니다", now=NOW)
    db.close()
    return Settings(str(path))


def run(settings, action, receipt=None, *, status=None, since=None, until=None, output=None):
    args = argparse.Namespace(
        action=action, receipt=receipt, status=status, since=since, until=until, output=output
    )
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    code = cli.run_complaints_command(args, settings, out)
    out.flush()
    return code, out.buffer.getvalue()


def receipts(settings) -> list[str]:
    db = open_database(settings.database_path)
    found = [c.receipt for c in complaints.list_complaints(db)]
    db.close()
    return found


def test_every_action_is_documented_and_parsed_by_bot_py():
    import bot

    for action in cli.ACTIONS:
        assert f"complaints {action}" in cli.__doc__
        assert bot._parser().parse_args(["complaints", action]).action == action


def test_list(settings):
    second, first = receipts(settings)
    code, output = run(settings, "list")
    lines = output.decode().splitlines()
    assert code == 0
    assert lines[0].split() == ["접수번호", "접수일", "상태", "부서", "내용", "연락처"]
    assert lines[1].startswith(f"{second}  2025-03-05  접수")
    assert "불법 주차 신고" in lines[1]
    assert lines[2].startswith(f"{first}  2025-03-01  이관")
    assert "가로등이 고장났어요. 밤마다 너무 어두워서 아이들이 다" in lines[2]
    assert "다니기" not in lines[2]
    assert lines[2].endswith("010-****-5678")
    assert lines[-1] == "합계 2건"
    assert b"1234-5678" not in output


def test_list_columns_line_up_with_hangul(settings):
    _, output = run(settings, "list")
    lines = output.decode().splitlines()[:3]
    starts = [
        display_width(line[: line.index(content)])
        for line, content in zip(lines, ("내용", "불법", "가로등"))
    ]
    assert len(set(starts)) == 1


def test_list_by_status(settings):
    second, first = receipts(settings)
    code, output = run(settings, "list", status="이관")
    assert code == 0
    assert first in output.decode() and second not in output.decode()
    assert run(settings, "list", status="완료") == (0, "민원이 없습니다.\n".encode())


def test_list_unknown_status(settings, capsys):
    assert run(settings, "list", status="보류")[0] == 2
    assert "알 수 없는 상태" in capsys.readouterr().err


def test_show(settings):
    _, first = receipts(settings)
    code, output = run(settings, "show", first.lower())
    text = output.decode()
    assert code == 0
    for line in (
        f"접수번호: {first}",
        "접수일시: 2025-03-01 12:00",
        "상태: 이관",
        "부서: 도로과",
        "유형: 고충",
        "처리기한: 2025-03-12 18:00 (고충, 7일)",
        "지역: 동구",
        "연락처: 010-****-5678",
        "익명: 아니오",
        "동의: 예",
        "사용자/대화: 11 / 22",
        "  가로등이 고장났어요. 밤마다 너무 어두워서 아이들이 다니기 위험합니다.",
        "  2025-03-01 12:00  [11] 접수",
        "  2025-03-01 12:00  [5] 접수 → 이관  도로과 담당",
        "  2025-03-01 12:00  [5] 답변: 내일 수리합니다",
    ):
        assert line in text.splitlines()


def test_show_unknown_receipt(settings, capsys):
    assert run(settings, "show", "20000101-AAAA") == (1, b"")
    assert "20000101-AAAA인 민원을 찾을 수 없습니다" in capsys.readouterr().err


def test_show_without_receipt(settings, capsys):
    assert run(settings, "show")[0] == 2
    assert "접수번호를 적어 주세요" in capsys.readouterr().err


def test_export_to_stdout(settings):
    code, output = run(settings, "export")
    assert code == 0
    assert output.startswith(b"\xef\xbb\xbf")
    lines = output.decode("utf-8-sig").splitlines()
    assert lines[0] == "접수번호,접수일시,상태,부서,지역,내용,연락처(마스킹),익명,동의"
    assert len(lines) == 3
    assert "010-****-5678" in lines[1]


def test_export_to_file_with_date_range(settings, tmp_path):
    second, _ = receipts(settings)
    target = tmp_path / "march.csv"
    code, output = run(
        settings, "export", since="2025-03-02", until="2025-03-31", output=str(target)
    )
    assert code == 0
    assert output.decode() == f"{target}에 저장했습니다.\n"
    lines = target.read_bytes().decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [second]


@pytest.mark.parametrize(("since", "until"), [("2025-13-01", None), ("2025-03-05", "2025-03-01")])
def test_export_bad_dates(settings, since, until, capsys):
    assert run(settings, "export", since=since, until=until)[0] == 2
    assert "--since" in capsys.readouterr().err
