"""Admin commands: /reload keeps the old knowledge base on errors, /stats, /grant and /revoke."""

from __future__ import annotations

import pytest

from db import outbox
from handlers import admin
from handlers.access import ADMIN_DENIED_TEXT
from nlp import listing

CITIZEN, STAFF, ADMIN = 42, 800, 900
NAJU_DOCUMENT = "004_8df93a93e5fd5244.txt"


def sent_texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


def drop_from_manifest(directory, file_name: str) -> None:
    manifest = directory / "manifest.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if file_name in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("- ")), len(lines))
    manifest.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


async def test_reload_swaps_in_the_new_knowledge_base_and_reports_the_diff(
    local_bot_factory, knowledge_dir, kb
):
    drop_from_manifest(knowledge_dir, NAJU_DOCUMENT)
    async with local_bot_factory(knowledge_dir=knowledge_dir) as bot:
        calls = await bot.chat(ADMIN).send("/reload")
        new_kb = bot.application.bot_data["kb"]
        assert new_kb is not kb
        diff = kb.diff(new_kb)
        assert diff.removed and not diff.added
        report = calls[-1].text
        assert report.startswith(f"지식베이스를 다시 불러왔습니다: 항목 {len(new_kb.entries)}개")
        assert diff.summary() in report
        assert all(e.region != "나주시" for e in new_kb.entries)


def _unbuildable(*args, **kwargs):
    raise AssertionError("a message built what lists derive from every entry")


async def test_reload_derives_list_data_before_a_message_needs_it(
    local_bot_factory, knowledge_dir, monkeypatch
):
    """The reloaded knowledge base's list data (the entries' substring index) is built by
    /reload, not by the first citizen whose message needs it ("나주는요?")."""
    async with local_bot_factory(knowledge_dir=knowledge_dir) as bot:
        await bot.chat(ADMIN).send("/reload")
        monkeypatch.setattr(listing, "SubstringIndex", _unbuildable)
        me = bot.chat(CITIZEN)
        await me.send("전북 자매결연 지역 어디어디예요?")
        assert "[16개 공공기관과 상생" in sent_texts(await me.send("나주는요?"))


@pytest.mark.parametrize(
    "broken_file, content, where",
    [
        (
            "manifest.yaml",
            "- file: 000_15a4bab05bd28ba6.txt\n  parser: [oops\n",
            "manifest.yaml:3:",
        ),
        ("002_6a28f365ff4f5871.txt", "garbage\n", "002_6a28f365ff4f5871.txt:1:"),
    ],
)
async def test_reload_with_errors_keeps_the_old_knowledge_base(
    local_bot_factory, knowledge_dir, kb, broken_file, content, where
):
    (knowledge_dir / broken_file).write_text(content, encoding="utf-8")
    async with local_bot_factory(knowledge_dir=knowledge_dir) as bot:
        calls = await bot.chat(ADMIN).send("/reload")
        assert bot.application.bot_data["kb"] is kb
        report = calls[-1].text
        assert (
            report.startswith("지식베이스를 불러오지 못해 기존 자료를 그대로 씁니다")
            and where in report
        )
        answer = await bot.chat(CITIZEN).send("새마을지도자 자녀 장학금 조건")
        assert "새마을지도자 자녀 장학금" in answer[0].text


async def test_reload_is_for_admins_only(local_bot):
    calls = await local_bot.chat(STAFF).send("/reload")
    assert sent_texts(calls) == ADMIN_DENIED_TEXT
    assert local_bot.db["denied_attempts"].count == 1


async def test_stats_reports_questions_and_complaints(local_bot, file_complaint):
    me = local_bot.chat(CITIZEN)
    await me.send("새마을지도자 자녀 장학금 조건")
    await me.send("오늘 날씨 어때?")
    await local_bot.store.flush()  # the writer is idle before the test writes on its connection
    file_complaint(
        local_bot.db,
        "가로등 고장",
        user_id=CITIZEN,
        department="도로과",
        region="전주시",
    )
    text = sent_texts(await local_bot.chat(ADMIN).send("/stats"))
    assert "오늘 2건" in text and "답변률 50%" in text
    assert "오늘 날씨 어때?" in text
    assert "접수 1" in text and "· 도로과 1" in text
    assert "보내는 중 0건 · 보내지 못함 0건" in text


async def test_stats_show_notifications_that_could_not_be_delivered(local_bot):
    """A citizen who blocked the bot never gets the answer: the admin sees that it was given up."""
    notice = outbox.enqueue(
        local_bot.db, CITIZEN, "[민원 20250301-AB2C] 담당자 답변: 보수 완료", kind="reply"
    )
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.mark_failed(
            local_bot.db, notice, "Forbidden: bot was blocked by the user", retry_after_seconds=0
        )
    outbox.enqueue(local_bot.db, CITIZEN, "[민원 20250301-AB2C] 처리 상태: 처리중", kind="status")
    text = sent_texts(await local_bot.chat(ADMIN).send("/stats"))
    assert "보내는 중 1건 · 보내지 못함 1건" in text
    assert f"· #{notice} 민원인 답변 알림 → 대화방 {CITIZEN}" in text
    assert "bot was blocked by the user" in text and "보수 완료" not in text


async def test_grant_and_revoke(local_bot):
    boss = local_bot.chat(ADMIN)
    newcomer = local_bot.chat(555)
    assert "권한이 없습니다" in sent_texts(await newcomer.send("/inbox"))
    assert sent_texts(await boss.send("/grant 555")) == "555에게 담당 직원 권한을 주었습니다."
    assert "민원함" in sent_texts(await newcomer.send("/inbox"))
    menu = [
        c
        for c in local_bot.api.sent(method="setMyCommands")
        if c.params["scope"].get("chat_id") == 555
    ]
    assert "inbox" in [c["command"] for c in menu[-1].params["commands"]]
    assert "관리자만" in sent_texts(await newcomer.send("/stats"))
    await boss.send("/grant 555 admin")
    assert "[질문]" in sent_texts(await newcomer.send("/stats"))
    assert sent_texts(await boss.send("/revoke 555")) == "555의 권한을 회수했습니다."
    assert "권한이 없습니다" in sent_texts(await newcomer.send("/inbox"))
    assert local_bot.api.sent(method="deleteMyCommands")[-1].params["scope"]["chat_id"] == 555
    assert sent_texts(await boss.send("/revoke 555")) == "555에게 부여된 권한이 없습니다."


@pytest.mark.parametrize(
    "command, expected",
    [
        ("/grant", admin.GRANT_USAGE),
        ("/grant abc", admin.GRANT_USAGE),
        ("/grant 555 boss", admin.GRANT_USAGE),
        ("/grant -5", admin.GRANT_USAGE),
        ("/revoke", admin.REVOKE_USAGE),
        ("/revoke 1 2", admin.REVOKE_USAGE),
    ],
)
async def test_grant_and_revoke_usage(local_bot, command, expected):
    assert sent_texts(await local_bot.chat(ADMIN).send(command)) == expected


async def test_ids_from_the_settings_cannot_be_revoked_in_the_bot(local_bot):
    text = sent_texts(await local_bot.chat(ADMIN).send("/revoke 800"))
    assert "설정(ADMIN_IDS/STAFF_IDS)" in text
    assert "민원함" in sent_texts(await local_bot.chat(STAFF).send("/inbox"))
