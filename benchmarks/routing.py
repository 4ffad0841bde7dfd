"""Department suggestion latency: the bundled documents, and with a large contact directory
whose teams state their duties (KnowledgeBase.departments_by_duties runs before the search).

Usage:
    python benchmarks/routing.py [--teams 500] [--rounds 30]

suggest_departments runs on the event loop for every complaint draft, so its cost counts in
complaints/s (benchmarks/load.py). Prints the median and p95 per call over eight complaints.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.base import DEFAULT_DIR, KnowledgeBase  # noqa: E402
from knowledge.library import add_files  # noqa: E402
from nlp.responder import suggest_departments  # noqa: E402
from nlp.retrieval import load_knowledge_base  # noqa: E402
from nlp.tokenizer import get_tokenizer  # noqa: E402
from tests.fixtures import render  # noqa: E402

COMPLAINTS = (
    "집 앞 도로가 파여서 위험해요",
    "포트홀 때문에 타이어가 터졌어요",
    "골목에 불법 주정차 차량이 너무 많아요",
    "쓰레기 무단투기 신고합니다",
    "여권 재발급이 너무 오래 걸려요",
    "다문화가족 지원 프로그램이 너무 부족해요",
    "하수구 냄새가 너무 심해요",
    "공원 가로등이 고장나서 밤에 너무 어두워요",
)


def with_directory(teams: int, tokenizer) -> KnowledgeBase:
    """The bundled documents plus a contact directory of ``teams`` teams with duties."""
    folder = Path(tempfile.mkdtemp())
    sources = folder / "sources"
    shutil.copytree(DEFAULT_DIR, sources)
    rows = [("부서", "팀", "담당업무", "전화")] + [
        (
            f"부서{n // 5}",
            f"팀{n}",
            f"업무{n} 관리, 시설{n} 정비, 도로{n} 점검",
            f"063-100-{n:04d}",
        )
        for n in range(teams)
    ]
    (folder / "연락처.csv").write_bytes(render.csv(rows))
    add_files(sources, [folder / "연락처.csv"], "전라북도")
    return load_knowledge_base(sources, tokenizer=tokenizer)


def timed(kb: KnowledgeBase, rounds: int) -> tuple[float, float]:
    """Median and p95 milliseconds per suggest_departments call."""
    for text in COMPLAINTS:
        suggest_departments(kb, text)
    samples = []
    for _ in range(rounds):
        for text in COMPLAINTS:
            start = time.perf_counter()
            suggest_departments(kb, text)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    tokenizer = get_tokenizer()
    bases = {
        "bundled documents": load_knowledge_base(DEFAULT_DIR, tokenizer=tokenizer),
        f"+ {args.teams}-team directory": with_directory(args.teams, tokenizer),
    }
    for name, kb in bases.items():
        median, p95 = timed(kb, args.rounds)
        print(
            f"{name}: {len(kb.duties)} units with duties, median {median:.2f} ms, p95 {p95:.2f} ms"
        )


if __name__ == "__main__":
    main()
