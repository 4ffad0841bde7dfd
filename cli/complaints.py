"""`python bot.py complaints ...`: complaints from the shell, for staff without Telegram.

Usage:
    python bot.py complaints list [--status 처리중]
    python bot.py complaints show 20250301-ABCD
    python bot.py complaints export [--since 2025-03-01] [--until 2025-03-31] [--output F]

Phones are always shown masked. Times are Korean local time. Exit codes: 0 done,
1 no such complaint or database unavailable, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol, TextIO

import sqlite_utils

from db import complaints
from db.database import DatabaseUnavailable, open_database
from display import complaints_csv, display_width, due_text, kst_text, pad

CONTENT_PREVIEW_CHARS = 30


class _Settings(Protocol):
    @property
    def database_path(self) -> str | Path: ...


class UsageError(Exception):
    "The command line asks for something impossible; the message says how to fix it."


def run_complaints_command(args: argparse.Namespace, settings: _Settings, out: TextIO) -> int:
    """Runs `complaints list|show|export`; returns the process exit code."""
    try:
        db = open_database(settings.database_path)
    except DatabaseUnavailable as exc:
        return _unavailable(exc)
    try:
        return ACTIONS[args.action](db, args, out)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        return _unavailable(exc)
    finally:
        db.close()


def _unavailable(exc: DatabaseUnavailable) -> int:
    print(
        f"데이터베이스를 사용할 수 없습니다. 잠시 후 다시 시도해 주세요. ({exc})", file=sys.stderr
    )
    return 1


def _list(db: sqlite_utils.Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.status is not None and args.status not in complaints.STATUSES:
        raise UsageError(
            f"알 수 없는 상태 '{args.status}': {', '.join(complaints.STATUSES)} 중 하나를 쓰세요."
        )
    total = complaints.count_complaints(db, status=args.status)
    found = complaints.list_complaints(db, status=args.status, limit=total)
    if not found:
        out.write("민원이 없습니다.\n")
        return 0
    rows = [("접수번호", "접수일", "상태", "부서", "내용", "연락처")]
    for c in found:
        preview = " ".join(c.content.split())[:CONTENT_PREVIEW_CHARS]
        rows.append(
            (
                c.receipt,
                kst_text(c.created_at)[:10],
                c.status,
                c.department or "-",
                preview,
                c.masked_phone or "-",
            )
        )
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [pad(cell, width) for cell, width in zip(row, widths)]
        out.write("  ".join(cells).rstrip() + "\n")
    out.write(f"합계 {total}건\n")
    return 0


def _show(db: sqlite_utils.Database, args: argparse.Namespace, out: TextIO) -> int:
    if not args.receipt:
        raise UsageError("접수번호를 적어 주세요: complaints show 20250301-ABCD")
    c = complaints.get_complaint(db, args.receipt)
    if c is None:
        print(f"접수번호 {args.receipt}인 민원을 찾을 수 없습니다.", file=sys.stderr)
        return 1
    yes_no = {True: "예", False: "아니오"}
    location = f"{c.latitude}, {c.longitude}" if c.latitude is not None else "-"
    fields = [
        ("접수번호", c.receipt),
        ("접수일시", kst_text(c.created_at)),
        ("최종변경", kst_text(c.updated_at)),
        ("상태", c.status),
        ("유형", c.complaint_type or "-"),
        ("처리기한", due_text(c)),
        ("연장 사유", c.extension_reason or "-"),
        ("부서", c.department or "-"),
        ("지역", c.region or "-"),
        ("연락처", c.masked_phone or "-"),
        ("익명", yes_no[c.anonymous]),
        ("동의", yes_no[c.consent]),
        ("사용자/대화", f"{c.user_id} / {c.chat_id}"),
        ("위치", location),
        ("첨부", ", ".join(c.attachments) or "-"),
    ]
    for label, value in fields:
        out.write(f"{label}: {value}\n")
    out.write("내용:\n")
    out.writelines(f"  {line}\n" for line in c.content.splitlines() or [""])
    out.write("이력:\n")
    for event in complaints.history(db, c.receipt):
        when = kst_text(event["created_at"])
        if event["kind"] == "reply":
            what = f"답변: {event['note']}"
        else:
            change = " → ".join(s for s in (event["from_status"], event["to_status"]) if s)
            note = "" if event["note"] == event["to_status"] else event["note"]
            what = f"{change}  {note}".rstrip()
        out.write(f"  {when}  [{event['actor_id']}] {what}\n")
    return 0


def _export(db: sqlite_utils.Database, args: argparse.Namespace, out: TextIO) -> int:
    since, until = _date(args.since, "--since"), _date(args.until, "--until")
    if since and until and since > until:
        raise UsageError("--since 날짜가 --until 날짜보다 늦습니다.")
    data = complaints_csv(complaints.received_between(db, since=since, until=until))
    if args.output:
        Path(args.output).write_bytes(data)
        out.write(f"{args.output}에 저장했습니다.\n")
    else:
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
    return 0


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} 날짜 '{text}'를 읽을 수 없습니다: YYYY-MM-DD 로 적어 주세요."
        ) from None


ACTIONS: dict[str, Callable[[sqlite_utils.Database, argparse.Namespace, TextIO], int]] = {
    "list": _list,
    "show": _show,
    "export": _export,
}
