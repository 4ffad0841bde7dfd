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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.model import Entry
from nlp.analyzer import (
    CONTACT_CUES,
    MAX_SEGMENT_LEN,
    MIN_TOKEN_LEN,
    TYPO_MIN_RATIO,
    Analyzer,
    Query,
    strip_particle,
    words_of,
)
from nlp.jamo import to_jamo
from nlp.normalizer import compact, squeeze
from nlp.tokenizer import Tokenizer
from nlp.vocabulary import EVERYDAY, looked_up

if TYPE_CHECKING:
    from nlp.semantic import SemanticIndex

# How much a question word counts when found in the entry's name, key fields or body. Chosen
# by a grid search on benchmarks/questions.tsv (0.6–0.92 × 0.8–0.92 × coverage weight 0.6–0.8):
# body facts must count nearly fully or detail questions ("한마음대회 언제") never reach the
# answer band; the out-of-scope questions stay out because their other words are found nowhere.
NAME_MATCH, FIELD_MATCH, BODY_MATCH, TYPO_MATCH = 1.0, 0.92, 0.85, 0.75
W_PHRASE = 8.0
# A synonym (강아지 → 반려동물) is weaker evidence than the word itself: "강아지 산책" is not a
# question about 반려동물 놀이터.
SYNONYM_FACTOR = 0.75  # two question words found side by side in the entry ("홍보대사 운영")
# A citizen's everyday word standing for an administrative one (애들 → 아동, nlp/vocabulary.txt)
# is weaker evidence still: it is general language knowledge, not the admins' word for this
# knowledge base. Set just under SYNONYM_FACTOR, not searched; the blind sets' figures with it
# are in benchmarks/README.md ("Everyday → administrative vocabulary").
EVERYDAY_FACTOR = 0.7
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
MENTIONED_REGION_FACTOR = 0.55  # entries outside a region the question names
PREFERRED_REGION_FACTOR = 0.85  # entries outside the citizen's chosen region (/region)
RECALL_LIMIT = 60  # candidates re-ranked per question
GRAM_VOTE = 0.5  # recall vote for each name bigram shared with the question
MAX_KEY_FIELD_CHARS = 400  # longer field values count as body text


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
    names_text: str  # the names joined by _NAMES_APART: one substring test for all of them
    name_tokens_jamo: tuple[str, ...]  # name words of two or more letters, for typo matching
    name_grams: tuple[frozenset[str], ...]
    field_text: str  # compact key fields (department, team, short field values)
    body_text: str  # compact full body
    spaced_text: str  # key fields and body as " word word … ", for matches at a word's start


# Joins an entry's names into one string (_Doc.names_text): a word without this character is
# inside one of the names exactly when it is inside the joined string.
_NAMES_APART = "\x00"


@dataclass(frozen=True)
class _Word:
    """A word of the question as every candidate is scored on it: its variants (spelling,
    weight, whether _NAMES_APART is absent from it) and whether it may be a typo of a name."""

    token: str
    predicate: bool
    spaced: str  # " token": a verb or adjective stem at the start of a word
    variants: tuple[tuple[str, float, bool], ...]
    may_be_a_typo: bool


@dataclass(frozen=True)
class _QueryWords:
    """What scoring needs of one question, the same for every candidate."""

    words: tuple[_Word, ...]
    total: float  # the sum of the words' weights (1 when there are none)
    pairs: tuple[tuple[str, bool], ...]  # two adjacent words joined, and _Word's "apart"
    grams: frozenset[str]  # bigrams of the question
    jamo: str  # the question in jamo, for the fuzzy name score


def _in_names(doc: _Doc, text: str, apart: bool) -> bool:
    """Whether ``text`` is inside one of the entry's names; ``apart``: it holds no
    _NAMES_APART, so the joined names answer in one test."""
    return text in doc.names_text if apart else any(text in n for n in doc.names)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of a compact string (the string itself when shorter than 2)."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset([text])


def top_positions(values: np.ndarray, k: int) -> np.ndarray:
    """The positions of the ``k`` largest values, largest first and equal values in position
    order: exactly ``np.argsort(-values, kind="stable")[:k]``, in time linear in ``len(values)``
    instead of a sort of every entry (10,000 of them at the scale benchmark)."""
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    negated = -values
    if k >= len(values):
        return np.argsort(negated, kind="stable")
    kth = np.partition(negated, k - 1)[k - 1]
    if np.isnan(kth):  # fewer than k numbers: NaN sorts last, as argsort puts it
        return np.argsort(negated, kind="stable")[:k]
    tied_or_better = np.flatnonzero(negated <= kth)  # every value tied with the k-th one too
    return tied_or_better[np.argsort(negated[tied_or_better], kind="stable")][:k]


def has_words(query: Query) -> bool:
    """Whether the word index can find anything for ``query``: a token, or at least two letters
    ("?" alone has neither, so a search, lexical or by meaning, is not worth its cost)."""
    return bool(query.tokens) or len(query.compact) >= 2


class SearchIndex:
    """Immutable once built; ``search`` is safe to call from many threads."""

    def __init__(
        self,
        docs: list[_Doc],
        tokenizer: Tokenizer,
        synonyms: dict[str, tuple[str, ...]],
        region_words: Mapping[str, str] | None = None,
        everyday: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._docs = docs
        self._number = {doc.entry.id: number for number, doc in enumerate(docs)}
        # Set by nlp.semantic.SemanticService once the passage vectors are ready (a background
        # thread); until then retrieval is lexical only.
        self.semantic: SemanticIndex | None = None
        self._synonyms = synonyms
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
        self._everyday = _everyday_variants(
            everyday or {}, synonyms, postings, "|".join(n for d in docs for n in d.names)
        )
        # Each word's other spellings with how much they count: the curated synonyms, then the
        # everyday vocabulary's administrative words this knowledge base uses.
        self._variants: dict[str, tuple[tuple[str, float], ...]] = {
            word: tuple((s, SYNONYM_FACTOR) for s in synonyms.get(word, ()))
            + tuple((a, EVERYDAY_FACTOR) for a in self._everyday.get(word, ()))
            for word in synonyms.keys() | self._everyday.keys()
        }
        self._vocab = frozenset(w for w in words if len(w) >= MIN_TOKEN_LEN)  # whole words only
        self.analyzer = Analyzer(
            tokenizer,
            self._vocab,
            name_tokens=frozenset(w for d in docs for w in d.name_tokens),
            name_words=frozenset(
                w
                for d in docs
                for n in (d.entry.title, *d.entry.aliases)
                for w in words_of(n)
                if len(w) >= 3
            ),
            idf=self._idf,
            max_idf=math.log(1 + total),
            region_words=region_words or {d.entry.region: d.entry.region for d in docs},
        )
        # Public, longest spelling first: the words a citizen uses for each region.
        self.region_words = self.analyzer.region_words

    @classmethod
    def build(
        cls,
        entries: Iterable[Entry],
        tokenizer: Tokenizer,
        synonym_groups: Sequence[Sequence[str]] = (),
        *,
        region_words: Mapping[str, str] | None = None,
        everyday: Mapping[str, tuple[str, ...]] | None = None,
    ) -> SearchIndex:
        """Tokenize every entry once; the result answers queries without touching entries again."""
        synonyms: dict[str, tuple[str, ...]] = {}
        for group in synonym_groups:
            for word in group:
                synonyms[compact(word)] = tuple(
                    compact(w) for w in group if compact(w) != compact(word)
                )
        docs = [_make_doc(entry, tokenizer) for entry in entries]
        everyday = EVERYDAY if everyday is None else everyday  # the built-in vocabulary
        return cls(docs, tokenizer, synonyms, region_words, everyday)

    def __contains__(self, word: object) -> bool:
        """True when ``word`` is a whole word of some entry (name, fields or body)."""
        return word in self._vocab

    def synonyms_of(self, word: str) -> tuple[str, ...]:
        """The curated synonyms of ``word`` (compact), without the word itself."""
        return self._synonyms.get(word, ())

    def everyday_of(self, word: str) -> tuple[str, ...]:
        """The administrative words of the built-in vocabulary that ``word`` (compact) stands
        for and this knowledge base uses, besides its curated synonyms."""
        return self._everyday.get(word, ())

    def __len__(self) -> int:
        return len(self._docs)

    def entry(self, entry_id: str) -> Entry | None:
        """The indexed entry with this id, or None."""
        number = self._number.get(entry_id)
        return None if number is None else self._docs[number].entry

    def named(self, entry_id: str, query: Query) -> bool:
        """Whether the question spells out the entry's whole title or an alias (spaces aside)."""
        number = self._number.get(entry_id)
        return number is not None and _named_length(self._docs[number], query) > 0

    def analyze(self, text: str, *, casual: bool = True) -> Query:
        """The question analysed against this index's vocabulary (nlp.analyzer.Analyzer)."""
        return self.analyzer.analyze(text, casual=casual)

    def search(
        self,
        query: Query,
        *,
        preferred_region: str | None = None,
        limit: int = 5,
        also: Iterable[str] = (),
        asked: frozenset[str] = frozenset(),
    ) -> list[Scored]:
        """Best entries for ``query``, highest score first; the entries ``also`` names (found by
        meaning) are scored too, even when no word of the question recalls them. An entry of a
        kind in ``asked`` (the question names it: "홍보 맡은 과") is no umbrella
        (UMBRELLA_FACTOR)."""
        if not has_words(query):
            return []
        query = self._with_everyday_words(query)
        candidates = self._recall(query)
        recalled = set(candidates)
        candidates += [
            n
            for n in dict.fromkeys(self._number[i] for i in also if i in self._number)
            if n not in recalled
        ]
        words = self._words_of(query)
        scored = [
            self._score(self._docs[i], query, preferred_region, words, asked) for i in candidates
        ]
        scored.sort(key=lambda s: (-s.score, s.entry.id))
        return scored[:limit]

    def _recall(self, query: Query) -> list[int]:
        votes = np.zeros(len(self._docs), dtype=np.float32)
        for token, weight in zip(query.tokens, query.weights):
            for variant in (token, *(v for v, _ in self._variants.get(token, ()))):
                ids = self._postings.get(variant)
                if ids is not None:
                    votes[ids] += weight
        for word in query.recall_only:
            ids = self._postings.get(word)
            if ids is not None:
                votes[ids] += self.analyzer.weight(word)
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

    def _with_everyday_words(self, query: Query) -> Query:
        """The query with the typed words the analysis dropped as too short or unknown ("애들",
        "집") that the everyday vocabulary knows, so their administrative words count."""
        typed = (looked_up(w, self._everyday) for w in words_of(query.text))
        extra = tuple(
            word
            for word in dict.fromkeys(typed)
            if word in self._everyday
            and word not in query.tokens
            and not any(word in t for t in query.tokens)
        )
        if not extra:
            return query
        return replace(
            query,
            tokens=query.tokens + extra,
            weights=query.weights + tuple(self.analyzer.weight(w) for w in extra),
        )

    def _words_of(self, query: Query) -> _QueryWords:
        """What scoring needs of ``query`` for every candidate, worked out once per search."""
        words = []
        for token in query.tokens:
            predicate = token in query.predicates
            if predicate:
                variants = tuple((a, EVERYDAY_FACTOR) for a in self._everyday.get(token, ()))
            else:
                variants = ((token, 1.0), *self._variants.get(token, ()))
            words.append(
                _Word(
                    token,
                    predicate,
                    f" {token}",
                    tuple((v, f, _NAMES_APART not in v) for v, f in variants),
                    not predicate and len(token) >= 3 and token not in self._vocab,
                )
            )
        pairs = [
            a + b for a, b in zip(query.tokens, query.tokens[1:]) if len(a) >= 2 and len(b) >= 2
        ]
        return _QueryWords(
            tuple(words),
            sum(query.weights) or 1.0,
            tuple((p, _NAMES_APART not in p) for p in pairs),
            bigrams(query.bare),
            to_jamo(query.bare),
        )

    def _score(
        self,
        doc: _Doc,
        query: Query,
        preferred_region: str | None,
        words: _QueryWords,
        asked: frozenset[str] = frozenset(),
    ) -> Scored:
        total = words.total
        matches = [self._match(doc, word) for word in words.words]
        coverage = sum(w * m for w, (m, _) in zip(query.weights, matches)) / total
        name_words = sum(w for w, (_, in_name) in zip(query.weights, matches) if in_name) / total
        query_grams = words.grams
        name = max((len(g & query_grams) / len(g) for g in doc.name_grams), default=0.0)
        query_jamo = words.jamo
        fuzzy = max((fuzz.partial_ratio(n, query_jamo) / 100 for n in doc.names_jamo), default=0.0)
        score = 100 * (
            W_COVERAGE * coverage + W_NAME_WORDS * name_words + W_NAME * name + W_FUZZY * fuzzy
        )
        pairs = words.pairs
        if pairs:
            together = sum(
                1
                for p, apart in pairs
                if p in doc.field_text or p in doc.body_text or _in_names(doc, p, apart)
            )
            score += W_PHRASE * together / len(pairs)
        if (
            doc.entry.kind in UMBRELLA_KINDS
            and name_words == 0
            and not query.cues & CONTACT_CUES
            and doc.entry.kind not in asked
        ):
            score *= UMBRELLA_FACTOR
        named = _named_length(doc, query)
        if named:
            score += EXACT_NAME_BONUS * min(1.0, named / 6)
        region = doc.entry.region
        if query.region and region != query.region:
            score *= MENTIONED_REGION_FACTOR
        elif preferred_region and not query.region and region != preferred_region:
            score *= PREFERRED_REGION_FACTOR
        return Scored(doc.entry, score, coverage, name, fuzzy)

    def _match(self, doc: _Doc, word: _Word) -> tuple[float, bool]:
        """How strongly the entry holds the question's word (0–1), and whether it is in the
        entry's name.

        A verb or adjective stem counts only in the name's morphemes or at the start of a word:
        "가보" (가봐야) is not in "국가보조금"; a verb the vocabulary knows stands for a noun:
        돌봐주는 (돌보) → 돌봄.
        """
        token = word.token
        if word.predicate:
            if token in doc.name_tokens:
                return NAME_MATCH, True
            if word.spaced in doc.spaced_text:
                return BODY_MATCH, False
        best, in_name = 0.0, False
        for variant, factor, apart in word.variants:
            if variant in doc.name_tokens or (
                len(variant) >= 2 and _in_names(doc, variant, apart)
            ):
                best, in_name = max(best, NAME_MATCH * factor), True
            elif variant in doc.field_text:
                best = max(best, FIELD_MATCH * factor)
            elif variant in doc.body_text:
                repeats = min(doc.body_text.count(variant) - 1, MAX_REPEAT_BONUS_COUNT)
                best = max(best, (BODY_MATCH + REPEAT_BONUS * repeats) * factor)
        if best == 0.0 and word.may_be_a_typo:
            best = self._typo_match(doc, token)
            in_name = best > 0
        return best, in_name

    def _typo_match(self, doc: _Doc, token: str) -> float:
        """A word no entry uses that is one or two jamo away from a word of this entry's name."""
        found = process.extractOne(
            to_jamo(token), doc.name_tokens_jamo, scorer=fuzz.ratio, score_cutoff=TYPO_MIN_RATIO
        )
        return TYPO_MATCH if found else 0.0


def _everyday_variants(
    everyday: Mapping[str, tuple[str, ...]],
    synonyms: Mapping[str, tuple[str, ...]],
    postings: Mapping[str, object],
    names: str,
) -> dict[str, tuple[str, ...]]:
    """For each everyday word no entry uses, the administrative words it stands for that some
    entry uses (a word of its text, or inside its ``names``: 행정복지센터 in a title the tagger
    splits) and that are neither the word itself nor one of its curated synonyms (the admins'
    word wins)."""
    found: dict[str, tuple[str, ...]] = {}
    # A noun of the vocabulary also stands for itself made a verb with 하 ("억울" → 억울하, as
    # the tagger returns "억울한"), unless that verb has a line of its own.
    verbs = {f"{w}하": a for w, a in everyday.items() if not w.endswith("하")}
    for word, admin in (verbs | dict(everyday)).items():
        if word in postings:
            continue  # the documents use the citizen's word themselves: it means what they say
        known = {word, *synonyms.get(word, ())}
        variants = tuple(a for a in admin if (a in postings or a in names) and a not in known)
        if variants:
            found[word] = variants
    return found


def _named_length(doc: _Doc, query: Query) -> int:
    """The length of the longest of the entry's names the question spells out, or 0."""
    return max(
        (len(n) for n in doc.names if len(n) >= EXACT_NAME_MIN_CHARS and n in query.bare),
        default=0,
    )


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
        names_text=_NAMES_APART.join(names),
        name_tokens_jamo=tuple(to_jamo(w) for w in sorted(name_tokens) if len(w) >= 2),
        name_grams=tuple(bigrams(n) for n in names),
        field_text=squeeze(_key_fields(entry)),
        body_text=squeeze(entry.body),
        spaced_text=" " + " ".join(words_of(f"{_key_fields(entry)} {entry.body}")) + " ",
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


def _words(entry: Entry) -> set[str]:
    """Words of the key fields and body, lower-cased, each without its trailing particle."""
    words: set[str] = set()
    for word in words_of(f"{_key_fields(entry)} {entry.body}"):
        words.add(strip_particle(word))
    return words


def _prefixes(words: set[str]) -> set[str]:
    """Recall keys: every prefix of 2–10 characters, so "참석" finds "참석인원"."""
    return {
        w[:end] for w in words for end in range(MIN_TOKEN_LEN, min(len(w), MAX_SEGMENT_LEN) + 1)
    }
