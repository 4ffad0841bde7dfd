"""Record ``bot.py ask --json`` for every benchmark question, or diff two recordings.

A refactor that must not change behaviour is checked by recording before and after and diffing:
each question is answered in one process with the same path ``bot.py ask --json`` takes
(``bot._run_ask``: tokenizer, knowledge base, semantic index when RETRIEVAL=hybrid), once with
RETRIEVAL=lexical and once with the default hybrid.

Usage:
    python benchmarks/same_answers.py record BEFORE.jsonl   # every question, both modes
    python benchmarks/same_answers.py diff BEFORE.jsonl AFTER.jsonl
                                                            # prints the number that differ
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("lexical", "hybrid")


def questions() -> list[str]:
    """Every question and dialogue message of benchmarks/*.tsv, in file order, without repeats."""
    seen: dict[str, None] = {}
    for path in sorted((ROOT / "benchmarks").glob("*.tsv")):
        column = 2 if "dialogues" in path.name else 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) > column and cols[column].strip():
                seen.setdefault(cols[column], None)
    return list(seen)


def record(out_path: Path) -> int:
    """Answer every question with ``bot.py ask --json "-"`` in this process, in both modes."""
    import bot

    texts = questions()
    with out_path.open("w", encoding="utf-8") as out:
        for mode in MODES:
            os.environ["RETRIEVAL"] = mode
            stdin, stdout = sys.stdin, sys.stdout
            sys.stdin, sys.stdout = io.StringIO("".join(t + "\n" for t in texts)), io.StringIO()
            try:
                code = bot.main(["ask", "--json", "-"])
                lines = sys.stdout.getvalue().splitlines()
            finally:
                sys.stdin, sys.stdout = stdin, stdout
            if code or len(lines) != len(texts):
                raise RuntimeError(f"{mode}: exit {code}, {len(lines)} of {len(texts)} answers")
            for text, line in zip(texts, lines, strict=True):
                out.write(json.dumps({"mode": mode, "question": text}, ensure_ascii=False))
                out.write("\t" + line + "\n")
    print(f"{len(texts)} questions × {len(MODES)} modes → {out_path}")
    return 0


def _read(path: Path) -> dict[str, str]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, answer = line.partition("\t")
        rows[key] = answer
    return rows


def diff(before_path: Path, after_path: Path) -> int:
    """Print each question whose JSON differs and the count; exit 1 if any differ."""
    before, after = _read(before_path), _read(after_path)
    differing = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    for key in sorted(differing):
        print(f"differs: {key}\n  before {before.get(key)}\n  after  {after.get(key)}")
    print(f"{len(differing)} of {len(before)} answers differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("record").add_argument("output", type=Path)
    both = sub.add_parser("diff")
    both.add_argument("before", type=Path)
    both.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.action == "record":
        return record(args.output)
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
