"""The README: its example answer is what the bot really says, and it names every command."""

import re
from pathlib import Path

from telegram.ext import CommandHandler, ConversationHandler

from knowledge.base import KnowledgeBase
from nlp.responder import respond

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_is_the_real_answer(kb: KnowledgeBase):
    block = re.search(
        r'\$ python bot.py ask "([^"]+)"\n(.*?)\n```', README.read_text(encoding="utf-8"), re.S
    )
    question, shown = block.group(1), block.group(2)
    assert respond(kb, question).text == shown


def _commands(handlers) -> set[str]:
    found: set[str] = set()
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            states = (h for state in handler.states.values() for h in state)
            found |= _commands([*handler.entry_points, *handler.fallbacks, *states])
        elif isinstance(handler, CommandHandler):
            found |= handler.commands
    return found


async def test_every_telegram_command_is_in_the_user_guide(local_bot):
    """Each command the Application registers is named in the Korean guide, which comes first."""
    readme = README.read_text(encoding="utf-8")
    korean, english = readme.split("\n## English\n", 1)
    assert english.strip()
    handlers = [h for group in local_bot.application.handlers.values() for h in group]
    commands = _commands(handlers)
    assert {"start", "complaint", "inbox", "template", "reload"} <= commands
    assert sorted(c for c in commands if f"/{c}" not in korean) == []
