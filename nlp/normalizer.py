"""Question clean-up before tokenizing and matching.

Citizens type fast: full-width characters, zero-width spaces, "ㅋㅋㅋㅋㅋ", emoji and a few
well-known misspellings. Normalizing them once keeps every later step simple.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 300  # Telegram allows 4,096; nothing in the knowledge base needs more.
MAX_REPEAT = 2  # "ㅋㅋㅋㅋ" → "ㅋㅋ", "!!!!" → "!!"

# Misspellings seen in citizen questions, as whole substrings → correct spelling. Only
# unambiguous ones: each left side is never a correct word in our documents.
COMMON_TYPOS: dict[str, str] = {
    "세마을": "새마을",
    "쎈터": "센터",
    "샌터": "센터",
    "쎈타": "센터",
    "센타": "센터",
    "다문와": "다문화",
    "장학굼": "장학금",
    "장학긍": "장학금",
    "되요": "돼요",
    "몃": "몇",
    "어케": "어떻게",
    "어캐": "어떻게",
    "어찌": "어떻게",
    # 전라도 "알려주소" asks politely; it holds no 주소 (address)
    "알려주소": "알려주세요",
    "보여주소": "보여주세요",
    "가르쳐주소": "가르쳐주세요",
    "해주쇼": "해주세요",
    "해주소": "해주세요",
    "허고": "하고",
    "많어": "많아",
    "어떡게": "어떻게",
    "전번": "전화번호",
    "홈피": "홈페이지",
    "머에요": "뭐예요",
    "뭐에요": "뭐예요",
    "모에요": "뭐예요",
    "얼마에요": "얼마예요",
    "알려죠": "알려줘",
    "예싼": "예산",
    "공냑": "공약",
    "담당자분": "담당자",
}

_NOT_JAMO = re.compile(r"[^\u3131-\u318e]+")  # NFKC would turn "ㅋ" into a conjoining jamo
# Digits and Latin letters repeat legitimately ("1000명", "www"); only squeeze the rest.
_REPEATS = re.compile(rf"([^0-9A-Za-z])\1{{{MAX_REPEAT},}}")
_SPACES = re.compile(r"\s+")
_TYPOS = re.compile("|".join(sorted(map(re.escape, COMMON_TYPOS), key=len, reverse=True)))

# After ㅈ ㅉ ㅊ a y-vowel sounds plain, so "젼북", "쳥년" are typed for 전북, 청년. Standard
# spelling has no such syllable with a final consonant other than ㅆ (졌, 쳤 are correct).
_PALATALS = {12, 13, 14}  # ㅈ ㅉ ㅊ as initial-consonant indices
_PLAIN_VOWEL = {2: 0, 3: 1, 6: 4, 7: 5, 12: 8, 17: 13}  # ㅑㅒㅕㅖㅛㅠ → ㅏㅐㅓㅔㅗㅜ
_FINAL_SS = 20
_PALATAL_TYPO = re.compile(
    "["
    + "".join(
        chr(0xAC00 + (i * 21 + v) * 28 + f)
        for i in _PALATALS
        for v in _PLAIN_VOWEL
        for f in range(1, 28)
        if f != _FINAL_SS
    )
    + "]"
)


def _plain_vowel(match: re.Match) -> str:
    initial, rest = divmod(ord(match.group(0)) - 0xAC00, 21 * 28)
    vowel, final = divmod(rest, 28)
    return chr(0xAC00 + (initial * 21 + _PLAIN_VOWEL[vowel]) * 28 + final)


def _keep(char: str) -> bool:
    """Letters, digits, spaces and ordinary punctuation survive; emoji and controls do not."""
    category = unicodedata.category(char)
    if category[0] in "LN" or char.isspace():
        return True
    return category[0] == "P" or char in "-+%~.,·/()"


def normalize(text: str) -> str:
    """NFKC, strip emoji/zero-width/control characters, fix common typos, squeeze repeats."""
    text = _NOT_JAMO.sub(
        lambda m: unicodedata.normalize("NFKC", m.group(0)), (text or "")[: MAX_QUESTION_CHARS * 4]
    )
    text = text[: MAX_QUESTION_CHARS * 2]
    text = "".join(ch if _keep(ch) else " " for ch in text)
    text = _REPEATS.sub(lambda m: m.group(1) * MAX_REPEAT, text)
    text = _TYPOS.sub(lambda m: COMMON_TYPOS[m.group(0)], text)
    text = _PALATAL_TYPO.sub(_plain_vowel, text)
    return _SPACES.sub(" ", text).strip()[:MAX_QUESTION_CHARS]


def compact(text: str) -> str:
    """A question normalized and without any spaces — the form used for character n-grams."""
    return normalize(text).replace(" ", "").lower()


def squeeze(text: str) -> str:
    """Document text without spaces, lower-cased, NFKC — never truncated (unlike questions)."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def is_meaningful(text: str) -> bool:
    """True when the text holds at least one Hangul syllable, Latin letter or digit."""
    return has_content(normalize(text))


def has_content(normalized: str) -> bool:
    """``is_meaningful`` of a text already normalized."""
    return any("가" <= ch <= "힣" or ch.isascii() and ch.isalnum() for ch in normalized)
