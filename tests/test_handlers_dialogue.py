"""Lists, follow-ups, [자세히]/[출처] and the complaint-flow questions through the real
Application on the offline LocalBotApi (tested like a user)."""

from __future__ import annotations

import dataclasses

import pytest

from console.local_api import LocalBotApi, LocalChat
from db.complaints import list_complaints
from display import due_text
from handlers import complaint, keyboards
from handlers.app import build_application, running
from nlp import listing
from nlp.filing import asks_how_to_file, is_bare_request, is_question

CITIZEN = 42


def sent_texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


async def test_a_list_has_a_button_per_item_and_more(local_bot):
    me = local_bot.chat(CITIZEN)
    calls = await me.send("전주시 공약 몇 개예요")
    assert calls[0].text.startswith("전주시 공약은 모두 76개입니다.")
    labels = [label for label, _ in calls[0].buttons]
    assert labels[0].startswith("1. ") and len(labels) == 9 and labels[-1] == "더 보기"
    page = [c for c in await me.press("더 보기") if c.method == "sendMessage"]
    assert page[0].text.startswith("전주시 공약 76개 중 9–16번째입니다.")
    assert page[0].buttons[0][0].startswith("9. ")


async def test_a_request_to_gather_pledges_is_answered_with_their_list(local_bot):
    """ "정리해 주세요" about pledges asks for information, not for a street to be tidied."""
    calls = await local_bot.chat(CITIZEN).send("전주 교통 관련 공약 정리해 주세요")
    assert calls[0].text.startswith("전주시 '교통' 관련 공약은 모두")
    assert "민원 접수하기" not in [label for label, _ in calls[0].buttons]


async def test_a_short_first_page_has_as_many_buttons_and_the_next_page_follows(local_bot):
    """ "몇 개만 알려줘" shows three items; the buttons match, and [더 보기] goes on from 4."""
    me = local_bot.chat(CITIZEN)
    calls = await me.send("전북 다문화 관련 사업 몇 개만 알려줘")
    labels = [label for label, _ in calls[0].buttons]
    assert [label[:2] for label in labels] == ["1.", "2.", "3.", "더 "]
    page = [c for c in await me.press("더 보기") if c.method == "sendMessage"]
    assert page[0].buttons[0][0].startswith("4. ")
    assert "18개 중 12–18번째" in sent_texts(await me.send("다른 사업은?"))


async def test_a_tapped_item_becomes_the_context_of_follow_ups(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("인천 위원회 종류")
    shown = await me.press(
        data=f"{keyboards.ENTRY}"
        + local_bot.application.user_data[CITIZEN]["dialogue"]["items"][4]
    )
    assert "[마을공동체만들기위원회]" in sent_texts(shown)
    assert "박인서" in sent_texts(await me.send("위원장은?"))


async def test_follow_up_and_region_switch(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("다문화가족 특성화사업")
    assert "3,036" in sent_texts(await me.send("그거 예산은?"))
    await me.send("전북 주민참여예산 사업 있어요?")
    assert "인천광역시" in sent_texts(await me.send("인천은요?"))


async def test_a_follow_up_without_context_is_asked_back(local_bot):
    calls = await local_bot.chat(CITIZEN).send("예산은?")
    assert "어떤 사업의 예산을 말씀하시나요?" in calls[0].text and calls[0].buttons == []


async def test_the_context_survives_a_restart(local_bot_factory):
    async with local_bot_factory() as bot:
        await bot.chat(CITIZEN).send("다문화가족 특성화사업")
    async with local_bot_factory() as bot:
        assert "3,036" in sent_texts(await bot.chat(CITIZEN).send("그거 예산은?"))


async def test_the_context_expires_after_the_configured_idle_time(local_bot_factory):
    async with local_bot_factory() as bot:
        me = bot.chat(CITIZEN)
        await me.send("다문화가족 특성화사업")
        bot.application.user_data[CITIZEN]["dialogue"]["at"] -= 31 * 60  # 31 minutes idle
        assert "말씀하시나요" in sent_texts(await me.send("그거 예산은?"))
    async with local_bot_factory(context_idle_minutes=60.0) as bot:
        me = bot.chat(CITIZEN)
        await me.send("다문화가족 특성화사업")
        bot.application.user_data[CITIZEN]["dialogue"]["at"] -= 31 * 60
        assert "3,036" in sent_texts(await me.send("그거 예산은?"))


async def test_detail_and_source_buttons_and_the_source_command(local_bot):
    me = local_bot.chat(CITIZEN)
    calls = await me.send("인천 국민운동단체 등과 함께하는 협치 시정 추진 목표")
    assert [label for label, _ in calls[0].buttons][-1] == "출처"
    source = sent_texts(await me.press("출처"))
    assert source.startswith("출처: 인천광역시 · ") and "003_32de262c82867890.txt" in source
    assert sent_texts(await me.send("/source")) == source
    if (
        "자세히",
        keyboards.DETAIL + calls[0].buttons[0][1].removeprefix(keyboards.DETAIL),
    ) in calls[0].buttons:
        full = sent_texts(await me.press("자세히"))
        assert len(full) > len(calls[0].text)


async def test_source_without_an_answer(local_bot):
    assert "먼저 질문해 주세요" in sent_texts(await local_bot.chat(CITIZEN).send("/source"))


async def test_region_command_with_an_argument_chooses_it(local_bot):
    me = local_bot.chat(CITIZEN)
    assert "인천광역시" in sent_texts(await me.send("/region 인천"))
    assert local_bot.application.user_data[CITIZEN]["region"] == "인천광역시"


async def test_asking_to_file_starts_the_flow_and_asks_for_the_content(local_bot):
    me = local_bot.chat(CITIZEN)
    calls = await me.send("민원 넣고 싶어요")
    assert sent_texts(calls) == complaint.ASK_CONTENT_TEXT
    assert local_bot.application.user_data[CITIZEN]["complaint"]["content"] == ""


async def test_a_question_during_a_draft_is_asked_about(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("보도블록이 깨졌어요")
    calls = await me.send("접수하면 보통 며칠 안에 처리돼요?")
    assert calls[0].text.startswith("이 내용을 민원에 넣을까요, 질문으로 답해 드릴까요?")
    assert [label for label, _ in calls[0].buttons] == ["민원에 넣기", "질문으로 답하기"]
    answered = sent_texts(await me.press("질문으로 답하기"))
    assert "7일" in answered and complaint.STILL_DRAFTING_TEXT in answered
    assert (
        local_bot.application.user_data[CITIZEN]["complaint"]["content"] == "보도블록이 깨졌어요"
    )
    await me.send("왜 아직도 안 고쳐요?")
    await me.press("민원에 넣기")
    assert (
        local_bot.application.user_data[CITIZEN]["complaint"]["content"]
        == "보도블록이 깨졌어요\n왜 아직도 안 고쳐요?"
    )


async def test_the_receipt_states_the_legal_due_date(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("보도블록이 깨졌어요")
    await me.press("다음 ▶")
    await me.press("잘 모르겠어요")
    await me.press("익명으로 접수")
    receipt = sent_texts(await me.press("접수하기"))
    [filed] = list_complaints(local_bot.db)
    assert f"처리기한: {due_text(filed)}" in receipt
    assert list_complaints(local_bot.db)[0].content == "보도블록이 깨졌어요"


def test_bare_requests_and_questions_are_told_apart():
    assert [
        is_bare_request(t)
        for t in (
            "민원 넣고 싶어요",
            "민원 접수할게요",
            "신고하려고요",
            "가로등이 고장났어요",
            "민원 처리 기간",
        )
    ] == [True, True, True, False, False]
    assert [
        is_question(t)
        for t in ("며칠 걸려요?", "언제 처리되나요", "어제도 그랬어요", "사진 더 보낼게요")
    ] == [True, True, False, False]


def _unbuildable(*args, **kwargs):
    raise AssertionError("a message built what lists derive from every entry")


async def test_list_data_is_derived_at_start_not_by_a_message(
    bot_settings, kb, tokenizer, monkeypatch
):
    """What lists derive from every entry (the entries' substring index, ~70 ms) is built when
    the bot starts, not by the first citizen whose message needs it ("나주는요?")."""
    fresh = dataclasses.replace(kb)  # a knowledge base no message has met yet
    api = LocalBotApi()
    application = build_application(bot_settings, request=api, kb=fresh, tokenizer=tokenizer)
    async with running(application):
        monkeypatch.setattr(listing, "SubstringIndex", _unbuildable)
        me = LocalChat(application, api, user_id=CITIZEN)
        await me.send("전북 자매결연 지역 어디어디예요?")
        assert "[16개 공공기관과 상생" in sent_texts(await me.send("나주는요?"))


@pytest.mark.parametrize(
    "text, how",
    [
        ("도로 파손 신고 방법 알려 주세요", True),
        ("민원 접수 방법이 궁금합니다", True),
        ("어떻게 신고해요", True),
        ("신고는 어떻게 하나요", True),
        ("도로가 파손됐어요 신고합니다", False),
        ("신고하고 싶어요 도로가 깨졌어요", False),
        ("민원 넣고 싶어요", False),  # a bare request: the flow starts
        ("민원 어떻게 됐나요", False),  # one already filed
        ("어떻게 이렇게 방치할 수 있나요 신고합니다", False),
    ],
)
def test_a_question_how_to_file_is_told_from_a_complaint(text, how):
    assert asks_how_to_file(text) is how
