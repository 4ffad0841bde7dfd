"""상담원 연결: the citizen asks for a person; their texts go to the staff chat and back.

A citizen opens a relay with /agent, by typing "상담원 연결" or with the button under a
not-found answer. The staff chat gets a post saying who is asking (name, chat, open complaints)
with [연결 받기]; the first staff member to tap it takes the conversation. While the relay is
open, the citizen's texts are posted to the staff chat (not answered by the Q&A matcher), and
the claimant's replies to any post of the relay reach the citizen. Either side ends it with
[연결 종료] or /endchat; both are told. Outside office hours (OFFICE_HOURS on working days) the
citizen is told when someone will answer, and the request waits. A relay idle for
RELAY_IDLE_MINUTES of office time ends by itself. Every text goes through db.relay (stored
masked, sent through the outbox).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import sqlite_utils
from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from db.complaints import TRANSITIONS, list_complaints
from db.office_calendar import closed_days
from db.relay import (
    CITIZEN_SIDE,
    CLOSED,
    FROM_CITIZEN,
    FROM_STAFF,
    IDLE,
    STAFF_SIDE,
    WAITING,
    OfficeHours,
    Relay,
    RelayNotFound,
    active_relay,
    add_message,
    claim,
    close_relay,
    get_relay,
    idle_relays,
    open_relay,
    relay_id_in,
    relay_mark,
    staff_post,
)
from handlers import jobs, keyboards
from handlers.access import (
    NEW_MESSAGE,
    PRIVATE,
    STAFF_ROLES,
    RepliesToBot,
    requires,
)
from handlers.context import BotContext, MissingService, service

logger = logging.getLogger(__name__)

OPEN_COMPLAINTS_SHOWN = 5
IDLE_CHECK_SECONDS = 60.0  # how often idle relays are looked for; a minute late is harmless
# A reply to one of the bot's relay posts (they start with "[상담 #번호]").
REPLIES_TO_RELAY = RepliesToBot(lambda text: relay_id_in(text) is not None, "RepliesToRelay")
AGENT_WORDS = filters.Regex(r"^\s*상담원(\s*연결)?(\s*(해\s*주세요|요청))?\s*[.!]?\s*$")

REQUESTED_TEXT = (
    "상담원 연결을 요청했습니다. 담당 직원이 연결되면 알려 드립니다. 지금부터 보내시는 "
    "메시지는 직원에게 그대로 전달됩니다. 끝내려면 [연결 종료] 또는 /endchat 을 눌러 주세요."
)
AFTER_HOURS_TEXT = (
    "지금은 상담 시간({opens}–{closes}, 근무일)이 아닙니다. {when}부터 담당 직원이 답변드립니다. "
    "남기시는 메시지는 그대로 전달됩니다. 끝내려면 [연결 종료] 또는 /endchat 을 눌러 주세요."
)
ALREADY_TEXT = (
    "이미 상담원 연결 중입니다. 메시지를 보내시면 직원에게 전달됩니다. "
    "끝내려면 /endchat 을 눌러 주세요."
)
UNAVAILABLE_TEXT = (
    "지금은 상담원 연결을 할 수 없습니다. 정부민원안내콜센터(국번 없이 110)에 문의하시거나 "
    "/complaint 로 민원을 접수해 주세요."
)
CLAIMED_CITIZEN_TEXT = "담당 직원이 연결되었습니다. 궁금하신 점을 보내 주세요."
STAFF_PREFIX = "[상담원] "
ENDED_TEXTS = {
    CITIZEN_SIDE: (
        "상담을 마쳤습니다. 이용해 주셔서 감사합니다. 다른 궁금한 점은 언제든 물어봐 주세요."
    ),
    STAFF_SIDE: "담당 직원이 상담을 마쳤습니다. 다른 궁금한 점은 언제든 물어봐 주세요.",
    IDLE: "한동안 대화가 없어 상담을 마쳤습니다. 다시 필요하시면 /agent 를 눌러 주세요.",
}
ENDED_STAFF_TEXT = "{mark} 상담이 끝났습니다 ({who})."
ENDED_BY = {CITIZEN_SIDE: "민원인이 종료", STAFF_SIDE: "직원 {staff} 종료", IDLE: "대화 없음"}
NO_RELAY_TEXT = "진행 중인 상담원 연결이 없습니다."
ENDCHAT_USAGE = "사용법: /endchat 상담번호 (상담 글 맨 앞의 [상담 #번호])"
CLAIM_DONE_TEXT = "연결 받았습니다. 상담 글에 답장하면 민원인에게 전달됩니다."
CLAIM_MINE_TEXT = "이미 연결 받은 상담입니다."
CLAIM_TAKEN_TEXT = "다른 직원이 이미 연결 받은 상담입니다."
RELAY_OVER_TEXT = "이미 끝난 상담입니다."
NOT_CLAIMED_TEXT = "먼저 상담 글의 [연결 받기]를 눌러 주세요."
NOT_YOURS_TEXT = "다른 직원이 맡은 상담입니다."
FORWARDED_TEXT = "전달했습니다."
TEXT_ONLY_TEXT = (
    "상담 중에는 글만 직원에게 전달됩니다. 사진이나 위치는 /complaint 로 민원을 접수하면서 "
    "보내 주세요."
)


def office_hours(context: BotContext) -> OfficeHours:
    """OFFICE_HOURS from the settings."""
    opens, closes = context.settings.office_hours
    return OfficeHours(opens, closes)


async def request_agent(update: Update, context: BotContext) -> None:
    """/agent, "상담원 연결" or its button: opens a waiting relay and posts it to staff."""
    if update.callback_query:
        await update.callback_query.answer()
    chat, user = update.effective_chat, update.effective_user
    settings = context.settings
    if settings.staff_chat_id is None:
        await chat.send_message(UNAVAILABLE_TEXT)
        return
    hours = office_hours(context)
    handle = f" @{user.username}" if user.username else ""
    relay, new, opening = await context.store.write(
        _open, hours, user.id, chat.id, user.full_name, handle, settings.staff_chat_id, _now()
    )
    context.relays.add(user.id)
    if not new:
        await chat.send_message(ALREADY_TEXT, reply_markup=keyboards.relay_end(relay.id))
        return
    await context.wal_sync.wait()
    await jobs.deliver_now(context, relay.post_outbox_id)
    text = REQUESTED_TEXT
    if opening is not None:
        text = AFTER_HOURS_TEXT.format(
            opens=f"{hours.opens:%H:%M}", closes=f"{hours.closes:%H:%M}", when=_when(opening)
        )
    await chat.send_message(text, reply_markup=keyboards.relay_end(relay.id))


async def forward_citizen(update: Update, context: BotContext) -> None:
    """A citizen's text while their relay is open: posted to the staff chat."""
    message = update.message
    relay = await context.store.read(active_relay, update.effective_user.id)
    if relay is None:  # ended between the filter and here: nothing to relay to
        await message.reply_text(NO_RELAY_TEXT)
        return
    text = message.text or ""
    try:
        outbox_id = await context.store.write(
            add_message,
            relay.id,
            FROM_CITIZEN,
            text,
            actor_id=update.effective_user.id,
            to_chat_id=relay.staff_chat_id,
            outbox_text=f"{relay_mark(relay.id)} {relay.name}: {text}",
            now=_now(),
        )
    except RelayNotFound:
        await message.reply_text(NO_RELAY_TEXT)
        return
    await context.wal_sync.wait()
    await jobs.deliver_now(context, outbox_id)


async def text_only(update: Update, context: BotContext) -> None:
    """A photo, sticker or file while the relay is open: says only text is relayed."""
    await update.message.reply_text(TEXT_ONLY_TEXT)


@requires(STAFF_ROLES)
async def claim_button(update: Update, context: BotContext) -> None:
    """[연결 받기]: the first staff member to tap takes the relay; later taps are told who."""
    query = update.callback_query
    relay_id, me = int(context.matches[0].group(1)), query.from_user
    try:
        won, relay = await context.store.write(_claim, relay_id, me.id, _now())
    except RelayNotFound:
        await query.answer(RELAY_OVER_TEXT, show_alert=True)
        return
    if not won:
        if relay.status == CLOSED:
            text = RELAY_OVER_TEXT
        else:
            text = CLAIM_MINE_TEXT if relay.staff_id == me.id else CLAIM_TAKEN_TEXT
        await query.answer(text, show_alert=True)
        return
    outbox_id = await context.store.write(
        add_message,
        relay.id,
        FROM_STAFF,
        CLAIMED_CITIZEN_TEXT,
        actor_id=me.id,
        to_chat_id=relay.chat_id,
        outbox_text=CLAIMED_CITIZEN_TEXT,
        now=_now(),
    )
    await context.wal_sync.wait()
    await query.answer(CLAIM_DONE_TEXT)
    claimed = f"{query.message.text}\n담당: {me.full_name} (직원 {me.id}) — 연결됨"
    await keyboards.edit_message(query, claimed, keyboards.relay_end(relay.id))
    await jobs.deliver_now(context, outbox_id)


@requires(STAFF_ROLES, action="relay reply")
async def staff_reply(update: Update, context: BotContext) -> None:
    """The claimant's reply to a relay post in the staff chat: sent to the citizen."""
    message = update.message
    try:
        relay = await context.store.read(get_relay, relay_id_in(message.reply_to_message.text))
    except RelayNotFound:
        await message.reply_text(RELAY_OVER_TEXT)
        return
    refusal = _cannot_answer(relay, update.effective_user.id)
    if refusal:
        await message.reply_text(refusal)
        return
    try:
        outbox_id = await context.store.write(
            add_message,
            relay.id,
            FROM_STAFF,
            message.text,
            actor_id=update.effective_user.id,
            to_chat_id=relay.chat_id,
            outbox_text=STAFF_PREFIX + message.text,
            now=_now(),
        )
    except RelayNotFound:
        await message.reply_text(RELAY_OVER_TEXT)
        return
    await context.wal_sync.wait()
    await jobs.deliver_now(context, outbox_id)
    await message.reply_text(FORWARDED_TEXT)


async def end_button(update: Update, context: BotContext) -> None:
    """[연결 종료] in the citizen's own chat ends their relay; anywhere else it is staff's."""
    query = update.callback_query
    relay_id = int(context.matches[0].group(1))
    try:
        relay = await context.store.read(get_relay, relay_id)
    except RelayNotFound:
        await query.answer(RELAY_OVER_TEXT, show_alert=True)
        return
    if query.from_user.id != relay.user_id or update.effective_chat.id != relay.chat_id:
        await staff_end_button(update, context)
        return
    await query.answer()
    if not await _end(context, relay, CITIZEN_SIDE, query.from_user.id):
        await query.answer(RELAY_OVER_TEXT, show_alert=True)


@requires(STAFF_ROLES)
async def staff_end_button(update: Update, context: BotContext) -> None:
    """[연결 종료] pressed by staff (on the staff-chat post or a citizen's forwarded one)."""
    query = update.callback_query
    try:
        relay = await context.store.read(get_relay, int(context.matches[0].group(1)))
    except RelayNotFound:
        await query.answer(RELAY_OVER_TEXT, show_alert=True)
        return
    await query.answer()
    if not await _end(context, relay, STAFF_SIDE, query.from_user.id):
        await query.answer(RELAY_OVER_TEXT, show_alert=True)


async def end_command(update: Update, context: BotContext) -> None:
    """/endchat: the citizen ends their own relay."""
    user, message = update.effective_user, update.message
    relay = await context.store.read(active_relay, user.id)
    if relay is None or update.effective_chat.id != relay.chat_id:
        await message.reply_text(NO_RELAY_TEXT)
        return
    await _end(context, relay, CITIZEN_SIDE, user.id)


@requires(STAFF_ROLES, action="/endchat")
async def end_named_relay(update: Update, context: BotContext) -> None:
    """/endchat 12: staff end the relay they name."""
    number = context.args[0].strip("[]#상담 ")
    try:
        relay = await context.store.read(get_relay, int(number))
    except (ValueError, RelayNotFound):
        await update.message.reply_text(ENDCHAT_USAGE)
        return
    if not await _end(context, relay, STAFF_SIDE, update.effective_user.id):
        await update.message.reply_text(RELAY_OVER_TEXT)


async def end_idle_relays(context: BotContext) -> None:
    """Ends the relays idle for RELAY_IDLE_MINUTES of office time (a repeating job)."""
    idle = timedelta(minutes=context.settings.relay_idle_minutes)
    for relay in await context.store.read(_idle, idle, office_hours(context), _now()):
        await _end(context, relay, IDLE, 0)


async def _end(context: BotContext, relay: Relay, side: str, actor_id: int) -> bool:
    """Closes the relay, tells both sides and takes the buttons off the staff-chat post;
    False if it had already ended."""
    who = ENDED_BY[side].format(staff=actor_id)
    notices = {
        relay.chat_id: ENDED_TEXTS[side],
        relay.staff_chat_id: ENDED_STAFF_TEXT.format(mark=relay_mark(relay.id), who=who),
    }
    ids = await context.store.write(
        close_relay, relay.id, closed_by=side, notices=notices, now=_now()
    )
    context.relays.discard(relay.user_id)
    if ids is None:
        return False
    await context.wal_sync.wait()
    for outbox_id in ids:
        await jobs.deliver_now(context, outbox_id)
    post = await context.store.read(staff_post, relay.id)
    if post is not None:
        try:
            await context.bot.edit_message_reply_markup(*post, reply_markup=None)
        except BadRequest as exc:  # already without buttons, deleted, or too old to edit
            logger.info("relay post %s kept its buttons: %s", relay.id, exc)
    return True


def _open(
    db: sqlite_utils.Database,
    hours: OfficeHours,
    user_id: int,
    chat_id: int,
    name: str,
    handle: str,
    staff_chat_id: int,
    now: datetime,
) -> tuple[Relay, bool, datetime | None]:
    """Opens (or finds) the citizen's relay with its staff-chat post; also when staff will
    answer if it is outside office hours (None inside them)."""
    closed = closed_days(db)
    opening = None if hours.is_open(now, closed) else hours.next_opening(now, closed)
    post = _who(db, user_id, chat_id, name, handle, opening)
    relay, new = open_relay(
        db,
        user_id=user_id,
        chat_id=chat_id,
        name=name,
        staff_chat_id=staff_chat_id,
        post=post,
        now=now,
    )
    return relay, new, opening


def _claim(
    db: sqlite_utils.Database, relay_id: int, staff_id: int, now: datetime
) -> tuple[bool, Relay]:
    """Whether this staff member took the relay, and the relay as it now is."""
    won = claim(db, relay_id, staff_id=staff_id, now=now)
    return won, get_relay(db, relay_id)


def _idle(
    db: sqlite_utils.Database, idle: timedelta, hours: OfficeHours, now: datetime
) -> list[Relay]:
    return list(idle_relays(db, idle=idle, hours=hours, closed_days=closed_days(db), now=now))


def _now() -> datetime:
    return datetime.now(UTC)


def _cannot_answer(relay: Relay, staff_id: int) -> str | None:
    if relay.status == CLOSED:
        return RELAY_OVER_TEXT
    if relay.status == WAITING:
        return NOT_CLAIMED_TEXT
    return None if relay.staff_id == staff_id else NOT_YOURS_TEXT


def _who(
    db: sqlite_utils.Database,
    user_id: int,
    chat_id: int,
    name: str,
    handle: str,
    opening: datetime | None,
) -> str:
    """The staff-chat post's body: who asks, their chat, their open complaints."""
    lines = ["상담원 연결 요청", f"민원인: {name}{handle} (대화 {chat_id})"]
    open_ones = [
        c for c in list_complaints(db, user_id=user_id, limit=50) if TRANSITIONS[c.status]
    ][:OPEN_COMPLAINTS_SHOWN]
    lines.append(
        "진행 중인 민원: "
        + (", ".join(f"{c.receipt} ({c.status})" for c in open_ones) if open_ones else "없음")
    )
    if opening is not None:
        lines.append(f"상담 시간 외 요청: {_when(opening)}부터 답변 예정으로 안내했습니다.")
    lines.append("[연결 받기]를 누른 뒤 이 글이나 민원인의 글에 답장하면 민원인에게 전달됩니다.")
    return "\n".join(lines)


def _when(moment: datetime) -> str:
    weekday = "월화수목금토일"[moment.weekday()]
    return f"{moment.month}월 {moment.day}일({weekday}) {moment:%H:%M}"


class ActiveRelays:
    """The citizens whose relay is waiting or open, kept in memory so that routing a private
    message never reads SQLite on the event loop. Loaded at start (``users_in_relays``); the
    open and close paths update it right after their commit. A citizen's own messages are
    handled one after another (transport.ordering), so none of them can slip between the
    commit that opens their relay and ``add``."""

    def __init__(self, user_ids: set[int] | frozenset[int] = frozenset()) -> None:
        self._users = set(user_ids)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._users

    def add(self, user_id: int) -> None:
        self._users.add(user_id)

    def discard(self, user_id: int) -> None:
        self._users.discard(user_id)


class InRelay(filters.MessageFilter):
    """Messages from a citizen whose relay is waiting or open (``ActiveRelays``: a relay ended
    by staff or by the idle job frees the chat at once, without a database read)."""

    def __init__(self, bot_data: dict) -> None:
        super().__init__(name="InRelay")
        self._bot_data = bot_data

    def filter(self, message: Message) -> bool:
        if message.from_user is None:
            return False
        try:
            relays = service(self._bot_data, "relays")
        except MissingService:
            return False
        return message.from_user.id in relays


def build_handlers(bot_data: dict) -> list:
    """Handlers tried before the Q&A and the complaint draft: the citizen's relay comes first."""
    text = filters.TEXT & ~filters.COMMAND
    return [
        CommandHandler("agent", request_agent, filters=PRIVATE),
        CommandHandler("endchat", end_named_relay, filters=NEW_MESSAGE, has_args=True),
        CommandHandler("endchat", end_command, filters=NEW_MESSAGE, has_args=False),
        CallbackQueryHandler(request_agent, pattern=f"^{keyboards.AGENT}$"),
        CallbackQueryHandler(claim_button, pattern=keyboards.RELAY_CLAIM_PATTERN),
        CallbackQueryHandler(end_button, pattern=keyboards.RELAY_END_PATTERN),
        MessageHandler(text & NEW_MESSAGE & REPLIES_TO_RELAY, staff_reply),
        MessageHandler(PRIVATE & text & InRelay(bot_data), forward_citizen),
        MessageHandler(PRIVATE & ~filters.TEXT & InRelay(bot_data), text_only),
        MessageHandler(PRIVATE & text & AGENT_WORDS, request_agent),
    ]
