"""Satisfaction survey after 완료: queued with the status change, 1–5 buttons, a comment as a
reply, only the complainant may answer, figures per department and month."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.complaints import DONE, IN_PROGRESS
from db.database import KST
from db.satisfaction import NotClosed, NotYourComplaint, by_department_and_month, rate
from display import survey_text
from handlers import survey
from handlers.jobs import deliver_due
from notices import change_status

CITIZEN, STRANGER, STAFF, ADMIN = 42, 43, 800, 900


@pytest.fixture
def store(file_complaint):
    def store(db, n=1, department="도로과"):
        return file_complaint(
            db,
            "가로등이 고장났어요",
            idempotency_key=f"k{n}",
            department=department,
            region="전주시",
        )

    return store


def test_closing_queues_one_survey_in_the_same_transaction(db, store):
    complaint = store(db)
    change_status(db, complaint.receipt, IN_PROGRESS, actor_id=STAFF)
    assert db["outbox"].count_where("kind = 'survey'") == 0
    change_status(db, complaint.receipt, DONE, actor_id=STAFF)
    [row] = db["outbox"].rows_where("kind = 'survey'")
    assert row["text"] == survey_text(complaint.receipt) and row["chat_id"] == CITIZEN


def test_only_the_complainant_rates_a_closed_complaint(db, store):
    complaint = store(db)
    with pytest.raises(NotClosed):
        rate(db, complaint.receipt, user_id=CITIZEN, score=5)
    change_status(db, complaint.receipt, DONE, actor_id=STAFF)
    with pytest.raises(NotYourComplaint):
        rate(db, complaint.receipt, user_id=STRANGER, score=1)
    with pytest.raises(ValueError):
        rate(db, complaint.receipt, user_id=CITIZEN, score=6)
    rate(
        db, complaint.receipt, user_id=CITIZEN, score=2, now=datetime(2025, 3, 31, 20, tzinfo=KST)
    )
    rate(
        db, complaint.receipt, user_id=CITIZEN, score=4, now=datetime(2025, 3, 31, 20, tzinfo=KST)
    )  # answering again replaces
    other = store(db, 2, department="환경과")
    change_status(db, other.receipt, DONE, actor_id=STAFF)
    rate(db, other.receipt, user_id=CITIZEN, score=3, now=datetime(2025, 4, 1, 9, tzinfo=KST))
    assert by_department_and_month(db) == [
        {"month": "2025-04", "department": "환경과", "average": 3.0, "count": 1},
        {"month": "2025-03", "department": "도로과", "average": 4.0, "count": 1},
    ]


async def test_citizen_rates_with_buttons_comments_and_admin_sees_it(local_bot, store):
    complaint = store(local_bot.db)
    await local_bot.chat(STAFF).send(f"/close {complaint.receipt} 수리 완료")
    await deliver_due(local_bot.application.bot, local_bot.store)
    assert local_bot.api.texts(CITIZEN)[-1].startswith(f"[민원 {complaint.receipt}] 상태가 '완료'")
    local_bot.db.execute("update outbox set next_attempt_at = '2000-01-01' where kind = 'survey'")
    await deliver_due(local_bot.application.bot, local_bot.store)
    citizen = local_bot.chat(CITIZEN)
    labels = [label for label, _ in citizen.buttons()]
    assert labels == ["1 매우 불만", "2", "3 보통", "4", "5 매우 만족"]
    calls = await citizen.press("5 매우 만족")
    edited = [c.text for c in calls if c.method == "editMessageText"]
    assert edited and "5점을 주셨습니다" in edited[0]
    survey_message = edited[0]
    calls = await citizen.send(
        "친절하게 처리해 주셔서 감사합니다", reply_to_message=_reply_to(local_bot, survey_message)
    )
    assert [c.text for c in calls if c.method == "sendMessage"] == [survey.COMMENT_SAVED_TEXT]
    [row] = local_bot.db["satisfaction"].rows
    assert (row["score"], row["comment"], row["department"]) == (
        5,
        "친절하게 처리해 주셔서 감사합니다",
        "도로과",
    )
    stats = "\n".join(
        c.text for c in await local_bot.chat(ADMIN).send("/stats") if c.method == "sendMessage"
    )
    assert "도로과 5.0점 (1명)" in stats


def _reply_to(local_bot, text):
    """The bot's survey message with ``text``, as the Bot API attaches it to a reply."""
    return next(m for m in local_bot.api.messages.values() if m.get("text") == text)


async def _rated(local_bot, store):
    """A closed complaint whose survey the citizen answered with 4; its survey message."""
    complaint = store(local_bot.db)
    await local_bot.chat(STAFF).send(f"/close {complaint.receipt} 수리 완료")
    local_bot.db.execute("update outbox set next_attempt_at = '2000-01-01' where kind = 'survey'")
    await deliver_due(local_bot.application.bot, local_bot.store)
    calls = await local_bot.chat(CITIZEN).press("4")
    return _reply_to(local_bot, next(c.text for c in calls if c.method == "editMessageText"))


FORWARDED = {
    "type": "user",
    "date": 0,
    "sender_user": {"id": 1, "is_bot": False, "first_name": "봇"},
}
NOT_THE_BOTS = {
    "forwarded by the citizen": lambda survey: {
        **survey,
        "from": {"id": CITIZEN, "is_bot": False, "first_name": "시민"},
        "forward_origin": FORWARDED,
    },
    "another user's copy": lambda survey: {
        **survey,
        "from": {"id": STRANGER, "is_bot": False, "first_name": "이웃"},
    },
}


@pytest.mark.parametrize("copy", NOT_THE_BOTS.values(), ids=NOT_THE_BOTS)
async def test_a_reply_to_a_survey_text_the_bot_did_not_send_is_not_a_comment(
    local_bot, store, copy
):
    """Only a reply to the bot's own survey message is kept as the citizen's comment."""
    survey_message = await _rated(local_bot, store)
    calls = await local_bot.chat(CITIZEN).send(
        "청년 월세 지원 조건 알려줘", reply_to_message=copy(survey_message)
    )
    assert survey.COMMENT_SAVED_TEXT not in [c.text for c in calls]
    assert [row["comment"] for row in local_bot.db["satisfaction"].rows] == [None]
