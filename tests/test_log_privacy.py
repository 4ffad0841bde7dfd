"""No log record carries what citizens wrote: complaint text, phone numbers, 주민등록번호.

The whole journey runs with the production logging set-up (handlers.app.configure_logging) at
LOG_LEVEL=DEBUG, the root logger captured at DEBUG, and a few failures on the way (a send that
fails, a flood), so error and warning paths are logged too. The assertion covers every record
at every level, tracebacks included.
"""

from __future__ import annotations

import logging

import pytest

from handlers.app import configure_logging
from handlers.jobs import deliver_due

CITIZEN, STAFF, STAFF_CHAT = 42, 800, -100500
COMPLAINT_TEXT = "옆집 김영희 씨가 밤마다 불법 주차를 합니다"
PHONE = "010-2468-1357"
RRN = "900101-1234567"
QUESTION = f"제 번호는 {PHONE}, 주민번호 {RRN}인데 새마을지도자 자녀 장학금 받을 수 있나요?"
REPLY = "김영희 씨 차량은 내일 단속하겠습니다"
SECRETS = ("김영희", "불법 주차를", PHONE, "2468", "1357", RRN, "900101", "1234567", "단속하겠")
PHOTO = [{"file_id": "photo-file-id", "file_unique_id": "u", "width": 90, "height": 90}]


@pytest.fixture
def debug_logs(caplog):
    """Production logging at DEBUG, everything captured; library levels restored afterwards."""
    names = ("telegram", "httpx", "apscheduler")
    saved = {name: logging.getLogger(name).level for name in names}
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def leaks(records: list[logging.LogRecord]) -> list[str]:
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    found = []
    for record in records:
        line = formatter.format(record)  # the message, its arguments and any traceback
        found += [f"{secret!r} in {line[:200]!r}" for secret in SECRETS if secret in line]
    return found


async def test_a_whole_journey_logs_nothing_a_citizen_wrote(local_bot, debug_logs):
    me = local_bot.chat(CITIZEN)
    await me.send("/start")
    await me.send(QUESTION)
    await me.send(f"{PHONE} 로 전화 주세요")
    await me.send("/complaint")
    local_bot.api.fail_next("sendMessage", code=500, description="Internal Server Error")
    await me.send(
        f"{COMPLAINT_TEXT}. 주민번호 {RRN}, 연락처 {PHONE}"
    )  # its reply fails: error path
    await me.send_message(photo=PHOTO, caption=f"사진 설명: {COMPLAINT_TEXT}")
    await me.send_message(location={"latitude": 35.82, "longitude": 127.14})
    await me.press("다음 ▶")
    await me.press(me.buttons()[0][0])
    await me.press("동의합니다")
    await me.send(f"{PHONE}'; DROP")  # not a phone number: asked again
    await me.send(PHONE)
    await me.press("접수하기")
    [stored] = [c for c in local_bot.db["complaints"].rows]
    assert "김영희" in stored["content"] and stored["phone"] == PHONE  # the journey did happen

    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    await desk.press("처리중")
    await local_bot.chat(STAFF).send(f"/view {stored['receipt']}")
    await local_bot.chat(STAFF).send(f"/reply {stored['receipt']} {REPLY}")
    local_bot.api.fail_next(
        "sendMessage", code=429, description="Too Many Requests", retry_after=3
    )
    await deliver_due(local_bot.application.bot, local_bot.store)  # a failed delivery is logged
    local_bot.db.execute("update outbox set next_attempt_at = '2000-01-01T00:00:00.000000+00:00'")
    await deliver_due(local_bot.application.bot, local_bot.store)
    await me.send(f"/status {stored['receipt']}")
    await me.send("/my")
    await local_bot.chat(STAFF).send("/export")
    for _ in range(25):  # flood control logs who was limited, never what they sent
        await me.send(f"{COMPLAINT_TEXT} {PHONE}")

    assert any(REPLY in text for text in local_bot.api.texts(CITIZEN))  # the reply arrived
    assert debug_logs.records, "nothing was logged at all: the capture is not working"
    assert leaks(debug_logs.records) == []


async def test_questions_with_personal_data_are_not_logged(local_bot, debug_logs):
    me = local_bot.chat(CITIZEN)
    for question in (
        QUESTION,
        f"{RRN} 조회",
        f"김영희 {PHONE}",
        f"/status {RRN}",
        f"/region {PHONE}",
    ):
        await me.send(question)
    assert leaks(debug_logs.records) == []
