"""Two- and three-turn dialogues driven through the real Application (LocalChat, no network).

Usage:
    python benchmarks/dialogues.py                               # benchmarks/dialogues.tsv
    python benchmarks/dialogues.py --dialogues FILE [--misses]   # another set (same columns)
    python benchmarks/dialogues.py --dialogues FILE FILE …       # several sets in one run
    python benchmarks/dialogues.py --replies FILE                # also write every reply to FILE
    python benchmarks/dialogues.py --threads                     # CPU of the slowest messages
                                                                 # by thread (Linux)
    python benchmarks/dialogues.py --warm-up 0                   # no warm-up questions: the
                                                                 # first answers after start

The file is tab-separated with the columns ``dialogue, turn, message, check, expected``: one row
per turn, in order; a row with a check (usually the last turn) is judged on the bot's reply to
that message, with the checks of benchmarks/accuracy.py (text, list, all, count, missing,
clarify; expected items separated by |). Each dialogue is one new citizen in a fresh chat.

Reported: the share of dialogues whose every check passes, per check, the per-message latency
(update in → last reply recorded, p50/p99), the process's CPU time per message (all its threads:
the tagger's JVM, the embedding's OpenMP threads, the database writers; steadier than the
latency on a busy machine), both by kind of message (first question of a dialogue, follow-up,
list, comparison, command), and the longest reply sent without [자세히].
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import MAX_REPLY_CHARS_TARGET, Tally, judge_text  # noqa: E402
from blind import meaning_ready  # noqa: E402
from config import load_settings  # noqa: E402
from console.local_api import LocalBotApi, LocalChat  # noqa: E402
from handlers.app import build_application, running  # noqa: E402
from knowledge.base import DEFAULT_DIR  # noqa: E402
from nlp.comparison import is_comparison  # noqa: E402
from nlp.normalizer import squeeze  # noqa: E402
from nlp.retrieval import load_knowledge_base  # noqa: E402
from nlp.tokenizer import get_tokenizer  # noqa: E402

DIALOGUE_FILE = ROOT / "benchmarks" / "dialogues.tsv"
TARGETS = {"dialogues": 0.90, "p99_ms": 30.0}
FIRST_USER_ID = 5_000_000
WARM_UP_COUNT = 200  # as latency.py's warm-up pass
_DETAIL = re.compile(r"자세히|자세하게|상세|전부|전체")
_LIST_ITEM = re.compile(r"^1\. ", re.M)
KINDS = ("first question", "follow-up", "list", "comparison", "command")


@dataclass(frozen=True)
class Timing:
    """One message's latency and the process's CPU time while it was handled (ms), its kind and
    its dialogue; with --threads, the CPU ms of each thread (by name) too."""

    dialogue: str
    kind: str
    ms: float
    cpu_ms: float
    threads: tuple[tuple[str, float], ...] = ()


def thread_cpu() -> dict[str, tuple[str, int]]:
    """Each thread of this process: its name and CPU nanoseconds so far (Linux schedstat); the
    event loop's thread is marked "(main)"."""
    found = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            ns = int(Path(f"/proc/self/task/{tid}/schedstat").read_text().split()[0])
            name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
        except (OSError, ValueError, IndexError):
            continue  # the thread ended meanwhile
        found[tid] = (f"{name} (main)" if tid == str(os.getpid()) else name, ns)
    return found


def by_thread(before: dict, after: dict) -> tuple[tuple[str, float], ...]:
    """CPU ms each thread name spent between two ``thread_cpu`` readings."""
    spent: dict[str, float] = defaultdict(float)
    for tid, (name, ns) in after.items():
        spent[name] += (ns - before.get(tid, (name, 0))[1]) / 1e6
    return tuple(sorted(spent.items(), key=lambda pair: -pair[1]))


@dataclass(frozen=True)
class Turn:
    dialogue: str
    number: int
    message: str
    check: str
    expected: tuple[str, ...]


def read_dialogues(path: Path) -> dict[str, list[Turn]]:
    """Turns grouped by dialogue, in file order; '#' lines and a header row are skipped."""
    dialogues: dict[str, list[Turn]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = (line.split("\t") + [""] * 5)[:5]
        if cols[0] == "dialogue" and cols[1] == "turn":
            continue
        name, turn, message, check, expected = (c.strip() for c in cols)
        dialogues[name].append(
            Turn(
                name,
                int(turn or 0),
                message,
                check,
                tuple(squeeze(a) for a in expected.split("|") if a.strip()),
            )
        )
    for turns in dialogues.values():
        turns.sort(key=lambda t: t.number)
    return dict(dialogues)


def _replies(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


def kind_of(kb, turn: Turn, reply: str) -> str:
    """The message's kind in KINDS: a command, a comparison of regions, a message answered with
    a list, else the first message of its dialogue or a later one."""
    if turn.message.startswith("/"):
        return "command"
    if is_comparison(kb, turn.message):
        return "comparison"
    if _LIST_ITEM.search(reply):
        return "list"
    return "first question" if turn.number <= 1 else "follow-up"


async def run(
    dialogues: dict[str, list[Turn]],
    database: Path,
    replies: list[str] | None = None,
    *,
    threads: bool = False,
    warm_up_count: int = WARM_UP_COUNT,
) -> tuple[dict, list[Timing], list[str], int]:
    """Every dialogue through the real bot; per-check tallies, timings, misses, longest reply."""
    settings = load_settings(
        {
            "DATABASE_PATH": str(database),
            "OUTBOX_INTERVAL_SECONDS": "3600",
            "RATE_LIMIT_PER_SECOND": "100000",
            "RATE_LIMIT_GROUP_PER_MINUTE": "100000",
            "FLOOD_MESSAGES_PER_MINUTE": "1000",
        },
        env_file=None,
    )
    tokenizer = get_tokenizer(settings.nlp_tagger, cache_dir=settings.morpheme_cache_dir)
    kb = load_knowledge_base(DEFAULT_DIR, tokenizer=tokenizer)
    api = LocalBotApi()
    application = build_application(settings, request=api, kb=kb, tokenizer=tokenizer)
    tallies: dict[str, Tally] = defaultdict(Tally)
    timings: list[Timing] = []
    misses: list[str] = []
    slowest: list[tuple[float, str]] = []
    longest = 0
    async with running(application):
        await meaning_ready(application)
        warm_up = LocalChat(application, api, user_id=FIRST_USER_ID - 1)
        # a warm-up pass, as in latency.py: the tagger's first call takes seconds and its JVM
        # compiles for the first hundreds of calls; other questions than the measured ones, so
        # no measured reply comes from the reply cache
        for question in warm_up_questions(warm_up_count):
            await warm_up.send(question)
        for number, (name, turns) in enumerate(dialogues.items()):
            chat = LocalChat(application, api, user_id=FIRST_USER_ID + number)
            passed = True
            for turn in turns:
                before = thread_cpu() if threads else {}
                start, cpu = time.perf_counter(), time.process_time()
                calls = await chat.send(turn.message)
                ms = (time.perf_counter() - start) * 1000
                cpu_ms = (time.process_time() - cpu) * 1000
                spent = by_thread(before, thread_cpu()) if threads else ()
                slowest.append((ms, turn.message))
                text = _replies(calls)
                timings.append(Timing(name, kind_of(kb, turn, text), ms, cpu_ms, spent))
                if replies is not None:
                    replies.append(f"[{name} {turn.number}] {turn.message}\n{text}\n")
                asked_detail = _DETAIL.search(turn.message)  # as if [자세히] were pressed
                if not asked_detail and not any(
                    label == "자세히" for c in calls for label, _ in c.buttons
                ):
                    longest = max(longest, max((len(c.text) for c in calls), default=0))
                if not turn.check:
                    continue
                ok = judge_text(turn.check, turn.expected, text)
                tallies[turn.check].add(ok)
                if not ok:
                    passed = False
                    misses.append(
                        f"[{name}] {' → '.join(t.message for t in turns)} "
                        f"({turn.check}: {'|'.join(turn.expected)}) got: "
                        f"{' '.join(text.split())[:160]}"
                    )
            tallies["dialogues"].add(passed)
    for ms, message in sorted(slowest)[-3:]:
        misses.append(f"(slow: {ms:.0f} ms) {message}")
    return tallies, timings, misses, longest


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99 (the value below which 99 % of the others lie, as in latency.py)."""
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dialogues", type=Path, nargs="+", default=[DIALOGUE_FILE], metavar="FILE"
    )
    parser.add_argument("--misses", action="store_true", help="list the dialogues that failed")
    parser.add_argument(
        "--replies", type=Path, metavar="FILE", help="write every turn's replies (to diff runs)"
    )
    parser.add_argument(
        "--threads", action="store_true", help="CPU of the slowest 2 %% of messages by thread"
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=WARM_UP_COUNT,
        metavar="N",
        help=f"questions asked before the measured ones (default {WARM_UP_COUNT})",
    )
    args = parser.parse_args()
    dialogues = {
        name if len(args.dialogues) == 1 else f"{path.stem} {name}": turns
        for path in args.dialogues
        for name, turns in read_dialogues(path).items()
    }
    replies: list[str] | None = [] if args.replies else None
    with tempfile.TemporaryDirectory() as folder:
        tallies, timings, misses, longest = asyncio.run(
            run(
                dialogues,
                Path(folder) / "bot.db",
                replies,
                threads=args.threads,
                warm_up_count=args.warm_up,
            )
        )
    if args.replies and replies is not None:
        args.replies.write_text("".join(replies), encoding="utf-8")
    names = ", ".join(path.name for path in args.dialogues)
    print(f"{len(dialogues)} dialogues, {len(timings)} messages from {names}")
    print(f"dialogues passed {tallies.pop('dialogues')} (target ≥ {TARGETS['dialogues']})")
    for check, tally in sorted(tallies.items()):
        print(f"check {check:<10} {tally}")
    latencies = sorted(t.ms for t in timings)
    p50, p99 = percentiles(latencies)
    print(f"slowest messages: {', '.join(f'{ms:.0f}' for ms in latencies[-5:])} ms")
    print(
        f"latency per message through the Application: p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms (target p99 ≤ {TARGETS['p99_ms']:.0f} ms)"
    )
    cpu50, cpu99 = percentiles([t.cpu_ms for t in timings])
    print(f"CPU time per message (the whole process): p50 {cpu50:.1f} ms, p99 {cpu99:.1f} ms")
    groups = [(kind, [t for t in timings if t.kind == kind]) for kind in KINDS]
    if len(args.dialogues) > 1:  # and by file (a dialogue's name starts with its file's)
        groups += [
            (path.stem, [t for t in timings if t.dialogue.startswith(f"{path.stem} ")])
            for path in args.dialogues
        ]
    for group, of_group in groups:
        if of_group:
            (ms50, ms99), (c50, c99) = (
                percentiles([t.ms for t in of_group]),
                percentiles([t.cpu_ms for t in of_group]),
            )
            print(
                f"  {group:<18} {len(of_group):>4} messages: latency p50 {ms50:.1f} p99 "
                f"{ms99:.1f} max {max(t.ms for t in of_group):.0f} ms, "
                f"CPU p50 {c50:.1f} p99 {c99:.1f} ms"
            )
    print(
        f"longest reply without [자세히]: {longest} characters (target ≤ {MAX_REPLY_CHARS_TARGET})"
    )
    if args.threads:
        print_threads(timings)
    if args.misses:
        print("misses:")
        for miss in misses:
            print(f"  {miss}")
    return 0


def print_threads(timings: list[Timing]) -> None:
    """The CPU of the slowest 2 % of messages (by the process's CPU) and of all, by thread."""
    slowest = sorted(timings, key=lambda t: -t.cpu_ms)[: max(1, len(timings) // 50)]
    for label, group in (("all messages", timings), (f"slowest {len(slowest)}", slowest)):
        spent: dict[str, float] = defaultdict(float)
        for timing in group:
            for name, ms in timing.threads:
                spent[name] += ms
        top = sorted(spent.items(), key=lambda pair: -pair[1])[:5]
        print(f"CPU by thread, {label}: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in top))


def warm_up_questions(count: int = WARM_UP_COUNT) -> list[str]:
    """The first ``count`` questions of benchmarks/questions.tsv: none of them is a measured
    message."""
    lines = (ROOT / "benchmarks" / "questions.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")][
        :count
    ]


if __name__ == "__main__":
    sys.exit(main())
