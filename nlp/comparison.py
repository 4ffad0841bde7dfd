"""Comparisons across regions ("전북이랑 인천 주민참여예산 차이", "지역별 홍보 사업").

The same topic is looked up once per region and shown side by side, each with the field the
question asks for (or the line of the entry nearest to the question), so a citizen sees both
instead of the one region the matcher happened to rank first.

Each region named starts its own side of the question: "전북 파워블로거랑 인천 블로그기자단"
looks for 파워블로거 in 전북 and 블로그기자단 in 인천; words before the first region belong to
every side ("자매결연 전북이 하는 거랑 나주가 하는 거"), and a side that names nothing of its
own, or less than another, takes the other's topic ("전북 sns랑 인천 sns 홍보").

Two named things are compared the same way when fewer than two regions are ("정무기획과랑
시민정책담당관실 예산 비교", "안전보강 vs 기능보강"): the sides are split at the conjunction
and each is looked up by its own words, as the question alone would be; a side that names
less than the other and none of its words takes the other's leading words ("정착지원 직접이랑
시군" → 정착지원 시군).

Usage:
    comparison = find_comparison(kb, text)      # None unless regions or named things are compared
    format_comparison(comparison)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from knowledge.base import KnowledgeBase
from knowledge.model import KIND_LABELS, Entry
from nlp.analyzer import CUE_WORDS, WORDS, strip_particle
from nlp.fields import asks_only, object_particle, subject_particle
from nlp.index import Scored
from nlp.listing import KIND_NAMES, KIND_WORDS, PAGE_CHARS, region_names
from nlp.retrieval import search

_COMPARE = re.compile(
    r"차이|비교|다른\s*점|다른\s*가|다른지|달라|다르|vs|VS|대비|지역별|각\s*지역|공통점|"
    r"둘\s*다|각각|(어디|누가|누구|어느\s*\S+)\s*(가|이|쪽이|곳이)?\s*더|똑같\S*|"
    r"같은\s*(거|건|것)\s*(야|예요|에요|이에요|인가|인지|임|이야)?\s*[?]*$|"
    r"더\s*(많|크|높|적|작|낮|비싸|싸|길|짧|오래)\S*"
)
# "전북vs인천", "안전보강 VS 기능보강": "vs" is a word of its own, so the region after it is seen.
_VS = re.compile(r"(?<![a-z])vs\.?(?![a-z])", re.IGNORECASE)
# Where one named side ends and the next begins: a conjunction glued to a word of two or more
# letters ("정무기획과랑", "센터와"; not 사랑) or "vs" standing apart. Not 하고, which also
# joins verbs ("시민단체 지원하고 공론화 맡는 부서").
_BETWEEN_SIDES = re.compile(r"(?<=\S\S)(?:이랑|랑|와)(?=\s|$)|\svs\s", re.IGNORECASE)
# "전북 홍보대사는 누구고 인천 … 위원장은 누구예요": two questions joined, one per region.
_JOINED = re.compile(r"(누구|뭐|얼마|어디|언제|몇\s*\S+?)\s*(이)?고(?=\s|$)")
# Whole words of a comparison request that name no topic ("해줘", "뭐가", "알려줘", "많아요").
_FILLER = re.compile(
    r"(?<!\S)("
    r"해\s*줘|해\s*주세요|해\s*주실래요|해\s*봐|하면요?|뭐가|뭔가요|어떻게|어때요?|둘\s*다|각각|"
    r"(누구|뭐|무엇|어디|언제|얼마)(예요|이에요|에요|야|지|죠|인가요|일까요|가|는|임)?|"
    r"(알려|보여)\s*(줘|주세요|줄래요?|주실래요)|있어요|있나요|있어|있나|있는지|있음|점|요|좀|"
    r"(많|적|크|작|높|낮|길|짧)(아|어|은가|나|을까|은지|음)요?|커요?|큼|"
    r"하는|해요|하나요|거|것|가|이|은|는|을|를"
    r")(?!\S)"
)
# A verb ending or topic particle glued to a noun of the topic ("운영해요", "홍보대사는"); other
# particles stay, as nouns end in them too (한옥마을, 정무기획과).
_ENDING = re.compile(r"(?<=[가-힣]{2})(해요|하나요|하는지|해|하는|은|는|꺼|것)(?!\S)")
_ALL_REGIONS = re.compile(r"지역별로?|각\s*지역|지역마다")
# The particle or conjunction right after a region's name ("전북이랑", "인천의", "나주시가").
_AFTER_REGION = re.compile(
    r"^(이랑|랑|하고|과|와|및|의|은|는|이|가|도|에서는|에서|에는|에|,)(?=\s|$)"
)
# The conjunction closing a side ("…인터넷방송이랑 인천 …").
_CONJUNCTION = re.compile(r"(이랑|랑|하고)(?=\s|$)")
# Words that name no topic of a side: comparison words, kind nouns (사업, 공약) and pointers.
_NOT_TOPIC = WORDS["comparison words"] | WORDS["follow-up pointers"] | CUE_WORDS
# A named region's entry must be at least a "did you mean" match (nlp.answer's 30, or 29 on the
# fused scale); for "지역별" (every region) one the bot would answer with (45, fused 33): at 30
# "지역별 자원봉사 사업" showed a 전주 pledge on local currency.
MIN_SCORE = 30.0
FUSED_MIN_SCORE = 29.0
ALL_REGIONS_MIN_SCORE = 45.0
FUSED_ALL_REGIONS_MIN_SCORE = 33.0
SIDE_CANDIDATES = 10  # the ranking a side's entry is chosen from
# What sets two named entries apart is shown as this many of their differing fields, each
# given an equal share of the side's room but at least this many characters.
CONTRAST_SHOWN = 3
MIN_CONTRAST_CHARS = 40
# A region's next entry is offered beside the one shown when it scores at least this share of
# it. Measured on the 194 comparisons of blind sets F–R before the asked-row change: 0.9 → 177,
# 0.8 → 179, 0.7 → 180 right (none shown: 173), U's 40: 36 at each; 0.8 keeps the offer to near
# ties (180 of 194 with the whole change).
RUNNER_UP_SHARE = 0.8
# Fields that identify or date a record rather than say what it does: never what sets two
# entries apart (관리번호 always differs).
RECORD_FIELDS = frozenset({"관리번호", "공약사업명", "기준일", "정·현원 기준일", "회계구분"})
# Kinds that describe a region's work from outside (an audit finding, a performance indicator, a
# team's card): a side names them to get them ("감사 지적사항"), else its work comes first.
INCIDENTAL_KINDS = frozenset({"audit", "indicator", "team"})
# Bodies stand for a side only when its words name them ("인천 새마을회", "인천 소통협력관"):
# "인천 홍보대사 운영" is the work of 홍보대사, not the committee recommending them
# (홍보대사추천위원회).
BODY_KINDS = frozenset({"committee", "civic_group", "department"})
MIN_BODY_WORD = 3  # 새마을회, 소통협력관: shorter pieces (회, 관) name no body
# Bodies named for a side's words are still shown beside its work (departments are not: their
# names hold words of every topic, 소통, 협력, 정책).
SHOWN_BODY_KINDS = frozenset({"committee", "civic_group"})
# Values share about this many characters, so four regions side by side stay within ~600.
VALUE_CHARS_PER_REPLY = 320
MAX_VALUE_CHARS = 150


@dataclass(frozen=True)
class Comparison:
    """One topic per region: the best entry there (None when the region has nothing on it); or,
    when ``named``, the entry each side of the question names."""

    topic: str
    rows: tuple[tuple[str, Entry | None, str | None], ...]  # region, entry, (field, value)
    # a committee or group named for a side's topic that its region's work stood for
    # ("인천 공론화" → 인천형 공론화 추진, and beside it 공론화위원회), by region
    bodies: tuple[tuple[str, Entry], ...] = ()
    named: bool = False
    # a region's entry nearly as close to its side's words as the one shown, by region
    also: tuple[tuple[str, Entry], ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for _, e, _ in self.rows if e is not None)


@dataclass(frozen=True)
class Side:
    """One region of a comparison and the words looked up there; for a named side (``region``
    None, or the region its own words name) the words that name its entry."""

    region: str | None
    topic: str  # the words searched in that region
    asked: str  # the side's own words, which may ask for a field of their own
    named: bool = False
    # fields that set a named side's entry apart from the others' (same kind, other values)
    contrast: tuple[str, ...] = ()


# What to show of an entry on its side: (the entry as ranked there, the side, the whole question,
# room in characters).
Describe = Callable[[Scored, Side, str, int], str | None]


def is_comparison(kb: KnowledgeBase, text: str) -> bool:
    """Whether the message compares regions (two named, or "지역별") or asks to compare two
    things it names ("A랑 B 차이"; ``find_comparison`` then says whether they are two
    entries)."""
    text = _VS.sub(" vs ", text)
    if _ALL_REGIONS.search(text):
        return True
    if not _COMPARE.search(text):  # two questions joined compare regions only
        # as do two regions' things joined by 랑 ("전북 정무기획과랑 인천 시민정책담당관실 인원")
        joined = _JOINED.search(text) or _things_joined(kb, text)
        return bool(joined) and len(_regions_named(kb, text)) >= 2
    return len(_regions_named(kb, text)) >= 2 or len(_named_sides(kb, text)) >= 2


def _things_joined(kb: KnowledgeBase, text: str) -> bool:
    """Whether a conjunction joins two things, not two regions ("전북이랑 인천 주민참여예산
    알려줘" asks for both regions' entries, a list)."""
    return any(
        text[: m.start()].split()[-1].lower() not in kb.index.region_words
        for m in _BETWEEN_SIDES.finditer(text)
        if text[: m.start()].split()
    )


def find_comparison(
    kb: KnowledgeBase,
    text: str,
    *,
    fields: tuple[str, ...] = (),
    describe: Describe | None = None,
) -> Comparison | None:
    """The topic's best entry in each compared region, or the entry each named side names; None
    when not a comparison, when no region has the topic at all, or when a named side finds no
    entry to answer with or the same entry as another side. ``describe`` says what to show of
    each entry (by default the first of ``fields`` it has, else its core fact)."""
    if not is_comparison(kb, text):
        return None
    text = _VS.sub(" vs ", text)
    every = bool(_ALL_REGIONS.search(text)) and len(_regions_named(kb, text)) < 2
    sides = _every_region(kb, text) if every else comparison_sides(kb, text)
    if not sides or not any(kb.index.analyze(side.topic).tokens for side in sides):
        return None
    # "전주랑 나주 공약 비교": each region's pledges, a list with their counts (a side that
    # names nothing takes the other's kind)
    if all(_only_kinds(side.topic) for side in sides if side.topic.split()):
        return None
    describe = describe or (lambda best, _side, _text, room: _fact(best.entry, fields, room))
    room = min(MAX_VALUE_CHARS, VALUE_CHARS_PER_REPLY // len(sides))
    if sides[0].named:
        return _compare_named(kb, sides, text, describe, room)
    rows, bodies, also = [], [], []
    for side in sides:
        best, body, runner = _best_in(kb, side, text, every)
        fact = describe(best, side, text, room) if best else None
        rows.append((side.region, best.entry if best else None, fact))
        if body is not None:
            bodies.append((side.region, body))
        if runner is not None:
            also.append((side.region, runner))
    if not any(entry for _, entry, _ in rows):
        return None
    return Comparison(_label(sides), tuple(rows), tuple(bodies), also=tuple(also))


def _compare_named(
    kb: KnowledgeBase, sides: list[Side], text: str, describe: Describe, room: int
) -> Comparison | None:
    """Each named side's entry with what sets it apart; None unless every side finds an entry
    of its own."""
    found = [_named_entry(kb, side) for side in sides]
    entries = [best.entry for best in found if best is not None]
    if len({entry.id for entry in entries}) < len(sides):
        return None  # not two entries: the question is answered as one
    contrast = contrast_fields(entries)
    rows = []
    for side, best in zip(sides, found, strict=True):
        fact = describe(best, replace(side, contrast=contrast), text, room)
        rows.append((best.entry.region, best.entry, fact))
    return Comparison(_label(sides), tuple(rows), named=True)


def contrast_fields(entries: list[Entry]) -> tuple[str, ...]:
    """The fields every one of ``entries`` has, in the first one's order, whose values are not
    all the same (what sets them apart: 지원조건 of 코디네이터 지원(도) and (시군)); none unless
    they are of one kind. Fields that only identify or date a record are left out."""
    if len({entry.kind for entry in entries}) != 1:
        return ()
    first, *rest = entries
    return tuple(
        name
        for name, value in first.fields.items()
        if name not in RECORD_FIELDS
        and all(name in other.fields for other in rest)
        and any(other.fields[name] != value for other in rest)
    )


def _label(sides: list[Side]) -> str:
    """The compared topic as the reply names it: each side's words without the field asked for
    ("홍보대사 예산" → 홍보대사), each topic once ("'홍보대사'", not "'홍보대사 · 홍보대사
    예산'")."""
    topics = []
    for side in sides:
        words = [w for w in side.topic.split() if strip_particle(w) not in _NOT_TOPIC]
        topics.append(" ".join(words) or side.topic)
    return " · ".join(dict.fromkeys(t for t in topics if t))


def format_comparison(comparison: Comparison) -> str:
    """One line per region (or per named entry); the first sentence says where the topic
    exists, or what is compared."""
    if comparison.named:
        return _format_named(comparison)
    having = [region for region, entry, _ in comparison.rows if entry is not None]
    lacking = [region for region, entry, _ in comparison.rows if entry is None]
    topic = f"'{comparison.topic}'"
    head = (
        f"{topic}{object_particle(comparison.topic)} 지역별로 비교합니다: "
        f"자료가 있는 지역은 {', '.join(having)}입니다."
    )
    if lacking:
        head += f" {', '.join(lacking)} 자료에서는 관련 항목을 찾지 못했습니다."
    lines = [head]
    for region, entry, fact in comparison.rows:
        if entry is None:
            continue
        line = f"■ {region}: {entry.title}" + _bullets(fact)
        for body in (b for r, b in comparison.bodies if r == region):
            line += f"\n   · 관련 {KIND_LABELS.get(body.kind, body.kind)}: {body.title}"
        lines.append(line)
    lines.append("항목 버튼을 누르면 자세히 알려 드립니다.")
    return _with_runners_up("\n".join(lines), comparison)


def _with_runners_up(text: str, comparison: Comparison) -> str:
    """``text`` with each region's runner-up under its entry, as far as the page has room: the
    entries that close are offered, not hidden (the side's words may mean either)."""
    lines = text.split("\n")
    for region, other in comparison.also:
        added = f"   · 비슷한 항목: {other.title}"
        if len(text) + len(added) + 1 > PAGE_CHARS:
            break
        at = next(i for i, line in enumerate(lines) if line.startswith(f"■ {region}:"))
        end = next(
            (i for i in range(at + 1, len(lines)) if not lines[i].startswith("   ")), len(lines)
        )
        lines.insert(end, added)
        text = "\n".join(lines)
    return text


def _format_named(comparison: Comparison) -> str:
    """ "'A'와 'B'를 나란히 비교합니다.", then each entry with its region, kind and fact."""
    names = [f"'{name}'" for name in comparison.topic.split(" · ")]
    joined = "".join(
        f"{name}{'과' if subject_particle(name) == '이' else '와'} " for name in names[:-1]
    )
    head = f"{joined}{names[-1]}{object_particle(names[-1])} 나란히 비교합니다."
    lines = [head]
    for region, entry, fact in comparison.rows:
        kind = KIND_LABELS.get(entry.kind, entry.kind)
        line = f"■ {entry.title} ({region} · {kind})" + _bullets(fact)
        lines.append(line)
    lines.append("항목 버튼을 누르면 자세히 알려 드립니다.")
    return "\n".join(lines)


def _bullets(fact: str | None) -> str:
    """A side's fact as bullet lines under its entry, one per line of the fact."""
    return "".join(f"\n   · {line}" for line in (fact or "").splitlines())


def region_spans(kb: KnowledgeBase, text: str) -> list[tuple[int, int, str]]:
    """(start, end, region) of each region the text names at the start of a word, in order:
    "밤이나 주말" does not name 나주, "굿모닝인천" not 인천."""
    lowered = text.lower()
    spans: list[tuple[int, int, str]] = []
    for word, region in kb.index.region_words.items():  # longest spelling first
        for match in re.finditer(rf"(?<![0-9a-z가-힣]){re.escape(word)}", lowered):
            start, end = match.span()
            if not any(s < end and start < e for s, e, _ in spans):
                spans.append((start, end, region))
    return sorted(spans)


def comparison_sides(kb: KnowledgeBase, text: str) -> list[Side]:
    """Each named region with the words of its side of the question, or when fewer than two
    regions are named each named side (see the module's docstring); [] when neither has two
    sides."""
    text = _VS.sub(" vs ", text)
    return _region_sides(kb, text) or _named_sides(kb, text)


def _regions_named(kb: KnowledgeBase, text: str) -> set[str]:
    return {region for _, _, region in region_spans(kb, text)}


def _region_sides(kb: KnowledgeBase, text: str) -> list[Side]:
    spans = region_spans(kb, text)
    merged: list[tuple[str, str]] = []  # region, its side's text
    for i, (_, end, region) in enumerate(spans):
        following = text[end : spans[i + 1][0]] if i + 1 < len(spans) else text[end:]
        following = _AFTER_REGION.sub("", following).strip()
        if merged and merged[-1][0] == region:  # "전북 도청이 하는 거": one side
            merged[-1] = (region, f"{merged[-1][1]} {following}")
        else:
            merged.append((region, following))
    if len({region for region, _ in merged}) < 2:
        return []
    shared = _topic_words(text[: spans[0][0]])
    owns = {region: _topic_words(words) for region, words in merged}
    contents = {region: _content(kb, words) for region, words in owns.items()}
    sides = []
    for region, own in owns.items():
        richer = [
            other
            for other in owns
            if other != region and contents[region] < contents[other]  # a proper subset
        ]
        words = own.split()
        if richer:
            donor = max(richer, key=lambda other: len(contents[other]))
            words += [w for w in _after_shared(words, owns[donor].split()) if w not in words]
        topic = " ".join(dict.fromkeys([*shared.split(), *words]))
        sides.append(Side(region, topic, own))
    return sides


def _named_sides(kb: KnowledgeBase, text: str) -> list[Side]:
    """The sides of "A랑 B 비교", each with the words that name it and the region they name
    (only a side's own: "도에서 내는 소식지랑 인천 시 잡지" is not about 인천 twice); a part
    that names nothing but a field ("… 위원장이랑 인원") is asked of every side. [] when fewer
    than two parts name something."""
    parts = [_topic_words(part) for part in _BETWEEN_SIDES.split(text)]
    owns = [part for part in parts if not _names_nothing(kb, part)]
    if len(owns) < 2:
        return []
    # a region the question opens with is where a side naming none is looked for first ("인천
    # 마을공동체 공모사업이랑 지원센터 운영": 인천's support centre, not 전북's)
    opening = next(iter(region_spans(kb, " ".join(text.split()[:1]))), None)
    sides = []
    for n, own in enumerate(owns):
        other = owns[n - 1] if n else owns[1]
        donor = [w for w in other.split() if _content(kb, w)]
        words = own.split()
        if len(words) < len(donor) and not _content(kb, own) & _content(kb, other):
            # a variant of the other side's thing: "정착지원 직접이랑 시군" → 정착지원 시군
            words = [*donor[: len(donor) - len(words)], *words]
        region = next((r for _, _, r in region_spans(kb, own)), None)
        if region is None and opening is not None:
            region = opening[2]
        sides.append(Side(region, " ".join(words), own, named=True))
    return sides


def _names_nothing(kb: KnowledgeBase, words: str) -> bool:
    """Whether the words are empty or only ask for a field ("인원", "위원장") or compare."""
    return all(
        strip_particle(word) in _NOT_TOPIC
        or not _content(kb, word)
        and bool(kb.index.analyze(word).tokens)
        for word in words.split()
    )


def _named_entry(kb: KnowledgeBase, side: Side) -> Scored | None:
    """The entry a named side's words find first, as the question alone would; None below the
    answer band."""
    ranked = search(kb.index, kb.index.analyze(side.topic), preferred_region=side.region, limit=1)
    if not ranked or ranked[0].score < _floor(ranked, every=True):
        return None
    return ranked[0]


def _after_shared(own: list[str], donor: list[str]) -> list[str]:
    """The donor's words after the last one both sides say: the head a modifier shares ("sns"
    + "sns 홍보" → 홍보), not the other side's own modifier ("공론화" + "한옥마을 공론화" → none);
    all of them when the sides share none ("" + "주민참여예산")."""
    shared = [i for i, word in enumerate(donor) if word in own]
    return donor[shared[-1] + 1 :] if shared else donor


def _every_region(kb: KnowledgeBase, text: str) -> list[Side]:
    topic = _topic_words(_without_regions(kb, text))
    return [Side(region, topic, topic) for region in region_names(kb)]


def _best_in(
    kb: KnowledgeBase, side: Side, text: str, every: bool
) -> tuple[Scored | None, Entry | None, Entry | None]:
    """The side's best entry in its region: of the kind the side names (or else the question)
    when one is close enough ("전주시 공약"), else the first that is neither incidental nor a
    body the side does not name (unless a finding or indicator is named for most of the side's
    words), else the first; None below the floor. For "지역별" the entry's name must hold a
    word of the topic: "지역별 자원봉사 사업" showed a 전주 pledge on local currency that
    mentions 자원봉사 once. Second, a committee or group named for the side's words that the
    region's work was chosen over (shown beside it), or None."""
    query = kb.index.analyze(f"{side.region} {side.topic}")
    ranked = search(kb.index, query, preferred_region=side.region, limit=SIDE_CANDIDATES)
    floor = _floor(ranked, every)
    local = [s for s in ranked if s.entry.region == side.region and s.score >= floor]
    if every:  # no region was named: only an entry named for the topic speaks for its region
        words = _content(kb, side.topic)
        local = [s for s in local if any(w in _name_of(s.entry) for w in words)]
    kinds = _kinds(side.asked) or _kinds(text)
    named = next((s for s in local if s.entry.kind in kinds), None)
    if named is not None or not local:
        return named, None, _runner_up(local, named, None)
    # what a region does, not how it was audited or measured, nor a body the side does not name
    # (the other side's kind, 전주 "공약", is no kind of 전북's: its work is)
    said = side.topic.replace(" ", "").lower()
    work = next(
        (
            s
            for s in local
            if s.entry.kind not in INCIDENTAL_KINDS
            and (s.entry.kind not in BODY_KINDS or _names_body(kb, s.entry, said))
        ),
        None,
    )
    if work is None:
        return local[0], None, _runner_up(local, local[0], None)
    words = _content(kb, side.topic)
    body = next(
        (
            s.entry
            for s in local
            if s.entry.kind in SHOWN_BODY_KINDS and s is not work and _held(s.entry, words)
        ),
        None,
    )
    # a finding or indicator named for most of the side's words, and more of them than the work
    # ("도정 인지도 조사" → 도정 핵심사업 인지도(%), not a news item on 도정 홍보; "블로그
    # 기자단" is not 블로그 방문횟수)
    least = max(_held(work.entry, words), len(words) // 2)
    best = next(
        (s for s in local if s.entry.kind in INCIDENTAL_KINDS and _held(s.entry, words) > least),
        work,
    )
    return best, body, _runner_up(local, best, body)


def _runner_up(local: list[Scored], best: Scored | None, body: Entry | None) -> Entry | None:
    """The region's next entry after the one shown (and its body) when it scores at least
    RUNNER_UP_SHARE of it: the side's words may mean either ("전북 sns 홍보": 파워블로거 활용
    도정 홍보, and 온라인 매체를 통한 도정 소식 제공); None otherwise."""
    if best is None:
        return None
    rest = (s for s in local if s is not best and (body is None or s.entry.id != body.id))
    after = next(rest, None)
    return after.entry if after and after.score >= RUNNER_UP_SHARE * best.score else None


def _held(entry: Entry, words: frozenset[str]) -> int:
    """How many of the words the entry's name holds."""
    name = _name_of(entry)
    return sum(w in name for w in words)


def _names_body(kb: KnowledgeBase, entry: Entry, said: str) -> bool:
    """Whether the side's compact words hold a whole word of the body's name, regions taken out
    ("새마을회" of 인천광역시 새마을회, "소통협력관"; "공론화" does not name 공론화위원회)."""
    for word in entry.title.lower().split():
        for spelling in kb.index.region_words:  # longest spelling first
            word = word.replace(spelling, "")
        if len(word) >= MIN_BODY_WORD and word in said:
            return True
    return False


def _name_of(entry: Entry) -> str:
    return " ".join((entry.title, *entry.aliases)).replace(" ", "").lower()


def _floor(ranked: list[Scored], every: bool) -> float:
    fused = bool(ranked) and ranked[0].semantic is not None
    if every:
        return FUSED_ALL_REGIONS_MIN_SCORE if fused else ALL_REGIONS_MIN_SCORE
    return FUSED_MIN_SCORE if fused else MIN_SCORE


def _only_kinds(words: str) -> bool:
    """Whether the words name kinds and nothing else ("공약", "위원회들")."""
    said = [strip_particle(w).removesuffix("들") for w in words.split()]
    return bool(said) and all(w in KIND_NAMES for w in said)


def _kinds(words: str) -> frozenset[str]:
    """The entry kinds the words name as words of their own, most specific first ("공약" →
    pledges, "사업" → programs and plans, not teams; "민간단체" is a topic, not the kind 단체);
    empty when they name none."""
    said = {strip_particle(word) for word in _CONJUNCTION.sub(" ", words).split()}
    named = [kinds for word, kinds in KIND_WORDS if word in said]
    return frozenset(named[0]) if named else frozenset()


def _content(kb: KnowledgeBase, words: str) -> frozenset[str]:
    """The side's words that name a topic (not 사업, 차이, 예산, 전화번호 …)."""
    tokens = kb.index.analyze(words).tokens
    return frozenset(t for t in tokens if t not in _NOT_TOPIC and not asks_only(t, CUE_WORDS))


def _topic_words(text: str) -> str:
    """A side's words without comparison requests, conjunctions and fillers."""
    text = _JOINED.sub(" ", _COMPARE.sub(" ", re.sub(r"[?.!,]", " ", text)))
    text = _ALL_REGIONS.sub(" ", text)
    text = _ENDING.sub("", _CONJUNCTION.sub(" ", text))
    return " ".join(_FILLER.sub(" ", text).split())


def _fact(entry: Entry, fields: tuple[str, ...], room: int) -> str | None:
    for name in (*fields, "사업내용", "주요내용", "목적", "목표", "내용", "분야", "구성"):
        value = entry.fields.get(name)
        if value:
            return f"{name}: {clip(value, room)}"
    return None


def contrast_line(entry: Entry, fields: tuple[str, ...], room: int) -> str | None:
    """The first CONTRAST_SHOWN of ``fields`` the entry has, "name: value" each, sharing
    ``room``; None when it has none."""
    shown = [name for name in fields if entry.fields.get(name)][:CONTRAST_SHOWN]
    if not shown:
        return None
    share = max(MIN_CONTRAST_CHARS, room // len(shown))
    return " / ".join(
        f"{name}: {clip(entry.fields[name], share - len(name) - 2)}" for name in shown
    )


def clip(value: str, room: int) -> str:
    """A field's lines on one line, cut to ``room`` characters."""
    value = " / ".join(line.strip() for line in value.splitlines() if line.strip())
    return value if len(value) <= room else value[: room - 1] + "…"


def _without_regions(kb: KnowledgeBase, text: str) -> str:
    """The text with the regions it names (and their particles) taken out."""
    for start, end, _ in reversed(region_spans(kb, text)):
        rest = _AFTER_REGION.sub("", text[end:])
        text = f"{text[:start]} {rest}"
    return text
