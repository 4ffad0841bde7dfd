"""Korean morpheme tokenization with konlpy, behind one small wrapper.

konlpy runs on the JVM: the JVM can start once per process, so the tagger is a process-wide
singleton created on first use (never at import). ``java -version`` is checked first so a
machine without Java gets one clear line instead of a JPype stack trace.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlp.normalizer import normalize

# The JVM starts once per process with this heap cap. Komoran's model needs more than 256 MB
# (it fails with OutOfMemoryError there); 512 MB fits either tagger and bounds the bot's RSS.
JVM_MAX_HEAP_MB = 512
TAGGERS = ("okt", "komoran")
DEFAULT_TAGGER = "okt"
# Morphemes of document text (names, aliases) are cached on disk between runs: tagging them
# with a cold JIT costs ~1.5 s of the cold start (config.py: MORPHEME_CACHE_DIR, off disables it).
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / "data" / "cache"
# Okt's time grows faster than linearly on one long run without spaces ('받을수' × 134 took
# 1.2–1.9 s); real words and unspaced questions are far shorter, so longer runs are cut.
MAX_UNSPACED_RUN = 40
_LONG_RUN = re.compile(rf"\S{{{MAX_UNSPACED_RUN + 1},}}")
WARM_UP_TEXT = "새마을지도자 자녀 장학금 지원 조건이 어떻게 되나요?"
# Okt tags each space-separated word on its own (its chunker splits at spaces and its
# normalizer works within a run of letters), so a text's tags are its words' tags in order:
# tagging whole or word by word gave the same tags for every question of benchmarks/*.tsv and
# every title, alias and short document line, both with and without normalization (0 of 21,446
# differ). A newline or tab is a token of its own ("\n  " is tagged Foreign), so a text holding
# one is tagged whole. The words of recent texts are kept: a region follow-up asks again words
# the question already had, and citizens' questions share most of their words.
RECENT_WORDS = 20_000  # (word, normalized?) pairs; a few MB
_NOT_A_SPACE = re.compile(r"[^\S ]")  # whitespace other than the plain space

# Part-of-speech tags whose morphemes carry meaning for matching. Particles (Josa/J*), endings
# (Eomi/E*), punctuation and suffixes are dropped.
_KEEP_TAGS = {
    "okt": ("Noun", "Verb", "Adjective", "Alpha", "Number", "Foreign", "Adverb", "KoreanParticle"),
    "komoran": ("NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "SL", "SN", "MAG", "XR", "MM"),
}
_VERB_TAGS = {"Verb", "Adjective", "VV", "VA"}
JRE_HINT = (
    "Java 런타임이 없습니다 / No Java runtime found: konlpy needs one. "
    "Debian/Ubuntu: sudo apt-get install -y default-jre-headless ; macOS: brew install openjdk"
)


@dataclass(frozen=True)
class Token:
    """One content morpheme as konlpy tagged it: its form (lower-cased; a verb or adjective as
    its stem), its part-of-speech tag and where it starts in the normalized question (for a
    stem or a spelling the tagger normalized, where the previous morpheme ended)."""

    form: str
    tag: str
    start: int

    @property
    def predicate(self) -> bool:
        """True for the stem of a verb or adjective: in a question those say little about the
        topic ("만든", "다치면")."""
        return self.tag in _VERB_TAGS


class JavaMissingError(RuntimeError):
    """No usable Java runtime for konlpy."""


def check_java() -> str:
    """Return the first line of ``java -version``; raise JavaMissingError with install advice."""
    java = shutil.which("java")
    if java is None:
        raise JavaMissingError(JRE_HINT)
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JavaMissingError(f"{JRE_HINT} ({exc})") from exc
    if done.returncode != 0:
        raise JavaMissingError(JRE_HINT)
    return (done.stderr or done.stdout).strip().splitlines()[0]


class Tokenizer:
    """Turns text into content morphemes (nouns, verb/adjective stems, numbers, Latin words)."""

    def __init__(self, name: str = DEFAULT_TAGGER, *, cache_file: Path | None = None) -> None:
        if name not in TAGGERS:
            raise ValueError(f"unknown tagger {name!r}; choose one of {', '.join(TAGGERS)}")
        check_java()
        self.name = name
        self._pos = _make_tagger(name)
        self._keep = _KEEP_TAGS[name]
        self._lock = threading.Lock()
        self._cache_file = cache_file
        self._cache: dict[str, list[str]] = _read_cache(cache_file)
        self._cache_dirty = False
        # (word, casual) → its tags, most recently used last (RECENT_WORDS); Okt only
        self._words: OrderedDict[tuple[str, bool], tuple[tuple[str, str], ...]] = OrderedDict()

    def warm_up_in_background(self) -> threading.Thread:
        """Start the tagger's slow first call (dictionaries, JIT) while the caller loads data."""
        thread = threading.Thread(target=self.morphemes, args=(WARM_UP_TEXT,), daemon=True)
        thread.start()
        return thread

    def morphemes(self, text: str, *, casual: bool = True, cache: bool | None = None) -> list[str]:
        """Content morphemes of ``text`` in order; verbs and adjectives as stems.

        ``casual`` also normalizes the text and chat spelling ("하겟다" → "하겠다"); document
        text is written carefully and skips it, which halves the time to index the knowledge
        base. ``cache`` (by default: document text) keeps the result (see ``save_cache``).
        """
        cache = not casual if cache is None else cache
        if cache and text in self._cache:
            return list(self._cache[text])
        out = [t.form for t in self.tokens(normalize(text) if casual else text, casual=casual)]
        if cache:
            self._cache[text] = out
            self._cache_dirty = True
        return out

    def tokens(self, text: str, *, casual: bool = True, within: str | None = None) -> list[Token]:
        """Content morphemes of already-normalized ``text`` as konlpy tags them, verbs and
        adjectives as stems, each with where it starts in ``within`` (default: ``text``), the
        text as the citizen typed it once normalized; ``casual`` as in ``morphemes``."""
        tagged_text = _LONG_RUN.sub(_cut_run, text)
        if not tagged_text.strip():
            return []
        with self._lock:  # JPype calls from several threads are safe but serialise anyway.
            tagged = self._tagged(tagged_text, casual)
        haystack = (text if within is None else within).lower()
        out, cursor = [], 0
        for word, tag in tagged:
            word = word.lower()
            found = haystack.find(word, cursor)
            if tag not in self._keep:
                cursor = found + len(word) if found >= 0 else cursor
                continue
            predicate = tag in _VERB_TAGS
            if predicate and self.name == "okt":
                word = word[:-1] if word.endswith("다") and len(word) > 1 else word
                found = haystack.find(word, cursor)  # the stem, not the dictionary form
            start = found if found >= 0 else cursor
            cursor = start + len(word) if found >= 0 else cursor
            out.append(Token(word, tag, start))
        return out

    def _tagged(self, text: str, casual: bool) -> list[tuple[str, str]]:
        """konlpy's (morpheme, tag) pairs of ``text``, each word's from the recent words when
        it is one of them (see RECENT_WORDS); called under the lock."""
        if self.name != "okt" or _NOT_A_SPACE.search(text):
            return self._pos(text, casual)
        tagged: list[tuple[str, str]] = []
        for word in text.split(" "):
            if not word:
                continue
            key = (word, casual)
            tags = self._words.get(key)
            if tags is None:
                tags = tuple(self._pos(word, casual))
                self._words[key] = tags
                if len(self._words) > RECENT_WORDS:
                    self._words.popitem(last=False)
            else:
                self._words.move_to_end(key)
            tagged.extend(tags)
        return tagged

    def save_cache(self) -> None:
        """Write new document morphemes to the cache file (atomically); errors are not fatal."""
        if self._cache_file is None or not self._cache_dirty:
            return
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            partial = self._cache_file.with_suffix(".tmp")
            partial.write_text(json.dumps(self._cache, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, self._cache_file)
            self._cache_dirty = False
        except OSError:
            pass


def _cut_run(match: re.Match) -> str:
    run = match.group(0)
    return " ".join(run[i : i + MAX_UNSPACED_RUN] for i in range(0, len(run), MAX_UNSPACED_RUN))


def _read_cache(path: Path | None) -> dict[str, list[str]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def start_jvm() -> None:
    """Start the JVM for konlpy ourselves, with ``-Xrs``: without it the JVM takes over SIGTERM
    and Ctrl-C and exits at once, so the bot could never shut down cleanly (flush conversation
    state, close the database). konlpy skips its own start-up when a JVM is running."""
    import jpype
    from konlpy import utils

    if jpype.isJVMStarted():
        return
    java = Path(utils.installpath) / "java"
    jpype.startJVM(
        jpype.getDefaultJVMPath(),
        "-Dfile.encoding=UTF8",
        "-ea",
        "-Xrs",
        f"-Xmx{JVM_MAX_HEAP_MB}m",
        classpath=[str(java), str(java / "bin"), str(java / "*")],
        convertStrings=True,
    )
    # JPype hooks Python's garbage collector and calls System.gc() when Python frees a lot: a
    # full stop-the-world collection (14 per benchmarks/dialogues.py run, 330–890 ms each) that
    # stalled the message being tagged. The tagger hands Java only strings, so no Python object
    # waits on a Java collection; the JVM still collects by itself when its heap fills.
    gc.callbacks[:] = [c for c in gc.callbacks if getattr(c, "__module__", None) != "_jpype"]


def _make_tagger(name: str) -> Callable[[str, bool], list[tuple[str, str]]]:
    start_jvm()
    if name == "okt":
        from konlpy.tag import Okt

        okt = Okt(max_heap_size=JVM_MAX_HEAP_MB)
        return lambda text, casual: okt.pos(text, norm=casual, stem=True)
    from konlpy.tag import Komoran

    komoran = Komoran(max_heap_size=JVM_MAX_HEAP_MB)
    return lambda text, casual: komoran.pos(text)


_instances: dict[str, Tokenizer] = {}
_instances_lock = threading.Lock()


def get_tokenizer(name: str = DEFAULT_TAGGER, *, cache_dir: Path | None = None) -> Tokenizer:
    """The process-wide tokenizer for ``name`` (created on first call, then warmed up in the
    background), with its on-disk morpheme cache in ``cache_dir`` (the first call decides; None
    tags afresh). Callers pass ``Settings.morpheme_cache_dir``."""
    with _instances_lock:
        if name not in _instances:
            cache_file = cache_dir / f"morphemes-{name}.json" if cache_dir else None
            _instances[name] = Tokenizer(name, cache_file=cache_file)
            _instances[name].warm_up_in_background()
        return _instances[name]
