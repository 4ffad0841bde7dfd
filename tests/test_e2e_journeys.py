"""Whole user journeys against the REAL Application, talking to a fake Bot API over HTTP.

The bot runs exactly as in production (``handlers.app.serve`` → run_polling) in its own thread
and event loop; the test plays the citizens and staff by queueing updates on
``tests/fake_bot_api.py`` and waiting for what the bot sends back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading

import httpx
import pytest

from config import load_settings
from db.database import open_database
from fake_bot_api import FakeBotApi
from handlers.app import build_application, serve
from nlp.reply import SUGGEST
from nlp.responder import respond

CITIZEN, STRANGER, STAFF, ADMIN, STAFF_CHAT = 42, 43, 800, 900, -100500
SUGGEST_CANDIDATES = (
    "여권 발급",
    "주차장 요금",
    "어린이집 입소 대기",
    "코로나 검사소 위치",
    "쓰레기 수거 요일",
    "버스 요금 할인",
    "도서관 운영시간",
    "반려동물 등록",
    "체육관 대관",
)


class RunningBot:
    """The bot polling ``api`` from its own thread until the ``with`` block ends."""

    def __init__(self, settings, kb, tokenizer, api: FakeBotApi) -> None:
        self.api = api
        self.application = build_application(settings, kb=kb, tokenizer=tokenizer)
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="bot", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        serve(self.application, self.settings, stop_signals=None)

    def __enter__(self) -> RunningBot:
        ready = "setWebhook" if self.settings.webhook_url else "getUpdates"
        calls = len(self.api.params(ready))
        self.thread.start()
        self.api.wait_for(lambda: len(self.api.params(ready)) > calls)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.loop.call_soon_threadsafe(self.application.stop_running)
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the bot did not stop"


@pytest.fixture
def api():
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def e2e_settings(tmp_path, api, knowledge_dir):
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123456:E2E-test-token",
            "TELEGRAM_BASE_URL": api.url,
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "KNOWLEDGE_DIR": str(knowledge_dir),
            "ADMIN_IDS": str(ADMIN),
            "STAFF_IDS": str(STAFF),
            "STAFF_CHAT_ID": str(STAFF_CHAT),
            "OUTBOX_INTERVAL_SECONDS": "0.2",
        },
        env_file=None,
    )


@pytest.fixture
def bot(e2e_settings, kb, tokenizer, api):
    with RunningBot(e2e_settings, kb, tokenizer, api) as running:
        yield running


def test_a_question_is_answered_and_a_suggestion_tapped(bot, api, kb):
    api.push_message(CITIZEN, "/start")
    api.wait_for_message(CITIZEN, "이렇게 물어보세요")
    api.push_message(CITIZEN, "새마을지도자 자녀 장학금 조건")
    answer = api.wait_for_message(CITIZEN, "[새마을지도자 자녀 장학금 지원]")
    assert "지원조건" in answer["text"]
    assert [b["text"] for row in answer["reply_markup"]["inline_keyboard"] for b in row] == [
        "출처"
    ]

    question = next((q for q in SUGGEST_CANDIDATES if respond(kb, q).band == SUGGEST), None)
    assert question, "no candidate lands in the did-you-mean band; add one to SUGGEST_CANDIDATES"
    top = respond(kb, question).suggestions[0].entry
    api.push_message(CITIZEN, question)
    suggestion = api.wait_for_message(CITIZEN, "혹시 이것을 찾으셨나요?")
    first = suggestion["reply_markup"]["inline_keyboard"][0][0]
    assert first["callback_data"] == f"e:{top.id}"
    query_id = api.press(CITIZEN, suggestion, first["text"])
    api.wait_for_message(CITIZEN, f"[{top.title}]")
    assert {"callback_query_id": query_id} in api.params("answerCallbackQuery")
    assert api.params("deleteWebhook") and api.params("setMyCommands")


def test_complaint_filed_handled_by_staff_and_citizen_notified(bot, api):
    api.push_message(CITIZEN, "/complaint")
    api.wait_for_message(CITIZEN, "민원 접수를 시작합니다")
    api.push_message(CITIZEN, "자원봉사 센터 직원이 너무 불친절해요")
    attachments = api.wait_for_message(CITIZEN, "현장 사진이나 위치")
    api.press(CITIZEN, attachments, "다음 ▶")
    departments = api.wait_for_message(CITIZEN, "민원을 맡을 부서")
    first = departments["reply_markup"]["inline_keyboard"][0][0]["text"]
    assert "정무기획과" in first
    api.press(CITIZEN, departments, first)
    consent = api.wait_for_message(CITIZEN, "개인정보 수집·이용 동의")
    api.press(CITIZEN, consent, "동의합니다")
    api.wait_for_message(CITIZEN, "전화번호를 적어 주세요")
    api.push_message(CITIZEN, "010-2222-3333")
    summary = api.wait_for_message(CITIZEN, "민원 접수 내용을 확인해 주세요")
    api.press(CITIZEN, summary, "접수하기")
    receipt_message = api.wait_for_message(CITIZEN, "접수번호:")
    receipt = receipt_message["text"].split("접수번호: ")[1].split()[0]

    alert = api.wait_for_message(STAFF_CHAT, f"[새 민원] {receipt}")
    assert "010-2222-3333" in alert["text"]  # staff call the citizen back
    api.press(STAFF, alert, "처리중")
    api.wait_for_message(STAFF_CHAT, "상태: 처리중")
    api.wait_for_message(CITIZEN, f"[민원 {receipt}] 상태가 '처리중'(으)로 바뀌었습니다.")

    api.press(STAFF, api.sent_to(STAFF_CHAT)[0], "답변")
    prompt = api.wait_for_message(STAFF_CHAT, f"민원 {receipt}에 보낼 답변")
    api.push_message(
        STAFF, "오늘 오후에 수리 기사가 방문합니다", chat_id=STAFF_CHAT, reply_to_message=prompt
    )
    preview = api.wait_for_message(STAFF_CHAT, "[미리보기]")
    api.press(STAFF, preview, "보내기")
    api.wait_for_message(STAFF_CHAT, f"민원 {receipt}에 답변을 등록했습니다")
    api.wait_for_message(
        CITIZEN, f"[민원 {receipt}] 담당자 답변: 오늘 오후에 수리 기사가 방문합니다"
    )

    api.push_message(CITIZEN, f"/status {receipt}")
    status = api.wait_for_message(CITIZEN, "처리 이력:")
    assert "상태: 처리중" in status["text"] and "수리 기사" in status["text"]


def test_status_by_a_stranger_is_refused(bot, api, e2e_settings, file_complaint):
    db = open_database(e2e_settings.database_path)
    stored = file_complaint(
        db,
        "가로등 고장",
        user_id=CITIZEN,
        department="도로과",
        region="전주시",
        phone="010-1234-5678",
        anonymous=False,
        consent=True,
    )
    db.close()
    api.push_message(STRANGER, f"/status {stored.receipt}")
    refusal = api.wait_for_message(STRANGER, "찾지 못했습니다")
    assert "가로등" not in refusal["text"] and "5678" not in refusal["text"]
    api.push_message(STRANGER, "/inbox")
    api.wait_for(lambda: len(api.sent_to(STRANGER)) == 2)
    assert "권한이 없습니다" in api.sent_to(STRANGER)[1]["text"]


def test_reload_with_a_broken_file_keeps_the_old_knowledge_base(bot, api, e2e_settings):
    (e2e_settings.knowledge_dir / "002_6a28f365ff4f5871.txt").write_text(
        "깨진 파일\n", encoding="utf-8"
    )
    api.push_message(ADMIN, "/reload")
    report = api.wait_for_message(ADMIN, "기존 자료를 그대로 씁니다")
    assert "002_6a28f365ff4f5871.txt:1:" in report["text"]
    api.push_message(CITIZEN, "새마을지도자 자녀 장학금 조건")
    api.wait_for_message(CITIZEN, "[새마을지도자 자녀 장학금 지원]")


def test_a_restart_in_the_middle_of_a_complaint_resumes_it(e2e_settings, kb, tokenizer, api):
    with RunningBot(e2e_settings, kb, tokenizer, api):
        api.push_message(CITIZEN, "/complaint")
        api.push_message(CITIZEN, "하수구 냄새가 심해요")
        attachments = api.wait_for_message(CITIZEN, "현장 사진이나 위치")
    with RunningBot(e2e_settings, kb, tokenizer, api):
        api.press(CITIZEN, attachments, "다음 ▶")
        departments = api.wait_for_message(CITIZEN, "부서")  # suggested, or "찾지 못했습니다"
        api.press(CITIZEN, departments, "잘 모르겠어요")
        consent = api.wait_for_message(CITIZEN, "개인정보 수집·이용 동의")
        api.press(CITIZEN, consent, "익명으로 접수")
        summary = api.wait_for_message(CITIZEN, "민원 접수 내용을 확인해 주세요")
        assert "· 내용: 하수구 냄새가 심해요" in summary["text"]
        api.press(CITIZEN, summary, "접수하기")
        api.wait_for_message(CITIZEN, "접수번호:")


def test_webhook_mode_answers_updates_with_the_secret_token(e2e_settings, kb, tokenizer, api):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = dataclasses.replace(
        e2e_settings,
        webhook_url="https://bot.example.kr/telegram-hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret",
    )
    with RunningBot(settings, kb, tokenizer, api):
        [registered] = api.params("setWebhook")
        assert (registered["url"], registered["secret_token"]) == (settings.webhook_url, "s3cret")
        update = api.new_update(
            {
                "message": {
                    "message_id": 1,
                    "date": 1700000000,
                    "chat": {"id": CITIZEN, "type": "private"},
                    "from": {"id": CITIZEN, "is_bot": False, "first_name": "시민"},
                    "text": "안녕하세요",
                }
            }
        )
        url = f"http://127.0.0.1:{port}/telegram-hook"
        forged = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert forged.status_code == 403
        sent = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert sent.status_code == 200
        api.wait_for_message(CITIZEN, "안녕하세요!")
        assert len(api.sent_to(CITIZEN)) == 1
