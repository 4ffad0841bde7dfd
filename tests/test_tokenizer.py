"""konlpy wrapper: content morphemes only, clear Java error, never crashes on any text."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp import tokenizer as tokenizer_module
from nlp.tokenizer import MAX_UNSPACED_RUN, JavaMissingError, Tokenizer, check_java


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "새마을지도자 자녀 장학금 지원 조건이 어떻게 되나요?",
            ["새마을", "지도자", "자녀", "장학금", "지원", "조건"],
        ),
        ("인천 주민참여예산 사업 몇 개", ["인천", "주민", "참여", "예산", "사업"]),
    ],
)
def test_keeps_content_words_and_drops_particles(tokenizer: Tokenizer, text, expected):
    words = tokenizer.morphemes(text)
    assert all(word in words for word in expected)
    assert "이" not in words and "?" not in words


def test_verbs_become_stems(tokenizer: Tokenizer):
    assert "알리" in tokenizer.morphemes("알려주세요") or "알다" not in tokenizer.morphemes(
        "알려주세요"
    )


def test_tokens_mark_verb_and_adjective_stems(tokenizer: Tokenizer):
    tokens = tokenizer.tokens("봉사활동 하다가 다치면 보험 처리 되나요")
    predicates = {t.form: t.predicate for t in tokens}
    assert predicates["다치"] and not predicates["보험"] and not predicates["봉사활동"]
    assert [t.form for t in tokens] == tokenizer.morphemes(
        "봉사활동 하다가 다치면 보험 처리 되나요"
    )


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "ㅋㅋㅋ", "\u200b\u200f", "a" * 4096])
def test_odd_input_gives_a_list(tokenizer: Tokenizer, text):
    assert isinstance(tokenizer.morphemes(text), list)


@given(st.text(max_size=300))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_never_raises_on_any_text(tokenizer: Tokenizer, text):
    words = tokenizer.morphemes(text)
    assert all(isinstance(w, str) and w for w in words)


def test_missing_java_gives_one_clear_line(monkeypatch):
    monkeypatch.setattr(tokenizer_module.shutil, "which", lambda name: None)
    with pytest.raises(JavaMissingError) as excinfo:
        check_java()
    assert "default-jre-headless" in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_unknown_tagger_is_refused():
    with pytest.raises(ValueError):
        Tokenizer("mecab")


def test_document_morphemes_are_cached_on_disk(tmp_path):
    cache = tmp_path / "cache" / "m.json"
    first = Tokenizer("okt", cache_file=cache)
    words = first.morphemes("새마을지도자 자녀 장학금 지원", casual=False)
    first.save_cache()
    second = Tokenizer("okt", cache_file=cache)
    assert second._cache["새마을지도자 자녀 장학금 지원"] == words
    cache.write_text("{not json", encoding="utf-8")
    assert Tokenizer("okt", cache_file=cache).morphemes("장학금", casual=False) == ["장학금"]


@pytest.mark.parametrize("casual", [True, False])
def test_a_long_unspaced_run_is_cut_before_tagging(tokenizer: Tokenizer, tagger_inputs, casual):
    """Tagged whole, '받을수' × 134 took 1.2–1.9 s; runs are cut at MAX_UNSPACED_RUN (found by a
    property test). A run a few characters over the limit shows the cut: tagging 400 characters
    in pieces still cost the suite 2.5 s of CPU."""
    tokenizer._words.clear()  # pieces an earlier test tagged would not reach the tagger
    with tagger_inputs() as texts:
        run = "받을수" * (MAX_UNSPACED_RUN // 3 + 2)
        # not from the document cache either (the suite's stored one may hold it)
        words = tokenizer.morphemes(run + ("!" if casual else "?"), casual=casual, cache=False)
    assert words
    assert texts and max(len(run) for text in texts for run in text.split()) == MAX_UNSPACED_RUN


def test_python_garbage_collection_does_not_stop_the_jvm(tokenizer: Tokenizer):
    """JPype's hook called System.gc() when Python freed a lot: a full stop-the-world collection
    that blocked the tagger of the message being answered for 330–890 ms
    (benchmarks/dialogues.py)."""
    import gc

    tokenizer.tokens("장학금 지원 조건")  # the JVM is running, started by nlp.tokenizer
    assert not [c for c in gc.callbacks if getattr(c, "__module__", None) == "_jpype"]


@pytest.mark.parametrize("casual", [True, False])
@pytest.mark.parametrize(
    "text",
    [
        "전라북도 홍보대사 운영 예산 알려줘",
        "새마을지도자 자녀 학자금  지원해요?",  # two spaces
        "안됔ㅋㅋㅋ 하겟다 소린가 ㅠㅠㅠㅠ",  # chat spelling the normalizer rewrites
        "SNS홍보 1,000원 3.5% 010-1234-5678 #전북 a@b.com",
        "기본방향 대외협력을 통한 도정 활력화 지원\n  - 선택과 집중",  # tagged whole
    ],
)
def test_tags_of_a_text_are_those_of_konlpy_on_the_whole_text(
    tokenizer: Tokenizer, text: str, casual: bool
):
    """Words are tagged one by one (and kept): the pairs must be konlpy's for the whole text."""
    tokenizer.tokens(text.split(" ")[0], casual=casual)  # one word already kept
    with tokenizer._lock:
        assert tokenizer._tagged(text, casual) == tokenizer._pos(text, casual)


def test_a_word_tagged_before_is_not_tagged_again(tokenizer: Tokenizer, tagger_inputs):
    """A region follow-up asks the question again with the entry's title after it: only the
    words not tagged before reach the tagger."""
    tokenizer.tokens("전라북도 해외사무소 운영 알려줘")
    with tagger_inputs() as texts:
        tokens = tokenizer.tokens("전라북도 해외사무소 운영 알려줘 무지개떡")
    assert texts == ["무지개떡"]  # in no document, so no other test tagged it first
    assert [t.form for t in tokens][:2] == ["전라북도", "해외"]
