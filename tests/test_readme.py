"""The README: its example answer is what the bot really says, and no section goes missing."""

import re
from pathlib import Path

from knowledge.base import KnowledgeBase
from nlp.responder import respond

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_is_the_real_answer(kb: KnowledgeBase):
    block = re.search(
        r'\$ python bot.py ask "([^"]+)"\n(.*?)\n```', README.read_text(encoding="utf-8"), re.S
    )
    question, shown = block.group(1), block.group(2)
    assert respond(kb, question).text == shown


def test_readme_keeps_both_languages_and_every_section():
    """A figures update once replaced everything from the Korean summary to the English figures."""
    headings = re.findall(r"^#+ .+$", README.read_text(encoding="utf-8"), re.M)
    assert headings == [
        "# 지자체 정책·민원 안내 봇 / Korean civil-affairs Q&A bot",
        "## 두 명령으로 시작하기",
        "## 설정",
        "## 명령",
        "## 직원 업무: 처리기한과 웹 콘솔",
        "## 관리자: 자료 넣기",
        "## 예시",
        "## 측정 결과 요약",
        "## 저장하는 것과 이유",
        "## English",
        "### Two commands",
        "### How it works",
        "### What is stored and why",
        "### Figures",
        "## Reliability",
    ]
