"""Shared fixtures: the real knowledge base (built once per session) and its tokenizer."""
from __future__ import annotations

import pytest

from knowledge.base import DEFAULT_DIR, KnowledgeBase, load_knowledge_base
from nlp.tokenizer import Tokenizer, get_tokenizer


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    return get_tokenizer()


@pytest.fixture(scope="session")
def kb(tokenizer: Tokenizer) -> KnowledgeBase:
    """The knowledge base built from the bundled documents, exactly as the bot loads it."""
    return load_knowledge_base(DEFAULT_DIR, tokenizer=tokenizer)


@pytest.fixture
def db():
    """An in-memory database with every migration applied, closed after the test."""
    from db.database import open_database

    database = open_database(None)
    yield database
    database.close()
