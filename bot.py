"""Korean civil-affairs Q&A bot: entry points.

Usage:
    python bot.py                      # Telegram bot if TELEGRAM_BOT_TOKEN is set, else console chat
    python bot.py chat                 # console chat on the bundled knowledge base
    python bot.py ask "질문"            # print the reply text
    python bot.py ask --json "질문"     # print the reply as JSON; "-" reads one question per line
    python bot.py kb check             # validate the knowledge base, print counts
    python bot.py kb export --json     # print every entry as one JSON list
    python bot.py complaints list|show|export

This module only wires things together; every behaviour lives in knowledge/, nlp/, db/ and
handlers/. Importing it has no side effects.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Sequence, TextIO

from handlers.settings import Settings, SettingsError, load_settings
from knowledge.base import DEFAULT_DIR, KnowledgeError, load_entries, load_knowledge_base
from knowledge.model import KINDS, REGIONS
from nlp.tokenizer import DEFAULT_TAGGER, TAGGERS, JavaMissingError, get_tokenizer


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except (JavaMissingError, SettingsError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        print("지식베이스를 불러올 수 없습니다 / knowledge base errors:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="지자체 정책·민원 안내 봇")
    parser.set_defaults(command=_run_default)
    sub = parser.add_subparsers(dest="name")

    chat = sub.add_parser("chat", help="console chat on the bundled knowledge base")
    chat.set_defaults(command=_run_chat)

    ask = sub.add_parser("ask", help="answer one question ('-' reads lines from stdin)")
    ask.add_argument("question", help="the question, or - to read one per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--region", choices=REGIONS, help="prefer this region")
    ask.add_argument("--knowledge-dir", default=None, help="defaults to KNOWLEDGE_DIR or the bundled sources")
    ask.add_argument("--tagger", choices=TAGGERS, default=None, help=f"konlpy tagger (default {DEFAULT_TAGGER})")
    ask.set_defaults(command=_run_ask)

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate and print counts per kind and region")
    check.add_argument("--knowledge-dir", default=None)
    check.set_defaults(command=_run_kb_check)
    export = kb_sub.add_parser("export", help="print all entries")
    export.add_argument("--json", action="store_true", required=True, help="as one JSON list")
    export.add_argument("--knowledge-dir", default=None)
    export.set_defaults(command=_run_kb_export)

    complaints = sub.add_parser("complaints", help="complaints from the shell: list, show, export")
    complaints.add_argument("action", choices=("list", "show", "export"))
    complaints.add_argument("receipt", nargs="?", help="receipt number for show")
    complaints.add_argument("--status", default=None, help="list: only this status")
    complaints.add_argument("--since", default=None, help="export: from date YYYY-MM-DD")
    complaints.add_argument("--until", default=None, help="export: to date YYYY-MM-DD")
    complaints.add_argument("--output", default=None, help="export: CSV file (default stdout)")
    complaints.set_defaults(command=_run_complaints)
    return parser


def _knowledge_dir(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "knowledge_dir", None) or os.environ.get("KNOWLEDGE_DIR") or DEFAULT_DIR)


def _run_default(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ)
    if settings.telegram_token:
        from handlers.app import run_bot

        run_bot(settings)
        return 0
    return _run_chat(args, settings)


def _run_chat(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from handlers.console import run_console

    return run_console(settings or load_settings(os.environ), sys.stdin, sys.stdout)


def _run_ask(args: argparse.Namespace) -> int:
    from nlp.responder import respond
    from nlp.semantic import SemanticService

    tokenizer = get_tokenizer(args.tagger or os.environ.get("NLP_TAGGER") or DEFAULT_TAGGER)
    kb = load_knowledge_base(_knowledge_dir(args), tokenizer=tokenizer)
    settings = load_settings(os.environ)
    if settings.retrieval == "hybrid":  # in this thread: the first answer is already hybrid
        SemanticService(settings.semantic_cache_path, settings.semantic_model).build(kb)
    questions = sys.stdin if args.question == "-" else [args.question]
    for question in questions:
        if args.question == "-":
            question = question.rstrip("\n")
        reply = respond(kb, question, region=args.region)
        _print_reply(reply, args.json, sys.stdout)
    return 0


def _print_reply(reply, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
    else:
        out.write(reply.text + "\n")
    out.flush()


def _run_kb_check(args: argparse.Namespace) -> int:
    entries, curated = load_entries(_knowledge_dir(args))
    counts = Counter((entry.kind, entry.region) for entry in entries)
    columns = (*REGIONS, "합계")
    print(_row("kind", columns))
    for kind in KINDS:
        row = [counts[(kind, region)] for region in REGIONS]
        if any(row):
            print(_row(kind, [*row, sum(row)]))
    print(_row("합계", [*(sum(counts[(k, r)] for k in KINDS) for r in REGIONS), len(entries)]))
    print(f"synonyms {len(curated.synonyms)} · curated aliases {len(curated.aliases)} · "
          f"contacts {len(curated.contacts)} · OK")
    return 0


def _row(label: str, cells: Sequence[object]) -> str:
    """A table row whose columns line up in a terminal (Hangul takes two cells)."""
    return label + " " * (13 - _width(label)) + "".join(
        " " * max(10 - _width(str(cell)), 1) + str(cell) for cell in cells)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _run_kb_export(args: argparse.Namespace) -> int:
    entries, _ = load_entries(_knowledge_dir(args))
    json.dump([e.to_dict() for e in entries], sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _run_complaints(args: argparse.Namespace) -> int:
    from db.cli import run_complaints_command

    return run_complaints_command(args, load_settings(os.environ), sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
