"""Citizen handlers, tested like a user: real Updates through Application.process_update on the
offline LocalBotApi, assertions on what the bot sent back.

The bot answers from a two-entry knowledge base on a fixed index (``kb`` below), where each
question of BAND_QUESTIONS scores what it must: these tests follow the handlers, not the
matcher's tuning (tests/test_responder.py tests the matcher on the real knowledge base).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from telegram import Update

from db.questions import question_stats
from handlers import citizen, complaint, keyboards
from handlers.errors import APOLOGY_TEXT
from handlers.menu import ADMIN_COMMANDS, CITIZEN_COMMANDS, STAFF_COMMANDS
from knowledge.base import Curated, KnowledgeBase, read_regions
from knowledge.model import PROGRAM, DocumentInfo, Entry
from nlp.analyzer import Query
from nlp.answer import ANSWER_THRESHOLD, SUGGEST_THRESHOLD
from nlp.index import Scored
from nlp.intent import detect_intent
from nlp.reply import ANSWER, NOT_FOUND, SUGGEST
from nlp.responder import DEPARTMENT_MIN_SCORE, render_entry, respond, suggest_departments

CITIZEN = 42
SOURCES = Path(__file__).parent.parent / "knowledge" / "sources"
DOC = DocumentInfo("t.txt", "business_plan", "전라북도", "시험 문서", 2021)
STARTUPS = Entry(
    "jb-program-startup",
    PROGRAM,
    "전라북도",
    "청년 창업 지원 사업",
    DOC.source(1, 4),
    body="지원조건: 만 39세 이하 예비 창업자",
    department="일자리정책과",
    fields={"지원조건": "만 39세 이하 예비 창업자", "예산": "500백만원"},
)
HOUSING = Entry(
    "jb-program-housing",
    PROGRAM,
    "전라북도",
    "청년 주거 지원 사업",
    DOC.source(5, 8),
    body="지원내용: 월세 20만원",
    department="주거복지과",
    fields={"지원내용": "월세 20만원"},
)
# Question → what the fixed index finds for it: (entry, score), best first.
SCORES = {
    "청년 창업 지원 조건이 어떻게 되나요": [(STARTUPS, ANSWER_THRESHOLD + 20)],
    "청년 지원 사업 알려주세요": [
        (STARTUPS, SUGGEST_THRESHOLD + 10),
        (HOUSING, SUGGEST_THRESHOLD + 5),
    ],
    "마을 공동체 모임 공간 알려주세요": [(STARTUPS, DEPARTMENT_MIN_SCORE + 5)],
}
BAND_QUESTIONS = {band: question for band, question in zip((ANSWER, SUGGEST, NOT_FOUND), SCORES)}


class _FixedIndex:
    """An index that finds what SCORES says for a question, and nothing for anything else."""

    region_words = {"전북": "전라북도"}

    def analyze(self, text: str, *, casual: bool = True) -> Query:
        words = tuple(text.split())
        return Query(
            text,
            text,
            text,
            words,
            (1.0,) * len(words),
            frozenset(),
            None,
            intent=detect_intent(text),
        )

    def search(self, query: Query, *, preferred_region=None, limit=5) -> list[Scored]:
        return [
            Scored(entry, score, 1.0, 1.0, 1.0) for entry, score in SCORES.get(query.text, [])
        ][:limit]

    def __contains__(self, word: str) -> bool:
        return False


@pytest.fixture
def kb() -> KnowledgeBase:
    """The knowledge base the bot answers from in this module (instead of the bundled one)."""
    return KnowledgeBase(
        (STARTUPS, HOUSING),
        Curated(examples=tuple(SCORES)[:2]),
        _FixedIndex(),
        regions=read_regions(SOURCES),
    )


def sent_texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


@pytest.mark.parametrize("band, question", BAND_QUESTIONS.items())
def test_each_band_question_lands_in_its_band(kb, band, question):
    reply = respond(kb, question)
    assert (reply.intent, reply.band) == ("question", band)


async def test_start_shows_examples_and_what_is_stored(local_bot, kb):
    calls = await local_bot.chat(CITIZEN).send("/start")
    text = sent_texts(calls)
    assert kb.curated.examples and all(example in text for example in kb.curated.examples)
    assert all(region.name in text for region in kb.regions)
    assert "저장하는 정보" in text and "90일" in text
    assert calls[0].params.get("parse_mode") is None


async def test_help_lists_every_citizen_command(local_bot):
    text = sent_texts(await local_bot.chat(CITIZEN).send("/help"))
    assert [c.command for c in CITIZEN_COMMANDS if f"/{c.command}" not in text] == []


async def test_menus_are_published_per_audience(local_bot):
    menus = {
        c.params["scope"].get("chat_id"): [cmd["command"] for cmd in c.params["commands"]]
        for c in local_bot.api.sent(method="setMyCommands")
    }
    citizen_menu = [c.command for c in CITIZEN_COMMANDS]
    staff_menu = [c.command for c in STAFF_COMMANDS]
    assert menus == {
        None: citizen_menu,  # the default scope
        -100500: staff_menu,
        800: citizen_menu + staff_menu,
        900: citizen_menu + staff_menu + [c.command for c in ADMIN_COMMANDS],
    }


async def test_question_is_answered_and_logged(local_bot, kb):
    question = BAND_QUESTIONS[ANSWER]
    calls = await local_bot.chat(CITIZEN).send(question)
    reply = respond(kb, question)
    assert sent_texts(calls) == reply.text
    assert "만 39세 이하" in sent_texts(calls)
    expected = [("자세히", keyboards.DETAIL + reply.entry_id)] if reply.detail else []
    assert calls[0].buttons == [*expected, ("출처", keyboards.SOURCE + reply.entry_id)]
    await local_bot.store.flush()  # the log row is queued after the answer
    stats = question_stats(local_bot.db)
    assert (stats.today, stats.answered_rate) == (1, 1.0)


async def test_did_you_mean_buttons_and_tap(local_bot, kb):
    question = BAND_QUESTIONS[SUGGEST]
    me = local_bot.chat(CITIZEN)
    calls = await me.send(question)
    buttons = calls[0].buttons
    expected = [STARTUPS.id, HOUSING.id]
    assert [h.entry.id for h in respond(kb, question).suggestions] == expected
    assert [data for _, data in buttons] == [keyboards.ENTRY + i for i in expected]
    assert all(len(data.encode()) <= 64 and data.isascii() for _, data in buttons)
    tap = await me.press(buttons[0][0])
    assert tap[0].method == "answerCallbackQuery"
    assert sent_texts(tap) == render_entry(kb, expected[0], question)  # quotes what was asked


async def test_tap_on_an_entry_that_no_longer_exists(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/region")
    calls = await me.press(data="e:jb-program-gone")
    assert sent_texts(calls) == citizen.ENTRY_GONE_TEXT


async def test_not_found_offers_complaint_and_department_buttons(local_bot, kb):
    question = BAND_QUESTIONS[NOT_FOUND]
    me = local_bot.chat(CITIZEN)
    calls = await me.send(question)
    assert calls[0].buttons == [
        ("민원 접수하기", "c:text"),
        ("담당 부서 찾기", "q:dept"),
        ("상담원 연결", "h:agent"),
    ]
    departments = sent_texts(await me.press("담당 부서 찾기"))
    assert departments == citizen.departments_text(kb, [("전라북도", "일자리정책과")])
    started = sent_texts(await me.press("민원 접수하기"))  # the message is carried into the draft
    assert (
        started.startswith("방금 보내신 내용으로 민원 작성을 시작합니다") and question in started
    )
    assert local_bot.application.user_data[CITIZEN]["complaint"]["content"] == question


async def test_no_department_is_guessed_for_an_unrelated_question(local_bot):
    me = local_bot.chat(CITIZEN)
    calls = await me.send("강아지 산책 모임 알려주세요")
    assert calls[0].buttons == [
        ("민원 접수하기", keyboards.COMPLAINT_FROM_QUESTION),
        ("담당 부서 찾기", keyboards.FIND_DEPARTMENT),
        ("상담원 연결", keyboards.AGENT),
    ]
    assert sent_texts(await me.press("담당 부서 찾기")) == citizen.NO_DEPARTMENT_TEXT


async def test_out_of_scope_gets_a_polite_reply_with_next_steps(local_bot):
    calls = await local_bot.chat(CITIZEN).send("오늘 날씨 어때?")
    assert "죄송합니다" in calls[0].text
    assert [label for label, _ in calls[0].buttons] == [
        "민원 접수하기",
        "담당 부서 찾기",
        "상담원 연결",
    ]


async def test_greeting_gets_a_friendly_reply(local_bot):
    calls = await local_bot.chat(CITIZEN).send("안녕하세요")
    assert calls[0].text.startswith("안녕하세요!") and calls[0].buttons == []


async def test_region_choice_is_remembered_across_restarts(local_bot_factory):
    async with local_bot_factory() as bot:
        me = bot.chat(CITIZEN)
        shown = await me.send("/region")
        assert [label for label, _ in shown[0].buttons] == [
            "전라북도",
            "전주시",
            "인천광역시",
            "나주시",
            "전체",
        ]
        assert all(data.isascii() and len(data) <= 64 for _, data in shown[0].buttons)
        assert "전주시" in sent_texts(await me.press("전주시"))
    async with local_bot_factory() as bot:
        assert bot.application.user_data[CITIZEN]["region"] == "전주시"
        calls = await bot.chat(CITIZEN).send("/region")
        assert "현재: 전주시" in calls[0].text


async def test_region_all_clears_the_preference(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/region")
    await me.press("나주시")
    await me.send("/region")
    await me.press("전체")
    assert "region" not in local_bot.application.user_data[CITIZEN]


@pytest.mark.parametrize(
    "fields, expected",
    [
        (
            {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
            "photo",
        ),
        (
            {
                "sticker": {
                    "file_id": "s1",
                    "file_unique_id": "u2",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                }
            },
            "sticker",
        ),
        ({"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}}, "voice"),
        ({"location": {"latitude": 35.82, "longitude": 127.15}}, "location"),
        (
            {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "a.pdf"}},
            "document",
        ),
        ({"contact": {"phone_number": "01012345678", "first_name": "홍"}}, None),
    ],
)
async def test_non_text_messages_get_a_clear_reply(local_bot, fields, expected):
    calls = await local_bot.chat(CITIZEN).send_message(**fields)
    assert sent_texts(calls) == citizen.NON_TEXT_TEXT.get(expected, citizen.OTHER_NON_TEXT)


async def test_edited_messages_are_ignored(local_bot):
    me = local_bot.chat(CITIZEN)
    edited = {
        "message_id": 5,
        "date": 1700000000,
        "edit_date": 1700000100,
        "chat": me.chat,
        "from": me.user,
        "text": "새마을지도자 자녀 장학금 조건",
    }
    start = len(local_bot.api.calls)
    update = Update.de_json(
        {"update_id": 999, "edited_message": edited}, local_bot.application.bot
    )
    await local_bot.application.process_update(update)
    assert local_bot.api.calls[start:] == []


async def test_unknown_command_and_nothing_to_cancel(local_bot):
    me = local_bot.chat(CITIZEN)
    assert sent_texts(await me.send("/frobnicate")) == citizen.UNKNOWN_COMMAND_TEXT
    assert sent_texts(await me.send("/cancel")) == citizen.NOTHING_TO_CANCEL_TEXT


async def test_stale_button_is_answered_not_ignored(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/region")
    calls = await me.press(data=keyboards.SUBMIT)
    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params["text"] == citizen.STALE_BUTTON_TEXT


async def test_a_failing_handler_apologises_and_reports_without_the_text(
    local_bot, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("matcher exploded")

    monkeypatch.setattr(local_bot.application.bot_data["replies"], "respond", broken)
    calls = await local_bot.chat(CITIZEN).send("제 전화번호는 010-9999-8888 입니다")
    assert sent_texts(calls).startswith(APOLOGY_TEXT)
    assert any(c.chat_id == 900 and "matcher exploded" in c.text for c in calls)
    assert "010-9999-8888" not in caplog.text and "matcher exploded" in caplog.text


async def test_matching_runs_on_the_matcher_thread_not_the_event_loop(local_bot, monkeypatch):
    replies = local_bot.application.bot_data["replies"]
    threads = []

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return type(replies).respond(replies, *args, **kwargs)

    monkeypatch.setattr(replies, "respond", recording)
    calls = await local_bot.chat(CITIZEN).send(BAND_QUESTIONS[ANSWER])
    assert "[청년 창업 지원 사업]" in sent_texts(calls)
    assert len(threads) == 1 and threads[0].startswith("matcher")


async def test_department_suggestions_run_on_the_matcher_thread(local_bot, monkeypatch):
    """Tagging a complaint's text is matcher work: on the event loop, a few citizens choosing a
    department at once made everyone else's replies time out."""
    threads = []

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return suggest_departments(*args, **kwargs)

    monkeypatch.setattr(citizen, "suggest_departments", recording)
    monkeypatch.setattr(complaint, "suggest_departments", recording)
    me = local_bot.chat(CITIZEN)
    await me.send(BAND_QUESTIONS[NOT_FOUND])
    await me.press("담당 부서 찾기")
    await me.send("/complaint")
    await me.send("보도블록이 깨졌어요")
    await me.press("다음 ▶")
    assert len(threads) == 2 and all(name.startswith("matcher") for name in threads), threads
