"""`python bot.py web add-user`: a password account for staff who do not use Telegram."""

from __future__ import annotations

import getpass
import sys

from db.database import open_database
from db.staff import role_of
from web.auth import WeakPassword, add_account


def add_user_command(
    settings, username: str | None, user_id: int | None, ask=getpass.getpass
) -> int:
    """Creates the account after asking the password twice; exit code 0, 1 or 2."""
    if not username or user_id is None:
        print("사용법: python bot.py web add-user 아이디 --user-id 텔레그램ID", file=sys.stderr)
        return 2
    db = open_database(settings.database_path)
    try:
        if (
            role_of(db, user_id, admin_ids=settings.admin_ids, staff_ids=settings.staff_ids)
            is None
        ):
            print(
                f"사용자 {user_id}은(는) 직원이 아닙니다. 먼저 /grant 로 권한을 주세요.",
                file=sys.stderr,
            )
            return 1
        password = ask("비밀번호: ")
        if password != ask("비밀번호 확인: "):
            print("두 비밀번호가 다릅니다.", file=sys.stderr)
            return 1
        try:
            add_account(db, username, password, user_id=user_id)
        except WeakPassword as exc:
            print(exc, file=sys.stderr)
            return 1
    finally:
        db.close()
    print(f"웹 콘솔 계정 '{username}'을(를) 만들었습니다.")
    return 0
