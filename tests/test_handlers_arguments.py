"""Parsing what people type: phone numbers, receipt numbers, user ids and export periods."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.complaints import RECEIPT_ALPHABET, new_receipt
from db.templates import NewTemplate
from handlers.arguments import (
    parse_period,
    parse_phone,
    parse_receipt,
    parse_template_add,
    parse_user_id,
)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("010-1234-5678", "010-1234-5678"),
        ("01012345678", "010-1234-5678"),
        ("010 1234 5678", "010-1234-5678"),
        ("(010) 1234.5678", "010-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),
        ("011-123-4567", "011-123-4567"),
        ("010-123-4567", "010-123-4567"),
        ("02-123-4567", "02-123-4567"),
        ("0212345678", "02-1234-5678"),
        ("063-222-1234", "063-222-1234"),
        ("070-1234-5678", "070-1234-5678"),
        ("1588-1234", "1588-1234"),
    ],
)
def test_korean_phone_numbers_are_accepted(typed, expected):
    assert parse_phone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345",
        "010-0234-5678",
        "010-1234-56789",
        "020-123-4567",
        "abc",
        "010-１２３４-5678",
        "900101-1234567",
        "112",
        "119",
        "+1 415 555 0100",
    ],
)
def test_other_input_is_not_a_phone_number(typed):
    assert parse_phone(typed) is None


@given(
    st.sampled_from(["010", "011", "016", "017", "018", "019"]),
    st.integers(1000, 9999),
    st.integers(0, 9999),
    st.sampled_from(["-", " ", "", "."]),
)
def test_mobile_numbers_round_trip_in_any_spelling(prefix, middle, last, sep):
    typed = f"{prefix}{sep}{middle}{sep}{last:04d}"
    assert parse_phone(typed) == f"{prefix}-{middle}-{last:04d}"


@given(st.text(max_size=20))
def test_parse_phone_never_crashes_and_returns_digits_and_dashes(text):
    phone = parse_phone(text)
    assert phone is None or set(phone) <= set("0123456789-")


@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(9999, 12, 30)))
def test_every_generated_receipt_parses(moment):
    receipt = new_receipt(moment)
    assert parse_receipt(f"  {receipt.lower()} ") == receipt


@pytest.mark.parametrize(
    "typed", ["", "20250301", "20250301-AB1C", "20250301-ABCDE", "2025-0301-ABCD"]
)
def test_malformed_receipts(typed):
    assert parse_receipt(typed) is None


def test_receipt_alphabet_excludes_ambiguous_letters():
    assert not set("01IO") & set(RECEIPT_ALPHABET)


@pytest.mark.parametrize(
    "typed, expected",
    [("555", 555), (" 7 ", 7), ("0", None), ("-5", None), ("abc", None), ("５", None), ("", None)],
)
def test_user_ids(typed, expected):
    assert parse_user_id(typed) == expected


def test_periods():
    assert parse_period([]) == (None, None)
    assert parse_period(["2025-03-01", "2025-03-31"]) == (date(2025, 3, 1), date(2025, 3, 31))
    for args in (["2025-03-01"], ["2025-03-31", "2025-03-01"], ["어제", "오늘"]):
        with pytest.raises(ValueError):
            parse_period(args)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("보수 안내 | 곧 고칩니다", NewTemplate("보수 안내", "곧 고칩니다")),
        (
            "유형=고충 부서=도로과 보수 안내 | 곧 | 고칩니다\n감사합니다",
            NewTemplate("보수 안내", "곧 | 고칩니다\n감사합니다", "고충", "도로과"),
        ),
        ("부서=도로과 유형=건의 안내|내용", NewTemplate("안내", "내용", "건의", "도로과")),
        (
            '유형="법정:여권 발급" 여권 | 4일 걸립니다',
            NewTemplate("여권", "4일 걸립니다", "법정:여권 발급"),
        ),
        ("유형=“법정:여권 발급” 여권 | 내용", NewTemplate("여권", "내용", "법정:여권 발급")),
        ("유형이 있는 안내 | 내용", NewTemplate("유형이 있는 안내", "내용")),
    ],
)
def test_template_add_reads_type_department_name_and_body(typed, expected):
    assert parse_template_add(typed) == expected


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("보수 안내 곧 고칩니다", "| 를 넣어"),
        ("유형=고충 유형=건의 안내 | 내용", "두 번"),
        ("유형= 고충 안내 | 내용", "붙여 적어"),
        ("부서 =도로과 안내 | 내용", "붙여 적어"),
    ],
)
def test_template_add_that_cannot_be_read_says_why(typed, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_template_add(typed)


@given(st.text(max_size=80))
def test_parse_template_add_never_crashes(text):
    try:
        parse_template_add(text)
    except ValueError:
        pass
