"""Receipt numbers, resident-registration-number redaction and phone masking."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.complaints import RECEIPT_ALPHABET, RRN_MASK, mask_phone, new_receipt, redact_personal_data

RECEIPT = re.compile(r"^\d{8}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$")


def test_receipt_format_uses_the_korean_date():
    # 2025-03-01 20:00 UTC is already 2 March in Korea.
    receipt = new_receipt(datetime(2025, 3, 1, 20, 0, tzinfo=timezone.utc))
    assert RECEIPT.match(receipt)
    assert receipt.startswith("20250302-")


def test_receipt_alphabet_has_no_ambiguous_characters():
    assert not set("0O1I") & set(RECEIPT_ALPHABET)


def test_receipts_are_random_not_sequential():
    now = datetime(2025, 3, 1, tzinfo=timezone.utc)
    receipts = [new_receipt(now) for _ in range(1000)]
    assert all(RECEIPT.match(r) for r in receipts)
    # 32**4 suffixes: 1,000 draws repeat one about half the time (the birthday bound), which
    # create_complaint retries; ten repeats would mean the draws are not random.
    assert len(set(receipts)) >= 990
    assert receipts != sorted(receipts)
    steps = {RECEIPT_ALPHABET.index(b[-1]) - RECEIPT_ALPHABET.index(a[-1])
             for a, b in zip(receipts, receipts[1:])}
    assert len(steps) > 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("900101-1234567", RRN_MASK),
        ("9001011234567", RRN_MASK),
        ("900101 1234567", RRN_MASK),
        ("900101 - 2234567", RRN_MASK),
        ("900101.3234567", RRN_MASK),
        ("제 번호는 001231-4234567 입니다", f"제 번호는 {RRN_MASK} 입니다"),
        ("외국인 851120-5123456", f"외국인 {RRN_MASK}"),
        ("외국인 8511206123456", f"외국인 {RRN_MASK}"),
        ("851120-7123456과 851120-8123456", f"{RRN_MASK}과 {RRN_MASK}"),
    ],
)
def test_resident_registration_numbers_are_redacted(text, expected):
    assert redact_personal_data(text) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "010-1234-5678",
        "01012345678",
        "02-123-4567",
        "+82 10 1234 5678",
        "2025-03-01",
        "2025.03.01 14:00",
        "20250301",
        "900101-9234567",    # 9 is no valid gender/nationality digit
        "900101-0234567",
        "901301-1234567",    # month 13
        "900132-1234567",    # day 32
        "1900101-1234567",   # part of a longer number
        "900101-12345678",
        "계좌 110-123-456789",
        "",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert redact_personal_data(text) == (text, False)


@given(st.text())
def test_redaction_never_raises_and_leaves_no_number(text):
    redacted, found = redact_personal_data(text)
    assert redact_personal_data(redacted) == (redacted, False)
    assert found == (redacted != text)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("010 1234 5678", "010 **** 5678"),
        ("01012345678", "010-****-5678"),
        ("02-123-4567", "02-***-4567"),
        ("0212345678", "02-****-5678"),
        ("+82 10-1234-5678", "+82 **-****-5678"),
        ("1234", "****"),
        ("", ""),
        ("없음", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@given(st.text())
def test_mask_phone_never_raises_and_hides_most_digits(phone):
    masked = mask_phone(phone)
    digits = re.sub(r"[^0-9]", "", phone)
    visible = re.sub(r"[^0-9]", "", masked)
    assert len(visible) <= 8
    if len(digits) >= 5:
        assert "*" in masked
