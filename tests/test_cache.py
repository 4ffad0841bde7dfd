"""ReplyCache: a repeated question is served from memory, never across knowledge bases."""

from __future__ import annotations

import pytest

from nlp.cache import ReplyCache
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base

QUESTION = "새마을지도자 자녀 장학금 지원 조건"
ANSWER_ID_PART = "새마을"


def test_a_repeated_question_is_served_from_the_cache(kb):
    replies = ReplyCache(10)
    first = replies.respond(kb, QUESTION)
    assert replies.respond(kb, QUESTION) is first
    assert (replies.hits, replies.misses) == (1, 1)
    assert first == respond(kb, QUESTION)


def test_the_region_is_part_of_the_question(kb):
    replies = ReplyCache(10)
    replies.respond(kb, "다문화가족지원센터", region="전주시")
    replies.respond(kb, "다문화가족지원센터", region="인천광역시")
    replies.respond(kb, "다문화가족지원센터")
    assert (replies.hits, replies.misses, len(replies)) == (0, 3, 3)


def test_a_new_knowledge_base_never_gets_a_reply_of_the_old_one(kb, tokenizer):
    replies = ReplyCache(10)
    old = replies.respond(kb, QUESTION)
    assert old.answered and ANSWER_ID_PART in old.hits[0].entry.title
    answer_id = old.hits[0].entry.id
    reloaded = build_knowledge_base(
        [e for e in kb.entries if e.id != answer_id], kb.curated, tokenizer=tokenizer
    )
    new = replies.respond(reloaded, QUESTION)
    assert all(hit.entry.id != answer_id for hit in new.hits)
    assert new == respond(reloaded, QUESTION)
    assert len(replies) == 1


def test_only_the_most_recently_used_replies_are_kept(kb):
    replies = ReplyCache(2)
    replies.respond(kb, "가")
    replies.respond(kb, "나")
    replies.respond(kb, "가")  # now "나" is the least recently used
    replies.respond(kb, "다")
    replies.respond(kb, "가")
    assert (replies.hits, len(replies)) == (2, 2)
    replies.respond(kb, "나")
    assert replies.misses == 4


def test_size_zero_keeps_nothing(kb):
    replies = ReplyCache(0)
    replies.respond(kb, QUESTION)
    replies.respond(kb, QUESTION)
    assert (replies.hits, replies.misses, len(replies)) == (0, 2, 0)


def test_a_negative_size_is_refused():
    with pytest.raises(ValueError):
        ReplyCache(-1)
