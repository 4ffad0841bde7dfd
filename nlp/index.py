"""Search index over knowledge entries: recall by morphemes and title n-grams, re-rank with
rapidfuzz.

Scoring, all on a 0–100 scale:
- ``coverage``: how much of the question (its content words, weighted by rarity) the entry
  holds — in its name, its key fields or its body. Out-of-scope questions that share one word
  with the knowledge base ("축구 경기 결과") cover little of themselves, so they stay low.
- ``name``: how much of the entry's name the question spells out (character bigrams), which
  rescues unspaced and slightly misspelled names.
- ``fuzzy``: rapidfuzz partial ratio of name and question on jamo, for typos.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.model import Entry

if TYPE_CHECKING:
    from nlp.semantic import SemanticIndex
from nlp.jamo import to_jamo
from nlp.normalizer import compact, normalize, squeeze
from nlp.tokenizer import Tokenizer

# Words that shape a question but name nothing: dropped before matching.
STOPWORDS = frozenset(
    """
어떻다 어떻게 어떤 되다 하다 있다 없다 이다 아니다 알다 알리다 주다 보다 싶다 가다 오다 말다 모르다
궁금 궁금하다
뭐 뭔가 뭐임 뭐야 무엇 무슨 어디 어디서 어디에 언제 누구 누가 왜 몇 얼마 얼마나 좀 꼭 정말 진짜
혹시 그냥 그거 이거 저거
것 거 수 등 및 때 중 더 요 임 용 관련 대해 대하 대한 관하다 나요 가요 까요 지요 인가요 해주다
알려주다 부탁 부탁드리다
ㅇㅇ ㅎㅎ ㅋㅋ ㅠㅠ 제발 그 이 저 내 네 니 우리 저희 여기 거기 말 하나 있나 되나 시 개 명 번 회 데
해 돼 뭘 줄
있어 있나요 없어 해요 했어 했어요 하나요 인가 뭐야 알려줘 어디야 언제야 얼마야 몇개 몇명 몇번
어떻게 됐어 되나요 거야 건가요
이에 또한 통해 위해 따른 대한 있는 하는 되는 이에요 예요 인가요 나요 너무 완전 매우 많이 계속 자꾸
항상 또
머 머임 머야 머지 뭐지 뭔데 뭐였 ㄹㅇ ㅇㅈ 대요 래요 까지 부터 마다 만들다 받다 생기다 나오다
물어보다 새롭다 같다 그렇다 이렇다
""".split()
)
# Words that say which field is wanted (조건, 예산 …): they steer the answer, not the match.
CUE_WEIGHT = 0.3
CUE_WORDS = frozenset(
    """
조건 대상 자격 신청 지원조건 예산 금액 비용 돈 사업비 담당 부서 연락처 전화 번호 문의 팀 기간 일정
날짜 인원 정원 현원
내용 목적 효과 위원장 대표 주소 위치 이행률 실적 목표 계획 규모 얼마 소속 어느
""".split()
)

# How much a question word counts when found in the entry's name, key fields or body. Chosen
# by a grid search on benchmarks/questions.tsv (0.6–0.92 × 0.8–0.92 × coverage weight 0.6–0.8):
# body facts must count nearly fully or detail questions ("한마음대회 언제") never reach the
# answer band; the out-of-scope questions stay out because their other words are found nowhere.
NAME_MATCH, FIELD_MATCH, BODY_MATCH, TYPO_MATCH = 1.0, 0.92, 0.85, 0.75
TYPO_MIN_RATIO = 80  # jamo similarity for a word to count as a misspelling of a known word
TYPO_MIN_CHARS = 3  # two-syllable "typos" are too often other words (공제 → 경제)
COMPOUND_COVERAGE = 0.8  # known words must cover this much of an unknown word to replace it
W_PHRASE = 8.0
# A synonym (강아지 → 반려동물) is weaker evidence than the word itself: "강아지 산책" is not a
# question about 반려동물 놀이터.
SYNONYM_FACTOR = 0.75  # two question words found side by side in the entry ("홍보대사 운영")
# Re-measured by a grid (name words 0.08–0.22 × name bigrams 0.04–0.14 × umbrella 0.8/0.9 ×
# exact-name bonus 8/12) on benchmarks/questions.tsv: top-1 stayed within 0.932–0.935, so the
# simplest mix that scored best was kept. Coverage of the question carries the decision.
W_COVERAGE, W_NAME_WORDS, W_NAME, W_FUZZY = 0.78, 0.08, 0.08, 0.06
# A citizen who types an entry's whole name (홍보기획과, 다문화가족지원센터) means that entry,
# even when a sibling covers the rest of the question better ("홍보기획과 소속 팀" → 홍보협력팀).
EXACT_NAME_BONUS = 12.0
EXACT_NAME_MIN_CHARS = 3
# A body that mentions the asked-about word several times is about it (tf, capped).
REPEAT_BONUS, MAX_REPEAT_BONUS_COUNT = 0.03, 3
# Departments and teams list every duty they own; when the question names none of their
# words and asks no "who/where", the specific program or plan is the better answer.
UMBRELLA_KINDS = frozenset({"department", "team"})
UMBRELLA_FACTOR = 0.8
CONTACT_CUES = frozenset({"담당", "부서", "연락처", "전화", "문의", "팀", "소속", "어느", "번호"})
MENTIONED_REGION_FACTOR = 0.55  # entries outside a region the question names
PREFERRED_REGION_FACTOR = 0.85  # entries outside the citizen's chosen region (/region)
# A message is analysed by the dialogue (is it a follow-up?) and again by the responder; the
# last few analyses are kept so the tagger (most of a message's cost) runs once per message.
RECENT_QUERIES = 8
RECALL_LIMIT = 60  # candidates re-ranked per question
GRAM_VOTE = 0.5  # recall vote for each name bigram shared with the question
MIN_TOKEN_LEN = 2  # segment words from unspaced text only from this length
MAX_KEY_FIELD_CHARS = 400  # longer field values count as body text
MAX_SEGMENT_LEN = 10
VERB_ENDINGS = frozenset("하해했")  # 유치하(다), 운영해(요), 선정했(어요)
# Verb and adjective stems in a question ("만든다던데", "생기면") say less about its topic than
# its nouns do; they count at this share of their rarity.
PREDICATE_WEIGHT = 0.5


@dataclass(frozen=True)
class Query:
    """A question analysed once: normalized text, content tokens with weights, region."""

    text: str
    compact: str
    bare: str  # compact without the region words: what names are compared against
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    cues: frozenset[str]
    region: str | None
    recall_only: tuple[str, ...] = ()  # words as typed that a longer token replaced for scoring
    predicates: frozenset[str] = frozenset()  # verb and adjective stems among the tokens


@dataclass(frozen=True)
class Scored:
    """A candidate entry with its score and the parts it was built from (for tests and tuning)."""

    entry: Entry
    score: float
    coverage: float
    name: float
    fuzzy: float
    lexical: float | None = None  # the word score before fusion (None: not fused)
    semantic: float | None = None  # cosine of the best passage (None: no semantic index)
    passage: str | None = None  # the passage that matched by meaning, to quote


@dataclass
class _Doc:
    entry: Entry
    names: tuple[str, ...]  # compact, lower-case title and aliases
    names_jamo: tuple[str, ...]
    name_tokens: frozenset[str]
    name_tokens_jamo: tuple[str, ...]  # name words of two or more letters, for typo matching
    name_grams: tuple[frozenset[str], ...]
    field_text: str  # compact key fields (department, team, short field values)
    body_text: str  # compact full body
    spaced_text: str  # key fields and body as " word word … ", for matches at a word's start


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of a compact string (the string itself when shorter than 2)."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset([text])


class SearchIndex:
    """Immutable once built; ``search`` is safe to call from many threads."""

    def __init__(
        self,
        docs: list[_Doc],
        tokenizer: Tokenizer,
        synonyms: dict[str, tuple[str, ...]],
        region_words: Mapping[str, str] | None = None,
    ) -> None:
        self._docs = docs
        self._number = {doc.entry.id: number for number, doc in enumerate(docs)}
        # Set by nlp.semantic.SemanticService once the passage vectors are ready (a background
        # thread); until then retrieval is lexical only.
        self.semantic: SemanticIndex | None = None
        self._tokenizer = tokenizer
        self._synonyms = synonyms
        # Region words a citizen may use → the region they mean (the knowledge directory's
        # regions.yaml); without them, each entry's region name stands for itself.
        words_of_regions = region_words or {d.entry.region: d.entry.region for d in docs}
        self._region_words = {compact(w).lower(): r for w, r in words_of_regions.items()}
        self._region_order = sorted(self._region_words, key=len, reverse=True)
        # Public, longest spelling first: the words a citizen uses for each region.
        self.region_words: dict[str, str] = {w: self._region_words[w] for w in self._region_order}
        self._recent: dict[tuple[str, bool], Query] = {}  # see RECENT_QUERIES
        postings: dict[str, set[int]] = defaultdict(set)
        gram_postings: dict[str, list[int]] = defaultdict(list)
        words: set[str] = set()
        for number, doc in enumerate(docs):
            doc_words = _words(doc.entry)
            words.update(doc_words)
            words.update(doc.name_tokens)
            for key in doc.name_tokens | _prefixes(doc_words):
                postings[key].add(number)
            for gram in set().union(*doc.name_grams):
                gram_postings[gram].append(number)
        total = max(len(docs), 1)
        self._idf = {w: math.log(1 + total / len(ids)) for w, ids in postings.items()}
        # Posting lists as integer arrays: recall adds votes for thousands of entries per word
        # with one numpy operation, which keeps p99 low at 10,000 entries.
        self._postings = {w: np.fromiter(ids, dtype=np.int32) for w, ids in postings.items()}
        self._gram_postings = {
            g: np.asarray(ids, dtype=np.int32) for g, ids in gram_postings.items()
        }
        self._max_idf = math.log(1 + total)
        self._vocab = frozenset(w for w in words if len(w) >= MIN_TOKEN_LEN)  # whole words only
        # Unspaced text is cut only into words of three or more letters, or two-letter words of
        # some entry's name: two-letter body words are mostly function words ("이에", "통해").
        names = {w for d in docs for w in d.name_tokens}
        self._name_words = frozenset(
            w
            for d in docs
            for n in (d.entry.title, *d.entry.aliases)
            for w in _WORD.findall(n.lower())
            if len(w) >= 3
        )
        self._segment_vocab = frozenset(w for w in self._vocab if len(w) >= 3 or w in names)
        # Typos keep the number of syllables (치메/치매, 굳모닝/굿모닝); comparing only words of
        # the same length stops "제주도" from becoming "제도".
        # Candidates are also grouped by first consonant (세마을/새마을 share ㅅ), so a
        # 10,000-entry vocabulary costs a few hundred comparisons per unknown word, not tens of
        # thousands.
        groups: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in sorted(w for w in self._vocab if all("가" <= c <= "힣" for c in w)):
            groups[(len(word), to_jamo(word[0])[0])].append(word)
        self._spelling_groups = {key: (ws, [to_jamo(w) for w in ws]) for key, ws in groups.items()}

    @classmethod
    def build(
        cls,
        entries: Iterable[Entry],
        tokenizer: Tokenizer,
        synonym_groups: Sequence[Sequence[str]] = (),
        *,
        region_words: Mapping[str, str] | None = None,
    ) -> SearchIndex:
        """Tokenize every entry once; the result answers queries without touching entries again."""
        synonyms: dict[str, tuple[str, ...]] = {}
        for group in synonym_groups:
            for word in group:
                synonyms[compact(word)] = tuple(
                    compact(w) for w in group if compact(w) != compact(word)
                )
        docs = [_make_doc(entry, tokenizer) for entry in entries]
        return cls(docs, tokenizer, synonyms, region_words)

    def __contains__(self, word: object) -> bool:
        """True when ``word`` is a whole word of some entry (name, fields or body)."""
        return word in self._vocab

    def synonyms_of(self, word: str) -> tuple[str, ...]:
        """The curated synonyms of ``word`` (compact), without the word itself."""
        return self._synonyms.get(word, ())

    def __len__(self) -> int:
        return len(self._docs)

    def entry(self, entry_id: str) -> Entry | None:
        """The indexed entry with this id, or None."""
        number = self._number.get(entry_id)
        return None if number is None else self._docs[number].entry

    def analyze(self, text: str, *, casual: bool = True) -> Query:
        """Normalize, tokenize, segment unspaced words, drop stopwords, find the region.

        ``casual=False`` skips konlpy's chat-spelling normalization, which takes more than half
        of its time: enough to find a complaint's topic words, not to answer a question.
        """
        key = (text, casual)
        recent = self._recent.get(key)
        if recent is not None:
            return recent
        query = self._analyze(text, casual)
        if len(self._recent) >= RECENT_QUERIES:
            self._recent.clear()
        self._recent[key] = query
        return query

    def _analyze(self, text: str, casual: bool) -> Query:
        text = normalize(text)
        squeezed = text.replace(" ", "").lower()
        region = self._mentioned_region(squeezed)
        # Verbs come back as stems ("어떻게" → 어떻), the stopword list holds them as 어떻다.
        tagged = self._tokenizer.tagged(_split_question_words(text), casual=casual)
        raw = [t for t, _ in tagged if t not in STOPWORDS and f"{t}다" not in STOPWORDS]
        stems = {t for t, predicate in tagged if predicate} - {
            t for t, predicate in tagged if not predicate
        }
        words = [
            word for word in text.lower().split() if strip_particle(word) not in self._region_words
        ]
        # Each typed word is segmented on its own ("다문화가족지원센터어디서"); two typed words
        # are joined only into a word of some entry's name ("자녀 학자금" → 자녀학자금). Joining
        # into any body word made "확산 사업" the 확산사업 of one entry and missed the entry that
        # says "확산으로 … 사업"; on the blind sets this lost no question and won five.
        typed = [piece for word in words for piece in _segment(word, self._segment_vocab)]
        bare_words = [strip_particle(word) for word in words]
        segmented = typed + [
            joined
            for first, second in zip(bare_words, bare_words[1:])
            if (joined := first + second) in self._name_words
        ]
        # A misspelled compound ("자원봉살") is tagged into fragments ("봉살"); spell it whole.
        # Only a word the tagger could not read is misspelled ("자원봉살" → 자원 + unknown 봉살); a
        # verb form or a suffixed known word is not ("다치면" ≠ 다시면, "관련해서" ≠ 관련부서,
        # "단체당" ≠ 단체장).
        unknown = [t for t, predicate in tagged if not predicate and t not in self._vocab]
        misspelled = {
            word: fixed
            for word in bare_words
            if any(piece in word for piece in unknown) and (fixed := self._spell(word)) != word
        }
        segmented += misspelled.values()
        for word in raw:
            if word in self._vocab or len(word) < 3:
                continue
            inside = [piece for piece in segmented if piece in word and piece != word]
            if sum(map(len, inside)) < COMPOUND_COVERAGE * len(word):
                # "아이유" is not "아이" + something: keep the unknown word, drop the fragments.
                segmented = [piece for piece in segmented if piece not in inside]
        tokens, seen = [], set()
        for token in raw + segmented:
            if token in seen or token in self._region_words or not token.strip():
                continue
            if len(token) == 1 and "가" <= token <= "힣" and token not in CUE_WORDS:
                continue  # a lone syllable ("하", "가") is a stray ending, not a topic
            if token not in self._vocab and any(token in s and token != s for s in segmented):
                continue  # an unknown compound that segmentation explained ("다문화가족지원센터")
            if any(token in word for word in misspelled):
                continue
            seen.add(token)
            tokens.append(token)
        tokens = [self._spell(self._verb_noun(t)) for t in tokens]
        tokens = [
            t
            for t in dict.fromkeys(tokens)
            if not any(t != o and t in o and o in self._vocab for o in tokens) or t in CUE_WORDS
        ]
        cues = frozenset(t for t in tokens if t in CUE_WORDS) | frozenset(
            c for c in CUE_WORDS if c in squeezed
        )
        predicates = frozenset(t for t in tokens if t in stems)
        weights = tuple(
            self._weight(t) * (PREDICATE_WEIGHT if t in predicates else 1.0) for t in tokens
        )
        # A phrase one entry writes unspaced ("공공외교한마당") must not hide the entries that
        # write the words apart: the words as typed also find candidates.
        recall_only = tuple(p for p in dict.fromkeys(typed) if p not in tokens)
        return Query(
            text,
            squeezed,
            "".join(words) or squeezed,
            tuple(tokens),
            weights,
            cues,
            region,
            recall_only,
            predicates,
        )

    def _verb_noun(self, token: str) -> str:
        """A verb stem or form built on a known noun is that noun ("유치하" → "유치", "운영해" →
        "운영"):
        the tagger's stem and the rare body word "운영해" would miss every entry that says 유치."""
        if len(token) >= 3 and token[-1] in VERB_ENDINGS and token[:-1] in self._vocab:
            return token[:-1]
        return token

    def _spell(self, token: str) -> str:
        """An unknown Hangul word one or two jamo away from a known word is that word (굳모닝 →
        굿모닝)."""
        if (
            token in self._vocab
            or token in CUE_WORDS
            or len(token) < TYPO_MIN_CHARS
            or not all("가" <= c <= "힣" for c in token)
        ):
            return token
        group = self._spelling_groups.get((len(token), to_jamo(token[0])[0]))
        if not group:
            return token
        words, jamo = group
        found = process.extractOne(
            to_jamo(token), jamo, scorer=fuzz.ratio, score_cutoff=TYPO_MIN_RATIO
        )
        return words[found[2]] if found else token

    def _weight(self, token: str) -> float:
        idf = self._idf.get(token, self._max_idf)
        if token in CUE_WORDS:
            return idf * CUE_WEIGHT
        if len(token) == 1:
            return idf * 0.5
        return idf

    def search(
        self,
        query: Query,
        *,
        preferred_region: str | None = None,
        limit: int = 5,
        also: Iterable[str] = (),
    ) -> list[Scored]:
        """Best entries for ``query``, highest score first; the entries ``also`` names (found by
        meaning) are scored too, even when no word of the question recalls them."""
        if not query.tokens and len(query.compact) < 2:
            return []
        candidates = self._recall(query)
        recalled = set(candidates)
        candidates += [
            n
            for n in dict.fromkeys(self._number[i] for i in also if i in self._number)
            if n not in recalled
        ]
        grams, jamo = bigrams(query.bare), to_jamo(query.bare)
        scored = [
            self._score(self._docs[i], query, preferred_region, grams, jamo) for i in candidates
        ]
        scored.sort(key=lambda s: (-s.score, s.entry.id))
        return scored[:limit]

    def _recall(self, query: Query) -> list[int]:
        votes = np.zeros(len(self._docs), dtype=np.float32)
        for token, weight in zip(query.tokens, query.weights):
            for variant in (token, *self._synonyms.get(token, ())):
                ids = self._postings.get(variant)
                if ids is not None:
                    votes[ids] += weight
        for word in query.recall_only:
            ids = self._postings.get(word)
            if ids is not None:
                votes[ids] += self._weight(word)
        common = max(50, len(self._docs) // 5)
        for gram in bigrams(query.compact):
            ids = self._gram_postings.get(gram)
            if ids is not None and len(ids) <= common:
                votes[ids] += GRAM_VOTE
        found = int(np.count_nonzero(votes))
        if not found:
            return []
        limit = min(RECALL_LIMIT, found)
        best = np.argpartition(-votes, limit - 1)[:limit]
        return [int(i) for i in best[np.argsort(-votes[best], kind="stable")]]

    def _score(
        self,
        doc: _Doc,
        query: Query,
        preferred_region: str | None,
        query_grams: frozenset[str],
        query_jamo: str,
    ) -> Scored:
        total = sum(query.weights) or 1.0
        matches = [self._match(doc, t, t in query.predicates) for t in query.tokens]
        coverage = sum(w * m for w, (m, _) in zip(query.weights, matches)) / total
        name_words = sum(w for w, (_, in_name) in zip(query.weights, matches) if in_name) / total
        name = max((len(g & query_grams) / len(g) for g in doc.name_grams), default=0.0)
        fuzzy = max((fuzz.partial_ratio(n, query_jamo) / 100 for n in doc.names_jamo), default=0.0)
        score = 100 * (
            W_COVERAGE * coverage + W_NAME_WORDS * name_words + W_NAME * name + W_FUZZY * fuzzy
        )
        pairs = [
            a + b for a, b in zip(query.tokens, query.tokens[1:]) if len(a) >= 2 and len(b) >= 2
        ]
        if pairs:
            together = sum(
                1
                for p in pairs
                if p in doc.field_text or p in doc.body_text or any(p in n for n in doc.names)
            )
            score += W_PHRASE * together / len(pairs)
        if doc.entry.kind in UMBRELLA_KINDS and name_words == 0 and not query.cues & CONTACT_CUES:
            score *= UMBRELLA_FACTOR
        named = max(
            (len(n) for n in doc.names if len(n) >= EXACT_NAME_MIN_CHARS and n in query.bare),
            default=0,
        )
        if named:
            score += EXACT_NAME_BONUS * min(1.0, named / 6)
        region = doc.entry.region
        if query.region and region != query.region:
            score *= MENTIONED_REGION_FACTOR
        elif preferred_region and not query.region and region != preferred_region:
            score *= PREFERRED_REGION_FACTOR
        return Scored(doc.entry, score, coverage, name, fuzzy)

    def _mentioned_region(self, squeezed: str) -> str | None:
        """The region a question names ("전북 …", "인천시에서 …"), longest spelling first."""
        for word in self._region_order:
            if word in squeezed:
                return self._region_words[word]
        return None

    def _match(self, doc: _Doc, token: str, predicate: bool = False) -> tuple[float, bool]:
        """How strongly the entry holds ``token`` (0–1), and whether it is in the entry's name.

        A verb or adjective stem counts only in the name's morphemes or at the start of a word:
        "가보" (가봐야) is not in "국가보조금".
        """
        if predicate:
            if token in doc.name_tokens:
                return NAME_MATCH, True
            return (BODY_MATCH if f" {token}" in doc.spaced_text else 0.0), False
        best, in_name = 0.0, False
        for variant in (token, *self._synonyms.get(token, ())):
            factor = 1.0 if variant == token else SYNONYM_FACTOR
            if variant in doc.name_tokens or (
                len(variant) >= 2 and any(variant in n for n in doc.names)
            ):
                best, in_name = max(best, NAME_MATCH * factor), True
            elif variant in doc.field_text:
                best = max(best, FIELD_MATCH * factor)
            elif variant in doc.body_text:
                repeats = min(doc.body_text.count(variant) - 1, MAX_REPEAT_BONUS_COUNT)
                best = max(best, (BODY_MATCH + REPEAT_BONUS * repeats) * factor)
        if best == 0.0 and len(token) >= 3 and token not in self._vocab:
            best = self._typo_match(doc, token)
            in_name = best > 0
        return best, in_name

    def _typo_match(self, doc: _Doc, token: str) -> float:
        """A word no entry uses that is one or two jamo away from a word of this entry's name."""
        found = process.extractOne(
            to_jamo(token), doc.name_tokens_jamo, scorer=fuzz.ratio, score_cutoff=TYPO_MIN_RATIO
        )
        return TYPO_MATCH if found else 0.0


# Question words citizens glue onto the topic ("다문화가족지원센터어디서해요"); in a long
# unspaced run they are split off before tagging, or Okt reads "…센터어디서해요" as 어디+서해.
QUESTION_WORDS = (
    "어디서",
    "어디에",
    "어디로",
    "어디",
    "언제",
    "얼마나",
    "얼마",
    "몇",
    "누가",
    "누구",
    "무엇",
    "뭐",
    "어떻게",
    "있어요",
    "있나요",
    "해요",
    "했어요",
    "되나요",
    "알려줘",
    "알려주세요",
    "궁금해요",
)
_UNSPACED_RUN = re.compile(r"[가-힣]{8,}")
_QUESTION_WORD = re.compile("|".join(QUESTION_WORDS))


def _split_question_words(text: str) -> str:
    return _UNSPACED_RUN.sub(
        lambda m: _QUESTION_WORD.sub(lambda q: f" {q.group(0)} ", m.group(0)), text
    )


def _segment(squeezed: str, vocab: frozenset[str]) -> list[str]:
    """Known words inside unspaced text, longest first, without overlaps ("다문화가족지원센터")."""
    found: list[tuple[int, int]] = []
    for length in range(min(MAX_SEGMENT_LEN, len(squeezed)), MIN_TOKEN_LEN - 1, -1):
        for start in range(len(squeezed) - length + 1):
            end = start + length
            if squeezed[start:end] in vocab and all(end <= s or start >= e for s, e in found):
                found.append((start, end))
    return [squeezed[s:e] for s, e in sorted(found) if squeezed[s:e] not in STOPWORDS]


def _make_doc(entry: Entry, tokenizer: Tokenizer) -> _Doc:
    """Only names go through konlpy (they are short and matter most); fields and body are
    matched as substrings of their compact text, which suits agglutinative Korean
    ("참석" in "참석인원") and keeps indexing fast enough for a 6-second cold start."""
    names = tuple(dict.fromkeys(squeeze(n) for n in (entry.title, *entry.aliases) if squeeze(n)))
    name_tokens = set()
    for name in (entry.title, *entry.aliases):
        name_tokens.update(tokenizer.morphemes(name, casual=False))
    return _Doc(
        entry=entry,
        names=names,
        names_jamo=tuple(to_jamo(n) for n in names),
        name_tokens=frozenset(name_tokens),
        name_tokens_jamo=tuple(to_jamo(w) for w in sorted(name_tokens) if len(w) >= 2),
        name_grams=tuple(bigrams(n) for n in names),
        field_text=squeeze(_key_fields(entry)),
        body_text=squeeze(entry.body),
        spaced_text=" "
        + " ".join(_WORD.findall(f"{_key_fields(entry)} {entry.body}".lower()))
        + " ",
    )


def _key_fields(entry: Entry) -> str:
    """Department, team, region, the document's year (what every entry of a 2021 plan is
    about: "정무기획과 2021년 예산") and the short fields."""
    year = f"{entry.source.year}년" if entry.source.year else ""
    return " ".join(
        [
            entry.department or "",
            entry.team or "",
            entry.region,
            year,
            *(f"{k} {v}" for k, v in entry.fields.items() if len(v) <= MAX_KEY_FIELD_CHARS),
        ]
    )


_PARTICLES = tuple(
    sorted(
        """
에서는 에서도 으로는 으로서 에게서 이라는 이라고 하였다 하는 하고 하여 해서 했다 한다 된다 되는
되어 됩니다 합니다 입니다
에서 으로 로서 부터 까지 에게 께서 이다 에는 에도 과의 와의 들의 들은 들이 들을
을 를 이 가 은 는 의 에 와 과 도 만 로 한 할 된 들
""".split(),
        key=len,
        reverse=True,
    )
)
_WORD = re.compile(r"[0-9A-Za-z가-힣]+")


def strip_particle(word: str) -> str:
    """The word without one trailing particle or ending ("병원이" → "병원"), if two letters
    remain."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= MIN_TOKEN_LEN:
            return word[: -len(particle)]
    return word


def _words(entry: Entry) -> set[str]:
    """Words of the key fields and body, lower-cased, each without its trailing particle."""
    words: set[str] = set()
    for word in _WORD.findall(f"{_key_fields(entry)} {entry.body}".lower()):
        words.add(strip_particle(word))
    return words


def _prefixes(words: set[str]) -> set[str]:
    """Recall keys: every prefix of 2–10 characters, so "참석" finds "참석인원"."""
    return {
        w[:end] for w in words for end in range(MIN_TOKEN_LEN, min(len(w), MAX_SEGMENT_LEN) + 1)
    }
