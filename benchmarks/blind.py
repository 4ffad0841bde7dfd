"""Scores a checkout of the bot (this one or an older commit's) on a question file and a
dialogue file, judging only what a citizen would see, so any two versions compare fairly.

Questions go through `python bot.py ask --json -` (the JSON contract every version keeps);
dialogues through the real Application on the in-process Bot API (LocalChat), a fresh chat per
dialogue. Checks: title (the top entry), text, list (half the items), all, count, missing (the
first sentence says the documents lack it), none and clarify (no answer), intent.

Usage:
    python benchmarks/blind.py CHECKOUT QUESTIONS.tsv [DIALOGUES.tsv]
    python benchmarks/blind.py . benchmarks/blind-g.tsv benchmarks/blind-g-dialogues.tsv
    (RETRIEVAL=lexical in the environment scores the words-only matcher)
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

MISSING = re.compile(
    r"(나와 있지 않|나와있지 않|찾을 수 없|없습니다|확인되지 않|담겨 있지 않|포함되어 있지 않|"
    r"적혀 있지 않|알 수 없|제공하지 않|없어|모릅니다|자료에는)"
)

COMPLAINT_STARTED = re.compile(r"민원 접수를 시작|민원 내용을|접수를 시작")
REFUSED = re.compile(r"찾지 못했|답할 수 없|안내할 수 없|나와 있지 않")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def first_sentence(text: str) -> str:
    body = re.sub(r"^\[[^\]]*\]\s*", "", (text or "").strip())
    return re.split(r"(?<=[.!?다요])\s|\n", body, maxsplit=1)[0]


def judge(
    check: str, expected: list[str], text: str, answered: bool, intent: str, titles: list[str]
) -> dict[str, bool]:
    s = squeeze(text)
    alts = [squeeze(a) for a in expected if a.strip()]
    if check == "title":
        hits = [any(a in squeeze(t) for a in alts) for t in titles]
        top1 = hits[:1] == [True]
        return {"ok": top1, "top1": top1, "top3": any(hits[:3]), "ar": top1 and answered}
    if check == "text":
        ok = any(a in s for a in alts)
        return {"ok": ok, "ar": ok and answered}
    if check == "list":
        found = sum(a in s for a in alts)
        return {"ok": bool(alts) and found * 2 >= len(alts)}
    if check == "all":
        return {"ok": bool(alts) and all(a in s for a in alts)}
    if check == "count":
        return {"ok": any(re.search(rf"(?<!\d){re.escape(a)}(?!\d)", text or "") for a in alts)}
    if check == "missing":
        return {"ok": bool(MISSING.search(first_sentence(text)))}
    if check == "none":
        return {"ok": not answered}
    if check == "clarify":
        return {"ok": not answered}
    if check == "intent":
        return {"ok": intent == (expected[0] if expected else "")}
    raise ValueError(check)


def read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def ask_all(worktree: Path, questions: list[str]) -> list[dict]:
    python = sys.executable
    out = subprocess.run(
        [python, "bot.py", "ask", "--json", "-"],
        cwd=worktree,
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        check=True,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "DATABASE_PATH": str(Path(tempfile.mkdtemp()) / "ask.db"),
            **({"RETRIEVAL": os.environ["RETRIEVAL"]} if "RETRIEVAL" in os.environ else {}),
        },
    )
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def score_questions(worktree: Path, path: Path) -> dict:
    rows = read_tsv(path)
    replies = ask_all(worktree, [r[0] for r in rows]) if rows else []  # P: dialogues only
    assert len(replies) == len(rows), (len(replies), len(rows))
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for row, reply in zip(rows, replies):
        q, check = row[0], row[1]
        expected = row[2].split("|") if len(row) > 2 else []
        style = row[3] if len(row) > 3 else "-"
        titles = [r.get("title", "") for r in reply.get("results", [])]
        got = judge(
            check,
            expected,
            reply.get("text", ""),
            bool(reply.get("answered")),
            reply.get("intent", ""),
            titles,
        )
        for key, ok in got.items():
            if key == "ok":
                tallies[f"check:{check}"][0] += ok
                tallies[f"check:{check}"][1] += 1
                tallies[f"style:{style}"][0] += ok
                tallies[f"style:{style}"][1] += 1
            else:
                tallies[key][0] += ok
                tallies[key][1] += 1
        if not got["ok"]:
            misses.append(
                f"[{check}/{style}] {q} → {titles[:1]} answered={reply.get('answered')}"
                f" | {first_sentence(reply.get('text', ''))[:80]}"
            )
    return {"tallies": dict(tallies), "misses": misses}


async def run_dialogues(worktree: Path, path: Path) -> dict:
    sys.path.insert(0, str(worktree))
    os.chdir(worktree)
    from config import load_settings
    from console.local_api import LocalBotApi, LocalChat
    from handlers.app import build_application, running

    tmp = tempfile.mkdtemp()
    settings = load_settings(
        {
            "DATABASE_PATH": f"{tmp}/bot.db",
            "ADMIN_IDS": "900",
            "STAFF_IDS": "800",
            "STAFF_CHAT_ID": "-100500",
            "OUTBOX_INTERVAL_SECONDS": "3600",
            "RATE_LIMIT_PER_SECOND": "1000",
            "RATE_LIMIT_GROUP_PER_MINUTE": "1000",
        },
        env_file=None,
    )
    api = LocalBotApi()
    application = build_application(settings, request=api)
    dialogues: dict[str, list[list[str]]] = defaultdict(list)
    for row in read_tsv(path):
        dialogues[row[0]].append(row)
    passed, total, misses = 0, 0, []
    async with running(application):
        await meaning_ready(application)
        for n, (name, turns) in enumerate(dialogues.items()):
            chat = LocalChat(application, api, 50_000 + n)
            text = ""
            for turn in sorted(turns, key=lambda r: int(r[1])):
                calls = await chat.send(turn[2])
                text = "\n".join(c.text for c in calls if c.text)
            last = sorted(turns, key=lambda r: int(r[1]))[-1]
            check = last[3] if len(last) > 3 else ""
            expected = last[4].split("|") if len(last) > 4 else []
            titles = re.findall(r"^\[([^\]\n]+)\]", text, re.M)  # the cards shown, in order
            if check == "none":
                answered = bool(titles)
            else:
                answered = check != "clarify" or not re.search(
                    r"(어떤|어느|무엇|말씀하시는|알려 주시|\?)", text
                )
            ok = judge(check, expected, text, answered, reply_intent(text, titles), titles)["ok"]
            passed += ok
            total += 1
            if not ok:
                misses.append(
                    f"{name} [{check}] {' / '.join(t[2] for t in turns)} → {text[:100]!r}"
                )
    return {"passed": passed, "total": total, "misses": misses}


def main() -> None:
    worktree, questions = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    result = score_questions(worktree, questions)
    for key, (ok, n) in sorted(result["tallies"].items()):
        print(f"{key:24s} {ok:4d}/{n:<4d} {ok / n:.3f}")
    if len(sys.argv) > 3:
        d = asyncio.run(run_dialogues(worktree, Path(sys.argv[3]).resolve()))
        print(
            f"{'dialogues':24s} {d['passed']:4d}/{d['total']:<4d} {d['passed'] / d['total']:.3f}"
        )
        result["dialogues"] = d
    for miss in result["misses"] + result.get("dialogues", {}).get("misses", []):
        print("miss:", miss)


def reply_intent(text: str, titles: list[str]) -> str:
    """The intent a dialogue reply shows a citizen: a complaint draft started, an entry card (a
    question answered), or a short social reply with no card and no refusal (a greeting)."""
    if COMPLAINT_STARTED.search(text):
        return "complaint"
    if titles or REFUSED.search(text):
        return "question"
    return "greeting"


async def meaning_ready(application) -> None:
    """Waits for the semantic index the bot builds in the background at start, so every dialogue
    is answered as a running bot answers it (not the first ones by words alone)."""
    service = application.bot_data.get("semantic")
    thread = getattr(service, "thread", None)
    if thread is not None:
        await asyncio.to_thread(thread.join)


if __name__ == "__main__":
    main()
