"""An admin sends a file to the bot: preview → [반영] publishes a numbered version → answers
change; /kb_versions lists versions and /rollback N brings one back; bad files change nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from db.complaints import list_complaints
from db.staff import role_of
from handlers import access, admin, citizen, complaint
from tests.fixtures import render

ADMIN, STAFF, CITIZEN = 900, 800, 42
QUESTION = "가나 여권 재발급 수수료 얼마예요"
ANSWERED = "다문화가족지원센터 어디서 해요"  # answered by the bundled knowledge base


@pytest.fixture
def bot(writable_bot):
    return writable_bot  # conftest: the bot on a writable copy of the knowledge directory


def texts(calls) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


async def test_an_uploaded_faq_sheet_is_previewed_then_published_and_rolled_back(bot):
    admin_chat = bot.chat(ADMIN)
    before = files(bot.directory)
    assert "53,000원" not in texts(await bot.chat(CITIZEN).send(QUESTION))[0]
    await bot.chat(CITIZEN).send("다문화가족지원센터 어디서 해요")  # answered, and stays so
    calls = await admin_chat.send_file("faq.xlsx", render.xlsx(render.FAQ_ROWS), caption="가나시")
    preview = texts(calls)[-1]
    assert texts(calls)[0] == "faq.xlsx을(를) 읽는 중입니다…"
    assert "미리보기" in preview and "자주 묻는 질문 2개" in preview
    assert "여권 재발급 수수료는 얼마인가요?" in preview
    assert "이 자료를 넣으면 달라지는 답: 1개 (최근 30일 질문 2개 중)" in preview
    assert files(bot.directory) == before  # nothing changes before [반영]
    assert "53,000원" not in texts(await bot.chat(CITIZEN).send(QUESTION))[0]

    published = texts(await admin_chat.press("반영"))[-1]
    assert published.startswith("faq.xlsx을(를) 반영했습니다: 버전 2.")
    assert "53,000원" in texts(await bot.chat(CITIZEN).send(QUESTION))[0]
    listing = texts(await admin_chat.send("/kb_versions"))[0]
    assert "1. " in listing and "처음 상태" in listing and "추가: faq.xlsx" in listing

    rolled = texts(await admin_chat.send("/rollback 1"))[-1]
    assert rolled.startswith("버전 1(으)로 되돌렸습니다(새 버전 3).")
    assert files(bot.directory) == before
    assert "53,000원" not in texts(await bot.chat(CITIZEN).send(QUESTION))[0]


async def test_cancel_changes_nothing(bot):
    before = files(bot.directory)
    await bot.chat(ADMIN).send_file("faq.csv", render.csv(render.FAQ_ROWS), caption="가나시")
    assert texts(await bot.chat(ADMIN).press("취소")) == [admin.CANCELLED_TEXT]
    assert files(bot.directory) == before
    assert texts(await bot.chat(ADMIN).press(data="k:pub:00000000")) == [admin.GONE_TEXT]


@pytest.mark.parametrize(
    "name, data, fields, reason",
    [
        ("사진.jpg", b"\xff\xd8", {}, "읽을 수 없는 파일 형식입니다(.jpg)"),
        ("깨진.pdf", b"%PDF-1.4 broken", {}, "PDF 파일이 손상되어 읽을 수 없습니다"),
        ("깨진.hwp", b"not a hwp", {}, "한글 문서가 손상되었거나"),
        (
            "열없음.csv",
            render.csv((("부서", "위치"), ("세정과", "2층"))),
            {},
            "'전화' 열이 필요합니다",
        ),
        ("큰.pdf", b"%PDF", {"file_size": 30_000_000}, "파일이 너무 큽니다(30 MB). 20 MB 이하로"),
        (
            "지역.csv",
            render.csv(
                (("질문", "답변", "지역"), ("여권 수수료는요?", "53,000원입니다.", "다나시"))
            ),
            {},
            "2행의 지역 '다나시'은(는) regions.yaml에 없는 지역입니다. regions.yaml에 추가하거나 "
            "`kb add 파일 --region 다나시`로 먼저 만드세요",
        ),
    ],
)
async def test_a_bad_file_gets_one_korean_line_and_changes_nothing(
    bot, name, data, fields, reason
):
    before = files(bot.directory)
    replies = texts(await bot.chat(ADMIN).send_file(name, data, caption="가나시", **fields))
    assert reason in replies[-1] and len(replies[-1].splitlines()) == 1
    assert files(bot.directory) == before and not bot.chat(ADMIN).buttons()


async def test_a_file_without_a_region_asks_for_one(bot):
    replies = texts(await bot.chat(ADMIN).send_file("faq.csv", render.csv(render.FAQ_ROWS)))
    assert replies == [
        admin.NEED_REGION_TEXT.format(regions="전라북도, 전주시, 인천광역시, 나주시")
    ]


@pytest.mark.parametrize("user", [CITIZEN, STAFF])
async def test_a_document_with_a_caption_from_anyone_but_an_admin_is_a_question(bot, user):
    """Passed on by the admin-file handler, the caption reaches the citizen handlers."""
    asked = texts(await bot.chat(43).send(ANSWERED))
    replies = texts(await bot.chat(user).send_file("안내.pdf", b"%PDF-1.4", caption=ANSWERED))
    assert replies == asked and "다문화가족지원센터" in replies[0]
    assert bot.application.bot_data.get("uploads", {}) == {}


async def test_the_role_of_a_files_sender_is_read_off_the_event_loop(bot, monkeypatch):
    """A locked database must not freeze the bot: no role read runs on the loop's thread."""
    reads: list[int] = []

    def recorded_role_of(db, user_id: int, **ids):
        reads.append(threading.get_ident())
        return role_of(db, user_id, **ids)

    monkeypatch.setattr(access, "role_of", recorded_role_of)
    upload = texts(await bot.chat(ADMIN).send_file("faq.csv", render.csv(render.FAQ_ROWS)))
    question = texts(await bot.chat(CITIZEN).send_file("안내.pdf", b"%PDF", caption=ANSWERED))
    assert upload[0].startswith(admin.NEED_REGION_TEXT.split("{", 1)[0])
    assert "다문화가족지원센터" in question[0]
    assert len(reads) == 2 and threading.get_ident() not in reads


async def test_a_citizens_file_is_not_read(bot):
    replies = texts(await bot.chat(CITIZEN).send_file("faq.csv", render.csv(render.FAQ_ROWS)))
    assert replies == [citizen.NON_TEXT_TEXT["document"]]
    assert bot.application.bot_data.get("uploads", {}) == {}


@pytest.mark.parametrize("user", [ADMIN, CITIZEN])
@pytest.mark.parametrize(
    "content_first, caption, reply, content",
    [
        (
            True,
            None,
            "파일을 받았습니다. 더 보내거나 [다음]을 눌러 주세요.",
            "가로등이 꺼져 있어요",
        ),
        (True, "가나시", complaint.ASK_ATTACHMENTS_TEXT, "가로등이 꺼져 있어요\n가나시"),
        (False, "가로등이 꺼져 있어요", complaint.ASK_ATTACHMENTS_TEXT, "가로등이 꺼져 있어요"),
        (False, None, complaint.DOCUMENT_FIRST_TEXT, ""),
    ],
)
async def test_a_file_sent_during_a_complaint_draft_goes_to_the_complaint(
    bot, user, content_first, caption, reply, content
):
    chat = bot.chat(user)
    await chat.send("/complaint")
    if content_first:
        await chat.send("가로등이 꺼져 있어요")
    replies = texts(await chat.send_file("현장.pdf", b"%PDF-1.4 scan", caption=caption))
    assert replies == [reply]
    assert bot.application.bot_data.get("uploads", {}) == {}
    draft = bot.application.user_data[user]["complaint"]
    assert draft["attachments"] == ["document:upload1"]
    assert draft["content"] == content


async def test_a_file_filed_with_a_complaint_reaches_staff_as_a_document(bot):
    chat = bot.chat(ADMIN)
    await chat.send("/complaint")
    await chat.send("가로등이 꺼져 있어요")
    await chat.send_file("현장.pdf", b"%PDF-1.4 scan")
    await chat.press("다음 ▶")
    await chat.press("잘 모르겠어요")
    await chat.press("익명으로 접수")
    await chat.press("접수하기")
    [filed] = list_complaints(bot.db, user_id=ADMIN)
    assert filed.attachments == ("document:upload1",)
    receipt = filed.receipt
    staff = bot.chat(800)
    await staff.send(f"/view {receipt}")
    calls = await staff.press("첨부 보기")
    assert [c.params["document"] for c in calls if c.method == "sendDocument"] == ["upload1"]
    assert not [c for c in calls if c.method == "sendPhoto"]


async def test_an_admins_file_after_the_draft_is_cancelled_is_an_upload_again(bot):
    chat = bot.chat(ADMIN)
    await chat.send("/complaint")
    await chat.send("/cancel")
    replies = texts(await chat.send_file("faq.csv", render.csv(render.FAQ_ROWS), caption="가나시"))
    assert replies[0] == "faq.csv을(를) 읽는 중입니다…" and "미리보기" in replies[-1]
