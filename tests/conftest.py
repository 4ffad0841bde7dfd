"""Shared fixtures: the real knowledge base (built once per session) and its tokenizer."""
from __future__ import annotations

import os

# Tests tag documents afresh instead of reading the on-disk morpheme cache of earlier runs.
os.environ["MORPHEME_CACHE_DIR"] = ""

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


@pytest.fixture
def bot_settings(tmp_path):
    """Bot settings on a fresh database file: admin 900, staff 800, staff chat -100500.

    The outbox job is effectively off (tests call handlers.jobs.deliver_due themselves) and the
    send rate limits are out of the way.
    """
    from handlers.settings import load_settings

    return load_settings({
        "DATABASE_PATH": str(tmp_path / "bot.db"), "ADMIN_IDS": "900", "STAFF_IDS": "800",
        "STAFF_CHAT_ID": "-100500", "OUTBOX_INTERVAL_SECONDS": "3600",
        "RATE_LIMIT_PER_SECOND": "1000", "RATE_LIMIT_GROUP_PER_MINUTE": "1000",
    }, env_file=None)


@pytest.fixture
def local_bot_factory(bot_settings, kb, tokenizer):
    """Starts the real Application on the offline LocalBotApi: ``async with factory(**overrides)``.

    Yields a namespace with application, api (the recorded Bot API calls), db, settings and
    ``chat(user_id, chat_id=None)`` to talk to the bot as a user.
    """
    import dataclasses
    from contextlib import asynccontextmanager
    from functools import partial
    from types import SimpleNamespace

    from handlers.app import build_application, running
    from handlers.local_api import LocalBotApi, LocalChat

    @asynccontextmanager
    async def start(**overrides):
        settings = dataclasses.replace(bot_settings, **overrides)
        api = LocalBotApi()
        application = build_application(settings, request=api, kb=kb, tokenizer=tokenizer)
        async with running(application):
            yield SimpleNamespace(application=application, api=api, settings=settings,
                                  db=application.bot_data["db"],
                                  chat=partial(LocalChat, application, api))

    return start


@pytest.fixture
async def local_bot(local_bot_factory):
    """The bot with default test settings, started for one test."""
    async with local_bot_factory() as bot:
        yield bot
