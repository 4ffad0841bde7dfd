"""The first stage of answering: a message analysed once into a ``Query``.

normalize (once) → intent → konlpy morphemes (``Token``) → segmentation of unspaced words and
spelling of misspelled ones against the knowledge base's vocabulary → the weighted content
words that retrieval (nlp/retrieval.py) matches and the answer stage (nlp/answer.py) quotes by.

The word lists (stopwords, cue words, particles, question words, and the dialogue's and the
listing's) are data: nlp/words.txt, read once at import.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from nlp.intent import classify
from nlp.jamo import to_jamo
from nlp.normalizer import MAX_QUESTION_CHARS, compact, normalize
from nlp.reply import COMPLAINT, QUESTION
from nlp.tokenizer import Token, Tokenizer

WORDS_FILE = Path(__file__).with_name("words.txt")


class WordsFileError(ValueError):
    """The word-list file is malformed (a word outside a section, or a section twice)."""


def read_words(path: Path = WORDS_FILE) -> dict[str, tuple[str, ...]]:
    """The sections of a word-list file, each with its words in file order (repeats kept, so a
    test can find them)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            if name in sections:
                raise WordsFileError(f"{path.name}:{number}: section [{name}] appears twice")
            current = sections[name] = []
        elif line:
            if current is None:
                raise WordsFileError(f"{path.name}:{number}: words before the first [section]")
            current.extend(line.split())
    return {name: tuple(words) for name, words in sections.items()}


_WORDS = read_words()
# Every section as a set, for the other modules' lists (nlp/dialogue.py, nlp/listing.py).
WORDS: dict[str, frozenset[str]] = {name: frozenset(words) for name, words in _WORDS.items()}
STOPWORDS = WORDS["stopwords"]
CUE_WORDS = WORDS["cue words"]
# Cue words asking who is in charge or where (see index.UMBRELLA_FACTOR).
CONTACT_CUES = WORDS["contact cues"]
QUESTION_WORDS = _WORDS["question words"]
# Longest first, so "에서는" is stripped before "는".
PARTICLES = tuple(sorted(_WORDS["particles"], key=len, reverse=True))
_PARTICLE_SET = frozenset(PARTICLES)
_PARTICLE_LENGTHS = tuple(sorted({len(p) for p in PARTICLES}, reverse=True))

# A cue word counts at this share of its rarity: it steers the answer, not the match.
CUE_WEIGHT = 0.3
TYPO_MIN_RATIO = 80  # jamo similarity for a word to count as a misspelling of a known word
TYPO_MIN_CHARS = 3  # two-syllable "typos" are too often other words (공제 → 경제)
COMPOUND_COVERAGE = 0.8  # known words must cover this much of an unknown word to replace it
# A message is analysed by the dialogue (is it a follow-up?) and again by the responder; the
# last few analyses are kept so the tagger (most of a message's cost) runs once per message.
RECENT_QUERIES = 8
MIN_TOKEN_LEN = 2  # segment words from unspaced text only from this length
MAX_SEGMENT_LEN = 10
VERB_ENDINGS = frozenset("하해했")  # 유치하(다), 운영해(요), 선정했(어요)
# Verb and adjective stems in a question ("만든다던데", "생기면") say less about its topic than
# its nouns do; they count at this share of their rarity.
PREDICATE_WEIGHT = 0.5
# A complaint word inside a knowledge-base word of this many letters or more ("지방규제신고센터"
# holds 신고) names a program, not a problem.
NAME_WORD_MIN_CHARS = 4


@dataclass(frozen=True)
class Query:
    """A question analysed once: normalized text, content tokens with weights, region, intent,
    and the analysis they came from (konlpy's morphemes, segmentation, spelling)."""

    text: str  # normalized
    compact: str
    bare: str  # compact without the region words: what names are compared against
    tokens: tuple[str, ...]  # the content words matched, after segmentation and spelling
    weights: tuple[float, ...]
    cues: frozenset[str]
    region: str | None
    recall_only: tuple[str, ...] = ()  # words as typed that a longer token replaced for scoring
    predicates: frozenset[str] = frozenset()  # verb and adjective stems among the tokens
    intent: str = QUESTION
    morphemes: tuple[Token, ...] = ()  # konlpy's content morphemes, in order
    segmented: tuple[str, ...] = ()  # known words found inside the typed words
    misspelled: tuple[tuple[str, str], ...] = ()  # (typed word, the known word it stands for)


_WORD = re.compile(r"[0-9A-Za-z가-힣]+")
_SPACES = re.compile(r"\s+")
_UNSPACED_RUN = re.compile(r"[가-힣]{8,}")
_QUESTION_WORD = re.compile("|".join(QUESTION_WORDS))


def words_of(text: str) -> list[str]:
    """Hangul, Latin and digit runs of ``text``, lower-cased."""
    return _WORD.findall(text.lower())


def strip_particle(word: str) -> str:
    """The word without one trailing particle or ending ("병원이" → "병원"), if two letters
    remain; the longest such particle. (A set lookup per length, not a scan of every particle:
    indexing calls this for every word of every entry.)"""
    for length in _PARTICLE_LENGTHS:
        if len(word) - length >= MIN_TOKEN_LEN and word[-length:] in _PARTICLE_SET:
            return word[:-length]
    return word


class Analyzer:
    """Analyses messages against one knowledge base's vocabulary; safe to share between threads
    (the recent-query memo is a plain dict whose worst race is analysing a message twice)."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        vocabulary: frozenset[str],
        *,
        name_tokens: frozenset[str],
        name_words: frozenset[str],
        idf: Mapping[str, float],
        max_idf: float,
        region_words: Mapping[str, str],
    ) -> None:
        self._tokenizer = tokenizer
        self._vocab = vocabulary
        self._name_words = name_words
        self._idf = idf
        self._max_idf = max_idf
        self._region_words = {compact(w).lower(): r for w, r in region_words.items()}
        self._region_order = sorted(self._region_words, key=len, reverse=True)
        self.region_words: dict[str, str] = {w: self._region_words[w] for w in self._region_order}
        # Unspaced text is cut only into words of three or more letters, or two-letter words of
        # some entry's name: two-letter body words are mostly function words ("이에", "통해").
        self._segment_vocab = frozenset(w for w in vocabulary if len(w) >= 3 or w in name_tokens)
        # Typos keep the number of syllables (치메/치매, 굳모닝/굿모닝); comparing only words of
        # the same length stops "제주도" from becoming "제도". Candidates are also grouped by
        # first consonant (세마을/새마을 share ㅅ), so a 10,000-entry vocabulary costs a few
        # hundred comparisons per unknown word, not tens of thousands.
        groups: dict[tuple[int, str], list[str]] = {}
        for word in sorted(w for w in vocabulary if all("가" <= c <= "힣" for c in w)):
            groups.setdefault((len(word), to_jamo(word[0])[0]), []).append(word)
        self._spelling_groups = {key: (ws, [to_jamo(w) for w in ws]) for key, ws in groups.items()}
        self._recent: OrderedDict[tuple[str, bool], Query] = OrderedDict()  # RECENT_QUERIES

    def __contains__(self, word: object) -> bool:
        """True when ``word`` is a whole word of some entry (name, fields or body)."""
        return word in self._vocab

    def analyze(self, text: str, *, casual: bool = True) -> Query:
        """Normalize, find the intent, tokenize, segment unspaced words, drop stopwords, find
        the region.

        ``casual=False`` skips konlpy's chat-spelling normalization, which takes more than half
        of its time: enough to find a complaint's topic words, not to answer a question.
        """
        key = (text, casual)
        recent = self._recent.get(key)
        if recent is not None:
            return recent
        query = self._analyze(normalize(text), casual)
        if len(self._recent) >= RECENT_QUERIES:  # the oldest goes: a message's own stay
            self._recent.popitem(last=False)
        self._recent[key] = query
        return query

    def weight(self, token: str) -> float:
        """A word's weight: its rarity in the knowledge base, less for cue words and syllables."""
        idf = self._idf.get(token, self._max_idf)
        if token in CUE_WORDS:
            return idf * CUE_WEIGHT
        if len(token) == 1:
            return idf * 0.5
        return idf

    def _analyze(self, text: str, casual: bool) -> Query:
        squeezed = text.replace(" ", "").lower()
        region = self._mentioned_region(squeezed)
        morphemes = self._tokenizer.tokens(_tagger_text(text, casual), casual=casual, within=text)
        # Verbs come back as stems ("어떻게" → 어떻), the stopword list holds them as 어떻다.
        # A region said with a particle is tagged apart ("인천시가" → 인천 + 시가, a market
        # price): nothing tagged inside a typed region word is a topic.
        regions = [
            range(found.start(), found.end())
            for found in re.finditer(r"\S+", text.lower())
            if strip_particle(found.group()) in self._region_words
        ]
        raw = [
            t.form
            for t in morphemes
            if t.form not in STOPWORDS
            and f"{t.form}다" not in STOPWORDS
            and not any(t.start in span for span in regions)
        ]
        stems = {t.form for t in morphemes if t.predicate} - {
            t.form for t in morphemes if not t.predicate
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
        unknown = [t.form for t in morphemes if not t.predicate and t.form not in self._vocab]
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
            self.weight(t) * (PREDICATE_WEIGHT if t in predicates else 1.0) for t in tokens
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
            intent=self._intent(text, tokens),
            morphemes=tuple(morphemes),
            segmented=tuple(segmented),
            misspelled=tuple(misspelled.items()),
        )

    def _intent(self, text: str, tokens: list[str]) -> str:
        """The message's intent; a complaint word inside a knowledge-base name does not make a
        complaint: "지방규제신고센터" holds 신고 but names a program, so the message is judged
        again without the knowledge base's own words of four or more letters."""
        intent = classify(text)
        if intent != COMPLAINT:
            return intent
        masked = text
        for word in sorted(
            (t for t in tokens if len(t) >= NAME_WORD_MIN_CHARS and t in self._vocab),
            key=len,
            reverse=True,
        ):
            masked = masked.replace(word, " ")
        if masked != text and classify(normalize(masked)) != COMPLAINT:
            return QUESTION
        return COMPLAINT

    def _verb_noun(self, token: str) -> str:
        """A verb stem or form built on a known noun is that noun ("유치하" → "유치", "운영해" →
        "운영"): the tagger's stem and the rare body word "운영해" would miss every entry that
        says 유치."""
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

    def _mentioned_region(self, squeezed: str) -> str | None:
        """The region a question names ("전북 …", "인천시에서 …"), longest spelling first."""
        for word in self._region_order:
            if word in squeezed:
                return self._region_words[word]
        return None


def _tagger_text(text: str, casual: bool) -> str:
    """The normalized question with glued question words split off; spaces tidied for the
    casual tagger (which reads chat spelling), as they were when it normalized its input."""
    split = _split_question_words(text)
    if not casual:
        return split
    return _SPACES.sub(" ", split[: MAX_QUESTION_CHARS * 2]).strip()[:MAX_QUESTION_CHARS]


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
