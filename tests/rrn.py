"""Resident registration numbers for tests: the spellings people type, a hypothesis strategy
producing any of them, and the check that a stored text does not hold one.

Every number here is made up (and most fail the check digit on purpose); the valid ones are
built from a birth date and random digits, never taken from a real person.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from datetime import date, timedelta

import sqlite_utils
from hypothesis import strategies as st

from db.privacy import RANDOM_DIGITS_SINCE, has_valid_check_digit

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Between the halves, as people type them.
SEPARATORS = (
    "-",
    " ",
    "\n",
    "\r\n",
    "\u2013",
    "\u2014",
    "\u2212",
    "\uff0d",
    "\u2010",
    "_",
    "/",
    ".",
    " - ",
    "\t",
    "ㅡ",
    "\u00a0",
    "\u3000",
)
_NOT_SEPARATOR = str.maketrans("", "", " \t\r\n\u00a0\u3000-_/.")

# (id, spelling of 900101-1234567, which is a made-up number with a wrong check digit)
SPELLINGS = [
    ("hyphen", "900101-1234567"),
    ("full-width", "９００１０１－１２３４５６７"),
    ("zero-width-inside", "9001\u200b01-123\u200d4567"),
    ("line-break", "900101\n1234567"),
    ("crlf", "900101\r\n1234567"),
    ("en-dash", "900101\u20131234567"),
    ("em-dash", "900101\u20141234567"),
    ("minus-sign", "900101\u22121234567"),
    ("underscore", "900101_1234567"),
    ("slash", "900101/1234567"),
    ("dot", "900101.1234567"),
    ("spaced-digits", "9 0 0 1 0 1 1 2 3 4 5 6 7"),
    ("spaced-digits-and-dash", "9 0 0 1 0 1 - 1 2 3 4 5 6 7"),
    ("space-dash-space", "900101 - 1234567"),
    ("hangul-eu-as-dash", "900101ㅡ1234567"),
    ("soft-hyphen-and-space", "900101\u00ad 1234567"),
]
SPELLED = "9001011234567"


def check_digit(first12: str) -> str:
    """The 13th digit a number issued before October 2020 ends with."""
    for last in "0123456789":
        if has_valid_check_digit(first12 + last):
            return last
    raise AssertionError("unreachable: one digit always fits")


@st.composite
def rrns(draw) -> str:
    """13 digits of a plausible RRN: a past birth date, its century's 7th digit, and a valid
    check digit for numbers issued before October 2020 (random after)."""
    born = draw(st.dates(date(1920, 1, 1), date.today() - timedelta(days=1)))
    foreign = draw(st.booleans())
    sex = draw(st.integers(0, 1))
    gender = (5 if foreign else 1) + sex if born.year < 2000 else (7 if foreign else 3) + sex
    digits = f"{born:%y%m%d}{gender}" + draw(st.text("0123456789", min_size=5, max_size=5))
    if born >= RANDOM_DIGITS_SINCE:
        return digits + draw(st.sampled_from("0123456789"))
    return digits + check_digit(digits)


@st.composite
def spellings(draw, digits: str) -> str:
    """digits spelled any way people do: a separator (or none), full-width digits, every digit
    spaced out, zero-width characters anywhere inside."""
    front, back = digits[:6], digits[6:]
    if draw(st.booleans()):
        separator = draw(st.sampled_from(SEPARATORS))
        front, back = " ".join(front), " ".join(back)
    else:
        separator = draw(st.sampled_from(("", *SEPARATORS)))
    text = front + separator + back
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(ZERO_WIDTH)) + text[at:]
    return text


def digit_runs(text: str) -> str:
    """The text as a reader of digits sees it: NFKC, invisible characters and separators
    (white space, dashes, _ / .) gone."""
    return "".join(map(_as_read, text))


@functools.cache
def _as_read(ch: str) -> str:
    """One character as digit_runs keeps it ("" if dropped); cached, as the privacy tests read
    every stored character of every table after each example."""
    if unicodedata.category(ch) == "Cf":
        return ""
    ch = unicodedata.normalize("NFKC", ch)
    if (
        ch == "ㅡ"
        or ch == "\u1173"
        or any(unicodedata.category(c) == "Pd" or c == "\u2212" for c in ch)
    ):
        return ""
    return ch.translate(_NOT_SEPARATOR)


def stored_holding(database: sqlite_utils.Database, digits: str) -> list[tuple[str, str]]:
    """(table, column) of every stored value, in every table, that holds digits in order (in a
    JSON value, in any of its strings: JSON writes a line break as \\n)."""
    found = []
    for table in database.table_names():
        columns = list(database[table].columns_dict)
        for row in database.execute(f"select * from [{table}]").fetchall():
            for column, value in zip(columns, row):
                texts = [str(value)] + _json_strings(value) if value is not None else []
                if any(digits in digit_runs(text) for text in texts):
                    found.append((table, column))
    return found


def _json_strings(value: object) -> list[str]:
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return []
    strings: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                walk(key)
                walk(inner)
        elif isinstance(item, list):
            for inner in item:
                walk(inner)

    walk(parsed)
    return strings
