"""상담원 연결 through the real Application: request, claim, both directions, ending, office
hours and idle ends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from db.privacy import RRN_MASK
from db.relay import CLOSED, OPEN, WAITING, active_relay, get_relay, messages
from db.store import Store
from handlers import relay
from handlers.access import DENIED_TEXT

CITIZEN, STRANGER, STAFF, ADMIN, STAFF_CHAT = 42, 43, 800, 900, -100500
TUESDAY_10 = datetime(2025, 3, 4, 1, 0, tzinfo=UTC)  # 10:00 KST, a working day
SATURDAY_10 = datetime(2025, 3, 8, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Sets the relay handlers' clock: ``clock(moment)``."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(relay, "_now", lambda: moment)

    set_to(TUESDAY_10)
    return set_to


@pytest.fixture
async def sql_on_the_loop(local_bot, monkeypatch):
    """The SQL statements the bot's store runs on the event loop's thread (its writer's
    connection and every reader, opened now or later): a list that should stay empty."""
    loop_thread, seen = threading.get_ident(), []

    def trace(statement: str) -> None:
        if threading.get_ident() == loop_thread:
            seen.append(statement)

    opened = Store._open_reader

    def traced_reader(store):
        reader = opened(store)
        reader.conn.set_trace_callback(trace)
        return reader

    def trace_writer(db, callback) -> None:
        db.conn.set_trace_callback(callback)

    monkeypatch.setattr(Store, "_open_reader", traced_reader)
    await local_bot.store.write(trace_writer, trace)
    for reader in local_bot.store._readers:  # idle: the bot has not started reading yet
        reader.conn.set_trace_callback(trace)
    yield seen
    await local_bot.store.write(trace_writer, None)


def texts(calls, chat_id: int = CITIZEN) -> str:
    """What the bot wrote into ``chat_id`` in reply to these calls."""
    return "\n".join(
        c.text
        for c in calls
        if c.method in ("sendMessage", "editMessageText") and c.chat_id == chat_id
    )


def staff_chat_texts(bot) -> list[str]:
    return bot.api.texts(STAFF_CHAT)


def newest_post(bot, prefix: str) -> dict:
    """The newest bot message in the staff chat starting with ``prefix``."""
    for (chat_id, _), message in sorted(bot.api.messages.items(), reverse=True):
        if chat_id == STAFF_CHAT and message.get("text", "").startswith(prefix):
            return message
    raise LookupError(prefix)


async def test_a_citizen_reaches_a_person_and_either_side_is_told_at_the_end(
    local_bot, clock, file_complaint
):
    filed = file_complaint(local_bot.db, "가로등 고장", user_id=CITIZEN, consent=True)
    citizen = local_bot.chat(CITIZEN)
    assert texts(await citizen.send("/agent")) == relay.REQUESTED_TEXT
    post = newest_post(local_bot, "[상담 #1]")
    assert "민원인: 시민 (대화 42)" in post["text"]
    assert f"진행 중인 민원: {filed.receipt} (접수)" in post["text"]
    staff, admin = (
        local_bot.chat(STAFF, chat_id=STAFF_CHAT),
        local_bot.chat(ADMIN, chat_id=STAFF_CHAT),
    )
    assert staff.buttons() == [("연결 받기", "h:claim:1"), ("연결 종료", "h:end:1")]

    await citizen.send("집 앞 도로가 파였어요")  # relayed, not answered by the matcher
    assert staff_chat_texts(local_bot)[-1] == "[상담 #1] 시민: 집 앞 도로가 파였어요"
    assert local_bot.api.texts(CITIZEN)[-1] == relay.REQUESTED_TEXT
    copy = newest_post(local_bot, "[상담 #1] 시민:")
    assert texts(await staff.send("확인했습니다", reply_to_message=copy), STAFF_CHAT) == (
        relay.NOT_CLAIMED_TEXT
    )

    claimed = await staff.press("연결 받기")
    assert claimed[0].params["text"] == relay.CLAIM_DONE_TEXT
    assert "담당: 시민 (직원 800) — 연결됨" in newest_post(local_bot, "[상담 #1] 상담원")["text"]
    assert local_bot.api.texts(CITIZEN)[-1] == relay.CLAIMED_CITIZEN_TEXT
    again = await staff.press(data="h:claim:1")
    other = await admin.press(data="h:claim:1")
    assert again[0].params["text"] == relay.CLAIM_MINE_TEXT
    assert other[0].params["text"] == relay.CLAIM_TAKEN_TEXT
    assert get_relay(local_bot.db, 1).staff_id == STAFF

    assert texts(await staff.send("내일 보수합니다", reply_to_message=copy), STAFF_CHAT) == (
        relay.FORWARDED_TEXT
    )
    assert local_bot.api.texts(CITIZEN)[-1] == "[상담원] 내일 보수합니다"
    assert (
        texts(await admin.send("제가 답할게요", reply_to_message=copy), STAFF_CHAT)
        == relay.NOT_YOURS_TEXT
    )

    ended = await citizen.send("/endchat")
    assert local_bot.api.texts(CITIZEN)[-1] == relay.ENDED_TEXTS["citizen"]
    assert staff_chat_texts(local_bot)[-1] == "[상담 #1] 상담이 끝났습니다 (민원인이 종료)."
    assert any(c.method == "editMessageReplyMarkup" for c in ended)
    assert get_relay(local_bot.db, 1).status == CLOSED
    after = await citizen.send("청년 월세 지원 조건 알려줘")  # back to the Q&A
    assert not any(c.chat_id == STAFF_CHAT for c in after)
    assert (
        texts(await staff.send("더 있나요?", reply_to_message=copy), STAFF_CHAT)
        == relay.RELAY_OVER_TEXT
    )
    stored = [(m["direction"], m["text"]) for m in messages(local_bot.db, 1)]
    assert stored == [
        ("citizen", "집 앞 도로가 파였어요"),
        ("staff", relay.CLAIMED_CITIZEN_TEXT),
        ("staff", "내일 보수합니다"),
    ]


async def test_private_messages_reach_the_relay_or_the_answers_without_sql_on_the_loop(
    local_bot, clock, sql_on_the_loop
):
    """Whether a citizen is in a relay is known without reading SQLite on the event loop, for
    every private message: in a relay, after it ends, and for someone who never asked."""
    citizen, staff = local_bot.chat(CITIZEN), local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    await citizen.send("/agent")
    await citizen.send("집 앞 도로가 파였어요")
    assert staff_chat_texts(local_bot)[-1] == "[상담 #1] 시민: 집 앞 도로가 파였어요"
    await staff.send("/endchat 1")
    after = await citizen.send("청년 월세 지원 조건 알려줘")
    assert not any(c.chat_id == STAFF_CHAT for c in after) and texts(after)
    assert texts(await local_bot.chat(STRANGER).send("청년 월세 지원 조건 알려줘"), STRANGER)
    assert sql_on_the_loop == [], "\n".join(sql_on_the_loop)


async def test_a_relay_open_before_a_restart_still_takes_the_citizens_texts(
    local_bot_factory, bot_settings, clock
):
    from db.database import open_database
    from db.relay import open_relay

    before = open_database(bot_settings.database_path)
    open_relay(before, user_id=CITIZEN, chat_id=CITIZEN, name="시민", staff_chat_id=STAFF_CHAT)
    before.close()
    async with local_bot_factory() as bot:
        await bot.chat(CITIZEN).send("아직 연결 중인가요?")
        assert bot.api.texts(STAFF_CHAT)[-1] == "[상담 #1] 시민: 아직 연결 중인가요?"


async def test_staff_end_the_relay_with_the_button_and_a_double_tap_tells_nobody_twice(
    local_bot, clock
):
    citizen = local_bot.chat(CITIZEN)
    await citizen.send("/agent")
    staff = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    await staff.press("연결 받기")
    sent_before = len(local_bot.api.texts(CITIZEN))
    await staff.press(data="h:end:1")
    assert local_bot.api.texts(CITIZEN)[-1] == relay.ENDED_TEXTS["staff"]
    assert staff_chat_texts(local_bot)[-1] == "[상담 #1] 상담이 끝났습니다 (직원 800 종료)."
    second = await staff.press(data="h:end:1")
    assert relay.RELAY_OVER_TEXT in [c.params.get("text") for c in second]
    assert len(local_bot.api.texts(CITIZEN)) == sent_before + 1


async def test_staff_end_a_relay_by_command(local_bot, clock):
    await local_bot.chat(CITIZEN).send("/agent")
    staff = local_bot.chat(STAFF, chat_id=STAFF_CHAT)
    await staff.send("/endchat 1")
    assert get_relay(local_bot.db, 1).closed_by == "staff"
    assert texts(await staff.send("/endchat 1"), STAFF_CHAT) == relay.RELAY_OVER_TEXT
    assert texts(await staff.send("/endchat 없음"), STAFF_CHAT) == relay.ENDCHAT_USAGE
    assert texts(await local_bot.chat(CITIZEN).send("/endchat")) == relay.NO_RELAY_TEXT


@pytest.mark.parametrize("opener", ["/agent", "상담원 연결", "상담원 연결해 주세요", "button"])
async def test_every_way_in_opens_one_relay(local_bot, clock, opener):
    citizen = local_bot.chat(CITIZEN)
    if opener == "button":
        await citizen.send("강아지 산책 모임 알려주세요")  # not found: the buttons below it
        calls = await citizen.press("상담원 연결")
    else:
        calls = await citizen.send(opener)
    assert texts(calls) == relay.REQUESTED_TEXT
    assert active_relay(local_bot.db, CITIZEN).status == WAITING
    assert texts(await citizen.send("/agent")) == relay.ALREADY_TEXT
    assert local_bot.db["relays"].count == 1


async def test_citizens_cannot_claim_or_answer(local_bot, clock):
    await local_bot.chat(CITIZEN).send("/agent")
    stranger = local_bot.chat(STRANGER, chat_id=STAFF_CHAT)
    calls = await stranger.press(data="h:claim:1")
    assert calls[0].params["text"] == DENIED_TEXT
    post = newest_post(local_bot, "[상담 #1]")
    assert (
        texts(await stranger.send("제가 받을게요", reply_to_message=post), STAFF_CHAT)
        == DENIED_TEXT
    )
    assert get_relay(local_bot.db, 1).status == WAITING
    assert (await stranger.press(data="h:end:1"))[0].params["text"] == DENIED_TEXT


async def test_outside_office_hours_the_citizen_is_told_when_and_the_request_waits(
    local_bot, clock
):
    clock(SATURDAY_10)
    calls = await local_bot.chat(CITIZEN).send("/agent")
    assert texts(calls) == relay.AFTER_HOURS_TEXT.format(
        opens="09:00", closes="18:00", when="3월 10일(월) 09:00"
    )
    assert (
        "상담 시간 외 요청: 3월 10일(월) 09:00부터" in newest_post(local_bot, "[상담 #1]")["text"]
    )
    clock(SATURDAY_10 + timedelta(days=1))  # Sunday: still waiting, the idle clock has not run
    await relay.end_idle_relays(_job_context(local_bot))
    assert get_relay(local_bot.db, 1).status == WAITING


async def test_an_idle_relay_ends_by_itself_and_both_sides_are_told(local_bot, clock):
    await local_bot.chat(CITIZEN).send("/agent")
    await local_bot.chat(STAFF, chat_id=STAFF_CHAT).press("연결 받기")
    clock(TUESDAY_10 + timedelta(minutes=29))
    await relay.end_idle_relays(_job_context(local_bot))
    assert get_relay(local_bot.db, 1).status == OPEN
    clock(TUESDAY_10 + timedelta(minutes=31))
    await relay.end_idle_relays(_job_context(local_bot))
    assert get_relay(local_bot.db, 1).closed_by == "idle"
    assert local_bot.api.texts(CITIZEN)[-1] == relay.ENDED_TEXTS["idle"]
    assert staff_chat_texts(local_bot)[-1] == "[상담 #1] 상담이 끝났습니다 (대화 없음)."


async def test_relayed_texts_are_stored_and_sent_with_resident_numbers_masked(local_bot, clock):
    citizen = local_bot.chat(CITIZEN)
    await citizen.send("/agent")
    await citizen.send("제 주민번호는 900101-1234567 입니다")
    [stored] = messages(local_bot.db, 1)
    assert stored["text"] == f"제 주민번호는 {RRN_MASK} 입니다"
    assert "1234567" not in staff_chat_texts(local_bot)[-1]
    assert all("1234567" not in row["text"] for row in local_bot.db["outbox"].rows)


async def test_only_text_is_relayed_and_the_citizen_is_told(local_bot, clock):
    citizen = local_bot.chat(CITIZEN)
    await citizen.send("/agent")
    photo = [{"file_id": "AgAC-1", "file_unique_id": "u1", "width": 1, "height": 1}]
    calls = await citizen.send_message(photo=photo)
    assert texts(calls) == relay.TEXT_ONLY_TEXT
    assert not any(c.chat_id == STAFF_CHAT for c in calls)


async def test_without_a_staff_chat_the_citizen_is_pointed_elsewhere(local_bot_factory, clock):
    async with local_bot_factory(staff_chat_id=None) as bot:
        assert texts(await bot.chat(CITIZEN).send("/agent")) == relay.UNAVAILABLE_TEXT
        assert bot.db["relays"].count == 0


def _job_context(bot):
    return bot.application.context_types.context(bot.application)
