"""Question log: what is stored, purging, and the admin /stats numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db import questions
from db.questions import QuestionStats

NOW = datetime(2025, 3, 10, 3, 0, tzinfo=UTC)  # 12:00 in Korea


def log(db, query="전입신고 어떻게 해요", *, intent="question", band="answer", now=NOW):
    questions.log_question(
        db,
        user_id=1,
        query=query,
        intent=intent,
        band=band,
        entry_id="e1" if band == "answer" else None,
        score=0.9 if band == "answer" else None,
        now=now,
    )


def test_only_question_like_intents_keep_their_text(db):
    log(db, "안녕하세요", intent="greeting")
    log(db, "우주 날씨", intent="out_of_scope", band="none")
    log(db, "옆집 소음 민원 넣을게요 010-1234-5678", intent="complaint", band="none")
    assert [row["query"] for row in db["questions"].rows] == ["안녕하세요", "우주 날씨", None]


def test_logged_text_is_redacted(db):
    log(db, "900101-1234567 로 조회돼요?")
    assert db["questions"].get(1)["query"] == "******-******* 로 조회돼요?"


def test_purge_older_than(db):
    log(db, now=NOW - timedelta(days=31))
    log(db, now=NOW - timedelta(days=29))
    assert questions.purge_older_than(db, 30, now=NOW) == 1
    assert db["questions"].count == 1
    with pytest.raises(ValueError):
        questions.purge_older_than(db, -1)


def test_question_stats(db):
    # 2025-03-09 15:30 UTC is already 10 March (today) in Korea; 14:30 is yesterday.
    log(db, now=datetime(2025, 3, 9, 15, 30, tzinfo=UTC))
    log(db, now=datetime(2025, 3, 9, 14, 30, tzinfo=UTC))
    for text in ("여권 재발급", "여권재발급", " 여권  재발급 "):
        log(db, text, band="none", now=NOW - timedelta(hours=1))
    log(db, "쓰레기 봉투", band="suggest", now=NOW - timedelta(days=6))
    log(db, "우주 날씨", intent="out_of_scope", band="none", now=NOW - timedelta(days=2))
    log(db, "안녕", intent="greeting", band="none", now=NOW - timedelta(days=2))
    log(db, "옛날 질문", band="none", now=NOW - timedelta(days=8))
    log(db, "미래 질문", band="none", now=NOW + timedelta(minutes=1))
    stats = questions.question_stats(db, now=NOW)
    assert stats == QuestionStats(
        today=4,
        week=8,
        answered_rate=2 / 8,
        top_unanswered=[("여권  재발급", 3), ("우주 날씨", 1), ("쓰레기 봉투", 1)],
    )


def test_question_stats_on_an_empty_log(db):
    assert questions.question_stats(db, now=NOW) == QuestionStats(0, 0, 0.0, [])


def test_top_unanswered_keeps_ten(db):
    for i in range(12):
        for _ in range(i + 1):
            log(db, f"질문 {i}", band="none", now=NOW - timedelta(hours=1))
    top = questions.question_stats(db, now=NOW).top_unanswered
    assert top == [(f"질문 {i}", i + 1) for i in range(11, 1, -1)]


def test_recent_questions_are_distinct_newest_first_and_only_questions(db):
    log(db, "여권 재발급", now=NOW - timedelta(days=40))  # older than the window
    log(db, "전입신고", now=NOW - timedelta(days=3))
    log(db, "여권 재발급", now=NOW - timedelta(days=2))
    log(db, "전입신고", now=NOW - timedelta(days=1))
    log(db, "우주 날씨", intent="out_of_scope", band="none", now=NOW)
    assert questions.recent_questions(db, days=30, now=NOW) == ["전입신고", "여권 재발급"]
    assert questions.recent_questions(db, days=30, limit=1, now=NOW) == ["전입신고"]


@pytest.mark.parametrize(
    "intent, band, age, listed",
    [
        ("question", "none", timedelta(days=1), True),  # not found
        ("question", "suggest", timedelta(days=1), True),  # low confidence
        ("out_of_scope", "none", timedelta(days=1), True),
        ("question", "answer", timedelta(days=1), False),
        ("greeting", "none", timedelta(days=1), False),
        ("complaint", "none", timedelta(days=1), False),  # no text is kept
        ("question", "none", timedelta(days=7, seconds=1), False),  # before the window
        ("question", "none", timedelta(days=6, hours=23), True),
    ],
)
def test_unanswered_questions_of_the_window(db, intent, band, age, listed):
    log(db, "여권 수수료", intent=intent, band=band, now=NOW - age)
    expected = ["여권 수수료"] if listed else []
    assert questions.unanswered_questions(db, days=7, now=NOW) == expected


def test_unanswered_questions_keep_every_time_asked_newest_first(db):
    log(db, "여권 수수료", band="none", now=NOW - timedelta(hours=2))
    log(db, "등본 발급", band="suggest", now=NOW - timedelta(hours=1))
    log(db, "여권 수수료", band="none", now=NOW)
    assert questions.unanswered_questions(db, now=NOW) == [
        "여권 수수료",
        "등본 발급",
        "여권 수수료",
    ]


@pytest.mark.parametrize(
    "entry_id, band, asked, counted",
    [
        ("e1", "answer", NOW, True),
        ("e1", "answer", NOW - timedelta(seconds=1), False),  # before it was taught
        ("e1", "suggest", NOW, False),  # only suggested
        ("e2", "answer", NOW, False),
    ],
)
def test_answered_since_counts_answers_by_the_entry_from_then_on(
    db, entry_id, band, asked, counted
):
    questions.log_question(
        db,
        user_id=1,
        query="q",
        intent="question",
        band=band,
        entry_id=entry_id,
        score=50.0,
        now=asked,
    )
    assert questions.answered_since(db, "e1", NOW) == int(counted)
