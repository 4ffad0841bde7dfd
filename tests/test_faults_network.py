"""The Bot API misbehaves: 429 with retry_after, 500s, timeouts and dropped connections.

The real bot polls tests/fake_bot_api.py over HTTP (conftest ``polling_bot_factory``). An
injected timeout is a call the fake answers only after the bot gave up waiting for it
(``hold_next``), and a notice that failed comes due again only when a test says so
(``make_due``): nothing here races a clock. What these tests prove:
- polling survives a timed-out and a dropped getUpdates and the bot answers afterwards;
- a reply that failed is not sent again by itself (the citizen gets one apology instead), and a
  receipt whose answer was lost never files the complaint twice;
- the staff-chat post of a new complaint and citizen notifications go through db.outbox: a
  failed one is kept, retried with backoff and delivered, with its buttons;
- at-least-once, stated plainly: a notification whose send timed out after Telegram took it is
  sent again (Telegram offers no idempotency key), so it can arrive twice; it is never lost.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.ext._utils import networkloop

from db import outbox
from db.complaints import list_complaints
from db.database import open_database
from db.outbox import MAX_ATTEMPTS
from handlers.errors import APOLOGY_TEXT

CITIZEN, STAFF, ADMIN, STAFF_CHAT = 42, 800, 900, -100500
QUESTION, ANSWER = "새마을지도자 자녀 장학금 조건", "[새마을지도자 자녀 장학금 지원]"
PAST = "2000-01-01T00:00:00.000000+00:00"
# Flood control's wait in the injected 429s: longer than any test, so a deferred notice is
# tried again only after make_due (with a 1 s wait it came due while a busy machine was still
# filing the other complaints, and was delivered before the test looked at it).
RETRY_AFTER = 3600


@pytest.fixture
def bot(polling_bot_factory, monkeypatch):
    """The polling bot, whose failed notices wait an hour instead of 30 s before the next try:
    only make_due brings them back, however slowly a busy machine runs the test."""
    monkeypatch.setattr(outbox, "BACKOFF_BASE_SECONDS", 3600.0)
    with polling_bot_factory() as running:
        yield running


@pytest.fixture
def db(bot):
    """The test's own connection to the bot's database file."""
    database = open_database(bot.settings.database_path)
    yield database
    database.close()


def file_until_summary(api, user_id: int = CITIZEN, content: str = "가로등이 깜빡여요") -> dict:
    api.push_message(user_id, "/complaint")
    api.wait_for_message(user_id, "민원 접수를 시작합니다")
    api.push_message(user_id, content)
    api.press(user_id, api.wait_for_message(user_id, "현장 사진이나 위치"), "다음 ▶")
    api.press(user_id, api.wait_for_message(user_id, "부서"), "잘 모르겠어요")
    api.press(user_id, api.wait_for_message(user_id, "개인정보 수집·이용 동의"), "익명으로 접수")
    return api.wait_for_message(user_id, "민원 접수 내용을 확인해 주세요")


def inject_fault(api, fault: str, chat_id: int) -> None:
    """The next sendMessage to ``chat_id`` meets ``fault``."""
    if fault == "429":
        api.fail_next(
            "sendMessage",
            code=429,
            description="Too Many Requests",
            retry_after=RETRY_AFTER,
            chat_id=chat_id,
        )
    elif fault == "500":
        api.fail_next("sendMessage", code=500, chat_id=chat_id)
    elif fault in ("timeout", "timeout-after-arrival"):
        api.hold_next("sendMessage", chat_id=chat_id)  # arrives; the answer comes too late
    elif fault == "dropped":
        api.drop_next("sendMessage", processed=True, chat_id=chat_id)
    else:  # dropped before Telegram took it
        api.drop_next("sendMessage", chat_id=chat_id)


def texts_to(api, chat_id: int, contains: str) -> list[str]:
    """Texts the bot sent or edited into ``chat_id`` (each call, even one that failed)."""
    return [
        p["text"]
        for method in ("sendMessage", "editMessageText")
        for p in api.params(method)
        if int(p["chat_id"]) == chat_id and contains in p.get("text", "")
    ]


def outbox_rows(db, kind: str) -> list[dict]:
    return list(db["outbox"].rows_where("kind = ?", [kind]))


def make_due(db) -> None:
    """Time travel: every queued notification is due now (instead of after its backoff)."""
    with db.conn:
        db.execute("update outbox set next_attempt_at = ? where sent_at is null", [PAST])


def test_polling_survives_timeouts_and_dropped_connections(bot, fake_api):
    """(A 500 takes the same path as a dropped connection: TelegramError, retried with backoff.)"""
    fake_api.hold_next("getUpdates")  # answered only after the bot's read timeout
    fake_api.drop_next("getUpdates")
    fake_api.wait_for(lambda: len(fake_api.faults_hit) == 2)
    fake_api.push_message(CITIZEN, QUESTION)
    fake_api.wait_for_message(CITIZEN, ANSWER)
    assert [kind for _, kind in fake_api.faults_hit] == ["hold", "drop"]
    assert bot.thread.is_alive() and bot.application.running


def test_a_failed_reply_is_not_repeated_and_the_bot_goes_on(bot, fake_api):
    for n, fault in enumerate(["429", "500", "timeout", "dropped"]):
        citizen = CITIZEN + 100 + n
        inject_fault(fake_api, fault, citizen)
        fake_api.push_message(citizen, QUESTION)
        fake_api.wait_for_message(citizen, APOLOGY_TEXT)  # the error handler's
        answers = 1 if fault in ("timeout", "dropped") else 0  # it may have arrived: then once
        fake_api.wait_for(lambda c=citizen, a=answers: len(texts_to(fake_api, c, ANSWER)) == a)
        fake_api.push_message(citizen, QUESTION)  # the citizen asks again and is answered
        fake_api.wait_for(lambda c=citizen, a=answers: len(texts_to(fake_api, c, ANSWER)) == a + 1)
        time.sleep(0.3)  # nothing else is sent later on its own
        assert len(texts_to(fake_api, citizen, ANSWER)) == answers + 1, fault
        assert len(texts_to(fake_api, citizen, APOLOGY_TEXT)) == 1, fault
    assert len(texts_to(fake_api, ADMIN, "[오류 보고]")) == 4 and bot.application.running


def test_a_receipt_whose_answer_was_lost_files_the_complaint_once(bot, fake_api, db):
    summary = file_until_summary(fake_api)
    fake_api.drop_next("editMessageText", processed=True, chat_id=CITIZEN)  # arrives, answer lost
    fake_api.press(CITIZEN, summary, "접수하기")
    first = fake_api.wait_for_message(CITIZEN, "접수번호:")
    fake_api.wait_for_message(CITIZEN, APOLOGY_TEXT)
    fake_api.press(CITIZEN, summary, "접수하기")  # the citizen taps again
    fake_api.wait_for(lambda: len(texts_to(fake_api, CITIZEN, "접수번호:")) == 2)
    receipts = {
        text.split("접수번호: ")[1].split()[0] for text in texts_to(fake_api, CITIZEN, "접수번호:")
    }
    assert receipts == {first["text"].split("접수번호: ")[1].split()[0]}
    assert [c.receipt for c in list_complaints(db)] == list(receipts)
    fake_api.wait_for(lambda: texts_to(fake_api, STAFF_CHAT, "[새 민원]"))
    time.sleep(0.5)  # two outbox runs later: still exactly one staff post
    assert len(texts_to(fake_api, STAFF_CHAT, "[새 민원]")) == 1


def test_a_staff_post_that_fails_is_kept_retried_and_delivered_with_its_buttons(bot, fake_api, db):
    summary = file_until_summary(fake_api)
    inject_fault(fake_api, "429", STAFF_CHAT)
    fake_api.press(CITIZEN, summary, "접수하기")
    receipt = (
        fake_api.wait_for_message(CITIZEN, "접수번호:")["text"].split("접수번호: ")[1].split()[0]
    )
    fake_api.wait_for(
        lambda: outbox_rows(db, "staff") and outbox_rows(db, "staff")[0]["last_error"]
    )
    [post] = outbox_rows(db, "staff")
    assert post["sent_at"] is None and "Flood control" in post["last_error"] and not post["dead"]
    assert post["next_attempt_at"] > post["created_at"]  # deferred as asked, not hammered
    inject_fault(fake_api, "500", STAFF_CHAT)
    make_due(db)
    fake_api.wait_for(lambda: outbox_rows(db, "staff")[0]["attempts"] == 1)
    assert outbox_rows(db, "staff")[0]["sent_at"] is None
    make_due(db)
    delivered = fake_api.wait_for_message(STAFF_CHAT, f"[새 민원] {receipt}")
    buttons = [
        b["callback_data"] for row in delivered["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons == [f"s:{action}:{receipt}" for action in ("prog", "done", "rej", "reply")]
    fake_api.wait_for(lambda: outbox_rows(db, "staff")[0]["sent_at"])
    time.sleep(0.5)
    assert len(texts_to(fake_api, STAFF_CHAT, "[새 민원]")) == 1


def test_citizen_notifications_are_retried_until_delivered(bot, fake_api, db):
    faults = {"429": 1, "500": 1, "dropped-before": 1, "timeout-after-arrival": 2}  # → copies
    notices = {}
    for n, fault in enumerate(faults):
        citizen = CITIZEN + 200 + n
        fake_api.press(citizen, file_until_summary(fake_api, citizen), "접수하기")
        receipt = (
            fake_api.wait_for_message(citizen, "접수번호:")["text"]
            .split("접수번호: ")[1]
            .split()[0]
        )
        alert = fake_api.wait_for_message(STAFF_CHAT, f"[새 민원] {receipt}")
        inject_fault(fake_api, fault, citizen)
        fake_api.press(STAFF, alert, "처리중")  # the staff chat's edit is not a sendMessage
        notices[fault] = (citizen, f"[민원 {receipt}] 상태가 '처리중'(으)로 바뀌었습니다.")
    fake_api.wait_for(
        lambda: (
            len(rows := outbox_rows(db, "status")) == len(faults)
            and all(r["last_error"] for r in rows)
        )
    )
    rows = outbox_rows(db, "status")
    assert len(rows) == len(faults) and all(r["sent_at"] is None for r in rows)
    # flood control defers without counting an attempt; every other fault counts one
    assert [r["attempts"] for r in rows] == [0, 1, 1, 1]
    assert all(r["attempts"] < MAX_ATTEMPTS and not r["dead"] for r in rows)
    make_due(db)
    fake_api.wait_for(lambda: all(r["sent_at"] for r in outbox_rows(db, "status")))
    for fault, copies in faults.items():
        citizen, notice = notices[fault]
        fake_api.wait_for(lambda c=citizen, n=notice, k=copies: len(texts_to(fake_api, c, n)) >= k)
    time.sleep(0.3)  # and no further copy
    assert {fault: len(texts_to(fake_api, *notices[fault])) for fault in faults} == faults
    assert bot.thread.is_alive()


class _ShortNaps:
    """``asyncio`` for python-telegram-bot's retry loop, whose waits between tries (1.5 s after
    each failed start-up call) are cut to a turn of the loop: what is tested is that the calls
    are tried again, not how long the bot waits in between."""

    def __getattr__(self, name: str):
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)


def test_the_bot_starts_when_telegram_fails_its_first_calls(
    polling_bot_factory, fake_api, monkeypatch
):
    """getMe and deleteWebhook are retried at start-up instead of ending the process."""
    monkeypatch.setattr(networkloop, "asyncio", _ShortNaps())
    fake_api.drop_next("getMe")
    fake_api.fail_next("deleteWebhook", code=502, description="Bad Gateway")
    with polling_bot_factory():
        fake_api.push_message(CITIZEN, QUESTION)
        fake_api.wait_for_message(CITIZEN, ANSWER)
    assert [kind for _, kind in fake_api.faults_hit][:2] == ["drop", "fail"]
