"""The error handler's reports to admins: one per kind of error every ten minutes."""

from __future__ import annotations

import pytest

from db.database import DatabaseUnavailable
from handlers import errors
from handlers.errors import REPORT_INTERVAL_SECONDS, TRY_LATER_TEXT, take_report

CITIZEN, ADMIN = 42, 900


def test_one_report_per_kind_and_interval_with_the_count_held_back():
    reports = {}
    assert take_report(reports, "DatabaseUnavailable: database is locked", 0.0) == 0
    assert take_report(reports, "DatabaseUnavailable: database is locked", 1.0) is None
    assert take_report(reports, "RetryAfter: Flood control exceeded. Retry in 7 seconds", 2.0) == 0
    assert (
        take_report(reports, "RetryAfter: Flood control exceeded. Retry in 9 seconds", 3.0) is None
    )
    assert take_report(reports, "DatabaseUnavailable: database is locked", 5.0) is None
    assert (
        take_report(
            reports, "DatabaseUnavailable: database is locked", REPORT_INTERVAL_SECONDS + 1
        )
        == 2
    )


async def test_a_locked_database_reports_once_but_apologises_to_everyone(local_bot, monkeypatch):
    def locked(*args, **kwargs):
        raise DatabaseUnavailable("database is locked")

    monkeypatch.setattr("handlers.complaint.list_complaints", locked)
    clock = [1000.0]
    monkeypatch.setattr(errors.time, "monotonic", lambda: clock[0])
    for n in range(5):
        calls = await local_bot.chat(CITIZEN + n).send("/my")
        assert [c.text for c in calls if c.chat_id == CITIZEN + n] == [TRY_LATER_TEXT]
    reports = local_bot.api.texts(ADMIN)
    assert len(reports) == 1 and "database is locked" in reports[0]
    clock[0] += REPORT_INTERVAL_SECONDS
    await local_bot.chat(CITIZEN).send("/my")
    assert len(local_bot.api.texts(ADMIN)) == 2
    assert "같은 오류 4건은 보고하지 않았습니다" in local_bot.api.texts(ADMIN)[-1]


@pytest.mark.parametrize("error", ["ValueError: x", "KeyError: 'y'"])
def test_different_kinds_are_reported_separately(error):
    reports = {}
    take_report(reports, "TimedOut: Timed out", 0.0)
    assert take_report(reports, error, 1.0) == 0
