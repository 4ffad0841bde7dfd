"""The import rules of docs/ARCHITECTURE.md, checked on the source: data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "display", "handlers", "console", "transport", "cli", "db", "nlp")
PACKAGES += ("knowledge", "web", "notices")
# package → what it must never import (docs/ARCHITECTURE.md, "Packages and what each may import")
NEVER = {
    "config": {"telegram", "handlers", "console", "transport", "cli", "db", "web", "display"},
    "display": {"telegram", "handlers", "console", "transport", "cli", "nlp", "knowledge", "web"}
    | {"notices"},
    "handlers": {"console", "cli"},
    "console": {"web", "cli", "db"},
    "transport": {"handlers", "console", "cli", "config", "db", "nlp", "knowledge", "web"},
    "cli": {"telegram", "handlers", "console", "transport", "nlp", "knowledge", "web"},
    # db/ returns data; the words people read are composed in display (issue 15)
    "db": {"handlers", "console", "transport", "cli", "config", "nlp", "knowledge", "web"}
    | {"display", "notices"},
    "nlp": {"telegram", "handlers", "console", "transport", "cli", "db", "web"},
    "knowledge": {"telegram", "handlers", "console", "transport", "cli", "db", "web"},
    "web": {"telegram", "handlers", "console", "transport", "cli"},
    "notices": {"telegram", "handlers", "console", "transport", "cli", "config", "nlp", "web"}
    | {"knowledge"},
}
# The one module of db/ that speaks python-telegram-bot: it implements its BasePersistence.
TELEGRAM_IN_DB = {"db/persistence.py"}


def imported(path: Path) -> set[str]:
    """Top-level names of the absolute imports of one module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    single = ROOT / f"{package}.py"
    return [single] if single.is_file() else sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_what_the_architecture_allows(package):
    broken = []
    for path in modules(package):
        name = path.relative_to(ROOT).as_posix()
        forbidden = NEVER[package] | ({"telegram"} if package == "db" else set())
        if name in TELEGRAM_IN_DB:
            forbidden -= {"telegram"}
        broken += [f"{name} imports {what}" for what in sorted(imported(path) & forbidden)]
    assert broken == []


def test_every_package_is_in_the_architecture_document():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [p for p in PACKAGES if f"`{p}/`" not in text and f"`{p}.py`" not in text]
    assert missing == []


def test_handlers_holds_only_telegram_callbacks_and_their_helpers():
    """The plumbing (transport/) and the bot without Telegram (console/) live elsewhere."""
    moved = {"settings", "local_api", "console", "transport", "ordering", "matching", "cli"}
    assert {path.stem for path in (ROOT / "handlers").glob("*.py")} & moved == set()
