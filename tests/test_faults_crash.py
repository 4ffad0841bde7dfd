"""kill -9 of a real ``python bot.py`` while citizens are filing complaints, then a restart.

The bot runs as a subprocess against tests/fake_bot_api.py (TELEGRAM_BASE_URL) on a temporary
DATABASE_PATH. Six citizens are at different steps of the complaint conversation; one takes a
step while another process holds the database locked, three tap [접수하기] and the bot is killed
straight away, with those taps in flight. The bot is then started again on the same database
file (in this process, conftest ``polling_bot_factory``: everything it resumes from is in that
file) and every citizen carries on from the last message they saw. What this proves:
- every complaint a citizen saw a receipt for is in the database, and none is stored twice;
- the conversations in progress resume where they were (no "finished step" answers); a step is
  shown only once it is stored, so a kill right after the citizen sees it loses nothing;
- every complaint reaches the staff chat (through the outbox), and the database is intact.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.complaint import ATTACH, CONFIRM, CONSENT, CONTENT, DEPARTMENT

ROOT = Path(__file__).resolve().parent.parent
STAFF_CHAT = -100500
STEPS = [  # what the citizen does, and the bot's reply that shows it was taken
    ("send", "/complaint", "민원 접수를 시작합니다"),
    ("send", None, "현장 사진이나 위치"),  # None: the citizen's own complaint text
    ("press", "다음 ▶", "부서"),
    ("press", "잘 모르겠어요", "개인정보 수집·이용 동의"),
    ("press", "익명으로 접수", "민원 접수 내용을 확인해 주세요"),
    ("press", "접수하기", "접수번호:"),
]
SUBMIT = len(STEPS) - 1
# The complaint conversation's state once a citizen has seen the reply of that many steps.
STATE_AFTER = {1: CONTENT, 2: ATTACH, 3: DEPARTMENT, 4: CONSENT, 5: CONFIRM}
# Citizen user id → steps taken before the kill; those at SUBMIT tap [접수하기] as it happens.
# 101 waits at the department buttons, 102 at the consent buttons, both from before the kill;
# LOCKED walks to the department buttons, then takes the consent step while the database is
# locked, just before the kill.
LOCKED = 106
PLAN = {101: 3, 102: 4, 103: SUBMIT, 104: SUBMIT, 105: SUBMIT, LOCKED: 3}
# How long the test waits for the bot: a bound on a hang only. A fresh bot process tags its first
# complaint with a cold JVM; with eight sessions sharing two cores that took over 30 s.
WAIT = 180.0
# How long the database stays locked while a citizen takes a step: the step's reply came at
# once before the step was stored first (its write waited in memory for the lock), and comes
# only after the lock now; under db.persistence FLUSH_SECONDS, after which the bot goes on.
LOCK_SECONDS = 3.0


@dataclass
class Citizen:
    user_id: int
    done: int = 0  # steps whose reply the citizen has seen
    replies_before: int = 0  # replies of the pending step that existed before it was taken

    @property
    def content(self) -> str:
        return f"{self.user_id}번 시민: 가로등이 꺼져 있어요"


def last_reply(api, citizen: Citizen, contains: str) -> dict | None:
    """The bot's newest message in the citizen's chat containing ``contains``."""
    return next(
        (m for m in reversed(api.sent_to(citizen.user_id)) if contains in m.get("text", "")), None
    )


def count_replies(api, citizen: Citizen, contains: str) -> int:
    return len([m for m in api.sent_to(citizen.user_id) if contains in m.get("text", "")])


def act(api, citizen: Citizen) -> None:
    """Takes the citizen's next step (on the message the previous step's reply carried)."""
    kind, what, expected = STEPS[citizen.done]
    citizen.replies_before = count_replies(api, citizen, expected)
    if kind == "send":
        api.push_message(citizen.user_id, what or citizen.content)
    else:
        on = last_reply(api, citizen, STEPS[citizen.done - 1][2])
        api.press(citizen.user_id, on, what)


def wait_for_step(api, citizen: Citizen) -> None:
    expected = STEPS[citizen.done][2]
    api.wait_for(
        lambda: count_replies(api, citizen, expected) > citizen.replies_before, timeout=WAIT
    )
    citizen.done += 1


class BotProcess:
    """``python bot.py`` in Telegram mode against the fake Bot API."""

    def __init__(self, api, env: dict[str, str], cwd: Path) -> None:
        self.api, self.env, self.cwd = api, env, cwd
        self.log = cwd / "bot.log"

    def __enter__(self) -> BotProcess:
        polls = len(self.api.params("getUpdates"))
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py")],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),
        )
        try:
            self.api.wait_for(lambda: len(self.api.params("getUpdates")) > polls, timeout=WAIT)
        except AssertionError:
            self.kill()
            raise AssertionError(self.log.read_text()[-3000:]) from None
        return self

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def __exit__(self, *exc_info: object) -> None:
        self.kill()


@pytest.fixture
def env(tmp_path, fake_api, morpheme_cache_dir) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return base | {
        "MORPHEME_CACHE_DIR": str(morpheme_cache_dir),
        "TELEGRAM_BOT_TOKEN": "123456:CRASH-test",
        "TELEGRAM_BASE_URL": fake_api.url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "STAFF_CHAT_ID": str(STAFF_CHAT),
        "STAFF_IDS": "800",
        "ADMIN_IDS": "900",
        "OUTBOX_INTERVAL_SECONDS": "0.2",
        "WEB_CONSOLE": "off",  # not on the fixed port 8080 other tests and sessions may hold
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def assert_saved(database: Path, citizens: list[Citizen]) -> None:
    """The bot's database holds the conversation step each citizen last saw: a step is stored
    before the reply that shows it (handlers.complaint ``_step``), so a kill right after the
    reply cannot restart the citizen a step back ("이미 끝난 단계의 버튼입니다" on their next tap).
    """
    expected = {(c.user_id, c.user_id): STATE_AFTER[c.done] for c in citizens}
    db = sqlite3.connect(database, timeout=WAIT)
    try:
        rows = db.execute(
            "select key, state from persistence_conversations where name = 'complaint'"
        ).fetchall()
    finally:
        db.close()
    saved = {tuple(json.loads(key)): json.loads(state) for key, state in rows}
    assert {key: saved.get(key) for key in expected} == expected


def receipts_seen(api, citizen: Citizen) -> set[str]:
    return {
        m["text"].split("접수번호: ")[1].split()[0]
        for m in api.sent_to(citizen.user_id)
        if "접수번호: " in m.get("text", "")
    }


@pytest.mark.starts_process
def test_kill_9_while_filing_loses_and_duplicates_nothing(
    tmp_path, fake_api, env, polling_bot_factory
):
    """One bot process, killed once, then restarted on its database (each round of a process
    costs a JVM start: the two kill tests of one scenario each were a tenth of the suite's CPU).

    Citizen 106 takes a step while another process holds the database locked: the reply that
    shows the step is sent only once the step is stored (the write waits for the lock), so the
    kill that comes right after 106 sees it loses nothing and 106 goes on from the buttons they
    were shown. Three other citizens tap [접수하기] as the bot is killed."""
    citizens = [Citizen(user_id) for user_id in PLAN]
    locked = next(c for c in citizens if c.user_id == LOCKED)
    database = tmp_path / "bot.db"
    with BotProcess(fake_api, env, tmp_path) as bot:
        # Everyone walks to their planned step, one step at a time, each reply seen. (Five taps
        # at once made the bot tag five complaints in a row on its event loop; on a busy machine
        # the replies then waited past the bot's 5 s request timeout and the citizens got an
        # apology instead of the next step. The taps that race each other are the ones below.)
        for citizen in citizens:
            while citizen.done < PLAN[citizen.user_id]:
                act(fake_api, citizen)
                wait_for_step(fake_api, citizen)
        assert_saved(database, citizens)
        locker = sqlite3.connect(database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        act(fake_api, locked)  # [잘 모르겠어요]: the consent step
        time.sleep(LOCK_SECONDS)
        shown = count_replies(fake_api, locked, STEPS[locked.done][2]) > locked.replies_before
        assert not shown, "the step was shown while it could not be stored"
        locker.rollback()
        locker.close()
        wait_for_step(fake_api, locked)
        submitting = [c for c in citizens if PLAN[c.user_id] == SUBMIT]
        for citizen in submitting:
            act(fake_api, citizen)
        time.sleep(0.05)  # let some taps reach the bot, not necessarily all
        bot.kill()
    seen_before_restart = {c.user_id: receipts_seen(fake_api, c) for c in citizens}

    with polling_bot_factory(database_path=database):
        for citizen in submitting:
            if not receipts_seen(fake_api, citizen):  # no receipt yet: the citizen taps again
                act(fake_api, citizen)
        for citizen in submitting:
            fake_api.wait_for(lambda c=citizen: receipts_seen(fake_api, c), timeout=WAIT)
            citizen.done = len(STEPS)
        for citizen in citizens:  # the rest resume from the last message they saw
            while citizen.done < len(STEPS):
                act(fake_api, citizen)
                wait_for_step(fake_api, citizen)
        fake_api.wait_for(
            lambda: (
                len(
                    {
                        t
                        for m in fake_api.sent_to(STAFF_CHAT)
                        if (t := m.get("text", "")).startswith("[새 민원]")
                    }
                )
                >= len(citizens)
            ),
            timeout=WAIT,
        )

    with sqlite3.connect(database) as db:
        stored = db.execute("select user_id, receipt from complaints order by user_id").fetchall()
        history = db.execute("select count(*) from complaint_history").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchall()
    assert [user_id for user_id, _ in stored] == list(PLAN)  # one complaint per citizen
    for citizen in citizens:
        assert receipts_seen(fake_api, citizen) == {r for u, r in stored if u == citizen.user_id}
        assert seen_before_restart[citizen.user_id] <= receipts_seen(fake_api, citizen)
        assert not any(
            "이미 끝난 단계" in (m.get("text") or "") for m in fake_api.sent_to(citizen.user_id)
        )
    assert history == len(stored) and integrity == [("ok",)]
    posted = {
        m["text"].split()[2]
        for m in fake_api.sent_to(STAFF_CHAT)
        if m["text"].startswith("[새 민원]")
    }
    assert posted == {receipt for _, receipt in stored}
    stale = [
        p for p in fake_api.params("answerCallbackQuery") if "이미 끝난 단계" in p.get("text", "")
    ]
    assert stale == []  # no citizen was told their step was over
