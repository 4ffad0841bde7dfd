"""Every question set through ``blind.py``, and a table of two checkouts' results per set.

Usage:
    python benchmarks/every_set.py run CHECKOUT OUTDIR     # one OUTDIR/<set>.txt per set
    python benchmarks/every_set.py table BEFORE AFTER       # markdown: before → after per set

``run`` scores every blind set (A–Z, AA, AB …, with their dialogues; P has dialogues only)
and our own question files, each with ``blind.py``, so an older commit is judged the same way;
``table`` prints each set's aggregates, bold where AFTER got more right, underlined where fewer.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OURS = {"questions": "ours", "dev-questions": "dev", "holdout-questions": "holdout"}
MEASURES = (
    ("top1", "top-1"),
    ("top3", "top-3"),
    ("style:paraphrase", "everyday paraphrase"),
    ("check:none", "out of scope"),
    ("check:list", "lists"),
    ("check:count", "counts"),
    ("check:missing", "missing fact"),
    ("check:all", "comparisons"),
    ("dialogues", "dialogues"),
)
AGGREGATE = re.compile(r"^(\S+)\s+(\d+)/(\d+)\s")


def sets() -> dict[str, tuple[Path | None, Path | None]]:
    """Name → (questions, dialogues) of every set in this folder."""
    found: dict[str, tuple[Path | None, Path | None]] = {}
    for dialogues in sorted(HERE.glob("blind-*-dialogues.tsv")):
        name = dialogues.name[len("blind-") : -len("-dialogues.tsv")]
        questions = HERE / f"blind-{name}.tsv"
        found[name.upper()] = (questions if questions.is_file() else None, dialogues)
    for questions in sorted(HERE.glob("blind-*.tsv")):
        if not questions.stem.endswith("-dialogues"):
            found.setdefault(questions.stem[len("blind-") :].upper(), (questions, None))
    for name, label in OURS.items():
        found[label] = (HERE / f"{name}.tsv", None)
    return dict(sorted(found.items(), key=lambda kv: (len(kv[0]) > 1, kv[0])))


def run(checkout: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    empty = out / "no-questions.tsv"
    empty.write_text("# question\tcheck\texpected\tstyle\tregion\n", encoding="utf-8")
    for name, (questions, dialogues) in sets().items():
        args = [str(questions or empty), *([str(dialogues)] if dialogues else [])]
        result = subprocess.run(
            [sys.executable, str(HERE / "blind.py"), str(checkout), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        (out / f"{name}.txt").write_text(result.stdout, encoding="utf-8")
        print(name, "done" if result.returncode == 0 else f"failed: {result.stderr[-300:]}")


def _aggregates(path: Path) -> dict[str, tuple[int, int]]:
    if not path.is_file():
        return {}
    return {
        m.group(1): (int(m.group(2)), int(m.group(3)))
        for line in path.read_text(encoding="utf-8").splitlines()
        if (m := AGGREGATE.match(line))
    }


def table(before: Path, after: Path) -> None:
    names = [n for n in sets() if _aggregates(before / f"{n}.txt")]
    print("| | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for key, label in MEASURES:
        cells = []
        for name in names:
            x = _aggregates(before / f"{name}.txt").get(key)
            y = _aggregates(after / f"{name}.txt").get(key)
            if not x or not y:
                cells.append("")
            elif x == y:
                cells.append(f"{x[0]}/{x[1]}")
            else:
                mark = "**" if y[0] > x[0] else "_"
                cells.append(f"{x[0]} → {mark}{y[0]}{mark}/{y[1]}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("run", "table"):
        sys.exit(__doc__)
    command, first, second = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    (run if command == "run" else table)(first, second)
