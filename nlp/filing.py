"""What a message means for the complaint flow: a bare request to file, a question typed in the
middle of a draft, a department typed by name.

Usage:
    is_bare_request("민원 넣고 싶어요")            # True: start the flow and ask what happened
    described_problem("가로등 고장 신고 어떻게 해요?")  # "가로등 고장": the draft's start
    is_question("접수하면 보통 며칠 걸려요?")        # True: ask whether it belongs in the draft
    match_department(kb, "정무기획과")             # ("전라북도", "정무기획과")
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase
from nlp.analyzer import STOPWORDS, WORDS, strip_particle, words_of

# "민원 넣고 싶어요", "신고하려고요", "민원 접수할게요": the wish to file, with no problem in it.
_REQUEST = re.compile(
    r"^\s*(저\s*)?(민원|신고|불편\s*신고|건의)\s*(을|를|좀|하나)?\s*"
    r"(넣|접수|하|신청|제기|올리|내|등록|드리|쓰)\S*\s*(싶|려|할|게|래|고|요|는데|ㄹ게)?\S*\s*[?.!~]*\s*$|"
    r"^\s*(민원|신고)\s*(접수)?\s*[?.!~]*\s*$|^\s*(어떻게|어디서)\s*(민원|신고)\S*\s*[?.!]*\s*$"
)
# "도로 파손 신고 방법 알려 주세요", "민원 넣는 방법", "어떻게 신고해요", "어디에 신고해야 돼요":
# a question about how to file, answered by how the bot takes complaints, not a complaint whose
# content is the question. "민원 어떻게 됐나요" asks about one already filed.
_FILING_VERB = r"(신고|민원\s*(을|를)?\s*(넣|접수|신청|제기|올리|내)|접수)"
_HOW_TO_FILE = re.compile(
    rf"{_FILING_VERB}\S*\s*(을|를|은|는|의)?\s*방법|"
    rf"{_FILING_VERB}\S*\s*(은|는)?\s*어떻게\s*(하|해|넣|내|접수|신청)|"
    rf"{_FILING_VERB}\S*\s*(하려면|하면|려면|으려면)\s*(어떻게|어디)|"
    r"(어떻게|어디\s*(에|로|서|에서)?)\s*(\S+\s+)?(신고|민원\s*(을|를)?\s*(넣|접수|신청|제기|내)|접수\s*(하|해))"
)
# What is left of the words before a question how to file once punctuation goes: "가로등 고장 ".
_LEFT_OVER = re.compile(r"[\s,.~!?…]+$")
_NOT_A_PROBLEM = STOPWORDS | WORDS["filing words"]
# A question typed while a draft is open: a question word or a question ending.
_QUESTION = re.compile(
    r"\?|？|(나요|까요|ㄴ가요|는지|인가요|건가요|되나요|돼요\?|어때요|뭐예요|뭔가요|맞나요|있나요|없나요)\s*$|"
    r"(언제|며칠|몇\s*일|얼마나|어떻게|어디서|어디로|누가|누구|왜|무엇|뭐)"
)
# A typed department must be this close (rapidfuzz WRatio) to a known one; lower matched
# "새마을회 전화번호" to 새마을지원팀-like names on the test table.
DEPARTMENT_MIN_RATIO = 88
# Department names end like this; a typed text without such an ending is not a department.
_DEPARTMENT_ENDING = re.compile(r"(과|팀|실|국|관|센터|담당관실|사업소|본부|청|처|소)$")


# The periods of 「민원 처리에 관한 법률 시행령」 §14–17 (db.deadlines computes each due date).
PROCESSING_TIME_TEXT = (
    "민원은 종류에 따라 법정 처리기한이 다릅니다: 질의·고충 7일(법령 해석 질의 14일), 건의 14일, "
    "기타 민원은 즉시(3근무시간). 토·일요일과 공휴일은 빼고 세며, 접수하면 접수증에 처리기한을 "
    "적어 드리고 처리 상황이 바뀔 때마다 이 대화방으로 알려 드립니다."
)
_PROCESSING = re.compile(
    r"며칠|몇\s*일|얼마나\s*걸|언제\s*(처리|답|연락|해결|결과)|처리\s*(기간|기한|시간)"
)


def is_processing_time_question(text: str) -> bool:
    """ "접수하면 보통 며칠 안에 처리돼요?" — about the complaint process itself."""
    return bool(_PROCESSING.search(text or ""))


def is_bare_request(text: str) -> bool:
    """Whether the message only asks to file a complaint, saying nothing about what."""
    return bool(_REQUEST.search(text or ""))


def asks_how_to_file(text: str) -> bool:
    """Whether the message asks how or where to file a complaint ("신고 방법 알려 주세요")."""
    return bool(_HOW_TO_FILE.search(text or ""))


def described_problem(text: str) -> str:
    """The problem a question how to file describes before asking ("가로등 고장 신고 어떻게
    해요?" → "가로등 고장"), to start its draft with; "" when it describes none ("민원 넣는 방법
    알려주세요", "제가 신고 방법을 몰라서요")."""
    found = _HOW_TO_FILE.search(text or "")
    if found is None:
        return ""
    before = _LEFT_OVER.sub("", text[: found.start()]).strip()
    named = [w for w in words_of(before) if strip_particle(w) not in _NOT_A_PROBLEM]
    return before if named else ""


def is_question(text: str) -> bool:
    """Whether the message reads as a question rather than more complaint text."""
    return bool(_QUESTION.search((text or "").strip()))


def known_departments(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Every (region, department) the documents name, in document order."""
    seen: dict[tuple[str, str], None] = {}
    for entry in kb.entries:
        if entry.department:
            seen.setdefault((entry.region, entry.department), None)
        if entry.kind == "department":
            seen.setdefault((entry.region, entry.title), None)
    return list(seen)


def match_department(kb: KnowledgeBase, text: str) -> tuple[str, str] | None:
    """The known department a typed name means ("정무 기획과" → 정무기획과), or None for text that
    is not a department ("인천 새마을회 전화번호 알려주세요")."""
    typed = "".join((text or "").split())
    for word in kb.index.region_words:
        if typed.startswith(word) and len(typed) > len(word) + 1:
            typed = typed[len(word) :]
            break
    if not typed or len(typed) > 30:
        return None
    pairs = known_departments(kb)
    names = ["".join(d.split()) for _, d in pairs]
    if typed in names:
        return pairs[names.index(typed)]
    if not _DEPARTMENT_ENDING.search(typed):
        return None
    found = process.extractOne(typed, names, scorer=fuzz.ratio, score_cutoff=DEPARTMENT_MIN_RATIO)
    return pairs[found[2]] if found else None
