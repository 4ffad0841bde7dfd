"""Deadline commands through the real Application: /type, /extend, /due, /closed, /statutory,
and the morning digest job."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from db.complaints import get_complaint
from db.database import KST
from db.deadlines import is_working_day
from handlers import workbench
from handlers.access import ADMIN_DENIED_TEXT
from handlers.context import BotContext
from handlers.jobs import deliver_due

CITIZEN, STRANGER, STAFF, ADMIN, STAFF_CHAT = 42, 43, 800, 900, -100500


def texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


@pytest.fixture
def store(file_complaint):
    def store(db, n: int = 1, content: str = "가로등이 고장났어요"):
        return file_complaint(
            db, content, idempotency_key=f"k{n}", department="도로과", region="전주시"
        )

    return store


def next_working_day_after(days: int) -> date:
    day = datetime.now(KST).date() + timedelta(days=days)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(
    "command",
    [
        "/type 20250301-AB2C 질의",
        "/extend 20250301-AB2C 2025-03-20 x",
        "/due",
        "/closed",
        "/statutory",
    ],
)
async def test_refused_to_citizens(local_bot, command):
    assert "권한이 없습니다" in texts(await local_bot.chat(STRANGER).send(command))


@pytest.mark.parametrize("command", ["/closed", "/statutory 여권 4"])
async def test_admin_commands_are_refused_to_staff(local_bot, command):
    assert "관리자만" in texts(await local_bot.chat(STAFF).send(command))


async def test_type_and_extend_reach_the_citizen(local_bot, store):
    stored = store(local_bot.db)
    me = local_bot.chat(STAFF)
    reply = texts(await me.send(f"/type {stored.receipt} 질의(법령해석)"))
    assert reply.startswith(f"민원 {stored.receipt}의 유형을 바꿨습니다. 처리기한:")
    assert "질의(법령해석), 14일" in reply
    new_due = next_working_day_after(40)
    reply = texts(await me.send(f"/extend {stored.receipt} {new_due} 현장 조사가 필요합니다"))
    assert "연장하고 민원인에게 알렸습니다" in reply
    assert "이미 한 번 연장" in texts(await me.send(f"/extend {stored.receipt} {new_due} 다시"))
    await deliver_due(local_bot.application.bot, local_bot.store)
    sent = local_bot.api.texts(CITIZEN)
    assert sent[-1] == (
        f"[민원 {stored.receipt}] 처리기한이 {new_due} 18:00(으)로 연장되었습니다."
        "\n사유: 현장 조사가 필요합니다"
    )
    assert get_complaint(local_bot.db, stored.receipt).complaint_type == "질의(법령해석)"


@pytest.mark.parametrize(
    "command, expected",
    [
        ("/type", workbench.TYPE_USAGE),
        ("/type 20250301-AB2C 아무거나", "민원 유형이 아닙니다"),
        ("/type 20250301-AB2C 법정:없는것", "법정민원 표에"),
        ("/extend 20250301-AB2C 내일 사유", workbench.EXTEND_USAGE),
        ("/extend 20250301-AB2C 2030-01-02", workbench.EXTEND_USAGE),
        ("/type 20200101-ZZZZ 질의", "민원이 없습니다"),
    ],
)
async def test_bad_arguments_get_a_clear_line(local_bot, command, expected):
    assert expected in texts(await local_bot.chat(STAFF).send(command))


async def test_closed_days_and_statutory_table(local_bot, store):
    admin = local_bot.chat(ADMIN)
    assert "휴무일로 정했습니다" in texts(await admin.send("/closed 2030-05-02 개청 기념일"))
    assert "2030-05-02 개청 기념일" in texts(await admin.send("/closed"))
    assert "뺐습니다" in texts(await admin.send("/closed -2030-05-02"))
    assert workbench.CLOSED_USAGE in texts(await admin.send("/closed 어제"))
    assert "4일로 정했습니다" in texts(await admin.send("/statutory 여권 발급 4"))
    assert "법정:여권 발급 4일" in texts(await admin.send("/statutory"))
    stored = store(local_bot.db)
    assert "법정:여권 발급, " not in texts(
        await local_bot.chat(STAFF).send(f"/type {stored.receipt} 법정:여권 발급")
    )
    assert get_complaint(local_bot.db, stored.receipt).complaint_type == "법정:여권 발급"


async def test_due_lists_open_complaints_and_the_digest_job_posts_it(local_bot, store):
    stored = store(local_bot.db)
    reply = texts(await local_bot.chat(STAFF).send("/due"))
    assert reply.startswith("[오늘의 처리기한]") and stored.receipt in reply
    await workbench.post_morning_digest(BotContext(local_bot.application))
    assert local_bot.api.texts(STAFF_CHAT)[-1].startswith("[오늘의 처리기한]")


async def test_receipt_and_view_state_the_due_date(local_bot, store):
    stored = store(local_bot.db)
    reply = texts(await local_bot.chat(STAFF).send(f"/view {stored.receipt}"))
    assert "처리기한: " in reply and "(고충, 7일)" in reply


async def add_template(admin, typed: str) -> str:
    """Sends "/template add …" and presses [저장] under its preview: what the bot said."""
    preview = texts(await admin.send(f"/template add {typed}"))
    assert preview.startswith(workbench.TEMPLATE_PREVIEW_TEXT), preview
    return texts(await admin.press("저장"))


async def test_templates_are_kept_by_admins_and_filled_for_staff(local_bot, store):
    admin, me = local_bot.chat(ADMIN), local_bot.chat(STAFF)
    saved = await add_template(
        admin, "보수 안내 | {접수번호} 민원은 {부서}에서 {처리기한}까지 보수합니다."
    )
    assert saved.startswith("상용구 #1 '보수 안내'을(를) 저장했습니다.")
    assert "알 수 없는 자리표시자" in texts(await admin.send("/template add 나쁜 | {담당자}"))
    assert "관리자만" in texts(await me.send("/template add 몰래 | 내용"))
    assert "#1 보수 안내" in texts(await me.send("/template"))
    stored = store(local_bot.db)
    filled = texts(await me.send(f"/template {stored.receipt}"))
    assert f"{stored.receipt} 민원은 도로과에서 " in filled and "{처리기한}" not in filled
    await admin.send("/template del 1")
    assert "지웠습니다" in texts(await admin.press("삭제"))
    assert "맞는 상용구가 없습니다" in texts(await me.send(f"/template {stored.receipt}"))


async def test_removing_a_template_shows_it_first_and_waits_for_remove(local_bot):
    admin, me = local_bot.chat(ADMIN), local_bot.chat(STAFF)
    await add_template(admin, "유형=고충 보수 안내 | 곧 고칩니다")
    await admin.send("/template auto 1")
    shown = texts(await admin.send("/template del 1"))
    assert shown == "\n".join(
        [
            workbench.TEMPLATE_REMOVAL_TEXT,
            workbench.AUTO_ACK_REMOVAL_TEXT,
            "번호: #1",
            "이름: 보수 안내",
            "유형: 고충",
            "부서: 모든 부서",
            "",
            "곧 고칩니다",
        ]
    )
    assert [label for label, _ in admin.buttons()] == ["삭제", "취소"]
    remove, cancel = (data for _, data in admin.buttons())
    assert local_bot.db["reply_templates"].count == 1  # nothing is removed before [삭제]
    await me.send("/template")
    assert (await me.press(data=remove))[0].params["text"] == ADMIN_DENIED_TEXT
    assert texts(await admin.press(data=cancel)) == workbench.TEMPLATE_KEPT_TEXT
    assert (await admin.press(data=remove))[0].params["text"] == workbench.TEMPLATE_GONE_TEXT
    assert local_bot.db["reply_templates"].count == 1

    await admin.send("/template del #1")
    remove = admin.buttons()[0][1]
    save = remove.replace(":del:", ":save:")  # a forged [저장] on a removal stores nothing
    assert (await admin.press(data=save))[0].params["text"] == workbench.TEMPLATE_GONE_TEXT
    assert texts(await admin.press(data=remove)) == "상용구 #1 '보수 안내'을(를) 지웠습니다."
    assert (await admin.press(data=remove))[0].params["text"] == workbench.TEMPLATE_GONE_TEXT
    assert local_bot.db["reply_templates"].count == 0


async def test_a_template_changed_after_it_was_shown_is_not_removed(local_bot):
    admin = local_bot.chat(ADMIN)
    await add_template(admin, "보수 안내 | 곧 고칩니다")
    await admin.send("/template del 1")
    await admin.send("/template auto 1")  # changed between the preview and [삭제]
    assert texts(await admin.press("삭제")) == workbench.TEMPLATE_CHANGED_TEXT.format(id=1)
    assert local_bot.db["reply_templates"].count == 1


@pytest.mark.parametrize(
    "typed, said",
    [
        ("/template del", workbench.TEMPLATE_USAGE),
        ("/template del 보수", workbench.TEMPLATE_USAGE),
        ("/template del 1 2", workbench.TEMPLATE_USAGE),
        ("/template del " + "9" * 30, workbench.TEMPLATE_USAGE),
        ("/template del 99", "상용구 99이(가) 없습니다."),
    ],
)
async def test_a_removal_that_names_no_template_says_so_without_buttons(local_bot, typed, said):
    admin = local_bot.chat(ADMIN)
    await add_template(admin, "보수 안내 | 곧 고칩니다")
    assert texts(await admin.send(typed)) == said
    assert admin.buttons() == []
    assert local_bot.db["reply_templates"].count == 1


async def test_an_admin_sets_a_templates_type_and_department_after_a_preview(local_bot, store):
    admin, me = local_bot.chat(ADMIN), local_bot.chat(STAFF)
    roads = store(local_bot.db)
    await me.send(f"/type {roads.receipt} 고충")
    preview = texts(
        await admin.send("/template add 유형=고충 부서=도로과 보수 안내 | 곧 고칩니다")
    )
    assert preview == "\n".join(
        [
            workbench.TEMPLATE_PREVIEW_TEXT,
            "이름: 보수 안내",
            "유형: 고충",
            "부서: 도로과",
            "",
            "곧 고칩니다",
        ]
    )
    assert [label for label, _ in admin.buttons()] == ["저장", "취소"]
    save = admin.buttons()[0][1]
    assert local_bot.db["reply_templates"].count == 0  # nothing is stored before [저장]
    assert (await me.press(data=save))[0].params["text"] == ADMIN_DENIED_TEXT
    saved = texts(await admin.press(data=save))
    assert saved.startswith("상용구 #1 '보수 안내'을(를) 저장했습니다.")
    again = await admin.press(data=save)  # a double tap stores nothing twice
    assert again[0].params["text"] == workbench.TEMPLATE_GONE_TEXT
    [kept] = local_bot.db["reply_templates"].rows
    assert (kept["complaint_type"], kept["department"]) == ("고충", "도로과")
    assert "#1 보수 안내 (고충 · 도로과)" in texts(await me.send("/template"))
    assert "곧 고칩니다" in texts(await me.send(f"/template {roads.receipt}"))
    other = store(local_bot.db, 2)
    await me.send(f"/type {other.receipt} 질의")
    assert "맞는 상용구가 없습니다" in texts(await me.send(f"/template {other.receipt}"))


@pytest.mark.parametrize(
    "typed, said",
    [
        ("유형=민원 안내 | 내용", "'민원'은(는) 민원 유형이 아닙니다"),
        ('유형="법정:없는 것" 안내 | 내용', "'법정:없는 것'은(는) 민원 유형이 아닙니다"),
        ("유형= 고충 안내 | 내용", "= 앞뒤를 붙여 적어 주세요"),
        ("안내 내용", "이름과 본문 사이에 | 를 넣어 주세요"),
        ("", "이름과 본문 사이에 | 를 넣어 주세요"),
    ],
)
async def test_a_template_that_cannot_fit_is_refused_with_the_usage(local_bot, typed, said):
    reply = texts(await local_bot.chat(ADMIN).send(f"/template add {typed}"))
    assert said in reply and workbench.TEMPLATE_ADD_USAGE in reply
    assert local_bot.db["reply_templates"].count == 0


async def test_a_new_department_is_pointed_out_and_cancel_stores_nothing(local_bot):
    admin = local_bot.chat(ADMIN)
    preview = texts(await admin.send('/template add 부서="도로 관리과" 안내 | 내용'))
    assert workbench.NEW_DEPARTMENT_TEXT.format(department="도로 관리과") in preview
    assert texts(await admin.press("취소")) == workbench.TEMPLATE_DROPPED_TEXT
    assert local_bot.db["reply_templates"].count == 0


async def test_staff_chat_post_names_similar_complaints_and_staff_link_them(local_bot, store):
    first = store(local_bot.db, 1, "가로등이 고장났어요 밤에 너무 어두워요")
    citizen = local_bot.chat(CITIZEN)
    await citizen.send("/complaint")
    await citizen.send("우리 집 앞 가로등이 고장나서 어두워요")
    for label in ("다음", "잘 모르겠어요", "익명으로 접수", "접수하기"):
        if any(label in b for b, _ in citizen.buttons()):
            await citizen.press(next(b for b, _ in citizen.buttons() if label in b))
    await deliver_due(local_bot.application.bot, local_bot.store)
    post = local_bot.api.texts(STAFF_CHAT)[-1]
    assert f"유사 민원 #{first.receipt}" in post, post
    new = post.split("\n", 1)[0].removeprefix("[새 민원] ")
    me = local_bot.chat(STAFF)
    assert "연결했습니다" in texts(await me.send(f"/link {new} {first.receipt}"))
    assert workbench.LINK_USAGE in texts(await me.send(f"/link {new}"))
    reply = texts(await me.send(f"/repeat {new} {first.receipt} 앞선 답변을 참고해 주세요"))
    assert "반복 민원으로 종결" in reply
    assert get_complaint(local_bot.db, new).status == "완료"


async def test_an_admin_marks_the_automatic_acknowledgement_and_new_complaints_get_it(local_bot):
    admin, citizen = local_bot.chat(ADMIN), local_bot.chat(CITIZEN)
    await add_template(admin, "접수 안내 | {접수번호} 민원을 받았습니다. 기한: {처리기한}")
    assert "관리자만" in texts(await local_bot.chat(STAFF).send("/template auto 1"))
    assert "자동 접수 안내로 정했습니다" in texts(await admin.send("/template auto 1"))
    assert "#1 접수 안내 [자동 접수 안내]" in texts(await admin.send("/template"))
    await citizen.send("/complaint")
    await citizen.send("집 앞 도로가 파였어요")
    await citizen.press("다음 ▶")
    await citizen.press("잘 모르겠어요")
    await citizen.press("익명으로 접수")
    calls = await citizen.press("접수하기")
    to_citizen = [c.text for c in calls if c.chat_id == CITIZEN and c.text]
    [filed] = local_bot.db["complaints"].rows
    assert filed["receipt"] in to_citizen[0]  # the receipt first, then the acknowledgement
    assert to_citizen[1].startswith(f"[민원 {filed['receipt']}] {filed['receipt']} 민원을 받았")
    assert "{처리기한}" not in to_citizen[1]
    assert "뺐습니다" in texts(await admin.send("/template auto 1 끄기"))
    assert "사용법" in texts(await admin.send("/template auto 1 켜기"))


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        ("/statutory 여권:발급 4", "법정민원 이름이 비어 있거나 ':'을 포함합니다."),
        ("/statutory 여권 발급 700", "처리기간은 1–"),
    ],
)
async def test_a_refused_period_is_told_in_words_with_the_usage(local_bot, command, refusal):
    """The refusals are named in db/ and worded by display (no tuple of codes in a reply)."""
    reply = texts(await local_bot.chat(ADMIN).send(command))
    assert refusal in reply and "('" not in reply


async def test_an_extension_to_a_closed_day_is_refused_in_words(local_bot, store):
    stored = store(local_bot.db)
    saturday = next_working_day_after(14)
    while is_working_day(saturday):
        saturday += timedelta(days=1)
    reply = texts(await local_bot.chat(STAFF).send(f"/extend {stored.receipt} {saturday} 사유"))
    assert reply == f"{saturday}은(는) 근무일이 아닙니다. 평일을 골라 주세요."
