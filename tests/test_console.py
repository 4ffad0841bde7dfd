"""The console chat: the same handlers driven from stdin, buttons pressed by number."""

from __future__ import annotations

import io

import pytest

from console.chat import BANNER, GOODBYE_TEXT, NO_BUTTON_TEXT, run_console
from db.complaints import list_complaints
from db.database import open_database
from handlers.errors import APOLOGY_TEXT


def chat(settings, kb, tokenizer, *lines: str) -> str:
    stdout = io.StringIO()
    assert (
        run_console(
            settings,
            io.StringIO("".join(f"{line}\n" for line in lines)),
            stdout,
            kb=kb,
            tokenizer=tokenizer,
        )
        == 0
    )
    return stdout.getvalue()


def test_banner_question_and_quit(bot_settings, kb, tokenizer):
    out = chat(bot_settings, kb, tokenizer, "새마을지도자 자녀 장학금 조건", "/quit", "never read")
    assert BANNER in out
    assert "봇> 새마을지도자 자녀 장학금 지원의 지원조건은" in out
    assert "[새마을지도자 자녀 장학금 지원]" in out
    assert out.rstrip().endswith(GOODBYE_TEXT)


def test_end_of_input_exits_cleanly(bot_settings, kb, tokenizer):
    assert chat(bot_settings, kb, tokenizer).rstrip().endswith(GOODBYE_TEXT)


def test_buttons_are_numbered_and_pressed(bot_settings, kb, tokenizer):
    out = chat(bot_settings, kb, tokenizer, "/region", "#2", "/quit")
    assert "[#1 전라북도] [#2 전주시] [#3 인천광역시] [#4 나주시] [#5 전체]" in out
    assert "봇(수정)> 관심 지역을 '전주시'(으)로 정했습니다." in out


def test_a_complaint_filed_in_the_console_is_stored(bot_settings, kb, tokenizer):
    out = chat(
        bot_settings,
        kb,
        tokenizer,
        "/complaint",
        "놀이터 그네가 부서졌어요",
        "#1",
        "#1",
        "#2",
        "#1",
        "/my",
    )
    assert "접수번호:" in out and "→ 채팅 -100500> [새 민원]" in out
    db = open_database(bot_settings.database_path)
    [stored] = list_complaints(db)
    db.close()
    assert (stored.content, stored.user_id, stored.anonymous) == (
        "놀이터 그네가 부서졌어요",
        1,
        True,
    )
    assert out.count(stored.receipt) >= 3  # receipt message, staff alert, /my


@pytest.mark.parametrize(
    "line",
    [
        "#99",
        "#0",
        "#",
        "# 1",
        "#abc",
        "",
        "   ",
        "/",
        "/unknown",
        "/status",
        "/status ../../etc",
        "😀" * 50,
        "가" * 5000,
        "\x00\x07",
        "/complaint@other_bot",
        "/start extra args",
    ],
)
def test_odd_input_never_crashes(bot_settings, kb, tokenizer, line):
    out = chat(bot_settings, kb, tokenizer, line, "안녕하세요", "/quit")
    assert APOLOGY_TEXT not in out
    assert "봇> 안녕하세요!" in out or "민원을 작성하고 있습니다" in out
    assert out.rstrip().endswith(GOODBYE_TEXT)


def test_pressing_a_button_that_was_never_shown(bot_settings, kb, tokenizer):
    assert NO_BUTTON_TEXT in chat(bot_settings, kb, tokenizer, "#1")
