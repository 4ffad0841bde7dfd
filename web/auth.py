"""Web console sign-in: hashed passwords, one-time codes sent through Telegram, sessions that
expire, CSRF tokens and a limit on failed attempts.

Nothing secret is stored in plain text: passwords are scrypt hashes with a salt, and session
tokens and login codes are stored as SHA-256 hashes (a copy of the database opens no session).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from db import outbox
from db.database import as_utc, raises_unavailable, timestamp, transaction
from db.retention import SIGN_IN_CODE

SESSION_HOURS = 8  # one working day; the staff member signs in again the next morning
CODE_MINUTES = 10
CODE_DIGITS = 6
MAX_CODE_TRIES = 5
# Failed sign-ins per client and window before the login page refuses for a while: enough for
# typos, far too few to guess a 6-digit code (10^6) or a password.
MAX_FAILURES = 5
FAILURE_WINDOW_MINUTES = 10
MIN_PASSWORD_CHARS = 10
# scrypt cost (RFC 7914 interactive parameters): about 50 ms here, 16 MiB of memory.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class TooManyAttempts(Exception):
    "Too many failed sign-ins from this client; wait before trying again."


class WeakPassword(Exception):
    "The password is too short."


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf: str
    expires_at: str


def hash_password(password: str) -> str:
    """'scrypt$N$r$p$salt$hash' (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True if ``password`` hashes to ``stored``."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual.hex(), digest)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@raises_unavailable
def add_account(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    *,
    user_id: int,
    now: datetime | None = None,
) -> None:
    """Creates or replaces a password account for staff member ``user_id``."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(f"비밀번호는 {MIN_PASSWORD_CHARS}자 이상이어야 합니다.")
    db["web_accounts"].upsert(
        {
            "username": username,
            "password_hash": hash_password(password),
            "user_id": user_id,
            "created_at": timestamp(now),
        },
        pk="username",
    )


@raises_unavailable
def check_account(db: sqlite_utils.Database, username: str, password: str) -> int | None:
    """The staff user id of a correct username and password, else None."""
    row = db.execute(
        "select password_hash, user_id from web_accounts where username = ?", [username]
    ).fetchone()
    if row is None:
        check_password(password, hash_password("x" * MIN_PASSWORD_CHARS))  # same time either way
        return None
    return row[1] if check_password(password, row[0]) else None


@raises_unavailable
def send_login_code(
    db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None
) -> None:
    """Queues a one-time code to the staff member's private chat (db.outbox → Telegram)."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = timestamp(as_utc(now) + timedelta(minutes=CODE_MINUTES))
    with transaction(db):
        db["web_login_codes"].upsert(
            {"user_id": user_id, "code_hash": _sha(code), "expires_at": expires, "attempts": 0},
            pk="user_id",
        )
        outbox.enqueue(
            db,
            user_id,
            f"웹 콘솔 로그인 코드: {code}\n{CODE_MINUTES}분 안에 입력해 "
            "주세요. 요청하지 않았다면 무시하고 관리자에게 알려 주세요.",
            kind=SIGN_IN_CODE,
            now=now,
        )


@raises_unavailable
def check_login_code(
    db: sqlite_utils.Database, user_id: int, code: str, *, now: datetime | None = None
) -> bool:
    """True once for the right, unexpired code; a code dies after MAX_CODE_TRIES tries."""
    with transaction(db):
        row = db.execute(
            "select code_hash, expires_at, attempts from web_login_codes where user_id = ?",
            [user_id],
        ).fetchone()
        if row is None or row[1] < timestamp(now) or row[2] >= MAX_CODE_TRIES:
            return False
        if hmac.compare_digest(row[0], _sha(code.strip())):
            db.execute("delete from web_login_codes where user_id = ?", [user_id])
            return True
        db.execute(
            "update web_login_codes set attempts = attempts + 1 where user_id = ?", [user_id]
        )
        return False


@raises_unavailable
def check_rate(db: sqlite_utils.Database, client: str, *, now: datetime | None = None) -> None:
    """TooManyAttempts if ``client`` failed MAX_FAILURES times within the window."""
    since = timestamp(as_utc(now) - timedelta(minutes=FAILURE_WINDOW_MINUTES))
    failures = db.execute(
        "select count(*) from web_login_attempts where client = ? and attempted_at >= ?",
        [client, since],
    ).fetchone()[0]
    if failures >= MAX_FAILURES:
        raise TooManyAttempts(client)


@raises_unavailable
def record_failure(db: sqlite_utils.Database, client: str, *, now: datetime | None = None) -> None:
    """Counts one failed sign-in (or one code request) of ``client``."""
    db["web_login_attempts"].insert({"client": client, "attempted_at": timestamp(now)})


@raises_unavailable
def open_session(db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None) -> str:
    """A new session token for ``user_id`` (the cookie value; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    moment = as_utc(now)
    db["web_sessions"].insert(
        {
            "token_hash": _sha(token),
            "user_id": user_id,
            "csrf": secrets.token_urlsafe(24),
            "created_at": timestamp(moment),
            "expires_at": timestamp(moment + timedelta(hours=SESSION_HOURS)),
        }
    )
    return token


@raises_unavailable
def session_for(
    db: sqlite_utils.Database, token: str | None, *, now: datetime | None = None
) -> Session | None:
    """The live session of a cookie token, or None (unknown or expired)."""
    if not token:
        return None
    row = db.execute(
        "select user_id, csrf, expires_at from web_sessions where token_hash = ? "
        "and expires_at > ?",
        [_sha(token), timestamp(now)],
    ).fetchone()
    return Session(*row) if row else None


@raises_unavailable
def close_session(db: sqlite_utils.Database, token: str) -> None:
    """Ends a session (sign-out)."""
    db.execute("delete from web_sessions where token_hash = ?", [_sha(token)])
