"""AiohttpRequest: the bot's Bot API client, against the fake Bot API over real HTTP."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from console.local_api import MAX_MESSAGE_CHARS
from fake_bot_api import WAIT_SECONDS, FakeBotApi
from transport.request import AiohttpRequest

CHAT = 42


@pytest.fixture
def api():
    with FakeBotApi() as server:
        yield server


def bot_on(api: FakeBotApi, **timeouts: float) -> Bot:
    return Bot(
        "123456:TRANSPORT-test",
        base_url=f"{api.url}/bot",
        request=AiohttpRequest(4, **timeouts),
        get_updates_request=AiohttpRequest(1),
    )


async def test_a_message_and_its_buttons_arrive_intact(api):
    async with bot_on(api) as bot:
        sent = await bot.send_message(
            CHAT,
            "접수번호 20261121-7K3Q & <b>안내</b> 😀",
            reply_markup={"inline_keyboard": [[{"text": "처리중", "callback_data": "s:prog:1"}]]},
        )
    params = api.params("sendMessage")[-1]
    assert params["text"] == "접수번호 20261121-7K3Q & <b>안내</b> 😀"
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "s:prog:1"
    assert sent.text == params["text"] and sent.chat_id == CHAT


async def test_a_file_is_uploaded_as_multipart_with_its_korean_name(api):
    content = "접수번호,내용\n20261121-7K3Q,가로등\n".encode("utf-8-sig")
    async with bot_on(api) as bot:
        sent = await bot.send_document(
            CHAT, content, filename="민원_내보내기.csv", caption="민원 내보내기"
        )
    params = api.params("sendDocument")[-1]
    assert (params["document_name"], params["document_bytes"], params["caption"]) == (
        "민원_내보내기.csv",
        content,
        "민원 내보내기",
    )
    assert (sent.document.file_name, sent.caption) == ("민원_내보내기.csv", "민원 내보내기")


@pytest.mark.parametrize(
    "text, markup, refusal",
    [
        ("", None, "message text is empty"),
        ("가" * (MAX_MESSAGE_CHARS + 1), None, "message is too long"),
        ("😀" * (MAX_MESSAGE_CHARS // 2 + 1), None, "message is too long"),  # UTF-16 units
        (
            "버튼",
            {"inline_keyboard": [[{"text": "처리", "callback_data": "가" * 22}]]},
            "BUTTON_DATA_INVALID",
        ),  # 66 bytes
    ],
)
async def test_the_fake_refuses_what_telegram_refuses(api, text, markup, refusal):
    async with bot_on(api) as bot:
        with pytest.raises(BadRequest, match=f"(?i){refusal}"):
            await bot.send_message(CHAT, text, reply_markup=markup)
    assert api.sent_to(CHAT) == []


async def test_an_edit_to_the_same_content_is_refused_and_a_real_edit_kept(api):
    async with bot_on(api) as bot:
        sent = await bot.send_message(CHAT, "처리 중입니다")
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("처리 중입니다", CHAT, sent.message_id)
        await bot.edit_message_text("처리했습니다", CHAT, sent.message_id)
    assert [m["text"] for m in api.sent_to(CHAT)] == ["처리했습니다"]


async def test_updates_are_long_polled(api):
    api.push_message(7, "안녕하세요")
    async with bot_on(api) as bot:
        updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates] == ["안녕하세요"]


async def test_a_late_answer_is_a_timeout(api):
    """A call not answered within its read timeout raises TimedOut; the client goes on.

    The fake holds the answer until the client hangs up, and only that call is short: with
    0.3 s on every call (getMe, the next message) and a 1 s delay, a busy machine timed out a
    call that was answered in time, or answered the late one first, now and then.
    """
    api.hold_next("sendMessage")
    async with bot_on(api, read_timeout=2 * WAIT_SECONDS) as bot:  # past any hold
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "늦은 답", read_timeout=0.3)
        assert (await bot.send_message(CHAT, "다음 답")).text == "다음 답"  # still works


async def test_a_dropped_connection_is_a_network_error(api):
    api.drop_next("sendMessage")
    async with bot_on(api) as bot:
        with pytest.raises(NetworkError) as error:
            await bot.send_message(CHAT, "끊긴 연결")
        assert not isinstance(error.value, TimedOut)
        assert (await bot.send_message(CHAT, "다시")).text == "다시"


async def test_error_answers_become_telegram_errors(api):
    api.fail_next("sendMessage", code=429, description="Too Many Requests", retry_after=3)
    api.fail_next("sendMessage", code=400, description="Bad Request: chat not found")
    async with bot_on(api) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(CHAT, "하나")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(CHAT, "둘")


async def test_a_closed_client_refuses_to_send(api):
    request, url = AiohttpRequest(1), f"{api.url}/bot123456:X/getMe"
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(url, "POST")
    await request.initialize()
    assert (await request.do_request(url, "POST"))[0] == 200
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(url, "POST")


@pytest.mark.parametrize("no_proxy, reaches_the_api", [("", False), ("127.0.0.1", True)])
async def test_proxy_variables_are_honoured(api, monkeypatch, no_proxy, reaches_the_api):
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("no_proxy", no_proxy)
    request, url = AiohttpRequest(1, connect_timeout=1), f"{api.url}/bot123456:X/getMe"
    await request.initialize()
    try:
        if reaches_the_api:
            assert (await request.do_request(url, "POST"))[0] == 200
        else:
            with pytest.raises(NetworkError):
                await request.do_request(url, "POST")
    finally:
        await request.shutdown()


def test_at_least_one_connection():
    with pytest.raises(ValueError):
        AiohttpRequest(0)
