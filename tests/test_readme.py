"""The README's example answer is what the bot really says."""
import re
from pathlib import Path

from knowledge.base import KnowledgeBase
from nlp.responder import respond

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_is_the_real_answer(kb: KnowledgeBase):
    block = re.search(r'\$ python bot.py ask "([^"]+)"\n(.*?)\n```', README.read_text(encoding="utf-8"), re.S)
    question, shown = block.group(1), block.group(2)
    assert respond(kb, question).text == shown
