"""Upload → preview time of a 30-page PDF, as the bot does it between download and preview.

Usage:
    python benchmarks/preview.py [--pdf FILE] [--runs 3]

Runs ``handlers.admin._preview`` — the function the bot calls in a worker thread — on the
bundled knowledge base: read the file on a copy of the knowledge directory, validate, build the
knowledge base it would give and re-answer the 200 most recent logged questions with both
(the log is filled with the question set). Each run starts as for a file never seen: no
remembered reading and none of its text tagged; the live knowledge base's answers to the logged
questions are remembered from the first run on, as in the bot. The parts are timed once.
Prints the median of the runs and the machine (cores, load average).

benchmarks/fixtures/thirty-pages.pdf was written with fpdf2 and the Nanum font: each page a
numbered heading, a □ program, three labelled fields, 25 list lines and a three-row contact
table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import QUESTION_FILES, read_questions
from config import load_settings
from db.questions import log_question
from db.store import Store
from handlers import admin
from knowledge.base import DEFAULT_DIR, clear_readings
from knowledge.library import preview_file
from nlp.responder import changed_answers
from nlp.retrieval import load_knowledge_base
from nlp.tokenizer import get_tokenizer

PDF = ROOT / "benchmarks" / "fixtures" / "thirty-pages.pdf"


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.machine()}, {os.cpu_count()} cores, load average {load}"


def forget_new_text(tokenizer, known: set[str]) -> None:
    """Drops the tagger's remembered morphemes of the uploaded file's text: every run tags it
    afresh, as the bot must for a file it has not seen."""
    cache = getattr(tokenizer, "_cache", None)
    if cache is not None:
        for text in set(cache) - known:
            del cache[text]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pdf", type=Path, default=PDF)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = args.pdf.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "kb"
        shutil.copytree(DEFAULT_DIR, directory)
        settings = load_settings(
            {"DATABASE_PATH": str(Path(tmp) / "bot.db"), "KNOWLEDGE_DIR": str(directory)},
            env_file=None,
        )
        store = Store(settings.database_path)
        log_db = store.db
        for n, question in enumerate(read_questions(QUESTION_FILES)):
            log_question(
                log_db,
                user_id=n,
                query=question.text,
                intent="question",
                band="answer",
                entry_id=None,
                score=None,
            )
        tokenizer = get_tokenizer()
        kb = load_knowledge_base(directory, tokenizer=tokenizer)  # the warm, live knowledge base
        known = set(getattr(tokenizer, "_cache", {}))  # morphemes of the live knowledge base
        # What the bot's context gives handlers.admin._preview (handlers.context.BotContext).
        context = SimpleNamespace(
            settings=settings, tokenizer=tokenizer, kb=kb, store=store, preview_outcomes={}
        )
        print(f"machine: {machine()}")
        took = []
        for run in range(args.runs):
            clear_readings()
            forget_new_text(tokenizer, known)
            start = time.perf_counter()
            reports, changed, asked = admin._preview(context, args.pdf.name, data, "가나시")
            took.append(time.perf_counter() - start)
            entries = sum(reports[0].counts.values())
            print(
                f"run {run + 1}: {took[-1]:.2f} s ({entries} entries; "
                f"{changed} of {asked} answers change)"
            )
        print(f"upload → preview, median of {args.runs}: {statistics.median(took):.2f} s")
        clear_readings()
        forget_new_text(tokenizer, known)
        start = time.perf_counter()
        _, new = preview_file(
            directory,
            args.pdf.name,
            data,
            "가나시",
            inspect=lambda copy: load_knowledge_base(copy, tokenizer=tokenizer),
        )
        read = time.perf_counter() - start
        start = time.perf_counter()
        changed_answers(kb, new, [q.text for q in read_questions(QUESTION_FILES)][:asked])
        print(
            f"parts: read + validate + build {read:.2f} s, "
            f"re-answer {asked} × 2 {time.perf_counter() - start:.2f} s; machine: {machine()}"
        )
        asyncio.run(store.close())
    return 0


if __name__ == "__main__":
    sys.exit(main())
