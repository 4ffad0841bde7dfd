"""/unanswered: an admin groups what the bot could not answer and teaches it — an entry's
aliases or a short FAQ answer — previewed, stored in curated.yaml with who and when, published
as a version and live at once; /stats counts what the taught entries answered since."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
import yaml

from handlers import teaching
from handlers.access import ADMIN_DENIED_TEXT

ADMIN, STAFF, CITIZEN, OTHER_ADMIN = 900, 800, 42, 901
ASKED = (
    "여권 재발급 수수료 얼마예요",
    "여권 재발급 수수료 얼마예요",
    "여권 재발급 수수로 얼마예요",
)
ASKED_AGAIN = "여권재발급 수수료 얼마예요"


@pytest.fixture
def bot(writable_bot):
    return writable_bot  # conftest: the bot on a writable copy of the knowledge directory


def texts(calls) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


def taught(directory: Path) -> list[dict]:
    return yaml.safe_load((directory / "curated.yaml").read_text(encoding="utf-8")).get(
        "taught", []
    )


async def ask_unanswered(bot) -> None:
    for question in ASKED:
        await bot.chat(CITIZEN).send(question)
    await bot.store.flush()  # the question log is written behind the replies


async def reply_to_prompt(bot, chat, calls, text: str):
    """Replies to the bot's newest ForceReply prompt in ``calls``."""
    [prompt] = [c for c in calls if c.params.get("reply_markup", {}).get("force_reply")]
    asked = bot.api.messages[(chat.chat["id"], prompt.message_id)]
    return await chat.send(text, reply_to_message=asked)


async def test_unanswered_lists_similar_questions_as_one_group_with_counts(bot):
    await ask_unanswered(bot)
    [listing] = texts(await bot.chat(ADMIN).send("/unanswered"))
    assert listing.splitlines()[:3] == [
        "최근 7일 답하지 못했거나 확신이 낮았던 질문 3개 · 비슷한 것끼리 1묶음",
        "1. «여권 재발급 수수료 얼마예요» — 3번",
        "   · 여권 재발급 수수로 얼마예요 (1)",
    ]
    assert [label for label, _ in bot.chat(ADMIN).buttons()] == ["1 항목", "1 답"]


@pytest.mark.parametrize(
    "args, reply",
    [
        ("", teaching.NONE_TEXT.format(days=7)),
        (" 30", teaching.NONE_TEXT.format(days=30)),
        (" 0", teaching.USAGE_TEXT),
        (" 91", teaching.USAGE_TEXT),
        (" 일주일", teaching.USAGE_TEXT),
        (" 7 8", teaching.USAGE_TEXT),
    ],
)
async def test_unanswered_arguments(bot, args, reply):
    assert texts(await bot.chat(ADMIN).send(f"/unanswered{args}")) == [reply]


@pytest.mark.parametrize("user", [CITIZEN, STAFF])
async def test_only_admins_may_see_or_teach(bot, user):
    await ask_unanswered(bot)
    assert texts(await bot.chat(user).send("/unanswered")) == [ADMIN_DENIED_TEXT]
    await bot.chat(ADMIN).send("/unanswered")
    [(_, data), _] = bot.chat(ADMIN).buttons()
    calls = await bot.chat(user).press(data=data)
    [alert] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert alert.params["text"] == ADMIN_DENIED_TEXT
    assert not [c for c in calls if c.method == "sendMessage"]


async def test_picking_an_entry_makes_the_questions_its_aliases_after_a_preview(bot):
    await ask_unanswered(bot)
    me = bot.chat(ADMIN)
    await me.send("/unanswered")
    prompt = await me.press("1 항목")
    assert texts(prompt)[-1].startswith(teaching.SEARCH_MARK)
    found = await reply_to_prompt(bot, me, prompt, "다문화가족지원센터")
    assert texts(found)[-1].startswith("'다문화가족지원센터'(으)로 찾은 항목입니다.")
    label = me.buttons()[0][0]
    preview = texts(await me.press(label))[-1]
    assert preview.startswith("미리보기 — 아직 저장하지 않았습니다.")
    assert "별칭으로 넣을 질문 2개" in preview and "· 여권 재발급 수수로 얼마예요 (1번)" in preview
    assert taught(bot.directory) == []  # nothing stored before [저장]

    saved = texts(await me.press("저장"))[-1]
    assert saved.startswith("저장했습니다: 버전 2. 지금부터 답에 씁니다.")
    [item] = taught(bot.directory)
    assert item["questions"] == ["여권 재발급 수수료 얼마예요", "여권 재발급 수수로 얼마예요"]
    assert item["by"] == str(ADMIN) and item["at"] and item["entry"]
    entry = bot.application.bot_data["kb"].get(item["entry"])
    assert "여권 재발급 수수로 얼마예요" in entry.aliases
    listing = texts(await me.send("/kb_versions"))[0]
    assert "가르침: 여권 재발급 수수료 얼마예요" in listing

    reply = texts(await bot.chat(CITIZEN).send(ASKED[0]))[0]
    assert entry.title in reply
    await bot.store.flush()  # the question log is written behind the replies
    stats = texts(await me.send("/stats"))[0]
    assert f"· «{entry.title[:39]}" in stats and "— 1번" in stats


async def test_a_short_answer_becomes_an_faq_entry_with_region_and_department(bot):
    await ask_unanswered(bot)
    me = bot.chat(ADMIN)
    await me.send("/unanswered")
    prompt = await me.press("1 답")
    assert texts(prompt)[-1].startswith(teaching.ANSWER_MARK)
    answer = "지역: 전주\n부서: 민원여권과\n10년 복수여권 재발급 수수료는 53,000원입니다."
    preview = texts(await reply_to_prompt(bot, me, prompt, answer))[-1]
    assert preview.splitlines()[:3] == [
        "미리보기 — 아직 저장하지 않았습니다.",
        "새 FAQ 항목 «여권 재발급 수수료 얼마예요» (전주시 · 민원여권과)",
        "답: 10년 복수여권 재발급 수수료는 53,000원입니다.",
    ]
    assert "53,000원" not in texts(await bot.chat(CITIZEN).send(ASKED_AGAIN))[0]

    assert texts(await me.press("저장"))[-1].startswith("저장했습니다: 버전 2.")
    [item] = taught(bot.directory)
    assert (item["region"], item["department"], item["by"]) == ("전주시", "민원여권과", "900")
    reply = texts(await bot.chat(CITIZEN).send(ASKED_AGAIN))[0]
    assert "53,000원" in reply
    await bot.store.flush()  # the question log is written behind the replies
    stats = texts(await me.send("/stats"))[0]
    assert "[가르친 답] 가르친 뒤 답한 질문 수" in stats
    assert "· «여권 재발급 수수료 얼마예요» — 1번" in stats


@pytest.mark.parametrize(
    "answer, reply",
    [
        ("지역: 서울\n답입니다", "'서울'은(는) 지역 목록에 없습니다."),
        ("지역: 전주시", teaching.EMPTY_ANSWER_TEXT),
        ("가" * (teaching.MAX_ANSWER_CHARS + 1), teaching.LONG_ANSWER_TEXT),
    ],
)
async def test_a_bad_answer_is_refused_and_nothing_is_stored(bot, answer, reply):
    await ask_unanswered(bot)
    me = bot.chat(ADMIN)
    await me.send("/unanswered")
    prompt = await me.press("1 답")
    said = texts(await reply_to_prompt(bot, me, prompt, answer))
    assert said[-1].startswith(reply) and taught(bot.directory) == []


async def test_cancel_and_someone_elses_reply_change_nothing(bot):
    bot.settings = bot.application.bot_data["settings"] = dataclasses.replace(
        bot.settings, admin_ids=bot.settings.admin_ids | {OTHER_ADMIN}
    )
    await ask_unanswered(bot)
    me = bot.chat(ADMIN)
    await me.send("/unanswered")
    prompt = await me.press("1 답")
    other = bot.chat(OTHER_ADMIN, chat_id=ADMIN)
    [prompt_call] = [c for c in prompt if c.params.get("reply_markup", {}).get("force_reply")]
    asked = bot.api.messages[(ADMIN, prompt_call.message_id)]
    assert texts(await other.send("남의 답", reply_to_message=asked)) == [teaching.NOT_YOURS_TEXT]
    await reply_to_prompt(bot, me, prompt, "수수료는 53,000원입니다.")
    assert texts(await me.press("취소")) == [teaching.CANCELLED_TEXT]
    assert taught(bot.directory) == []
    assert texts(await me.press(data="t:save:00000000")) == []  # only an alert: gone


async def test_each_preview_saves_its_own_group_once(bot):
    await ask_unanswered(bot)
    await bot.chat(CITIZEN).send("주차장 야간 개방 시간 알려주세요")
    await bot.store.flush()
    me = bot.chat(ADMIN)
    await me.send("/unanswered")
    first = await reply_to_prompt(bot, me, await me.press("1 답"), "여권 답입니다.")
    await reply_to_prompt(bot, me, await me.press("2 답"), "주차장 답입니다.")
    [save_first] = [data for label, data in first[-1].buttons if label == "저장"]
    assert texts(await me.press(data=save_first, message_id=first[-1].message_id))[-1].startswith(
        "저장했습니다: 버전 2."
    )
    [item] = taught(bot.directory)
    assert (item["answer"], item["questions"][0]) == ("여권 답입니다.", ASKED[0])
    again = await me.press(data=save_first, message_id=first[-1].message_id)
    assert texts(again) == [teaching.TAUGHT_ALREADY_TEXT.format(n=1)]
    assert len(taught(bot.directory)) == 1
    assert texts(await me.press("저장"))[-1].startswith("저장했습니다: 버전 3.")
    assert [t["answer"] for t in taught(bot.directory)] == ["여권 답입니다.", "주차장 답입니다."]


async def test_a_reply_to_an_expired_prompt_is_refused(local_bot_factory, knowledge_dir):
    async with local_bot_factory(knowledge_dir=knowledge_dir, complaint_timeout_seconds=0) as bot:
        await ask_unanswered(bot)
        me = bot.chat(ADMIN)
        await me.send("/unanswered")
        said = await reply_to_prompt(bot, me, await me.press("1 답"), "여권 답입니다.")
        assert texts(said) == [teaching.GONE_TEXT]
        assert taught(knowledge_dir) == []


async def test_grouping_and_the_entry_search_run_on_the_matcher_thread(bot, monkeypatch):
    """Grouping a month of questions and searching the index are matcher work, not the loop's."""
    threads = []

    def recording(work):
        def run(*args, **kwargs):
            threads.append(threading.current_thread().name)
            return work(*args, **kwargs)

        return run

    monkeypatch.setattr(teaching, "group_questions", recording(teaching.group_questions))
    monkeypatch.setattr(teaching, "search", recording(teaching.search))
    await ask_unanswered(bot)
    me = bot.chat(ADMIN)
    await me.send("/unanswered")
    prompt = await me.press("1 항목")
    await reply_to_prompt(bot, me, prompt, "다문화가족지원센터")
    assert len(threads) == 2 and all(name.startswith("matcher") for name in threads), threads
