"""Every staff and admin command and button refuses whoever lacks the role, and logs it.

The table is checked against handlers/app.py's registration: a staff or admin handler without a
row here fails ``test_the_table_covers_every_privileged_handler``. Each refusal must answer with
the denial text, add one ``denied_attempts`` row (db.staff.log_denied) for that user, and change
nothing else: no complaint, history, notification, role or knowledge base touched.
"""

from __future__ import annotations

import pytest
import pytest_asyncio
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from db.staff import grant, revoke
from handlers import admin, staff, teaching, workbench
from handlers.access import ADMIN_DENIED_TEXT, ADMIN_ROLES, DENIED_TEXT, STAFF_ROLES
from handlers.formatting import staff_alert
from handlers.keyboards import staff_actions

# The command menus are checked in test_handlers_citizen.py and test_handlers_admin.py.
pytestmark = pytest.mark.without_menus

CITIZEN, REVOKED, STAFF, ADMIN, STAFF_CHAT = 42, 555, 800, 900, -100500
GROUP_ANONYMOUS_BOT = 1087968824  # how Telegram shows an anonymous group admin
STAFF_ONLY, ADMIN_ONLY = "staff", "admin"

COMMANDS = [
    ("/inbox 접수", STAFF_ONLY),
    ("/view {r}", STAFF_ONLY),
    ("/reply {r} 답변입니다", STAFF_ONLY),
    ("/assign {r} 도로관리과", STAFF_ONLY),
    ("/close {r} 처리 끝", STAFF_ONLY),
    ("/note {r} 내부 메모", STAFF_ONLY),
    ("/export 2020-01-01 2030-12-31", STAFF_ONLY),
    ("/reload", ADMIN_ONLY),
    ("/stats", ADMIN_ONLY),
    (f"/grant {CITIZEN} admin", ADMIN_ONLY),
    (f"/revoke {STAFF}", ADMIN_ONLY),
    ("/kb_versions", ADMIN_ONLY),
    ("/rollback 1", ADMIN_ONLY),
    ("/unanswered", ADMIN_ONLY),
    ("/unanswered 30", ADMIN_ONLY),
    ("/type {r} 일반", STAFF_ONLY),
    ("/extend {r} 2030-01-02 현장 확인", STAFF_ONLY),
    ("/due", STAFF_ONLY),
    ("/closed 2030-05-02 개청 기념일", ADMIN_ONLY),
    ("/statutory 여권 발급 4", ADMIN_ONLY),
    ("/template", STAFF_ONLY),
    ("/template add 안내 | 내용", ADMIN_ONLY),
    ("/template del 1", ADMIN_ONLY),
    ("/template auto 1", ADMIN_ONLY),
    ("/endchat 1", STAFF_ONLY),
    ("/link {r} {r}", STAFF_ONLY),
    ("/repeat {r} {r}", STAFF_ONLY),
]
# Commands anyone may send: every other registered command must be in COMMANDS.
# /agent and /endchat are the citizen's 상담원 연결 ("/endchat N", naming a relay, is staff's).
PUBLIC_COMMANDS = {
    *("start", "help", "region", "status", "my", "cancel", "source", "complaint"),
    *("agent", "endchat"),
}
BUTTONS = [
    "s:prog:{r}",
    "s:done:{r}",
    "s:rej:{r}",
    "s:reply:{r}",
    "s:att:{r}",
    "i:new:5",
    "a:send:1",
    "a:edit:1",
    "a:cancel:1",
    "k:pub:0a1b2c3d",
    "t:pick:0a1b2c3d:0",
    "t:save:0a1b2c3d",
    "p:save:0a1b2c3d",
    "p:del:0a1b2c3d",
    "p:drop:0a1b2c3d",
]
# (user, chat) pairs without the role: a citizen privately and as a member of the staff chat,
# a staff member whose grant was revoked, and an anonymous group admin.
OUTSIDERS = {
    "citizen": (CITIZEN, None),
    "citizen-in-staff-chat": (CITIZEN, STAFF_CHAT),
    "revoked-staff": (REVOKED, None),
    "anonymous-admin": (GROUP_ANONYMOUS_BOT, STAFF_CHAT),
}
ROWS = [(command, level, who) for command, level in COMMANDS for who in OUTSIDERS]
ROWS += [(command, level, "staff") for command, level in COMMANDS if level == ADMIN_ONLY]
BUTTON_ROWS = [(data, who) for data in BUTTONS for who in OUTSIDERS]


async def _set_up(bot, file_complaint, *, filed_by: int, revoked: int) -> None:
    """A complaint posted to the staff chat (bot.stored, bot.alert), and ``revoked``, a staff
    member whose role was revoked."""
    bot.stored = file_complaint(
        bot.db,
        "가로등 고장",
        user_id=filed_by,
        idempotency_key=f"stored-{filed_by}",
        department="도로과",
        region="전주시",
        phone="010-1234-5678",
        anonymous=False,
        consent=True,
    )
    bot.alert = await bot.application.bot.send_message(
        STAFF_CHAT,
        staff_alert(bot.stored),
        reply_markup=staff_actions(bot.stored.receipt),
    )
    grant(bot.db, revoked, role="staff", granted_by=ADMIN)
    revoke(bot.db, revoked, revoked_by=ADMIN)


@pytest.fixture
async def bot(local_bot, file_complaint):
    """A complaint posted to the staff chat, and a staff member whose role was revoked."""
    await _set_up(local_bot, file_complaint, filed_by=7, revoked=REVOKED)
    return local_bot


@pytest_asyncio.fixture(loop_scope="module")
async def row(table_row, file_complaint):
    """``bot`` for one row of the module's table bot: its own complaint and revoked staff
    member, outsiders and a staff member no other row has used (the anonymous group admin is
    the one id Telegram gives it), and the denials logged before the row."""
    from types import SimpleNamespace

    table = table_row
    row = SimpleNamespace(application=table.application, api=table.api, db=table.db)
    row.chat = table.chat
    revoked = table.citizen()
    await _set_up(row, file_complaint, filed_by=table.citizen(), revoked=revoked)
    row.outsiders = {
        "citizen": (table.citizen(), None),
        "citizen-in-staff-chat": (table.citizen(), STAFF_CHAT),
        "revoked-staff": (revoked, None),
        "anonymous-admin": OUTSIDERS["anonymous-admin"],
    }
    row.staff = table.staff()
    row.denied_before = len(denials(row))
    return row


def snapshot(bot) -> dict:
    tables = ("complaints", "complaint_history", "outbox", "staff", "questions", "reply_templates")
    return {name: list(bot.db[name].rows) for name in tables} | {
        "kb": id(bot.application.bot_data["kb"])
    }


def denials(bot) -> list[tuple[int, str]]:
    return [(row["user_id"], row["command"]) for row in bot.db["denied_attempts"].rows]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    "command, level, who", ROWS, ids=[f"{c.split()[0]}-{lvl}-{w}" for c, lvl, w in ROWS]
)
async def test_commands_are_refused_without_the_role(row, command, level, who):
    bot = row
    user_id, chat_id = (bot.staff, None) if who == "staff" else bot.outsiders[who]
    before = snapshot(bot)
    calls = await bot.chat(user_id, chat_id=chat_id).send(command.format(r=bot.stored.receipt))
    assert [(c.method, c.text) for c in calls] == [
        ("sendMessage", ADMIN_DENIED_TEXT if level == ADMIN_ONLY else DENIED_TEXT)
    ]
    assert denials(bot)[bot.denied_before :] == [(user_id, command.split()[0])]
    assert snapshot(bot) == before


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("data, who", BUTTON_ROWS, ids=[f"{d}-{w}" for d, w in BUTTON_ROWS])
async def test_staff_buttons_replayed_by_outsiders_are_refused(row, data, who):
    """The buttons of an old staff-chat message, pressed (or forged) by someone without the
    role."""
    bot = row
    user_id, chat_id = bot.outsiders[who]
    before = snapshot(bot)
    me = bot.chat(user_id, chat_id=chat_id)
    if chat_id is None:  # forged in a private chat: the data is all a client controls
        seed = await bot.application.bot.send_message(user_id, "안내")
        calls = await me.press(data=data.format(r=bot.stored.receipt), message_id=seed.message_id)
    else:
        calls = await me.press(
            data=data.format(r=bot.stored.receipt), message_id=bot.alert.message_id
        )
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    # k: admin uploads, t: teaching from unanswered questions, p: a new reply template
    expected = ADMIN_DENIED_TEXT if data.startswith(("k:", "t:", "p:")) else DENIED_TEXT
    assert (calls[0].params["text"], calls[0].params["show_alert"]) == (expected, True)
    [(denied_user, label)] = denials(bot)[bot.denied_before :]
    assert denied_user == user_id and label
    assert snapshot(bot) == before
    assert bot.api.messages[(STAFF_CHAT, bot.alert.message_id)]["text"] == bot.alert.text


async def test_a_grant_revoked_while_writing_a_reply_stops_the_reply(bot):
    grant(bot.db, 556, role="staff", granted_by=ADMIN)
    member = bot.chat(556, chat_id=STAFF_CHAT)
    prompt = (await member.press("답변"))[-1]
    revoke(bot.db, 556, revoked_by=ADMIN)
    before = snapshot(bot)
    asked = bot.api.messages[(STAFF_CHAT, prompt.message_id)]
    calls = await member.send("이제 권한이 없는 답변", reply_to_message=asked)
    assert [c.text for c in calls] == [DENIED_TEXT]
    assert denials(bot) == [(556, "reply text")]
    assert snapshot(bot) == before


async def test_staff_and_admins_are_let_through(bot):
    """The other side of the table: the same commands work for the role they need."""
    for command, level in COMMANDS:
        if command.startswith(("/reload", "/revoke", "/grant", "/rollback")):
            continue  # changes roles or reloads; covered by tests/test_handlers_admin.py
            # and tests/test_handlers_upload.py
        user_id = ADMIN if level == ADMIN_ONLY else STAFF
        calls = await bot.chat(user_id).send(command.format(r=bot.stored.receipt))
        assert all("권한이 없습니다" not in c.text for c in calls), command
    assert denials(bot) == []


PRIVILEGED_MODULES = (staff.__name__, workbench.__name__, admin.__name__, teaching.__name__)


def every_handler(application) -> list:
    """The registered handlers of every group, in the order they are tried."""
    return [h for group in sorted(application.handlers) for h in application.handlers[group]]


def _privileged(handlers) -> list:
    """Every registered handler whose callback lives in handlers.staff, .workbench, .admin or
    .teaching."""
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            found += _privileged(
                [
                    *handler.entry_points,
                    *handler.fallbacks,
                    *(h for state in handler.states.values() for h in state),
                ]
            )
        elif getattr(handler.callback, "__module__", "") in PRIVILEGED_MODULES:
            found.append(handler)
    return found


@pytest.mark.asyncio(loop_scope="module")
async def test_the_table_covers_every_privileged_handler(table_bot):
    receipt = "20250301-AB2C"
    commands = {c.split()[0].lstrip("/") for c, _ in COMMANDS}
    buttons = [b.format(r=receipt) for b in BUTTONS]
    uncovered = []
    for handler in _privileged(every_handler(table_bot.application)):
        if isinstance(handler, CommandHandler):
            if not handler.commands <= commands:
                uncovered.append(sorted(handler.commands))
        elif isinstance(handler, CallbackQueryHandler):
            if not any(handler.pattern.match(data) for data in buttons):
                uncovered.append(handler.pattern.pattern)
        # a reply to a prompt: test_a_grant_revoked_while_writing_a_reply_stops_the_reply;
        # an admin's file: admin.take_admin_file reads the role and passes anyone else's on
        # (tests/test_handlers_upload.py); a reply to a teaching prompt:
        # test_handlers_teaching.py::test_cancel_and_someone_elses_reply_change_nothing
        elif handler.callback not in (
            staff.receive_prompt_text,
            admin.take_admin_file,
            teaching.receive_prompt_text,
        ):
            uncovered.append(handler.callback.__qualname__)
    assert uncovered == []


def _registered_commands(handlers) -> set[str]:
    found = set()
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            found |= _registered_commands([*handler.entry_points, *handler.fallbacks])
            found |= _registered_commands(h for state in handler.states.values() for h in state)
        elif isinstance(handler, CommandHandler):
            found |= handler.commands
    return found


@pytest.mark.asyncio(loop_scope="module")
async def test_every_command_is_public_or_in_the_table(table_bot):
    """A new staff command must get a row above, where a citizen's attempt is refused."""
    registered = _registered_commands(table_bot.application.handlers[0])
    table = {c.split()[0].lstrip("/") for c, _ in COMMANDS}
    assert registered - PUBLIC_COMMANDS == table - PUBLIC_COMMANDS


@pytest.mark.asyncio(loop_scope="module")
async def test_every_privileged_callback_requires_its_role(table_bot):
    """Each staff, workbench and admin callback is wrapped by access.requires (except the
    admin's file, which reads the role itself and passes anyone else's file on); the role each
    command needs is checked row by row below."""
    unwrapped = [
        handler.callback.__qualname__
        for handler in _privileged(every_handler(table_bot.application))
        if handler.callback is not admin.take_admin_file
        and getattr(handler.callback, "required_roles", None) is None
    ]
    assert unwrapped == []


def _command_update(bot, text: str, user_id: int = STAFF) -> Update:
    """``text`` sent by ``user_id`` in their private chat, as Telegram delivers it."""
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "직원"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }
    return Update.de_json({"update_id": 1, "message": message}, bot)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("command, level", COMMANDS, ids=[c for c, _ in COMMANDS])
async def test_the_handler_a_command_reaches_requires_its_role(table_bot, command, level):
    """Sub-commands too ("/template add", "/endchat 12"): the first registered handler that
    takes the command is wrapped by access.requires with the row's role, so no callback checks
    a role by hand."""
    update = _command_update(table_bot.application.bot, command.format(r="20250301-AB2C"))
    handler = next(h for h in table_bot.application.handlers[0] if h.check_update(update))
    roles = getattr(handler.callback, "required_roles", None)
    assert roles == (ADMIN_ROLES if level == ADMIN_ONLY else STAFF_ROLES), handler.callback
