"""Conversation context per chat and follow-up resolution ("예산은?", "2번", "인천은요?").

Citizens ask the next thing in as few words as they can: a field alone ("담당 팀은요?"), a
pointer ("그거 예산은?", "2번"), another region ("인천은요?"), "더 자세히", "다른 사업은?". Such a
message names nothing, so matched on its own it lands on an unrelated entry. ``converse`` keeps
what the last reply was about (entry, list, region, question) as plain JSON in the caller's
persisted storage and resolves follow-ups against it; without a context (none yet, or idle for
longer than the configured time) a follow-up gets a question back, never a confident answer.

Usage:
    turn = converse(kb, "예산은?", state, respond=replies.respond, now=time.time(),
                    idle_seconds=1800)
    turn.reply.text, turn.state       # the reply, and the context to store for the next message
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.model import KIND_LABELS, Entry
from nlp.analyzer import CUE_WORDS, STOPWORDS, WORDS, strip_particle
from nlp.answer import FIELD_CUES, answer_reply, full_card, wanted_fields
from nlp.fields import asked_facts, object_particle, without_cues
from nlp.listing import (
    PAGE_SIZE,
    PARENT_KINDS,
    Listing,
    format_listing,
    is_browsing,
    mentioned_regions,
)
from nlp.reply import ANSWER, QUESTION, Hit, Reply
from nlp.responder import render_entry

CLARIFY = "clarify"  # the band of a question asked back
# A follow-up about the entry in context is short; a longer message is a question of its own.
MAX_FOLLOW_UP_CHARS = 20
DEFAULT_IDLE_SECONDS = 30 * 60.0

_NUMBER = re.compile(
    r"^\s*(\d{1,2})\s*(번|번째)\s*(항목|거|것)?\s*(이요|요|은|는|이|가|좀|을|를|의)?\s*"
)
# "국제협력과는요?", "홍보기획과도?": another entry, the same question as before.
_SAME_FOR = re.compile(
    r"^\s*(.+?)\s*(은요|는요|도요|은|는|도)\s*[?？]+\s*$|^\s*(.+?)\s*(은요|는요|도요)\s*[?.!~]*\s*$"
)
_MORE = re.compile(
    r"^\s*(좀\s*)?(더\s*)?(자세히|자세하게|상세히|상세하게|전체|전부)\s*(좀\s*)?"
    r"(알려\s*\S*|보여\s*\S*|요|설명\S*)?\s*[?.!~]*\s*$|^\s*더\s*(알려|보여)\s*\S*\s*[?.!]*$"
)
_OTHERS = re.compile(
    r"^\s*(다른|또\s*다른|그\s*외|나머지|그밖의|그\s*밖의)\s*(사업|거|것|공약|위원회|단체|팀|부서|항목)?"
    r"\s*(들)?\s*(은|는|도)?\s*(요|있어\S*|뭐\S*|알려\S*|보여\S*)?\s*[?.!]*\s*$|"
    r"^\s*(또|더)\s*(있어\S*|뭐\s*있\S*|없어\S*|보여\S*)\s*[?.!]*\s*$|^\s*더\s*보기\s*$"
)
_POINTER = re.compile(
    r"^\s*(그거|그것|그게|이거|이것|저거|거기|그곳|그\s*곳|그\s*사업|이\s*사업|해당\s*사업|"
    r"그\s*공약|그\s*위원회|그\s*단체|그\s*팀|그\s*부서|그\s*항목|그\s*프로그램)"
    r"(은|는|이|가|을|를|의|에|에서|도|요)?\s*"
)
_REGION_ONLY = re.compile(
    r"^\s*(\S+?)(은|는|도|의\s*경우|쪽은|에서는|은요|는요|도요)?\s*"
    r"((비슷한|같은|그런)\s*(거|것|사업|게)?\s*(은|는|도)?\s*)?"
    r"(요|어때\S*|어떻\S*|는요|있어\S*|없어\S*|도\s*있어\S*)?\s*[?.!~]*\s*$"
)
_POINTED_KINDS = WORDS["follow-up pointers"]
# Words asking how to be told, not what about ("2번 자세히 알려줘").
_TELLING = WORDS["telling words"]
# Words a follow-up about a field is made of: field cues and the everyday words around them.
_FIELD_WORDS = CUE_WORDS | WORDS["follow-up field words"]


@dataclass(frozen=True)
class Turn:
    """One message's reply and the context to keep for the next message."""

    reply: Reply
    state: dict


def converse(
    kb: KnowledgeBase,
    text: str,
    state: dict | None,
    *,
    respond: Callable[..., Reply],
    now: float,
    region: str | None = None,
    idle_seconds: float = DEFAULT_IDLE_SECONDS,
) -> Turn:
    """The reply to ``text`` given the context ``state`` (as returned by the last turn);
    ``respond(kb, text, region=…)`` answers messages that are not follow-ups."""
    context = state if state and now - state.get("at", 0) <= idle_seconds else None
    kind = _kind_of(kb, text, context)
    if kind is None:
        reply = respond(kb, text, region=region)
        return Turn(
            reply,
            _remember(kb, reply, text, context, now, region, fields=_field_words(kb, text)),
        )
    reply, question = _follow_up(kb, kind, text, context, respond)
    return Turn(
        reply,
        _remember(
            kb,
            reply,
            question,
            context,
            now,
            region,
            offset=_offset_of(reply, context),
            fields=_field_words(kb, text) or None,
        ),
    )


def is_follow_up(kb: KnowledgeBase, text: str) -> bool:
    """Whether the message only makes sense after an earlier answer (names no entry)."""
    return _kind_of(kb, text) is not None


def _field_words(kb: KnowledgeBase, text: str) -> str:
    """The words of a question that ask for a field ("예산", "정원 몇 명"), kept so that
    "국제협력과는요?" asks the same of another entry."""
    compact = "".join(text.split()).lower()
    cues = [w for cues, _ in FIELD_CUES for w in cues if w in compact]
    return " ".join(dict.fromkeys(cues))


def _kind_of(kb: KnowledgeBase, text: str, context: dict | None = None) -> str | None:
    """ "number", "more", "others", "region", "pointer", "field", "same" or "children"; None
    for a new question. Browsing questions ("청년 사업 뭐 있어요?") are new unless they name
    nothing but a kind after a department or unit project ("팀 뭐 있어?": its teams)."""
    entry = kb.get(context["entry"]) if context and context.get("entry") else None
    if is_browsing(text):
        if (
            entry is not None
            and entry.kind in PARENT_KINDS
            and not _content_words(kb, text, entry, pointing=True)
            and not mentioned_regions(kb, text)
        ):
            return "children"
        return None
    number = _NUMBER.match(text)
    if number and not _content_words(kb, text, entry, pointing=True):
        return "number"
    if _MORE.match(text):
        return "more"
    if _OTHERS.match(text):
        return "others"
    if _region_named_alone(kb, text):
        return "region"
    pointer = _POINTER.match(text)
    if pointer and (
        not _content_words(kb, text, entry, pointing=True)
        or entry is not None
        and not _names_elsewhere(kb, text, entry)
    ):
        return "pointer"  # "그 사업 첫 행사 때 몇 명 왔어요?": about the entry in context
    facts = asked_facts(text)
    if entry is not None and facts and not _content_words(kb, without_cues(text, facts), entry):
        return "field"  # "운영시간은요?": every word asks for a fact the entry may lack
    if not _content_words(kb, text, entry) and (
        facts
        or wanted_fields(kb.index.analyze(text))
        or entry is not None
        and _names_a_field(text, entry)
    ):
        return "field"
    if entry is not None and _about_entry(kb, text, entry):
        return "field"
    if (
        context
        and context.get("fields")
        and _SAME_FOR.match(text)
        and not facts
        and not wanted_fields(kb.index.analyze(text))
    ):
        return "same"
    return None


def _region_named_alone(kb: KnowledgeBase, text: str) -> str | None:
    """The region of "인천은요?", "전주는 어때요?" — a message naming a region and nothing else."""
    match = _REGION_ONLY.match(text)
    if not match:
        return None
    word = match.group(1)
    words = kb.index.region_words
    return words.get(word) or words.get(strip_particle(word))


def _content_words(
    kb: KnowledgeBase, text: str, entry: Entry | None = None, *, pointing: bool = False
) -> list[str]:
    """Words of the message that could name an entry (not fields, fillers or endings, nor the
    start or end of a field label of the entry in context: "시민소통 실적" of 시민소통실적);
    ``pointing``: the kind nouns of "그 사업", "3번 항목" name nothing either."""
    query = kb.index.analyze(text)  # analysed once per message (SearchIndex keeps the last few)
    words = [
        strip_particle(t)
        for t in query.tokens
        if t not in query.predicates and not (pointing and strip_particle(t) in _POINTED_KINDS)
    ]
    if query.region:
        words.append(query.region)
    labels = [n.replace(" ", "") for n in entry.fields] if entry is not None else []
    return [
        w
        for w in words
        if len(w) >= 2
        and w not in _FIELD_WORDS
        and w not in STOPWORDS
        and w not in _TELLING
        and not any(w.startswith(f) for f in _FIELD_WORDS if len(f) >= 2)
        and not any(label.startswith(w) or label.endswith(w) for label in labels)
    ]


def _about_entry(kb: KnowledgeBase, text: str, entry: Entry) -> bool:
    """A short question whose every naming word is in the entry in context ("교류활동은 언제
    해요?" after the 자매결연 pledge) asks more about it, unless it names a region or another
    entry by its whole name."""
    if len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS:
        return False
    words = _content_words(kb, text, entry, pointing=True)
    body = " ".join((entry.title, *entry.fields.values())).replace(" ", "").lower()
    if not words or not all(w in body for w in words):
        return False
    return not _names_elsewhere(kb, text, entry)


def _names_elsewhere(kb: KnowledgeBase, text: str, entry: Entry) -> bool:
    """Whether the message names a region or another entry by its whole name."""
    squeezed = text.replace(" ", "").lower()
    return bool(mentioned_regions(kb, text)) or any(
        e is not entry and len(e.title) >= 4 and e.title.replace(" ", "").lower() in squeezed
        for e in kb.entries
    )


def _names_a_field(text: str, entry: Entry) -> bool:
    squeezed = text.replace(" ", "")
    return any(
        len(label) >= 2 and label.replace(" ", "") in squeezed for label in entry.fields
    ) or any(
        label.replace(" ", "").startswith(w)
        for w in squeezed.split()
        for label in entry.fields
        if len(w) >= 2
    )


def _follow_up(
    kb: KnowledgeBase, kind: str, text: str, context: dict | None, respond: Callable[..., Reply]
) -> tuple[Reply, str | None]:
    """The reply to a follow-up of ``kind``, and the question the context now holds (None:
    unchanged)."""
    if kind == "same":
        match = _SAME_FOR.match(text)
        subject = match.group(1) or match.group(3)
        rewritten = f"{subject} {context['fields']}"
        return respond(kb, rewritten, region=None), rewritten
    if kind == "children":
        rewritten = f"{kb.get(context['entry']).title} {text}"
        return respond(kb, rewritten, region=None), rewritten
    if kind == "region":
        new_region = _region_named_alone(kb, text)
        if not context or not context.get("question"):
            return _clarify(
                text,
                f"{new_region}의 어떤 내용을 알려 드릴까요? 사업이나 부서 이름을 함께 "
                "말씀해 주세요.",
            ), None
        rewritten = _with_region(kb, context["question"], new_region)
        return respond(kb, rewritten, region=new_region), rewritten
    return _about_context(kb, kind, text, context), None


def _about_context(kb: KnowledgeBase, kind: str, text: str, context: dict | None) -> Reply:
    entry = kb.get(context["entry"]) if context and context.get("entry") else None
    items = [i for i in (context or {}).get("items", []) if kb.get(i) is not None]
    if kind == "number":
        match = _NUMBER.match(text)
        number, rest = int(match.group(1)), text[match.end() :]
        if not 1 <= number <= len(items):
            return _clarify(
                text,
                f"어느 목록의 {number}번을 말씀하시나요? 목록을 먼저 보여 드릴 질문을 해 "
                '주세요 (예: "전주 공약 뭐 있어요?").',
            )
        chosen = kb.get(items[number - 1])
        asks = rest.strip(" ?.!~") and not re.fullmatch(
            r"(자세히|알려\S*|보여\S*|뭐\S*)", rest.strip(" ?.!~")
        )
        return _about(kb, chosen, text, question=text if asks else None)
    if kind == "more":
        if entry is None:
            return _clarify(
                text, "어떤 항목을 자세히 알려 드릴까요? 사업이나 부서 이름을 알려 주세요."
            )
        return Reply(
            text,
            QUESTION,
            ANSWER,
            full_card(kb, entry.id) or "",
            (Hit(entry, 100.0),),
            entry_id=entry.id,
        )
    if kind == "others":
        return _others(kb, text, context, entry, items)
    # a field or a pointer: about the last entry
    if entry is None:
        facts = asked_facts(text)
        what = facts[0].label if facts else "내용"
        what += object_particle(what)
        if items:
            return _clarify(
                text,
                f'목록의 몇 번 항목의 {what} 말씀하시나요? "2번"처럼 번호를 먼저 골라 주세요.',
            )
        return _clarify(
            text,
            f"어떤 사업의 {what} 말씀하시나요? 사업이나 부서 이름과 함께 다시 "
            '물어봐 주세요 (예: "주민참여예산 예산").',
        )
    pointer = _POINTER.match(text)
    asks = (text[pointer.end() :] if pointer else text).strip(" ?.!~")
    return _about(kb, entry, text, question=text if asks else None)


def _about(kb: KnowledgeBase, entry: Entry, text: str, *, question: str | None) -> Reply:
    """The answer about one known entry, leading with what ``question`` asks."""
    full = render_entry(kb, entry.id, question) or ""
    return answer_reply(text, full, (Hit(entry, 100.0),), entry.id)


def _others(
    kb: KnowledgeBase, text: str, context: dict | None, entry: Entry | None, items: list[str]
) -> Reply:
    """The next page of the last list, else the last entry's siblings."""
    offset = (context or {}).get("offset", 0) + PAGE_SIZE
    if items and offset < len(items):
        listing = Listing(context.get("label") or "목록", tuple(kb.get(i) for i in items), False)
        return Reply(
            text, QUESTION, ANSWER, format_listing(listing, offset=offset), items=tuple(items)
        )
    if entry is not None:
        siblings = tuple(
            e
            for e in kb.entries
            if e.id != entry.id
            and e.kind == entry.kind
            and e.region == entry.region
            and (e.parent_id == entry.parent_id if entry.parent_id else True)
        )
        if siblings:
            label = f"{entry.region}의 다른 {KIND_LABELS.get(entry.kind, '항목')}"
            listing = Listing(label, siblings, False)
            return Reply(
                text,
                QUESTION,
                ANSWER,
                format_listing(listing),
                items=tuple(e.id for e in siblings),
            )
    if items:
        return _clarify(
            text,
            f"앞의 목록 {len(items)}개가 전부입니다. 다른 분야의 사업을 찾으시면 관심 있는 "
            "내용(예: 청년, 다문화, 자원봉사)을 알려 주세요.",
        )
    return _clarify(
        text,
        "어떤 분야의 다른 사업을 찾으시나요? 관심 있는 내용(예: 청년, 다문화, 자원봉사)을 "
        "알려 주세요.",
    )


def _clarify(text: str, question: str) -> Reply:
    return Reply(text, QUESTION, CLARIFY, question)


def _with_region(kb: KnowledgeBase, question: str, region: str) -> str:
    """The earlier question about another region: its region words replaced (or one added)."""
    words = list(kb.index.region_words)
    pattern = re.compile("|".join(map(re.escape, words)))
    if pattern.search(question):
        return pattern.sub(region, question, count=1)
    return f"{region} {question}"


def _offset_of(reply: Reply, context: dict | None) -> int:
    """Where the shown page of a list starts ("다른 사업은?" pages on)."""
    if context and reply.items and tuple(context.get("items", ())) == reply.items:
        return context.get("offset", 0) + PAGE_SIZE
    return 0


def _remember(
    kb: KnowledgeBase,
    reply: Reply,
    question: str | None,
    context: dict | None,
    now: float,
    region: str | None,
    *,
    offset: int = 0,
    fields: str | None = None,
) -> dict:
    """The context after ``reply``: a new entry or list replaces the old; a clarifying question
    or a non-answer keeps what was there (the citizen may still mean it). ``question`` is the
    topic a region follow-up re-asks (None keeps the earlier one)."""
    state = dict(context or {})
    state["at"] = now
    if reply.band == CLARIFY or (reply.band != ANSWER and not reply.suggestions):
        return state
    if reply.items:
        state.update(
            items=list(reply.items), offset=offset, entry=None, label=_list_label(reply.text)
        )
    elif reply.suggestions:
        state.update(items=[h.entry.id for h in reply.suggestions], offset=0, entry=None)
    if reply.entry_id:
        state["entry"] = reply.entry_id
    if fields is not None:
        state["fields"] = fields
    if question:
        state["question"] = question
        regions = mentioned_regions(kb, question)
        state["region"] = regions[0] if regions else state.get("region") or region
    return state


def _list_label(text: str) -> str:
    """The list's label from its first line ("전주시 공약은 모두 76개입니다." → "전주시 공약")."""
    first = text.split("\n", 1)[0]
    match = re.match(r"(.+?)(은|는)?\s*모두\s*\d+개입니다", first)
    return match.group(1) if match else "목록"
