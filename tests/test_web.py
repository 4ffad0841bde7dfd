"""The staff web console through Starlette's TestClient: sign-in, CSRF, rate limit, pages and
actions that notify the citizen through the same outbox as Telegram."""

from __future__ import annotations

import asyncio
import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from db.complaints import get_complaint, history
from db.database import open_database
from db.templates import acknowledgement
from web import auth
from web.app import create_app

CITIZEN, STAFF, ADMIN, STRANGER = 42, 800, 900, 43
PASSWORD = "correct horse battery"
FULL_COST = auth.SCRYPT_N


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Hashes made here cost 2**4 instead of 2**14 (about 50 ms each, three or more per test);
    the cost is stored in each hash, so signing in checks them the same way.
    test_passwords_are_stored_as_full_cost_scrypt_hashes checks the real cost."""
    monkeypatch.setattr(auth, "SCRYPT_N", 2**4)


def test_passwords_are_stored_as_full_cost_scrypt_hashes(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", FULL_COST)
    stored = auth.hash_password(PASSWORD)
    assert stored.startswith(f"scrypt${2**14}$8$1$") and PASSWORD not in stored
    assert auth.check_password(PASSWORD, stored)
    assert not auth.check_password(PASSWORD + "!", stored)


@pytest.fixture
def console(bot_settings):
    db = open_database(bot_settings.database_path)
    auth.add_account(db, "kim", PASSWORD, user_id=STAFF)
    auth.add_account(db, "former", PASSWORD, user_id=STRANGER)
    client = TestClient(create_app(bot_settings), follow_redirects=False)
    client.db = db
    yield client
    db.close()


def csrf_of(response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)


def sign_in(client, username="kim", password=PASSWORD):
    token = csrf_of(client.get("/login"))
    return client.post(
        "/login",
        data={"csrf": token, "step": "password", "username": username, "password": password},
    )


@pytest.fixture
def store(file_complaint):
    def store(db, n=1, content="가로등이 고장났어요"):
        return file_complaint(
            db,
            content,
            idempotency_key=f"k{n}",
            department="도로과",
            region="전주시",
            phone="010-1234-5678",
            anonymous=False,
            consent=True,
            latitude=35.8,
            longitude=127.1,
        )

    return store


@pytest.mark.parametrize("path", ["/", "/dashboard", "/complaints/20250301-AB2C", "/export.csv"])
def test_pages_redirect_to_login_without_a_session(console, path):
    response = console.get(path)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_password_sign_in_opens_an_expiring_session(console):
    response = sign_in(console)
    assert response.status_code == 303
    assert "Max-Age=28800" in response.headers["set-cookie"]
    assert console.get("/").status_code == 200
    stored = console.db["web_sessions"].rows.__next__()
    assert console.cookies["console_session"] not in str(stored)  # only the hash is kept


@pytest.mark.parametrize(
    "username, password", [("kim", "wrong password!"), ("nobody", PASSWORD), ("former", PASSWORD)]
)
def test_wrong_or_non_staff_sign_in_is_refused(console, username, password):
    response = sign_in(console, username, password)
    assert response.status_code == 401 and "로그인 정보가 맞지 않습니다" in response.text
    assert console.get("/").status_code == 303


def test_sign_in_without_the_csrf_token_is_refused(console):
    response = console.post(
        "/login", data={"step": "password", "username": "kim", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_failed_sign_ins_are_rate_limited(console):
    for _ in range(auth.MAX_FAILURES):
        assert sign_in(console, "kim", "wrong password!").status_code == 401
    blocked = sign_in(console)  # even the right password waits now
    assert blocked.status_code == 429 and "잠시 후" in blocked.text


def test_one_time_code_goes_through_the_outbox_to_the_staff_chat(console):
    token = csrf_of(console.get("/login"))
    page = console.post("/login", data={"csrf": token, "step": "send_code", "user_id": STAFF})
    assert "로그인 코드를 보냈습니다" in page.text
    [notice] = list(console.db["outbox"].rows_where("chat_id = ?", [STAFF]))
    code = re.search(r"코드: (\d{6})", notice["text"]).group(1)
    bad = console.post(
        "/login",
        data={
            "csrf": token,
            "step": "code",
            "user_id": STAFF,
            "code": "000000" if code != "000000" else "111111",
        },
    )
    assert bad.status_code == 401
    good = console.post(
        "/login", data={"csrf": token, "step": "code", "user_id": STAFF, "code": code}
    )
    assert good.status_code == 303 and console.get("/").status_code == 200
    again = console.post(
        "/login", data={"csrf": token, "step": "code", "user_id": STAFF, "code": code}
    )
    assert again.status_code == 401  # a code works once


def test_no_code_is_sent_to_a_non_staff_id_but_the_page_looks_the_same(console):
    token = csrf_of(console.get("/login"))
    page = console.post("/login", data={"csrf": token, "step": "send_code", "user_id": STRANGER})
    assert "로그인 코드를 보냈습니다" in page.text
    assert console.db["outbox"].count == 0


def test_inbox_filters_and_escapes(console, store):
    store(console.db, 1, "<script>alert(1)</script> 가로등")
    store(console.db, 2, "여권 재발급 절차가 궁금합니다")
    sign_in(console)
    page = console.get("/")
    assert "2건" in page.text and "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text
    found = console.get("/", params={"type": "질의"})
    assert "여권" in found.text and "가로등" not in found.text
    assert "가로등" in console.get("/", params={"q": "가로등"}).text
    assert "날짜" in console.get("/", params={"since": "어제"}).text


def test_actions_use_the_same_functions_and_notify_the_citizen(console, store):
    complaint = store(console.db)
    sign_in(console)
    page = console.get(f"/complaints/{complaint.receipt}")
    assert "010-****-5678" in page.text and "openstreetmap.org/?mlat=35.8" in page.text
    token = csrf_of(page)
    url = f"/complaints/{complaint.receipt}/action"
    assert (
        console.post(
            url, data={"csrf": token, "action": "reply", "text": "내일 고치겠습니다"}
        ).status_code
        == 303
    )
    console.post(url, data={"csrf": token, "action": "note", "text": "현장 확인 필요"})
    console.post(
        url, data={"csrf": token, "action": "transfer", "department": "전주시 도로관리과"}
    )
    console.post(
        url, data={"csrf": token, "action": "extend", "due": "2099-03-04", "text": "현장 조사"}
    )
    console.post(url, data={"csrf": token, "action": "close", "text": "수리 완료"})
    after = get_complaint(console.db, complaint.receipt)
    assert (after.status, after.department) == ("완료", "전주시 도로관리과")
    assert after.extension_reason == "현장 조사"
    kinds = [e["kind"] for e in history(console.db, complaint.receipt)]
    assert kinds == ["status", "reply", "note", "status", "extend", "status"]
    to_citizen = [r["text"] for r in console.db["outbox"].rows_where("chat_id = ?", [CITIZEN])]
    assert to_citizen[0] == f"[민원 {complaint.receipt}] 담당자 답변: 내일 고치겠습니다"
    assert len(to_citizen) == 5 and to_citizen[-1].startswith("[만족도 조사]")
    assert not any("현장 확인 필요" in t for t in to_citizen)


def test_an_action_without_the_csrf_token_changes_nothing(console, store):
    complaint = store(console.db)
    sign_in(console)
    response = console.post(
        f"/complaints/{complaint.receipt}/action", data={"csrf": "forged", "action": "close"}
    )
    assert response.status_code == 403
    assert get_complaint(console.db, complaint.receipt).status == "접수"


def test_a_refused_action_is_explained(console, store):
    complaint = store(console.db)
    sign_in(console)
    token = csrf_of(console.get(f"/complaints/{complaint.receipt}"))
    url = f"/complaints/{complaint.receipt}/action"
    response = console.post(
        url, data={"csrf": token, "action": "extend", "due": "내일", "text": "x"}
    )
    assert response.status_code == 400 and "YYYY-MM-DD" in response.text


@pytest.mark.parametrize("text, kept", [("😀" * 2000, True), ("😀" * 2001, False)])
def test_a_reply_is_measured_as_telegram_measures_it(console, store, text, kept):
    """4,000 UTF-16 units (an emoji counts two), as a reply sent from Telegram."""
    complaint = store(console.db)
    sign_in(console)
    token = csrf_of(console.get(f"/complaints/{complaint.receipt}"))
    response = console.post(
        f"/complaints/{complaint.receipt}/action",
        data={"csrf": token, "action": "reply", "text": text},
    )
    assert response.status_code == (303 if kept else 400)
    replies = [e for e in history(console.db, complaint.receipt) if e["kind"] == "reply"]
    assert len(replies) == (1 if kept else 0)
    if not kept:
        assert "4,000자까지" in response.text


def test_revoked_staff_lose_their_session(console):
    sign_in(console)
    console.db["web_accounts"].update("kim", {"user_id": STRANGER})
    console.db.execute("update web_sessions set user_id = ?", [STRANGER])
    assert console.get("/").status_code == 303


def test_exports_and_dashboard(console, store):
    store(console.db, 1, "=cmd|' /C calc'!A0")
    sign_in(console)
    data = console.get("/export.csv").content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["접수번호", "접수일시", "상태", "유형", "처리기한"]
    assert rows[1][7].startswith("'=")
    xlsx = console.get("/export.xlsx")
    assert xlsx.content.startswith(b"PK") and "spreadsheetml" in xlsx.headers["content-type"]
    page = console.get("/dashboard")
    assert page.status_code == 200 and page.text.count("<svg") == 3 and "도로과" in page.text


def test_logout_ends_the_session(console):
    sign_in(console)
    token = csrf_of(console.get("/"))
    console.post("/logout", data={"csrf": token})
    assert console.get("/").status_code == 303


async def test_the_bot_process_serves_the_console_without_blocking_its_loop(
    bot_settings, kb, tokenizer
):
    import dataclasses
    import socket

    import aiohttp

    from console.local_api import LocalBotApi
    from handlers.app import build_application, running

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = dataclasses.replace(bot_settings, web_port=port)
    application = build_application(
        settings, request=LocalBotApi(), kb=kb, tokenizer=tokenizer, web_console=True
    )
    async with running(application):
        server, task = application.bot_data["web_console"]
        while not server.started:
            assert not task.done(), "the console did not start (its free port was taken?)"
            await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/", allow_redirects=False) as answer:
                assert (answer.status, answer.headers["location"]) == (303, "/login")
    assert "web_console" not in application.bot_data


async def test_a_taken_port_leaves_the_bot_running(bot_settings, caplog):
    import dataclasses
    import socket

    from web.server import start_in_loop, stop

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = dataclasses.replace(bot_settings, web_port=taken.getsockname()[1])
        running = start_in_loop(settings)
        await asyncio.wait_for(running[1], timeout=30)
        await stop(running)
    assert "could not listen" in caplog.text


def test_admins_keep_templates_and_staff_answer_with_one(console, store):
    auth.add_account(console.db, "admin", PASSWORD, user_id=ADMIN)
    complaint = store(console.db)
    sign_in(console)
    token = csrf_of(console.get("/templates"))
    refused = console.post("/templates", data={"csrf": token, "name": "x", "body": "y"})
    assert refused.status_code == 403
    console.cookies.clear()
    sign_in(console, "admin")
    token = csrf_of(console.get("/templates"))
    bad = console.post("/templates", data={"csrf": token, "name": "x", "body": "{담당자}"})
    assert bad.status_code == 400 and "알 수 없는 자리표시자" in bad.text
    console.post(
        "/templates",
        data={
            "csrf": token,
            "name": "보수 안내",
            "body": "{접수번호} 민원은 {부서}에서 처리합니다.",
        },
    )
    page = console.get(f"/complaints/{complaint.receipt}")
    assert "보수 안내" in page.text
    filled = console.get(f"/complaints/{complaint.receipt}", params={"template": "1"})
    assert f"{complaint.receipt} 민원은 도로과에서 처리합니다.</textarea>" in filled.text


def confirmation(page: str) -> dict[str, str]:
    """The hidden fields of a removal confirmation's [삭제] form."""
    return dict(re.findall(r'name="(id|shown)" value="([^"]+)"', page.split("</section>")[0]))


def test_an_admin_removes_a_template_only_after_seeing_it(console):
    auth.add_account(console.db, "admin", PASSWORD, user_id=ADMIN)
    sign_in(console, "admin")
    token = csrf_of(console.get("/templates"))
    for name in ("보수 안내", "접수 안내"):
        console.post("/templates", data={"csrf": token, "name": name, "body": "곧\n고칩니다"})
    [first, second] = [row["id"] for row in console.db["reply_templates"].rows]
    shown = console.post("/templates", data={"csrf": token, "action": "delete", "id": first})
    assert "상용구 삭제 확인" in shown.text and "이름: 보수 안내" in shown.text
    assert console.db["reply_templates"].count == 2  # nothing is removed before the confirmation
    confirm = confirmation(shown.text)
    removed = console.post(
        "/templates", data={"csrf": token, "action": "delete_confirmed", **confirm}
    )
    assert removed.status_code == 303
    assert [row["id"] for row in console.db["reply_templates"].rows] == [second]

    shown = console.post("/templates", data={"csrf": token, "action": "delete", "id": second})
    confirm = confirmation(shown.text)
    console.post("/templates", data={"csrf": token, "action": "auto", "id": second, "on": "1"})
    changed = console.post(
        "/templates", data={"csrf": token, "action": "delete_confirmed", **confirm}
    )
    assert changed.status_code == 400 and "보여 드린 뒤에 바뀌었습니다" in changed.text
    assert console.db["reply_templates"].count == 1


def test_similar_complaints_are_shown_linked_and_answered_together(console, file_complaint, store):
    first = store(console.db, 1, "가로등이 고장났어요 밤에 너무 어두워요")
    second = file_complaint(
        console.db,
        "우리 집 앞 가로등이 고장나서 어두워요",
        user_id=77,
        department="도로과",
        region="전주시",
    )
    sign_in(console)
    page = console.get(f"/complaints/{second.receipt}")
    assert f'유사 민원 <a href="/complaints/{first.receipt}">' in page.text
    token = csrf_of(page)
    url = f"/complaints/{second.receipt}/action"
    console.post(url, data={"csrf": token, "action": "link", "other": first.receipt})
    assert (
        f'연결됨: <a href="/complaints/{first.receipt}">'
        in console.get(f"/complaints/{second.receipt}").text
    )
    done = console.post(url, data={"csrf": token, "action": "reply", "text": "내일 고칩니다"})
    assert "%EC%97%B0%EA%B2%B0" in done.headers["location"]  # '연결된 민원 1건에도'
    replies = {r["chat_id"] for r in console.db["outbox"].rows_where("kind = 'reply'")}
    assert replies == {CITIZEN, 77}


def test_login_code_requests_are_rate_limited_too(console):
    token = csrf_of(console.get("/login"))
    for _ in range(auth.MAX_FAILURES):
        console.post("/login", data={"csrf": token, "step": "send_code", "user_id": STAFF})
    blocked = console.post("/login", data={"csrf": token, "step": "send_code", "user_id": STAFF})
    assert blocked.status_code == 429
    assert console.db["outbox"].count == auth.MAX_FAILURES


@pytest.mark.parametrize(
    "user_id, answers, code, said",
    [
        (STAFF, ["long enough pw", "long enough pw"], 0, "만들었습니다"),
        (STAFF, ["long enough pw", "different pw!!"], 1, "다릅니다"),
        (STAFF, ["short", "short"], 1, "10자 이상"),
        (STRANGER, [], 1, "직원이 아닙니다"),
    ],
)
def test_add_user_command(bot_settings, capsys, user_id, answers, code, said):
    from web.accounts import add_user_command

    replies = iter(answers)
    assert add_user_command(bot_settings, "lee", user_id, ask=lambda _: next(replies)) == code
    assert said in "".join(capsys.readouterr())
    db = open_database(bot_settings.database_path)
    assert (auth.check_account(db, "lee", "long enough pw") == STAFF) is (code == 0)
    db.close()


def test_an_admin_marks_a_template_as_the_automatic_acknowledgement(console, store):
    auth.add_account(console.db, "admin", PASSWORD, user_id=ADMIN)
    sign_in(console, "admin")
    token = csrf_of(console.get("/templates"))
    console.post(
        "/templates",
        data={"csrf": token, "name": "접수 안내", "body": "{접수번호} 접수", "department": ""},
    )
    marked = console.post(
        "/templates", data={"csrf": token, "action": "auto", "id": "1", "on": "1"}
    )
    assert marked.status_code == 303
    page = console.get("/templates").text
    assert '<td class="auto-ack">사용' in page and "끄기</button>" in page
    assert acknowledgement(console.db, store(console.db)).name == "접수 안내"
    console.cookies.clear()
    sign_in(console)
    refused = console.post("/templates", data={"csrf": token, "action": "auto", "id": "1"})
    assert refused.status_code == 403


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (grey pixels), as a browser would decode it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def with_photos(file_complaint):
    def with_photos(db, file_ids):
        return file_complaint(db, "도로가 파였어요", consent=True, attachments=list(file_ids))

    return with_photos


@pytest.fixture
def fetched():
    """A photo source like the bot's: counts fetches, knows one file."""
    from web.photos import PhotoUnavailable

    calls = []

    async def fetch(file_id: str) -> bytes:
        calls.append(file_id)
        if file_id != "AgAC-known":
            raise PhotoUnavailable("wrong file_id")
        return png()

    fetch.calls = calls
    return fetch


def test_photos_need_a_session_come_through_the_bot_once_and_then_from_the_cache(
    bot_settings, fetched, with_photos
):
    from web.photos import GONE_TEXT, cache_dir

    client = TestClient(create_app(bot_settings, fetch_file=fetched), follow_redirects=False)
    db = open_database(bot_settings.database_path)
    auth.add_account(db, "kim", PASSWORD, user_id=STAFF)
    complaint = with_photos(db, ["AgAC-known", "AgAC-gone"])
    first = f"/complaints/{complaint.receipt}/photos/1"
    assert client.get(first).headers["location"] == "/login"
    sign_in(client)
    page = client.get(f"/complaints/{complaint.receipt}").text
    assert f'<img src="{first}"' in page and f"/complaints/{complaint.receipt}/photos/2" in page
    for _ in range(2):
        shown = client.get(first)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
        assert shown.content == png()
    assert fetched.calls == ["AgAC-known"]  # the second view came from the cache
    assert [
        p.parent.name for p in cache_dir(bot_settings.database_path).rglob("*") if p.is_file()
    ] == [complaint.receipt]
    gone = client.get(f"/complaints/{complaint.receipt}/photos/2")
    assert gone.headers["content-type"] == "image/svg+xml" and GONE_TEXT in gone.text
    assert client.get(f"/complaints/{complaint.receipt}/photos/3").status_code == 404
    db.close()


def test_without_the_bot_a_photo_is_a_placeholder_saying_so(console, with_photos):
    from web.photos import NO_BOT_TEXT

    complaint = with_photos(console.db, ["AgAC-known"])
    sign_in(console)
    shown = console.get(f"/complaints/{complaint.receipt}/photos/1")
    assert shown.headers["content-type"] == "image/svg+xml" and NO_BOT_TEXT in shown.text


def test_cached_photos_of_purged_complaints_go(tmp_path):
    from web.photos import cached_path, purge_orphans

    for receipt in ("20250301-AAAA", "20250301-BBBB"):
        path = cached_path(tmp_path, receipt, "file")
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    assert purge_orphans(tmp_path, lambda receipt: receipt == "20250301-BBBB") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["20250301-BBBB"]


async def test_the_bot_fetches_a_photo_for_the_console_through_get_file(local_bot, with_photos):
    """The real Application's Bot against the local Bot API: getFile, then the download."""
    import httpx

    from handlers.app import telegram_file_fetcher
    from web.photos import GONE_TEXT

    local_bot.api.files["AgAC-real"] = png(3, 3)
    complaint = with_photos(local_bot.db, ["AgAC-real", "AgAC-missing"])
    auth.add_account(local_bot.db, "kim", PASSWORD, user_id=STAFF)
    app = create_app(
        local_bot.settings, fetch_file=telegram_file_fetcher(local_bot.application.bot)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
        login = await client.get("/login")
        token = csrf_of(login)
        await client.post(
            "/login",
            data={"csrf": token, "step": "password", "username": "kim", "password": PASSWORD},
        )
        shown = await client.get(f"/complaints/{complaint.receipt}/photos/1")
        missing = await client.get(f"/complaints/{complaint.receipt}/photos/2")
    assert shown.content == png(3, 3)
    assert GONE_TEXT in missing.text
    assert [c.method for c in local_bot.api.calls if c.method == "getFile"] == ["getFile"] * 2
