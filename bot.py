"""Korean civil-affairs Q&A bot: entry points.

Usage:
    python bot.py                      # Telegram bot given TELEGRAM_BOT_TOKEN, else console chat
    python bot.py chat                 # console chat on the bundled knowledge base
    python bot.py ask "질문"            # print the reply text
    python bot.py ask --json "질문"     # print the reply as JSON; "-" reads one question per line
    python bot.py kb check             # validate the knowledge base, print counts
    python bot.py kb export --json     # print every entry as one JSON list
    python bot.py kb add FILE... --region 지역 [--document 제목] [--year 2025]
    python bot.py kb list | kb remove FILE
    python bot.py complaints list|show|export
    python bot.py web                  # the staff web console alone, on the same database
    python bot.py web add-user 아이디 --user-id 12345   # password account (asked twice)

This module only wires things together; every behaviour lives in knowledge/, nlp/, db/ and
handlers/. Importing it has no side effects.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from config import Settings, SettingsError, load_settings
from display import pad, pad_left
from knowledge.base import KnowledgeError, load_contents, load_entries
from knowledge.model import KIND_LABELS, KINDS
from nlp.retrieval import load_knowledge_base
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
    ask.add_argument(
        "--region", default=None, help="prefer this region (a declared region's name)"
    )
    ask.add_argument(
        "--knowledge-dir", default=None, help="defaults to KNOWLEDGE_DIR or the bundled sources"
    )
    ask.add_argument(
        "--tagger",
        choices=TAGGERS,
        default=None,
        help=f"konlpy tagger (default: NLP_TAGGER, else {DEFAULT_TAGGER})",
    )
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
    add = kb_sub.add_parser("add", help="copy files in, record them in the manifest, validate")
    add.add_argument(
        "files", nargs="+", type=Path, help="HTML, PDF, DOCX, HWP(X), MD, TXT, XLSX, CSV"
    )
    add.add_argument("--region", required=True, help="region name; a new one is created")
    add.add_argument("--document", default=None, help="document title (default: the file name)")
    add.add_argument("--year", type=int, default=None, help="the document's year")
    add.add_argument("--knowledge-dir", default=None)
    add.set_defaults(command=_run_kb_add)
    listing = kb_sub.add_parser("list", help="the documents of the knowledge base")
    listing.add_argument("--knowledge-dir", default=None)
    listing.set_defaults(command=_run_kb_list)
    remove = kb_sub.add_parser("remove", help="drop one document from the knowledge base")
    remove.add_argument("file", help="the file name as `kb list` shows it")
    remove.add_argument("--knowledge-dir", default=None)
    remove.set_defaults(command=_run_kb_remove)

    complaints = sub.add_parser("complaints", help="complaints from the shell: list, show, export")
    complaints.add_argument("action", choices=("list", "show", "export"))
    complaints.add_argument("receipt", nargs="?", help="receipt number for show")
    complaints.add_argument("--status", default=None, help="list: only this status")
    complaints.add_argument("--since", default=None, help="export: from date YYYY-MM-DD")
    complaints.add_argument("--until", default=None, help="export: to date YYYY-MM-DD")
    complaints.add_argument("--output", default=None, help="export: CSV file (default stdout)")
    complaints.set_defaults(command=_run_complaints)

    web = sub.add_parser("web", help="staff web console alone, or add a password account")
    web.add_argument("action", nargs="?", choices=("serve", "add-user"), default="serve")
    web.add_argument("username", nargs="?", help="add-user: the account name")
    web.add_argument(
        "--user-id",
        type=int,
        default=None,
        help="add-user: the staff member's Telegram user id (their role applies)",
    )
    web.set_defaults(command=_run_web)
    return parser


def _settings() -> Settings:
    """The settings from the environment over ``.env``: every command reads them here."""
    return load_settings(os.environ)


def _knowledge_dir(args: argparse.Namespace, settings: Settings | None = None) -> Path:
    """--knowledge-dir, else KNOWLEDGE_DIR from the environment or .env (as the bot reads it)."""
    if getattr(args, "knowledge_dir", None):
        return Path(args.knowledge_dir)
    return Path((settings or _settings()).knowledge_dir)


def _run_default(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.telegram_token:
        from handlers.app import run_bot

        run_bot(settings)
        return 0
    return _run_chat(args, settings)


def _run_chat(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from console.chat import run_console

    return run_console(settings or _settings(), sys.stdin, sys.stdout)


def _run_ask(args: argparse.Namespace) -> int:
    from nlp.responder import respond
    from nlp.semantic import SemanticService

    settings = _settings()
    tokenizer = get_tokenizer(
        args.tagger or settings.nlp_tagger, cache_dir=settings.morpheme_cache_dir
    )
    kb = load_knowledge_base(_knowledge_dir(args, settings), tokenizer=tokenizer)
    if args.region and kb.region(args.region) is None:
        names = ", ".join(r.name for r in kb.regions)
        print(f"알 수 없는 지역입니다: {args.region} (지역: {names})", file=sys.stderr)
        return 2
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
    entries, curated, declared = load_contents(_knowledge_dir(args))
    regions = [region.name for region in declared]
    counts = Counter((entry.kind, entry.region) for entry in entries)
    columns = (*regions, "합계")
    print(_row("kind", columns))
    for kind in KINDS:
        row = [counts[(kind, region)] for region in regions]
        if any(row):
            print(_row(kind, [*row, sum(row)]))
    print(_row("합계", [*(sum(counts[(k, r)] for k in KINDS) for r in regions), len(entries)]))
    print(
        f"synonyms {len(curated.synonyms)} · curated aliases {len(curated.aliases)} · "
        f"contacts {len(curated.contacts)} · OK"
    )
    return 0


def _row(label: str, cells: Sequence[object]) -> str:
    """A table row whose columns line up in a terminal (Hangul takes two cells)."""
    return pad(label, 13) + "".join(pad_left(str(cell), 10) for cell in cells)


def _run_kb_export(args: argparse.Namespace) -> int:
    entries, _ = load_entries(_knowledge_dir(args))
    json.dump([e.to_dict() for e in entries], sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _run_kb_add(args: argparse.Namespace) -> int:
    from knowledge.library import LibraryError, add_files

    directory = _knowledge_dir(args)
    try:
        reports = add_files(
            directory, args.files, args.region, document=args.document, year=args.year
        )
    except LibraryError as exc:
        print(f"지식베이스를 바꾸지 않았습니다:\n{exc}", file=sys.stderr)
        return 1
    for report in reports:
        print("\n".join(report.lines()))
    print(f"{len(reports)}개 파일을 {directory}에 넣었습니다. 봇에서 /reload 하면 반영됩니다.")
    return 0


def _run_kb_list(args: argparse.Namespace) -> int:
    from knowledge.library import list_files

    for item, counts in list_files(_knowledge_dir(args)):
        kinds = ", ".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in counts.most_common())
        year = f" {item['year']}" if item.get("year") else ""
        print(
            f"{item['file']}  [{item['parser']}] {item['region']} · {item['document']}{year} — "
            f"{kinds or '항목 없음'}"
        )
    return 0


def _run_kb_remove(args: argparse.Namespace) -> int:
    from knowledge.library import LibraryError, remove_file

    try:
        remove_file(_knowledge_dir(args), args.file)
    except LibraryError as exc:
        print(f"지식베이스를 바꾸지 않았습니다:\n{exc}", file=sys.stderr)
        return 1
    print(f"{args.file}을(를) 뺐습니다. 봇에서 /reload 하면 반영됩니다.")
    return 0


def _run_complaints(args: argparse.Namespace) -> int:
    from cli.complaints import run_complaints_command

    return run_complaints_command(args, _settings(), sys.stdout)


def _run_web(args: argparse.Namespace) -> int:
    settings = _settings()
    if args.action == "serve":
        from web.server import run_alone

        run_alone(settings, _standalone_fetcher(settings))
        return 0
    from web.accounts import add_user_command

    return add_user_command(settings, args.username, args.user_id)


def _standalone_fetcher(settings):
    """With a bot token, the console alone fetches complaint photos through a Bot of its own
    (each fetch opens and closes it; web.photos caches what it got); without, none."""
    if not settings.telegram_token:
        return None
    from telegram import Bot

    from handlers.app import telegram_file_fetcher

    async def fetch(file_id: str) -> bytes:
        base = f"{settings.telegram_base_url}/bot" if settings.telegram_base_url else None
        files = f"{settings.telegram_base_url}/file/bot" if settings.telegram_base_url else None
        options = {"base_url": base, "base_file_url": files} if base else {}
        async with Bot(settings.telegram_token, **options) as bot:
            return await telegram_file_fetcher(bot)(file_id)

    return fetch


if __name__ == "__main__":
    sys.exit(main())
