"""Resident registration numbers (주민등록번호) never reach the database: one mask for every text.

Detection runs on a normalized copy of the text: NFKC (full-width ９００１０１ becomes 900101),
every other script's decimal digits read as 0-9, and zero-width and other format characters
(Unicode category Cf) dropped. Each normalized character remembers the original character it
came from, so the mask replaces the original span, invisible characters included.

A number is taken for an RRN when it has
- 6 digits of a valid birth date (YYMMDD, with the century and "not in the future" given by the
  7th digit: 1, 2, 5, 6 born 1900-1999; 3, 4, 7, 8 born 2000 or later), then
- 7 digits starting with 1-8 (9 and 0 were for people born in the 1800s),
- not inside a longer number, and
- either written with a separator between the halves (any dash, minus, ``_``, ``/``, ``.``,
  spaces or a line break), or with every digit spaced out, or, as 13 bare digits, with a valid
  check digit (or a birth date since October 2020, whose numbers have none).

Why the check digit only for 13 bare digits: since October 2020 the last six digits are random,
so a valid check digit cannot be required of a number someone writes as 900101-1234567. Bare
13-digit runs are where ordinary numbers (accounts, orders, tracking numbers) live, and there a
wrong check digit (a 1-in-10 coincidence otherwise) says "not an RRN" for anyone born before
the change. tests/test_db_privacy.py shows both sides.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

RRN_MASK = "******-*******"
RRN_DIGITS = 13
# Read as "-" by the normalization: every Unicode dash (category Pd: hyphen, en and em dash,
# full-width) and these look-alikes: minus signs, box-drawing lines, the Hangul vowel ㅡ and the
# katakana long-vowel mark, all of which people type for a dash.
_DASH_LIKE = frozenset("\u2212\u2796\u2500\u2501\u3161\u30fc\uff70")
# Between the halves: dashes, _ / . and any white space (line breaks too). Up to five of them,
# so "900101 - 1234567" and "900101\r\n1234567" are one number, a paragraph is not.
_SEPARATORS = "\\s\\-_/."
_MAX_SEPARATORS = 5
# Each pattern starts with a digit so that the regex engine can skip to the digits; the
# lookbehind after it ("not two digits") says the character before it is no digit (100 µs →
# 15 µs on that complaint, against a leading lookbehind).
_COMPACT = re.compile(
    rf"(?P<front>[0-9](?<![0-9]{{2}})[0-9]{{5}})(?P<gap>[{_SEPARATORS}]{{1,{_MAX_SEPARATORS}}})?"
    rf"(?P<back>[1-8][0-9]{{6}})(?![0-9])"
)
# Every digit spaced out ("9 0 0 1 0 1 - 1 2 3 ..."): one space between digits, any separator
# run between the halves. Not preceded or followed by another spaced digit.
_SPACED = re.compile(
    rf"(?P<front>[0-9](?<![0-9]{{2}})(?<![0-9] [0-9])(?: [0-9]){{5}})"
    rf"(?P<gap>[{_SEPARATORS}]{{1,{_MAX_SEPARATORS}}})"
    rf"(?P<back>[1-8](?: [0-9]){{6}})(?![0-9])(?! [0-9])"
)
_CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# Numbers issued from this birth date on have random last digits (no check digit).
RANDOM_DIGITS_SINCE = date(2020, 10, 1)
_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}
# Characters that are or become (NFKC) a decimal digit: \d is every script's decimal digits
# (full-width too); the rest (superscripts, fractions, circled and parenthesized numbers, ㉑,
# ㍘) were listed from Python 3.11's Unicode tables. Fewer than _MIN_DIGIT_CHARS of them cannot
# spell 13 digits (one character gives at most 3, e.g. ⒛ → "20."): such text is returned as is.
_DIGIT_LIKE = re.compile(
    "[\\d\u00b2\u00b3\u00b9\u00bc-\u00be\u2070\u2074-\u2079\u2080-\u2089\u2150-\u215f"
    "\u2189\u2460-\u249b\u24ea\u3251-\u325f\u32b1-\u32cb\u3358-\u3370\u3378\u3379"
    "\u339f-\u33a6\u33a8\u33af\u33e0-\u33fe\U0001f100-\U0001f10a]"
)
_MIN_DIGIT_CHARS = 5
# ASCII and Hangul syllables are their own normalization: runs of them are copied at once. With
# the digit-first patterns below, redacting a 300-character complaint holding a phone number and
# a date went from 0.9 ms to 60 µs (timeit on the shared 2-core machine).
_PLAIN_RUN = re.compile("[\x00-\x7f\uac00-\ud7a3]+|.", re.S)


def redact_personal_data(text: str, *, today: date | None = None) -> tuple[str, bool]:
    """The text with every resident registration number replaced by RRN_MASK; whether any was.

    ``today`` (default: the current date) bounds the birth dates taken as real.
    """
    if len(_DIGIT_LIKE.findall(text)) < _MIN_DIGIT_CHARS:
        return text, False
    normalized, origin = _normalize(text)
    spans = _rrn_spans(normalized, today or date.today())
    if not spans:
        return text, False
    pieces, end = [], 0
    for start, stop in spans:  # normalized positions → original characters
        pieces += [text[end : origin[start]], RRN_MASK]
        end = origin[stop - 1] + 1
    pieces.append(text[end:])
    return "".join(pieces), True


def mask_rrn(text: str | None) -> str | None:
    """The text with resident registration numbers masked (None stays None)."""
    return None if text is None else redact_personal_data(text)[0]


def mask_strings(value: Any) -> Any:
    """A JSON-like value (dicts, lists, tuples, strings) with every string masked, keys too."""
    return _walk(value, mask_rrn)


def _walk(value: Any, fn: Callable[[str], str | None]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {_walk(key, fn): _walk(item, fn) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_walk(item, fn) for item in value)
    return value


def is_valid_birth_date(front: str, gender: str, today: date) -> bool:
    """Whether YYMMDD with this 7th digit is a real date no later than today."""
    century = _CENTURY.get(gender)
    if century is None:
        return False
    year, month, day = century + int(front[:2]), int(front[2:4]), int(front[4:6])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    return date(year, month, day) <= today


def has_valid_check_digit(digits: str) -> bool:
    """The 13th digit agrees with the weighted sum of the first 12 (numbers before Oct 2020)."""
    total = sum(int(d) * w for d, w in zip(digits, _CHECK_WEIGHTS))
    return (11 - total % 11) % 10 == int(digits[12])


def _normalize(text: str) -> tuple[str, list[int]]:
    """NFKC per character, other decimal digits as 0-9, dashes as "-", format characters dropped;
    with the original index of every normalized character."""
    chars: list[str] = []
    origin: list[int] = []
    for run in _PLAIN_RUN.finditer(text):
        index, ch = run.start(), run.group()
        if len(ch) > 1 or ch < "\x80" or "\uac00" <= ch <= "\ud7a3":
            chars.append(ch)
            origin.extend(range(index, run.end()))
            continue
        if unicodedata.category(ch) == "Cf":
            continue
        for out in "-" if ch in _DASH_LIKE else unicodedata.normalize("NFKC", ch):
            digit = unicodedata.decimal(out, None)
            if digit is not None:
                out = str(digit)
            elif unicodedata.category(out) == "Pd" or out in _DASH_LIKE:
                out = "-"
            chars.append(out)
            origin.append(index)
    return "".join(chars), origin


def _rrn_spans(normalized: str, today: date) -> list[tuple[int, int]]:
    """Start and end (normalized positions) of every RRN, in order, not overlapping."""
    spans = []
    for pattern in (_COMPACT, _SPACED):
        for match in pattern.finditer(normalized):
            front = match["front"].replace(" ", "")
            back = match["back"].replace(" ", "")
            if _is_rrn(
                front, back, separated=pattern is _SPACED or bool(match["gap"]), today=today
            ):
                spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, stop in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return merged


def _is_rrn(front: str, back: str, *, separated: bool, today: date) -> bool:
    if not is_valid_birth_date(front, back[0], today):
        return False
    if separated:
        return True
    century = _CENTURY[back[0]]
    born = date(century + int(front[:2]), int(front[2:4]), int(front[4:6]))
    return born >= RANDOM_DIGITS_SINCE or has_valid_check_digit(front + back)
