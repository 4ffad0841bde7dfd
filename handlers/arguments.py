"""Parsing what people type after a command or in a reply: phone numbers, receipts, dates, ids.

Every parser returns None (or raises ValueError with a Korean sentence) instead of guessing.
"""

from __future__ import annotations

import re
from datetime import date

from db.complaints import RECEIPT_ALPHABET
from db.templates import NewTemplate

# Korean numbers, written without separators: mobile 010-1234-5678, Seoul 02-123-4567, other
# area codes 031…064, internet phones 070, and nationwide 15xx/16xx/18xx numbers. A local
# number never starts with 0, which keeps "020-123-4567" from reading as 02-0123-4567.
_PHONE_PATTERNS = (
    re.compile(r"(01[016789])([1-9]\d{2,3})(\d{4})"),
    re.compile(r"(02)([1-9]\d{2,3})(\d{4})"),
    re.compile(r"(0[3-6][1-5])([1-9]\d{2,3})(\d{4})"),
    re.compile(r"(070)([1-9]\d{3})(\d{4})"),
    re.compile(r"(1[5-9]\d{2})(\d{4})"),
)
_PHONE_SEPARATORS = re.compile(r"[\s().\-]")
_RECEIPT = re.compile(rf"\d{{8}}-[{RECEIPT_ALPHABET}]{{4}}")
# Telegram user ids have at most 52 significant bits; anything larger is not an id (and would
# not fit SQLite's 64-bit integers either).
MAX_USER_ID = 2**52 - 1
# Export periods: nothing was filed before 2000, and year 1 or 9999 would overflow the
# Korean-midnight arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
# "/template add 유형=고충 부서=도로과 이름 | 본문": the options before the name, a value with
# spaces in straight or curly quotes (phone keyboards often type “ ”).
TEMPLATE_TYPE, TEMPLATE_DEPARTMENT = "유형", "부서"
_TEMPLATE_OPTION = re.compile(
    rf"\s*({TEMPLATE_TYPE}|{TEMPLATE_DEPARTMENT})=(?:[\"“]([^\"“”]*)[\"”]|([^\s\"“]+))(?=\s|$)"
)
_TEMPLATE_OPTION_START = re.compile(rf"\s*({TEMPLATE_TYPE}|{TEMPLATE_DEPARTMENT})\s*=")


def parse_phone(text: str) -> str | None:
    """The number in its usual dashed form ('010-1234-5678'), or None if it is not one."""
    digits = _PHONE_SEPARATORS.sub("", text.strip())
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    if not digits.isascii() or not digits.isdigit():
        return None
    for pattern in _PHONE_PATTERNS:
        match = pattern.fullmatch(digits)
        if match:
            return "-".join(match.groups())
    return None


def parse_receipt(text: str) -> str | None:
    """A receipt number like '20250301-AB2C' (any case, spaces around), or None."""
    receipt = text.strip().upper()
    return receipt if _RECEIPT.fullmatch(receipt) else None


def parse_user_id(text: str) -> int | None:
    """A positive Telegram user id, or None."""
    text = text.strip()
    return (
        int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_USER_ID else None
    )


def parse_period(args: list[str]) -> tuple[date | None, date | None]:
    """(since, until) from '[YYYY-MM-DD YYYY-MM-DD]'; ValueError with a Korean message."""
    if not args:
        return None, None
    if len(args) != 2:
        raise ValueError("시작일과 종료일을 함께 적어 주세요.")
    try:
        since, until = (date.fromisoformat(a) for a in args)
    except ValueError:
        raise ValueError("날짜는 YYYY-MM-DD 형식으로 적어 주세요.") from None
    if since > until:
        raise ValueError("시작일이 종료일보다 늦습니다.")
    if since < FIRST_DAY or until > LAST_DAY:
        raise ValueError(f"날짜는 {FIRST_DAY}부터 {LAST_DAY} 사이로 적어 주세요.")
    return since, until


def parse_template_add(text: str) -> NewTemplate:
    """``[유형=…] [부서=…] 이름 | 본문`` (options in any order, the body may hold "|" and
    line breaks), as typed: ``checked_template`` checks it; ValueError with a Korean sentence
    when it cannot be read."""
    options: dict[str, str] = {}
    while match := _TEMPLATE_OPTION.match(text):
        key = match.group(1)
        if key in options:
            raise ValueError(f"{key}을(를) 두 번 적었습니다.")
        options[key] = match.group(2) if match.group(2) is not None else match.group(3)
        text = text[match.end() :]
    broken = _TEMPLATE_OPTION_START.match(text)
    if broken:
        raise ValueError(
            f"{broken.group(1)}은(는) {broken.group(1)}=값 처럼 = 앞뒤를 붙여 적어 주세요 "
            '(띄어쓰기가 있는 값은 "따옴표"로 묶습니다).'
        )
    name, bar, body = text.partition("|")
    if not bar:
        raise ValueError("이름과 본문 사이에 | 를 넣어 주세요.")
    return NewTemplate(
        name.strip(),
        body.strip(),
        options.get(TEMPLATE_TYPE) or None,
        options.get(TEMPLATE_DEPARTMENT) or None,
    )
