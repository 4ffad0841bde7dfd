"""The last stage of answering: from the analysed question and its ranked candidates to the
reply — the band (answer, suggest, not found), and the reply's text: the asked-for fields, the
lines that answer, who is in charge, the source.

Nothing here analyses or searches: nlp/responder.py runs analyzer → retrieval → this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence

from knowledge.base import KnowledgeBase
from knowledge.model import INDICATOR, KIND_LABELS, Entry
from nlp.analyzer import CONTACT_CUES, CUE_WEIGHT, CUE_WORDS, WORDS, Query, strip_particle
from nlp.comparison import Side, clip, contrast_line, find_comparison, format_comparison
from nlp.fields import (
    BUDGET,
    COMMON_FACTS,
    PHONE,
    TARGET,
    Fact,
    asked_facts,
    asks_only,
    missing_facts,
    missing_sentence,
    records,
    stating_lines,
    subject_particle,
    substitutes,
    without_names,
)
from nlp.filing import asks_how_to_file, described_problem
from nlp.index import Scored
from nlp.listing import (
    Listing,
    asked_kinds,
    children_of,
    find_listing,
    format_listing,
    kind_words,
    mentioned_regions,
    topic_particle,
)
from nlp.places import named_district
from nlp.reply import (
    ANSWER,
    COMPLAINT,
    GREETING,
    NO_MATCH,
    NOT_FOUND,
    OUT_OF_SCOPE,
    QUESTION,
    SUGGEST,
    Hit,
    Reply,
    offered,
)
from nlp.retrieval import clear_winner, near_tie

# Bands. Scores are 0–100 (see nlp/index.py). Measured on benchmarks/questions.tsv and
# benchmarks/dev-questions.tsv (sweep of 36–57 in steps of 3): at 42, two out-of-scope
# questions that share one word with an entry were answered ("전주 비빔밥 축제" → a pledge that
# mentions 비빔밥); from 45 none were, while 334 of 369 answerable questions were still
# answered correctly (339 at 42, 309 at 57).
ANSWER_THRESHOLD = 45.0
# Below this nothing is close enough to be worth offering as "did you mean": under 30 the top
# candidates of out-of-scope questions are unrelated entries that share a stray word.
SUGGEST_THRESHOLD = 30.0
# The same bands on the fused score (nlp/retrieval.py, used once the semantic index is ready),
# chosen by the same grid as its weights: thresholds 26–49 × suggest 2–16 below, on the tuning
# sets (864 answerable, 115 out-of-scope questions), the most answered right while out-of-scope
# rejection stays ≥ 0.95, answers are right ≥ 95 % and suggestions hold the right entry ≥ 90 %.
# Reliability per band on every set: benchmarks/README.md.
FUSED_ANSWER_THRESHOLD = 33.0
# The suggest band's floor was 29 on that grid, with three entries shown. With up to five
# (reply.SUGGESTION_COUNT) it was replayed at 20–29 on the title questions of every spent set
# (2,339; benchmarks/README.md): 29 → 26 turns 70 "not found" replies into suggestions and the
# suggestions still hold the right entry 0.920 of the time (173 of 188; 0.949 at 29, 0.900 at
# 23); the new sets S and U, read after the choice, 20 of 20. Leaving one set out chose 21–24
# (held out 0.898), at the target's edge: 26 keeps a margin. No answer changes.
FUSED_SUGGEST_THRESHOLD = 26.0
# A fused answer also needs the entry to be near in meaning: a best passage at or under this
# cosine (where retrieval.meaning is 0) is only suggested. On the same grid a floor of 0.84
# changed no answer of the tuning or held-back sets; it keeps "축구" (0.837 to 드론축구 월드컵,
# lexical 92) and "1+1은?" (0.812) out.
FUSED_MIN_COSINE = 0.84
# An indicator (성과지표) is a measure: it answers a question asking its figure or who keeps it
# (nlp/words.txt "measure words", "contact cues"), and is only offered for one that merely shares
# its topic word ("블로그로 돈 버는 법" → 대표 블로그 방문횟수). Of the 68 answers every set A–U
# and ours gave with an indicator, 12 asked neither: 7 out of scope, 4 wrong and 1 right
# (benchmarks/README.md); the 53 right ones that ask a figure, a 부서 or a 팀 still answer.
MEASURE_WORDS = tuple(sorted(WORDS["measure words"]))
# An out-of-scope phrase ("날씨", "맛집") loses to a match this strong: the citizen named an entry.
OVERRIDE_THRESHOLD = 85.0
# For "얼마" and "몇 명", an entry within this share of the first one's score that holds the asked
# figure next to a question word answers first (see _answering_first).
ANSWERING_MARGIN = 0.9
# The same for a budget asked without "얼마" when the first entry states none: an entry within
# this share that does answers first. "인천 홍보대사 예산은?": the committee 74, the plan with
# the budget row 64 (0.87). Of the 395 questions and dialogue messages of every benchmark file
# that ask a budget, a measure or a named kind (benchmarks/README.md), only the three 홍보대사
# budget questions changed entry at 0.8.
LACKING_MARGIN = 0.8
# A post asked by name ("협치 맡은 담당관 누구야", "협력관 이름이 뭐야"): an entry within this
# share of the first one's score that has a field for the post (담당관, 소통협력관) answers
# first; the committee whose 위원장 field answers no 담당관 question scored just above it.
POST_MARGIN = 0.75
_POST_ASKED = re.compile(
    r"(담당관|협력관|위원장|과장|국장|실장|팀장|센터장|관장|대표|회장)\s*(님)?\s*(은|는|이|가)?\s*"
    r"(이름|성함|누구|누군)"
)
MAX_FIELD_CHARS = 260
# An asked-for field longer than this is quoted line by line instead of shown whole.
SHORT_FIELD_CHARS = 160
MAX_QUOTES = 3
FULL_FIELD_CHARS = 700  # one field in the full card ([자세히])
# The answering first sentence quotes at most this much of the asked field.
LEAD_VALUE_CHARS = 200
# "네, 있습니다 — 지원조건: …": what the entry is, in a line a phone shows whole.
IF_ANY_VALUE_CHARS = 90
# A field the question names is shown first, whole (clipped); two-letter labels (예산, 내용, 분야)
# are everyday words already handled by FIELD_CUES, so a label must be this long to count.
NAMED_FIELD_MIN_CHARS = 3
# "X 개요" / "X 현황" (the only such labels in the documents) are about X: X alone names them.
GENERIC_FIELD_WORDS = frozenset({"개요", "현황"})
# A person is asked for: a field labelled with a post (소통협력관, 담당관) then holds the answer.
_PERSON_ASKED = re.compile(r"이름|누구|성함|누군")
# "몇 개" of a listed field (세부사업, 팀) is answered by counting its items.
_HOW_MANY = re.compile(r"몇\s*개|개수|몇\s*가지")
MAX_REPLY_CHARS = 3500  # Telegram's limit is 4,096
# A reply longer than this is sent in short form with [자세히] for the whole card (issue 11: a
# citizen reads the first lines; the median reply was 356 characters, the longest 888).
BRIEF_CHARS = 400

# Question cue → the fields that answer it, most specific cues first (위원장 before 누구).
FIELD_CUES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("조건", "대상", "자격", "누가", "받을수", "신청", "해당"),
        ("지원조건", "지원대상", "대상", "지원형태", "시행주체"),
    ),
    # a rate or how far a pledge was kept ("몇퍼 했냐", "얼마나 지켰어요? 퍼센트로"), before 얼마
    (("퍼센트", "몇퍼", "몇프로", "%", "지켰", "지켜"), ("이행률",)),
    (
        (
            "얼마",
            "예산",
            "금액",
            "비용",
            "돈",
            "사업비",
            "백만원",
            "투자",
            "시비",
            "도비",
            "국비",
            "재원",
        ),
        ("예산", "소요예산", "투자계획", "지원조건"),
    ),
    (
        ("언제", "기간", "일정", "날짜", "몇월", "시기", "했어"),
        ("사업기간", "추진일정", "연차별 추진일정", "추진계획", "추진실적"),
    ),
    # 현원 (the staff there now) is not 정원 (the posts): asked by name, it answers first
    (("현원",), ("현원", "정원")),
    (
        ("몇명", "인원", "정원", "회원", "사람", "직원", "구성"),
        ("정원", "현원", "직급별 정원", "회원수", "구성"),
    ),
    (("팀",), ("팀", "소속", "하위부서")),
    # "대외협력국 과들", "소통협력관 담당관실들": the units under it.
    (("과들", "실들", "부서들", "국들", "산하", "하위"), ("하위부서", "팀")),
    (
        ("이행", "달성", "실적", "성과", "진행", "추진상황"),
        ("이행률", "추진상황", "공약달성 확인지표", "실적", "추진실적"),
    ),
    (("위원장", "대표", "회장", "담당관", "국장"), ("위원장", "대표", "담당관")),
    (("목표", "목적", "왜"), ("목표", "목적", "정책목표", "전략목표")),
    (("효과", "기대", "좋", "혜택", "장점", "이점", "도움"), ("기대효과",)),
    (
        ("담당", "부서", "연락", "전화", "번호", "문의", "어디", "누구", "주소", "위치"),
        ("연락처", "소재지", "대표", "소관부서", "관리부서", "시행주체"),
    ),
    (
        ("내용", "뭐", "무엇", "무슨", "어떤", "하는", "포함"),
        ("사업내용", "주요내용", "내용", "사업방향", "사무분장"),
    ),
)
# Fields that say what an entry is or who runs it: "뭐", "어떤", "누구", "어디" bring them, but
# they answer no particular fact ("뭐가 달라요" is answered by the line nearest the question).
GENERIC_FIELDS = (
    "사업내용",
    "주요내용",
    "내용",
    "사업방향",
    "사무분장",
    "연락처",
    "소재지",
    "대표",
    "소관부서",
    "관리부서",
    "시행주체",
)
# What to show for each kind when the question asks nothing in particular.
CORE_FIELDS: dict[str, tuple[str, ...]] = {
    "program": ("사업내용", "지원조건", "지원형태", "시행주체", "예산", "사업기간"),
    "unit_project": ("목적", "주요내용", "예산", "세부사업"),
    "department": ("상위조직", "팀", "하위부서", "정원", "현원", "예산", "담당관"),
    "team": ("소속",),
    "pledge": ("분야", "시민소통실적", "정책목표", "추진상황", "이행률", "소요예산"),
    "news": (),
    "committee": ("위원장", "구성", "소관부서"),
    "civic_group": ("대표", "소재지", "회원수", "연락처"),
    "audit": ("처리구분", "조치상황", "지적 및 건의사항"),
    "work_plan": ("목표", "사업내용", "사업방향", "예산"),
    "indicator": ("지표유형", "목표", "실적", "측정방법"),
}
# What says best what an entry is, for "네, 있습니다 — …" (else "네, 있습니다." alone).
IF_ANY_FIELDS: dict[str, tuple[str, ...]] = {
    "program": ("지원조건", "사업내용"),
    "pledge": ("정책목표",),
    "committee": ("구성", "위원장"),
    "unit_project": ("목적",),
    "work_plan": ("목표",),
}
# Sentences end with "다." / "요." or ! ?; never split dates such as "'19. 11. 11.".
_SENTENCE_SPLIT = re.compile(r"(?<=[다요])\.\s+|(?<=[!?])\s+|\n")

NOT_FOUND_ADVICE = (
    "· 사업 이름, 부서 이름, 지역({short})을 넣어 다시 물어봐 주세요.\n"
    "· 불편 사항이나 요청은 민원으로 접수할 수 있습니다: /complaint"
)
NOT_FOUND_TEXT = (
    "죄송합니다. 말씀하신 내용은 제가 가진 자료({regions} 공식 문서)에서 찾지 못했습니다.\n"
    + NOT_FOUND_ADVICE
)
# The same when the question asks for a fact (전화번호, 신청 방법 …): that comes first.
NOT_STATED_TEXT = (
    "말씀하신 {labels}{particle} 제가 가진 자료({{regions}} 공식 문서)에 나와 있지 않습니다. "
    "{where}\n"
)
OUT_OF_SCOPE_TEXT = (
    "죄송합니다. 저는 {regions}의 사업, 지원 조건, 예산, 공약, 담당 부서를 "
    "안내하는 봇이라 그 질문에는 답할 수 없습니다.\n"
    "{examples}"
    "불편 사항은 민원으로 접수할 수 있습니다: /complaint"
)
ELSEWHERE_TEXT = (
    "죄송합니다. 제가 가진 자료는 {regions}의 공식 문서라 {place}의 사업이나 제도는 안내할 수 "
    "없습니다. {place}의 시·군·구청이나 시·도청 누리집, 정부민원안내콜센터(국번 없이 110)에 "
    "문의해 주세요.\n"
    "{examples}"
)
# Places in Korea a question may name instead of the knowledge base's regions (nlp/words.txt).
_OTHER_PLACES = tuple(sorted(WORDS["other places"]))
EMPTY_TEXT = "질문을 글자로 입력해 주세요. {examples}"
GREETING_TEXT = (
    "안녕하세요! 지자체 사업·지원 조건·예산·공약·담당 부서를 안내해 드리는 봇입니다. "
    "궁금한 사업 이름이나 내용을 편하게 물어봐 주세요. 불편 사항은 /complaint 로 접수할 수 있어요."
)
THANKS_TEXT = "도움이 되었다니 기쁩니다. 더 궁금한 점이 있으면 언제든 물어봐 주세요!"
COMPLAINT_TEXT = (
    "불편을 겪으셨군요. 민원으로 접수해 드릴게요. 아래 [민원 접수하기]를 누르거나 /complaint 를 "
    "입력해 주세요. 접수하면 접수번호를 알려 드리고, 처리 상황이 바뀔 때마다 알려 드립니다."
)

# The reply to a question about how to file ("도로 파손 신고 방법 알려 주세요"): how the bot takes
# complaints, with the [민원 접수하기] button under it (handlers.citizen).
HOW_TO_FILE_TEXT = (
    "민원·신고는 이 대화방에서 바로 접수할 수 있습니다. 아래 [민원 접수하기]를 누르거나 "
    "/complaint 를 입력한 뒤, 어떤 불편이 있는지(언제, 어디서, 무엇이) 한 메시지로 적어 주세요. "
    "사진이나 위치도 보낼 수 있고, 접수하면 접수번호를 알려 드리며 처리 상황이 바뀔 때마다 "
    "알려 드립니다."
)


def without_search(kb: KnowledgeBase, text: str, query: Query) -> Reply | None:
    """The reply to a greeting, or to a message with nothing to look up (empty, out of scope
    with no content word); None when the question is to be searched."""
    if query.intent == GREETING:
        thanks = any(w in text for w in ("고마", "감사", "ㄳ", "수고", "땡큐", "thank"))
        return Reply(text, GREETING, NO_MATCH, THANKS_TEXT if thanks else GREETING_TEXT)
    if query.intent == OUT_OF_SCOPE and not query.tokens:
        template = EMPTY_TEXT if not text.strip() else OUT_OF_SCOPE_TEXT
        return Reply(text, OUT_OF_SCOPE, NO_MATCH, _about(kb, template))
    return None


def needs_topic(query: Query, ranked: list[Scored]) -> bool:
    """Whether ``answer`` would look at the ranking of the question without its fact words
    ("행복투어버스 운행 시간": words no document holds): a question below the answer band."""
    top = max((s.score for s in ranked), default=0.0)
    if query.intent == COMPLAINT or query.intent == OUT_OF_SCOPE and top < OVERRIDE_THRESHOLD:
        return False
    return top < _answer_threshold(ranked)


def answer(
    kb: KnowledgeBase,
    text: str,
    query: Query,
    ranked: list[Scored],
    *,
    topic: list[Scored] | None = None,
    region: str | None = None,
    nearest: Sequence[Scored] = (),
) -> Reply:
    """The reply to a searched question: ``ranked`` are its candidates, ``topic`` those of the
    question without the words asking for a fact (when ``needs_topic``; an entry found there is
    answered about, saying the fact is missing), ``nearest`` its candidates nearest in meaning
    (offered beside the best when no answer is sure)."""
    ranked = _answering_first(ranked, query)
    hits = tuple(Hit(s.entry, s.score) for s in ranked)
    top = max(
        (s.score for s in ranked), default=0.0
    )  # the topic's confidence, whichever entry answers
    if query.intent == COMPLAINT and asks_how_to_file(text):
        problem = described_problem(text)
        return Reply(
            text, COMPLAINT, NO_MATCH, HOW_TO_FILE_TEXT, hits, how_to_file=True, problem=problem
        )
    if query.intent == COMPLAINT:
        return Reply(text, COMPLAINT, NO_MATCH, COMPLAINT_TEXT, hits)
    if query.intent == OUT_OF_SCOPE and top < OVERRIDE_THRESHOLD:
        return Reply(text, OUT_OF_SCOPE, NO_MATCH, _about(kb, OUT_OF_SCOPE_TEXT), hits)
    place = _other_place(kb, text)
    if place is not None and _not_about(place, ranked):
        return _elsewhere(kb, text, place, hits)
    browsing = _browse_or_compare(kb, text, query, hits, region)
    if browsing is not None:
        return browsing
    if top < _answer_threshold(ranked) and topic:
        ranked, top = topic, topic[0].score
        hits = tuple(Hit(s.entry, s.score) for s in ranked)
        if place is not None and _not_about(place, ranked):  # the entry that would answer now
            return _elsewhere(kb, text, place, hits)
    fused = bool(ranked) and ranked[0].semantic is not None
    near = not fused or ranked[0].semantic > FUSED_MIN_COSINE
    answer_at = _answer_threshold(ranked)
    confident = top >= answer_at and near and not near_tie(ranked) or clear_winner(ranked)
    confident = confident and not _measure_not_asked(ranked[0].entry, query)
    note = ""
    if region and query.region is None and confident and ranked[0].entry.region != region:
        ranked, note = _chosen_region_first(ranked, region, answer_at)
    if confident:
        full = note + format_answer(kb, ranked[0], query)
        return answer_reply(text, full, hits, ranked[0].entry.id)
    if top >= (FUSED_SUGGEST_THRESHOLD if fused else SUGGEST_THRESHOLD):
        shown = offered(hits, tuple(Hit(s.entry, s.score) for s in nearest))
        return Reply(
            text,
            QUESTION,
            SUGGEST,
            _unstated(kb, text, query, shown) + format_suggestions(shown),
            hits,
            offers=shown,
        )
    facts = tuple(f for f in asked_facts(text) if f not in COMMON_FACTS)
    if facts:  # what was asked is not in the documents: said first, with where to ask
        labels = "·".join(f.label for f in facts)
        lead = NOT_STATED_TEXT.format(
            labels=labels, particle=_topic(labels), where=_where_in_region(kb, query.region)
        )
        return Reply(text, QUESTION, NOT_FOUND, _about(kb, lead + NOT_FOUND_ADVICE), hits)
    return Reply(text, QUESTION, NOT_FOUND, _about(kb, NOT_FOUND_TEXT), hits)


def _measure_not_asked(entry: Entry, query: Query) -> bool:
    """Whether ``entry`` is an indicator and the question asks neither a figure (a measure word
    anywhere: "활동률") nor who keeps it (a contact cue as a word: not the 번호 of 비밀번호)."""
    if entry.kind != INDICATOR:
        return False
    words = {*query.tokens, *query.text.split()}
    return not any(w in query.compact for w in MEASURE_WORDS) and not any(
        strip_particle(w) in CONTACT_CUES for w in words
    )


def answer_reply(text: str, full: str, hits: tuple[Hit, ...], entry_id: str) -> Reply:
    """An answer in its brief form, with the full card as the detail when it is longer."""
    short = brief(full)
    detail = full if short != full else ""
    return Reply(text, QUESTION, ANSWER, short, hits, detail=detail, entry_id=entry_id)


def _other_place(kb: KnowledgeBase, text: str) -> str | None:
    """A province, metropolitan city, city, county or district the question names that is none
    of the knowledge base's ("서울시 청년수당", "광주 다문화가족지원센터", "수원시 청년 월세"),
    or None."""
    squeezed = text.replace(" ", "")
    named = [(squeezed.find(p), -len(p), p) for p in _OTHER_PLACES if p in squeezed]
    own = {*(r.name for r in kb.regions), *kb.index.region_words}
    district = named_district(text, own)  # "수원시 …", "해운대구 …" (nlp/places.txt)
    if district is not None:
        named.append((squeezed.find(district[1]), -len(district[1]), district[1]))
    place = min(named)[2] if named else None  # the first written, the longest there
    if place is None or place.lower() in kb.index.region_words or mentioned_regions(kb, text):
        return None
    return place


def _not_about(place: str, ranked: list[Scored]) -> bool:
    """Whether the best candidate does not mention ``place`` (남원 in a 전라북도 program is the
    knowledge base's own)."""
    return not ranked or place not in _text_of(ranked[0].entry)


def _elsewhere(kb: KnowledgeBase, text: str, place: str, hits: tuple[Hit, ...]) -> Reply:
    return Reply(text, OUT_OF_SCOPE, NO_MATCH, _about(kb, ELSEWHERE_TEXT, place), hits)


def _text_of(entry: Entry) -> str:
    return " ".join((entry.title, entry.department or "", *entry.fields.values(), entry.body))


def _about(kb: KnowledgeBase, template: str, place: str = "") -> str:
    """A message naming the knowledge base's own regions and example questions."""
    regions = kb.regions or ()
    examples = ", ".join(f'"{q}"' for q in kb.curated.examples[:3])
    return template.format(
        place=place,
        regions="·".join(r.name for r in regions) or "지자체",
        short="·".join(r.label for r in regions) or "시·군 이름",
        examples=f"예: {examples}\n" if examples else "",
    )


def _browse_or_compare(
    kb: KnowledgeBase, text: str, query: Query, hits: tuple[Hit, ...], region: str | None
) -> Reply | None:
    """A list for browsing questions, regions side by side for comparisons; else None."""

    def describe(best: Scored, side: Side, whole: str, room: int) -> str | None:
        return compared_fact(kb, best, side, whole, room)

    comparison = find_comparison(kb, text, describe=describe)
    if comparison is not None:
        return Reply(
            text,
            QUESTION,
            ANSWER,
            format_comparison(comparison),
            hits,
            items=tuple(e.id for e in comparison.entries),
        )
    listing = find_listing(kb, query, text, region=region)
    if listing is not None:
        stated = _stated_count(listing, text, query, hits)
        head = None
        if stated is not None:
            entry, line = stated
            head = STATED_COUNT_TEXT.format(
                line=line,
                title=entry.title,
                where=f"{entry.region} · {KIND_LABELS.get(entry.kind, entry.kind)}",
                label=listing.label,
                particle=topic_particle(listing.label),
                count=len(listing.entries),
            )
        return Reply(
            text,
            QUESTION,
            ANSWER,
            format_listing(listing, head=head),
            hits,
            items=tuple(e.id for e in listing.entries),
        )
    return None


# "인천시 위원회 몇 개": a document that states the total ("대 상: 226개 위원회('19. 12월말
# 기준)") answers better than counting the entries of that kind the knowledge base holds (9 of
# the 226). The line is looked for in the question's best-ranked entries: on the spent blind
# sets the line was in the first five for every such question (the same 21 lines of the five
# documents state a count of a kind).
STATED_COUNT_DEPTH = 5
STATED_COUNT_TEXT = (
    "문서에는 이렇게 적혀 있습니다: {line} ({title}, {where})\n"
    "이 자료에 항목으로 정리된 {label}{particle} {count}개입니다."
)


def _stated_count(
    listing: Listing, text: str, query: Query, hits: tuple[Hit, ...]
) -> tuple[Entry, str] | None:
    """(entry, line) of the best-ranked entry in the question's regions with a line stating
    how many of the counted kind there are, other than the number listed; None otherwise."""
    words = kind_words(text)
    if not listing.counting or not words:
        return None
    nouns = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    # "33개 단체", "위원회 226개"; not "단체별 1개 사업" (one each) nor "4개단체" inside a row
    # that counts something else first
    stating = re.compile(
        rf"(\d[\d,]*)\s*개\s*(?:{nouns})(?!별)|(?:{nouns})\s*:?\s*(\d[\d,]*)\s*개"
    )
    for hit in hits[:STATED_COUNT_DEPTH]:
        entry = hit.entry
        if listing.regions and entry.region not in listing.regions:
            continue
        lines = []
        for line in _bare_lines(entry):
            found = stating.search(line)
            number = found and int((found.group(1) or found.group(2)).replace(",", ""))
            if number and number >= 2 and number != len(listing.entries):
                lines.append(line)
        if lines:
            return entry, max(lines, key=lambda line: _shared(line, query))
    return None


def _bare_lines(entry: Entry) -> Iterator[str]:
    """Every line of the entry's fields without its bullet ("- 구 성: 33개 단체")."""
    for value in entry.fields.values():
        for line in value.splitlines():
            yield line.strip(" -•○·")


# A side of a comparison shows at most this many asked fields ("위원장이랑 인원": two).
MAX_COMPARED_FIELDS = 2


def compared_fact(
    kb: KnowledgeBase, best: Scored, side: Side, whole: str, room: int
) -> str | None:
    """What one region's entry shows in a comparison, within ``room`` characters: the fact its
    side of the question asks for (or, failing that, the whole question), said to be missing
    when the entry lacks it, and before it, when neither the entry's name nor that fact holds
    any of the side's words, the line that does (why the entry speaks for the side:
    인터넷방송 → "인터넷 방송 '전북생생TV' 운영" of 홍보 영상 제작 기반시설); else what sets
    named entries apart; else the line nearest to the side's words (the passage nearest in
    meaning when no line holds them all); else its first core field. Another field never
    stands in for the asked one. Lines are separated by newlines."""
    entry = best.entry
    topic = kb.index.analyze(side.topic)
    words = [t for t in topic.tokens if t not in CUE_WORDS and not asks_only(t, CUE_WORDS)]
    asked = _asked_field(kb, entry, side, whole, topic, words, room)
    quotes = relevant_lines(entry, topic, exclude=[])
    if asked is not None:
        name = _squeezed(" ".join((entry.title, *entry.aliases)))
        said = _squeezed(f"{name} {asked}")
        if quotes and words and not any(w in said for w in words):  # the two share the room
            asked = _asked_field(kb, entry, side, whole, topic, words, room - room // 2)
            return f"{clip(quotes[0], room // 2)}\n{asked}"
        return asked
    figure = _asked_figure(kb.index.analyze(whole))
    if figure is not None:  # "각각 몇 명이야" of two pledges with no such field: the line with it
        holding = [q for q in quotes if figure.search(q)] or [
            line
            for line in _bare_lines(entry)
            if figure.search(line) and any(w in _squeezed(line) for w in words)
        ]
        if holding:
            return clip(holding[0], room)
    contrast = contrast_line(entry, side.contrast, room)
    if contrast:  # two named entries of one kind: what sets them apart
        return contrast
    held = [sum(w in _squeezed(q) for w in words) for q in quotes[:1]]
    if best.passage and (not quotes or sum(w in _squeezed(best.passage) for w in words) > held[0]):
        return clip(best.passage, room)  # no line holds as many of the side's words
    if quotes:
        return clip(quotes[0], room)
    core = [
        n
        for n in ("사업내용", "주요내용", "내용", "목적", "목표", *CORE_FIELDS.get(entry.kind, ()))
        if n in entry.fields
    ]
    return f"{core[0]}: {clip(entry.fields[core[0]], room)}" if core else None


def _asked_field(
    kb: KnowledgeBase,
    entry: Entry,
    side: Side,
    whole: str,
    topic: Query,
    words: list[str],
    room: int,
) -> str | None:
    """The field a comparison's side (or, failing that, the whole question) asks of ``entry``:
    "예산: …" (of a table, the row the side names), said to be missing when the entry lacks
    it; None when nothing is asked."""
    # The compared topic's own words ask for nothing ("주민참여예산 차이" asks for no budget); a
    # named side's word that only wants a field does ("자유총연맹 회원" → 회원수).
    if side.named:
        words = [w for w in words if asked_facts(w) or not wanted_fields(kb.index.analyze(w))]
    names = " ".join([entry.title, *words])
    # named sides share what is asked ("공론화위원회랑 규제개혁위원회 위원장이랑 인원")
    for asking in (whole, side.asked) if side.named else (side.asked, whole):
        asking = without_names(asking, names)
        facts = asked_facts(asking)
        lacking = _lacking_in(kb, entry, facts, asking)
        if lacking:
            labels = "·".join(f.label for f in lacking)
            return f"{labels}: 이 자료에는 나와 있지 않습니다"
        stated = [(f, v) for f in facts if (v := _stated(kb, entry, f))]
        if stated:  # each fact asked ("위원장이랑 인원"), sharing the room
            share = room // len(stated)
            return " / ".join(_stated_value(fact, value, topic, share) for fact, value in stated)
        query = kb.index.analyze(asking)
        avoid = substitutes(facts)
        specific = [
            name
            for name in dict.fromkeys((*named_fields(entry, query), *_wanted_each(entry, query)))
            if name not in avoid
        ][:MAX_COMPARED_FIELDS]
        if specific:  # each field asked ("위원장이랑 인원"), sharing the room
            share = room // len(specific)
            return " / ".join(f"{name}: {clip(entry.fields[name], share)}" for name in specific)
    return None


def _wanted_each(entry: Entry, query: Query) -> list[str]:
    """For each kind of field the question asks for (FIELD_CUES), the entry's first field of
    that kind, most specific cue first: "위원장이랑 인원" → 위원장, 구성."""
    found = []
    for cues, names in FIELD_CUES:
        if any(cue in query.compact for cue in cues):
            name = next((n for n in names if n in entry.fields and n not in GENERIC_FIELDS), None)
            if name is not None:
                found.append(name)
    return found


def _stated_value(fact: Fact, value: str, topic: Query, room: int) -> str:
    """ "예산: …" within ``room``; of a table, the row the side names ("예산(인터넷방송 운영):
    …")."""
    row = _asked_row(value, topic)
    if row is not None:
        return f"{fact.label}({row[0]}): {clip(row[1], room)}"
    return f"{fact.label}: {clip(value, room)}"


# Facts whose field the asked-field lead already shows first (예산 by its asked row).
_LED_BY_FIELD = frozenset({BUDGET, TARGET})


def _stated_fact(
    kb: KnowledgeBase, entry: Entry, query: Query
) -> tuple[str, str, str | None] | None:
    """The first asked fact ``entry`` states other than by a field the asked-field lead shows
    (담당 부서 by its department, 지원 금액 by the line with the amount): its label (its own
    field's, when it has one), its value and the field it came from (None for a line or the
    department); None when there is none."""
    for fact in asked_facts(query.text, title=entry.title):
        if fact in _LED_BY_FIELD:
            continue
        field = next((name for name in fact.fields if name in entry.fields), None)
        value = entry.fields[field] if field else None
        if not field and fact.by_department and entry.department:
            value = _in_charge(entry)
        elif not field and fact is PHONE:
            value = _stated(kb, entry, fact)
        elif not field:
            lines = _stating_lines(entry, fact, query.text)
            if lines:
                # the line that states it most about what was asked; its field when it is whole
                field, value = max(lines, key=lambda item: _shared(item[1], query))
                field = field if entry.fields[field].strip() == value else None
        if value:
            label = field if field in fact.fields else fact.label
            return label, _clip(value, LEAD_VALUE_CHARS).rstrip(". "), field
    return None


def _stating_lines(entry: Entry, fact: Fact, text: str) -> list[tuple[str, str]]:
    """(field, line) for the lines of ``entry`` that state ``fact`` (about the activity the
    question ``text`` names: fields.stating_lines), outside rows labelled like the fields it
    ignores ("총사업비: 1,000백만원")."""
    if fact.line is None:
        return []
    return [
        (name, line.strip(" -•○·"))
        for name, line in stating_lines(entry, fact, text)
        if not any(label in line.partition(":")[0] for label in fact.ignores if ":" in line)
    ]


def _in_charge(entry: Entry) -> str:
    """The department and team in charge as the 담당 line names them, with its inference note."""
    who = f"{entry.region} {entry.department}"
    if entry.team:
        return f"{who} {entry.team}" + (" (사업명으로 추정)" if "team" in entry.inferred else "")
    return who + (" (사무분장으로 추정)" if "department" in entry.inferred else "")


def _shared(line: str, query: Query) -> int:
    """How many characters of the question's own words (not cue words) ``line`` holds."""
    squeezed = _squeezed(line)
    return sum(len(t) for t in query.tokens if t not in CUE_WORDS and t in squeezed)


def _answers(line: str, query: Query) -> bool:
    """Whether ``line`` holds what the question asks for: its figure ("295명", "10조834억원"),
    organisation or named kind (``_asked_for``)."""
    asked = _asked_for(query)
    return bool(asked and asked.search(line))


def _stated(kb: KnowledgeBase, entry: Entry, fact: Fact) -> str | None:
    """Where ``entry`` states ``fact``: its field, the department in charge, the phone an admin
    gave, or the first line that holds it; None when it does not."""
    field = next((name for name in fact.fields if name in entry.fields), None)
    if field:
        return entry.fields[field]
    if fact.by_department and (entry.department or entry.team):
        return " ".join(filter(None, (entry.department, entry.team)))
    contact = kb.curated.contact_for(entry.region, entry.department)
    if fact is PHONE and contact and contact.phone:
        return contact.phone
    if fact.line is None:
        return None
    return next(
        (
            line.strip()
            for name, value in entry.fields.items()
            if name not in fact.ignores
            for line in value.splitlines()
            if fact.line.search(line)
        ),
        None,
    )


def _squeezed(text: str) -> str:
    return text.replace(" ", "").lower()


def _lacking_in(
    kb: KnowledgeBase, entry: Entry, facts: tuple[Fact, ...], text: str = ""
) -> tuple[Fact, ...]:
    contact = kb.curated.contact_for(entry.region, entry.department)
    return missing_facts(entry, facts, contact_known=bool(contact and contact.phone), text=text)


def _answer_threshold(ranked: list[Scored]) -> float:
    """The answer band of this ranking's scale: fused scores when meaning took part."""
    fused = bool(ranked) and ranked[0].semantic is not None
    return FUSED_ANSWER_THRESHOLD if fused else ANSWER_THRESHOLD


def _chosen_region_first(
    ranked: list[Scored], region: str, answer_at: float
) -> tuple[list[Scored], str]:
    """The citizen's /region: its entry answers when it is a confident match too; otherwise the
    reply says it comes from another region."""
    local = next((s for s in ranked if s.entry.region == region and s.score >= answer_at), None)
    if local is not None:
        return [local, *(s for s in ranked if s is not local)], ""
    return ranked, (
        f"관심 지역({region}) 자료에는 없어 {ranked[0].entry.region} 자료로 답합니다.\n"
    )


def brief(full: str, limit: int = BRIEF_CHARS) -> str:
    """The answer's first lines within ``limit`` characters, its 담당 and 출처 lines kept:
    what a citizen reads on a phone; the whole card is one tap away ([자세히])."""
    if len(full) <= limit:
        return full
    lines = full.split("\n")
    tail_at = next((i for i, line in enumerate(lines) if line.startswith("담당:")), len(lines))
    head, tail = lines[:tail_at], lines[tail_at:]
    budget = limit - sum(len(line) + 1 for line in tail)
    kept: list[str] = []
    for line in head:
        if sum(len(k) + 1 for k in kept) + len(line) + 1 > budget and len(kept) > 3:
            break
        kept.append(line)
    if kept and kept[-1] == "관련 내용:":
        kept.pop()
    return "\n".join([*kept, "(더 보려면 [자세히])", *tail]) if len(kept) < len(head) else full


def _answering_first(ranked: list[Scored], query: Query) -> list[Scored]:
    """For "얼마", "몇 명": among entries scoring nearly as well as the first, the first that
    has a line holding a question word and the asked figure ("국가예산 … 10조834억원") leads,
    keeping its own score; an entry that only mentions the topic does not answer. A budget
    asked without "얼마" ("홍보대사 예산은?") is asked the same way when the first entry states
    none (a committee, beside the plan whose budget row is "홍보대사 운영: 20백만원"), within
    LACKING_MARGIN."""
    if len(ranked) < 2:
        return ranked
    post = _POST_ASKED.search(query.text)
    if post is not None:
        close = [s for s in ranked if s.score >= ranked[0].score * POST_MARGIN]
        holder = next(
            (s for s in close if any(name.endswith(post.group(1)) for name in s.entry.fields)),
            ranked[0],
        )
        return [holder, *(s for s in ranked if s is not holder)]
    asked, margin = _asked_figure(query), ANSWERING_MARGIN
    if (
        asked is None
        and BUDGET in asked_facts(query.text, title=ranked[0].entry.title)
        and not records(ranked[0].entry, BUDGET, text=query.text)
    ):
        asked, margin = _MONEY, LACKING_MARGIN
    if asked is None:
        return ranked
    words = [t for t in query.tokens if t not in CUE_WORDS and len(t) >= 2]
    close = [s for s in ranked if s.score >= ranked[0].score * margin]
    for scored in close:
        if any(
            asked.search(line) and any(w in line.replace(" ", "").lower() for w in words)
            for value in scored.entry.fields.values()
            for line in value.splitlines()
        ):
            return [scored, *(s for s in ranked if s is not scored)]
    return ranked


def full_card(kb: KnowledgeBase, entry_id: str) -> str | None:
    """Every field of one entry ("더 자세히", [자세히]), who is in charge and the source; None
    if the entry is gone."""
    entry = kb.get(entry_id)
    if entry is None:
        return None
    lines = [f"[{entry.title}]", f"{entry.region} · {KIND_LABELS.get(entry.kind, entry.kind)}", ""]
    lines.extend(
        f"· {name}: {_clip(value, FULL_FIELD_CHARS)}" for name, value in entry.fields.items()
    )
    if not entry.fields and entry.body:
        lines.append(_clip(entry.body, MAX_REPLY_CHARS // 2))
    lines += ["", *_contact_lines(kb, entry), f"출처: {short_citation(entry)}"]
    text = "\n".join(lines)
    return text if len(text) <= MAX_REPLY_CHARS else text[: MAX_REPLY_CHARS - 1] + "…"


def format_suggestions(hits: tuple[Hit, ...]) -> str:
    lines = ["정확히 일치하는 항목을 찾지 못했습니다. 혹시 이것을 찾으셨나요?"]
    for number, hit in enumerate(hits, start=1):
        e = hit.entry
        lines.append(f"{number}. {e.title} ({e.region} · {KIND_LABELS.get(e.kind, e.kind)})")
    lines.append("번호를 누르거나, 사업 이름을 넣어 다시 물어봐 주세요.")
    return "\n".join(lines)


def wanted_fields(query: Query, *, title: str = "") -> tuple[str, ...]:
    """Fields the question asks for, most specific cue first (조건 → 지원조건 …); a cue inside
    the entry's ``title`` asks for nothing ("주민참여예산 사업 있어요?" asks for no 예산)."""
    name = title.replace(" ", "").lower()
    compact = query.compact.replace(name, " ") if name else query.compact
    fields: list[str] = []
    for cues, names in FIELD_CUES:
        if any(cue in compact for cue in cues):
            fields.extend(n for n in names if n not in fields)
    return tuple(fields)


def named_fields(entry: Entry, query: Query) -> list[str]:
    """The entry's fields whose label the question spells out ("세부사업 몇 개"); a label
    ending in 개요/현황 is named by the rest ("공공갈등 진단 대상" → 공공갈등 진단 개요). A label
    within the entry's own name names the entry ("소통협력관 정원" asks for no 소통협력관 field,
    "혁신담당관실" for no 담당관), unless a person is asked for ("소통협력관 이름이 뭐예요": the
    field holds who holds the post)."""
    title = entry.title.replace(" ", "").lower()
    person = bool(_PERSON_ASKED.search(query.text))
    named = []
    for name in entry.fields:
        words = name.split()
        if len(words) > 1 and words[-1] in GENERIC_FIELD_WORDS:
            words = words[:-1]
        label = "".join(words).lower()
        if (
            len(label) >= NAMED_FIELD_MIN_CHARS
            and label in query.compact
            and (person or label not in title)
        ):
            named.append(name)
    return named


def _count_note(value: str) -> str:
    """ " (16개)" for a one-line list of several items, so "몇 개" is answered by a number."""
    items = [item for item in value.split(",") if item.strip()]
    return f" ({len(items)}개)" if "\n" not in value and len(items) >= 2 else ""


def format_answer(
    kb: KnowledgeBase, scored: Scored, query: Query, cue_fields: tuple[str, ...] | None = None
) -> str:
    """Title; the asked-for fields; the lines that answer the question; core facts; who; source."""
    entry = scored.entry
    lacking = _lacking(kb, entry, query) if cue_fields is None else ()
    avoid = substitutes(lacking)
    named = named_fields(entry, query) if cue_fields is None else []
    asked_fields = named + [
        f
        for f in (wanted_fields(query, title=entry.title) if cue_fields is None else cue_fields)
        if f in entry.fields and f not in named and f not in avoid
    ]
    lines = [f"[{entry.title}]", f"{entry.region} · {KIND_LABELS.get(entry.kind, entry.kind)}", ""]
    if lacking:
        lines.insert(0, f"{missing_sentence(lacking, entry.title)} {_where_to_ask(kb, entry)}")
    shown = [
        name
        for name in asked_fields
        if name in named or len(entry.fields[name]) <= SHORT_FIELD_CHARS
    ][:3]
    quotes = relevant_lines(
        entry,
        query,
        exclude=[_clip(entry.fields[n]) for n in shown]
        + [entry.fields[n] for n in avoid if n in entry.fields],
    )
    if not quotes and scored.passage and not any(scored.passage in entry.fields[n] for n in shown):
        quotes = [scored.passage]  # no line shares the question's words; this one its meaning
    if not quotes and not shown:
        shown = asked_fields[:2]
    counting = bool(_HOW_MANY.search(query.text))
    led = []
    stated = _stated_fact(kb, entry, query) if not lacking and cue_fields is None else None
    if stated is not None:  # the asked fact's own value comes first (담당 부서, 지원 금액)
        label, value, field = stated
        led, shown = [field] if field else [], [n for n in shown if n != field]
        quotes = [q for q in quotes if value not in q and q not in value]
        lines.insert(0, f"{entry.title}의 {label}{_topic(label)} {value}입니다.")
    elif shown and not lacking and cue_fields is None:  # the answer itself comes first
        led, shown = shown[:1], shown[1:]
        lines.insert(0, _lead_sentence(entry, led[0], entry.fields[led[0]], counting, query))
    elif quotes and not lacking and cue_fields is None and _answers(quotes[0], query):
        lines.insert(0, _clip(quotes.pop(0), LEAD_VALUE_CHARS))  # the line holding it leads
    elif not lacking and cue_fields is None and _asks_if_any(query.text):
        # "장학금 사업 있어요?": yes first, with what it is (a field saying more than its name)
        title = _squeezed(entry.title)
        first = next(
            (
                n
                for n in IF_ANY_FIELDS.get(entry.kind, ())
                if n in entry.fields
                and title not in _squeezed(entry.fields[n])
                and _squeezed(entry.fields[n]) not in title
            ),
            None,
        )
        what = f" — {first}: {_clip(entry.fields[first], IF_ANY_VALUE_CHARS)}" if first else ""
        led = [first] if first else []
        if first:
            said = entry.fields[first]
            quotes = [q for q in quotes if q not in said and said not in q]
        lines.insert(0, f"네, 있습니다{what.rstrip('. ')}.")
    lines.extend(
        f"· {name}{_count_note(entry.fields[name]) if counting else ''}: "
        f"{_clip(entry.fields[name])}"
        for name in shown
    )
    if quotes:
        lines.append("관련 내용:")
        lines.extend(f"  - {_clip(q)}" for q in quotes)
    quoted = "\n".join(quotes)
    core = [
        n
        for n in CORE_FIELDS.get(entry.kind, ())
        if n in entry.fields
        and n not in shown
        and n not in led
        and n not in avoid
        and not _said(entry.fields[n], quoted)
    ]
    lines.extend(
        f"· {name}: {_clip(entry.fields[name])}"
        for name in core[: max(2, 6 - len(shown) - len(quotes))]
    )
    lines.extend(_team_work(kb, entry))
    if not shown and not led and not quotes and not core and entry.body:
        lines.append(_clip(entry.body, 500))
    lines.append("")
    lines.extend(_contact_lines(kb, entry))
    lines.append(f"출처: {short_citation(entry)}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_REPLY_CHARS else text[: MAX_REPLY_CHARS - 1] + "…"


# The kinds of work ("업무": work plans, unit projects, programs), not the measures of it.
_WORK_KINDS = asked_kinds("업무")


def _team_work(kb: KnowledgeBase, entry: Entry) -> list[str]:
    """A team's card holds only where it belongs: the line naming the work it is in charge of
    (as the documents assign it, or as inferred from the programs' names)."""
    if entry.kind != "team":
        return []
    work = children_of(kb, entry, _WORK_KINDS)
    if not work:
        return []
    inferred = " (사업명으로 추정)" if any("team" in e.inferred for e in work) else ""
    titles = ", ".join(e.title for e in work)
    return [f"· 맡은 일{inferred}: {_clip(titles)} ({len(work)}개)"]


# A number with Korean units ("3,000여", "2천만", "10조834억").
_AMOUNT = r"\d[\d,.]*(?:\s*[만천백억조]\s*[\d,.]*)*\s*(?:여|여\s|가량|이상|이내)?\s*"
# Question words → the kind of figure that answers them; a line holding one is a better quote.
_MONEY = re.compile(rf"{_AMOUNT}(?:원|백만원|천원|억|만원|%)")
# "얼마예요", "얼마까지" ask for an amount or a rate ("얼마나 자주" does not).
_HOW_MUCH = re.compile(r"얼마(?!나)")
_DATES = re.compile(r"\d{2,4}\s*[.년]\s*\d{1,2}|\d{1,2}\s*월|매년|연중|분기|상반기|하반기|'\d{2}")
_FIGURES: tuple[tuple[tuple[str, ...], re.Pattern], ...] = (
    (("언제", "기간", "일정", "날짜", "시기", "몇월", "며칠"), _DATES),
    (
        ("몇", "인원", "횟수", "규모", "개수"),
        re.compile(r"\d[\d,]*\s*(개|명|회|건|곳|개소|부|팀|번|가구|호|그루|단체|기관|마을)"),
    ),
    (("얼마", "예산", "금액", "비용", "사업비", "돈"), _MONEY),
)
# How long something takes ("심사 며칠 걸려"): a count of days answers, not a date or a season
# ("01월01일", "연중"), which the date pattern above would prefer.
_DURATION_WORDS = ("걸려", "걸리", "걸림", "소요", "만에", "동안")
_DAYS = re.compile(r"(?<![\d.월])\d{1,3}\s*일(?!\d)")
FIGURE_BOOST = 1.5
# "몇 명" is answered by a line with "295명" (or "3,000여명", "3인"), not by any number.
_COUNTER = re.compile(
    r"몇\s*(명|개소|개|번|회|곳|군데|부|건|팀|가구|호|년|달|월|일|시간|퍼센트|%)"
)
_COUNTER_SPELLINGS = {
    "명": "명|인",
    "곳": "곳|개소|군데",
    "군데": "곳|개소|군데",
    "개소": "곳|개소|개",
    "번": "번|회|차례",
    "회": "번|회|차례",
    "개": "개|건|개소",
    "퍼센트": "%|퍼센트",
}
# "몇 퍼센트", "몇퍼", "퍼센트로요": a rate answers ("이행률: 31.05%"), not a budget.
_RATE_ASKED = re.compile(r"퍼센트|몇퍼|몇프로|%")
_RATE = rf"{_AMOUNT}%"
# Counters of things a document may list with their number in brackets ("우호협력(7) : …").
_LISTED_COUNTERS = frozenset({"곳", "군데", "개소", "개"})
_PLACE = re.compile(r"장\s*소|소재지|위치|개최지|에서 (개최|열|진행)")
_WHERE = ("어디서", "어디에서", "장소", "어디로")
# "누가 신청해요" is answered by a line naming a body or an organisation; the endings are those
# of the bodies the documents name (입주자대표회의, 관리주체, 전북애향운동본부, …센터협회).
_WHO = re.compile(
    r"회의|단체|기관|주체|위원회|센터|공단|법인|기업|업체|협회|본부|병원|대학|학교|재단|조합"
)
# "누가 받을 수 있어요", "누구한테 줘요" ask who benefits: the answer names people (성인 최중증
# 발달장애인), not an organisation, so the question's own words pick the line.
_BENEFICIARY = re.compile(r"누가(받|혜택|대상|지원받)|누구(한테|에게)")
# "어디로 선정됐어", "어디가 맡아": which body was chosen, named like one of "누가".
_CHOSEN = re.compile(r"어디(?:가|로|를|에)?(?:선정|뽑|지정|선발|위탁|맡)")
# "어디어디예요", "어느 나라랑": which ones, answered by a line listing them ("자매결연(3) :
# 미국 워싱턴주, 뉴저지주, 중국 강소성").
_WHICH_ONES = re.compile(r"어디어디|어느\s*나라|어디\s*랑|어디\s*하고|어떤\s*나라")
_LISTED = r"\(\d+\)\s*:|(?:[가-힣]+\s*,\s*){2,}[가-힣]"
# "어느 병원이", "무슨 단체가": the word after these is the kind of thing the answer names.
_WHICH = re.compile(r"(?:어느|무슨|어떤)\s+([가-힣]{2,})")
SUFFIX_WEIGHT = 0.6
# Words of the entry's own name found the entry; they say little about which line answers.
NAME_WORD_QUOTE_WEIGHT = 0.3


def relevant_lines(entry: Entry, query: Query, *, exclude: list[str]) -> list[str]:
    """Up to three lines of the entry that share the most (rare) words with the question.

    A sub-item ("  - 하반기 : 한마음대회 개최") is quoted with its parent line, because the
    parent usually holds the date or figure the citizen asked about.
    """
    names = "".join(n.replace(" ", "").lower() for n in (entry.title, *entry.aliases))
    weights = {
        t: (w / CUE_WEIGHT if t in CUE_WORDS else w)
        * (NAME_WORD_QUOTE_WEIGHT if t in names else 1.0)
        for t, w in zip(query.tokens, query.weights)
    }
    for token, weight in list(weights.items()):
        if len(token) >= 4:  # "할인가맹점" should still find "가맹점을 441개소까지"
            weights.setdefault(token[-3:], weight * SUFFIX_WEIGHT)
    if not weights:
        return []
    # The words as typed that a longer token replaced ("공익활동 지원" → 공익활동지원) still point
    # at the line that answers ("지원규모: 1개 단체별 … 2천만원").
    typed_weight = min(weights.values()) * SUFFIX_WEIGHT
    for word in query.recall_only:
        weights.setdefault(word, typed_weight)
    shown = "\n".join(exclude)
    figures = [pattern for words, pattern in _FIGURES if any(w in query.compact for w in words)]
    if any(w in query.compact for w in _DURATION_WORDS):
        figures = [pattern for pattern in figures if pattern is not _DATES] + [_DAYS]
    if any(w in query.compact for w in _WHERE):
        figures.append(_PLACE)
    lines = [
        (line, quote, line.replace(" ", "").lower())
        for value in entry.fields.values()
        for line, quote in _lines_with_context(value)
    ]
    title = entry.title.replace(" ", "").lower()
    lines = [
        (line, quote, squeezed)
        for line, quote, squeezed in lines
        if len(squeezed) >= 4 and line not in shown and squeezed != title
    ]
    # Local rarity: a word on every line of this entry picks no line; the detail word the
    # citizen added ("가맹점") does. The entry's own name is implied on every line, even where
    # the document spells it out once ("거점병원 … 채용 공고" does not say which 병원 was chosen).
    local = {
        t: math.log(
            1
            + len(lines) / (1 + (len(lines) if t in names else sum(t in sq for _, _, sq in lines)))
        )
        for t in weights
    }
    asked = _asked_for(query)
    exact = _counted(query, exact=True)
    candidates = []
    for line, quote, squeezed in lines:
        gain = sum(w * local[t] for t, w in weights.items() if t in squeezed)
        if gain <= 0:
            continue
        if any(pattern.search(line) for pattern in figures):
            gain *= FIGURE_BOOST
        holds = bool(asked and asked.search(line))
        said = bool(exact and exact.search(line))
        candidates.append((holds, said, gain, len(candidates), line, quote))
    counted = _counted(query)
    if counted and not any(holds for holds, *_ in candidates):
        # No line sharing the question's words holds the count asked ("도민증 할인되는 가게 몇
        # 군데"); the entry's one line that does answers ("가맹점을 441개소까지 확대").
        holding = [(line, quote) for line, quote, _ in lines if counted.search(line)]
        if len(holding) == 1:
            line, quote = holding[0]
            top = max((c[2] for c in candidates), default=1.0)
            said = bool(exact and exact.search(line))
            candidates.append((True, said, top, len(candidates), line, quote))
    # A line holding what was asked for ("295명", "전북대… 병원", "입주자대표회의") comes first,
    # however few of the question's words it repeats, one with the very counter said ("70개소"
    # for "몇 개소") before one with another spelling of it ("6개"); then the lines sharing the
    # most.
    candidates.sort(key=lambda c: (not c[0], not c[1], -c[2], c[3]))
    best = candidates[0][2] if candidates else 0
    picked: list[str] = []
    for _, _, gain, _, line, quote in candidates:
        if len(picked) == MAX_QUOTES:
            break
        if gain < best * 0.6:
            continue
        if any(
            g >= gain and line in other and line != other for _, _, g, _, other, _ in candidates
        ):
            # a sub-item carries this parent line and its own detail ("공모 › 지식공유 등")
            continue
        if not any(quote in p or p in quote for p in picked):
            picked.append(quote)
    return picked


def _counted(query: Query, *, exact: bool = False) -> re.Pattern | None:
    """For "몇 명": a figure with that counter ("295명", "3인"; with ``exact`` only the counter
    said: "몇 개소" → "70개소", not "6개"); for places and items also a listed count after a word
    of the question ("자매결연(3) : 미국 워싱턴주, …"). None when nothing is counted."""
    counter = _COUNTER.search(query.text)
    if not counter:
        return None
    said = counter.group(1)
    spellings = re.escape(said) if exact else _COUNTER_SPELLINGS.get(said, re.escape(said))
    parts = [rf"{_AMOUNT}(?:{spellings})"]
    words = [re.escape(t) for t in query.tokens if len(t) >= 2 and t not in CUE_WORDS]
    if said in _LISTED_COUNTERS and words:
        parts.append(rf"(?:{'|'.join(words)})\s*\(\d+\)")
    return re.compile("|".join(parts))


def _asked_figure(query: Query) -> re.Pattern | None:
    """The figure a "몇 명", "얼마" or "몇 퍼센트" question asks for, or None."""
    counted = _counted(query)
    parts = [counted.pattern] if counted else []
    if _HOW_MUCH.search(query.compact):
        parts.append(_MONEY.pattern)
    if _RATE_ASKED.search(query.compact):
        parts.append(_RATE)
    return re.compile("|".join(parts)) if parts else None


def _asked_for(query: Query) -> re.Pattern | None:
    """What a line must hold to answer the question itself: the figure of "몇 명" or "얼마", an
    organisation for "누가", the noun of "어느 병원"; None when the question names no such
    thing."""
    figure = _asked_figure(query)
    parts = [figure.pattern] if figure else []
    if (
        ("누가" in query.compact or "누구" in query.compact)
        and not _BENEFICIARY.search(query.compact)
        or _CHOSEN.search(query.compact)
    ):
        parts.append(_WHO.pattern)
    if _WHICH_ONES.search(query.compact):
        parts.append(_LISTED)
    which = _WHICH.search(query.text)
    if which:
        parts.append(re.escape(strip_particle(which.group(1))))
    return re.compile("|".join(parts)) if parts else None


_BULLET_LEVEL = {"□": 0, "■": 0, "❖": 0, "○": 1, "•": 1, "◦": 1, "ㅇ": 1, "-": 2, "*": 3, "※": 3}


def _level(raw: str) -> int:
    """Outline depth of a line: its bullet kind, then two more levels per indent."""
    stripped = raw.lstrip(" \t")
    bullet = _BULLET_LEVEL.get(stripped[:1], 1 if stripped[:1].isdigit() else 0)
    return bullet + (len(raw) - len(stripped))


def _lines_with_context(value: str) -> list[tuple[str, str]]:
    """(line to match, text to quote) for each line of a field value. A sub-item carries its
    parent line in front ("parent › item"); a sentence of prose is quoted with the sentence after
    it, which often holds what the first announced ("…지원 방안을 마련했다. 기금사업 매칭, …")."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[int, str]] = []
    for raw in value.splitlines():
        if not raw.strip():
            continue
        level = _level(raw)
        text = raw.strip().strip("-•○◦·*□■❖ ").strip()
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            line = f"{stack[-1][1]} › {text}"
            out.append((line, line))
        else:
            sentences = [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]
            out.extend((s, " ".join(sentences[i : i + 2])) for i, s in enumerate(sentences))
        stack.append((level, text))
    return out


# "장학금 사업 있어요?", "그런 공약 있나요": whether there is such a thing, not whether one
# may ("신청할 수 있어요") nor where or who ("어디 있어요", "누가 있어요", "잘하는 곳 있나요").
_IF_ANY = re.compile(
    r"(사업|공약|지원|제도|프로그램|위원회|단체|센터|혜택|서비스|정책|거|것|게)\s*(도|은|는|이|가)?\s*"
    r"있(어요|나요|습니까|어|음|남|나|는지|을까요|죠|지|냐|니)\s*[?？!.~]*\s*$"
)
_NOT_IF_ANY = re.compile(r"수\s*있|어디|누구|누가|언제|뭐|무엇|얼마|몇|어떤|무슨|어느")


def _asks_if_any(text: str) -> bool:
    """Whether the question asks only whether such a thing exists."""
    return bool(_IF_ANY.search(text)) and not _NOT_IF_ANY.search(text)


def _lead_sentence(entry: Entry, name: str, value: str, counting: bool, query: Query) -> str:
    """ "새마을지도자 자녀 장학금 지원의 지원조건은 …입니다." — the asked field as a sentence; of
    a table of rows ("시민토론회 개최: '20년 146백만원"), only the row the question names."""
    row = _asked_row(value, query, entry.title)
    if row is not None:
        label, rest = row
        rest = _clip(rest, LEAD_VALUE_CHARS)
        return f"{entry.title}의 {name} 중 {label}{_topic(label)} {rest}입니다."
    count = _count_note(value).strip(" ()") if counting else ""
    value = _clip(value, LEAD_VALUE_CHARS).rstrip(". ")
    if count:
        return f"{entry.title}의 {name}{_topic(name)} {count}입니다: {value}."
    return f"{entry.title}의 {name}{_topic(name)} {value}입니다."


def _asked_row(value: str, query: Query, title: str = "") -> tuple[str, str] | None:
    """The "label: value" row of a multi-line field whose label holds the most of the question's
    own words (not cue words, nor words of the entry's ``title``: "시민과 함께하는 공감시정 구현
    예산" names the entry, not its row "시민정책자문단 운영"); None when no row is named."""
    name = title.replace(" ", "").lower()
    words = [t for t in query.tokens if t not in CUE_WORDS and len(t) >= 2 and t not in name]
    best, best_gain = None, 0
    for line in value.splitlines():
        label, colon, rest = line.partition(":")
        if not colon or not rest.strip():
            continue
        squeezed = label.replace(" ", "").lower()
        gain = sum(len(t) for t in words if t in squeezed)
        if gain > best_gain:
            best, best_gain = (label.strip(), rest.strip()), gain
    return best if value.count("\n") else None


def _topic(word: str) -> str:
    last = word[-1:]
    return "은" if not ("가" <= last <= "힣") or (ord(last) - 0xAC00) % 28 else "는"


def short_citation(entry: Entry) -> str:
    """Region, document and year ("전라북도 · … 주요업무계획, 2021"); the file and lines are one
    tap away ([출처], /source: ``entry.source.cite``)."""
    year = f", {entry.source.year}" if entry.source.year else ""
    return f"{entry.region} · {entry.source.document}{year}"


def _lacking(kb: KnowledgeBase, entry: Entry, query: Query) -> tuple[Fact, ...]:
    """The facts the question asks for that ``entry`` does not state (nlp.fields)."""
    return _lacking_in(kb, entry, asked_facts(query.text, title=entry.title), query.text)


def _where_to_ask(kb: KnowledgeBase, entry: Entry) -> str:
    """Where a citizen can ask what the documents do not say: the department (with an
    admin-supplied phone), else the region's representative contact (regions.yaml), else its
    city hall through the government call centre."""
    if entry.department:
        contact = kb.curated.contact_for(entry.region, entry.department)
        phone = f"(전화 {contact.phone})" if contact and contact.phone else ""
        return f"{entry.region} {entry.department}{phone}에 문의해 주세요."
    return _where_in_region(kb, entry.region)


def _where_in_region(kb: KnowledgeBase, name: str | None) -> str:
    """The region's representative contact (regions.yaml), else its city hall through the
    government call centre; with no region, the call centre alone."""
    region = kb.region(name) if name else None
    if region and region.phone:  # the representative contact an admin gave in regions.yaml
        note = f", {region.note}" if region.note else ""
        return f"{region.name} 대표 전화({region.phone}{note})로 문의해 주세요."
    if name:
        return f"{name} 대표 민원실(정부민원안내콜센터 국번 없이 110)에 문의해 주세요."
    return "해당 기관이나 정부민원안내콜센터(국번 없이 110)에 문의해 주세요."


def _unstated(kb: KnowledgeBase, text: str, query: Query, hits: tuple[Hit, ...]) -> str:
    """For "did you mean" entries whose first — the entry the reply is about — does not state
    the fact the question asks for ("찾아가는 시청 다음에 어디서 해요?"): a first line saying the
    documents lack it and where to ask; "" when it may state it or no fact is asked. A lower
    offer stating it does not hide that the first lacks it. A word of the entry's own title asks
    for nothing about it ("주민참여예산")."""
    if not hits:
        return ""
    first = hits[0].entry
    asked = tuple(f for f in asked_facts(text, title=first.title) if f not in COMMON_FACTS)
    if not asked or len(_lacking_in(kb, first, asked, text)) < len(asked):
        return ""
    labels = "·".join(f.label for f in asked)
    return (
        f"이 자료에는 물으신 {labels}{subject_particle(labels)} 나와 있지 않습니다. "
        f"{_where_in_region(kb, query.region)}\n"
    )


def _said(value: str, quoted: str) -> bool:
    """Whether a quoted line already shows this field's value (no line twice)."""
    lines = [line.strip(" -•○·") for line in value.splitlines() if line.strip(" -•○·")]
    return bool(lines) and all(line in quoted for line in lines[:1])


def _contact_lines(kb: KnowledgeBase, entry: Entry) -> list[str]:
    if not entry.department:
        region = kb.region(entry.region)
        if region and region.phone:
            note = f" ({region.note})" if region.note else ""
            return [
                f"담당: 문서에 담당 부서가 적혀 있지 않습니다. {region.name} 대표 전화 "
                f"{region.phone}{note}로 문의해 주세요."
            ]
        return [
            "담당: 문서에 담당 부서가 적혀 있지 않습니다. 해당 시청 대표 민원실에 문의해 주세요."
        ]
    who = entry.department
    if entry.team:
        who += f" {entry.team}" + (" (사업명으로 추정)" if "team" in entry.inferred else "")
    elif "department" in entry.inferred:
        who += " (사무분장으로 추정)"
    lines = [f"담당: {entry.region} {who}"]
    contact = kb.curated.contact_for(entry.region, entry.department, entry.team)
    if contact:
        lines.extend(contact.lines())
    return lines


def _clip(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"
