import ast
from pathlib import Path

import pytest

import nlp.analyzer
import nlp.intent
import nlp.normalizer
import nlp.tokenizer
from knowledge.base import KnowledgeBase
from nlp.analyzer import (
    CUE_WORDS,
    QUESTION_WORDS,
    RECENT_QUERIES,
    STOPWORDS,
    WORDS_FILE,
    Query,
    WordsFileError,
    read_words,
)
from nlp.reply import COMPLAINT, GREETING, OUT_OF_SCOPE, QUESTION
from nlp.tokenizer import Token

ROOT = Path(__file__).resolve().parent.parent


def test_no_word_is_listed_twice_in_a_section_of_the_words_file():
    sections = read_words(WORDS_FILE)
    repeated = {
        name: sorted({w for w in words if words.count(w) > 1})
        for name, words in sections.items()
        if len(set(words)) != len(words)
    }
    assert repeated == {}


def test_the_words_file_holds_the_lists_the_analyzer_uses():
    sections = read_words(WORDS_FILE)
    assert {"stopwords", "cue words", "contact cues", "question words", "particles"} <= set(
        sections
    )
    assert STOPWORDS == frozenset(sections["stopwords"])
    assert CUE_WORDS == frozenset(sections["cue words"])
    assert {"어떻다", "뭐", "알려주다"} <= STOPWORDS and {"조건", "예산", "담당"} <= CUE_WORDS
    # a longer question word is tried before the shorter one it starts with
    assert QUESTION_WORDS.index("어디서") < QUESTION_WORDS.index("어디")


@pytest.mark.parametrize(
    "text, problem",
    [
        ("뭐 어디\n", r"words.txt:1: words before the first \[section\]"),
        ("[stopwords]\n뭐\n[stopwords]\n어디\n", r"words.txt:3: section \[stopwords\] appears"),
    ],
)
def test_a_malformed_words_file_is_refused_with_the_line(tmp_path: Path, text: str, problem):
    path = tmp_path / "words.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WordsFileError, match=problem):
        read_words(path)


def test_comments_and_blank_lines_of_the_words_file_are_ignored(tmp_path: Path):
    path = tmp_path / "words.txt"
    path.write_text("# lists\n\n[cue words]\n조건 예산  # two\n\n담당\n", encoding="utf-8")
    assert read_words(path) == {"cue words": ("조건", "예산", "담당")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_knowledge_never_imports_nlp_or_telegram():
    """Data flows one way: nlp builds its index from the knowledge base, not the reverse."""
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "knowledge").rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in ("nlp", "telegram")
    }
    assert found == set()


def test_a_query_holds_konlpy_tokens_with_their_place_in_the_question(kb: KnowledgeBase):
    query = kb.index.analyze("새마을지도자 자녀  장학금 조건이 어떻게 되나요?")
    assert isinstance(query, Query)
    assert query.text == "새마을지도자 자녀 장학금 조건이 어떻게 되나요?"  # normalized
    assert Token("장학금", "Noun", query.text.index("장학금")) in query.morphemes
    assert Token("조건", "Noun", query.text.index("조건")) in query.morphemes
    for token in query.morphemes:
        assert query.text.lower().startswith(token.form, token.start) or token.predicate
    assert [t.start for t in query.morphemes] == sorted(t.start for t in query.morphemes)
    assert {"새마을지도자", "장학금", "조건"} <= set(query.tokens)
    assert "어떻" not in query.tokens  # a stopword (어떻다) by its stem
    assert query.intent == QUESTION


def test_verb_and_adjective_stems_are_marked_as_predicates(kb: KnowledgeBase):
    query = kb.index.analyze("봉사활동 하다가 다치면 보험 처리 되나요")
    predicates = {t.form for t in query.morphemes if t.predicate}
    assert "다치" in predicates and "보험" not in predicates
    assert "다치" in query.predicates


def test_a_query_keeps_its_segmentation_and_spelling_results(kb: KnowledgeBase):
    unspaced = kb.index.analyze("다문화가족지원센터어디서해요")
    assert "다문화가족지원센터" in unspaced.segmented
    assert unspaced.tokens == ("다문화가족지원센터",)
    misspelled = kb.index.analyze("자원봉살 신청 어디서 해요")
    assert misspelled.misspelled == (("자원봉살", "자원봉사"),)
    assert "자원봉사" in misspelled.tokens and "봉살" not in misspelled.tokens


@pytest.mark.parametrize(
    "text, intent",
    [
        ("가로등이 고장났어요", COMPLAINT),
        ("지방규제신고센터 알려줘", QUESTION),  # 신고 inside a name the knowledge base holds
        ("안녕하세요", GREETING),
        ("오늘 날씨 어때", OUT_OF_SCOPE),
        ("새마을 장학금 조건", QUESTION),
    ],
)
def test_the_query_carries_the_intent(kb: KnowledgeBase, text: str, intent: str):
    assert kb.index.analyze(text).intent == intent


def test_a_question_is_normalized_once(kb: KnowledgeBase, monkeypatch):
    calls = []
    real = nlp.normalizer.normalize

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    for module in (nlp.analyzer, nlp.intent, nlp.normalizer, nlp.tokenizer):
        monkeypatch.setattr(module, "normalize", counting)
    kb.index.analyze("다문화 가족 언어발달 지원 대상이 누구예요?")
    assert calls == ["다문화 가족 언어발달 지원 대상이 누구예요?"]


def test_a_full_cache_of_analyses_keeps_the_latest_ones(kb: KnowledgeBase, tagger_inputs):
    """A message is analysed by the dialogue and again by the responder: when the cache fills
    between the two, the message's own analysis must still be there (the tagger runs once)."""
    texts = [f"다문화 가족 지원 {n}번째 질문이에요" for n in range(RECENT_QUERIES + 1)]
    for text in texts:
        kb.index.analyze(text)
    with tagger_inputs() as tagged:
        kb.index.analyze(texts[-2])
        kb.index.analyze(texts[-1])
    assert tagged == []


@pytest.mark.parametrize(
    "word, stripped",
    [
        ("병원이", "병원"),
        ("전주시에서는", "전주시"),  # the longest particle, not 는
        ("센터에서", "센터"),
        ("학교", "학교"),  # nothing to strip
        ("한가", "한가"),  # one letter would remain
        ("어린이집", "어린이집"),
    ],
)
def test_strip_particle_removes_the_longest_trailing_particle(word: str, stripped: str):
    assert nlp.analyzer.strip_particle(word) == stripped


@pytest.mark.parametrize(
    ("question", "region", "tokens"),
    [
        # the tagger splits 인천 + 시가 (a market price) out of "인천시가"
        ("인천시가 하는 홍보대사 사업 알려줘", "인천광역시", ("사업", "홍보대사")),
        ("전주시가 하는 반려동물 공약", "전주시", ("반려동물", "공약")),
        ("나주시는 자매결연 몇 개 했어", "나주시", ("자매결연",)),
        # a word of its own is still a topic, whatever region is named beside it
        ("인천에서 하는 시가 행사", "인천광역시", ("시가", "행사")),
    ],
)
def test_nothing_tagged_inside_a_typed_region_word_is_a_topic(kb, question, region, tokens):
    query = kb.index.analyze(question)
    assert query.region == region
    assert query.tokens == tokens
