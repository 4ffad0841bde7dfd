"""Prompts for a staff member's text: keyed by chat and prompt message, with a deadline on disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db import prompts
from db.prompts import REJECT, REPLY

NOW = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
TTL = 1800.0


def ask(db, message_id: int = 10, chat_id: int = -100, **overrides):
    fields = {
        "chat_id": chat_id,
        "message_id": message_id,
        "user_id": 800,
        "receipt": "20250301-AB2C",
        "action": REPLY,
        "ttl_seconds": TTL,
        "now": NOW,
    }
    return prompts.open_prompt(db, **(fields | overrides))


def test_a_prompt_is_found_by_its_chat_and_message_only(db):
    prompt = ask(db)
    assert prompts.prompt_for_message(db, -100, 10) == prompt
    assert prompts.prompt_for_message(db, -100, 11) is None
    assert prompts.prompt_for_message(db, 800, 10) is None
    assert (prompt.user_id, prompt.receipt, prompt.action, prompt.text) == (
        800,
        "20250301-AB2C",
        REPLY,
        None,
    )


def test_the_deadline_is_stored_and_checked_on_both_sides(db):
    prompt = ask(db)
    assert prompt.expires_at == "2025-03-01T03:30:00.000000+00:00"
    assert not prompt.expired(NOW + timedelta(seconds=TTL - 1))
    assert prompt.expired(NOW + timedelta(seconds=TTL))


def test_a_draft_resets_the_deadline_and_a_rewrite_drops_it(db):
    prompt = ask(db)
    later = NOW + timedelta(minutes=20)
    prompts.save_draft(
        db, prompt.id, text="답변\n  둘째 줄", source_key="-100:11", ttl_seconds=TTL, now=later
    )
    prompts.set_preview(db, prompt.id, 12)
    drafted = prompts.get_prompt(db, prompt.id)
    assert (drafted.text, drafted.source_key, drafted.preview_message_id) == (
        "답변\n  둘째 줄",
        "-100:11",
        12,
    )
    assert drafted.expires_at == "2025-03-01T03:50:00.000000+00:00"
    prompts.ask_again(db, prompt.id, message_id=13, ttl_seconds=TTL, now=later)
    again = prompts.get_prompt(db, prompt.id)
    assert (again.message_id, again.text, again.preview_message_id) == (13, None, None)
    assert prompts.prompt_for_message(db, -100, 10) is None


def test_expired_prompts_are_purged_when_another_opens(db):
    old = ask(db, message_id=10)
    new = ask(db, message_id=20, now=NOW + timedelta(seconds=TTL))
    assert prompts.get_prompt(db, old.id) is None and new.id != old.id  # ids are never reused
    assert prompts.purge_expired(db, now=NOW + timedelta(seconds=2 * TTL)) == 1
    assert db["staff_prompts"].count == 0


def test_closing_deletes_the_draft(db):
    prompt = ask(db, action=REJECT)
    prompts.save_draft(db, prompt.id, text="사유", source_key="k", ttl_seconds=TTL, now=NOW)
    prompts.close_prompt(db, prompt.id)
    assert db["staff_prompts"].count == 0


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="unknown prompt action"):
        ask(db, action="delete")
