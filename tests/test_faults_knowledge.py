"""A corrupt or half-written knowledge file.

At start-up ``python bot.py`` (Telegram mode, against tests/fake_bot_api.py) and ``python bot.py
ask`` refuse to start: exit code 1, a message naming the file and line, and no contact with
Telegram at all. At /reload the old knowledge base stays in use and the admin is told where
the problem is. (tests/test_handlers_admin.py covers a garbage file and a broken manifest.)
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge.base import DEFAULT_DIR, KnowledgeError, load_entries

ROOT = Path(__file__).resolve().parent.parent
ADMIN, CITIZEN = 900, 42
BUSINESS_PLAN, PLEDGE_RECORD, PLEDGE_STATUS = (
    "000_15a4bab05bd28ba6.txt", "002_6a28f365ff4f5871.txt", "004_8df93a93e5fd5244.txt")
START_TIMEOUT = 60  # seconds; a refusal takes about two


def half_written(directory: Path, name: str, fraction: float = 0.5) -> None:
    """Cuts the file in the middle of a line, as an interrupted copy leaves it."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    cut = int(len(text) * fraction)
    cut += 3 if text[cut:cut + 3].strip() == text[cut:cut + 3] else 0  # inside a line
    path.write_text(text[:cut], encoding="utf-8")


def missing_from_disk(directory: Path, name: str) -> None:
    (directory / name).unlink()


def not_utf8(directory: Path, name: str) -> None:
    path = directory / name
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2] + b"\xff\xfe\x00garbage" + data[len(data) // 2:])


BREAKAGES = {
    "half-written-business-plan": (half_written, BUSINESS_PLAN, rf"{BUSINESS_PLAN}:\d+:"),
    "half-written-pledge-status": (half_written, PLEDGE_STATUS, rf"{PLEDGE_STATUS}:\d+:"),
    "manifest-names-a-missing-file": (missing_from_disk, PLEDGE_RECORD,
                                      rf"manifest\.yaml:\d+: {PLEDGE_RECORD}: 파일이 없습니다"),
    "not-utf8": (not_utf8, PLEDGE_STATUS, rf"{PLEDGE_STATUS}:\d+:"),
}


@pytest.fixture
def knowledge_dir(tmp_path) -> Path:
    return shutil.copytree(DEFAULT_DIR, tmp_path / "sources")


def run_bot_py(args: list[str], env: dict[str, str],
               cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], env=env, cwd=cwd,
                            capture_output=True, text=True, timeout=START_TIMEOUT)
    return result, time.monotonic() - started


def bot_env(tmp_path: Path, knowledge_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return env | {"KNOWLEDGE_DIR": str(knowledge_dir), "DATABASE_PATH": str(tmp_path / "bot.db"),
                  "PYTHONUNBUFFERED": "1", **extra}


@pytest.mark.parametrize("breakage", ["half-written-business-plan", "manifest-names-a-missing-file"])
def test_the_telegram_bot_refuses_to_start(tmp_path, knowledge_dir, fake_api, breakage):
    damage, name, where = BREAKAGES[breakage]
    damage(knowledge_dir, name)
    env = bot_env(tmp_path, knowledge_dir, TELEGRAM_BOT_TOKEN="123456:KB-test",
                  TELEGRAM_BASE_URL=fake_api.url)
    result, seconds = run_bot_py([], env, tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "지식베이스를 불러올 수 없습니다" in result.stderr and re.search(where, result.stderr)
    assert fake_api.methods() == []  # refused before talking to Telegram
    assert seconds < 20


@pytest.mark.parametrize("breakage", ["half-written-pledge-status"])
def test_ask_refuses_to_answer(tmp_path, knowledge_dir, breakage):
    damage, name, where = BREAKAGES[breakage]
    damage(knowledge_dir, name)
    result, _ = run_bot_py(["ask", "장학금"], bot_env(tmp_path, knowledge_dir), tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert re.search(where, result.stderr), result.stderr[-2000:]


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


@pytest.mark.parametrize("name, fraction", [(PLEDGE_RECORD, 0.5), ("001_1cf720f589d4ce67.txt", 0.5),
                                            (BUSINESS_PLAN, 0.9)])
def test_a_document_cut_between_blocks_is_refused(knowledge_dir, name, fraction):
    half_written(knowledge_dir, name, fraction)
    with pytest.raises(KnowledgeError):
        load_entries(knowledge_dir)
