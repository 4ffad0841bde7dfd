"""Legal deadlines at fixed dates across 설날, 추석 and substitute holidays."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from db import deadlines
from db.database import KST
from db.deadlines import (
    GRIEVANCE,
    OTHER,
    PROPOSAL,
    QUERY,
    QUERY_LAW,
    Period,
    UnknownType,
    due_at,
    is_working_day,
    period_for,
    suggest_type,
)


def kst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=KST)


@pytest.mark.parametrize(
    "kind, received, expected",
    [
        # 고충 7일, 2025 설날: 1/27 임시공휴일, 1/28–30 설 연휴; day 1 is the Friday of receipt.
        (GRIEVANCE, kst(2025, 1, 24, 10), kst(2025, 2, 7, 18)),
        # 질의(법령해석) 14일 over 2025 추석: 10/3 개천절, 10/5–7 추석, 10/8 대체공휴일,
        # 10/9 한글날.
        (QUERY_LAW, kst(2025, 10, 1, 15), kst(2025, 10, 27, 18)),
        # 건의 14일 from the same day.
        (PROPOSAL, kst(2025, 10, 1, 9), kst(2025, 10, 27, 18)),
        # 질의 7일 received on the Saturday before 2026 설날 (2/16–18): day 1 is Thu 2/19.
        (QUERY, kst(2026, 2, 14, 11), kst(2026, 2, 27, 18)),
        # 기타 3근무시간 received at 16:30 before the 추석 break: 1.5 h, then 10/10 09:00 + 1.5 h.
        (OTHER, kst(2025, 10, 2, 16, 30), kst(2025, 10, 10, 10, 30)),
        # 기타 in the morning: the lunch hour does not count.
        (OTHER, kst(2025, 3, 4, 11), kst(2025, 3, 4, 15)),
        # 기타 received after hours starts the next working morning.
        (OTHER, kst(2025, 3, 4, 19), kst(2025, 3, 5, 12)),
    ],
)
def test_due_dates_across_holidays(kind, received, expected):
    assert due_at(received, period_for(kind)) == expected


def test_short_periods_count_working_hours_over_a_substitute_holiday():
    # 3일 = 24 working hours from Fri 2026-08-14 14:00: 4 h, then 8/15 Sat, 8/16 Sun and
    # 8/17 (광복절 대체공휴일) are skipped, 8 h on 8/18 and 8/19, 4 more on 8/20 (lunch skipped).
    assert due_at(kst(2026, 8, 14, 14), Period(days=3)) == kst(2026, 8, 20, 14)


def test_five_days_still_count_in_hours_and_six_in_days():
    assert Period(days=5).working_hours == 40
    assert Period(days=6).working_hours is None
    # 6일 from Mon 2025-03-03 (삼일절 대체공휴일): 3/4 is day 1, the 6th working day is 3/11.
    assert due_at(kst(2025, 3, 3, 10), Period(days=6)) == kst(2025, 3, 11, 18)


def test_office_closed_days_are_skipped():
    received = kst(2025, 3, 4, 10)
    assert due_at(received, Period(days=7)) == kst(2025, 3, 12, 18)
    closed = {date(2025, 3, 7), date(2025, 3, 10)}
    assert due_at(received, Period(days=7), closed_days=closed) == kst(2025, 3, 14, 18)


def test_utc_input_is_counted_in_korean_time():
    # 2025-03-04 23:30 UTC is 3/5 08:30 in Korea: the 3 hours start at 09:00 there.
    utc = datetime.fromisoformat("2025-03-04T23:30:00+00:00")
    assert due_at(utc, period_for(OTHER)) == kst(2025, 3, 5, 12)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2025, 1, 27), False),  # 임시공휴일
        (date(2025, 1, 31), True),
        (date(2025, 10, 8), False),  # 추석 대체공휴일
        (date(2026, 3, 2), False),  # 삼일절 대체공휴일
        (date(2026, 3, 3), True),
        (date(2026, 3, 7), False),  # Saturday
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    "text, kind",
    [
        ("가로등이 고장났어요 고쳐 주세요", GRIEVANCE),
        ("여권 재발급 절차가 궁금합니다", QUERY),
        ("이 조례 해석이 맞는지 알려 주세요", QUERY_LAW),
        ("공원에 벤치를 설치해 주시면 좋겠어요 건의합니다", PROPOSAL),
    ],
)
def test_type_is_suggested_from_the_text(text, kind):
    assert suggest_type(text) == kind


def test_statutory_periods_come_from_the_table():
    assert period_for("법정:여권 발급", {"여권 발급": 4}) == Period(days=4)
    with pytest.raises(UnknownType):
        period_for("법정:없는 민원", {"여권 발급": 4})
    with pytest.raises(UnknownType):
        period_for("아무거나")
    assert deadlines.is_type("법정:여권 발급") and not deadlines.is_type("법정:")
