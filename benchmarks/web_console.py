"""Web console inbox latency with 10,000 complaints (target: p95 ≤ 300 ms).

Usage:
    python benchmarks/web_console.py [--complaints 10000] [--requests 200]

Fills a fresh database file with complaints of several departments, types and dates, signs in
through the real login form and times GET / (the default view: open and closed complaints,
sorted by due date, 50 rows) and a filtered, text-searched view, through Starlette's
TestClient (the whole ASGI app, templates included; no network).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.testclient import TestClient  # noqa: E402

from config import load_settings  # noqa: E402
from db.complaints import create_complaint  # noqa: E402
from db.database import UTC, open_database, transaction  # noqa: E402
from web import auth  # noqa: E402
from web.app import create_app  # noqa: E402

TEXTS = (
    "가로등이 고장났어요",
    "여권 재발급 절차가 궁금합니다",
    "공원에 벤치를 설치해 주시면 좋겠어요",
    "이 조례 해석이 맞는지 알려 주세요",
    "쓰레기 무단투기가 심합니다",
    "도로에 구멍이 패였어요",
)
DEPARTMENTS = ("도로과", "환경과", "민원과", "공원녹지과", "교통과", None)


def fill(db, count: int) -> None:
    rng = random.Random(14)
    start = datetime(2025, 1, 2, tzinfo=UTC)
    with transaction(db):
        for n in range(count):
            create_complaint(
                db,
                idempotency_key=f"bench-{n}",
                user_id=n,
                chat_id=n,
                content=f"{rng.choice(TEXTS)} {n}",
                department=rng.choice(DEPARTMENTS),
                region="전주시",
                phone=None,
                anonymous=True,
                consent=False,
                now=start + timedelta(minutes=53 * n),
            )


def timed(client: TestClient, path: str, params: dict, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            {"DATABASE_PATH": f"{folder}/bench.db", "STAFF_IDS": "800"}, env_file=None
        )
        db = open_database(settings.database_path, durable=False)
        began = time.perf_counter()
        fill(db, args.complaints)
        print(f"{args.complaints:,} complaints stored in {time.perf_counter() - began:.1f} s")
        auth.add_account(db, "bench", "benchmark password", user_id=800)
        client = TestClient(create_app(settings))
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post(
            "/login",
            data={
                "csrf": token,
                "step": "password",
                "username": "bench",
                "password": "benchmark password",
            },
        )
        for label, params in (
            ("inbox, default (by due date)", {}),
            (
                "inbox, 도로과 + open + text '가로등'",
                {"department": "도로과", "due": "open", "q": "가로등"},
            ),
            ("inbox, newest first, page 100", {"sort": "new", "offset": "4950"}),
        ):
            timed(client, "/", params, 5)  # warm-up
            times = sorted(timed(client, "/", params, args.requests))
            p50 = statistics.median(times)
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
                f"({args.requests} requests)"
            )
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
