"""Korean morpheme tokenization with konlpy, behind one small wrapper.

konlpy runs on the JVM: the JVM can start once per process, so the tagger is a process-wide
singleton created on first use (never at import). ``java -version`` is checked first so a
machine without Java gets one clear line instead of a JPype stack trace.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
from typing import Callable

from nlp.normalizer import normalize

# The JVM starts once per process with this heap cap. Komoran's model needs more than 256 MB
# (it fails with OutOfMemoryError there); 512 MB fits either tagger and bounds the bot's RSS.
JVM_MAX_HEAP_MB = 512
TAGGERS = ("okt", "komoran")
DEFAULT_TAGGER = "okt"

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

    def __init__(self, name: str = DEFAULT_TAGGER) -> None:
        if name not in TAGGERS:
            raise ValueError(f"unknown tagger {name!r}; choose one of {', '.join(TAGGERS)}")
        check_java()
        self.name = name
        self._pos = _make_tagger(name)
        self._keep = _KEEP_TAGS[name]
        self._lock = threading.Lock()

    def morphemes(self, text: str, *, casual: bool = True) -> list[str]:
        """Content morphemes of ``text`` in order; verbs and adjectives as stems.

        ``casual`` also normalizes chat spelling ("하겟다" → "하겠다"); document text is
        written carefully and skips it, which halves the time to index the knowledge base.
        """
        text = normalize(text) if casual else text
        if not text.strip():
            return []
        with self._lock:  # JPype calls from several threads are safe but serialise anyway.
            tagged = self._pos(text, casual)
        out = []
        for word, tag in tagged:
            if tag not in self._keep:
                continue
            if tag in _VERB_TAGS and self.name == "okt":
                word = word[:-1] if word.endswith("다") and len(word) > 1 else word
            out.append(word.lower())
        return out


def _make_tagger(name: str) -> Callable[[str, bool], list[tuple[str, str]]]:
    if name == "okt":
        from konlpy.tag import Okt

        okt = Okt(max_heap_size=JVM_MAX_HEAP_MB)
        return lambda text, casual: okt.pos(text, norm=casual, stem=True)
    from konlpy.tag import Komoran

    komoran = Komoran(max_heap_size=JVM_MAX_HEAP_MB)
    return lambda text, casual: komoran.pos(text)


_instances: dict[str, Tokenizer] = {}
_instances_lock = threading.Lock()


def get_tokenizer(name: str = DEFAULT_TAGGER) -> Tokenizer:
    """The process-wide tokenizer for ``name`` (created on first call)."""
    with _instances_lock:
        if name not in _instances:
            _instances[name] = Tokenizer(name)
        return _instances[name]
