"""Issue 10, through the real Application on the LocalBotApi: a staff answer reaches the citizen
of the prompt it replies to, once, as written; forged buttons get an alert; complaint data stays
in staff places; staff see what they need and the history says who looked; the workflow gaps."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from db import prompts
from db.complaints import DONE, REJECTED, TRANSFERRED, create_complaint, get_complaint, history
from db.database import as_utc
from display import telegram_length
from handlers import keyboards, staff
from handlers.access import PLACE_TEXT
from handlers.formatting import staff_alert
from handlers.jobs import deliver_due

# The command menus are checked in test_handlers_citizen.py and test_handlers_admin.py.
pytestmark = pytest.mark.without_menus

CITIZEN_B, CITIZEN_C, STAFF, STAFF_CHAT = 51, 52, 800, -100500


def texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


def alerts(calls) -> list[str]:
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


def store(db, citizen: int, content: str, **fields):
    values = {
        "department": "도로과",
        "region": "전주시",
        "phone": "010-1234-5678",
        "anonymous": False,
        "consent": True,
    } | fields
    return create_complaint(
        db,
        idempotency_key=f"k{citizen}{content}",
        user_id=citizen,
        chat_id=citizen,
        content=content,
        **values,
    )


async def post(bot, complaint):
    """The staff-chat post of a complaint, as the outbox sends it."""
    return await bot.application.bot.send_message(
        STAFF_CHAT, staff_alert(complaint), reply_markup=keyboards.staff_actions(complaint.receipt)
    )


def prompt_message(bot, calls) -> dict:
    """The prompt (ForceReply) message the bot just sent, as a reply can quote it."""
    [asked] = [c for c in calls if (c.params.get("reply_markup") or {}).get("force_reply")]
    return bot.api.messages[(asked.chat_id, asked.message_id)]


async def answers_to(bot, citizen: int) -> list[str]:
    await deliver_due(bot.application.bot, bot.store)
    return bot.api.texts(citizen)


# --- 1, 2: the answer belongs to the prompt it replies to --------------------------------------


async def test_answers_go_to_the_complaint_of_the_prompt_they_reply_to(local_bot):
    """The outside test's scenario: [답변] under B in the group, then /view C and [답변] in the
    private chat, then typing in the group. Each answer reaches its own citizen only."""
    b = store(local_bot.db, CITIZEN_B, "B 민원: 12가3456 불법주차")
    c = store(local_bot.db, CITIZEN_C, "C 민원: 가로등 고장")
    await post(local_bot, b)
    desk, private = local_bot.chat(STAFF, chat_id=STAFF_CHAT), local_bot.chat(STAFF)
    b_prompt = prompt_message(local_bot, await desk.press("답변"))
    await private.send(f"/view {c.receipt}")
    c_prompt = prompt_message(local_bot, await private.press("답변"))
    assert texts(await desk.send("12가3456 차량은 견인했습니다")) == ""  # not a reply: ignored
    await desk.send("12가3456 차량은 견인했습니다", reply_to_message=b_prompt)
    await desk.press("보내기")
    await private.send("가로등은 내일 교체합니다", reply_to_message=c_prompt)
    await private.press("보내기")
    assert await answers_to(local_bot, CITIZEN_B) == [
        f"[민원 {b.receipt}] 담당자 답변: 12가3456 차량은 견인했습니다"
    ]
    assert await answers_to(local_bot, CITIZEN_C) == [
        f"[민원 {c.receipt}] 담당자 답변: 가로등은 내일 교체합니다"
    ]


async def test_chatter_and_replies_to_other_posts_are_never_an_answer(local_bot, kb):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    alert = await post(local_bot, b)
    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    asked = prompt_message(local_bot, await desk.press("답변"))
    assert asked["text"].startswith(staff.REPLY_MARK)
    assert texts(await desk.send("점심 뭐 드실래요?")) == ""
    other_post = local_bot.api.messages[(STAFF_CHAT, alert.message_id)]
    assert texts(await desk.send("이건 다른 글에 단 답장", reply_to_message=other_post)) == ""
    someone = local_bot.chat(801, chat_id=STAFF_CHAT)  # a colleague, not staff in this bot
    await someone.send("저도 한마디", reply_to_message=asked)
    private = await local_bot.chat(STAFF).send("새마을 장학금 조건")  # a question of their own
    assert "담당자 답변" not in texts(private)
    assert local_bot.db["outbox"].count == 0
    assert [e for e in history(local_bot.db, b.receipt) if e["kind"] == "reply"] == []
    preview = (await desk.send("진짜 답변", reply_to_message=asked))[-1]
    assert [label for label, _ in preview.buttons] == ["보내기", "수정", "취소"]
    assert local_bot.db["outbox"].count == 0  # nothing before [보내기]
    await desk.press("보내기")
    assert await answers_to(local_bot, CITIZEN_B) == [f"[민원 {b.receipt}] 담당자 답변: 진짜 답변"]


async def test_another_staff_members_reply_to_a_prompt_is_refused(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await post(local_bot, b)
    asked = prompt_message(
        local_bot, await local_bot.chat(STAFF, chat_id=STAFF_CHAT).press("답변")
    )
    admin = local_bot.chat(900, chat_id=STAFF_CHAT)
    assert (
        texts(await admin.send("대신 답합니다", reply_to_message=asked))
        == staff.NOT_YOUR_PROMPT_TEXT
    )
    assert local_bot.db["staff_prompts"].get(1)["text"] is None


async def test_an_expired_prompt_is_refused_after_a_restart(local_bot_factory, monkeypatch):
    """kill -9 and a restart: the prompt and its deadline are on disk, so once the deadline has
    passed the reply is refused (the persisted conversation used to stay armed forever)."""
    async with local_bot_factory() as first:
        b = store(first.db, CITIZEN_B, "B 민원")
        await post(first, b)
        asked = prompt_message(first, await first.chat(STAFF, chat_id=STAFF_CHAT).press("답변"))
    real = prompts.timestamp
    later = first.settings.complaint_timeout_seconds + 1
    monkeypatch.setattr(
        prompts, "timestamp", lambda now=None: real(as_utc(now) + timedelta(seconds=later))
    )
    async with local_bot_factory() as second:
        desk = second.chat(STAFF, chat_id=STAFF_CHAT)
        assert (
            texts(await desk.send("늦은 답변", reply_to_message=asked))
            == staff.PROMPT_EXPIRED_TEXT
        )
        assert second.db["staff_prompts"].count == 0 and second.db["outbox"].count == 0


async def test_a_preview_sent_after_its_deadline_is_refused(local_bot, monkeypatch):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await post(local_bot, b)
    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    asked = prompt_message(local_bot, await desk.press("답변"))
    await desk.send("오래 둔 답변", reply_to_message=asked)
    real, later = prompts.timestamp, local_bot.settings.complaint_timeout_seconds + 1
    monkeypatch.setattr(
        prompts, "timestamp", lambda now=None: real(as_utc(now) + timedelta(seconds=later))
    )
    assert texts(await desk.press("보내기")) == staff.PROMPT_EXPIRED_TEXT
    assert local_bot.db["outbox"].count == 0 and local_bot.db["staff_prompts"].count == 0


async def test_a_prompt_still_open_after_a_restart_is_answered(local_bot_factory):
    async with local_bot_factory() as first:
        b = store(first.db, CITIZEN_B, "B 민원")
        await post(first, b)
        asked = prompt_message(first, await first.chat(STAFF, chat_id=STAFF_CHAT).press("답변"))
    async with local_bot_factory() as second:
        desk = second.chat(STAFF, chat_id=STAFF_CHAT)
        await desk.send("재시작 뒤의 답변", reply_to_message=asked)
        await desk.press("보내기")
        assert await answers_to(second, CITIZEN_B) == [
            f"[민원 {b.receipt}] 담당자 답변: 재시작 뒤의 답변"
        ]


# --- 3: an answer is stored and queued once ------------------------------------------------------


async def test_a_reply_command_retried_after_a_failed_confirmation_is_sent_once(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    me = local_bot.chat(STAFF)
    text = f"/reply {b.receipt} 내일 보수하겠습니다"
    message = {
        "message_id": 777,
        "date": 1,
        "chat": me.chat,
        "from": me.user,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    local_bot.api.fail_next("sendMessage", code=500, description="Internal Server Error")
    await me._process({"update_id": local_bot.api.new_update_id(), "message": message})
    again = await me._process({"update_id": local_bot.api.new_update_id(), "message": message})
    assert texts(again) == staff.ALREADY_REPLIED_TEXT.format(receipt=b.receipt)
    assert await answers_to(local_bot, CITIZEN_B) == [
        f"[민원 {b.receipt}] 담당자 답변: 내일 보수하겠습니다"
    ]


async def test_a_double_tap_on_send_or_a_redelivered_reply_is_sent_once(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await post(local_bot, b)
    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    asked = prompt_message(local_bot, await desk.press("답변"))
    await desk.send("한 번만 갑니다", reply_to_message=asked)
    preview = desk.buttons()
    await desk.press("보내기")
    second = await desk.press(data=preview[0][1])
    assert alerts(second) == [staff.PREVIEW_GONE_TEXT]
    assert (
        texts(await desk.send("한 번만 갑니다", reply_to_message=asked)) == staff.PROMPT_GONE_TEXT
    )
    assert await answers_to(local_bot, CITIZEN_B) == [
        f"[민원 {b.receipt}] 담당자 답변: 한 번만 갑니다"
    ]


async def test_the_same_draft_sent_twice_is_recognised_by_its_key(local_bot):
    """A crash between storing the answer and closing the prompt leaves the preview armed:
    the second [보내기] finds the answer's key and sends nothing."""
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await post(local_bot, b)
    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    asked = prompt_message(local_bot, await desk.press("답변"))
    await desk.send("키로 막힙니다", reply_to_message=asked)
    saved = dict(local_bot.db["staff_prompts"].get(1))
    await desk.press("보내기")
    local_bot.db["staff_prompts"].insert(saved)
    calls = await desk.press(data="a:send:1", message_id=saved["preview_message_id"])
    assert texts(calls).startswith(staff.ALREADY_REPLIED_TEXT.format(receipt=b.receipt))
    assert len(await answers_to(local_bot, CITIZEN_B)) == 1


@pytest.mark.parametrize("how", ["command", "button"])
async def test_an_answer_reaches_every_linked_open_complaint_once(local_bot, how):
    """/reply and [답변] answer linked complaints like the web console does (one truth)."""
    from db.duplicates import link

    b = store(local_bot.db, CITIZEN_B, "B 가로등 고장")
    c = store(local_bot.db, CITIZEN_C, "C 같은 가로등 고장")
    link(local_bot.db, b.receipt, c.receipt, actor_id=STAFF)
    if how == "command":
        me = local_bot.chat(STAFF)
        await me.send(f"/reply {b.receipt} 오늘 교체합니다")
        await me.send(f"/reply {b.receipt} 오늘 교체합니다")  # another message: another answer
    else:
        await post(local_bot, b)
        desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
        asked = prompt_message(local_bot, await desk.press("답변"))
        await desk.send("오늘 교체합니다", reply_to_message=asked)
        await desk.press("보내기")
    copies = 2 if how == "command" else 1
    assert (
        await answers_to(local_bot, CITIZEN_B)
        == [f"[민원 {b.receipt}] 담당자 답변: 오늘 교체합니다"] * copies
    )
    assert (
        await answers_to(local_bot, CITIZEN_C)
        == [f"[민원 {c.receipt}] 담당자 답변: 오늘 교체합니다"] * copies
    )


# --- 4: the staff member's text as written, measured as Telegram measures it -------------------


async def test_reply_and_close_keep_line_breaks_and_spaces(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    me = local_bot.chat(STAFF)
    written = "안녕하세요.\n\n1) 내일  오전 보수\n2) 모레   점검"
    await me.send(f"/reply {b.receipt} {written}")
    await me.send(f"/close {b.receipt} 처리 결과:\n  - 보수 완료\n  - 점검 완료")
    assert await answers_to(local_bot, CITIZEN_B) == [
        f"[민원 {b.receipt}] 담당자 답변: {written}",
        f"[민원 {b.receipt}] 상태가 '완료'(으)로 바뀌었습니다.\n"
        "처리 결과:\n  - 보수 완료\n  - 점검 완료",
    ]


@pytest.mark.parametrize(
    "written",
    [
        "탭\t으로\t나눈 칸",
        "윈도우 줄바꿈\r\n둘째 줄",
        "끝에 줄바꿈\n\n",
        "  앞의 공백은 명령과의 구분",
        "줄바꿈\u00a0없는\u00a0공백",
        "전각\u3000공백",
        "1.\n    들여쓴 줄\n        더 들여쓴 줄",
    ],
)
async def test_a_reply_reaches_the_citizen_as_written(local_bot, written):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await local_bot.chat(STAFF).send(f"/reply {b.receipt} {written}")
    assert await answers_to(local_bot, CITIZEN_B) == [
        f"[민원 {b.receipt}] 담당자 답변: {written.strip()}"
    ]


@pytest.mark.parametrize("command", ["/reply {r} ", "/close {r} ", "/note {r} "])
async def test_2100_emoji_are_refused_with_the_limit_before_anything_is_registered(
    local_bot, command
):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    said = texts(await local_bot.chat(STAFF).send(command.format(r=b.receipt) + "😀" * 2100))
    assert said == f"{staff.NOTE_TOO_LONG_TEXT} 지금 4,200자입니다."
    assert "4,000자" in said and local_bot.db["outbox"].count == 0
    assert [e["kind"] for e in history(local_bot.db, b.receipt)] == ["status"]
    assert get_complaint(local_bot.db, b.receipt).status == "접수"


async def test_2100_emoji_by_button_are_refused_and_the_prompt_stays_open(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await post(local_bot, b)
    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    asked = prompt_message(local_bot, await desk.press("답변"))
    assert staff.NOTE_TOO_LONG_TEXT in texts(await desk.send("😀" * 2100, reply_to_message=asked))
    await desk.send("😀" * 1900, reply_to_message=asked)
    await desk.press("보내기")
    [answer] = await answers_to(local_bot, CITIZEN_B)
    assert answer.endswith("😀" * 1900) and "…" not in answer


@pytest.mark.parametrize("text, units", [("", 0), ("가", 1), ("a😀", 3), ("👨‍👩‍👧", 8)])
def test_telegram_length_counts_utf16_units(text, units):
    assert telegram_length(text) == units


# --- 5: forged button data ---------------------------------------------------------------------

FORGED = [
    "",
    " ",
    "s:",
    "s:done",
    "s:done:",
    "s:done:20250301-ab2c",
    "s:done:20250301-AB2C\n",
    "s:rej:x",
    "s:reply:",
    "s:att:",
    "a:",
    "a:send:",
    "a:send:x",
    "a:zap:1",
    "a:send:99999999999999999999",
    "i:all:",
    "i:zz:0",
    "i:all:-1",
    "zz",
    "\x00",
]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("chat", [STAFF_CHAT, None], ids=["staff-chat", "private"])
@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_data_gets_an_alert_and_an_info_log_only(
    table_row, caplog, data, chat
):
    bot = table_row  # a staff member no other row has used; the errors of this row
    me = bot.chat(bot.staff(), chat_id=chat)
    seed = await bot.application.bot.send_message(me.chat["id"], "안내")
    with caplog.at_level(logging.INFO):
        calls = await me.press(data=data, message_id=seed.message_id)
    assert [c.method for c in calls] == ["answerCallbackQuery"] and bot.errors == []
    assert calls[0].params["show_alert"] is True and calls[0].params["text"]
    assert any(r.levelno == logging.INFO and "button" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# --- 6: staff commands only in staff places ----------------------------------------------------

GROUP_COMMANDS = [
    "/inbox",
    "/view {r}",
    "/export",
    "/reply {r} 답변",
    "/close {r} 끝",
    "/assign {r} 건축과",
    "/note {r} 메모",
    "/status {r}",
]


# The rows of 6 share the module's table bot (conftest table_row): each row's citizen, staff
# member, admin and group are ones no other row has used.


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("command", GROUP_COMMANDS)
async def test_staff_commands_in_another_group_say_where_to_use_them(table_row, command):
    bot = table_row
    b = store(bot.db, bot.citizen(), "비밀 민원 내용")
    tables = ("complaints", "complaint_history", "outbox")
    before = [list(bot.db[t].rows) for t in tables]
    calls = await bot.chat(bot.staff(), chat_id=bot.group()).send(command.format(r=b.receipt))
    assert [(c.method, c.text) for c in calls] == [("sendMessage", PLACE_TEXT)]
    assert before == [list(bot.db[t].rows) for t in tables]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("command", ["/stats", "/grant 555 staff", "/revoke 800", "/reload"])
async def test_admin_commands_in_another_group_say_where_to_use_them(table_row, command):
    """/stats shows unanswered questions and /grant user ids: admin data stays in staff places."""
    bot = table_row
    await bot.chat(bot.citizen()).send("외계인 등록증 재발급 수수료가 얼마인가요")
    staff_before = list(bot.db["staff"].rows)
    calls = await bot.chat(bot.admin(), chat_id=bot.group()).send(command)
    assert [(c.method, c.text) for c in calls] == [("sendMessage", PLACE_TEXT)]
    assert staff_before == list(bot.db["staff"].rows)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("data", ["s:done:{r}", "s:reply:{r}", "s:att:{r}", "i:all:0"])
async def test_staff_buttons_in_another_group_say_where_to_use_them(table_row, data):
    bot, group = table_row, table_row.group()
    b = store(bot.db, bot.citizen(), "비밀 민원 내용", latitude=35.8, longitude=127.1)
    seed = await bot.application.bot.send_message(group, "안내")
    calls = await bot.chat(bot.staff(), chat_id=group).press(
        data=data.format(r=b.receipt), message_id=seed.message_id
    )
    assert alerts(calls) == [PLACE_TEXT] and len(calls) == 1
    assert get_complaint(bot.db, b.receipt).status == "접수"


async def test_staff_commands_work_in_the_staff_chat_and_privately(local_bot):
    b = store(local_bot.db, CITIZEN_B, "민원 내용")
    for chat in (STAFF_CHAT, None):
        said = texts(await local_bot.chat(STAFF, chat_id=chat).send(f"/view {b.receipt}"))
        assert "민원 내용" in said and PLACE_TEXT not in said


# --- 7: staff see the phone number and the attachments; who looked is recorded ----------------


async def test_attachments_are_sent_on_request_and_every_view_is_recorded(local_bot):
    b = store(
        local_bot.db,
        CITIZEN_B,
        "사진 있는 민원",
        attachments=["photo-a", "photo-b"],
        latitude=35.82,
        longitude=127.15,
    )
    me = local_bot.chat(STAFF)
    shown = (await me.send(f"/view {b.receipt}"))[0]
    assert "연락처: 010-1234-5678" in shown.text
    assert ("첨부 보기", f"s:att:{b.receipt}") in shown.buttons
    calls = await me.press("첨부 보기")
    assert [c.params["photo"] for c in calls if c.method == "sendPhoto"] == ["photo-a", "photo-b"]
    [place] = [c for c in calls if c.method == "sendLocation"]
    assert (place.params["latitude"], place.params["longitude"]) == (35.82, 127.15)
    views = [
        (e["actor_id"], e["note"]) for e in history(local_bot.db, b.receipt) if e["kind"] == "view"
    ]
    assert views == [(STAFF, "상세 열람 (연락처 포함)"), (STAFF, "첨부 열람 (사진 2장, 위치)")]
    again = texts(await me.send(f"/view {b.receipt}"))
    assert f"직원 {STAFF} 첨부 열람 (사진 2장, 위치)" in again
    status = texts(await local_bot.chat(CITIZEN_B).send(f"/status {b.receipt}"))
    assert "열람" not in status and "010-1234-5678" not in status


async def test_a_complaint_without_attachments_has_no_attachment_button(local_bot):
    b = store(local_bot.db, CITIZEN_B, "글만 있는 민원")
    shown = (await local_bot.chat(STAFF).send(f"/view {b.receipt}"))[0]
    assert "첨부 보기" not in [label for label, _ in shown.buttons]
    seed = await local_bot.application.bot.send_message(STAFF, "안내")
    calls = await local_bot.chat(STAFF).press(
        data=f"s:att:{b.receipt}", message_id=seed.message_id
    )
    assert alerts(calls) == [staff.NO_ATTACHMENTS_TEXT]


async def test_the_staff_post_of_a_filed_complaint_shows_the_full_phone(local_bot):
    citizen = local_bot.chat(CITIZEN_B)
    await citizen.send("/complaint")
    await citizen.send("가로등이 고장났어요")
    await citizen.press("다음 ▶")
    await citizen.press("잘 모르겠어요")
    await citizen.press("동의합니다")
    await citizen.send("010-2222-3333")
    await citizen.press("접수하기")
    [posted] = [c for c in local_bot.api.sent(STAFF_CHAT, "sendMessage")]
    assert "연락처: 010-2222-3333" in posted.text


# --- 11: re-transfer, a reason to reject, internal notes, buttons of a closed complaint ---------


async def test_a_transferred_complaint_can_be_transferred_again(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    me = local_bot.chat(STAFF)
    await me.send(f"/assign {b.receipt} 도로관리과")
    assert "건축과(으)로 이관했습니다" in texts(await me.send(f"/assign {b.receipt} 건축과"))
    after = get_complaint(local_bot.db, b.receipt)
    assert (after.status, after.department) == (TRANSFERRED, "건축과")
    moves = [e["note"] for e in history(local_bot.db, b.receipt) if e["to_status"] == TRANSFERRED]
    assert moves == ["도로관리과(으)로 이관", "도로관리과 → 건축과 재이관"]
    assert "이미 건축과(으)로 이관" in texts(await me.send(f"/assign {b.receipt} 건축과"))


async def test_reject_asks_for_a_reason_and_tells_the_citizen_where_to_appeal(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    await post(local_bot, b)
    desk = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    calls = await desk.press("반려")
    asked = prompt_message(local_bot, calls)
    assert asked["text"].startswith(staff.REASON_MARK)
    assert get_complaint(local_bot.db, b.receipt).status == "접수"
    assert local_bot.db["outbox"].count == 0
    preview = (await desk.send("사유: 사유지 안의 시설물입니다", reply_to_message=asked))[-1]
    assert staff.APPEAL_TEXT in preview.text
    assert get_complaint(local_bot.db, b.receipt).status == "접수"
    await desk.press("보내기")
    assert get_complaint(local_bot.db, b.receipt).status == REJECTED
    [notice] = await answers_to(local_bot, CITIZEN_B)
    assert notice == (
        f"[민원 {b.receipt}] 상태가 '반려'(으)로 바뀌었습니다.\n"
        f"반려 사유: 사유: 사유지 안의 시설물입니다\n{staff.APPEAL_TEXT}"
    )


async def test_an_internal_note_is_shown_to_staff_only(local_bot):
    b = store(local_bot.db, CITIZEN_B, "B 민원")
    me = local_bot.chat(STAFF)
    said = texts(await me.send(f"/note {b.receipt} 민원인이 전화로\n두 번 항의함"))
    assert said == staff.NOTE_SAVED_TEXT.format(receipt=b.receipt)
    assert "내부 메모 (직원 800): 민원인이 전화로\n두 번 항의함" in texts(
        await me.send(f"/view {b.receipt}")
    )
    await me.send(f"/close {b.receipt} 처리했습니다")
    status = texts(await local_bot.chat(CITIZEN_B).send(f"/status {b.receipt}"))
    assert "항의" not in status and "처리했습니다" in status
    assert all("항의" not in text for text in await answers_to(local_bot, CITIZEN_B))


@pytest.mark.parametrize("how", ["/close", "done-in-view", "reject"])
async def test_closing_takes_the_buttons_off_the_staff_post(local_bot, how):
    citizen = local_bot.chat(CITIZEN_B)
    await citizen.send("/complaint")
    await citizen.send("가로등이 고장났어요")
    await citizen.press("다음 ▶")
    await citizen.press("잘 모르겠어요")
    await citizen.press("익명으로 접수")
    await citizen.press("접수하기")
    [posted] = local_bot.api.sent(STAFF_CHAT, "sendMessage")
    receipt = posted.text.split()[2]
    assert local_bot.api.messages[(STAFF_CHAT, posted.message_id)].get("reply_markup")
    me = local_bot.chat(STAFF)
    if how == "/close":
        await me.send(f"/close {receipt} 완료")
    elif how == "done-in-view":
        await me.send(f"/view {receipt}")
        await me.press("완료")
    else:
        await me.send(f"/view {receipt}")
        asked = prompt_message(local_bot, await me.press("반려"))
        await me.send("중복 민원", reply_to_message=asked)
        await me.press("보내기")
    assert get_complaint(local_bot.db, receipt).status in (DONE, REJECTED)
    assert "reply_markup" not in local_bot.api.messages[(STAFF_CHAT, posted.message_id)]


async def test_expired_prompts_and_their_drafts_are_purged_daily(local_bot):
    prompts.open_prompt(
        local_bot.db,
        chat_id=STAFF_CHAT,
        message_id=5,
        user_id=STAFF,
        receipt="20250301-AB2C",
        action=prompts.REPLY,
        ttl_seconds=0,
    )
    [job] = local_bot.application.job_queue.get_jobs_by_name("purge expired")
    await job.run(local_bot.application)
    assert local_bot.db["staff_prompts"].count == 0
