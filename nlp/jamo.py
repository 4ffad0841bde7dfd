"""Hangul syllables to jamo, so a one-letter typo (세마을/새마을) costs one jamo, not a
syllable."""

from __future__ import annotations

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
_BASE, _LAST = 0xAC00, 0xD7A3


def to_jamo(text: str) -> str:
    """Decompose every precomposed Hangul syllable; other characters pass through."""
    out = []
    for ch in text:
        code = ord(ch)
        if _BASE <= code <= _LAST:
            offset = code - _BASE
            out.append(_CHO[offset // 588] + _JUNG[(offset % 588) // 28] + _JONG[offset % 28])
        else:
            out.append(ch)
    return "".join(out)
