"""The callback context every handler and job receives: the bot's shared services, typed.

Like python-telegram-bot's ``examples/contexttypesbot.py``: handlers read ``context.kb`` or
``context.store`` instead of ``context.bot_data["kb"]``, so a misspelt service is an attribute
error a type checker finds, not a KeyError at run time. ``handlers.app`` registers the class
with ``ContextTypes(context=BotContext)`` and sets every service once, in post_init
(``set_services``); ``bot_data`` stays the store, so a /reload swaps the knowledge base for every
context at once.

Usage:
    async def start(update: Update, context: BotContext) -> None:
        await update.message.reply_text(welcome_text(context.kb))
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from config import Settings
    from db.durability import WalSync
    from db.store import Store
    from handlers.errors import Reported
    from handlers.relay import ActiveRelays
    from handlers.teaching import Lesson, Prompt
    from knowledge.base import KnowledgeBase
    from nlp.cache import ReplyCache
    from nlp.semantic import SemanticService
    from nlp.tokenizer import Tokenizer

# The bot_data keys behind the properties, set in post_init (handlers.app) and nowhere else.
SERVICES = (
    "settings",
    "tokenizer",
    "kb",
    "store",
    "wal_sync",
    "replies",
    "matcher",
    "reload_lock",
    "outbox_lock",
    "semantic",
    "uploads",
    "error_reports",
    "preview_outcomes",
    "lessons",
    "teaching_prompts",
    "relays",
)


class MissingService(Exception):
    "A service was read before post_init set it, or after post_shutdown removed it."


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """A CallbackContext with the services of ``handlers.app`` as typed properties."""

    def _service(self, name: str) -> Any:
        return service(self.bot_data, name)

    @property
    def settings(self) -> Settings:
        """The configuration the bot was started with."""
        return self._service("settings")

    @property
    def tokenizer(self) -> Tokenizer:
        """The morpheme tokenizer the knowledge base was indexed with."""
        return self._service("tokenizer")

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use; read it once per answer (a /reload swaps it)."""
        return self._service("kb")

    @kb.setter
    def kb(self, value: KnowledgeBase) -> None:
        self.bot_data["kb"] = value  # one assignment: a question sees the old or the new kb

    @property
    def store(self) -> Store:
        """The database: ``await context.store.read(fn, ...)`` / ``.write(fn, ...)`` run a db/
        function off the event loop (db.store)."""
        return self._service("store")

    @property
    def wal_sync(self) -> WalSync:
        """Awaited before a person is told a write is kept (db.durability)."""
        return self._service("wal_sync")

    @property
    def replies(self) -> ReplyCache:
        """Answers to questions, cached per knowledge base version."""
        return self._service("replies")

    @property
    def matcher(self) -> ThreadPoolExecutor:
        """The one thread that runs the matcher (transport.matching)."""
        return self._service("matcher")

    @property
    def reload_lock(self) -> asyncio.Lock:
        """Held while the knowledge base is rebuilt: one /reload at a time."""
        return self._service("reload_lock")

    @property
    def outbox_lock(self) -> asyncio.Lock:
        """Held while notifications are delivered: one delivery at a time."""
        return self._service("outbox_lock")

    @property
    def semantic(self) -> SemanticService | None:
        """The semantic retrieval service, or None with RETRIEVAL=lexical."""
        return self._service("semantic")

    @property
    def uploads(self) -> dict[str, tuple[str, bytes, str]]:
        """Uploaded files waiting for an admin's [반영] by button token: (name, data, region)."""
        return self._service("uploads")

    @property
    def error_reports(self) -> dict[str, Reported]:
        """When each kind of error was last reported to the admins (handlers.errors)."""
        return self._service("error_reports")

    @property
    def preview_outcomes(self) -> dict[str, Any]:
        """The live knowledge base's answers to logged questions, remembered across upload
        previews until a reload or publish replaces it (handlers.admin._preview)."""
        return self._service("preview_outcomes")

    @property
    def lessons(self) -> dict[str, Lesson]:
        """Open /unanswered listings by token (handlers.teaching; not persisted)."""
        return self._service("lessons")

    @property
    def teaching_prompts(self) -> dict[tuple[int, int], Prompt]:
        """Open teaching prompts by (chat, message) (handlers.teaching; not persisted)."""
        return self._service("teaching_prompts")

    @property
    def relays(self) -> ActiveRelays:
        """The citizens in a waiting or open 상담원 연결 (handlers.relay)."""
        return self._service("relays")


def service(bot_data: dict, name: str) -> Any:
    """One service from ``bot_data``; MissingService outside post_init..post_shutdown."""
    try:
        return bot_data[name]
    except KeyError:
        raise MissingService(f"{name} is not set: is the application initialized?") from None


def set_services(application: Application, **services: Any) -> None:
    """Puts every service of SERVICES into ``bot_data`` at once (post_init)."""
    unknown = set(services) ^ set(SERVICES)
    if unknown:
        raise ValueError(f"services missing or unknown: {', '.join(sorted(unknown))}")
    application.bot_data.update(services)
