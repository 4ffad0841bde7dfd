"""Receipt numbers, resident-registration-number redaction and phone masking."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import notices
from db import complaints, outbox, questions, staff
from db.complaints import RECEIPT_ALPHABET, mask_phone, new_receipt
from db.database import open_database
from db.persistence import SQLitePersistence
from db.privacy import RRN_MASK, has_valid_check_digit, mask_strings, redact_personal_data
from rrn import SPELLINGS, check_digit, digit_runs, rrns, spellings, stored_holding

RECEIPT = re.compile(r"^\d{8}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$")


def test_receipt_format_uses_the_korean_date():
    # 2025-03-01 20:00 UTC is already 2 March in Korea.
    receipt = new_receipt(datetime(2025, 3, 1, 20, 0, tzinfo=UTC))
    assert RECEIPT.match(receipt)
    assert receipt.startswith("20250302-")


def test_receipt_alphabet_has_no_ambiguous_characters():
    assert not set("0O1I") & set(RECEIPT_ALPHABET)


def test_receipts_are_random_not_sequential():
    now = datetime(2025, 3, 1, tzinfo=UTC)
    receipts = [new_receipt(now) for _ in range(1000)]
    assert all(RECEIPT.match(r) for r in receipts)
    # 32**4 suffixes: 1,000 draws repeat one about half the time (the birthday bound), which
    # create_complaint retries; ten repeats would mean the draws are not random.
    assert len(set(receipts)) >= 990
    assert receipts != sorted(receipts)
    steps = {
        RECEIPT_ALPHABET.index(b[-1]) - RECEIPT_ALPHABET.index(a[-1])
        for a, b in zip(receipts, receipts[1:])
    }
    assert len(steps) > 10


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


# --- resident registration numbers (db.privacy) ---------------------------------------------

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("900101-1234567", RRN_MASK),
        ("9001011234568", RRN_MASK),  # 13 bare digits with a valid check digit
        ("900101 1234567", RRN_MASK),
        ("900101 - 2234567", RRN_MASK),
        ("050101.3234567", RRN_MASK),
        ("제 번호는 001231-4234567 입니다", f"제 번호는 {RRN_MASK} 입니다"),
        ("외국인 851120-5123456", f"외국인 {RRN_MASK}"),
        ("외국인 8511205123450", f"외국인 {RRN_MASK}"),
        ("051120-7123456과 051120-8123456", f"{RRN_MASK}과 {RRN_MASK}"),
        ("전화 010-1234-5678 900101-1234567", f"전화 010-1234-5678 {RRN_MASK}"),
        ("\u200b앞 900101\u200b-1234567 뒤\u200b", f"\u200b앞 {RRN_MASK} 뒤\u200b"),
        ("２０００年 000229-3234567", f"２０００年 {RRN_MASK}"),  # 29 February 2000
    ],
)
def test_resident_registration_numbers_are_redacted(text, expected):
    assert redact_personal_data(text, today=TODAY) == (expected, True)


@pytest.mark.parametrize(("spelling", "text"), SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_every_spelling_is_masked_in_the_original_text(spelling, text):
    """The 8 spellings that got through before (full-width, zero-width, line break, en and em
    dash, _, /, spaced digits) and the others; the text around the number stays as written."""
    assert redact_personal_data(f"제 번호 {text} 입니다") == (f"제 번호 {RRN_MASK} 입니다", True)


@pytest.mark.parametrize(
    "text",
    [
        "010-1234-5678",
        "01012345678",
        "02-123-4567",
        "+82 10 1234 5678",
        "010 1234 5678",
        "2025-03-01",
        "2025.03.01 14:00",
        "20250301",
        "2025-03-01 1234567",
        "900101-9234567",  # 9 is no valid gender/nationality digit
        "900101-0234567",
        "901301-1234567",  # month 13
        "900132-1234567",  # day 32
        "010229-3234567",  # 29 February 2001 did not exist
        "990101-3234567",  # born 2099: in the future
        "1900101-1234567",  # part of a longer number
        "900101-12345678",
        "9 0 0 1 0 1 1 2 3 4 5 6 7 8",  # 14 spaced digits
        "계좌 110-123-456789",
        "카드 1234 5678 9012 3456",
        "주문번호 9001011234567",  # 13 bare digits, wrong check digit (see below)
        "",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert redact_personal_data(text, today=TODAY) == (text, False)


def test_thirteen_bare_digits_with_a_wrong_check_digit_are_kept_unless_born_since_oct_2020():
    """The decision for a 13-digit number with a valid date and 7th digit but a wrong check digit:
    written bare it is taken for an ordinary number (account, order) and kept; written with a
    separator between the halves it is masked (numbers issued since October 2020 have no check
    digit, and people write an RRN with its dash); bare and born since October 2020 it is masked
    (no check digit to tell). A valid check digit masks it whatever the spelling."""
    assert has_valid_check_digit("9001011234568") and not has_valid_check_digit("9001011234567")
    assert redact_personal_data("9001011234567", today=TODAY) == ("9001011234567", False)
    assert redact_personal_data("9001011234568", today=TODAY) == (RRN_MASK, True)
    assert redact_personal_data("900101-1234567", today=TODAY) == (RRN_MASK, True)
    assert redact_personal_data("900101 1234567", today=TODAY) == (RRN_MASK, True)
    born_2021 = "2103154" + "12345"
    assert not has_valid_check_digit(born_2021 + "0")
    assert redact_personal_data(born_2021 + "0", today=TODAY) == (RRN_MASK, True)
    born_sept_2020 = "2009154" + "12345"
    wrong = str((int(check_digit(born_sept_2020)) + 1) % 10)
    assert redact_personal_data(born_sept_2020 + wrong, today=TODAY)[1] is False


@given(st.text())
def test_redaction_never_raises_and_leaves_no_number(text):
    redacted, found = redact_personal_data(text)
    assert redact_personal_data(redacted) == (redacted, False)
    assert found == (redacted != text)


# Text around a number: anything, joined to it by something that is neither a digit nor a
# separator (else "5 9 0 0 1 0 1 ..." is a longer number, which is not masked on purpose).
LEFT = st.sampled_from(["제 번호는 ", "(", "주민번호:", "\n번호 ", "x", "😀"])
RIGHT = st.sampled_from([" 입니다", ")", "이고", "\n끝", "y", "😀"])


@settings(max_examples=300)
@given(
    rrns().flatmap(lambda digits: st.tuples(st.just(digits), spellings(digits))),
    st.text(max_size=40),
    LEFT,
    RIGHT,
    st.text(max_size=40),
)
def test_any_rrn_in_any_spelling_in_any_text_is_masked(spelled, before, left, right, after):
    digits, rrn = spelled
    assume(digits not in digit_runs(before + after))
    redacted, found = redact_personal_data(f"{before}{left}{rrn}{right}{after}")
    assert found and digits not in digit_runs(redacted)
    assert redacted.startswith(before + left) and redacted.endswith(right + after)


def test_mask_strings_masks_every_string_in_json_like_data():
    data = {
        "last_question": "900101-1234567 발급",
        "900101-1234567": [1, ("９００１０１－１２３４５６７",)],
        "n": 3,
        "none": None,
    }
    assert mask_strings(data) == {
        "last_question": f"{RRN_MASK} 발급",
        RRN_MASK: [1, (RRN_MASK,)],
        "n": 3,
        "none": None,
    }


KEYS = itertools.count()


@pytest.fixture
def file_db(tmp_path):
    """A database file with every migration, and a persistence on the same file."""
    path = tmp_path / "bot.db"
    database = open_database(path)
    persistence = SQLitePersistence(path)
    yield database, persistence
    persistence.close()
    database.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rrns().flatmap(lambda digits: st.tuples(st.just(digits), spellings(digits))),
    st.text(max_size=20),
    st.integers(1, 10**6),
)
async def test_nothing_stored_holds_an_rrn_written_anywhere(file_db, spelled, around, user_id):
    """Every free text the bot stores, each holding an RRN in some spelling: the complaint's
    content, department, region and phone, the staff post, a staff answer, a status note and a
    transfer department, a logged question, a denied command, user data, chat data and a
    conversation state, an outbox error. No table of the file holds its 13 digits in order."""
    digits, rrn = spelled
    assume(digits not in digit_runs(around))
    database, persistence = file_db
    text = f"{around} 번호 {rrn} 입니다"

    def staff_post(db, complaint):
        outbox.enqueue(
            db,
            -100,
            f"[새 민원] {complaint.receipt}\n{text}",
            kind="staff",
            receipt=complaint.receipt,
        )

    filed = complaints.create_complaint(
        database,
        idempotency_key=f"key-{next(KEYS)}",
        user_id=user_id,
        chat_id=user_id,
        content=text,
        department=text,
        region=text,
        phone=text,
        anonymous=False,
        consent=True,
        on_created=staff_post,
    )
    notices.add_reply(database, filed.receipt, actor_id=800, text=text)
    notices.change_status(
        database, filed.receipt, complaints.TRANSFERRED, actor_id=800, note=text, department=text
    )
    notice = outbox.enqueue(database, user_id, text, kind="status")
    outbox.mark_failed(database, notice, text, retry_after_seconds=0)
    questions.log_question(
        database,
        user_id=user_id,
        query=text,
        intent="question",
        band="not_found",
        entry_id=None,
        score=None,
    )
    staff.log_denied(database, user_id, text)
    await persistence.update_user_data(
        user_id,
        {
            "last_question": text,
            "complaint": {"content": text, "department": text, "departments": [[text, text]]},
            text: text,
        },
    )
    await persistence.update_chat_data(user_id, {"note": text})
    await persistence.update_conversation("complaint", (user_id, user_id), text)
    assert stored_holding(database, digits) == []
