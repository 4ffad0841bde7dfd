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

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase
from knowledge.model import KIND_LABELS, Entry
from nlp.analyzer import (
    CUE_WORDS,
    STOPWORDS,
    TYPO_MIN_CHARS,
    TYPO_MIN_RATIO,
    WORDS,
    strip_particle,
)
from nlp.answer import (
    FIELD_CUES,
    FUSED_SUGGEST_THRESHOLD,
    SUGGEST_THRESHOLD,
    answer_reply,
    full_card,
    wanted_fields,
)
from nlp.comparison import MAX_VALUE_CHARS, clip, find_comparison, is_comparison
from nlp.fields import asked_facts, object_particle, records, without_cues
from nlp.jamo import to_jamo
from nlp.listing import (
    MIN_ITEMS,
    PAGE_SIZE,
    PARENT_KINDS,
    WHOLE_LIST_ITEMS,
    Listing,
    asked_kinds,
    children_of,
    find_listing,
    format_listing,
    is_browsing,
    mentioned_regions,
    mentioning,
    topic_particle,
    topic_words,
)
from nlp.reply import ANSWER, NOT_FOUND, QUESTION, Hit, Reply
from nlp.responder import RANKING_DEPTH, ranking, render_entry
from nlp.semantic import embed_ahead

CLARIFY = "clarify"  # the band of a question asked back
# A follow-up about the entry in context is short; a longer message is a question of its own.
MAX_FOLLOW_UP_CHARS = 20
DEFAULT_IDLE_SECONDS = 30 * 60.0
# The shortest part of a compound topic word looked for in another region ("블로그" of
# 블로그기자단): two letters are the shortest Korean noun that still names a topic (국제, 청년).
MIN_PART_CHARS = 2

_NUMBER = re.compile(
    r"^\s*(\d{1,2})\s*(번|번째)\s*(항목|거|것|꺼|건|게)?\s*(이요|요|은|는|이|가|좀|을|를|의)?\s*"
)
# "국제협력과는요?", "홍보기획과도?": another entry, the same question as before.
_SAME_FOR = re.compile(
    r"^\s*(.+?)\s*(은요|는요|도요|은|는|도)\s*[?？]+\s*$|^\s*(.+?)\s*(은요|는요|도요)\s*[?.!~]*\s*$"
)
_MORE = re.compile(
    r"^\s*(좀\s*)?(더\s*)?(자세히|자세하게|상세히|상세하게|전체|전부)\s*(좀\s*)?"
    r"(알려\s*\S*|보여\s*\S*|요|설명\S*)?\s*[?.!~]*\s*$|^\s*더\s*(알려|보여)\s*\S*\s*[?.!]*$"
)
# "다른 사업은?", "다른 건 더 없어요?", "나머지도 다 보여줘", "또 뭐 있어?", "이거 말고 다른
# 건?", "비슷한 사업 또 있어?": matched whole on the message without spaces and punctuation; a
# word of its own ("다른 지역은?") makes it something else.
_OTHERS = re.compile(
    r"(또|그리고)?((이거|그거|이것|그것|이|그)(말고|빼고|외에|외))?(그밖에|그외에|이외에)?"
    r"(다른|딴|나머지|그외|그밖의?|이외|또|더|비슷한|유사한)(에)?"
    r"(사업|공약|위원회|단체|팀|부서|항목|프로그램|업무|거|것|건|게|곳|데)?(들)?"
    r"(은|는|도|이|가|을|를|요)*(또|더|좀|다|전부|전체|모두)*"
    r"(뭐(가|들)?|무엇|어떤(거|것|게)?)?"
    r"((있|없)[가-힣]{0,4}|(알려|보여|말해)[가-힣]{0,4}|보기)?"
)
# "다른 복지 공약은?", "도시 분야 다른 공약은?", "정무기획과 다른 사업은?": the others of a set
# the message names itself (words of its own besides 다른), asked in the context's region.
_ANOTHER = re.compile(
    r"(다른|딴)\s*(분야|쪽|거|것|건)?\s*(은요|는요|은|는|도|이요|요)?\s*[?？.!~]*"
)
# Words that name no set of their own after "다른" ("다른 지역은요?" is no set of a list).
_NO_SET_WORDS = frozenset({"지역", "분야", "쪽", "곳", "데", "사람", "방법"})
MAX_ANOTHER_SET_CHARS = 20  # as MAX_FOLLOW_UP_CHARS: longer is a question of its own
# "완산권역은?", "노인 관련은?", "혁신담당관실은?" after a list: the same set with that topic or
# of that department.
_SAME_SET = re.compile(
    r"^\s*(.+?)\s*(관련된\s*(?:거|것|건|게)|관련|쪽)?\s*(은요|는요|도요|은|는|도)\s*[?？.!~]*\s*$"
)
# "다른 부서 위원회는?" after a department's committees: that kind under the other departments.
_OTHER_PARENTS = re.compile(r"다른\s*(부서|과|국|실|팀|곳|데)")
# The kind nouns a list's label ends with ("전주시 '덕진권역' 관련 사업").
_LABEL_KINDS = ("사업", "공약", "위원회", "단체", "시민단체", "팀", "부서", "업무", "항목")
# "국제협력과 소속 팀" (a list label, nlp.listing): the department or unit project it belongs to.
_PARENT_LABEL = re.compile(r"^(.+?) 소속 (\S+)$")
# Pointers at a place: after a list of a department's teams, "거기 정원은?" is that department.
_PLACE_POINTER = re.compile(r"^\s*(거기|거긴|그곳|그\s*곳|그\s*부서|그\s*과|그\s*국|그\s*실)")
# "몇 개예요?", "총 몇 개야": how many items the last list holds (a count asked of nothing named).
_HOW_MANY = re.compile(r"몇\s*(개|가지|곳|군데|건)|개수|갯수")
# "나주 건", "전북 거", "인천 쪽은": a region's one of the things just shown.
_POINTER_WORD = re.compile(r"^\s*(의\s*)?(건|거|꺼|것|게|쪽|은|는|도)(\s|[?.!~]|$)")
# "몇퍼", "몇프로", "몇살", "며칠로": a word opening with 몇 or 며칠 asks how much; it names
# nothing.
_HOW_MUCH = ("몇", "며칠")
# "몇 개소야", "몇 곳이에요": 몇 and the counter after it (the tagger splits "개소야" into 개 and
# 소야, and "소야" would look like a name).
_HOW_MANY_WORDS = re.compile(r"몇\s*[가-힣]*")
# "전부 몇 개", "총 몇 개야": words of a count that name nothing either.
_ALL_OF = re.compile(r"(^|\s)(총|전부|전체|모두|다\s|합쳐서|통틀어)")
_EVERY = re.compile(r"다\s*(보여|알려|말해)|전부|전체|모두|다요|다\s*[?.!]*$")
_POINTER = re.compile(
    r"^\s*(그거|그것|그게|그건|이거|이것|이건|저거|저건|거기|거긴|그곳|그\s*곳|그\s*사업|"
    r"이\s*사업|해당\s*사업|그\s*공약|그\s*위원회|그\s*단체|그\s*팀|그\s*부서|그\s*항목|"
    r"그\s*프로그램|그\s*사람|그\s*분|"
    # the entry's kind ("그 지표 가중치는?" after an indicator's target: that indicator)
    r"그\s*(세부|단위)\s*사업|그\s*(성과\s*)?지표|그\s*업무|그\s*(지적\s*)?사항|그\s*감사|"
    r"그\s*보도|그\s*기사|그\s*센터|그\s*계획|그\s*정책|그\s*행사)"
    r"(은|는|이|가|을|를|의|에|에서|도|요)?\s*"
)
# "그중에 규제 관련된 거", "거기서 제일 오래된 데": a choice among the items of the last list.
_AMONG = re.compile(
    r"^\s*(그|이|저|거기|여기|목록|위)\s*(중|중에|중에서|중에는|가운데|에서)\s+|"
    r"^\s*(그중|이중|그중에|이중에|그중에서|이중에서|거기서|거기\s*중에?|목록에서)\s*"
)
# "장애인 거만", "교통 관련된 것만 다시", "청년 거만 추려줘" after a list: its items on that topic.
_ONLY = re.compile(
    r"\s*(관련된|관련|하는|인)?\s*(거|것|건|게|꺼|들|사업|공약)\s*만\s*"
    r"(다시|추려\S*|골라\S*|보여\S*|알려\S*|뽑아\S*)?\s*(줘|주세요)?\s*[?.!~]*\s*$"
)
# "회원 제일 많은 데", "위원회 가장 많이 맡은 곳": the item of the last list with the most (or the
# fewest) of something.
_MOST = re.compile(r"(제일|가장|젤|최고로)\s*(많|큰|높|적|작|낮)")
_PLACE_KINDS = frozenset({"department", "team", "civic_group", "committee"})  # "곳", else "것"
_FEWEST = re.compile(r"(제일|가장|젤)\s*(적|작|낮)")
# A counted figure ("54,330명", "16백만원"), not a year or a number inside a label ("'21예산").
_FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:명|개소|개|곳|건|회|백만원|천원|만원|억원|원|%)")
_REGION_ONLY = re.compile(
    r"^\s*(\S+?)(은|는|도|의\s*경우|\s*쪽은|\s*쪽도|\s*쪽|에서는|에서도|에서|에는|에도|에선|엔|"
    r"은요|는요|도요)?\s*"
    r"((비슷한|같은|그런)\s*(거|것|사업|게)?\s*(은|는|도)?\s*)?"
    r"(요|어때\S*|어떻게\s*(돼|되)\S*|어떻\S*|는요|(도\s*)?(있|없)\S*|(해|하)[가-힣]{0,3})?\s*[?.!~]*\s*$"
)
# "인천은 인터넷방송 있어?", "전북에서는 민원 어떻게 받아?": a region said as the topic, then
# what is asked of it.
_REGION_LEAD = re.compile(r"^\s*(\S+?)(은|는|도|에서는|에서도|에선|쪽은|쪽도)\s+(\S.*)$")
# Kinds of entry that are a project of some level (a pledge, a bureau's work plan, a unit
# project, a program): "인천은 X 있어?" after one asks for the project there, not a finding.
_PROJECT_KINDS = frozenset({"program", "unit_project", "work_plan", "pledge"})
# Words a follow-up may open with that change nothing ("그럼 인천은요?", "혹시 2번 예산은?").
_OPENER = re.compile(r"^\s*(그럼|그러면|그럼요|그리고|혹시|아|아하|음|참|근데|그런데|그래서)\s+")
# "아니 전주 말고 나주", "아 인천 말고 전북", "아니 전주시꺼", "아 잘못말함 …", "다른 지역은?
# 전주": the last message corrected; what follows the marker is what was meant (a region alone
# re-asks the last question there). "아" alone corrects nothing ("아 그럼 예산은?").
_CORRECTION = re.compile(
    r"^\s*(?:(?P<no>아니요|아뇨|아니야|아니에요|아닌데|아니)\s*[,.!~]*\s*|(?:아|앗|아차)\s*[,.!~]*\s*)?"
    r"(?P<wrong>(?:잘못\s*(?:말함|말했\S*|썼\S*|적었\S*|얘기\S*|입력\S*)|그게\s*아니(?:고|라)|"
    r"그거\s*말고|그\s*말\s*말고)\s*[,.!~]*\s*)?"
    r"(?:(?P<instead>\S+?)\s*말고\s*[,.]?\s*|(?P<other>다른\s*(?:지역|곳|데)\S*)\s*[?？.!~]*\s*)?"
)
# "전주시꺼", "나주 거요": a region said as the thing meant.
_REGION_THING = re.compile(r"\s*(꺼|거|것|걸로|껄로)?\s*(요|로|이요)?\s*[?.!~]*\s*$")
# "두 번째 거", "세번째 사업": the item numbers citizens spell out.
_ORDINAL = re.compile(r"(첫|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(번째)")
_ORDINALS = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8}
_ORDINALS |= {"아홉": 9, "열": 10}
_LIST_LINE = re.compile(r"^(\d+)\. ", re.M)
# "전주 거랑 비교하면?", "청년창업지원이랑 차이는?", "시군 거랑 뭐가 달라?": the last entry
# compared
# with what the message names (a region's counterpart, or another entry).
_COMPARE_ASK = re.compile(r"비교|차이|달라|다르|다른\s*점")
# The words of a comparison request that name nothing to compare with.
_COMPARE_WORDS = re.compile(
    r"(이랑|랑|하고|와|과)?\s*(비교\S*|차이\S*|뭐가|어디가|누가|더|달라\S*|다르\S*|다른\s*점\S*|"
    r"어때\S*|좀|해\s*줘\S*|해\s*주세요|많아\S*|적어\S*|커\S*|높아\S*)(?=\s|$|[?.!~])"
)
# "전주 거랑", "청년창업지원이랑": the thing compared with, its conjunction taken off.
_WITH = re.compile(r"(\S+?)(이랑|랑|하고|와|과)(?=\s|$)")
# What an entry is about, for a side of a comparison when no field is asked (as nlp.comparison).
_ABOUT_FIELDS = ("사업내용", "주요내용", "목적", "목표", "내용", "지원조건", "분야", "구성")
SIDE_FIELDS = 2  # "뭐가 달라?": the first two fields in which the two differ, sharing the room
MAX_COMPARE_CHARS = 30  # "전북 대외협력국이랑 비교하면 어디가 더 많아?": 23 letters
_POINTED_KINDS = WORDS["follow-up pointers"]
# Words asking how to be told, not what about ("2번 자세히 알려줘").
_TELLING = WORDS["telling words"]
_THE_BOT = WORDS["the bot itself"]
MAX_PARTICLE_CHARS = 2  # 은, 이랑, 한테, 에게: the longest particles after a name of the bot
# Words a follow-up about a field is made of: field cues and the everyday words around them.
_FIELD_WORDS = CUE_WORDS | WORDS["follow-up field words"]
# The field words a content word may not start with ("예산액", "전화번호로"), as one tuple for
# str.startswith: checked for every word of every message.
_FIELD_STARTS = tuple(sorted(w for w in _FIELD_WORDS if len(w) >= 2))


@dataclass(frozen=True)
class Resolved:
    """What kind of follow-up a message is, with what its classification already resolved
    (the item, region or rewritten question), so the reply is not worked out a second time."""

    kind: str
    value: object = None


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
    text = _corrected(kb, text) or text
    asked = text
    text = _plain(text)
    about_the_bot = _about_the_bot(text)
    resolved = None if about_the_bot else _kind_of(kb, text, context)
    if resolved and resolved.kind in ("most", "pick"):
        chosen = (_most if resolved.kind == "most" else _pick)(kb, text, context)
        # "세계에서 제일 높은 산이 어디예요": nothing of the list's items
        resolved = (
            None if chosen is None and resolved.kind == "most" else Resolved(resolved.kind, chosen)
        )
    if resolved is None:
        text = asked
        reply = respond(kb, text, region=region)
        kind = None if about_the_bot else _leaning_on(kb, text, context, reply)
        chosen = _pick(kb, text, context) if kind == "pick" else None
        if kind is None or (kind == "pick" and chosen is None):
            return Turn(
                reply,
                _remember(kb, reply, text, context, now, region, fields=_field_words(kb, text)),
            )
        resolved = Resolved(kind, chosen)
    reply, question = _follow_up(kb, resolved, text, context, respond, region)
    return Turn(
        reply,
        _remember(
            kb, reply, question, context, now, region, fields=_field_words(kb, text) or None
        ),
    )


def _about_the_bot(text: str) -> bool:
    """ "이 봇은 어떤 걸 물어볼 수 있어요?": a word that is a name of the bot with at most a
    particle after it (봇은, 챗봇한테)."""
    return any(
        word.startswith(name) and len(word) - len(name) <= MAX_PARTICLE_CHARS
        for word in text.split()
        for name in _THE_BOT
    )


def is_follow_up(kb: KnowledgeBase, text: str) -> bool:
    """Whether the message only makes sense after an earlier answer (names no entry)."""
    return _kind_of(kb, _plain(text)) is not None


def _plain(text: str) -> str:
    """The message as the follow-up patterns read it: an opening "그럼", "혹시" … taken off, a
    spelled-out ordinal as a number ("두 번째 거" → "2번째 거")."""
    text = _OPENER.sub("", text, count=1)
    return _ORDINAL.sub(lambda m: f"{_ORDINALS[m.group(1)]}번째", text)


def _corrected(kb: KnowledgeBase, text: str) -> str | None:
    """What a correction of the last message means ("아니 전주 말고 나주" → "나주", "아니
    전주시꺼" → "전주시", "아 잘못말함 전북도 해외 자매결연" → "전북도 해외 자매결연"); None
    when the message corrects nothing. "X 말고" counts only with a region or a pointer as X,
    and not before "다른 …" ("전주 말고 다른 지역도 해?" asks about the others)."""
    match = _CORRECTION.match(text)
    if match is None or not any(match.group(g) for g in ("no", "wrong", "instead", "other")):
        return None
    instead = match.group("instead")
    if instead and not (
        mentioned_regions(kb, instead) or _POINTER.match(instead) or instead in ("그거", "이거")
    ):
        return None
    rest = text[match.end() :].strip()
    if not rest or rest.startswith(("다른", "딴")):
        return None
    region = _REGION_THING.sub("", rest)
    if _region_named_alone(kb, region):
        return region
    return rest if _content_words(kb, rest) else None  # "아니요 괜찮아요" means no entry


def _field_words(kb: KnowledgeBase, text: str) -> str:
    """The words of a question that ask for a field ("예산", "정원 몇 명"), kept so that
    "국제협력과는요?" asks the same of another entry."""
    compact = "".join(text.split()).lower()
    cues = [w for cues, _ in FIELD_CUES for w in cues if w in compact]
    return " ".join(dict.fromkeys(cues))


def _kind_of(kb: KnowledgeBase, text: str, context: dict | None = None) -> Resolved | None:
    """The follow-up a message is (see _classify), with the item, region or rewritten
    question its classification resolved; None for a new question."""
    found = _classify(kb, text, context)
    if found is None or isinstance(found, Resolved):
        return found
    return Resolved(found)


def _classify(kb: KnowledgeBase, text: str, context: dict | None) -> str | Resolved | None:
    """ "number", "more", "others", "region", "most", "pick", "pointer", "field", "same" or
    "children" (or a Resolved with what was found); None for a new question. Browsing
    questions ("청년 사업 뭐 있어요?") are new
    unless they name nothing but a kind after a department or unit project ("팀 뭐 있어?": its
    teams), ask for the others ("다른 사업은 뭐 있어요?") or name nothing at all ("어떤 혜택
    있어요?" after an entry: its benefits)."""
    entry = kb.get(context["entry"]) if context and context.get("entry") else None
    items = _items(kb, context)
    if entry is not None and _MORE.match(text):
        return "more"  # "더 알려줘" after one entry: all of it, not the entries beside it
    if _asks_for_others(text):
        return "others"
    if context and (entry is not None or context.get("question")) and _compares(kb, text):
        return "compare"
    if context and context.get("listed") and items and _counts_the_list(kb, text):
        return "count"
    number = _NUMBER.match(text)
    numbered = items or _members(kb, context)
    if (
        number
        and 1 <= int(number.group(1)) <= len(numbered)
        and not _names_elsewhere(kb, text, kb.get(numbered[int(number.group(1)) - 1]))
    ):
        return "number"  # "3번째꺼 하는일 알려줘": the third item's work, not a list of work
    if items and (item := _region_item(kb, text, context)) is not None:
        return Resolved("region item", item)
    if context and (found := _parent_set(kb, text, context)) is not None:
        return Resolved("parent set", found)
    if context and (rewritten := _other_parents(kb, text, context)) is not None:
        return Resolved("other parents", rewritten)
    if context and (rewritten := _another_set(kb, text, context)) is not None:
        return Resolved("another set", rewritten)
    if is_browsing(text) and (rewritten := _sibling_set(kb, text, context)) is not None:
        return Resolved("sibling set", rewritten)
    if is_browsing(text):
        bare = entry is not None and not _content_words(kb, text, entry, pointing=True)
        if bare and entry.kind in PARENT_KINDS and not mentioned_regions(kb, text):
            return "children"
        if not bare or asked_kinds(text):
            return None  # names its own set ("전주 공약 뭐 있어요", "예산 많은 사업 뭐 있어요")
    if number and not _content_words(kb, text, entry, pointing=True):
        return "number"  # "3번 예산은?" without a list: asked back
    if _MORE.match(text):
        return "more"
    if region := _region_named_alone(kb, text):
        return Resolved("region", region)
    if items and _SAME_SET.match(text) and _names_one_item(kb, text, context):
        return "pick"  # "청년 공유주택은?" after the 청년 pledges: that item, not another set
    if context and (rewritten := _same_set(kb, text, context)):
        return Resolved("another set", rewritten)
    if entry is not None and (region := _region_topic(kb, text, context)) is not None:
        return Resolved("region topic", region)
    if items and _MOST.search(text) and not mentioned_regions(kb, text):
        return "most"
    if items and (_AMONG.match(text) or _ONLY.search(text)) and not mentioned_regions(kb, text):
        return "pick"
    pointer = _POINTER.match(text)
    nothing = entry is None and not items and not (context or {}).get("parent")
    if pointer and (
        not _content_words(kb, text[pointer.end() :], entry, pointing=True)
        or entry is not None
        and not _names_elsewhere(kb, text, entry)
        or nothing  # "그 사람 경력은?" with nothing before it: asked back
        and len(text.replace(" ", "")) <= MAX_FOLLOW_UP_CHARS
        and not _names_elsewhere(kb, text, None)
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
        entry is not None
        and not _content_words(kb, text, entry, pointing=True)
        and kb.index.analyze(text).intent == QUESTION
    ):
        return "field"  # "어떤 혜택 있어요?", "몇 군데서 해요?": a question naming nothing
    if (
        context
        and context.get("fields")
        and _SAME_FOR.match(text)
        and not facts
        and not wanted_fields(kb.index.analyze(text))
    ):
        return "same"
    return None


def _compares(kb: KnowledgeBase, text: str) -> bool:
    """ "전주 거랑 비교하면?", "청년창업지원이랑 차이는?": a short comparison naming one side
    only (a comparison of its own names two regions, or two things joined by 랑 that each find
    an entry; "자유총연맹이랑 회원수 비교하면?" names one thing and a field)."""
    if not _COMPARE_ASK.search(text) or len(text.replace(" ", "")) > MAX_COMPARE_CHARS:
        return False
    if find_comparison(kb, text) is not None:
        return False  # two sides of its own ("A랑 B 차이"), not one side after an answer
    joined = _WITH.search(text)
    if joined is None and "비교" not in text and not mentioned_regions(kb, text):
        return False  # "차이가 뭐예요?": nothing to compare with
    after = _COMPARE_WORDS.sub(" ", text[joined.end() :]) if joined else ""
    return not _content_words(kb, after, pointing=True)


def _counts_the_list(kb: KnowledgeBase, text: str) -> bool:
    """ "몇 개예요?", "총 몇개예요?" after a list: a count that names nothing of its own (not
    "가맹점 몇 개", "인천 위원회 몇 개")."""
    if not _HOW_MANY.search(text):
        return False
    return not _content_words(kb, _ALL_OF.sub(" ", text), pointing=True)


def _region_item(kb: KnowledgeBase, text: str, context: dict | None) -> Entry | None:
    """The one item of the last list (a comparison's side by side, or any list) in the region
    the message names, when the message asks a fact of it or points at it and names nothing
    the item does not hold: "전북은 누가 받을 수 있어?", "나주 건 예산 얼마?" after "전북
    자매결연이랑 나주 자매결연 차이점". None otherwise."""
    regions = mentioned_regions(kb, text)
    if len(regions) != 1 or len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS:
        return None
    local = [e for e in (kb.get(i) for i in _items(kb, context)) if e.region == regions[0]]
    if len(local) != 1:
        return None
    item = local[0]
    rest = _region_words_out(kb, text)
    asks = bool(asked_facts(rest) or wanted_fields(kb.index.analyze(rest)))
    if not asks and not _POINTER_WORD.search(rest):
        return None
    words = [w for w in _content_words(kb, rest, item, pointing=True) if w not in regions]
    return item if _holds_all(item, words) else None


def _region_topic(kb: KnowledgeBase, text: str, context: dict | None) -> str | None:
    """The region of "인천은 인터넷방송 있어?" after an answer from another region: a short
    message opening with a region as its topic, then words of a topic (not a kind to list:
    "인천은 위원회 뭐 있어?" is a question of its own), naming no entry by its whole name."""
    match = _REGION_LEAD.match(text)
    if match is None or len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS:
        return None
    words = kb.index.region_words
    region = words.get(match.group(1)) or words.get(strip_particle(match.group(1)))
    if region is None or region == _region_of(kb, context):
        return None
    rest = match.group(3)
    if mentioned_regions(kb, rest) or asked_kinds(rest) and is_browsing(rest):
        return None
    if not _content_words(kb, rest) or _names_elsewhere(kb, rest, None):
        return None
    return region


def _counterpart(kb: KnowledgeBase, text: str, region: str, entry: Entry) -> Entry | None:
    """The entry of ``region`` that "인천은 인터넷방송 있어?" asks for after ``entry``: of the
    region's entries holding the message's topic words that the region's documents use,
    those named by the words first ("전북은요?" after the 인천 department on 직소민원: 직소민원팀,
    not 정무기획과), of ``entry``'s sort (a project for a project) before the others, ranked
    by the message with ``entry``'s title beside it (the same thing there);
    then the broadest of them — an entry whose parent is named by the words too gives way to
    the parent ("전북은 민원 어떻게 받아?": the complaints office's unit project, not its
    travel-expenses program). With none of ``entry``'s sort, the region's work (a project)
    comes before what is written about it ("전북은요?" after 인천's finding on its internet
    broadcasting: 전북's broadcasting program, not a news item mentioning it). None when the
    region's documents use none of the words as they are (the matcher decides then)."""
    beside_text = f"{text} {entry.title}"
    embed_ahead(kb.index, beside_text)  # its vector is made while the words are tagged
    query = kb.index.analyze(text)
    local = [e for e in kb.entries if e.region == region]
    # the words the region's documents use as they are; a word they never use is no topic
    # there ("공공기관" of "나주 공공기관 자매결연" in 전북); with none, the matcher decides
    words = [w for w in topic_words(kb, query) if mentioning(kb, local, [w])]
    if not words:
        return None
    beside = kb.index.analyze(beside_text)
    ranked = [
        s.entry
        for s in ranking(kb, beside, region=region, limit=RANKING_DEPTH)
        if s.entry.region == region
    ]
    holding = mentioning(kb, ranked, words)
    titled = [e for e in holding if _titled(e, words)]
    sort = _PROJECT_KINDS if entry.kind in _PROJECT_KINDS else {entry.kind}
    order = [e for e in titled if e.kind in sort] + titled
    order += [e for e in holding if e.kind in sort]
    # the region's own work before what is written about it (a news item, a finding)
    order += [e for e in holding if e.kind in _PROJECT_KINDS] + holding
    chosen = next(iter(order), None)
    while chosen is not None and chosen.parent_id:
        parent = kb.get(chosen.parent_id)
        if parent not in holding or parent.kind not in sort or not _titled(parent, words):
            break
        chosen = parent
    return chosen


def _titled(entry: Entry, words: list[str]) -> bool:
    """Whether the entry's title holds every one of ``words``."""
    title = entry.title.replace(" ", "").lower()
    return all(w in title for w in words)


def _region_words_out(kb: KnowledgeBase, text: str) -> str:
    """The message without its region words ("나주 건 예산 얼마?" → " 건 예산 얼마?")."""
    words = sorted(kb.index.region_words, key=len, reverse=True)
    return re.sub("|".join(map(re.escape, words)), " ", text)


def _another_set(kb: KnowledgeBase, text: str, context: dict) -> str | None:
    """ "다른 복지 공약은?" after a list or an answer: the browsing question it stands for ("전주시
    복지 공약 뭐 있어요"), in the context's region unless it names one; None when the message has
    no "다른", is long, asks for a fact or names no set of its own ("다른 지역은요?")."""
    if not _ANOTHER.search(text) or len(text.replace(" ", "")) > MAX_ANOTHER_SET_CHARS:
        return None
    rest = " ".join(_ANOTHER.sub(" ", text).replace("?", " ").split())
    parent = _PARENT_LABEL.match(context.get("label") or "")
    named = rest.replace(" ", "").rstrip("은는도요")
    for kind in ("사업", *_LABEL_KINDS):
        named = named.removesuffix(kind)
    if parent and any(
        e.kind in PARENT_KINDS and e.title.replace(" ", "") == named for e in kb.entries
    ):  # "혁신담당관실 다른 사업은?" after a department's work: that department's
        return f"{named} {parent.group(2)} 뭐 있어요"
    if asked_facts(rest) or wanted_fields(kb.index.analyze(rest)):
        return None
    words = [w for w in _content_words(kb, rest) if w not in _NO_SET_WORDS]
    if not words and not asked_kinds(rest):
        return None
    region = None if mentioned_regions(kb, rest) else _region_of(kb, context)
    return " ".join(filter(None, (region, rest, "뭐 있어요")))


def _same_set(kb: KnowledgeBase, text: str, context: dict) -> str | None:
    """ "완산권역은?", "노인 관련은?" after a list (or "노인 관련은?" after one entry): the
    browsing question for the same kind of entry on that topic in the list's region ("전주시
    완산권역 관련 사업 뭐 있어요"); "혁신담당관실은?" after a department's work: that
    department's work. None when the message asks a field, names a region or names nothing."""
    match = _SAME_SET.match(text)
    if match is None or len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS or _AMONG.match(text):
        return None  # "그중에 청년 관련은?" chooses among the list's items
    pointer = _POINTER.match(text)
    if pointer and not text[pointer.end() :].startswith(("말고", "빼고", "외")):
        return None  # "그 지표 가중치는?": about the entry pointed at, not another set
    entry = kb.get(context["entry"]) if context.get("entry") else None
    subject = match.group(1)
    if entry is not None and context.get("fields") and not match.group(2):
        return None  # "홍보기획과는?" after "정원은 몇 명?" of a department: its 정원 ("same")
    if not context.get("listed") and (
        entry is None or not (match.group(2) or _names_a_set(kb, subject, entry))
    ):
        return None  # after one entry only "X 관련은?" or a word naming a set asks for one
    label = context.get("label") or ""
    parent = _PARENT_LABEL.match(label)
    squeezed = subject.replace(" ", "")
    if parent and any(
        e.kind in PARENT_KINDS and e.title.replace(" ", "") == squeezed for e in kb.entries
    ):
        return f"{subject} {parent.group(2)} 뭐 있어요"
    if asked_facts(subject) or wanted_fields(kb.index.analyze(subject)):
        return None
    if mentioned_regions(kb, subject) or not _content_words(kb, subject, pointing=True):
        return None
    kind = next((k for k in _LABEL_KINDS if label.endswith(k)), "사업")
    if not context.get("listed"):
        kind = KIND_LABELS.get(entry.kind, "사업")
    return " ".join(filter(None, (_region_of(kb, context), subject, "관련", kind, "뭐 있어요")))


def _parent_set(
    kb: KnowledgeBase, text: str, context: dict
) -> tuple[Entry, frozenset[str]] | None:
    """ "그 부서 다른 사업은?", "그 과 사업은 뭐뭐 있어?" after a list of a department's (or unit
    project's) members: that parent and the kinds asked of it; None otherwise."""
    parent = kb.get(context["parent"]) if context.get("parent") else None
    pointer = _PLACE_POINTER.match(text) or re.match(r"^\s*그\s*사업", text)
    if parent is None or pointer is None or not _points_at(text, parent):
        return None
    if len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS:
        return None
    rest = text[pointer.end() :]
    kinds = asked_kinds(rest)
    if not kinds or not (is_browsing(rest) or _ANOTHER.search(rest) or _asks_for_others(rest)):
        return None
    return parent, kinds


def _names_a_set(kb: KnowledgeBase, subject: str, entry: Entry) -> bool:
    """Whether "X은?" after ``entry`` names a set of its region's entries of its kind rather
    than one entry: X is in the names of at least MIN_ITEMS of them and is no entry's whole
    name ("완산권역은?" after a 덕진권역 pledge; not "국제협력과는요?", which asks the same of
    that department)."""
    squeezed = strip_particle(subject.replace(" ", "")).lower()
    if len(squeezed) < MIN_PART_CHARS:
        return False
    if any(e.title.replace(" ", "").lower() == squeezed for e in kb.entries):
        return False
    named = [
        e
        for e in kb.entries
        if e.region == entry.region
        and e.kind == entry.kind
        and squeezed in e.title.replace(" ", "").lower()
    ]
    return len(named) >= MIN_ITEMS


def _other_parents(kb: KnowledgeBase, text: str, context: dict) -> str | None:
    """ "다른 부서 위원회는?" after a department's committees: the browsing question for that
    kind in the list's region (the reply leaves out the list's own items); None otherwise."""
    if not context.get("parent") or not _OTHER_PARENTS.search(text):
        return None
    if len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS:
        return None
    rest = _OTHER_PARENTS.sub(" ", text)
    listed = {e.kind for e in (kb.get(i) for i in _items(kb, context))}
    # "다른 부서 거는?" after a department's committees: committees, the kind of the list
    kinds = asked_kinds(rest) or (frozenset(listed) if len(listed) == 1 else frozenset())
    if not kinds:
        return None
    return f"{_region_of(kb, context) or ''} {_kind_label(kinds)} 뭐 있어요".strip()


def _sibling_set(kb: KnowledgeBase, text: str, context: dict | None) -> str | None:
    """ "공동체협치담당관실 건 뭐 있어요?" after "시민정책담당관실 사업들": the kind of the last
    list ("사업") asked of the department the message names; None when the message names a kind
    or other words of its own or no department or unit project, or the last list was no such
    set."""
    label = _PARENT_LABEL.match((context or {}).get("label") or "")
    if label is None:
        return None
    squeezed = text.replace(" ", "")
    named = next(
        (
            e
            for e in sorted(kb.entries, key=lambda e: -len(e.title))
            if e.kind in PARENT_KINDS
            and e.title != label.group(1)
            and e.title.replace(" ", "") in squeezed
        ),
        None,
    )
    if named is None:
        return None
    title = r"\s*".join(map(re.escape, named.title.replace(" ", "")))
    rest = re.sub(title, " ", text, count=1)
    if asked_kinds(rest) or _content_words(kb, rest, pointing=True):
        return None  # "대외협력국 어떤 과들로 되어있어?" names what it asks for
    return f"{text} {label.group(2)}"


def _region_of(kb: KnowledgeBase, context: dict) -> str | None:
    """The region the context is about: its question's, else its entry's or list's."""
    if context.get("region"):
        return context["region"]
    ids = [context.get("entry"), *_items(kb, context)]
    entry = next((kb.get(i) for i in ids if i and kb.get(i) is not None), None)
    return entry.region if entry is not None else None


def _leaning_on(kb: KnowledgeBase, text: str, context: dict | None, reply: Reply) -> str | None:
    """A short question that finds no answer of its own, right after an answer, is about that
    answer's entry ("field") when every word it names is in the entry ("가맹점은 몇 군데?"
    after the 도민증 news); right after a list, about one of the items ("pick"). None when it
    is a question of its own: answered on its own, a greeting or complaint, longer, naming a
    region or another entry, or words the entry does not hold ("손흥민 오늘 골 넣었어?")."""
    if not context or reply.band == ANSWER or reply.intent != QUESTION:
        return None
    if len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS or mentioned_regions(kb, text):
        return None
    entry = kb.get(context["entry"]) if context.get("entry") else None
    if entry is None:  # a list, not "did you mean" buttons (the question again is no choice)
        listed = context.get("listed") and _items(kb, context)
        return "pick" if listed and _names_one_item(kb, text, context) else None
    words = _content_words(kb, text, entry, pointing=True)
    if words and _holds_all(entry, words) and not _names_elsewhere(kb, text, entry):
        return "field"
    return None


def _names_one_item(kb: KnowledgeBase, text: str, context: dict) -> bool:
    """Whether a message with no pointer names one item of the last list by its title (every
    word it names is in that item's title and no other's: "마을공동체 관련된 거" after the
    committees). A question of its own that merely shares words with the list's items ("예술가들
    한테 공공 일자리 만들어준다는 공약" after every pledge) is no choice among them: the ranking
    among the items would turn its "did you mean" into a confident answer about another item."""
    words = _content_words(kb, text, pointing=True)
    if not words:
        return False
    return sum(_titled(kb.get(i), words) for i in _items(kb, context)) == 1


def _holds_all(entry: Entry, words: list[str]) -> bool:
    """Whether the entry's title, fields and body hold every one of ``words`` (see _holds)."""
    body = " ".join((entry.title, *entry.fields.values(), entry.body)).replace(" ", "").lower()
    return all(_holds(body, w) for w in words)


def _holds(body: str, word: str) -> bool:
    """Whether ``body`` holds ``word``, or a spelling of it one or two jamo away ("다울마당" of
    "다올마당") when it has three letters or more (the analyzer's TYPO_MIN_CHARS and
    TYPO_MIN_RATIO, as for a misspelled question word)."""
    if word in body:
        return True
    if len(word) < TYPO_MIN_CHARS:
        return False
    windows = {body[i : i + len(word)] for i in range(len(body) - len(word) + 1)}
    return (
        process.extractOne(
            to_jamo(word),
            [to_jamo(w) for w in windows],
            scorer=fuzz.ratio,
            score_cutoff=TYPO_MIN_RATIO,
        )
        is not None
    )


def _asks_for_others(text: str) -> bool:
    """ "다른 사업은?", "다른 건 더 없어요?", "나머지도 다 보여줘", "또 뭐 있어?"."""
    return bool(_OTHERS.fullmatch(re.sub(r"[\s?？.!~,]", "", text)))


def _members(kb: KnowledgeBase, context: dict | None) -> list[str]:
    """The entries the last answer's card lists as its members (a department's 하위부서), still
    in the knowledge base: "2번 부서" after "인천 소통협력관 부서 알려줘" is the second."""
    return [i for i in (context or {}).get("members", []) if kb.get(i) is not None]


def _listed_members(kb: KnowledgeBase, entry: Entry, shown: str) -> list[str]:
    """The entries of the entry's region that a field of it shown in ``shown`` names one by one
    ("· 하위부서: 시민정책담당관실, 공동체협치담당관실, …"), in that order; at least MIN_ITEMS."""
    titles = {e.title: e.id for e in kb.entries if e.region == entry.region and e is not entry}
    for name, value in entry.fields.items():
        names = [n.strip() for n in value.split(",")]
        if f"{name}: {value}" in shown and len(names) >= MIN_ITEMS:
            if all(n in titles for n in names):
                return [titles[n] for n in names]
    return []


def _items(kb: KnowledgeBase, context: dict | None) -> list[str]:
    """The last list's entries still in the knowledge base."""
    return [i for i in (context or {}).get("items", []) if kb.get(i) is not None]


def _region_named_alone(kb: KnowledgeBase, text: str) -> str | None:
    """The region of "인천은요?", "전주는 어때요?", "인천은 뭐 만들어?" — a message naming a
    region and nothing else (what follows it names no topic, kind or field)."""
    words = kb.index.region_words
    match = _REGION_ONLY.match(text)
    if match:
        word = match.group(1)
        return words.get(word) or words.get(strip_particle(word))
    match = _REGION_LEAD.match(text)
    if match is None or len(text.replace(" ", "")) > MAX_FOLLOW_UP_CHARS:
        return None
    region = words.get(match.group(1)) or words.get(strip_particle(match.group(1)))
    rest = match.group(3)
    if region is None or _content_words(kb, rest, pointing=True) or asked_kinds(rest):
        return None
    return None if asked_facts(rest) else region  # "전북은 예산 얼마야?" asks a field there


def _content_words(
    kb: KnowledgeBase, text: str, entry: Entry | None = None, *, pointing: bool = False
) -> list[str]:
    """Words of the message that could name an entry (not fields, fillers, endings or figures
    like "21년", words asking how much like "몇퍼", nor the start or end of a field label of the
    entry in context: "시민소통 실적" of 시민소통실적); ``pointing``: the kind nouns of "그 사업",
    "3번 항목" name nothing either."""
    text = _HOW_MANY_WORDS.sub(" ", text)
    query = kb.index.analyze(text)  # analysed once per message (SearchIndex keeps the last few)
    # an ending the tagger read as a noun ("대학생이면" → 대학생 + 이면, "모여야" → 모 + 여야):
    # inside a typed word, and a word of no entry, it names nothing
    endings = {
        t.form
        for t in query.morphemes
        if t.start > 0 and not query.text[t.start - 1].isspace() and t.form not in kb.index
    }
    words = [
        strip_particle(t)
        for t in query.tokens
        if t not in query.predicates
        and t not in endings
        and not (pointing and strip_particle(t) in _POINTED_KINDS)
    ]
    if query.region:
        words.append(query.region)
    labels = [n.replace(" ", "") for n in entry.fields] if entry is not None else []
    return [
        w
        for w in words
        if len(w) >= 2
        and not any(ch.isdigit() for ch in w)
        and w not in _FIELD_WORDS
        and w not in STOPWORDS
        and w not in _TELLING
        and not w.startswith(_HOW_MUCH)
        and not w.startswith(_FIELD_STARTS)
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


def _names_elsewhere(kb: KnowledgeBase, text: str, entry: Entry | None) -> bool:
    """Whether the message names a region or an entry other than ``entry`` by its whole name."""
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
    kb: KnowledgeBase,
    resolved: Resolved,
    text: str,
    context: dict | None,
    respond: Callable[..., Reply],
    region: str | None = None,
) -> tuple[Reply, str | None]:
    """The reply to a follow-up of ``resolved.kind``, and the question the context now holds
    (None: unchanged)."""
    kind = resolved.kind
    if kind == "same":
        match = _SAME_FOR.match(text)
        subject = match.group(1) or match.group(3)
        rewritten = f"{subject} {context['fields']}"
        return respond(kb, rewritten, region=None), rewritten
    if kind == "children":
        rewritten = f"{kb.get(context['entry']).title} {text}"
        return respond(kb, rewritten, region=None), rewritten
    if kind in ("another set", "sibling set"):
        rewritten = resolved.value
        reply = respond(kb, rewritten, region=None)
        shown = set(_items(kb, context)) if _ANOTHER.search(text) else set()
        others = tuple(kb.get(i) for i in reply.items if i not in shown)
        if reply.band == ANSWER and len(others) < len(reply.items) and others:
            # "정무기획과 다른 사업은?": the department's work besides what was just shown
            label = _list_label(reply.text, None)
            return _list_reply(text, Listing(label, others, False)), rewritten
        if reply.band == ANSWER and reply.items:
            return reply, rewritten
        return respond(kb, text, region=region), text  # no set after all: the message alone
    if kind == "parent set":
        parent, kinds = resolved.value
        shown = set(_items(kb, context)) if _ANOTHER.search(text) else set()
        children = tuple(e for e in children_of(kb, parent, kinds) if e.id not in shown)
        if children:
            label = f"{parent.title} 소속 {_kind_label(kinds)}"
            return _list_reply(text, Listing(label, children, False)), None
        return _about(kb, parent, text, question=None), None
    if kind == "other parents":
        reply = respond(kb, resolved.value, region=None)
        shown = set(_items(kb, context))
        others = tuple(kb.get(i) for i in reply.items if i not in shown)
        if reply.band == ANSWER and others:
            listed = {e.kind for e in (kb.get(i) for i in shown)}
            kinds = asked_kinds(_OTHER_PARENTS.sub(" ", text)) or frozenset(listed)
            label = f"{_region_of(kb, context)} 다른 부서의 {_kind_label(kinds)}"
            return _list_reply(text, Listing(label, others, False)), resolved.value
        return respond(kb, text, region=region), text
    if kind == "region":
        new_region = resolved.value
        if not context or not context.get("question"):
            return _clarify(
                text,
                f"{new_region}의 어떤 내용을 알려 드릴까요? 사업이나 부서 이름을 함께 "
                "말씀해 주세요.",
            ), None
        rewritten = _with_region(kb, context["question"], new_region)
        lead = None if _REGION_ONLY.match(text) else _REGION_LEAD.match(text)
        if lead:  # "인천은 뭐 만들어?", "전북은 언제 해요?": what is asked of it there
            rewritten = f"{rewritten} {lead.group(3)}"
        entry = kb.get(context["entry"]) if context.get("entry") else None
        chosen = entry and _counterpart(kb, rewritten, new_region, entry)
        if chosen is not None:
            return _about(kb, chosen, rewritten, question=rewritten), rewritten
        reply = respond(kb, rewritten, region=new_region)
        return _in_region(kb, reply, rewritten, new_region), rewritten
    if kind == "region topic":
        region = resolved.value
        chosen = _counterpart(kb, text, region, kb.get(context["entry"]))
        if chosen is None:
            return respond(kb, text, region=region), text
        return _about(kb, chosen, text, question=text), text
    if kind == "compare":
        return _compare_with(kb, text, context, respond)
    if kind == "count":
        label = context.get("label") or "목록"
        entries = tuple(kb.get(i) for i in _items(kb, context))
        return _list_reply(text, Listing(label, entries, True)), None
    if kind == "region item":
        item = resolved.value
        asked = _region_words_out(kb, text)
        return _about(kb, item, text, question=asked), text
    if kind in ("most", "pick"):
        return resolved.value or _clarify(
            text, '목록의 몇 번 항목을 말씀하시나요? "2번"처럼 번호로 골라 주세요.'
        ), None
    compared = (context or {}).get("question")
    if kind == "field" and compared and not context.get("entry") and is_comparison(kb, compared):
        rewritten = f"{compared} {_field_words(kb, text) or text}"
        reply = respond(kb, rewritten, region=None)
        if reply.band == ANSWER and reply.items:
            return reply, rewritten  # "예산은?" after a comparison: the budgets side by side
    return _about_context(kb, kind, text, context), None


def _compare_with(
    kb: KnowledgeBase, text: str, context: dict, respond: Callable[..., Reply]
) -> tuple[Reply, str | None]:
    """ "전북이랑 비교하면?" after an answer: the earlier question compared across the two
    regions (nlp.comparison); "청년창업지원이랑 차이는?": the entry in context and the one the
    message names, side by side; asked back when the message names nothing to compare with."""
    entry = kb.get(context["entry"]) if context.get("entry") else None
    earlier = context.get("question") or (entry.title if entry else "")
    if mentioned_regions(kb, text):
        if not mentioned_regions(kb, earlier):
            earlier = f"{_region_of(kb, context) or ''} {earlier}".strip()
        rewritten = f"{earlier} {text}"
        if is_comparison(kb, rewritten):
            reply = respond(kb, rewritten, region=None)
            if reply.band == ANSWER:
                return reply, rewritten
    other = entry and _other_named(kb, text, entry)
    if other is None:
        if entry is None:
            return _clarify(
                text, "무엇과 무엇을 비교할까요? 두 사업의 이름을 함께 말씀해 주세요."
            ), None
        return _clarify(
            text,
            f"'{entry.title}'{object_particle(entry.title)} 무엇과 비교할까요? 사업이나 "
            "지역 이름을 함께 말씀해 주세요.",
        ), None
    return _side_by_side(kb, text, context, (entry, other)), None


def _other_named(kb: KnowledgeBase, text: str, entry: Entry) -> Entry | None:
    """The entry a comparison follow-up names besides ``entry`` ("청년창업지원이랑 차이는?",
    "시군 거랑 뭐가 달라?" after the 도 센터 program): ranked by its words with ``entry``'s title
    beside them (the same sort of thing), of the entries other than ``entry`` that hold every
    word, one named by them first; None when it names nothing or nothing holds its words."""
    words = _content_words(
        kb, _COMPARE_WORDS.sub(" ", _WITH.sub(r"\1 ", text)), entry, pointing=True
    )
    joined = _WITH.search(text)
    # words the index does not keep ("시군" of "시군 거랑"): as typed, and only in a name
    typed = [] if words or joined is None else _typed_words(text[: joined.start(2)])
    if not words and not typed:
        return None
    query = kb.index.analyze(f"{' '.join(words or typed)} {entry.title}")
    ranked = [
        s.entry
        for s in ranking(kb, query, region=entry.region, limit=RANKING_DEPTH)
        if s.entry.id != entry.id
    ]
    if typed:
        return next((e for e in ranked if _titled(e, typed)), None)
    holding = mentioning(kb, ranked, words)
    return next((e for e in holding if _titled(e, words)), None) or next(iter(holding), None)


def _typed_words(text: str) -> list[str]:
    """The words of ``text`` as typed, without particles, pointers and one-letter words."""
    words = (strip_particle(w) for w in re.sub(r"[?？.!~,]", " ", text).split())
    return [w for w in words if len(w) >= MIN_PART_CHARS and w not in _POINTED_KINDS]


def _side_by_side(
    kb: KnowledgeBase, text: str, context: dict, entries: tuple[Entry, Entry]
) -> Reply:
    """Two entries one under the other, each with the field the message (or the question
    before it) asks for, else the first fields (of _ABOUT_FIELDS) in which they differ, else
    what each is about; numbered, so "2번" picks one."""
    asked = _field_words(kb, text) or context.get("fields") or ""
    words = [w for w in asked.split() if w] + _content_words(kb, text)
    first, second = entries
    named = [n for n in first.fields if n in second.fields and any(w in n for w in words)]
    differing = [
        n
        for n in _ABOUT_FIELDS
        if n in first.fields and n in second.fields and first.fields[n] != second.fields[n]
    ]
    shown = named[:1] or differing[:SIDE_FIELDS]
    room = MAX_VALUE_CHARS // max(1, len(shown))  # two sides stay well within 600
    lines = [f"두 항목을 비교합니다: {first.title} · {second.title}"]
    for number, entry in enumerate(entries, 1):
        kind = KIND_LABELS.get(entry.kind, entry.kind)
        lines.append(f"{number}. {entry.title} ({entry.region} · {kind})")
        about = next((n for n in _ABOUT_FIELDS if n in entry.fields), None)
        for name in shown or ([about] if about else []):
            lines.append(f"   · {name}: {clip(entry.fields[name], room)}")
    lines.append("번호를 누르면 자세히 알려 드립니다.")
    return Reply(text, QUESTION, ANSWER, "\n".join(lines), items=tuple(e.id for e in entries))


def _in_region(kb: KnowledgeBase, reply: Reply, question: str, region: str) -> Reply:
    """The reply to "인천은요?" kept to that region: an answer from another region is replaced
    by the region's best-ranked entry on the same topic (holding every topic word, else the
    rarest one: 자매결연 of "자매결연 지역"), or by saying the region's documents have none —
    never the first region's entry again."""
    elsewhere = reply.entry_id is not None and kb.get(reply.entry_id).region != region
    if reply.band == ANSWER and not elsewhere:
        return reply
    query = kb.index.analyze(question)
    ranked = [  # the ranking the reply came from (responder.ranking keeps it)
        s.entry
        for s in ranking(kb, query, region=region, limit=RANKING_DEPTH)
        if s.entry.region == region
    ]
    words = _in_region_words(kb, topic_words(kb, query), region)
    rarest = min(words, key=lambda w: len(mentioning(kb, kb.entries, [w])), default=None)
    chosen = next(iter(mentioning(kb, ranked, words) if words else ()), None) or next(
        iter(mentioning(kb, ranked, [rarest]) if rarest else ()), None
    )
    if chosen is not None:
        return _about(kb, chosen, question, question=question)
    if reply.band != ANSWER:
        return reply
    return Reply(
        question,
        QUESTION,
        NOT_FOUND,
        f"{region} 자료에서는 이 내용을 찾지 못했습니다. 사업이나 부서 이름을 넣어 다시 "
        "물어봐 주세요.",
    )


def _in_region_words(kb: KnowledgeBase, words: list[str], region: str) -> list[str]:
    """The topic words as the region's documents hold them: a compound none of them holds
    ("블로그기자단", "국제행사") stands for its longest start or end they do hold ("블로그",
    "국제"), of at least MIN_PART_CHARS letters; a word with no such part stays as it is (the
    region has nothing on it: 자매결연 in 인천)."""
    local = [e for e in kb.entries if e.region == region]
    kept = []
    for word in words:
        parts = [word] + [
            part
            for size in range(len(word) - 1, MIN_PART_CHARS - 1, -1)
            for part in (word[:size], word[-size:])
        ]
        found = next((p for p in parts if mentioning(kb, local, [p])), word)
        if found not in kept:
            kept.append(found)
    return kept


def _pick(kb: KnowledgeBase, text: str, context: dict | None) -> Reply | None:
    """The item of the last list a message describes ("그중에 규제 관련된 거", "그 중 블로거
    활용하는 거 예산은요"): the one item whose name (else whose text) holds every word the
    message names; several such items make a shorter list, unless the message asks for a fact;
    else the item the matcher ranks first among them if it is at least a "did you mean" match.
    None when no item fits."""
    items = [kb.get(i) for i in _items(kb, context)]
    if not items:
        return None
    asked = _AMONG.sub("", text, count=1)
    only = _ONLY.search(asked)
    if only:
        asked = asked[: only.start()]
    words = _content_words(kb, asked, pointing=not only)  # "위원회 관련된 것만" names 위원회
    holding = mentioning(kb, items, words) if words else []
    named = [e for e in holding if all(w in e.title.replace(" ", "") for w in words)]
    if only and len(named) >= MIN_ITEMS:
        holding = named  # "위원회 관련된 것만": the items named for it, not every mention
    if (len(named) == 1 and not only) or len(holding) == 1:
        return _about(kb, (named or holding)[0], text, question=asked)
    asks_fact = bool(asked_facts(asked) or wanted_fields(kb.index.analyze(asked)))
    if MIN_ITEMS <= len(holding) and (only or len(holding) < len(items)) and not asks_fact:
        label = f"{context.get('label') or '목록'} 중 " + "·".join(f"'{w}'" for w in words)
        return _list_reply(text, Listing(f"{label} 관련", tuple(holding), False))
    allowed = {e.id for e in (holding or items)}
    ranked = [
        s
        for s in ranking(kb, kb.index.analyze(asked), limit=RANKING_DEPTH)
        if s.entry.id in allowed
    ]
    if not ranked:
        return None
    fused = ranked[0].semantic is not None
    if ranked[0].score < (FUSED_SUGGEST_THRESHOLD if fused else SUGGEST_THRESHOLD):
        return None
    return _about(kb, ranked[0].entry, text, question=asked)


def _most(kb: KnowledgeBase, text: str, context: dict | None) -> Reply | None:
    """The item of the last list with the most (or fewest) of what the message names: a kind
    of entry under each item ("그 중에 위원회 제일 많이 맡은 데는?" after a list of departments)
    or a field holding a number ("회원 제일 많은 데" after a list of civic groups); None when
    the message names neither."""
    items = [kb.get(i) for i in _items(kb, context)]
    kinds = asked_kinds(text) - {e.kind for e in items}
    squeezed = text.replace(" ", "")
    if kinds and any(e.kind in PARENT_KINDS for e in items):
        what = _kind_label(kinds)
        counts = {e.id: len(children_of(kb, e, kinds)) for e in items}
        shown = {e.id: f"{what} {counts[e.id]}개" for e in items}
    else:
        names = dict.fromkeys(n for e in items for n in e.fields)
        what = next(
            (n for n in names if len(n) >= 2 and (n in squeezed or n[:2] in squeezed)), None
        )
        if what is None:
            return None
        counts = {
            e.id: float(m.group(1).replace(",", ""))
            for e in items
            if (m := _FIGURE.search(e.fields.get(what, "")))
        }
        shown = {e.id: e.fields.get(what, "") for e in items}
    if not counts:
        return None
    pick = min if _FEWEST.search(text) else max
    best = kb.get(pick(counts, key=counts.get))
    most = "가장 적은" if pick is min else "가장 많은"
    subject = "이" if object_particle(what) == "을" else "가"
    place = "곳" if best.kind in _PLACE_KINDS else "것"
    lead = f"목록에서 {what}{subject} {most} {place}은 {best.title}({shown[best.id]})입니다.\n"
    reply = _about(kb, best, text, question=None)
    return answer_reply(text, lead + (reply.detail or reply.text), reply.hits, best.id)


def _about_context(kb: KnowledgeBase, kind: str, text: str, context: dict | None) -> Reply:
    entry = kb.get(context["entry"]) if context and context.get("entry") else None
    items = _items(kb, context)
    if kind == "number":
        match = _NUMBER.match(text)
        number, rest = int(match.group(1)), text[match.end() :]
        items = items or _members(kb, context)
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
        if entry is None and items:
            if _EVERY.search(text):
                return _others(kb, text, context, None, items)
            return _clarify(
                text,
                '목록의 몇 번 항목을 자세히 알려 드릴까요? "2번"처럼 번호로 골라 주세요.',
            )
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
    # a field or a pointer: about the last entry, or "거기" the department a list belongs to
    parent = kb.get(context["parent"]) if context and context.get("parent") else None
    asked_before = (context or {}).get("question") or ""
    if (
        entry is None
        and parent is not None
        and _asks_the_parent(kb, text, parent, items, asked_before)
    ):
        entry = parent
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
    if not asks:
        return _about(kb, entry, text, question=None)
    labels = _labels_begun(kb, text[pointer.end() :] if pointer else text, entry)
    question = " ".join((_in_topic(kb, text, context, entry), *labels))
    return _about(kb, entry, text, question=question)


def _labels_begun(kb: KnowledgeBase, text: str, entry: Entry) -> list[str]:
    """The entry's field labels a word of the message begins and the message does not hold
    whole ("시민들이랑 뭐 했어요?" → 시민소통실적): named so, the answer leads with that field.
    None when the message asks a fact of its own ("예산은 어디 돈이에요?" is no 예산구분) or
    names more than the field ("시민 의견 수렴 몇 번": the lines on 의견 수렴 answer it)."""
    if asked_facts(text):
        return []
    squeezed = text.replace(" ", "")
    query = kb.index.analyze(text)
    words = {strip_particle(t) for t in query.tokens if t not in query.predicates}
    words = {w for w in words if len(w) >= 2 and w not in STOPWORDS}
    labels = [label.replace(" ", "") for label in entry.fields]
    words -= set(labels)  # "정원은?" names the 정원 field whole, not 직급별 정원 too
    if not words or not all(any(_begins_or_ends(label, w) for label in labels) for w in words):
        return []
    return [
        label
        for label in entry.fields
        if label.replace(" ", "") not in squeezed
        and any(_begins_or_ends(label.replace(" ", ""), w) for w in words)
    ]


def _begins_or_ends(label: str, word: str) -> bool:
    """Whether ``word`` begins or ends the field label (시민 → 시민소통실적, 경력 → 주요경력)."""
    return label.startswith(word) or label.endswith(word)


def _asks_the_parent(
    kb: KnowledgeBase, text: str, parent: Entry, items: list[str], asked_before: str = ""
) -> bool:
    """Whether a field follow-up after a list of ``parent``'s members is about ``parent``: it
    points at it ("거기 정원은?"), names a field of it that none of the items has ("정원은 몇
    명이야?" after a department's teams), or asks a fact the parent states when the question
    before named the parent ("국제행사 유치 사업 알려줘" listed its two programs: "예산
    얼마야" is the unit project's)."""
    if _points_at(text, parent):
        return True
    if _names_a_field(text, parent) and not any(
        _names_a_field(text, e) for e in (kb.get(i) for i in items) if e is not None
    ):
        return True
    facts = asked_facts(text)
    named = parent.title.replace(" ", "").lower() in asked_before.replace(" ", "").lower()
    return bool(facts) and named and all(records(parent, f, text=text) for f in facts)


def _points_at(text: str, parent: Entry) -> bool:
    """Whether a pointer after a list of ``parent``'s members means ``parent``: "거기", "그
    부서" for a department; "그 사업" also for a unit project ("국제행사유치 소속 사업" then "그
    사업 예산 얼마야": the unit project's budget)."""
    if _PLACE_POINTER.match(text):
        return True
    return parent.kind in _PROJECT_KINDS and bool(re.match(r"^\s*그\s*사업", text))


def _in_topic(kb: KnowledgeBase, text: str, context: dict | None, entry: Entry) -> str:
    """A follow-up about the entry in context with the words the earlier question named a part
    of it by ("굿모닝인천 잡지" + "한 달에 몇 부 찍어요?"): the answer quotes the lines on what the
    citizen was asking about, not any line with a number. The words of the entry's own title
    are left out (they would pick the budget row "시민정책자문단 운영" over the total for
    "시민과 함께하는 공감시정"), and so are the earlier question's field words: the fields asked
    for are the follow-up's own. A follow-up naming the topic again is answered as it stands."""
    earlier = (context or {}).get("question")
    if not earlier or (context or {}).get("entry") != entry.id:
        return text
    regions = kb.index.region_words
    title = entry.title.replace(" ", "").lower()
    words = [
        w
        for w in _content_words(kb, earlier, entry)
        if w not in regions.keys() | regions.values() and w not in title
    ]
    squeezed = text.replace(" ", "")
    if any(w in squeezed for w in words):
        return text  # the topic named again ("전자민원 모니터 모집 기간 언제예요?")
    return " ".join((*words, text))


def _about(kb: KnowledgeBase, entry: Entry, text: str, *, question: str | None) -> Reply:
    """The answer about one known entry, leading with what ``question`` asks."""
    full = render_entry(kb, entry.id, question) or ""
    return answer_reply(text, full, (Hit(entry, 100.0),), entry.id)


def _others(
    kb: KnowledgeBase, text: str, context: dict | None, entry: Entry | None, items: list[str]
) -> Reply:
    """After a list: its next page, or all of it ("나머지도 다 보여줘"; also when the whole list
    is short, saying where the new items start: "다른 위원회는 더 없어?" asks to see the whole
    set), or — when every item has been shown — the list again, saying that is all. After one
    entry: a department's or unit project's own work ("다른 사업은?" after 소통기획담당관실),
    the whole set the question that found it belongs to ("다른 것도 있어?" after "전주 장애인
    공약 알려줘"), else the entries of its kind beside it."""
    if items and (entry is None or entry.id in items):
        entries = tuple(kb.get(i) for i in items)
        label = context.get("label") or "목록"
        listing = Listing(label, entries, False)
        shown = context.get("offset", 0) + context.get("page", PAGE_SIZE)
        if _EVERY.search(text):
            return _list_reply(text, listing, page_size=WHOLE_LIST_ITEMS)
        if shown < len(entries) <= WHOLE_LIST_ITEMS:
            head = (
                f"{label}{topic_particle(label)} 모두 {len(entries)}개입니다. 앞에 보여 드린 "
                f"{shown}개 말고 {shown + 1}번부터 {len(entries) - shown}개가 더 있습니다."
            )
            return _list_reply(text, listing, page_size=WHOLE_LIST_ITEMS, head=head)
        if shown < len(entries):
            return _list_reply(text, listing, offset=shown)
        head = f"{label}{topic_particle(label)} 앞에 보여 드린 {len(entries)}개가 전부입니다."
        related = () if context.get("parent") else _related_to(kb, text, context, entries)
        if len(entries) <= WHOLE_LIST_ITEMS and related:
            head += f" {len(entries) + 1}번부터는 관련 있는 다른 항목 {len(related)}개입니다."
            listing = Listing(label, entries + related, False)
            return _list_reply(text, listing, head=head, page_size=WHOLE_LIST_ITEMS)
        short = len(entries) <= WHOLE_LIST_ITEMS
        return _list_reply(text, listing, head=head, page_size=WHOLE_LIST_ITEMS if short else None)
    if entry is not None:
        listing = _entry_set(kb, entry, text, (context or {}).get("question"))
        if listing is not None:
            return _list_reply(text, listing)
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


def _related_to(
    kb: KnowledgeBase, text: str, context: dict | None, shown: tuple[Entry, ...]
) -> tuple[Entry, ...]:
    """ "다른 사업은요?" after a short list shown whole: the entries the list's question also
    matches (at least a "did you mean" match), in the list's regions, of the kind the message
    names (any when it names none), besides the list's own; empty when there are none. They
    follow the list's items, so "2번" still means the item it meant."""
    question = (context or {}).get("question")
    if not question:
        return ()
    regions = {e.region for e in shown}
    kinds = asked_kinds(text)
    ranked = ranking(kb, kb.index.analyze(question), limit=RANKING_DEPTH)
    return tuple(
        s.entry
        for s in ranked
        if s.entry not in shown
        and s.entry.region in regions
        and (not kinds or s.entry.kind in kinds)
        and s.score >= (FUSED_SUGGEST_THRESHOLD if s.semantic is not None else SUGGEST_THRESHOLD)
    )[: WHOLE_LIST_ITEMS - len(shown)]


def _entry_set(kb: KnowledgeBase, entry: Entry, text: str, question: str | None) -> Listing | None:
    """The set "다른 사업은?" asks for after ``entry``: see ``_others``."""
    kinds = asked_kinds(text)
    if entry.kind in PARENT_KINDS and kinds:
        children = children_of(kb, entry, kinds)
        if children:
            return Listing(f"{entry.title} 소속 {_kind_label(kinds)}", tuple(children), False)
    if question:
        listing = find_listing(kb, kb.index.analyze(question), question, browsing=True)
        if listing is not None and entry in listing.entries:
            return listing
    siblings = tuple(
        e
        for e in kb.entries
        if e.id != entry.id
        and e.kind == entry.kind
        and e.region == entry.region
        and (e.parent_id == entry.parent_id if entry.parent_id else True)
    )
    if not siblings:
        return None
    return Listing(f"{entry.region}의 다른 {KIND_LABELS.get(entry.kind, '항목')}", siblings, False)


def _kind_label(kinds: frozenset[str]) -> str:
    return KIND_LABELS.get(next(iter(kinds)), "항목") if len(kinds) == 1 else "사업"


def _list_reply(
    text: str,
    listing: Listing,
    *,
    offset: int = 0,
    page_size: int | None = None,
    head: str | None = None,
) -> Reply:
    return Reply(
        text,
        QUESTION,
        ANSWER,
        format_listing(listing, offset=offset, page_size=page_size, head=head),
        items=tuple(e.id for e in listing.entries),
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


def _page_of(text: str) -> tuple[int, int]:
    """Where the list page a reply shows starts, and how many items it shows (its numbered
    lines): "다른 사업은?" goes on after them."""
    numbers = [int(n) for n in _LIST_LINE.findall(text)]
    return (numbers[0] - 1, len(numbers)) if numbers else (0, PAGE_SIZE)


def _remember(
    kb: KnowledgeBase,
    reply: Reply,
    question: str | None,
    context: dict | None,
    now: float,
    region: str | None,
    *,
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
        offset, page = _page_of(reply.text)
        state.update(
            items=list(reply.items),
            offset=offset,
            page=page,
            listed=True,
            entry=None,
            label=_list_label(reply.text, state.get("label")),
        )
        state["parent"] = _parent_of(kb, state["label"], reply.items)
    elif reply.suggestions:
        state.update(
            items=[h.entry.id for h in reply.suggestions],
            offset=0,
            page=PAGE_SIZE,
            listed=False,
            entry=None,
        )
    state.pop("members", None)
    if reply.entry_id and not reply.items:
        members = _listed_members(kb, kb.get(reply.entry_id), reply.text)
        if members:
            state["members"] = members
    if reply.entry_id:
        state["entry"] = reply.entry_id
        if reply.entry_id not in state.get("items", ()):
            state.pop("items", None)  # a new answer, not one of the list's items
            state.pop("parent", None)
    if fields is not None:
        state["fields"] = fields
    if question:
        state["question"] = question
        regions = mentioned_regions(kb, question)
        state["region"] = regions[0] if regions else state.get("region") or region
    return state


def _parent_of(kb: KnowledgeBase, label: str, items: tuple[str, ...]) -> str | None:
    """The department or unit project a list belongs to ("국제협력과 소속 팀": 국제협력과), in
    its items' region; None for a list of another kind."""
    match = _PARENT_LABEL.match(label)
    if match is None:
        return None
    regions = {e.region for e in (kb.get(i) for i in items) if e is not None}
    return next(
        (
            e.id
            for e in kb.entries
            if e.kind in PARENT_KINDS and e.title == match.group(1) and e.region in regions
        ),
        None,
    )


def _list_label(text: str, earlier: str | None) -> str:
    """The list's label from its first line ("전주시 공약은 모두 76개입니다." → "전주시 공약");
    a later page of the same list keeps the earlier label."""
    first = text.split("\n", 1)[0]
    match = re.match(r"(.+?)(은|는)?\s*(모두|앞에 보여 드린)\s*\d+개", first)
    if match:
        return match.group(1)
    match = re.match(r"(.+?) \d+개 중 ", first)
    return match.group(1) if match else earlier or "목록"
