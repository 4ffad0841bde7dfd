"""Start-up settings: defaults, .env handling, and one clear line naming each bad key."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import given
from hypothesis import strategies as st

import bot
import config
from config import Settings, SettingsError, load_settings
from knowledge.base import DEFAULT_DIR
from nlp.tokenizer import DEFAULT_CACHE_DIR

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_when_nothing_is_set():
    settings = load_settings({}, env_file=None)
    assert settings == Settings()
    assert (settings.telegram_token, settings.database_path, settings.knowledge_dir) == (
        None,
        Path("data/bot.db"),
        DEFAULT_DIR,
    )
    assert (settings.question_log_retention_days, settings.complaint_timeout_seconds) == (
        90,
        1800.0,
    )


def test_every_key_is_read(tmp_path):
    environ = {
        "TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi",
        "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/",
        "WEBHOOK_URL": "https://bot.example.kr/telegram",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": "8443",
        "WEBHOOK_SECRET": "s3cret_-",
        "ADMIN_IDS": "1, 2",
        "STAFF_IDS": "3,",
        "STAFF_CHAT_ID": "-1001234",
        "DATABASE_PATH": str(tmp_path / "b.db"),
        "KNOWLEDGE_DIR": str(tmp_path),
        "NLP_TAGGER": "komoran",
        "MORPHEME_CACHE_DIR": str(tmp_path / "morphemes"),
        "LOG_LEVEL": "debug",
        "QUESTION_LOG_RETENTION_DAYS": "30",
        "COMPLAINT_TIMEOUT_SECONDS": "60",
        "OUTBOX_INTERVAL_SECONDS": "2.5",
        "RATE_LIMIT_PER_SECOND": "10",
        "RATE_LIMIT_GROUP_PER_MINUTE": "15",
    }
    assert load_settings(environ, env_file=None) == Settings(
        telegram_token="123456:ABC-def_ghi",
        telegram_base_url="http://127.0.0.1:8081",
        webhook_url="https://bot.example.kr/telegram",
        webhook_listen="127.0.0.1",
        webhook_port=8443,
        webhook_secret="s3cret_-",
        admin_ids=frozenset({1, 2}),
        staff_ids=frozenset({3}),
        staff_chat_id=-1001234,
        database_path=tmp_path / "b.db",
        knowledge_dir=tmp_path,
        nlp_tagger="komoran",
        morpheme_cache_dir=tmp_path / "morphemes",
        log_level="DEBUG",
        question_log_retention_days=30,
        complaint_timeout_seconds=60.0,
        outbox_interval_seconds=2.5,
        rate_limit_per_second=10.0,
        rate_limit_group_per_minute=15.0,
    )


@pytest.mark.parametrize(
    "key, value",
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_BASE_URL", "localhost:8081"),
        ("WEBHOOK_URL", "http://bot.example.kr/hook"),
        ("WEBHOOK_PORT", "eighty"),
        ("WEBHOOK_PORT", "70000"),
        ("WEBHOOK_SECRET", "has space"),
        ("ADMIN_IDS", "12,abc"),
        ("STAFF_IDS", "1;2"),
        ("STAFF_CHAT_ID", "staff"),
        ("DATABASE_PATH", "."),
        ("KNOWLEDGE_DIR", "/nonexistent/knowledge"),
        ("NLP_TAGGER", "mecab"),
        ("MORPHEME_CACHE_DIR", __file__),
        ("LOG_LEVEL", "LOUD"),
        ("QUESTION_LOG_RETENTION_DAYS", "0"),
        ("COMPLAINT_TIMEOUT_SECONDS", "-1"),
        ("OUTBOX_INTERVAL_SECONDS", "nan"),
        ("RATE_LIMIT_PER_SECOND", "inf"),
        ("REPLY_CACHE_SIZE", "-1"),
    ],
)
def test_a_bad_value_names_its_key_in_one_line(key, value):
    with pytest.raises(SettingsError) as error:
        load_settings({key: value}, env_file=None)
    message = str(error.value)
    assert message.startswith(f"{key}: ") and "\n" not in message


@pytest.mark.parametrize("value, size", [(None, 5000), ("0", 0), ("100", 100)])
def test_the_reply_cache_can_be_turned_off_with_zero(value, size):
    environ = {} if value is None else {"REPLY_CACHE_SIZE": value}
    assert load_settings(environ, env_file=None).reply_cache_size == size


def test_admin_ids_message_says_what_to_do():
    with pytest.raises(SettingsError, match=r"^ADMIN_IDS: 숫자 ID를 쉼표로 구분해 주세요"):
        load_settings({"ADMIN_IDS": "관리자"}, env_file=None)


def test_env_file_is_read_and_the_real_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("ADMIN_IDS=1,2\nLOG_LEVEL=WARNING\nSTAFF_CHAT_ID=\n", encoding="utf-8")
    settings = load_settings({"LOG_LEVEL": "ERROR"}, env_file=env_file)
    assert (settings.admin_ids, settings.log_level, settings.staff_chat_id) == (
        frozenset({1, 2}),
        "ERROR",
        None,
    )


def test_a_missing_env_file_is_fine(tmp_path):
    assert load_settings({}, env_file=tmp_path / "absent.env") == Settings()


def test_empty_values_mean_not_set():
    assert (
        load_settings({"TELEGRAM_BOT_TOKEN": "  ", "ADMIN_IDS": ""}, env_file=None) == Settings()
    )


def test_env_example_lists_every_key_and_loads():
    example = dotenv_values(ROOT / ".env.example")
    assert set(example) == set(config.KEYS)
    load_settings({k: v for k, v in example.items() if v}, env_file=None)


def test_every_key_has_a_field_and_no_field_is_left_unread():
    fields = {field.name for field in dataclasses.fields(Settings)}
    assert sorted(name for name, _ in config.KEYS.values()) == sorted(fields)


def test_only_config_reads_the_environment():
    """Settings are read in one place, so .env counts for every command, not only the bot."""
    readers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("handlers", "knowledge", "nlp", "db", "web", "console", "transport")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if re.search(r"os\.environ\b(?!\.setdefault)|os\.getenv|getenv\(", path.read_text())
    ]
    assert readers == []


@pytest.mark.parametrize(
    "value, directory",
    [(None, DEFAULT_CACHE_DIR), ("off", None), ("OFF", None), ("/tmp/m", Path("/tmp/m"))],
)
def test_the_morpheme_cache_directory_can_be_moved_or_turned_off(value, directory):
    environ = {} if value is None else {"MORPHEME_CACHE_DIR": value}
    assert load_settings(environ, env_file=None).morpheme_cache_dir == directory


def test_bot_ask_honours_settings_in_dotenv(tmp_path, monkeypatch, tokenizer, capsys):
    """`bot.py ask` reads NLP_TAGGER and MORPHEME_CACHE_DIR from .env, as the bot does."""
    used = []

    def recording_get_tokenizer(name, *, cache_dir):
        used.append((name, cache_dir))
        return tokenizer

    for key in ("NLP_TAGGER", "MORPHEME_CACHE_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"NLP_TAGGER=komoran\nMORPHEME_CACHE_DIR={tmp_path / 'm'}\n", encoding="utf-8"
    )
    monkeypatch.setattr(bot, "get_tokenizer", recording_get_tokenizer)
    assert bot.main(["ask", "여권 발급"]) == 0
    assert used == [("komoran", tmp_path / "m")]
    assert capsys.readouterr().out.strip()


def test_env_example_comments_every_key_in_korean_and_english():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith("#"):
            comments = []  # the nearest comment block above (keys may share one)
            for previous in reversed(lines[:number]):
                if previous.startswith("#"):
                    comments.append(previous)
                elif comments or not previous:
                    break
            text = " ".join(comments)
            assert re.search(r"[가-힣]", text) and re.search(r"[A-Za-z]{4}", text), line


@given(st.lists(st.integers(min_value=-(10**15), max_value=10**15), max_size=6))
def test_id_lists_round_trip(ids):
    text = ", ".join(map(str, ids))
    assert load_settings({"ADMIN_IDS": text}, env_file=None).admin_ids == frozenset(ids)
