"""Every setting the bot reads, from the environment and an optional ``.env`` file.

Usage:
    settings = load_settings(os.environ)      # SettingsError names the first bad key

This is the only module that reads the environment's settings: entry points (bot.py,
benchmarks) load them once and hand the ``Settings`` on. The real environment wins over
``.env``. Every key is in ``KEYS``, listed with a comment in ``.env.example``; an empty value
means "not set", so the field keeps its default, written once on ``Settings``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

from knowledge.base import DEFAULT_DIR
from nlp.semantic import DEFAULT_CACHE_PATH, DEFAULT_MODEL, MODELS
from nlp.tokenizer import DEFAULT_CACHE_DIR, DEFAULT_TAGGER, TAGGERS

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_WHOLE_NUMBER = "정수여야 합니다 / must be a whole number"
RETRIEVAL_MODES = ("hybrid", "lexical")
DEFAULT_RETRIEVAL = "hybrid"
_AT_LEAST_ONE = "1 이상이어야 합니다 / must be at least 1"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line that starts with the key."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to start; built only by ``load_settings``."""

    telegram_token: str | None = None
    telegram_base_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    admin_ids: frozenset[int] = frozenset()
    staff_ids: frozenset[int] = frozenset()
    staff_chat_id: int | None = None
    database_path: Path = Path("data/bot.db")
    knowledge_dir: Path = DEFAULT_DIR
    nlp_tagger: str = DEFAULT_TAGGER
    # None (MORPHEME_CACHE_DIR=off) tags every text afresh
    morpheme_cache_dir: Path | None = DEFAULT_CACHE_DIR
    log_level: str = "INFO"
    question_log_retention_days: int = 90
    complaint_retention_days: int = 1095
    complaint_timeout_seconds: float = 1800.0
    outbox_interval_seconds: float = 5.0
    rate_limit_per_second: float = 30.0
    rate_limit_group_per_minute: float = 20.0
    flood_messages_per_minute: int = 20
    flood_complaints_per_day: int = 5
    max_concurrent_updates: int = 64
    reply_cache_size: int = 5000
    web_console: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # Read when built (not when defined), so the test suite can default to words only.
    retrieval: str = field(default_factory=lambda: DEFAULT_RETRIEVAL)
    semantic_model: str = DEFAULT_MODEL
    semantic_cache_path: Path = DEFAULT_CACHE_PATH
    context_idle_minutes: float = 30.0
    office_hours: tuple[time, time] = (time(9), time(18))
    relay_idle_minutes: float = 30.0


def load_settings(environ: Mapping[str, str], env_file: str | Path | None = ".env") -> Settings:
    """Settings from ``environ`` over ``env_file`` (if it exists); SettingsError on a bad value.

    A key that is not set (or set empty) keeps the ``Settings`` field's default.
    """
    values = (
        {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        if env_file and Path(env_file).is_file()
        else {}
    )
    values.update(environ)
    env = {k: v.strip() for k, v in values.items() if isinstance(v, str) and v.strip()}
    fields = {
        name: _parse(key, env[key], parse) for key, (name, parse) in KEYS.items() if key in env
    }
    return Settings(**fields)


def _parse(key: str, value: str, parse: Callable[[str], object]) -> object:
    """``parse(value)``; its ValueError becomes a SettingsError naming the key."""
    try:
        return parse(value)
    except ValueError as exc:
        raise SettingsError(f"{key}: {exc} (현재 값: {value[:40]!r})") from None


def _office_hours(value: str) -> tuple[time, time]:
    """ "09:00-18:00": when staff answer 상담원 연결 on working days (KST)."""
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ValueError("HH:MM-HH:MM 형식이어야 합니다 / must look like 09:00-18:00") from None
    if opens >= closes:
        raise ValueError("시작이 끝보다 앞서야 합니다 / must open before it closes")
    return opens, closes


def _host(value: str) -> str:
    if any(ch.isspace() or ch == "/" for ch in value):
        raise ValueError("호스트 이름이나 IP 주소여야 합니다 / must be a host name or IP address")
    return value


def _switch(value: str) -> bool:
    if value.lower() not in ("on", "off", "1", "0", "true", "false"):
        raise ValueError("on 또는 off 여야 합니다 / must be on or off")
    return value.lower() in ("on", "1", "true")


def _token(value: str) -> str:
    if not _TOKEN.match(value):
        raise ValueError("BotFather가 준 토큰 형식(123456:ABC...)이 아닙니다 / not a bot token")
    return value


def _http_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(
            "http:// 또는 https:// 로 시작하는 주소여야 합니다 / must be an http(s) URL"
        )
    return value.rstrip("/")


def _https_url(value: str) -> str:
    if not value.startswith("https://") or not urlparse(value).netloc:
        raise ValueError("텔레그램 웹훅은 https:// 주소여야 합니다 / webhook URL must use https")
    return value


def _port(value: str) -> int:
    port = _integer(value, "포트 번호는 숫자여야 합니다 / port must be a number")
    if not 1 <= port <= 65535:
        raise ValueError("포트 번호는 1–65535 사이여야 합니다 / port must be 1-65535")
    return port


def _secret(value: str) -> str:
    if not _SECRET.match(value):
        raise ValueError("영문, 숫자, _ 와 - 만 1–256자 쓸 수 있습니다 / use A-Z a-z 0-9 _ - only")
    return value


def _id_list(value: str) -> frozenset[int]:
    message = "숫자 ID를 쉼표로 구분해 주세요 (예: 12345,67890) / comma-separated numeric ids"
    return frozenset(_integer(part.strip(), message) for part in value.split(",") if part.strip())


def _chat_id(value: str) -> int:
    return _integer(value, "숫자 채팅 ID여야 합니다 (그룹은 -100…) / must be a numeric chat id")


def _file_path(value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_dir():
        raise ValueError("폴더가 아니라 파일 경로여야 합니다 / must be a file, not a directory")
    return path


def _directory(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ValueError("폴더가 없습니다 / directory not found")
    return path


def _tagger(value: str) -> str:
    if value not in TAGGERS:
        raise ValueError(f"{', '.join(TAGGERS)} 중 하나여야 합니다 / unknown tagger")
    return value


def _retrieval(value: str) -> str:
    if value.lower() not in RETRIEVAL_MODES:
        raise ValueError(
            f"{', '.join(RETRIEVAL_MODES)} 중 하나여야 합니다 / unknown retrieval mode"
        )
    return value.lower()


def _model(value: str) -> str:
    if value.lower() not in MODELS:
        raise ValueError(f"{', '.join(MODELS)} 중 하나여야 합니다 / unknown model")
    return value.lower()


def _log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"{', '.join(LOG_LEVELS)} 중 하나여야 합니다 / unknown log level")
    return value.upper()


def _days(value: str) -> int:
    return _at_least(
        value,
        1,
        "일수는 숫자여야 합니다 / must be a number of days",
        "1일 이상이어야 합니다 / must be at least 1",
    )


def _concurrency(value: str) -> int:
    return _at_least(value, 1, _WHOLE_NUMBER, _AT_LEAST_ONE)


def _limit(value: str) -> int:
    return _at_least(value, 1, "횟수는 정수여야 합니다 / must be a whole number", _AT_LEAST_ONE)


def _size(value: str) -> int:
    return _at_least(value, 0, _WHOLE_NUMBER, "0 이상이어야 합니다 / must be 0 or more")


def _at_least(value: str, minimum: int, not_a_number: str, too_small: str) -> int:
    number = _integer(value, not_a_number)
    if number < minimum:
        raise ValueError(too_small)
    return number


def _seconds(value: str) -> float:
    return _positive(value, "초 단위 양수여야 합니다 / must be a positive number of seconds")


def _minutes(value: str) -> float:
    return _positive(value, "분 단위 양수여야 합니다 / must be a positive number of minutes")


def _rate(value: str) -> float:
    return _positive(value, "양수여야 합니다 / must be a positive number")


def _positive(value: str, message: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(message) from None
    if not number > 0 or number == float("inf"):
        raise ValueError(message)
    return number


def _integer(value: str, message: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(message) from None


def _morpheme_cache_dir(value: str) -> Path | None:
    if value.lower() == "off":
        return None
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError("파일이 아니라 폴더 경로여야 합니다 / must be a directory, not a file")
    return path


def _text(value: str) -> str:
    return value


# Every environment key the bot reads → (Settings field, parser). Defaults live only on Settings;
# tests/test_config.py checks that .env.example lists exactly these keys.
KEYS: dict[str, tuple[str, Callable[[str], object]]] = {
    "TELEGRAM_BOT_TOKEN": ("telegram_token", _token),
    "TELEGRAM_BASE_URL": ("telegram_base_url", _http_url),
    "WEBHOOK_URL": ("webhook_url", _https_url),
    "WEBHOOK_LISTEN": ("webhook_listen", _text),
    "WEBHOOK_PORT": ("webhook_port", _port),
    "WEBHOOK_SECRET": ("webhook_secret", _secret),
    "ADMIN_IDS": ("admin_ids", _id_list),
    "STAFF_IDS": ("staff_ids", _id_list),
    "STAFF_CHAT_ID": ("staff_chat_id", _chat_id),
    "DATABASE_PATH": ("database_path", _file_path),
    "KNOWLEDGE_DIR": ("knowledge_dir", _directory),
    "NLP_TAGGER": ("nlp_tagger", _tagger),
    "MORPHEME_CACHE_DIR": ("morpheme_cache_dir", _morpheme_cache_dir),
    "LOG_LEVEL": ("log_level", _log_level),
    "QUESTION_LOG_RETENTION_DAYS": ("question_log_retention_days", _days),
    "COMPLAINT_RETENTION_DAYS": ("complaint_retention_days", _days),
    "COMPLAINT_TIMEOUT_SECONDS": ("complaint_timeout_seconds", _seconds),
    "OUTBOX_INTERVAL_SECONDS": ("outbox_interval_seconds", _seconds),
    "RATE_LIMIT_PER_SECOND": ("rate_limit_per_second", _rate),
    "RATE_LIMIT_GROUP_PER_MINUTE": ("rate_limit_group_per_minute", _rate),
    "FLOOD_MESSAGES_PER_MINUTE": ("flood_messages_per_minute", _limit),
    "FLOOD_COMPLAINTS_PER_DAY": ("flood_complaints_per_day", _limit),
    "MAX_CONCURRENT_UPDATES": ("max_concurrent_updates", _concurrency),
    "REPLY_CACHE_SIZE": ("reply_cache_size", _size),
    "WEB_CONSOLE": ("web_console", _switch),
    "WEB_HOST": ("web_host", _host),
    "WEB_PORT": ("web_port", _port),
    "RETRIEVAL": ("retrieval", _retrieval),
    "SEMANTIC_MODEL": ("semantic_model", _model),
    "SEMANTIC_CACHE_PATH": ("semantic_cache_path", _file_path),
    "CONTEXT_IDLE_MINUTES": ("context_idle_minutes", _minutes),
    "OFFICE_HOURS": ("office_hours", _office_hours),
    "RELAY_IDLE_MINUTES": ("relay_idle_minutes", _minutes),
}
