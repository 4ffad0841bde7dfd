"""What every citizen can do: ask questions, pick a region, tap suggestions.

Replies are plain text (no parse_mode), so nothing a citizen types can break the formatting.
Edited messages are deliberately ignored (see ``handlers.access.NEW_MESSAGE``): the answer to
the first version has already been sent.
"""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.ext import ConversationHandler

from db.privacy import mask_rrn, redact_personal_data
from db.questions import log_question
from handlers import complaint, keyboards
from handlers.context import BotContext
from knowledge.base import KnowledgeBase
from nlp.answer import full_card
from nlp.dialogue import converse
from nlp.filing import is_bare_request
from nlp.listing import PAGE_SIZE, Listing, format_listing, mentioned_regions
from nlp.reply import ANSWER, COMPLAINT, NOT_FOUND, OUT_OF_SCOPE, QUESTION, SUGGEST, Reply
from nlp.responder import render_entry, suggest_departments
from transport.matching import in_matcher

logger = logging.getLogger(__name__)

HELP_TEXT = (
    "사용 방법\n"
    "· 궁금한 사업, 지원 조건, 예산, 공약, 담당 부서를 글로 물어보세요.\n"
    '· "청년 사업 뭐 있어요?"처럼 물으면 목록으로, "예산은?", "2번", "인천은요?"처럼 '
    "이어서 물으면 앞의 답에 이어 답합니다.\n"
    "/region – 관심 지역 선택\n"
    "/source – 마지막 답의 출처(문서 파일과 줄)\n"
    "/complaint – 민원 접수\n"
    "/status 접수번호 – 내 민원 처리 상황\n"
    "/my – 내가 접수한 민원 목록\n"
    "/cancel – 진행 중인 민원 작성 취소\n"
    "/agent – 상담원 연결 (직원과 대화, /endchat 으로 종료)\n"
    "/start – 처음 안내 다시 보기\n"
    "/help – 이 안내"
)
REGION_TEXT = "관심 지역을 골라 주세요. 고른 지역의 정보를 먼저 찾아 드립니다."
ENTRY_GONE_TEXT = "죄송합니다. 그 항목은 자료가 갱신되면서 없어졌습니다. 다시 질문해 주세요."
NO_QUESTION_TEXT = "어떤 내용의 담당 부서를 찾을지 알 수 없습니다. 질문을 먼저 입력해 주세요."
NO_DEPARTMENT_TEXT = (
    "이 질문을 맡을 부서를 자료에서 찾지 못했습니다. 정부민원안내콜센터(국번 없이 110)에 "
    "문의하시거나 /complaint 로 민원을 접수해 주세요."
)
NON_TEXT_TEXT = {
    "photo": "사진을 받았습니다. 사진만으로는 답할 수 없어요. 궁금한 점을 글로 적어 주세요. "
    "사진이 있는 민원은 /complaint 로 접수하면서 보내 주세요.",
    "location": "위치를 받았습니다. 위치가 필요한 민원은 /complaint 로 접수하면서 보내 주세요.",
    "sticker": "스티커 고마워요! 궁금한 점은 글로 물어봐 주세요.",
    "voice": "음성 메시지는 아직 알아듣지 못합니다. 궁금한 점을 글로 적어 주세요.",
    "document": "파일은 열어 보지 않습니다. 궁금한 점을 글로 적어 주세요.",
}
OTHER_NON_TEXT = "글로 된 질문만 이해할 수 있습니다. 궁금한 점을 글로 적어 주세요. 도움말: /help"
UNKNOWN_COMMAND_TEXT = "알 수 없는 명령입니다. 사용할 수 있는 명령은 /help 에서 확인하세요."
NOTHING_TO_CANCEL_TEXT = "취소할 작업이 없습니다."
RRN_REMOVED_TEXT = (
    "개인정보 보호를 위해 주민등록번호로 보이는 숫자를 지우고 질문을 받았습니다. "
    "질문에 주민등록번호는 필요하지 않습니다."
)
STALE_BUTTON_TEXT = "이미 끝난 단계의 버튼입니다. 필요하면 처음부터 다시 해 주세요."
NO_SOURCE_TEXT = "출처를 보여 드릴 답이 아직 없습니다. 먼저 질문해 주세요."
LIST_GONE_TEXT = "그 목록은 시간이 지나 지워졌습니다. 다시 질문해 주세요."
# user_data key of the conversation context (nlp.dialogue): persisted, expires when idle.
DIALOGUE = "dialogue"


def welcome_text(retention_days: int, kb: KnowledgeBase) -> str:
    """The /start message: what the bot does, the knowledge base's example questions (curated
    ``examples``), what it stores and why."""
    regions = "·".join(region.name for region in kb.regions) or "지자체"
    examples = "\n".join(f"· {q}" for q in kb.curated.examples[:3])
    return (
        f"안녕하세요! {regions}의 사업, 지원 조건, 예산, 공약, 담당 부서를 "
        "공식 문서에서 찾아 안내하고, 민원 접수를 도와드리는 봇입니다.\n\n"
        + (f"이렇게 물어보세요:\n{examples}\n\n" if examples else "")
        + "저장하는 정보\n"
        "· 질문 내용: 답하지 못한 질문을 찾아 자료를 보완하려고 "
        f"{retention_days}일 동안 보관 후 삭제합니다.\n"
        "· 고른 관심 지역: 그 지역 정보를 먼저 보여 드리려고 보관합니다.\n"
        "· 민원: 접수할 때 동의를 받아 내용·사진·위치·연락처를 민원 처리에만 씁니다.\n\n"
        "명령 목록은 /help 를 눌러 보세요."
    )


async def start(update: Update, context: BotContext) -> None:
    """Greets the citizen with example questions and what the bot stores."""
    days = context.settings.question_log_retention_days
    await update.message.reply_text(welcome_text(days, context.kb))


async def show_help(update: Update, context: BotContext) -> None:
    """Lists the citizen commands."""
    await update.message.reply_text(HELP_TEXT)


async def ask_region(update: Update, context: BotContext) -> None:
    """Offers the regions as buttons; "/region 인천" chooses at once."""
    chosen = mentioned_regions(context.kb, " ".join(context.args or ()))
    if len(chosen) == 1:
        context.user_data["region"] = chosen[0]
        await update.message.reply_text(
            f"관심 지역을 '{chosen[0]}'(으)로 정했습니다. 이제 질문해 주세요."
        )
        return
    current = context.user_data.get("region") or "전체"
    markup = keyboards.regions(context.kb.regions)
    await update.message.reply_text(f"{REGION_TEXT}\n현재: {current}", reply_markup=markup)


async def choose_region(update: Update, context: BotContext) -> None:
    """Remembers the tapped region (or 전체) for later questions."""
    query = update.callback_query
    chosen = context.kb.region(query.data.removeprefix(keyboards.REGION))
    region = chosen.name if chosen else None
    await query.answer()
    if region:
        context.user_data["region"] = region
    else:
        context.user_data.pop("region", None)
    await keyboards.edit_message(
        query, f"관심 지역을 '{region or '전체'}'(으)로 정했습니다. 이제 질문해 주세요."
    )


async def answer_question(update: Update, context: BotContext) -> int:
    """Answers a question (a follow-up in the context of the last answer), or starts a complaint
    draft when the message reports a problem or asks to file one.

    Nothing downstream sees a 주민등록번호: it is masked first (the complaint draft tells the
    citizen; a question gets the notice before its answer).
    """
    kb = context.kb  # read once: a /reload mid-answer cannot mix two versions
    text, found = redact_personal_data(update.message.text or update.message.caption or "")
    idle_seconds = context.settings.context_idle_minutes * 60
    turn = await in_matcher(
        context.matcher,
        converse,
        kb,
        text,
        context.user_data.get(DIALOGUE),
        respond=context.replies.respond,
        now=time.time(),
        region=context.user_data.get("region"),
        idle_seconds=idle_seconds,
    )
    reply = turn.reply
    if reply.how_to_file:  # answered, not filed: a draft may start with the problem it named
        _remember_question(context, reply.problem)
        markup = keyboards.not_found(carry_problem=bool(reply.problem))
        await update.message.reply_text(reply.text, reply_markup=markup)
        return ConversationHandler.END
    if reply.intent == COMPLAINT:
        if is_bare_request(text):
            return await complaint.ask_content(update, context)
        return await complaint.start_from_message(update, context)
    if found:
        await update.message.reply_text(RRN_REMOVED_TEXT)
    context.user_data[DIALOGUE] = turn.state
    unanswered = reply.band in (NOT_FOUND, SUGGEST) or reply.intent == OUT_OF_SCOPE
    _remember_question(context, text if unanswered else "")
    await update.message.reply_text(reply.text, reply_markup=reply_markup(kb, reply, turn.state))
    _log(context, update.effective_user.id, reply)
    return ConversationHandler.END


def _remember_question(context: BotContext, text: str) -> None:
    """Keeps ``text`` for the buttons under this reply ([민원 접수하기], [담당 부서 찾기]);
    "" forgets an older one, so they never act on a message before it."""
    if text:
        context.user_data["last_question"] = text
    else:
        context.user_data.pop("last_question", None)


def reply_markup(kb, reply: Reply, state: dict | None = None):
    """List items and "더 보기" for lists, [자세히] [출처] under an answer, did-you-mean buttons
    for the middle band, next steps when nothing matched."""
    if reply.band == SUGGEST:
        return keyboards.suggestions(reply.suggestions)
    if reply.band == NOT_FOUND or reply.intent == OUT_OF_SCOPE:
        return keyboards.not_found(carry_text=reply.intent == QUESTION)
    if reply.band == ANSWER and reply.items:
        entries = [kb.get(i) for i in reply.items]
        state = state or {}
        shown = state.get("items") == list(reply.items)  # the page the dialogue showed
        return keyboards.listing(
            reply.items,
            [e.title if e else "" for e in entries],
            offset=state.get("offset", 0) if shown else 0,
            page_size=state.get("page", PAGE_SIZE) if shown else PAGE_SIZE,
        )
    if reply.band == ANSWER and reply.entry_id:
        return keyboards.answer(reply.entry_id, detail=bool(reply.detail))
    return None


async def show_entry(update: Update, context: BotContext) -> None:
    """Shows the answer for a tapped list item or "did you mean" button; follow-ups are then
    about that entry."""
    query = update.callback_query
    await query.answer()
    entry_id = query.data.removeprefix(keyboards.ENTRY)
    text = render_entry(context.kb, entry_id, context.user_data.get("last_question"))
    if text:
        _remember_entry(context, entry_id)
    markup = keyboards.answer(entry_id, detail=False) if text else None
    await query.message.reply_text(text or ENTRY_GONE_TEXT, reply_markup=markup)


async def show_detail(update: Update, context: BotContext) -> None:
    """[자세히]: the whole card of the entry a short answer was about."""
    query = update.callback_query
    await query.answer()
    entry_id = query.data.removeprefix(keyboards.DETAIL)
    text = full_card(context.kb, entry_id)
    await query.message.reply_text(text or ENTRY_GONE_TEXT)


async def show_source(update: Update, context: BotContext) -> None:
    """[출처] or /source: the document, file and lines the last answer was read from."""
    if update.callback_query:
        await update.callback_query.answer()
        entry_id = update.callback_query.data.removeprefix(keyboards.SOURCE)
    else:
        entry_id = (context.user_data.get(DIALOGUE) or {}).get("entry")
    entry = context.kb.get(entry_id) if entry_id else None
    text = f"출처: {entry.source.cite(entry.region)}\n[{entry.title}]" if entry else NO_SOURCE_TEXT
    await update.effective_message.reply_text(text)


async def next_list_page(update: Update, context: BotContext) -> None:
    """ "더 보기": the next eight items of the last list."""
    query = update.callback_query
    await query.answer()
    state = context.user_data.get(DIALOGUE) or {}
    kb = context.kb
    entries = tuple(e for e in (kb.get(i) for i in state.get("items", ())) if e is not None)
    offset = int(query.data.removeprefix(keyboards.LIST_PAGE))
    if not entries or offset >= len(entries):
        await query.message.reply_text(LIST_GONE_TEXT)
        return
    state.update(offset=offset, page=PAGE_SIZE)
    context.user_data[DIALOGUE] = state
    listing = Listing(state.get("label") or "목록", entries, False)
    await query.message.reply_text(
        format_listing(listing, offset=offset),
        reply_markup=keyboards.listing(
            [e.id for e in entries], [e.title for e in entries], offset=offset, page_size=PAGE_SIZE
        ),
    )


def _remember_entry(context: BotContext, entry_id: str) -> None:
    state = dict(context.user_data.get(DIALOGUE) or {})
    state.update(entry=entry_id, at=time.time())
    context.user_data[DIALOGUE] = state


async def find_departments(update: Update, context: BotContext) -> None:
    """Lists the departments most related to the last unanswered question."""
    query = update.callback_query
    await query.answer()
    question = context.user_data.get("last_question")
    if not question:
        await query.message.reply_text(NO_QUESTION_TEXT)
        return
    kb = context.kb
    pairs = await in_matcher(
        context.matcher,
        suggest_departments,
        kb,
        question,
        region=context.user_data.get("region"),
    )
    await query.message.reply_text(departments_text(kb, pairs) if pairs else NO_DEPARTMENT_TEXT)


def departments_text(kb, pairs: list[tuple[str, str]]) -> str:
    """Numbered departments with any contact details an admin supplied."""
    lines = ["이 내용과 관련된 담당 부서입니다:"]
    for number, (region, department) in enumerate(pairs, start=1):
        lines.append(f"{number}. {region} {department}")
        contact = kb.curated.contact_for(region, department)
        lines.extend(f"   {line}" for line in (contact.lines() if contact else ()))
    lines.append("민원으로 접수하려면 /complaint 를 눌러 주세요.")
    return "\n".join(lines)


async def explain_non_text(update: Update, context: BotContext) -> None:
    """Tells the citizen that only text questions can be answered."""
    message = update.message
    kind = next((k for k in NON_TEXT_TEXT if getattr(message, k, None)), None)
    await message.reply_text(NON_TEXT_TEXT.get(kind, OTHER_NON_TEXT))


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """Answers /cancel outside a complaint draft."""
    await update.message.reply_text(NOTHING_TO_CANCEL_TEXT)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Points to /help for commands the bot does not know."""
    await update.message.reply_text(UNKNOWN_COMMAND_TEXT)


async def stale_button(update: Update, context: BotContext) -> None:
    """Answers a button from a step that is over (e.g. a draft that was cancelled); a second
    [접수하기] on a filed complaint gets its receipt number, not a hint to start over."""
    query = update.callback_query
    logger.info("button %r from user %s matched no step", mask_rrn(query.data), query.from_user.id)
    filed = await complaint.filed_by(context, query)
    text = (
        complaint.ALREADY_FILED_TEXT.format(receipt=filed.receipt) if filed else STALE_BUTTON_TEXT
    )
    await query.answer(text, show_alert=True)


def _log(context: BotContext, user_id: int, reply: Reply) -> None:
    """Queues the question's log row: a locked database delays the row, not the answer."""
    top = reply.hits[0] if reply.hits else None
    context.store.queue(
        log_question,
        user_id=user_id,
        query=reply.query,
        intent=reply.intent,
        band=reply.band,
        entry_id=top.entry.id if top else None,
        score=round(top.score, 2) if top else None,
    )
