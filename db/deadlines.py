"""Legal processing deadlines of complaints (민원 처리에 관한 법률 and its 시행령), as pure
functions.

Usage:
    period = period_for(QUERY)                       # 7 days (시행령 §14)
    due = due_at(received, period, closed_days=set())  # an aware datetime in KST

Counting (법 §19): a period of 5 days or less counts working hours, 8 a day (09:00–12:00 and
13:00–18:00 KST); a longer one counts days, the day of receipt included, and the period ends at
the close of its last working day. Saturdays, Sundays, public holidays (the ``holidays`` package:
lunar holidays and substitute days included) and the office's own closed days never count.
Nothing here reads the database or the clock: callers pass the closed days and the moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from db.database import KST

QUERY = "질의"
QUERY_LAW = "질의(법령해석)"
PROPOSAL = "건의"
GRIEVANCE = "고충"
OTHER = "기타"
STATUTORY = "법정"
# The types staff pick from; 법정민원 also names its kind from the admin's table ("법정:여권").
TYPES = (QUERY, QUERY_LAW, PROPOSAL, GRIEVANCE, OTHER)
STATUTORY_PREFIX = f"{STATUTORY}:"

# Working day of a Korean public office: 09:00–18:00 with a lunch hour, 8 hours (법 §19①).
WORK_BLOCKS = ((time(9), time(12)), (time(13), time(18)))
HOURS_PER_DAY = 8
# Periods up to this many days count in working hours, longer ones in days (법 §19①②).
MAX_DAYS_COUNTED_IN_HOURS = 5
# One 법정민원 table row may not promise more than a year; a typo like 700 is refused.
MAX_STATUTORY_DAYS = 365


class UnknownType(Exception):
    "Not a complaint type: use 질의, 질의(법령해석), 건의, 고충, 기타 or 법정:이름."


@dataclass(frozen=True)
class Period:
    """A processing period: whole days, or working hours for 기타민원 (at once = 3 hours)."""

    days: int = 0
    hours: int = 0

    @property
    def working_hours(self) -> int | None:
        """The period in working hours when it counts in hours (5 days or less), else None."""
        if self.hours:
            return self.hours
        return self.days * HOURS_PER_DAY if self.days <= MAX_DAYS_COUNTED_IN_HOURS else None


# 시행령 §14 (질의: 절차 7일, 법령 해석 14일), §15 (건의 14일), §16 (기타: 즉시, 3근무시간),
# §17 (고충 7일).
PERIODS: dict[str, Period] = {
    QUERY: Period(days=7),
    QUERY_LAW: Period(days=14),
    PROPOSAL: Period(days=14),
    GRIEVANCE: Period(days=7),
    OTHER: Period(hours=3),
}

# Suggesting a type from the citizen's words; first match wins, else 고충 — most complaints
# sent to this bot describe a problem to fix (benchmarks/questions.tsv complaint lines).
_SUGGESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (QUERY_LAW, re.compile(r"법령|법률|조례|시행령|시행규칙|유권해석|해석")),
    (PROPOSAL, re.compile(r"건의|제안|개선해\s*주|만들어\s*주|설치해\s*주|했으면|늘려\s*주")),
    (QUERY, re.compile(r"문의|궁금|절차|방법|어떻게|서류|신청하려|되나요|인가요|나요\?|까요\?")),
)


def suggest_type(text: str) -> str:
    """The complaint type the text most likely is, for staff to confirm or change."""
    for kind, pattern in _SUGGESTIONS:
        if pattern.search(text):
            return kind
    return GRIEVANCE


def is_type(kind: str) -> bool:
    """True for one of TYPES or a 법정민원 kind written '법정:이름'."""
    return kind in TYPES or (
        kind.startswith(STATUTORY_PREFIX) and len(kind) > len(STATUTORY_PREFIX)
    )


def period_for(kind: str, statutory: dict[str, int] | None = None) -> Period:
    """The processing period of a type; 법정민원 periods come from the admin's table."""
    if kind in PERIODS:
        return PERIODS[kind]
    name = kind.removeprefix(STATUTORY_PREFIX)
    if kind.startswith(STATUTORY_PREFIX) and statutory and name in statutory:
        return Period(days=statutory[name])
    raise UnknownType(kind)


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KR", years=year))


def is_working_day(day: date, closed_days: frozenset[date] | set[date] = frozenset()) -> bool:
    """A weekday that is neither a public holiday nor one of the office's closed days."""
    return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in closed_days


def due_at(
    received: datetime, period: Period, *, closed_days: frozenset[date] | set[date] = frozenset()
) -> datetime:
    """When a complaint received at ``received`` (aware) must be answered, in KST."""
    local = received.astimezone(KST)
    hours = period.working_hours
    if hours is not None:
        return _add_working_hours(local, hours, closed_days)
    day, counted = local.date(), 0
    while True:
        if is_working_day(day, closed_days):
            counted += 1
            if counted == period.days:
                return datetime.combine(day, WORK_BLOCKS[-1][1], KST)
        day += timedelta(days=1)


def _add_working_hours(start: datetime, hours: int, closed_days) -> datetime:
    remaining = timedelta(hours=hours)
    day = start.date()
    while True:
        if is_working_day(day, closed_days):
            for begin, end in WORK_BLOCKS:
                block_start = max(datetime.combine(day, begin, KST), start)
                block_end = datetime.combine(day, end, KST)
                if block_start >= block_end:
                    continue
                if block_end - block_start >= remaining:
                    return block_start + remaining
                remaining -= block_end - block_start
        day += timedelta(days=1)
