"""Flood control: messages per minute and complaints per day, on both sides of each limit.

The message limiter runs on a fake clock, so a minute passes without waiting; complaints are
counted from the database, so the tests store them with chosen creation times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config import SettingsError, load_settings
from db.complaints import create_complaint, list_complaints
from handlers import citizen, complaint
from handlers.app import FLOOD_GROUP
from handlers.flood import (
    COMPLAINT_LIMIT_TEXT,
    SLOW_DOWN_TEXT,
    WINDOW_SECONDS,
    FloodControl,
    MessageLimiter,
)

CITIZEN, OTHER, STAFF, ADMIN, STAFF_CHAT, GROUP = 42, 43, 800, 900, -100500, -100777
PER_MINUTE = 20  # the default


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(local_bot):
    """The running bot's flood limiter on a clock the test moves."""
    fake = FakeClock()
    [gate] = local_bot.application.handlers[FLOOD_GROUP]
    assert isinstance(gate, FloodControl)
    gate.limiter.clock = fake
    return fake


def texts(calls) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


async def walk_to_summary(me) -> None:
    """From a started draft to the summary: content, no attachment, no department, anonymous."""
    await me.send("가로등이 고장났어요")
    await me.press("다음 ▶")
    await me.press("잘 모르겠어요")
    await me.press("익명으로 접수")


def hours_ago(hours: int, **more: int) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours, **more)


def file_complaint(db, user_id: int, n: int, when: datetime | None = None):
    when = when or datetime.now(UTC)
    return create_complaint(
        db,
        idempotency_key=f"{user_id}:{n}:{when}",
        user_id=user_id,
        chat_id=user_id,
        content=f"민원 {n}",
        department=None,
        region=None,
        phone=None,
        anonymous=True,
        consent=False,
        now=when,
    )


async def test_messages_up_to_the_limit_are_answered_and_the_next_one_is_not(local_bot, clock):
    me = local_bot.chat(CITIZEN)
    for _ in range(PER_MINUTE):
        assert texts(await me.send("/help")) == [citizen.HELP_TEXT]
        clock.now += 0.1
    assert texts(await me.send("/help")) == [SLOW_DOWN_TEXT]


async def test_the_notice_is_sent_once_per_window_not_per_message(local_bot, clock):
    me = local_bot.chat(CITIZEN)
    for _ in range(PER_MINUTE):
        await me.send("/help")
    flood = [texts(await me.send("/help")) for _ in range(30)]
    assert flood == [[SLOW_DOWN_TEXT]] + [[]] * 29
    clock.now += WINDOW_SECONDS - 1  # still inside the window of the last messages
    assert texts(await me.send("/help")) == []
    clock.now += WINDOW_SECONDS + 1  # a quiet minute later the citizen is welcome again
    assert texts(await me.send("/help")) == [citizen.HELP_TEXT]


async def test_a_steady_rate_just_under_the_limit_is_never_refused(local_bot, clock):
    me = local_bot.chat(CITIZEN)
    for _ in range(3 * PER_MINUTE):
        assert texts(await me.send("/help")) == [citizen.HELP_TEXT]
        clock.now += WINDOW_SECONDS / PER_MINUTE


async def test_each_user_has_their_own_window(local_bot, clock):
    for _ in range(PER_MINUTE + 5):
        await local_bot.chat(CITIZEN).send("/help")
    assert texts(await local_bot.chat(OTHER).send("/help")) == [citizen.HELP_TEXT]


@pytest.mark.parametrize("user_id", [STAFF, ADMIN])
async def test_staff_and_admins_are_exempt(local_bot, clock, user_id):
    me = local_bot.chat(user_id)
    for _ in range(PER_MINUTE * 2):
        assert texts(await me.send("/help")) == [citizen.HELP_TEXT]


async def test_button_presses_count_and_are_answered_quietly(local_bot, clock):
    me = local_bot.chat(CITIZEN)
    [asked] = await me.send("/region")
    label, data = asked.buttons[0]
    for _ in range(PER_MINUTE - 1):
        calls = await me.press(data=data, message_id=asked.message_id)
        assert calls[0].method == "answerCallbackQuery" and not calls[0].params.get("text")
    answers = []
    for _ in range(3):
        calls = await me.press(data=data, message_id=asked.message_id)
        assert [c.method for c in calls] == ["answerCallbackQuery"]  # nothing else happens
        answers.append((calls[0].params.get("text"), calls[0].params.get("show_alert")))
    assert answers == [(SLOW_DOWN_TEXT, True), (None, False), (None, False)]


async def test_a_flood_in_a_group_is_dropped_without_a_word(local_bot, clock):
    member = local_bot.chat(CITIZEN, chat_id=GROUP)
    for _ in range(PER_MINUTE):
        await member.send("/help")
    assert texts(await member.send("/help")) == []
    assert texts(await local_bot.chat(CITIZEN).send("/help")) == []  # the limit is per user


async def test_a_dropped_update_leaves_the_complaint_draft_alone(local_bot, clock):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("가로등이 고장났어요")
    for _ in range(PER_MINUTE - 2):
        await me.send("/help")
    assert texts(await me.send("더 보탤 내용")) == [SLOW_DOWN_TEXT]
    clock.now += WINDOW_SECONDS + 1
    assert (
        local_bot.application.user_data[CITIZEN]["complaint"]["content"] == "가로등이 고장났어요"
    )
    await me.press("다음 ▶")
    assert "부서" in texts(me.api.calls[-1:])[0]


def test_the_limiter_forgets_idle_users(monkeypatch):
    from handlers import flood

    monkeypatch.setattr(flood, "MAX_TRACKED_USERS", 3)
    fake = FakeClock()
    limiter = MessageLimiter(2, clock=fake)
    for user_id in range(5):
        limiter.allow(user_id)
    fake.now += WINDOW_SECONDS + 1
    limiter.allow(99)
    assert list(limiter._recent) == [99]


def test_a_limiter_needs_a_positive_limit():
    with pytest.raises(ValueError):
        MessageLimiter(0)


# --- complaints per day ------------------------------------------------------------------------

LIMIT = 5  # the default


async def test_the_last_allowed_complaint_can_be_started_and_submitted(local_bot):
    for n in range(LIMIT - 1):
        file_complaint(local_bot.db, CITIZEN, n)
    me = local_bot.chat(CITIZEN)
    assert texts(await me.send("/complaint")) == [complaint.ASK_CONTENT_TEXT]
    await walk_to_summary(me)
    assert "접수번호" in "".join(texts(await me.press("접수하기")))
    assert len(list_complaints(local_bot.db, user_id=CITIZEN)) == LIMIT


async def test_one_more_complaint_than_the_limit_is_refused_at_the_start(local_bot):
    for n in range(LIMIT):
        file_complaint(local_bot.db, CITIZEN, n)
    me = local_bot.chat(CITIZEN)
    refusal = COMPLAINT_LIMIT_TEXT.format(limit=LIMIT)
    assert texts(await me.send("/complaint")) == [refusal]
    assert texts(await me.send("우리 집 앞 가로등이 고장났어요")) == [
        refusal
    ]  # a complaint message
    assert "complaint" not in local_bot.application.user_data.get(CITIZEN, {})
    assert texts(await me.send("새마을지도자 자녀 장학금 조건")) != [
        refusal
    ]  # questions still work


async def test_the_limit_is_checked_again_at_submission(local_bot):
    for n in range(LIMIT - 1):
        file_complaint(local_bot.db, CITIZEN, n)
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await walk_to_summary(me)
    file_complaint(local_bot.db, CITIZEN, 99)  # e.g. filed meanwhile from another device
    assert texts(await me.press("접수하기")) == [COMPLAINT_LIMIT_TEXT.format(limit=LIMIT)]
    assert len(list_complaints(local_bot.db, user_id=CITIZEN)) == LIMIT


async def test_a_retried_submission_of_a_stored_complaint_is_not_refused(local_bot, monkeypatch):
    """The receipt of the limit-reaching complaint failed to send; tapping again shows it."""
    for n in range(LIMIT - 1):
        file_complaint(local_bot.db, CITIZEN, n)
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await walk_to_summary(me)
    summary = me.api.sent(CITIZEN, "sendMessage")[-1]  # edited into the summary since
    local_bot.api.fail_next("editMessageText", code=502, description="Bad Gateway")
    await me.press("접수하기")
    assert len(list_complaints(local_bot.db, user_id=CITIZEN)) == LIMIT
    again = texts(await me.press(data="c:ok", message_id=summary.message_id))
    [stored] = list_complaints(local_bot.db, user_id=CITIZEN, limit=1)
    assert any(f"접수번호: {stored.receipt}" in text for text in again)
    assert len(list_complaints(local_bot.db, user_id=CITIZEN)) == LIMIT


async def test_complaints_older_than_a_day_do_not_count(local_bot):
    for n in range(LIMIT):
        file_complaint(local_bot.db, CITIZEN, n, when=hours_ago(24, seconds=1))
    assert texts(await local_bot.chat(CITIZEN).send("/complaint")) == [complaint.ASK_CONTENT_TEXT]


async def test_complaints_just_inside_the_day_count(local_bot):
    for n in range(LIMIT):
        file_complaint(local_bot.db, CITIZEN, n, when=hours_ago(23, minutes=59))
    assert "24시간" in texts(await local_bot.chat(CITIZEN).send("/complaint"))[0]


async def test_staff_may_file_any_number_of_complaints(local_bot):
    for n in range(LIMIT + 2):
        file_complaint(local_bot.db, STAFF, n)
    assert texts(await local_bot.chat(STAFF).send("/complaint")) == [complaint.ASK_CONTENT_TEXT]


async def test_limits_come_from_the_settings(local_bot_factory):
    async with local_bot_factory(flood_messages_per_minute=2, flood_complaints_per_day=1) as bot:
        me = bot.chat(CITIZEN)
        assert texts(await me.send("/complaint")) == [complaint.ASK_CONTENT_TEXT]
        await me.send("/cancel")
        assert texts(await me.send("/help")) == [SLOW_DOWN_TEXT]
        file_complaint(bot.db, OTHER, 1)
        assert texts(await bot.chat(OTHER).send("/complaint")) == [
            COMPLAINT_LIMIT_TEXT.format(limit=1)
        ]


@pytest.mark.parametrize("key", ["FLOOD_MESSAGES_PER_MINUTE", "FLOOD_COMPLAINTS_PER_DAY"])
@pytest.mark.parametrize("value, expected", [("1", 1), ("20", 20), (" 7 ", 7)])
def test_flood_settings_accept_positive_whole_numbers(key, value, expected):
    settings = load_settings({key: value}, env_file=None)
    assert getattr(settings, key.lower()) == expected


@pytest.mark.parametrize("key", ["FLOOD_MESSAGES_PER_MINUTE", "FLOOD_COMPLAINTS_PER_DAY"])
@pytest.mark.parametrize("value", ["0", "-3", "2.5", "many"])
def test_flood_settings_refuse_anything_else(key, value):
    with pytest.raises(SettingsError, match=f"^{key}: .*1 이상|^{key}: .*정수"):
        load_settings({key: value}, env_file=None)


def test_flood_defaults_and_documentation():
    settings = load_settings({}, env_file=None)
    assert (settings.flood_messages_per_minute, settings.flood_complaints_per_day) == (20, 5)
    from pathlib import Path

    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    assert "FLOOD_MESSAGES_PER_MINUTE=20" in example and "FLOOD_COMPLAINTS_PER_DAY=5" in example
