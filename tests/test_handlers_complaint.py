"""The complaint conversation step by step, /status and /my, as a citizen would use them."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from db import durability
from db.complaints import IN_PROGRESS, change_status, list_complaints
from db.database import DatabaseUnavailable
from db.privacy import RRN_MASK
from handlers import citizen, complaint
from handlers.errors import TRY_LATER_TEXT
from handlers.jobs import deliver_due
from nlp.answer import HOW_TO_FILE_TEXT
from rrn import SPELLED, SPELLINGS, digit_runs, rrns, spellings, stored_holding

CITIZEN, STRANGER, STAFF, STAFF_CHAT = 42, 43, 800, -100500
PHOTO = [
    {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
    {"file_id": "large", "file_unique_id": "l", "width": 900, "height": 900},
]
LOCATION = {"latitude": 35.8242, "longitude": 127.148}


def sent_texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


async def file_until_confirmation(me, content: str = "횡단보도 신호등이 꺼져 있어요") -> None:
    """/complaint → content → 다음 → first suggested department → 동의 → phone."""
    await me.send("/complaint")
    await me.send(content)
    await me.press("다음 ▶")
    await me.press(me.buttons()[0][0])
    await me.press("동의합니다")
    await me.send("010-1234-5678")


async def test_full_complaint_with_photo_location_and_phone(local_bot):
    me = local_bot.chat(CITIZEN)
    assert sent_texts(await me.send("/complaint")) == complaint.ASK_CONTENT_TEXT
    calls = await me.send("외국인 주민 지원 센터 직원이 불친절해요")
    assert [label for label, _ in calls[-1].buttons] == ["다음 ▶", "취소"]
    assert "사진 1장" in sent_texts(await me.send_message(photo=PHOTO))
    assert "위치를 받았습니다" in sent_texts(await me.send_message(location=LOCATION))
    departments = (await me.press("다음 ▶"))[-1].buttons
    assert departments[-1] == ("잘 모르겠어요", "c:d:x")
    assert all(data.isascii() and len(data.encode()) <= 64 for _, data in departments)
    first_label = departments[0][0]
    await me.press(first_label)
    consent = sent_texts(me.api.calls[-1:])
    assert "개인정보 수집·이용 동의" in consent and "보유 기간" in consent
    assert sent_texts(await me.press("동의합니다")).endswith(complaint.ASK_PHONE_TEXT)
    assert sent_texts(await me.send("12345")) == complaint.BAD_PHONE_TEXT
    summary = sent_texts(await me.send("010 1234 5678"))
    assert "· 사진: 1장" in summary and "· 연락처: 010-1234-5678" in summary
    calls = await me.press("접수하기")

    [stored] = list_complaints(local_bot.db)
    assert f"접수번호: {stored.receipt}" in sent_texts(calls)
    assert (stored.user_id, stored.chat_id, stored.phone) == (CITIZEN, CITIZEN, "010-1234-5678")
    assert stored.attachments == ("large",)
    assert (stored.latitude, stored.longitude) == (35.8242, 127.148)
    if first_label == "잘 모르겠어요":  # the matcher found no department for this text
        assert stored.department is None
    else:
        assert f"{stored.region} {stored.department}" == first_label
    assert (stored.consent, stored.anonymous) == (True, False)
    [alert] = [c for c in calls if c.chat_id == STAFF_CHAT]
    assert "연락처: 010-1234-5678" in alert.text  # staff call the citizen back
    assert alert.buttons == [
        (label, f"s:{action}:{stored.receipt}")
        for action, label in (
            ("prog", "처리중"),
            ("done", "완료"),
            ("rej", "반려"),
            ("reply", "답변"),
        )
    ]
    assert "complaint" not in local_bot.application.user_data[CITIZEN]


async def test_the_receipt_is_sent_once_the_complaint_is_on_the_disk(local_bot, monkeypatch):
    """Commits skip the wait for the disk; the receipt waits for an fsync begun after the
    commit."""
    fsyncs = []  # (complaints stored, Bot API calls made) at each fsync
    real = durability.os.fsync
    monkeypatch.setattr(
        durability.os,
        "fsync",
        lambda fd: (
            real(fd),
            fsyncs.append((len(list_complaints(local_bot.db)), len(local_bot.api.calls))),
        ),
    )
    me = local_bot.chat(CITIZEN)
    await file_until_confirmation(me)
    assert fsyncs == []
    before = len(local_bot.api.calls)
    await me.press("접수하기")
    [stored] = list_complaints(local_bot.db)
    receipt_at = next(
        n
        for n, call in enumerate(local_bot.api.calls)
        if n >= before and f"접수번호: {stored.receipt}" in (call.text or "")
    )
    assert any(count == 1 and calls_made <= receipt_at for count, calls_made in fsyncs)


async def test_each_tapped_step_becomes_the_next_and_leaves_no_stale_button(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("공원 화장실 문이 고장났어요")
    for label in ("다음 ▶", "잘 모르겠어요", "익명으로 접수", "접수하기"):
        calls = await me.press(label)
        assert [c.method for c in calls if c.chat_id != STAFF_CHAT] == [
            "answerCallbackQuery",
            "editMessageText",
        ]
    [stored] = list_complaints(local_bot.db)
    receipt = local_bot.api.messages[(CITIZEN, int(calls[1].params["message_id"]))]
    assert (
        f"접수번호: {stored.receipt}" in receipt["text"] and "· 접수 방식: 익명" in receipt["text"]
    )
    assert "[접수하기]" not in receipt["text"]  # the summary's "tap [접수하기]" is not kept
    assert me.buttons() == []
    assert len(local_bot.api.sent(CITIZEN, "sendMessage")) == 2  # the two prompts for the content


async def test_a_message_that_cannot_be_edited_gets_its_next_step_as_a_new_one(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("가로등이 고장났어요")
    local_bot.api.fail_next(
        "editMessageText", code=400, description="Bad Request: message to edit not found"
    )
    calls = await me.press("다음 ▶")
    assert [c.method for c in calls if c.chat_id == CITIZEN] == ["editMessageText", "sendMessage"]
    assert me.buttons()[-1][0] == "잘 모르겠어요"
    await me.press("잘 모르겠어요")
    await me.press("익명으로 접수")
    local_bot.api.fail_next(
        "editMessageText", code=400, description="Bad Request: message can't be edited"
    )
    calls = await me.press("접수하기")
    [stored] = list_complaints(local_bot.db)
    [receipt] = [c for c in calls if c.method == "sendMessage" and c.chat_id == CITIZEN]
    assert f"접수번호: {stored.receipt}" in receipt.text
    assert "complaint" not in local_bot.application.user_data[CITIZEN]


async def test_a_second_tap_on_a_filed_complaint_shows_its_receipt_not_a_stale_button(local_bot):
    """A double tap, or a tap Telegram delivers again after a restart, reaches a finished
    conversation: the citizen must learn the complaint is filed, not "start over"."""
    me = local_bot.chat(CITIZEN)
    await file_until_confirmation(me)
    summary_id = int(local_bot.api.sent(CITIZEN, "sendMessage")[-1].message_id)
    await me.press("접수하기")
    [stored] = list_complaints(local_bot.db)
    calls = await me.press(data="c:ok", message_id=summary_id)
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params["text"] == complaint.ALREADY_FILED_TEXT.format(receipt=stored.receipt)
    assert len(list_complaints(local_bot.db)) == 1
    stranger = local_bot.chat(STRANGER, chat_id=CITIZEN)  # the same message, someone else's tap
    calls = await stranger.press(data="c:ok", message_id=summary_id)
    assert (
        stored.receipt
        not in [c for c in calls if c.method == "answerCallbackQuery"][0].params["text"]
    )


async def test_anonymous_complaint_has_no_phone_and_no_consent(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("공원 화장실 문이 고장났어요")
    await me.press("다음 ▶")
    await me.press("잘 모르겠어요")
    summary = sent_texts(await me.press("익명으로 접수"))
    assert "· 접수 방식: 익명" in summary and "· 담당 부서: 담당자가 지정 예정" in summary
    await me.press("접수하기")
    [stored] = list_complaints(local_bot.db)
    assert (stored.anonymous, stored.consent) == (True, False)
    assert (stored.phone, stored.department) == (None, None)


# The tables below share the module's table bot (conftest table_row): each row files as a
# citizen no other row has used.


@pytest.fixture
def bot(table_row):
    """The module's table bot with a citizen of the row's own, and the number of complaints
    stored before the row (``filed``)."""
    return SimpleNamespace(
        application=table_row.application,
        chat=table_row.chat,
        db=table_row.db,
        citizen=table_row.citizen(),
        stored_before=table_row.db["complaints"].count,
    )


def filed(bot) -> list:
    """The complaints the row's citizen filed, and that no one else filed any in the row."""
    mine = list_complaints(bot.db, user_id=bot.citizen)
    assert bot.db["complaints"].count - bot.stored_before == len(mine)
    return mine


@pytest.mark.parametrize(
    "typed, region, department",
    [
        ("정무기획과", "전라북도", "정무기획과"),
        ("정무 기획과", "전라북도", "정무기획과"),
        ("전북 홍보기획과", "전라북도", "홍보기획과"),
        ("시민정책담당관실", "인천광역시", "시민정책담당관실"),
    ],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_citizen_may_type_a_known_department(bot, typed, region, department):
    me = bot.chat(bot.citizen)
    await me.send("/complaint")
    await me.send("보도블록이 깨졌어요")
    await me.press("다음 ▶")
    await me.send(typed)
    await me.press("익명으로 접수")
    await me.press("접수하기")
    stored = filed(bot)[0]
    assert (stored.region, stored.department) == (region, department)


@pytest.mark.parametrize(
    "typed",
    ["인천 새마을회 전화번호 알려주세요", "도로관리과", "잘 모르겠는데요", "가로등이 또 꺼졌어요"],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_text_that_is_no_known_department_is_refused_with_a_hint(bot, typed):
    me = bot.chat(bot.citizen)
    await me.send("/complaint")
    await me.send("보도블록이 깨졌어요")
    await me.press("다음 ▶")
    calls = await me.send(typed)
    assert "자료에 있는 부서 이름이 아닙니다" in sent_texts(calls)
    assert ("잘 모르겠어요", "c:d:x") in calls[-1].buttons
    assert bot.application.user_data[bot.citizen]["complaint"]["department"] is None
    await me.press("잘 모르겠어요")  # the flow goes on from the same step
    await me.press("익명으로 접수")
    await me.press("접수하기")
    assert filed(bot)[0].department is None


async def test_a_complaint_message_starts_the_draft_with_its_text(local_bot):
    me = local_bot.chat(CITIZEN)
    calls = await me.send("우리 집 앞 가로등이 고장났어요")
    assert sent_texts(calls).startswith(complaint.FROM_MESSAGE_TEXT)
    assert (
        local_bot.application.user_data[CITIZEN]["complaint"]["content"]
        == "우리 집 앞 가로등이 고장났어요"
    )
    await local_bot.store.flush()
    assert local_bot.db["questions"].count == 0  # complaints are never logged as questions


@pytest.mark.parametrize(
    "question",
    # one that describes a problem starts the draft with it: tests/test_handlers_complaint_flow.py
    ["민원 넣는 방법 알려주세요", "어떻게 신고해요?", "어디에 신고해야 돼요?"],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_a_question_how_to_file_is_answered_not_filed(bot, question):
    me = bot.chat(bot.citizen)
    calls = await me.send(question)
    assert sent_texts(calls) == HOW_TO_FILE_TEXT
    assert "complaint" not in bot.application.user_data[bot.citizen]
    assert sent_texts(await me.press("민원 접수하기")) == complaint.ASK_CONTENT_TEXT
    assert bot.application.user_data[bot.citizen]["complaint"]["content"] == ""


@pytest.mark.parametrize(
    "message",
    [
        "도로가 파손됐어요 신고합니다",
        "신고하고 싶어요 도로가 깨졌어요",
        "소음 때문에 잠을 못 자요 신고할게요",
        "불법주차 신고합니다 어떻게 좀 해주세요",
    ],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_a_reported_problem_still_starts_the_draft_with_its_text(bot, message):
    me = bot.chat(bot.citizen)
    assert sent_texts(await me.send(message)).startswith(complaint.FROM_MESSAGE_TEXT)
    assert bot.application.user_data[bot.citizen]["complaint"]["content"] == message


async def test_resident_registration_number_is_removed_and_explained(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    calls = await me.send("주민번호 900101-1234567 로 신청했는데 처리가 안 됩니다")
    assert complaint.RRN_REMOVED_TEXT in sent_texts(calls)
    draft = local_bot.application.user_data[CITIZEN]["complaint"]
    assert "900101-1234567" not in str(draft) and "******-*******" in draft["content"]


@pytest.mark.parametrize(
    "steps",
    [
        [],
        ["내용"],
        ["내용", "다음 ▶"],
        ["내용", "다음 ▶", "잘 모르겠어요"],
        ["내용", "다음 ▶", "잘 모르겠어요", "동의합니다"],
        ["내용", "다음 ▶", "잘 모르겠어요", "익명으로 접수"],
    ],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_cancel_works_at_every_step(bot, steps):
    me = bot.chat(bot.citizen)
    await me.send("/complaint")
    for step in steps:
        if step == "내용":
            await me.send("벤치가 부서졌어요")
        else:
            await me.press(step)
    assert sent_texts(await me.send("/cancel")) == complaint.CANCELLED_TEXT
    assert "complaint" not in bot.application.user_data[bot.citizen]
    assert sent_texts(await me.send("/cancel")) == "취소할 작업이 없습니다."
    assert filed(bot) == []


async def test_cancel_button_ends_the_draft(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("벤치가 부서졌어요")
    assert complaint.CANCELLED_TEXT in sent_texts(await me.press("취소"))


async def test_unexpected_input_mid_draft_gets_a_reminder(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("벤치가 부서졌어요")
    await me.press("다음 ▶")
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u2",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    assert sent_texts(await me.send_message(sticker=sticker)) == complaint.REMIND_TEXT
    assert sent_texts(await me.send("/help")) == citizen.HELP_TEXT  # commands still work
    await me.press("잘 모르겠어요")  # and the draft goes on


async def test_double_tap_on_submit_files_one_complaint(local_bot):
    me = local_bot.chat(CITIZEN)
    await file_until_confirmation(me)
    summary = me.api.sent(CITIZEN, "sendMessage")[-1]
    await me.press("접수하기")
    again = await me.press(data="c:ok", message_id=summary.message_id)
    assert again[0].method == "answerCallbackQuery" and again[0].params.get("show_alert")
    assert len(list_complaints(local_bot.db)) == 1


async def test_database_unavailable_at_submit_keeps_the_draft(local_bot, monkeypatch):
    me = local_bot.chat(CITIZEN)
    await file_until_confirmation(me)

    def locked(*args, **kwargs):
        raise DatabaseUnavailable("database is locked")

    real = complaint.create_complaint
    monkeypatch.setattr(complaint, "create_complaint", locked)
    assert TRY_LATER_TEXT in sent_texts(await me.press("접수하기"))
    assert list_complaints(local_bot.db) == []
    monkeypatch.setattr(complaint, "create_complaint", real)
    assert "접수번호" in sent_texts(await me.press("접수하기"))
    assert len(list_complaints(local_bot.db)) == 1


async def test_unfinished_draft_times_out_with_a_message(local_bot_factory, eventually):
    async with local_bot_factory(complaint_timeout_seconds=0.3) as bot:
        me = bot.chat(CITIZEN)
        await me.send("/complaint")
        await me.send("가로수가 쓰러졌어요")
        await eventually(lambda: complaint.TIMEOUT_TEXT in bot.api.texts(CITIZEN))
        assert bot.api.texts(CITIZEN)[-1] == complaint.TIMEOUT_TEXT
        assert "complaint" not in bot.application.user_data[CITIZEN]


async def test_a_plain_question_never_times_out_into_a_draft_message(local_bot_factory):
    async with local_bot_factory(complaint_timeout_seconds=0.3) as bot:
        await bot.chat(CITIZEN).send("새마을지도자 자녀 장학금 조건")
        await asyncio.sleep(0.6)
        assert complaint.TIMEOUT_TEXT not in bot.api.texts(CITIZEN)


@pytest.fixture
def store(file_complaint):
    def store(db, user_id=CITIZEN, key="k1", phone="010-1234-5678"):
        return file_complaint(
            db,
            user_id=user_id,
            idempotency_key=key,
            department="도로과",
            region="전주시",
            phone=phone,
            anonymous=False,
            consent=True,
        )

    return store


async def test_status_for_the_complainant_and_staff(local_bot, store):
    stored = store(local_bot.db)
    change_status(local_bot.db, stored.receipt, IN_PROGRESS, actor_id=STAFF, note="현장 확인")
    mine = sent_texts(await local_bot.chat(CITIZEN).send(f"/status {stored.receipt.lower()}"))
    assert "상태: 처리중" in mine and "현장 확인" in mine
    assert "상태: 처리중" in sent_texts(
        await local_bot.chat(STAFF).send(f"/status {stored.receipt}")
    )


async def test_status_by_a_stranger_is_refused_without_leaking(local_bot, store):
    stored = store(local_bot.db)
    refused = sent_texts(await local_bot.chat(STRANGER).send(f"/status {stored.receipt}"))
    assert refused == complaint.STATUS_DENIED_TEXT and "찾지 못했습니다" in refused
    assert "권한" not in refused  # a mistyped number is not "no permission"
    unknown = sent_texts(await local_bot.chat(STRANGER).send("/status 20200101-ZZZZ"))
    assert unknown == refused  # the same answer whether or not the receipt exists
    assert local_bot.db["denied_attempts"].count == 1


@pytest.mark.parametrize("command", ["/status", "/status 123", "/status 20250301-AB2C extra"])
async def test_status_usage(local_bot, command):
    assert sent_texts(await local_bot.chat(CITIZEN).send(command)) == complaint.STATUS_USAGE_TEXT


async def test_my_lists_only_my_complaints(local_bot, store):
    mine = store(local_bot.db)
    other = store(local_bot.db, user_id=STRANGER, key="k2")
    text = sent_texts(await local_bot.chat(CITIZEN).send("/my"))
    assert mine.receipt in text and other.receipt not in text
    assert sent_texts(await local_bot.chat(777).send("/my")) == complaint.NO_COMPLAINTS_TEXT


@pytest.mark.parametrize(
    "days, stated",
    [
        (1095, "민원 처리 완료 후 3년"),
        (365, "민원 처리 완료 후 1년"),
        (90, "민원 처리 완료 후 90일"),
    ],
)
def test_consent_text_states_the_retention_the_purge_enforces(days, stated):
    assert stated in complaint.consent_text(days)


@pytest.mark.parametrize(("spelling", "rrn"), SPELLINGS, ids=[s for s, _ in SPELLINGS])
async def test_an_rrn_in_any_spelling_is_stored_nowhere_and_explained_once(
    local_bot, spelling, rrn
):
    """Issue 10 #8: typed at the content, department and contact steps, the number is masked in
    the draft, the receipt, the staff post and every table of the database file; the citizen is
    told once."""
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    calls = await me.send(f"주민번호 {rrn} 로 신청했는데 처리가 안 됩니다")
    await me.press("다음 ▶")
    refused = await me.send(f"민원과 {rrn}")  # no known department: refused, echoed masked
    assert RRN_MASK in sent_texts(refused) and SPELLED not in digit_runs(sent_texts(refused))
    calls += refused
    await me.press("잘 모르겠어요")
    calls += await me.press("동의합니다")
    calls += await me.send(rrn)
    assert complaint.BAD_PHONE_TEXT in sent_texts(calls[-1:])
    await me.send("010-1234-5678")
    receipt = sent_texts(await me.press("접수하기"))
    await deliver_due(local_bot.application.bot, local_bot.store)

    told = [
        c.text for c in me.api.sent(CITIZEN, "sendMessage") if c.text == complaint.RRN_REMOVED_TEXT
    ]
    assert len(told) == 1
    [stored] = list_complaints(local_bot.db)
    assert stored.department is None and SPELLED not in digit_runs(receipt)
    assert RRN_MASK in stored.content and SPELLED not in digit_runs(receipt)
    staff_posts = "\n".join(local_bot.api.texts(STAFF_CHAT))
    assert stored.receipt in staff_posts and SPELLED not in digit_runs(staff_posts)
    assert stored_holding(local_bot.db, SPELLED) == []


@pytest.mark.parametrize(("spelling", "rrn"), SPELLINGS[:6], ids=[s for s, _ in SPELLINGS[:6]])
async def test_a_question_with_an_rrn_is_kept_masked_in_the_user_data_and_the_log(
    local_bot, spelling, rrn
):
    """An unanswerable question used to stay raw in user_data["last_question"] (persisted)."""
    calls = await local_bot.chat(CITIZEN).send(f"{rrn} 이 번호로 외계인 등록 되나요?")
    assert sent_texts(calls).startswith(citizen.RRN_REMOVED_TEXT)
    await local_bot.application.update_persistence()
    await local_bot.application.persistence.flush()
    await local_bot.store.flush()
    assert (
        local_bot.application.user_data[CITIZEN].get("last_question", RRN_MASK).count(RRN_MASK)
        == 1
    )
    assert stored_holding(local_bot.db, SPELLED) == []


USERS = itertools.count(10_000)
AROUND = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rrns().flatmap(lambda digits: st.tuples(st.just(digits), spellings(digits))), AROUND)
async def test_any_rrn_in_any_text_of_a_complaint_or_question_is_stored_nowhere(
    local_bot, spelled, around
):
    """The property through the whole bot: a complaint and a question with the number somewhere
    in them, filed and asked by a new citizen; then no table of the file holds its 13 digits."""
    digits, rrn = spelled
    assume(digits not in digit_runs(around))
    me = local_bot.chat(next(USERS))
    await me.send("/complaint")
    await me.send(f"민원: {around} 번호 {rrn} 입니다")
    await me.press("다음 ▶")
    await me.send(f"부서 {rrn}")  # not a known department: refused
    await me.press("잘 모르겠어요")
    await me.press("익명으로 접수")
    assert "접수번호" in sent_texts(await me.press("접수하기"))
    await me.send(f"{rrn} 외계인 등록 수수료는 얼마인가요 {around}")
    await deliver_due(local_bot.application.bot, local_bot.store)
    await local_bot.application.update_persistence()
    await local_bot.application.persistence.flush()
    await local_bot.store.flush()
    assert stored_holding(local_bot.db, digits) == []
