"""The knowledge base the benchmarks measure: the bundled documents indexed as the bot indexes
them, with the semantic index attached (hybrid retrieval, the bot's default).

Usage (from a script in benchmarks/, which has benchmarks/ on sys.path):
    from kb_setup import hybrid_knowledge_base
    kb, service = hybrid_knowledge_base()          # or hybrid_knowledge_base("komoran")
    kb.index.semantic                              # the SemanticIndex; service.embedded: how
                                                   # many passages were embedded just now

Used by accuracy.py --side-by-side, fusion.py, latency.py and miss_causes.py, so they measure
the same thing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from knowledge.base import DEFAULT_DIR, KnowledgeBase  # noqa: E402
from nlp.retrieval import load_knowledge_base  # noqa: E402
from nlp.semantic import DEFAULT_CACHE_PATH, SemanticService  # noqa: E402
from nlp.tokenizer import get_tokenizer  # noqa: E402

VECTOR_CACHE = ROOT / DEFAULT_CACHE_PATH  # data/vectors.npz: the bot's own cache of vectors


def hybrid_knowledge_base(tagger: str = "okt") -> tuple[KnowledgeBase, SemanticService]:
    """The bundled knowledge base tokenized with ``tagger`` (with the MORPHEME_CACHE_DIR cache)
    and its semantic index built in this thread: vectors from VECTOR_CACHE, the rest embedded
    now. Exits with one line when the semantic model cannot be loaded here."""
    settings = load_settings(os.environ)
    tokenizer = get_tokenizer(tagger, cache_dir=settings.morpheme_cache_dir)
    kb = load_knowledge_base(DEFAULT_DIR, tokenizer=tokenizer)
    service = SemanticService(VECTOR_CACHE)
    if not service.build(kb):
        raise SystemExit(f"semantic model unavailable: {service.error}")
    return kb, service
