"""The complaint flow's edges: a step whose reply Telegram refuses (the stored step stays the
one the citizen saw, in memory and on the disk, so a restart does not put them a step ahead of
their chat), and a question how to file that describes a problem (its [민원 접수하기] starts
the draft with the problem)."""

from __future__ import annotations

import json

import pytest

from handlers import complaint
from handlers.errors import APOLOGY_TEXT
from nlp.answer import HOW_TO_FILE_TEXT
from nlp.filing import described_problem

CITIZEN = 42


def stored_step(bot, user_id: int = CITIZEN) -> object | None:
    """The complaint conversation's step as the database holds it for the citizen."""
    row = bot.db.execute(
        "select state from persistence_conversations where name = ? and key = ?",
        [complaint.CONVERSATION, json.dumps([user_id, user_id])],
    ).fetchone()
    return json.loads(row[0]) if row else None


async def settle(bot) -> None:
    """Everything the bot handed to its persistence is on the disk."""
    await bot.application.update_persistence()
    await bot.application.persistence.flush()


def texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


async def test_a_tapped_step_telegram_refused_is_not_kept_across_a_restart(local_bot_factory):
    async with local_bot_factory(menus=False) as bot:
        me = bot.chat(CITIZEN)
        await me.send("/complaint")
        await me.send("가로등이 고장났어요")
        bot.api.fail_next("editMessageText", code=502, description="Bad Gateway")
        calls = await me.press("다음 ▶")
        assert APOLOGY_TEXT in texts(calls)  # the department buttons never came
        await settle(bot)
        assert stored_step(bot) == complaint.ATTACH
        chat = dict(bot.api.messages)
    async with local_bot_factory(menus=False) as bot:
        bot.api.messages.update(chat)  # Telegram keeps the chat across the bot's restart
        me = bot.chat(CITIZEN)
        calls = await me.press("다음 ▶")  # the button the citizen still sees
        assert complaint.DEPARTMENT_TEXT in texts(calls) or complaint.NO_DEPARTMENT_TEXT in texts(
            calls
        )
        assert me.buttons()[-1][0] == "잘 모르겠어요"


async def test_content_sent_again_after_a_refused_reply_is_kept_once(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    local_bot.api.fail_next("sendMessage", code=502, description="Bad Gateway")
    await me.send("공원 화장실 문이 고장났어요")
    await settle(local_bot)
    assert stored_step(local_bot) == complaint.CONTENT
    calls = await me.send("공원 화장실 문이 고장났어요")  # the citizen saw no answer: again
    assert complaint.ASK_ATTACHMENTS_TEXT in texts(calls)
    assert local_bot.application.user_data[CITIZEN]["complaint"]["content"] == (
        "공원 화장실 문이 고장났어요"
    )


async def test_a_refused_first_step_leaves_no_draft_open(local_bot):
    me = local_bot.chat(CITIZEN)
    local_bot.api.fail_next("sendMessage", code=502, description="Bad Gateway")
    await me.send("/complaint")
    await settle(local_bot)
    assert stored_step(local_bot) is None
    assert "complaint" not in local_bot.application.user_data[CITIZEN]


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("가로등 고장 신고 어떻게 해요?", "가로등 고장"),
        ("도로 파손 신고 방법 알려 주세요", "도로 파손"),
        ("불법주차 신고하려면 어떻게 해야 돼요", "불법주차"),
        ("가로등 고장 신고는 어떻게 하나요", "가로등 고장"),
        ("층간소음 민원 넣는 방법", "층간소음"),
        ("집 앞 하수구가 막혔는데 어디에 신고해요?", "집 앞 하수구가 막혔는데"),
        # the wish to file, with nothing to file
        ("민원 넣는 방법 알려주세요", ""),
        ("어떻게 신고해요?", ""),
        ("어디에 신고해야 돼요?", ""),
        ("민원 신고 방법", ""),
        ("제가 신고 방법을 몰라서요", ""),
        ("혹시 민원 접수 방법 알려 주세요", ""),
    ],
)
def test_a_question_how_to_file_names_the_problem_it_describes(question, problem):
    assert described_problem(question) == problem


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("가로등 고장 신고 어떻게 해요?", "가로등 고장"),
        ("도로 파손 신고 방법 알려 주세요", "도로 파손"),
        ("불법주차 신고하려면 어떻게 해야 돼요", "불법주차"),
    ],
)
async def test_filing_after_how_to_file_starts_the_draft_with_the_problem(
    local_bot, question, problem
):
    me = local_bot.chat(CITIZEN)
    assert texts(await me.send(question)) == HOW_TO_FILE_TEXT
    assert "complaint" not in local_bot.application.user_data[CITIZEN]
    calls = await me.press("민원 접수하기")
    assert texts(calls) == complaint.PROBLEM_CARRIED_TEXT.format(content=problem)
    assert local_bot.application.user_data[CITIZEN]["complaint"]["content"] == problem
    await me.send("전주시 효자동 주민센터 앞이고 어제 밤부터입니다")  # what was missing
    draft = local_bot.application.user_data[CITIZEN]["complaint"]
    assert draft["content"] == f"{problem}\n전주시 효자동 주민센터 앞이고 어제 밤부터입니다"
    assert [label for label, _ in me.buttons()] == ["다음 ▶", "취소"]


async def test_filing_after_how_to_file_without_a_problem_asks_for_it(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("가로등 고장 신고 어떻게 해요?")
    await me.send("민원 넣는 방법 알려주세요")  # the newer question describes nothing
    assert texts(await me.press("민원 접수하기")) == complaint.ASK_CONTENT_TEXT
    assert local_bot.application.user_data[CITIZEN]["complaint"]["content"] == ""
