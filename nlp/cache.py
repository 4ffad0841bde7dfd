"""Recent replies of the current knowledge base, so a question asked again costs a dict lookup.

Citizens ask the same things in the same words (the season's programs, a new pledge), and a
reply depends only on the knowledge base, the text and the preferred region. The cache holds
the knowledge base it was filled from: given another one (after /reload) it starts empty, so
no reply of an old knowledge base is ever served with a new one.

Usage:
    replies = ReplyCache(5000)
    reply = replies.respond(kb, "다문화가족지원센터 어디", region="전주시")
"""

from __future__ import annotations

from collections import OrderedDict

from knowledge.base import KnowledgeBase
from nlp.reply import Reply
from nlp.responder import respond


class ReplyCache:
    """``respond`` with the ``size`` most recently used replies kept (0 keeps none)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError("size must be 0 or more")
        self.size = size
        self.hits = self.misses = 0
        self._kb: KnowledgeBase | None = None
        self._semantic: object | None = None
        self._replies: OrderedDict[tuple[str, str | None], Reply] = OrderedDict()

    def respond(self, kb: KnowledgeBase, text: str, region: str | None = None) -> Reply:
        """The reply ``nlp.responder.respond`` gives, from the cache when it holds it."""
        semantic = getattr(kb.index, "semantic", None)
        if kb is not self._kb or semantic is not self._semantic:
            # replies found by words alone are dropped once the semantic index is ready
            self._kb, self._semantic = kb, semantic
            self._replies.clear()
        key = (text, region)
        reply = self._replies.get(key)
        if reply is not None:
            self.hits += 1
            self._replies.move_to_end(key)
            return reply
        self.misses += 1
        reply = respond(kb, text, region=region)
        if self.size:
            self._replies[key] = reply
            if len(self._replies) > self.size:
                self._replies.popitem(last=False)
        return reply

    def __len__(self) -> int:
        return len(self._replies)
