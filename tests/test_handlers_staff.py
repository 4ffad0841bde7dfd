"""Staff commands and staff-chat buttons: roles re-checked on every use, notifications via the
outbox, usage lines for bad arguments."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from db import durability, outbox
from db.complaints import DONE, IN_PROGRESS, TRANSFERRED, get_complaint, history
from db.staff import grant, revoke
from handlers import staff
from handlers.access import DENIED_TEXT
from handlers.jobs import deliver_due

CITIZEN, STRANGER, STAFF, ADMIN, STAFF_CHAT = 42, 43, 800, 900, -100500


def sent_texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


@pytest.fixture
def store(file_complaint):
    def store(db, n: int = 1, phone: str | None = "010-1234-5678", now: datetime | None = None):
        return file_complaint(
            db,
            f"민원 내용 {n}",
            idempotency_key=f"k{n}",
            department="도로과",
            region="전주시",
            phone=phone,
            anonymous=False,
            consent=True,
            now=now,
        )

    return store


async def alert_in_staff_chat(bot, complaint) -> None:
    """Posts the staff-chat alert the way a filed complaint does."""
    from handlers.formatting import staff_alert
    from handlers.keyboards import staff_actions

    await bot.application.bot.send_message(
        STAFF_CHAT, staff_alert(complaint), reply_markup=staff_actions(complaint.receipt)
    )


@pytest.mark.parametrize(
    "command",
    [
        "/inbox",
        "/view 20250301-AB2C",
        "/reply 20250301-AB2C 답변",
        "/assign 20250301-AB2C 도로과",
        "/close 20250301-AB2C",
        "/export",
        "/reload",
        "/stats",
        "/grant 5",
        "/revoke 5",
    ],
)
async def test_staff_and_admin_commands_are_refused_to_citizens(local_bot, command):
    calls = await local_bot.chat(STRANGER).send(command)
    assert "권한이 없습니다" in sent_texts(calls)
    assert [r["command"] for r in local_bot.db["denied_attempts"].rows] == [command.split()[0]]


async def test_inbox_pages_by_due_date_overdue_first(local_bot, store):
    """Issue 14: /inbox listed newest first while the web console sorts by due date."""
    now = datetime.now(UTC)
    # 고충: due on the 7th working day from receipt, 6 to 10 calendar days later by the weekday
    # (more in a holiday week: 10 days ago was not yet due on a Monday): 15 days ago is overdue
    # on any day but after the longest holidays, 3 days ago on none.
    received_days_ago = [1, 30, 3, 60, 0, 20, 15]
    receipts = [
        store(local_bot.db, n, now=now - timedelta(days=days)).receipt
        for n, days in enumerate(received_days_ago)
    ]
    me = local_bot.chat(STAFF)
    first = (await me.send("/inbox"))[0]
    assert first.text.startswith("민원함 (전체, 처리기한 순) 1–5 / 7건")
    assert first.buttons == [("다음 ▶", "i:all:5")]
    order = [3, 1, 5, 6, 2, 0, 4]  # oldest receipt, so earliest due date, first
    shown = [n for n in order if receipts[n] in first.text]
    assert shown == order[:5]
    assert [first.text.index(receipts[n]) for n in shown] == sorted(
        first.text.index(receipts[n]) for n in shown
    )
    assert first.text.count(staff.OVERDUE_MARK) == 4  # received 60, 30, 20 and 15 days ago
    second = sent_texts(await me.press("다음 ▶"))
    assert second.startswith("민원함 (전체, 처리기한 순) 6–7 / 7건")
    assert receipts[0] in second and receipts[4] in second
    assert me.buttons() == [("◀ 이전", "i:all:0")]
    await me.send(f"/close {receipts[3]}")  # a closed one is no longer overdue
    closed = (await me.send("/inbox"))[0].text
    assert closed.count(staff.OVERDUE_MARK) == 3


async def test_inbox_by_status_and_usage(local_bot, store):
    stored = store(local_bot.db)
    me = local_bot.chat(STAFF)
    assert stored.receipt in sent_texts(await me.send("/inbox 접수"))
    assert "민원이 없습니다" in sent_texts(await me.send("/inbox 완료"))
    assert sent_texts(await me.send("/inbox 아무거나")) == staff.INBOX_USAGE


async def test_view_shows_the_full_phone_offers_actions_and_records_the_view(local_bot, store):
    stored = store(local_bot.db)
    calls = await local_bot.chat(STAFF).send(f"/view {stored.receipt}")
    assert "연락처: 010-1234-5678" in calls[0].text
    assert [label for label, _ in calls[0].buttons] == ["처리중", "완료", "반려", "답변"]
    [seen] = [e for e in history(local_bot.db, stored.receipt) if e["kind"] == "view"]
    assert seen["actor_id"] == STAFF and f"직원 {STAFF} 상세 열람" in calls[0].text


async def test_reply_reaches_the_citizen_through_the_outbox(local_bot, store):
    stored = store(local_bot.db)
    calls = await local_bot.chat(STAFF).send(f"/reply {stored.receipt} 내일 보수하겠습니다")
    assert sent_texts(calls) == staff.REPLY_SAVED_TEXT.format(receipt=stored.receipt)
    assert local_bot.api.texts(CITIZEN) == []  # nothing is sent before the outbox runs
    assert await deliver_due(local_bot.application.bot, local_bot.store) == 1
    assert local_bot.api.texts(CITIZEN) == [
        f"[민원 {stored.receipt}] 담당자 답변: 내일 보수하겠습니다"
    ]
    assert await deliver_due(local_bot.application.bot, local_bot.store) == 0


@pytest.mark.parametrize(
    "command, confirmation",
    [
        ("/reply {receipt} 내일 보수하겠습니다", "답변"),
        ("/close {receipt} 보수 완료", "완료 처리"),
        ("/assign {receipt} 전주시 도로관리과", "이관했습니다"),
        ("/grant 5", "권한을 주었습니다"),
    ],
)
async def test_a_change_is_on_the_disk_before_it_is_confirmed(
    local_bot, monkeypatch, command, confirmation, store
):
    stored = store(local_bot.db)
    fsyncs = []  # Bot API calls made when each fsync ran
    real = durability.os.fsync
    monkeypatch.setattr(
        durability.os, "fsync", lambda fd: (real(fd), fsyncs.append(len(local_bot.api.calls)))
    )
    me = local_bot.chat(ADMIN if command.startswith("/grant") else STAFF)
    before = len(local_bot.api.calls)
    assert confirmation in sent_texts(await me.send(command.format(receipt=stored.receipt)))
    confirmed_at = next(
        n
        for n, call in enumerate(local_bot.api.calls)
        if n >= before and confirmation in (call.text or "")
    )
    assert any(before <= calls_made <= confirmed_at for calls_made in fsyncs)


async def test_assign_and_close(local_bot, store):
    stored = store(local_bot.db)
    me = local_bot.chat(STAFF)
    await me.send(f"/assign {stored.receipt} 전주시 도로관리과")
    after = get_complaint(local_bot.db, stored.receipt)
    assert (after.status, after.department) == (TRANSFERRED, "전주시 도로관리과")
    assert "완료 처리" in sent_texts(await me.send(f"/close {stored.receipt} 보수 완료"))
    assert get_complaint(local_bot.db, stored.receipt).status == DONE
    again = sent_texts(await me.send(f"/close {stored.receipt}"))
    assert "이미 '완료' 상태" in again


@pytest.mark.parametrize(
    "command, usage",
    [
        ("/view", staff.VIEW_USAGE),
        ("/view 12", staff.VIEW_USAGE),
        ("/reply", staff.REPLY_USAGE),
        ("/reply 20250301-AB2C", staff.REPLY_USAGE),
        ("/assign 20250301-AB2C", staff.ASSIGN_USAGE),
        ("/close", staff.CLOSE_USAGE),
    ],
)
async def test_missing_arguments_get_a_usage_line(local_bot, command, usage):
    assert sent_texts(await local_bot.chat(STAFF).send(command)) == usage


async def test_unknown_receipt_is_reported(local_bot):
    me = local_bot.chat(STAFF)
    for command in ("/view 20200101-ZZZZ", "/reply 20200101-ZZZZ 답변", "/close 20200101-ZZZZ"):
        assert sent_texts(await me.send(command)) == staff.NOT_FOUND_TEXT.format(
            receipt="20200101-ZZZZ"
        )


async def test_export_sends_a_csv_document(local_bot, store):
    store(local_bot.db)
    calls = await local_bot.chat(STAFF).send("/export")
    [document] = [c for c in calls if c.method == "sendDocument"]
    name, content = document.document
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert name == "complaints_all_all.csv" and rows[0][0] == "접수번호" and len(rows) == 2
    assert "010-****-5678" in content.decode("utf-8-sig")


@pytest.mark.parametrize("args", ["2025-03-01", "2025-13-01 2025-03-02", "2025-03-02 2025-03-01"])
async def test_export_with_bad_dates_gets_usage(local_bot, args):
    text = sent_texts(await local_bot.chat(STAFF).send(f"/export {args}"))
    assert text.endswith(staff.EXPORT_USAGE)


async def test_staff_chat_buttons_change_status_and_notify_after_commit(local_bot, store):
    stored = store(local_bot.db)
    await alert_in_staff_chat(local_bot, stored)
    staff_in_group = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    calls = await staff_in_group.press("처리중")
    assert calls[0].method == "answerCallbackQuery" and "처리중" in calls[0].params["text"]
    assert "상태: 처리중" in sent_texts(calls)
    assert get_complaint(local_bot.db, stored.receipt).status == IN_PROGRESS
    await deliver_due(local_bot.application.bot, local_bot.store)
    assert local_bot.api.texts(CITIZEN) == [
        f"[민원 {stored.receipt}] 상태가 '처리중'(으)로 바뀌었습니다."
    ]
    await staff_in_group.press("완료")
    assert get_complaint(local_bot.db, stored.receipt).status == DONE
    assert staff_in_group.buttons() == []  # a final complaint has no more buttons


async def test_replayed_staff_button_is_refused_to_a_citizen(local_bot, store):
    stored = store(local_bot.db)
    await alert_in_staff_chat(local_bot, stored)
    intruder = local_bot.chat(STRANGER, chat_id=STAFF_CHAT)
    calls = await intruder.press("완료")
    assert calls[0].params == {
        "callback_query_id": calls[0].params["callback_query_id"],
        "text": DENIED_TEXT,
        "show_alert": True,
    }
    assert get_complaint(local_bot.db, stored.receipt).status == "접수"
    assert len(history(local_bot.db, stored.receipt)) == 1
    assert local_bot.db["denied_attempts"].count == 1


async def test_revoked_staff_can_no_longer_press_buttons(local_bot, store):
    stored = store(local_bot.db)
    grant(local_bot.db, 555, role="staff", granted_by=ADMIN)
    await alert_in_staff_chat(local_bot, stored)
    member = local_bot.chat(555, chat_id=STAFF_CHAT)
    await member.press("처리중")
    revoke(local_bot.db, 555, revoked_by=ADMIN)
    calls = await member.press(data=f"s:done:{stored.receipt}")
    assert calls[0].params.get("show_alert")
    assert get_complaint(local_bot.db, stored.receipt).status == IN_PROGRESS


async def test_reply_button_asks_for_text_previews_and_sends_it(local_bot, store):
    stored = store(local_bot.db)
    await alert_in_staff_chat(local_bot, stored)
    staff_in_group = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    calls = await staff_in_group.press("답변")
    prompt = calls[-1]
    assert stored.receipt in prompt.text and prompt.params["reply_markup"] == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": staff.PLACEHOLDERS["reply"],
    }
    [mention] = prompt.params["entities"]  # the selective prompt opens for the presser only
    assert (mention["type"], mention["user"]["id"]) == ("text_mention", STAFF)
    name = prompt.text[mention["offset"] : mention["offset"] + mention["length"]]
    assert name == staff_in_group.first_name
    bot_prompt = local_bot.api.messages[(STAFF_CHAT, prompt.message_id)]
    calls = await staff_in_group.send("오늘 오후에 현장 확인합니다", reply_to_message=bot_prompt)
    assert [label for label, _ in calls[-1].buttons] == ["보내기", "수정", "취소"]
    assert "오늘 오후에 현장 확인합니다" in calls[-1].text and local_bot.db["outbox"].count == 0
    calls = await staff_in_group.press("보내기")
    assert sent_texts(calls).startswith(staff.REPLY_SAVED_TEXT.format(receipt=stored.receipt))
    [reply] = [e for e in history(local_bot.db, stored.receipt) if e["kind"] == "reply"]
    assert (reply["actor_id"], reply["note"]) == (STAFF, "오늘 오후에 현장 확인합니다")


async def test_a_previewed_answer_can_be_cancelled_or_rewritten(local_bot, store):
    stored = store(local_bot.db)
    await alert_in_staff_chat(local_bot, stored)
    staff_in_group = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    asked = local_bot.api.messages[
        (STAFF_CHAT, (await staff_in_group.press("답변"))[-1].message_id)
    ]
    await staff_in_group.send("오타 있는 답변", reply_to_message=asked)
    rewrite = (await staff_in_group.press("수정"))[-1]
    assert rewrite.params["reply_markup"]["force_reply"] is True
    again = local_bot.api.messages[(STAFF_CHAT, rewrite.message_id)]
    old = await staff_in_group.send("옛 요청", reply_to_message=asked)
    assert sent_texts(old) == staff.PROMPT_GONE_TEXT
    await staff_in_group.send("고친 답변", reply_to_message=again)
    assert sent_texts(await staff_in_group.press("취소")) == staff.REPLY_CANCELLED_TEXT
    [gone] = await staff_in_group.press(data="a:send:1")
    assert (gone.method, gone.params["text"]) == ("answerCallbackQuery", staff.PREVIEW_GONE_TEXT)
    assert [e for e in history(local_bot.db, stored.receipt) if e["kind"] == "reply"] == []
    assert local_bot.db["outbox"].count == 0 and local_bot.db["staff_prompts"].count == 0


async def test_failed_delivery_is_retried_not_lost(local_bot, store):
    stored = store(local_bot.db)
    await local_bot.chat(STAFF).send(f"/close {stored.receipt}")
    [pending] = outbox.due(local_bot.db)
    local_bot.api.fail_next(
        "sendMessage", code=429, description="Too Many Requests", retry_after=7
    )
    assert await deliver_due(local_bot.application.bot, local_bot.store) == 0
    after_flood = outbox.get(local_bot.db, pending.id)
    assert (after_flood.attempts, after_flood.sent_at) == (0, None)
    assert outbox.due(local_bot.db) == []  # not before Telegram's retry_after
    local_bot.api.fail_next("sendMessage", code=502, description="Bad Gateway")
    local_bot.db["outbox"].update(
        pending.id, {"next_attempt_at": "2000-01-01T00:00:00.000000+00:00"}
    )
    assert await deliver_due(local_bot.application.bot, local_bot.store) == 0
    local_bot.db["outbox"].update(
        pending.id, {"next_attempt_at": "2000-01-01T00:00:00.000000+00:00"}
    )
    assert await deliver_due(local_bot.application.bot, local_bot.store) == 1
    assert outbox.get(local_bot.db, pending.id).attempts == 1
    assert local_bot.api.texts(CITIZEN)[-1].startswith(f"[민원 {stored.receipt}] 상태가 '완료'")
