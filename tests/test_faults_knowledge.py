"""A corrupt or half-written knowledge file.

At start-up ``python bot.py`` (Telegram mode, against tests/fake_bot_api.py) and ``python bot.py
ask`` refuse to start: exit code 1, a message naming the file and line, and no contact with
Telegram at all. (Both run in this process through ``bot.main``; tests/test_cli.py runs the real
process once.) At /reload the old knowledge base stays in use and the admin is told where
the problem is. (tests/test_handlers_admin.py covers a garbage file and a broken manifest.)
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

import bot
from knowledge.base import KnowledgeError, load_entries

ADMIN, CITIZEN = 900, 42
BUSINESS_PLAN, PLEDGE_RECORD, PLEDGE_STATUS = (
    "000_15a4bab05bd28ba6.txt",
    "002_6a28f365ff4f5871.txt",
    "004_8df93a93e5fd5244.txt",
)
# Loggers whose level the bot's start-up sets (handlers.app.configure_logging).
STARTUP_LOGGERS = ("httpx", "apscheduler", "telegram")


def half_written(directory: Path, name: str, fraction: float = 0.5) -> None:
    """Cuts the file in the middle of a line, as an interrupted copy leaves it."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    cut = int(len(text) * fraction)
    cut += 3 if text[cut : cut + 3].strip() == text[cut : cut + 3] else 0  # inside a line
    path.write_text(text[:cut], encoding="utf-8")


def missing_from_disk(directory: Path, name: str) -> None:
    (directory / name).unlink()


def not_utf8(directory: Path, name: str) -> None:
    path = directory / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"\xff\xfe\x00garbage" + data[len(data) // 2 :])


BREAKAGES = {
    "half-written-business-plan": (half_written, BUSINESS_PLAN, rf"{BUSINESS_PLAN}:\d+:"),
    "half-written-pledge-status": (half_written, PLEDGE_STATUS, rf"{PLEDGE_STATUS}:\d+:"),
    "manifest-names-a-missing-file": (
        missing_from_disk,
        PLEDGE_RECORD,
        rf"manifest\.yaml:\d+: {PLEDGE_RECORD}: 파일이 없습니다",
    ),
    "not-utf8": (not_utf8, PLEDGE_STATUS, rf"{PLEDGE_STATUS}:\d+:"),
}


@pytest.fixture
def run_bot_py(monkeypatch, capsys, tokenizer):
    """``run_bot_py(args, env, cwd)`` → (exit code, stdout, stderr) of ``python bot.py args``,
    run as ``bot.main(args)`` in this process with exactly ``env`` as its environment."""
    levels = {name: logging.getLogger(name).level for name in STARTUP_LOGGERS}

    def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
        for name in os.environ:
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = bot.main(args)
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def bot_env(tmp_path: Path, knowledge_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return env | {
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        **extra,
    }


@pytest.mark.parametrize(
    "breakage", ["half-written-business-plan", "manifest-names-a-missing-file"]
)
def test_the_telegram_bot_refuses_to_start(
    tmp_path, knowledge_dir, fake_api, run_bot_py, breakage
):
    damage, name, where = BREAKAGES[breakage]
    damage(knowledge_dir, name)
    env = bot_env(
        tmp_path,
        knowledge_dir,
        TELEGRAM_BOT_TOKEN="123456:KB-test",
        TELEGRAM_BASE_URL=fake_api.url,
    )
    code, _, err = run_bot_py([], env, tmp_path)
    assert code == 1, err[-2000:]
    assert "지식베이스를 불러올 수 없습니다" in err and re.search(where, err)
    assert fake_api.methods() == []  # refused before talking to Telegram


@pytest.mark.parametrize("breakage", ["half-written-pledge-status"])
def test_ask_refuses_to_answer(tmp_path, knowledge_dir, run_bot_py, breakage):
    damage, name, where = BREAKAGES[breakage]
    damage(knowledge_dir, name)
    code, out, err = run_bot_py(["ask", "장학금"], bot_env(tmp_path, knowledge_dir), tmp_path)
    assert code == 1 and out == ""
    assert re.search(where, err), err[-2000:]


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
async def test_reload_keeps_the_old_knowledge_base(local_bot_factory, knowledge_dir, kb, breakage):
    damage, name, where = BREAKAGES[breakage]
    async with local_bot_factory(knowledge_dir=knowledge_dir) as bot:
        damage(knowledge_dir, name)
        calls = await bot.chat(ADMIN).send("/reload")
        assert bot.application.bot_data["kb"] is kb
        report = calls[-1].text
        assert report.startswith("지식베이스를 불러오지 못해 기존 자료를 그대로 씁니다")
        assert re.search(where, report), report
        answer = await bot.chat(CITIZEN).send("새마을지도자 자녀 장학금 조건")
        assert "[새마을지도자 자녀 장학금 지원]" in answer[0].text


@pytest.mark.parametrize(
    "name, fraction",
    [(PLEDGE_RECORD, 0.5), ("001_1cf720f589d4ce67.txt", 0.5), (BUSINESS_PLAN, 0.9)],
)
def test_a_document_cut_between_blocks_is_refused(knowledge_dir, name, fraction):
    half_written(knowledge_dir, name, fraction)
    with pytest.raises(KnowledgeError):
        load_entries(knowledge_dir)
