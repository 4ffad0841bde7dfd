"""Generic readers against the specialised layout parsers, and the time of `kb add`.

Usage:
    python benchmarks/readers.py [--pages 50] [--pdf FILE]

1. The five seed documents are read twice in the same run: by their specialised parsers
   (manifest.yaml as shipped) and by the generic text reader (as if no parser had been
   written for them); for each: entries found and top-1 / answered-and-right on
   benchmarks/questions.tsv + dev-questions.tsv (the question sets' checks name the
   specialised parsers' titles and facts, so this measures what a new city's admin would get
   from the same documents without code).
3. With ``--pdf FILE`` (e.g. a 30-page PDF): the time from an uploaded file's bytes to the
   admin's preview (``knowledge.library.preview_file``: reading it on a copy of the knowledge
   directory and validating), the work the bot does between download and preview.
2. `kb add` of N generated saved pages (one program each, from the seed fixture) into a copy of
   the bundled knowledge directory: wall time of copying, reading, recording and validating.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import yaml

from accuracy import QUESTION_FILES, evaluate, read_questions
from config import load_settings
from handlers.admin import CHANGED_ANSWER_LIMIT
from knowledge.base import (
    DEFAULT_DIR,
    MANIFEST,
    load_contents,
)
from knowledge.library import add_files, preview_file
from nlp.responder import changed_answers
from nlp.retrieval import build_knowledge_base, load_knowledge_base
from nlp.tokenizer import get_tokenizer
from tests.fixtures import render


def generic_copy(target: Path) -> Path:
    """The bundled directory with every document read by the generic text reader."""
    shutil.copytree(DEFAULT_DIR, target)
    items = yaml.safe_load((target / MANIFEST).read_text(encoding="utf-8"))
    for item in items:
        item["parser"] = "text"
    (target / MANIFEST).write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    return target


def measure(directory: Path, tokenizer, questions) -> tuple[Counter, object]:
    entries, curated, regions = load_contents(directory)
    kb = build_knowledge_base(entries, curated, tokenizer=tokenizer, regions=regions)
    return Counter(e.kind for e in entries), evaluate(kb, questions)


def pages(folder: Path, count: int) -> list[Path]:
    out = []
    for n in range(count):
        path = folder / f"page{n:03d}.html"
        path.write_text(
            render.html()
            .replace(render.PROGRAM, f"{render.PROGRAM} {n}호")
            .replace("정무기획과", f"정무기획{n}과"),
            encoding="utf-8",
        )
        out.append(path)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument(
        "--pdf", type=Path, default=None, help="time upload → preview of this file"
    )
    args = parser.parse_args()
    tokenizer = get_tokenizer(cache_dir=load_settings(os.environ).morpheme_cache_dir)
    questions = read_questions(QUESTION_FILES)
    with tempfile.TemporaryDirectory() as tmp:
        for name, directory in (
            ("specialised parsers", DEFAULT_DIR),
            ("generic text reader", generic_copy(Path(tmp) / "generic")),
        ):
            counts, report = measure(directory, tokenizer, questions)
            print(f"{name}: {sum(counts.values())} entries ({dict(counts.most_common())})")
            print(
                f"  top-1 {report.top1}  top-3 {report.top3}  "
                f"answered & right {report.answered_right}  out-of-scope rejection {report.oos}"
            )
        folder = Path(tmp) / "pages"
        folder.mkdir()
        files = pages(folder, args.pages)
        target = Path(tmp) / "kb"
        shutil.copytree(DEFAULT_DIR, target)
        start = time.perf_counter()
        reports = add_files(target, files, "가나시", document="생성한 안내 페이지")
        took = time.perf_counter() - start
        entries = sum(sum(r.counts.values()) for r in reports)
        print(f"kb add of {len(files)} pages: {took:.2f} s ({entries} entries read)")
    if args.pdf:
        # What the bot does for the preview: read on a copy, build the knowledge base it would
        # give, re-answer questions with both (here the question set stands in for the log).
        old = load_knowledge_base(DEFAULT_DIR, tokenizer=tokenizer)
        texts = [q.text for q in questions][:CHANGED_ANSWER_LIMIT]
        start = time.perf_counter()
        reports, new = preview_file(
            DEFAULT_DIR,
            args.pdf.name,
            args.pdf.read_bytes(),
            "가나시",
            inspect=lambda d: load_knowledge_base(d, tokenizer=tokenizer),
        )
        changed = changed_answers(old, new, texts)
        took = time.perf_counter() - start
        entries = sum(reports[0].counts.values())
        print(
            f"upload → preview of {args.pdf.name}: {took:.2f} s ({entries} entries; "
            f"{changed} of {len(texts)} answers change)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
