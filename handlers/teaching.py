"""Teaching from what was not answered (admins): /unanswered [일수] groups the unanswered and
low-confidence questions; for a group the admin picks the right entry (its questions become
aliases) or writes a short answer (an FAQ entry). Both are previewed, then stored in
curated.yaml with who and when, published as a new version and reloaded at once.

The groups, the prompts and the previews live in memory (``context.lessons``, not persisted):
after a restart a button or a reply to an old prompt is told to run /unanswered again.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from telegram import ForceReply, Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from db.privacy import redact_personal_data
from db.questions import unanswered_questions
from handlers import formatting, keyboards
from handlers.access import ADMIN_ROLES, NEW_MESSAGE, RepliesToBot, requires
from handlers.admin import swap_knowledge_base
from handlers.context import BotContext
from knowledge.base import KnowledgeBase
from knowledge.library import LibraryError
from knowledge.model import KIND_LABELS
from knowledge.versions import publish_taught
from nlp.grouping import QuestionGroup, group_questions
from nlp.retrieval import search
from transport.matching import in_matcher

DEFAULT_DAYS = 7
MAX_DAYS = 90  # the question log's default retention (QUESTION_LOG_RETENTION_DAYS)
GROUPS_SHOWN = 10  # groups listed, most asked first: two buttons each stay on one screen
WORDINGS_SHOWN = 3  # wordings shown per group
SEARCH_RESULTS = 8  # entries offered as buttons for the admin's search words
LESSONS_KEPT = 20  # open listings kept in memory (a few admins, a few listings each)
# "A short answer": what fits on a phone screen under the question; longer facts belong in a
# document uploaded to the knowledge base.
MAX_ANSWER_CHARS = 1000

PICK, ANSWER, ENTRY, SAVE, DROP = "pick", "ans", "ent", "save", "drop"
TEACH = "t:"  # t:<action>:<token>[:<number>]
TEACH_PATTERN = (
    rf"^{TEACH}({PICK}|{ANSWER}|{ENTRY}|{SAVE}|{DROP}):([0-9a-f]{{8}})(?::(\d{{1,3}}))?\Z"
)
# Prompts start with a mark, so a reply to one is recognised without a look-up (as staff's).
SEARCH_MARK, ANSWER_MARK = "[항목 찾기]", "[답 쓰기]"
# A message replying to one of the bot's search or answer prompts.
REPLIES_TO_PROMPT = RepliesToBot(
    lambda text: text.startswith((SEARCH_MARK, ANSWER_MARK)), "RepliesToTeachingPrompt"
)

USAGE_TEXT = f"사용법: /unanswered [일수] (기본 {DEFAULT_DAYS}일, 1–{MAX_DAYS})"
NONE_TEXT = "최근 {days}일 동안 답하지 못했거나 확신이 낮았던 질문이 없습니다."
LIST_HEAD = (
    "최근 {days}일 답하지 못했거나 확신이 낮았던 질문 {total}개 · 비슷한 것끼리 {groups}묶음"
)
LIST_FOOT = (
    "[번호 항목]: 맞는 항목을 찾아 이 질문들을 그 항목의 별칭으로 넣기 · "
    "[번호 답]: 짧은 답을 써서 FAQ 항목으로 넣기"
)
SEARCH_PROMPT = (
    SEARCH_MARK + " {n}번 «{leader}»에 맞는 항목을 찾을 낱말을 이 메시지에 답장으로 보내 주세요."
)
ANSWER_PROMPT = (
    ANSWER_MARK + " {n}번 «{leader}»에 보낼 짧은 답을 이 메시지에 답장으로 적어 주세요. "
    "첫 줄들에 '지역: 이름', '부서: 이름'을 적을 수 있습니다(지역을 적지 않으면 {region})."
)
FOUND_TEXT = "'{words}'(으)로 찾은 항목입니다. {n}번 «{leader}»에 맞는 항목을 누르세요."
NOTHING_FOUND_TEXT = "'{words}'(으)로 찾은 항목이 없습니다. 다른 낱말로 이 질문에 답장해 주세요."
ALIAS_PREVIEW = (
    "미리보기 — 아직 저장하지 않았습니다.\n«{title}» ({where})의 별칭으로 넣을 질문 {count}개:\n"
    "{questions}\n\n{after}"
)
ANSWER_PREVIEW = (
    "미리보기 — 아직 저장하지 않았습니다.\n새 FAQ 항목 «{title}» ({where})\n답: {answer}\n"
    "이 질문들로도 찾습니다:\n{questions}\n\n{after}"
)
AFTER_SAVE = (
    "[저장]을 누르면 curated.yaml에 누가·언제와 함께 기록하고 새 버전으로 게시한 뒤 "
    "다시 불러와 바로 답에 씁니다(/rollback 으로 되돌릴 수 있습니다)."
)
SAVED_TEXT = "저장했습니다: 버전 {number}. 지금부터 답에 씁니다.\n{report}"
TAUGHT_ALREADY_TEXT = (
    "{n}번 묶음은 이 목록에서 이미 가르쳤습니다. /unanswered 로 새 목록을 여세요."
)
GONE_TEXT = "이미 처리했거나 오래된 목록입니다. /unanswered 로 다시 여세요."
CANCELLED_TEXT = "취소했습니다. 아무것도 저장하지 않았습니다."
NOT_YOURS_TEXT = "다른 관리자가 연 목록입니다. /unanswered 로 직접 여세요."
EMPTY_ANSWER_TEXT = "답이 비어 있습니다. 이 질문에 답장으로 답을 적어 주세요."
LONG_ANSWER_TEXT = f"답은 {MAX_ANSWER_CHARS}자까지 받습니다. 줄여서 이 질문에 다시 답장해 주세요."
UNKNOWN_REGION_TEXT = "'{region}'은(는) 지역 목록에 없습니다. 지역: {regions}. 다시 답장해 주세요."


@dataclass
class Lesson:
    """One /unanswered listing and what the admin is teaching from it."""

    user_id: int
    groups: list[QuestionGroup]
    # Append-only, so every button shown stays valid: (group index, entry id) offered by a
    # search, and (group index, taught item) previewed; a button carries the list index.
    candidates: list[tuple[int, str]] = field(default_factory=list)
    items: list[tuple[int, dict]] = field(default_factory=list)
    done: set[int] = field(default_factory=set)  # groups taught from this listing


@dataclass(frozen=True)
class Prompt:
    """A ForceReply prompt: only a reply to it, in its chat, by the admin who asked, counts."""

    token: str
    group: int
    kind: str  # PICK or ANSWER
    user_id: int
    expires: float  # time.monotonic()


@requires(ADMIN_ROLES)
async def show_unanswered(update: Update, context: BotContext) -> None:
    """Lists the groups of unanswered questions of the last N days with two buttons each."""
    args = context.args or []
    days = int(args[0]) if len(args) == 1 and args[0].isascii() and args[0].isdigit() else None
    if len(args) > 1 or (args and (days is None or not 1 <= days <= MAX_DAYS)):
        await update.message.reply_text(USAGE_TEXT)
        return
    days = days or DEFAULT_DAYS
    texts = await context.store.read(unanswered_questions, days=days)
    every = await in_matcher(context.matcher, group_questions, texts)
    groups = every[:GROUPS_SHOWN]
    if not groups:
        await update.message.reply_text(NONE_TEXT.format(days=days))
        return
    token = secrets.token_hex(4)
    lessons = _lessons(context)
    lessons[token] = Lesson(update.effective_user.id, groups)
    for old in list(lessons)[:-LESSONS_KEPT]:  # the oldest listings' buttons say "다시 여세요"
        del lessons[old]
    lines = [LIST_HEAD.format(days=days, total=len(texts), groups=len(every))]
    for n, group in enumerate(groups, start=1):
        lines.append(f"{n}. «{group.leader}» — {group.count}번")
        lines.extend(
            f"   · {text} ({count})" for text, count in group.questions[1 : WORDINGS_SHOWN + 1]
        )
        if len(group.questions) > WORDINGS_SHOWN + 1:
            lines.append(f"   · 외 {len(group.questions) - WORDINGS_SHOWN - 1}가지")
    lines.append(LIST_FOOT)
    buttons = [
        [
            (f"{n} 항목", f"{TEACH}{PICK}:{token}:{n - 1}"),
            (f"{n} 답", f"{TEACH}{ANSWER}:{token}:{n - 1}"),
        ]
        for n in range(1, len(groups) + 1)
    ]
    await update.message.reply_text(
        formatting.fit("\n".join(lines)), reply_markup=keyboards.keyboard(buttons)
    )


@requires(ADMIN_ROLES)
async def teach_button(update: Update, context: BotContext) -> None:
    """The buttons of a listing, of a search result and of a preview."""
    query = update.callback_query
    action, token, number = context.matches[0].groups()
    lesson = _lessons(context).get(token)
    if lesson is None:
        await query.answer(GONE_TEXT, show_alert=True)
        return
    if lesson.user_id != update.effective_user.id:
        await query.answer(NOT_YOURS_TEXT, show_alert=True)
        return
    await query.answer()
    index = int(number) if number is not None else -1
    if action in (PICK, ANSWER) and index in lesson.done:
        await query.message.reply_text(TAUGHT_ALREADY_TEXT.format(n=index + 1))
    elif action in (PICK, ANSWER) and 0 <= index < len(lesson.groups):
        await _ask(update, context, token, lesson, index, action)
    elif action == ENTRY and 0 <= index < len(lesson.candidates):
        await _preview_alias(query, context, token, lesson, *lesson.candidates[index])
    elif action == SAVE and 0 <= index < len(lesson.items):
        await _save(query, context, lesson, *lesson.items[index])
    elif action == DROP:  # this preview or search only: the listing's buttons still work
        await keyboards.edit_message(query, CANCELLED_TEXT)
    else:
        await keyboards.edit_message(query, GONE_TEXT)


@requires(ADMIN_ROLES, action="teach reply")
async def receive_prompt_text(update: Update, context: BotContext) -> None:
    """The admin's reply to a search or answer prompt: entries to choose, or the preview."""
    message = update.message
    key = (message.chat.id, message.reply_to_message.message_id)
    prompt = _prompts(context).get(key)
    lesson = _lessons(context).get(prompt.token) if prompt else None
    if prompt is None or lesson is None or prompt.expires < time.monotonic():
        _prompts(context).pop(key, None)
        await message.reply_text(GONE_TEXT)
        return
    if prompt.user_id != update.effective_user.id:
        await message.reply_text(NOT_YOURS_TEXT)
        return
    if prompt.group in lesson.done:
        await message.reply_text(TAUGHT_ALREADY_TEXT.format(n=prompt.group + 1))
    elif prompt.kind == PICK:
        await _offer_entries(message, context, prompt.token, lesson, prompt.group)
    else:
        await _preview_answer(message, context, prompt.token, lesson, prompt.group)


def build_handlers() -> list:
    """The reply to a teaching prompt and the teaching buttons."""
    reply = filters.TEXT & ~filters.COMMAND & NEW_MESSAGE & REPLIES_TO_PROMPT
    return [
        MessageHandler(reply, receive_prompt_text),
        CallbackQueryHandler(teach_button, pattern=TEACH_PATTERN, block=False),
    ]


async def _ask(
    update: Update,
    context: BotContext,
    token: str,
    lesson: Lesson,
    index: int,
    kind: str,
) -> None:
    leader = formatting.preview(lesson.groups[index].leader, 60)
    if kind == PICK:
        text = SEARCH_PROMPT.format(n=index + 1, leader=leader)
    else:
        region = _default_region(context.kb, lesson.groups[index])
        text = ANSWER_PROMPT.format(n=index + 1, leader=leader, region=region)
    sent = await update.effective_chat.send_message(text, reply_markup=ForceReply(selective=True))
    ttl = context.settings.complaint_timeout_seconds
    prompts, now = _prompts(context), time.monotonic()
    for key in [key for key, open_prompt in prompts.items() if open_prompt.expires < now]:
        del prompts[key]
    prompts[(sent.chat.id, sent.message_id)] = Prompt(
        token, index, kind, update.effective_user.id, now + ttl
    )


async def _offer_entries(
    message: Message,
    context: BotContext,
    token: str,
    lesson: Lesson,
    index: int,
) -> None:
    kb: KnowledgeBase = context.kb
    words = " ".join((message.text or "").split())
    found = await in_matcher(context.matcher, _search, kb, words) if words else []
    group = lesson.groups[index]
    if not found:
        await message.reply_text(NOTHING_FOUND_TEXT.format(words=formatting.preview(words, 30)))
        return
    first = len(lesson.candidates)
    lesson.candidates.extend((index, hit.entry.id) for hit in found)
    buttons = [
        [(_entry_label(kb, hit.entry.id), f"{TEACH}{ENTRY}:{token}:{first + k}")]
        for k, hit in enumerate(found)
    ]
    buttons.append([("취소", f"{TEACH}{DROP}:{token}")])
    text = FOUND_TEXT.format(
        words=formatting.preview(words, 30),
        n=index + 1,
        leader=formatting.preview(group.leader, 60),
    )
    await message.reply_text(text, reply_markup=keyboards.keyboard(buttons))


async def _preview_alias(
    query, context: BotContext, token: str, lesson: Lesson, index: int, entry_id
) -> None:
    kb: KnowledgeBase = context.kb
    entry = kb.get(entry_id)
    if entry is None:  # a reload since the search removed it
        await keyboards.edit_message(query, GONE_TEXT)
        return
    group = lesson.groups[index]
    item = {"entry": entry.id, "questions": [text for text, _ in group.questions]}
    text = ALIAS_PREVIEW.format(
        title=entry.title,
        where=f"{entry.region} · {KIND_LABELS.get(entry.kind, entry.kind)}",
        count=len(group.questions),
        questions=_question_lines(group),
        after=AFTER_SAVE,
    )
    buttons = _save_buttons(token, lesson, index, item)
    await keyboards.edit_message(query, formatting.fit(text), buttons)


async def _preview_answer(
    message: Message,
    context: BotContext,
    token: str,
    lesson: Lesson,
    index: int,
) -> None:
    kb: KnowledgeBase = context.kb
    group = lesson.groups[index]
    text = redact_personal_data(message.text or "")[0]
    labels, body = _labelled_lines(text)
    region_name = labels.get("지역")
    region = _region_named(kb, region_name) if region_name else None
    if region_name and region is None:
        regions = ", ".join(r.name for r in kb.regions)
        await message.reply_text(UNKNOWN_REGION_TEXT.format(region=region_name, regions=regions))
        return
    if not body:
        await message.reply_text(EMPTY_ANSWER_TEXT)
        return
    if len(body) > MAX_ANSWER_CHARS:
        await message.reply_text(LONG_ANSWER_TEXT)
        return
    region_name = region.name if region else _default_region(kb, group)
    department = labels.get("부서")
    item = {
        "answer": body,
        "region": region_name,
        "department": department,
        "questions": [q for q, _ in group.questions],
    }
    where = " · ".join(p for p in (region_name, department) if p)
    preview = ANSWER_PREVIEW.format(
        title=group.leader,
        where=where,
        answer=body,
        questions=_question_lines(group),
        after=AFTER_SAVE,
    )
    buttons = _save_buttons(token, lesson, index, item)
    await message.reply_text(formatting.fit(preview), reply_markup=buttons)


async def _save(query, context: BotContext, lesson: Lesson, index: int, item: dict) -> None:
    if index in lesson.done:  # a second [저장], or another preview of the same group
        await keyboards.edit_message(query, TAUGHT_ALREADY_TEXT.format(n=index + 1))
        return
    lesson.done.add(index)
    leader = lesson.groups[index].leader
    directory = Path(context.settings.knowledge_dir)
    by = str(query.from_user.id)
    note = f"가르침: {formatting.preview(leader, 40)}"
    try:
        number = await asyncio.to_thread(publish_taught, directory, item, by=by, note=note)
    except LibraryError as exc:
        lesson.done.discard(index)
        first = str(exc).splitlines()[0] if str(exc) else "알 수 없는 오류"
        await keyboards.edit_message(query, f"저장하지 못했습니다: {first}")
        return
    report = await swap_knowledge_base(context)
    await keyboards.edit_message(
        query, formatting.fit(SAVED_TEXT.format(number=number, report=report))
    )


def _save_buttons(token: str, lesson: Lesson, index: int, item: dict):
    """[저장] [취소] under a preview; [저장] saves exactly the item previewed."""
    lesson.items.append((index, item))
    save = f"{TEACH}{SAVE}:{token}:{len(lesson.items) - 1}"
    return keyboards.keyboard([[("저장", save), ("취소", f"{TEACH}{DROP}:{token}")]])


def _question_lines(group: QuestionGroup) -> str:
    return "\n".join(f"· {text} ({count}번)" for text, count in group.questions)


def _entry_label(kb: KnowledgeBase, entry_id: str) -> str:
    entry = kb.get(entry_id)
    region = kb.region(entry.region)
    return formatting.preview(f"{entry.title} · {region.label if region else entry.region}", 48)


def _labelled_lines(text: str) -> tuple[dict[str, str], str]:
    """'지역: …' and '부서: …' lines at the start, and the answer after them."""
    labels: dict[str, str] = {}
    lines = text.strip().splitlines()
    while lines:
        label, sep, value = lines[0].partition(":")
        if not sep or label.strip() not in ("지역", "부서") or label.strip() in labels:
            break
        labels[label.strip()] = value.strip()
        lines.pop(0)
    return labels, "\n".join(lines).strip()


def _region_named(kb: KnowledgeBase, name: str):
    """The declared region with this name or spelling (전주 → 전주시)."""
    return next((r for r in kb.regions if name in r.words), None)


def _default_region(kb: KnowledgeBase, group: QuestionGroup) -> str:
    """The region the group's questions name (the most named), else the first declared."""
    named = [
        region.name
        for text, count in group.questions
        for region in kb.regions
        if any(word in text for word in region.words)
        for _ in range(count)
    ]
    if named:
        return max(dict.fromkeys(named), key=named.count)
    return kb.regions[0].name if kb.regions else ""


def _lessons(context: BotContext) -> dict[str, Lesson]:
    return context.lessons


def _prompts(context: BotContext) -> dict[tuple[int, int], Prompt]:
    return context.teaching_prompts


def _search(kb: KnowledgeBase, words: str) -> list:
    """The entries an admin's words find, as a citizen's question would (matcher work)."""
    return search(kb.index, kb.index.analyze(words), limit=SEARCH_RESULTS)
